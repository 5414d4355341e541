"""Names that are also everyday English words: "Will", "May", "Grace", "Brown", "Long".

A pupil called Will Brown must not make "we will brown the onions" a finding, so the
matchers only accept such a name when it is written as a name. The list ships in
`detectors/data/common_word_names.txt`; its header says how it was derived from the ONS
name frequencies and an English word list. Schools add their own through the detector's
`common_words` setting.
"""

from __future__ import annotations

from functools import lru_cache
from importlib import resources

LIST_FILE = "common_word_names.txt"


def parse_word_list(text: str) -> frozenset[str]:
    """One word per line; blank lines and lines starting with # are ignored."""
    words = (line.strip().lower() for line in text.splitlines())
    return frozenset(word for word in words if word and not word.startswith("#"))


@lru_cache(maxsize=1)
def shipped_common_words() -> frozenset[str]:
    """The shipped list (read once per process)."""
    data = (resources.files("detectors") / "data" / LIST_FILE).read_text(encoding="utf-8")
    return parse_word_list(data)
