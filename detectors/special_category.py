"""Special category data (health, SEND, safeguarding, free school meals, exclusions,
ethnicity, religion...): a vocabulary of phrases and a fast matcher for it.

The vocabulary is a plain text file in detectors/data/ (format described at its top),
with the medicines children take in school in a second list; a school extends or trims
both in config. Most entries are topic words that count only in a sentence about one
person, which detectors/person_reference.py judges ("her Ritalin", not "ADHD
Awareness Week"). Matching works on words, not characters, so spacing,
line breaks, hyphens and case do not matter ("Child-in-Need" matches "child in need").
spaCy's tokenizer and PhraseMatcher would do the same job, but take about 9 ms to
tokenize a 10 KB message; every outgoing message is scanned, so the matcher here uses
the regex engine's literal search instead (see PhraseMatcher).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any

from detectors.person_reference import STRONG, individual_score, sentence_at, topic_score
from detectors.special_category_model import (
    MAX_SCORED,
    SentenceModel,
    default_model,
    occurrences,
    words_of,
)
from detectors.textmatch import CELL_SEPARATOR, Match, lowered
from models import Basis

SPECIAL_CATEGORY = "SPECIAL_CATEGORY"
VOCABULARY_FILE = "special_category.txt"
MEDICATIONS_FILE = "school_medications.txt"
NOT_SPECIAL = "not-special"
"""Vocabulary kind of longer phrases that block the shorter ones inside them."""

_WORD = re.compile(r"[^\W_]+")
"""Words as the matcher sees them, in any script; "child-in-need" is three. (A Bengali
or Gurmukhi vowel sign is not a word character, so such a word is several pieces, in
the vocabulary and in the text alike, and the gap between them matches.)"""
_MAX_GAP = 3
"""Most characters between two words of a phrase ("child - in - need")."""
_KIND = re.compile(r"^[a-z][a-z0-9-]{0,39}$")


def _words(text: str) -> list[str]:
    """A word list written as wrapped text."""
    return text.split()


_FORM_LABEL = re.compile(r"\s*[:=]\s*\w")
"""A phrase used as a form label: "Ethnicity: White British"."""
_LABEL_START = re.compile(
    f"(?:^|[\\n\\t|;{CELL_SEPARATOR}]|[.\u2013-] )[ \\t]*(?:\\w+[ \\t]+){{0,2}}$"
)
"""A form label starts its line or cell ("Pupil ethnicity: ...")."""
_LABELS_SOMEONE = re.compile(
    r"(?:[ \t]+[A-Za-z]+){0,2}[ \t]*(?::|[ \t][-\u2013])[ \t]*"
    r"(?:(?:(?:the|a|our|new)[ \t]+)*"
    r"(?:(?:[Yy](?:ear|r)?[ \t]*\d{1,2}|[Rr]eception|[Nn]ursery)[ \t]+)?"
    r"(?:twins|siblings|pupil|child|boy|girl|student)"
    r"|(?:Mr|Mrs|Ms|Miss|Mx|Dr)\.?[ \t]+[A-Z][a-z]+(?:[ \t]+\([A-Z]+\))?)[ \t]*$",
    re.MULTILINE,
)
"""A heading or subject line that puts a topic on someone, and nothing more: "Free meals -
twins", "Disabled child: Y7 pupil", "Union: Mr Okoro (NAHT)" (a year group alone is a
cohort: "Asthma: Reception")."""
_COHORT = re.compile(
    r"[ \t]*(?:[Yy](?:ear|r)?[ \t]*\d{1,2}|[Rr]eception|[Nn]ursery|KS\d|[Kk]ey [Ss]tage \d)"
    r"(?:[ \t]*(?:and|&|-|to|/)[ \t]*(?:[Yy](?:ear|r)?[ \t]*)?\d{1,2})?[ \t]*$"
)
"""A year group alone is a cohort, not a value about someone ("Asthma: Reception")."""
_ADDRESSED = re.compile(r"(?i)\b(?:you|your)\b")
_HAS_BEFORE = re.compile(r"(?i)\b(?:has|had|with)\s+(?:(?!been\b)\w+\s+){0,2}$")
"""'has' just before the phrase ("has asthma") suggests a person, not "religion has a side"."""
_DOCUMENT_WORDS = frozenset(
    _words(
        """
        lesson lessons curriculum learn learning objectives worksheet worksheets
        newsletter awareness policy policies procedures guidance statutory donate
        donations charity fundraising appeal assembly workshop training course webinar
        research statistics percent nationally resources leaflet homework gcse biology
        science pshe rshe syllabus volunteers reuters news newspaper reported spokesman
        correspondent officials according journalist headline editorial novel novels
        character characters chapter author poem playwright protagonist plot fiction
        scenario scenarios slides module fictional hypothetical delegates trainer
        vacancy salary applicants candidate
        """
    )
)
"""Words of general material; a block with several of them is a lesson, newsletter,
policy, appeal or news story, and a phrase in it needs a clear individual cue to count."""


_SCHOOL_WORDS = frozenset(
    _words(
        """
        school schools pupil pupils tutor teacher teachers headteacher dsl senco sen send
        ehcp reception nursery yr y1 y2 y3 y4 y5 y6 y7 y8 y9 y10 y11 y12 y13 mum mums mummy
        dad dads daddy parent parents carer carers nan nanny gran grandma grandad foster
        twins lesson lessons playground lunchtime assembly governors safeguarding cpoms
        myconcern camhs lado mash ta tas nqt ect homework uniform classroom pastoral
        encompass sats gcse gcses detention exclusion excluded suspension suspended pta inset
        sencos ks1 ks2 ks3 ks4 eyfs
        """
    )
)
"""Words of school business. A block with none of them (a forwarded news story, a mailing
list thread) is not a school record about someone; it needs a far stronger cue."""
_PLACEHOLDER = re.compile(r"[\[<][A-Za-z' ]{3,30}[\]>]")
"""'[PUPIL NAME]', '<child's name>': a template to fill in, about nobody yet."""
_TEMPLATE = 2
"""Added to the signs of general material in a block with a placeholder."""
_THIRD_PARTY = 3
"""Added to the signs of general material in a long block with no school words."""
_LONG = 60
"""Distinct words from which a block is prose to read, not a note: a short note with no
school words ("He has asthma, keep an eye on him") is still about someone."""


