"""Pupils' full names in running text: which name phrases stand together as a full name.

The PhraseMatcher finds every forename and surname phrase; this module pairs them:
forename then surname ("Amelia Jones", "Amelia Rose Jones", "Amelia R. Jones"), or
surname first as registers write it ("Jones, Amelia", "JONES Amelia", or the cells of a
pasted table, "Jones<TAB>Amelia"). Between the two there may be spaces and one line
break (a wrapped line, even a quoted one), never other punctuation, so "Amelia. Jones"
and "Amelia and Jones" are two people.

Without a comma, surname first is read as a name only where the roster or the text
says so: a pupil whose family name comes first ("Wang Xiaoming"), or a list whose lines
are names surname first ("Rahman Aisha" on its own line, in a detention list of such
lines; one such line alone may be "Rose Summer" in a poem).

Names that are also words ("Will", "Brown") count only when written as a name: never
in lower case, not after "the"/"our" (but after "that" starting a clause: "noted that
Hope Church was late"), not inside a capitalised title ("Bill Green Energy", "Summer
Long Jump"), not as a place ("Hope Church hall", see `word_context`), and not inside
all-capital text where capitals mean nothing.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from detectors.names import hits as score
from detectors.names.folding import Tokens
from detectors.names.hits import NameHit
from detectors.names.name_table import FAMILY_FIRST_SURNAME, FORENAME, PAIRED_SURNAME, SURNAME
from detectors.names.phrases import Phrase
from detectors.names.roster_index import HONORIFICS, NameKey, RosterIndex
from detectors.names.word_context import is_place, that_starts_a_clause

_LINE_BREAK = r"(?:\r?\n[ \t>]*)?"
NAME_GAP = re.compile(r"[ \t\u00a0]*" + _LINE_BREAK)
"""Between the words of a full name: spaces and at most one (possibly quoted) line break."""
JOIN_GAP = re.compile(r"[ \t\u00a0]*(?:[-'][ \t\u00a0]*)?" + _LINE_BREAK)
"""Inside one name: also a hyphen or apostrophe ("Smith-Jones", "O'Neill", "Mary-\nJane")."""
INITIAL_GAP = re.compile(r"\.?[ \t\u00a0]*" + _LINE_BREAK)
"""After a middle initial ("Amelia R. Jones")."""
COMMA_GAP = re.compile(r"[ \t\u00a0]*,[ \t\u00a0]*")
CELL_GAP = re.compile(r" *\t[ \t]*")
"""Table cells pasted as text ("Jones<TAB>Amelia" from a spreadsheet or an HTML table)."""
SAME_LINE_SPACE = re.compile(r"[ \t\u00a0]+")
SPACES = re.compile(r"[ \u00a0]+")
"""Between the words of one phrase on a line: a tab is a cell break, not a space."""
_BULLET = r"[-*\u2022\u00b7\u2023\u25e6\u2013\u2014]|\(?\d{1,3}[.)]|[a-z][.)]"
LINE_HEAD = re.compile(rf"[ \t>]*(?:{_BULLET})?[ \t]*")
"""What may stand before a name that is a list item: indent, quote marks, a bullet, "3."."""
LINE_TAIL = re.compile(r"[ \t]*(?:\.?[ \t]*$|[\t\-\u2013\u2014,;:(\[|/]|\d| {2,})")
"""What may follow it on its line: nothing, or a separator before the next column."""
MIN_LIST_LINES = 2
"""Surname-first lines needed before a list is read as surname first."""
SENTENCE_BREAK = re.compile(r"[.!?:;\n]")
LIST_WORDS = frozenset(("and", "or"))
DETERMINERS = frozenset(
    ("the", "a", "an", "this", "that", "these", "those", "our", "your", "their", "its", "my")
)

UPPER, CAPITALISED, LOWER = "upper", "capitalised", "lower"


class _Candidate:
    """Forename and surname phrases (as word ranges) that may form one full name."""

    __slots__ = ("forename", "order", "surname")

    def __init__(self, forename: tuple[int, int], surname: tuple[int, int], order: str) -> None:
        self.forename = forename
        self.surname = surname
        self.order = order  # "natural"; surname first: "comma", "cells", "upper", "family", "line"

    @property
    def start(self) -> int:
        return min(self.forename[0], self.surname[0])

    @property
    def end(self) -> int:
        return max(self.forename[1], self.surname[1])


class TextMatcher:
    """Finds pupils' full names in one text; built once per roster."""

    def __init__(self, index: RosterIndex, max_middle_names: int = 3) -> None:
        self.index = index
        self.max_middle_names = max_middle_names

    def find(self, text: str) -> list[NameHit]:
        tokens = Tokens.of(text)
        matches = self.index.finder.find(tokens.words)
        if len(matches) < 2:
            return []
        phrases: dict[int, list[tuple[int, Phrase]]] = {}
        for start, end in matches:
            if end - start == 1 or all(
                JOIN_GAP.fullmatch(tokens.gap_before(i)) for i in range(start + 1, end)
            ):
                phrases.setdefault(start, []).append((end, tuple(tokens.words[start:end])))
        found: list[NameHit] = []
        listed: list[tuple[_Candidate, NameHit]] = []
        reversed_names: list[_Candidate] = []
        for start, ends in phrases.items():
            for end, phrase in ends:
                for candidate, key in self._pairs(tokens, phrases, start, end, phrase):
                    hit = self._judge(tokens, candidate, key)
                    if hit is None:
                        continue
                    if candidate.order == "line":
                        listed.append((candidate, hit))
                        continue
                    found.append(hit)
                    if candidate.order != "natural":
                        reversed_names.append(candidate)
        if listed and _is_surname_first_list(tokens, [c for c, _ in listed], reversed_names):
            found.extend(hit for _, hit in listed)
        return found

    # --- pairing ----------------------------------------------------------------------

    def _pairs(
        self,
        tokens: Tokens,
        phrases: dict[int, list[tuple[int, Phrase]]],
        start: int,
        end: int,
        phrase: Phrase,
    ) -> Iterator[tuple[_Candidate, NameKey]]:
        index = self.index
        flags = index.phrase_flags(phrase)
        if flags & FORENAME:
            yield from self._forename_first(tokens, phrases, start, end, phrase)
        if (
            flags & (FAMILY_FIRST_SURNAME | PAIRED_SURNAME)
            and phrase in index.family_first_surnames
        ):
            yield from self._family_first_with_middle(tokens, phrases, start, end, phrase)
        if flags & SURNAME and end in phrases:
            gap = tokens.gap_before(end)
            if COMMA_GAP.fullmatch(gap):
                order = "comma"
            elif CELL_GAP.fullmatch(gap):
                order = "cells"
            elif NAME_GAP.fullmatch(gap) and _case(tokens, start, end) == UPPER:
                order = "upper"
            elif NAME_GAP.fullmatch(gap):
                order = "family"
            else:
                return
            for after, forename in phrases[end]:
                key = (forename, phrase)
                if key not in index.pairs:
                    continue
                if order != "family" or key in index.family_first:
                    yield _Candidate((end, after), (start, end), order), key
                elif SPACES.fullmatch(gap) and _line_start(tokens, start, after) is not None:
                    yield _Candidate((end, after), (start, end), "line"), key

    def _forename_first(
        self,
        tokens: Tokens,
        phrases: dict[int, list[tuple[int, Phrase]]],
        start: int,
        end: int,
        forename: Phrase,
    ) -> Iterator[tuple[_Candidate, NameKey]]:
        """Forename, up to max_middle_names middle names or initials, then the surname."""
        words = tokens.words
        middle_words = self.index.middle_words
        last = min(end + self.max_middle_names, len(words) - 1)
        after = end
        while True:
            if after in phrases and self._middle_gaps_fit(tokens, end, after):
                middle = words[end:after]
                for surname_end, surname in phrases[after]:
                    key = (forename, surname)
                    if key in self.index.pairs and self.index.middle_fits(key, middle):
                        yield _Candidate((start, end), (after, surname_end), "natural"), key
            if after >= last or (len(words[after]) > 1 and words[after] not in middle_words):
                return
            after += 1

    def _family_first_with_middle(
        self,
        tokens: Tokens,
        phrases: dict[int, list[tuple[int, Phrase]]],
        start: int,
        end: int,
        surname: Phrase,
    ) -> Iterator[tuple[_Candidate, NameKey]]:
        """Family name, middle names, given name: "Nguyen Van An" for An Van Nguyen."""
        words = tokens.words
        last = min(end + self.max_middle_names, len(words) - 1)
        for after in range(end + 1, last + 1):
            middle = words[end:after]
            word = words[after - 1]
            if len(word) > 1 and word not in self.index.middle_words:
                return
            if after not in phrases or not self._middle_gaps_fit(tokens, end, after):
                continue
            for forename_end, forename in phrases[after]:
                key = (forename, surname)
                if key in self.index.family_first and self.index.middle_fits(key, middle):
                    yield _Candidate((after, forename_end), (start, end), "family"), key

    @staticmethod
    def _middle_gaps_fit(tokens: Tokens, end: int, after: int) -> bool:
        """Only spaces and one line break between the words; a full stop after an initial."""
        for position in range(end, after + 1):
            rule = (
                INITIAL_GAP if position > end and len(tokens.words[position - 1]) == 1 else NAME_GAP
            )
            if not rule.fullmatch(tokens.gap_before(position)):
                return False
        return True

    # --- is it written as a name? -----------------------------------------------------

    def _judge(self, tokens: Tokens, candidate: _Candidate, key: NameKey) -> NameHit | None:
        forename_case = _case(tokens, *candidate.forename)
        surname_case = _case(tokens, *candidate.surname)
        if candidate.order != "natural":
            if candidate.start > 0 and tokens.words[candidate.start - 1] in HONORIFICS:
                return None  # "Dear Mrs Jones, Amelia has settled in well"
            if candidate.order == "comma" and not self._comma_form_plain(tokens, candidate, key):
                return None
        all_capitals = forename_case == UPPER and surname_case == UPPER
        if candidate.order == "upper" and all_capitals and key[1] in self.index.forename_like:
            return None  # "THOMAS HARRY": all capitals and both could be forenames
        common = self.index.is_common(key[0]) or self.index.is_common(key[1])
        if common:
            value = self._common_word_score(tokens, candidate, key, forename_case, surname_case)
        elif LOWER in (forename_case, surname_case):
            value = score.LOWER_CASE
        elif candidate.order in ("natural", "family"):
            value = score.FULL_NAME
        else:
            value = score.LIST_LINE if candidate.order == "line" else score.SURNAME_FIRST
        if value is None:
            return None
        first, last = tokens.char_span(candidate.start, candidate.end)
        if candidate.order == "family":
            form = "family name first, as the roster gives it"
        elif value in score.FORMS:
            form = score.FORMS[value]
        else:
            form = score.LIST_LINE_FORM if candidate.order == "line" else score.SURNAME_FIRST_FORM
        return NameHit(
            key=key, span=(first, last), text=tokens.text[first:last], score=value, form=form
        )

    def _comma_form_plain(self, tokens: Tokens, candidate: _Candidate, key: NameKey) -> bool:
        """ "Jones, Amelia" is a name; "Thomas, Harry and Jack" is a list of forenames.

        Only a surname that is also someone's forename in the roster or the staff list is
        ambiguous; then the pair must not sit inside a comma-separated or "and" list.
        """
        if key[1] not in self.index.forename_like:
            return True
        before = tokens.gap_before(candidate.start)
        after = tokens.gap_before(candidate.end) if candidate.end < len(tokens) else ""
        if "," in before or "&" in before or "," in after or "&" in after:
            return False
        if candidate.start > 0 and tokens.words[candidate.start - 1] in LIST_WORDS:
            return False
        return not (candidate.end < len(tokens) and tokens.words[candidate.end] in LIST_WORDS)

    def _common_word_score(
        self,
        tokens: Tokens,
        candidate: _Candidate,
        key: NameKey,
        forename_case: str,
        surname_case: str,
    ) -> float | None:
        if LOWER in (forename_case, surname_case):
            return None
        start, end = candidate.start, candidate.end
        before = tokens.gap_before(start)
        at_sentence_start = start == 0 or bool(SENTENCE_BREAK.search(before))
        previous = "" if at_sentence_start else tokens.words[start - 1]
        if previous in DETERMINERS and not (
            previous == "that" and that_starts_a_clause(tokens, start, end)
        ):
            return None  # "our Hope Church", "the Summer Long jump"
        if self.index.is_common(key[1]) and is_place(tokens, start, end, key[1]):
            return None  # "Hope Church hall", "St Hope Church", "at Summer Field"
        if candidate.order == "line":
            return score.COMMON_WORD  # a list item: what follows is the next column
        if end < len(tokens) and SPACES.fullmatch(tokens.gap_before(end)):
            following = _case(tokens, end, end + 1)
            if following == CAPITALISED:
                return None  # "Bill Green Energy", "Summer Long Jump"
            if following == UPPER and UPPER in (forename_case, surname_case):
                return None  # "WILL BROWN THE ONIONS": capitals carry no meaning here
        if (
            start > 0
            and forename_case == UPPER
            and SAME_LINE_SPACE.fullmatch(before)
            and _case(tokens, start - 1, start) == UPPER
        ):
            return None  # "PLEASE WILL BROWN ..."
        if at_sentence_start and candidate.order in ("natural", "family"):
            return score.COMMON_WORD_AT_SENTENCE_START
        return score.COMMON_WORD


