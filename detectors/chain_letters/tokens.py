"""Words for the chain-letter model: what one regular expression (`TOKEN`) defines.

spaCy's tokenizer cost 15 ms per 10 KB; a chain letter needs only words, "!" runs and
emoji. Python's \\w splits Bengali and Gurmukhi words at their vowel signs, so a word
here is any run of characters that are not space, punctuation or symbols; hyphens
and apostrophes after its first character stay ("e-mail", "don't").

`TOKEN.findall` defines the tokens, but costs about 0.6 ms per 10 KB (the regex engine
steps through every character in Python's sre). `tokens` finds the same list with C-level
string passes: ASCII separators become spaces (bytes.translate), "!" runs and leading
quotes or hyphens are fixed up only where they occur, `split` does the rest, and only the
few words that hold non-ASCII characters go through `TOKEN` (a test compares the two on
real mail and on generated text).
"""

from __future__ import annotations

import re
import unicodedata
from itertools import compress
from operator import not_

_INNER_SEP = (
    "\\s\x00-\x08\x0e-\x1b\x7f!-&(-,./:-@\\[-`{-~\u00a0-\u00bf\u2000-\u206f\u2190-\u2bff"
    "\u3000-\u303f\u0964\u0965\u060c\u061b\u061f\u06d4\ufe0f\U0001f000-\U0001faff"
)
"""Characters that end a word: space, punctuation and symbols, but not ' and -."""
_EMOJI = "\u2600-\u27bf\U0001f000-\U0001faff"
TOKEN = re.compile(rf"[^{_INNER_SEP}'\-][^{_INNER_SEP}]*+|!++|[{_EMOJI}]")
"""A word starts with a letter or digit and may hold (or end with) ' and -."""
ASCII_TOKEN = re.compile(r"[0-9a-z][0-9a-z'\-]*+|!++")
"""The same tokens for ASCII text (most mail), found a little faster."""


def prepare(text: str) -> str:
    """The text as tokens are read from it: NFC, typographic apostrophes made plain."""
    if text.isascii():
        return text
    return unicodedata.normalize("NFC", text.replace("\u2019", "'"))


def _pattern(text: str) -> re.Pattern[str]:
    return ASCII_TOKEN if text.isascii() else TOKEN


_KEPT = frozenset(b"0123456789abcdefghijklmnopqrstuvwxyz'-!")
_ASCII_TO_SPACE = bytes(c if c in _KEPT or c >= 0x80 else 0x20 for c in range(256))
"""Every ASCII byte that ends a word becomes a space; UTF-8 bytes of other characters
stay (the words holding them are tokenized by `TOKEN`)."""
_UNICODE_SPACES = "\x85\xa0\u1680\u2028\u2029\u202f\u205f\u3000" + "".join(
    map(chr, range(0x2000, 0x200B))
)
"""The non-ASCII characters `str.split` splits on: made spaces first (one C-level search
each, far cheaper on the text than on its UTF-8), so a word they end or start is seen
("\xa0-" holds no word)."""
_MARKS = b"'-"
_EXCLAIMS = re.compile(rb"!+")


def _blank_leading_marks(spaced: bytearray) -> None:
    """Blank the apostrophes and hyphens that start a word ("--", "'quoted"): each run
    is found with a C-level search and blanked once, so the cost stays linear."""
    for start in (b" '", b" -"):
        at = spaced.find(start)
        while at >= 0:
            at += 1
            while at < len(spaced) and spaced[at] in _MARKS:
                spaced[at] = 0x20
                at += 1
            at = spaced.find(start, at)


def _spaced_exclaims(spaced: bytearray) -> bytearray:
    """Each "!" run made a word of its own. Every "!" is spaced, then the "!" that were
    adjacent (now exactly two spaces apart: one space or more between them in the text
    makes three or more) are joined again, each pass halving a run's gaps; a text with
    longer runs (rare, or hostile) takes one regular-expression pass instead."""
    if b"!!!!" in spaced:
        return bytearray(_EXCLAIMS.sub(rb" \g<0> ", spaced))
    spaced = spaced.replace(b"!", b" ! ")
    while b"!  !" in spaced:
        spaced = spaced.replace(b"!  !", b"!!")
    return spaced


def tokens(text: str) -> list[str]:
    """The lower-cased tokens of `text` (already `prepare`d): `TOKEN.findall`, faster."""
    lower = text.lower()
    ascii_only = lower.isascii()
    spaced_text = lower
    if not ascii_only:
        for space in _UNICODE_SPACES:
            if space in spaced_text:
                spaced_text = spaced_text.replace(space, " ")
    spaced = bytearray(b" ")
    spaced += spaced_text.encode("utf-8", "surrogatepass").translate(_ASCII_TO_SPACE)
    if b"!" in spaced:
        spaced = _spaced_exclaims(spaced)
    _blank_leading_marks(spaced)
    words = spaced.decode("utf-8", "surrogatepass").split()
    if ascii_only:
        return words
    out: list[str] = []
    done = 0
    for i in compress(range(len(words)), map(not_, map(str.isascii, words))):
        out.extend(words[done:i])
        out.extend(TOKEN.findall(words[i]))
        done = i + 1
    out.extend(words[done:])
    return out


def token_offsets(text: str) -> list[tuple[int, int]]:
    """Character offsets of each token of `tokens(text)`, for highlighting a cue."""
    lower = text.lower()
    return [m.span() for m in _pattern(lower).finditer(lower)]
