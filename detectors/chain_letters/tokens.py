"""Words for the chain-letter model, found with one regular expression.

spaCy's tokenizer cost 15 ms per 10 KB; a chain letter needs only words, "!" runs and
emoji. Python's \\w splits Bengali and Gurmukhi words at their vowel signs, so a word
here is any run of characters that are not space, punctuation or symbols; hyphens
and apostrophes after its first character stay ("e-mail", "don't").
"""

from __future__ import annotations

import re
import unicodedata

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


def tokens(text: str) -> list[str]:
    """The lower-cased tokens of `text` (already `prepare`d)."""
    lower = text.lower()
    return _pattern(lower).findall(lower)


def token_offsets(text: str) -> list[tuple[int, int]]:
    """Character offsets of each token of `tokens(text)`, for highlighting a cue."""
    lower = text.lower()
    return [m.span() for m in _pattern(lower).finditer(lower)]