class VocabularyError(ValueError):
    """A vocabulary entry cannot be used; the message names it."""


@dataclass(frozen=True, slots=True)
class Phrase:
    """One vocabulary entry, split into the words it matches."""

    kind: str
    text: str
    """As written, without its prefixes: what the finding's evidence shows."""
    words: tuple[str, ...]
    exact_case: bool = False
    needs_person: bool = False
    after_person: bool = False
    """ "^": only after a word that ties it to someone ("is gay", "a Muslim", "her faith"),
    not as an adjective of a group ("gay marriage", "religious leaders")."""


def parse_phrase(kind: str, entry: str) -> Phrase:
    """ "~=SEND support" -> Phrase("send", "SEND support", ..., exact_case, needs_person)."""
    if not _KIND.match(kind):
        raise VocabularyError(
            f"special category kind {kind!r} must be lower-case letters, digits and '-'"
        )
    text = entry.strip()
    flags = ""
    while text[:1] in ("=", "~", "^"):
        flags += text[0]
        text = text[1:].strip()
    words = tuple(_WORD.findall(text))
    text = text.replace("*", "")
    if not words:
        raise VocabularyError(f"special category phrase {entry!r} has no letters or digits")
    exact = "=" in flags
    return Phrase(
        kind=kind,
        text=text,
        words=words if exact else tuple(w.lower() for w in words),
        exact_case=exact,
        needs_person="~" in flags or "^" in flags,
        after_person="^" in flags,
    )