def _is_surname_first_list(
    tokens: Tokens, listed: list[_Candidate], others: list[_Candidate]
) -> bool:
    """At least MIN_LIST_LINES lines are a surname-first roster name: counting the
    comma-less ones and those that are plainly surname first ("JONES Amelia", "Jones,
    Amelia") when they also fill their line."""
    lines = {_line_start(tokens, c.start, c.end) for c in listed}
    for candidate in others:
        if len(lines) >= MIN_LIST_LINES:
            break
        line = _line_start(tokens, candidate.start, candidate.end)
        if line is not None:
            lines.add(line)
    return len(lines) >= MIN_LIST_LINES


def _line_start(tokens: Tokens, start: int, end: int) -> int | None:
    """Where the line (or tab-separated cell) holding words start..end-1 begins, when
    those words are all of it but a list marker before and further columns after."""
    first, last = tokens.char_span(start, end)
    text = tokens.text
    begins = max(text.rfind("\n", 0, first), text.rfind("\t", 0, first)) + 1
    if not LINE_HEAD.fullmatch(text, begins, first):
        return None
    stop = text.find("\n", last)
    if not LINE_TAIL.match(text[last : len(text) if stop < 0 else stop].rstrip("\r")):
        return None
    return begins


def _case(tokens: Tokens, start: int, end: int) -> str:
    """How words start..end-1 are written: all capitals, capitalised or lower case."""
    first, last = tokens.char_span(start, end)
    text = tokens.text
    written = text[first:last]
    if written.isupper() and sum(ch.isalpha() for ch in written) >= 2:
        return UPPER
    if text[first].isupper() or any(
        text[tokens.char_span(i, i + 1)[0]].isupper() for i in range(start + 1, end)
    ):
        return CAPITALISED
    return LOWER
