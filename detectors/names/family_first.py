"""Family names of cultures that write the family name first: "Wang Xiaoming".

A roster stores Xiaoming Wang as forename Xiaoming, surname Wang, and staff write
"Wang Xiaoming" as often as not. The pupil_name detector reads that order as a full name
for pupils the roster marks (a "Name Order" column) and for pupils whose surname is on
the shipped list `detectors/data/name_family_first_surnames.txt` (its header says what
it holds), unless that surname could be someone's forename or is an everyday word.
"""

from __future__ import annotations

from functools import lru_cache
from importlib import resources

from detectors.names.common_words import parse_word_list

LIST_FILE = "name_family_first_surnames.txt"


@lru_cache(maxsize=1)
def shipped_family_first_surnames() -> frozenset[str]:
    """The shipped list (read once per process)."""
    data = (resources.files("detectors") / "data" / LIST_FILE).read_text(encoding="utf-8")
    return parse_word_list(data)