class ShippedVocabulary(dict[str, list[str]]):
    """The shipped vocabulary (a school's phrases may be added to it): PhraseMatcher uses
    the learned sentence model with it, so turning the default vocabulary off in config
    turns the model off too."""


def default_vocabulary() -> ShippedVocabulary:
    """The shipped vocabulary and medication files as {kind: [entries]} (read once per
    detector build). A medication counts only about someone ("~"): "gave him his Ritalin"."""
    data = resources.files("detectors").joinpath("data")
    vocabulary = parse_vocabulary(data.joinpath(VOCABULARY_FILE).read_text("utf-8"))
    medications = parse_word_lines(data.joinpath(MEDICATIONS_FILE).read_text("utf-8"))
    vocabulary.setdefault("health", []).extend(f"~{name}" for name in medications)
    return ShippedVocabulary(vocabulary)


def parse_word_lines(text: str) -> list[str]:
    """One entry per line; blank lines and "#" comments are skipped."""
    lines = (line.strip() for line in text.splitlines())
    return [line for line in lines if line and not line.startswith("#")]


_CHOICE = re.compile(r"\{([^{}]*)\}")


def alternatives(entry: str) -> list[str]:
    """ "~{dad|stepdad} hit* {mum|mummy}" -> one entry per choice: the many ways the same
    disclosure is worded, written once."""
    choice = _CHOICE.search(entry)
    if choice is None:
        return [entry]
    head, tail = entry[: choice.start()], entry[choice.end() :]
    return [
        variant
        for option in choice.group(1).split("|")
        for variant in alternatives(head + option.strip() + tail)
    ]


def inflections(entry: str) -> list[str]:
    """ "~self harm*" -> the entry with each starred word in its usual English forms
    (harm, harms, harmed, harming; exclude -> excluding; cut -> cutting). Forms that are
    not words never occur in mail, so over-generating is harmless."""
    if "*" not in entry:
        return [entry]
    variants = [""]
    for token in re.split(r"(\s+)", entry):
        forms = _forms(token[:-1]) if token.endswith("*") else [token]
        variants = [v + f for v in variants for f in forms]
    return variants


def _forms(stem: str) -> list[str]:
    forms = [stem, stem + "s", stem + "es", stem + "ed", stem + "d", stem + "ing"]
    if stem.endswith("e"):
        forms.append(stem[:-1] + "ing")
    if stem.endswith("y"):
        forms += [stem[:-1] + "ies", stem[:-1] + "ied"]
    if len(stem) > 2 and stem[-1] not in "aeiouwy" and stem[-2] in "aeiou":
        forms += [stem + stem[-1] + "ing", stem + stem[-1] + "ed"]
    return list(dict.fromkeys(forms))


