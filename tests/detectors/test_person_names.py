"""Does a mailbox name belong to a member of staff?"""

from __future__ import annotations

import pytest

from detectors.person_names import NameMatch, display_name_is_someone_else, match_local_part

FULL, INITIAL = NameMatch.FULL, NameMatch.INITIAL


@pytest.mark.parametrize(
    ("local", "forename", "surname", "expected"),
    [
        ("janesmith82", "Jane", "Smith", FULL),  # names run together, digits ignored
        ("jane.smith", "Jane", "Smith", FULL),  # separators ignored
        ("smith_jane", "Jane", "Smith", FULL),  # surname first
        ("jane.a.smith", "Jane", "Smith", FULL),  # a middle initial
        ("JaneSmith+school", "Jane", "Smith", FULL),  # case and a +tag ignored
        ("j.smith", "Jane", "Smith", INITIAL),  # initial and surname
        ("smithj", "Jane", "Smith", INITIAL),  # surname and initial
        ("mrs.smith", "Jane", "Smith", INITIAL),  # title and surname
        ("mrsjsmith", "Jane", "Smith", INITIAL),  # title, initial and surname
        ("zoe.smithjones", "Zoë", "Smith-Jones", FULL),  # accent and double-barrelled surname
        ("zoejones", "Zoë", "Smith-Jones", FULL),  # one half of a double-barrelled surname
        ("siobhan.oneill", "Siobhán", "O'Neill", FULL),  # apostrophe in the surname
        ("mark.smith1975", "Jane", "Smith", None),  # a parent with the same surname
        ("jo.smith", "Jane", "Smith", None),  # a different short forename
        ("jane1985", "Jane", "Smith", None),  # forename alone
        ("smith", "Jane", "Smith", None),  # surname alone
        ("janesmithers", "Jane", "Smith", None),  # a longer surname
        ("office", "", "", None),  # no name to match
    ],
)
def test_match_local_part(local: str, forename: str, surname: str, expected: NameMatch | None):
    assert match_local_part(local, forename, surname) == expected


@pytest.mark.parametrize(
    ("display", "someone_else"),
    [
        ("", False),  # no display name: cannot tell
        ("Jane Smith", False),  # her own name
        ("Smith, Jane", False),  # her name, surname first
        ("J Smith", False),  # her initial
        ("Jane (home)", False),  # her forename and a word
        ("Me", False),  # "me"
        ("Mrs Smith", False),  # a title and her surname
        ("Mark Smith", True),  # a parent with her surname
        ("John Smith", True),  # same initial, different forename
        ("Westbrook PTA", True),  # not her at all
    ],
)
def test_display_name_is_someone_else(display: str, someone_else: bool):
    assert display_name_is_someone_else(display, "Jane", "Smith") is someone_else