def parse_vocabulary(text: str) -> dict[str, list[str]]:
    vocabulary: dict[str, list[str]] = {}
    kind: str | None = None
    for number, raw in enumerate(text.splitlines(), 1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("[") and line.endswith("]"):
            kind = line[1:-1].strip()
            vocabulary.setdefault(kind, [])
            continue
        if kind is None:
            raise VocabularyError(f"line {number}: phrase {line!r} comes before any [kind]")
        vocabulary[kind].append(line)
    return vocabulary


class PhraseMatcher:
    """Finds vocabulary phrases in text, the longest that applies at each place.

    Phrases are grouped by their first word, and each group is one regular expression
    that starts with that word as a literal, which the regex engine finds at C speed. A
    message is first reduced to the set of its words, so only groups whose first word
    and some phrase's anchor word occur in it are searched at all. Whether a phrase
    applies where it is found (about a person, not a topic) is decided by its sentence
    (see _Context). Sentences no phrase matches are offered to the learned model
    (detectors/special_category_model.py), whose candidates are judged the same way.
    """

    def __init__(
        self,
        vocabulary: Mapping[str, list[str]],
        ignored: frozenset[str],
        learned: SentenceModel | bool | None = None,
    ) -> None:
        """`learned`: the sentence model to use, True for the shipped one, False for none;
        by default the shipped one exactly when `vocabulary` is the shipped vocabulary."""
        if learned is None:
            learned = isinstance(vocabulary, ShippedVocabulary)
        self._model = default_model() if learned is True else learned or None
        self._ignored_words = frozenset(
            w for i in ignored for w in _WORD.findall(i.lower()) if len(_WORD.findall(i)) == 1
        )
        """A school's ignored one-word phrases never start a learned candidate either."""
        ignored_words = {tuple(_WORD.findall(i.lower())) for i in ignored}
        by_first: dict[tuple[str, bool], dict[tuple[str, ...], Phrase]] = {}
        for kind, entries in vocabulary.items():
            for entry in entries:
                if tuple(w.lower() for w in _WORD.findall(entry)) in ignored_words:
                    continue  # ignoring "self harm" also ignores "self harming"
                for form in (f for a in alternatives(entry) for f in inflections(a)):
                    phrase = parse_phrase(kind, form)
                    if tuple(w.lower() for w in phrase.words) in ignored_words:
                        continue
                    group = by_first.setdefault((phrase.words[0], phrase.exact_case), {})
                    group.setdefault(phrase.words, phrase)
        self._groups: dict[str, list[_Group]] = {}
        for (first, exact), phrases in by_first.items():
            self._groups.setdefault(first.lower(), []).append(_Group(phrases, exact))

    def find(self, text: str) -> list[Match]:
        return self._find(text, learned_only=False)

    def candidates(self, text: str) -> list[Match]:
        """The learned model's findings alone (what its training script weighs)."""
        return self._find(text, learned_only=True)

    def _find(self, text: str, *, learned_only: bool) -> list[Match]:
        lower = lowered(text)
        words = set(_WORD.findall(lower))
        present = self._groups.keys() & words
        triggers = self._model.triggers(words - self._ignored_words) if self._model else []
        if not present and not triggers:
            return []
        third_party = len(words) >= _LONG and words.isdisjoint(_SCHOOL_WORDS)
        if third_party:
            triggers = []  # the model knows school mail, not forwarded news or threads
            if not present:
                return []
        context = _Context(text, len(words & _DOCUMENT_WORDS), third_party)
        groups = [
            (first, group)
            for first in present
            for group in self._groups[first]
            if not group.anchors.isdisjoint(words)
        ]
        starts = _first_word_starts(lower, groups) if len(groups) * len(text) > _ONE_PASS else None
        found = _longest_first(
            [
                match
                for first, group in groups
                for match in group.find(
                    text,
                    text if group.exact_case else lower,
                    context,
                    None if starts is None else starts.get(first, []),
                )
            ]
        )
        kept = [] if learned_only else [m for m in found if m.kind != NOT_SPECIAL]
        if triggers and self._model is not None:
            kept.extend(_learned(self._model, text, lower, triggers, context, found))
            kept.sort(key=lambda m: m.start)
        return kept


def _learned(
    model: SentenceModel,
    text: str,
    lower: str,
    triggers: list[str],
    context: _Context,
    found: list[Match],
) -> Iterator[Match]:
    """The model's candidates in sentences no phrase was found in, judged like a topic
    phrase ("~"): the strongest trigger word of the sentence stands for it and is the
    evidence (a word of the shipped trigger list, never a name); the score is the
    model's probability. A phrase blocked as not special ("excluded from the
    calculation") blocks the model there too."""
    scored: dict[int, float] = {}
    tried = 0
    for word in triggers:
        for at in occurrences(lower, word):
            end = at + len(word)
            if any(m.start <= at < m.end for m in found):
                continue
            if tried >= MAX_SCORED:
                return
            tried += 1
            sentence = sentence_at(text, at, end)
            if sentence.start in scored and scored[sentence.start] < 0:
                continue
            if sentence.start not in scored:
                finish = sentence.start + len(sentence.text)
                if any(sentence.start <= m.start < finish for m in found):
                    scored[sentence.start] = -1.0
                    continue
                scored[sentence.start] = model.probability(words_of(sentence.text))
            probability = scored[sentence.start]
            if probability < model.threshold:
                scored[sentence.start] = -1.0
                continue
            phrase = Phrase(model.kind_of(word), word, (word,), needs_person=True)
            if context.allows(phrase, at, end, least_person=STRONG):
                scored[sentence.start] = -1.0  # one finding a sentence
                yield Match(
                    type=SPECIAL_CATEGORY,
                    start=at,
                    end=end,
                    evidence=phrase.text,
                    score=round(probability, 3),
                    kind=phrase.kind,
                    basis=Basis(
                        "a sentence the special category model reads as a disclosure about "
                        "one person (its probability)",
                        round(probability, 3),
                    ),
                )


class _Context:
    """Decides, sentence by sentence, whether a phrase found in one text is about someone.

    A "~" phrase (a topic word: "autism", "refugee") needs an individual cue that
    outweighs the signs of general material; any other phrase ("was excluded") counts
    unless such signs outweigh the cues. A block with several document words (a lesson,
    newsletter or policy) adds to the signs of every sentence in it.
    """

    def __init__(self, text: str, document_words: int, third_party: bool = False) -> None:
        self.text = text
        self.document = min(2, document_words // 2) + (_THIRD_PARTY if third_party else 0)
        self._template: bool | None = None
        self._topic: dict[int, int] = {}
        self._after_general: dict[int, bool] = {}

    def _in_template(self) -> bool:
        """Searched once, and only when a phrase is being weighed (most blocks have none)."""
        if self._template is None:
            self._template = _PLACEHOLDER.search(self.text) is not None
        return self._template

    def _a_value(self, end: int) -> bool:
        """What follows a form label is a value ("Ethnicity: White British"), not a
        heading over general text ("Free school meals: if your income has changed, you
        may be eligible", "Young carers: e-learning module for all tutors")."""
        finish = self.text.find("\n", end)
        value = self.text[end : finish if finish >= 0 else len(self.text)].lstrip(" \t:=")
        return not (_ADDRESSED.search(value) or topic_score(value) or _COHORT.match(value))

    def allows(self, phrase: Phrase, start: int, end: int, least_person: int = 1) -> bool:
        """Whether the phrase found at text[start:end] counts here; a model candidate asks
        for a clear individual cue (`least_person` STRONG: a name, "she", "his mum"), not
        only "my" or "her" (a CV's "my background")."""
        if phrase.kind == NOT_SPECIAL:
            return True  # blocks the shorter phrases inside it wherever it is
        if (
            phrase.needs_person
            and _FORM_LABEL.match(self.text, end)
            and _LABEL_START.search(self.text, max(0, start - 30), start)
            and self._a_value(end)
        ):
            return True
        if phrase.needs_person and _in_proper_name(self.text, start, end):
            return False
        if _a_job(self.text, phrase, start, end) or _ORGANISATION_AFTER.match(self.text, end):
            return False
        if phrase.words[-1].lower() in _STAFF_ROLES or _AREA_OF_WORK.search(
            self.text, max(0, start - 30), start
        ):
            return False
        if (
            phrase.needs_person
            and _LABELS_SOMEONE.match(self.text, end)
            and _LABEL_START.search(self.text, max(0, start - 30), start)
        ):
            return True
        if phrase.after_person and not _TIED_TO_SOMEONE.search(
            self.text, max(0, start - 30), start
        ):
            return False
        sentence = sentence_at(self.text, start, end)
        person = individual_score(sentence, (start - sentence.start, end - sentence.start))
        if person == 0 and _HAS_BEFORE.search(self.text, max(sentence.start, start - 40), start):
            person = 1
        if phrase.needs_person and person < least_person:
            return False
        topic = self._topic.get(sentence.start)
        if topic is None:
            topic = topic_score(sentence.text) + self.document
            topic += _TEMPLATE if self._in_template() else 0
            self._topic[sentence.start] = topic
        least = topic + 1 if phrase.needs_person else topic
        if person < least:
            return False
        if person > least or not sentence.before:
            return True
        # only when it decides: a sentence after one with signs of general material is
        # part of it ("Lesson 4 is about grief and loss. Students read a story about a
        # girl whose dad...")
        after_general = self._after_general.get(sentence.start)
        if after_general is None:
            after_general = topic_score(sentence.before) >= 2
            self._after_general[sentence.start] = after_general
        return not after_general


_ORGANISATION_AFTER = re.compile(
    r"(?i)[ \t-]+(?:service|services|team|teams|centre|center|hub|drop-in|drop\s+in|offer|lead"
    r"|leads|coordinator|co-ordinator|champion|policy|policies|strategy|grant|budget|template"
    r"|training|course|module|leaflets?|posters?|forms?|portal|categories|category|club|group"
    r"|week|month|charity|conference|network|forum|newsletter|website|page|display|inbox"
    r"|register\s+(?:is|will)|figures|data|statistics|funding\s+(?:is|will|for\s+the))\b"
)
"""'the domestic abuse service', 'our Early Help drop-in', 'CPOMS categories': the phrase
names a service or a piece of school business, not someone's circumstances."""

_WORKPLACE = re.compile(
    r"(?i)\b(?:works?|worked|working|job|volunteers?|placement)\s+(?:at|in|for|with)\s+"
    r"(?:an?|the)?\s*(?:local\s+)?$|\bcareers?\s+in\s+$"
)
_IS_A = re.compile(
    r"(?i)\b(?:is|was|as|became|be|becoming|trained\s+as)\s+an?\s+(?:\w+\s+)?$"
    r"|\b(?:joins?\s+us|joined\s+us|starts?|started|work(?:s|ing)?)\s+as\s+(?:(?:our|the|new)\s+)*"
    r"(?:\w+\s+){0,2}$"
)
_JOB_TITLES = frozenset(
    _words(
        """
        worker officer officers psychologist psychiatrist therapist counsellor nurse
        doctor consultant paediatrician neurologist physiotherapist worker workers
        """
    )
)
"""'Her mum is a social worker', 'dad works at the prison': a job, not a circumstance."""


def _a_job(text: str, phrase: Phrase, start: int, end: int) -> bool:
    """The phrase names someone's work: a place they work, or their job title (also when
    the title goes on after it: "as family support worker" for "family support")."""
    if _WORKPLACE.search(text, max(0, start - 40), start):
        return True
    titled = phrase.words[-1].lower() in _JOB_TITLES or _TITLE_AFTER.match(text, end)
    return bool(titled and _IS_A.search(text, max(0, start - 30), start))


_TITLE_AFTER = re.compile(
    r"(?i)[ \t]+(?:\w+[ \t]+)?(?:worker|officer|psychologist|therapist|counsellor|nurse"
    r"|practitioner)\b"
)


_STAFF_ROLES = frozenset(
    _words("lead leads coordinator manager champion adviser advisor teacher mentor")
)
"""'the virtual school head', 'designated teacher': a phrase naming a member of staff's
role, not anyone's circumstances."""
_AREA_OF_WORK = re.compile(
    r"(?i)\b(?:leading|leads?|in\s+charge|responsible|coordinat\w+|running|organising"
    r"|overseeing|oversees|manag\w+|budget|strategy|monitoring|spending)"
    r"(?:\s+(?:on|of|for|with))?(?:\s+(?:the|our))?\s+$"
)
"""'Amy is leading on pupil premium', 'responsible for early help': a colleague's remit."""


_TIED_TO_SOMEONE = re.compile(
    r"(?i)(?:\b(?:is|am|are|was|were|being|as|a|an|openly|his|her|their|my|your|our"
    r"|identif(?:y|ies|ied)\s+as|out\s+as|family\s+are|parents\s+are)|['\u2019]s|['\u2019]m)"
    r"(?:\s+(?:a|an|now|very|quite|also|practising|devout|strict|strictly|openly))?\s+$"
)


_NEXT_CAPITALISED = re.compile(r"[ \t]+(?:[A-Z][a-z]|UK\b)")
_PREVIOUS_CAPITALISED = re.compile(r"\b([A-Z][a-z]+)('s)?[ \t]+$")


def _in_proper_name(text: str, start: int, end: int) -> bool:
    """A capitalised topic word inside a name ("Christian Aid", "St Joseph's Catholic
    High", "Diabetes UK", "the Jewish Museum") names an organisation or place."""
    if _SAINT_BEFORE.search(text, max(0, start - 30), start):
        return True
    if not text[start].isupper() or text[start:end].isupper():
        return False
    if _NEXT_CAPITALISED.match(text, end):
        return True
    previous = _PREVIOUS_CAPITALISED.search(text, max(0, start - 30), start)
    if previous is None or _SENTENCE_START.search(text, max(0, start - 40), start):
        return False
    # "Ethan's Concerta": one capitalised word after a possessive is a person's; several
    # ("Barnardo's Young Carers") are an organisation's name
    return not (previous.group(2) and " " not in text[start:end].strip())


_SAINT_BEFORE = re.compile(r"\bSt\.?\s+[A-Z][a-z]+(?:['\u2019]s)?\s+$")
"""'St Mark's church', 'St Anne's Catholic...': a place."""
_SENTENCE_START = re.compile(r"(?:^|[.!?:]\s+|\n\s*)[A-Z][a-z]+(?:'s)?[ \t]+$")
"""'Her Muslim...': the capitalised word before is only the sentence's first word."""


class _Group:
    """The phrases sharing one first word, as one regular expression (a word trie)."""

    def __init__(self, phrases: dict[tuple[str, ...], Phrase], exact_case: bool) -> None:
        self.phrases = phrases
        self.exact_case = exact_case
        self.anchors = frozenset(_anchor(words) for words in phrases)
        """One uncommon word of each phrase: unless one is in the text, no phrase can match
        (common first words such as "with" or "one" would otherwise cost a search)."""
        trie: dict[str, Any] = {}
        for words in phrases:
            node = trie
            for word in words:
                node = node.setdefault(word, {})
            node[_END] = {}
        self._source = self._branches(trie, first=True)
        self._pattern: re.Pattern[str] | None = None

    @property
    def pattern(self) -> re.Pattern[str]:
        """Compiled on first use: most groups' words never occur in a given school's mail,
        and compiling all ~1,200 up front was most of a scan worker's start-up time."""
        if self._pattern is None:
            self._pattern = _compiled(self._source)
        return self._pattern

    def _branches(self, node: dict[str, Any], *, first: bool) -> str:
        words = sorted((w for w in node if w != _END), key=len, reverse=True)
        if not words:
            return ""
        boundary = r"(?![^\W_])"
        alternatives = "|".join(
            re.escape(w) + boundary + self._branches(node[w], first=False) for w in words
        )
        if first:
            return f"(?:{alternatives})"
        gap = f"[^\\w{CELL_SEPARATOR}]{{1,{_MAX_GAP}}}"
        continuation = f"{gap}(?:{alternatives})"
        return f"(?:{continuation})?" if _END in node else continuation

    def find(
        self,
        text: str,
        searched: str,
        context: _Context,
        starts: list[int] | None = None,
    ) -> Iterator[Match]:
        """Matches in `text`; `searched` is the same text, lower-cased unless exact case.
        With `starts` (where the group's first word occurs), only there."""
        if starts is None:
            matches: Iterable[re.Match[str] | None] = self.pattern.finditer(searched)
        else:
            matches = (self.pattern.match(searched, start) for start in starts)
        for m in matches:
            if m is None:
                continue
            start = m.start()
            if start and searched[start - 1].isalnum():
                continue  # inside a longer word
            words = tuple(_WORD.findall(m.group()))
            phrase = self._applicable(context, start, m.group(), words)
            if phrase is not None:
                end = start + _prefix_length(m.group(), len(phrase.words))
                yield Match(
                    type=SPECIAL_CATEGORY,
                    start=start,
                    end=end,
                    evidence=phrase.text,
                    score=0.85,
                    kind=phrase.kind,
                    basis=Basis(
                        f"a {phrase.kind.replace('-', ' ')} phrase in a sentence about one person",
                        0.85,
                    ),
                )

    def _applicable(
        self, context: _Context, start: int, matched: str, words: tuple[str, ...]
    ) -> Phrase | None:
        """The longest phrase within the match that applies here."""
        for length in range(len(words), 0, -1):
            phrase = self.phrases.get(words[:length])
            if phrase is None:
                continue
            end = start + _prefix_length(matched, length)
            if context.allows(phrase, start, end):
                return phrase
        return None


_END = ""
"""Marks the end of a phrase in a word trie."""

_ONE_PASS = 2_000_000
"""Groups times characters above which the first words are found in one pass and each
group tried only where its first word is: each group's own search of the whole text
made a 1 MB message cost 16 times a 100 KB one (hundreds of groups present)."""


def _first_word_starts(lower: str, groups: list[tuple[str, _Group]]) -> dict[str, list[int]]:
    """Where each group's first word begins in `lower`, found in one pass over its words
    (one alternation of hundreds of words was slower than this loop)."""
    firsts = {first for first, _ in groups}
    starts: dict[str, list[int]] = {}
    for m in _WORD.finditer(lower):
        word = m.group()
        if word in firsts:
            starts.setdefault(word, []).append(m.start())
    return starts


_COMMON = frozenset(
    _words(
        """
        a an the and or but of to in on at by for from with into onto as is am are was
        were be been being has have had do does doesn did didn not no one two three new
        same use uses used take takes taken taking took come came comes want wants wanted
        better end sent send looks looked look left add get gets got goes go went make
        made said says say her his him he she they them their its it this that my me i
        your our us we who all any some out up down off over after before day days time
        again only also just very more most less back well way like can could will would
        should may might must shall s t ll ve re d m 1 2 3
        """
    )
)
"""Words in nearly every message: never a phrase's anchor when it has another word."""


def _anchor(words: tuple[str, ...]) -> str:
    """The word of a phrase least likely to be in a message: its longest uncommon one."""
    lower = [w.lower() for w in words]
    rare = [w for w in lower if w not in _COMMON]
    return max(rare or lower, key=len)


@lru_cache(maxsize=4096)
def _compiled(pattern: str) -> re.Pattern[str]:
    """Detectors built with the same vocabulary in one process share compiled patterns."""
    return re.compile(pattern)


def _prefix_length(matched: str, words: int) -> int:
    """Characters of `matched` up to the end of its first `words` words."""
    return [m.end() for m in _WORD.finditer(matched)][words - 1]


def _longest_first(matches: list[Match]) -> list[Match]:
    """Overlapping phrases ("looked after child looked after"): the longer one wins."""
    kept: list[Match] = []
    for match in sorted(matches, key=lambda m: (m.start, -(m.end - m.start))):
        if kept and match.start < kept[-1].end:
            if match.end - match.start > kept[-1].end - kept[-1].start:
                kept[-1] = match
            continue
        kept.append(match)
    return kept
