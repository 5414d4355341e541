"""Does a mailbox name belong to a member of staff?"""

from __future__ import annotations

import pytest

from detectors.nicknames import ShortForms, read_pairs
from detectors.person_names import (
    NameMatch,
    PersonName,
    display_name_is_someone_else,
    match_local_part,
)
from detectors.sender_names import display_name_parts, mailbox_name_parts

FULL, INITIAL = NameMatch.FULL, NameMatch.INITIAL
SHORT, FORENAME_INITIAL = NameMatch.SHORT_FORM, NameMatch.FORENAME_INITIAL


@pytest.fixture(scope="module")
def short_forms() -> ShortForms:
    return ShortForms.load()


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


@pytest.mark.parametrize(
    ("local", "forename", "surname", "expected"),
    [
        # --- suffix and prefix words (issue 10: missed "local parts with a suffix word")
        ("sarah.okafor.home", "Sarah", "Okafor", FULL),  # .home
        ("sarahokafor.work", "Sarah", "Okafor", FULL),  # .work
        ("sarah.okafor.teacher", "Sarah", "Okafor", FULL),  # .teacher
        ("s.okafor.school", "Sarah", "Okafor", INITIAL),  # .school after an initial
        ("okafor.s.private", "Sarah", "Okafor", INITIAL),  # surname, initial and .private
        ("sarah_okafor_personal", "Sarah", "Okafor", FULL),  # underscores and "personal"
        ("sokafordocs", "Sarah", "Okafor", INITIAL),  # run together with "docs"
        ("sarahokaforme", "Sarah", "Okafor", FULL),  # "me" at the end
        ("me.sarah.okafor", "Sarah", "Okafor", FULL),  # "me" in front
        ("miss.okafor.school", "Sarah", "Okafor", INITIAL),  # title, surname, word
        ("sarah.okafor.art", "Sarah", "Okafor", FULL),  # any separate word after a full name
        ("sarah.okafor.family", "Sarah", "Okafor", None),  # ... except a family word
        ("s.okafor.london", "Sarah", "Okafor", INITIAL),  # any separate word after a surname
        ("sokaforlondon", "Sarah", "Okafor", None),  # ... but run together only listed words
        ("sarah.jane.okafor", "Sarah", "Okafor", FULL),  # a middle name
        ("sarah.hughes.okafor", "Sarah", "Okafor", FULL),  # a maiden name in the middle
        ("sarah.and.okafor", "Sarah", "Okafor", None),  # a family word in the middle
        ("sarah.okafor.x", "Sarah", "Okafor", FULL),  # a single letter after the name
        ("lucydavishart", "Lucy", "Hart-Davis", FULL),  # a double-barrelled name reversed
        ("jane.hansen", "Jane", "Han", None),  # a short surname and a word: another name
        ("okafors", "Sarah", "Okafor", None),  # "the Okafors", not surname and initial S
        ("okafor.s", "Sarah", "Okafor", INITIAL),  # ... which needs a separator
        ("pieter.vanderberg", "Pieter", "van der Berg", FULL),  # a surname with particles
        ("pieter.van", "Pieter", "van der Berg", FORENAME_INITIAL),  # the particle alone
        ("mohammed.hassan", "Mohammed", "Al-Hassan", FULL),  # without its particle
        ("mohammed.al", "Mohammed", "Al Hassan", FORENAME_INITIAL),  # "al" is not a surname
        # --- short forms: each example named in the issue, from the package or our list
        ("dan.hughes", "Daniel", "Hughes", SHORT),  # Dan (package)
        ("beth.price", "Elizabeth", "Price", SHORT),  # Beth (UK list: package drops it)
        ("fi.campbell", "Fiona", "Campbell", SHORT),  # Fi (UK list)
        ("lou.bennett", "Louise", "Bennett", SHORT),  # Lou (package)
        ("tom.reid", "Thomas", "Reid", SHORT),  # Tom (package)
        ("kasia.nowak", "Katarzyna", "Nowak", SHORT),  # Kasia (Polish, UK list)
        ("toyin.adeyemi", "Oluwatoyin", "Adeyemi", SHORT),  # Toyin (Yoruba, UK list)
        ("gosia.wisniewska", "Małgorzata", "Wiśniewska", SHORT),  # ł and ś folded
        ("mo_rahman1", "Mohammed", "Rahman", SHORT),  # a two-letter short form
        ("reid.tommy", "Thomas", "Reid", SHORT),  # surname first
        ("daniel.hughes", "Dan", "Hughes", SHORT),  # the sender uses the short form
        ("tom.reid.home", "Thomas", "Reid", SHORT),  # a short form and a suffix word
        # --- forename and surname initial; initial and surname
        ("sarah.o", "Sarah", "Okafor", FORENAME_INITIAL),  # forename and initial
        ("sarahok", "Sarah", "Okafor", FORENAME_INITIAL),  # forename and two letters
        ("tom.r", "Thomas", "Reid", FORENAME_INITIAL),  # a short form and initial
        ("s.okafor", "Sarah", "Okafor", INITIAL),  # initial plus surname
        # --- look-alikes that must pass
        ("mark.okafor", "Sarah", "Okafor", None),  # a parent or partner with her surname
        ("the.okafors", "Sarah", "Okafor", None),  # a family mailbox
        ("okafor.family", "Sarah", "Okafor", None),  # another family mailbox
        ("sarah.owusu", "Sarah", "Okafor", None),  # another Sarah
        ("sarah.okaforth", "Sarah", "Okafor", None),  # a surname containing hers
        ("jane.hallam", "Jane", "Hall", None),  # a longer surname
        ("louis.bennett", "Louise", "Bennett", None),  # Louis is not a short form of Louise
        ("danielle.hughes", "Daniel", "Hughes", None),  # nor Danielle of Daniel
        ("paula.fisher", "Paul", "Fisher", None),  # nor Paula of Paul (no middle initial)
        ("jack.carter", "John", "Carter", None),  # Jack is a name of its own
        ("erin.webb", "Aaron", "Webb", None),  # the package links Aaron/Erin: filtered out
        ("ali", "Amy", "Li", None),  # initial and a two-letter surname: too common
        ("sarah", "Sarah", "Okafor", None),  # the forename alone
        ("so", "Sarah", "Okafor", None),  # two initials
    ],
)
def test_mailbox_shapes_with_short_forms(
    short_forms: ShortForms, local: str, forename: str, surname: str, expected: NameMatch | None
):
    assert match_local_part(local, forename, surname, short_forms) == expected


@pytest.mark.parametrize(
    ("display", "someone_else"),
    [
        ("Beth Smith", False),  # her short form (Elizabeth)
        ("Liz (home)", False),  # a short form and a note
        ("Smith, Elizabeth", False),  # surname first
        ("Mark Smith (Dad)", True),  # a relative, with a note
        ("Elizabeth Owen", True),  # her forename, another surname
        ("The Smiths", True),  # a family
        ("Mum", True),  # a relative
    ],
)
def test_display_name_with_short_forms(short_forms: ShortForms, display: str, someone_else: bool):
    assert display_name_is_someone_else(display, "Elizabeth", "Smith", short_forms) is someone_else


@pytest.mark.parametrize(
    ("display", "is_self"),
    [
        ("Elizabeth Smith", True),  # her name
        ("Beth Smith (personal)", True),  # short form and a note
        ("Mrs Smith, Beth", True),  # title, surname first
        ("Elizabeth", False),  # forename alone: not enough
        ("Mark Smith", False),  # a relative
        ("Elizabeth Smith-Owen", False),  # a longer surname
    ],
)
def test_display_name_is_self(short_forms: ShortForms, display: str, is_self: bool):
    assert PersonName.of("Elizabeth", "Smith", short_forms).display_is_self(display) is is_self


@pytest.mark.parametrize(
    ("display", "parts"),
    [
        ("Jane Smith", ("Jane", "Smith")),  # plain
        ("Mrs Jane Smith (Year 4)", ("Jane", "Smith")),  # title and a note
        ("Smith, Jane", ("Jane", "Smith")),  # surname first
        ("Jonathan Price-Evans", ("Jonathan", "Price-Evans")),  # a double-barrelled surname
        ("Samuel O'Connor | Westbrook", ("Samuel", "O'Connor")),  # apostrophe, trailing note
        ("Mary Ann Lee", ("Mary Ann", "Lee")),  # two forenames
        ("OKAFOR Sarah", ("Sarah", "OKAFOR")),  # surname first, in capitals
        ("Sarah Okafor she/her", ("Sarah", "Okafor")),  # pronouns dropped
        ("Pieter van der Berg", ("Pieter", "van der Berg")),  # particles join the surname
        ("Mrs Smith", None),  # no forename
        ("Office", None),  # not a person
    ],
)
def test_display_name_parts(display: str, parts: tuple[str, str] | None):
    assert display_name_parts(display) == parts


@pytest.mark.parametrize(
    ("display", "local", "parts"),
    [
        ("Sarah Okafor Westbrook Primary", "s.okafor", ("Sarah", "Okafor")),  # school after
        ("Sarah Jane Okafor Y4", "sarah.okafor", ("Sarah Jane", "Okafor")),  # middle name kept
        ("Mary Ann Lee", "mlee", ("Mary Ann", "Lee")),  # the last word is the surname already
    ],
)
def test_display_name_parts_with_school_mailbox(display: str, local: str, parts: tuple[str, str]):
    assert display_name_parts(display, local) == parts


@pytest.mark.parametrize(
    ("local", "display", "parts"),
    [
        ("jane.smith", "", ("jane", "smith")),  # forename.surname
        ("j.smith", "", ("j", "smith")),  # an initial only
        ("jsmith", "Jane", ("jane", "smith")),  # the display gives the forename
        ("jsmith", "Mrs Smith", ("j", "smith")),  # the display gives the surname
        ("reception", "Reception", None),  # a role mailbox
        ("office", "", None),  # nothing to go on
    ],
)
def test_mailbox_name_parts(local: str, display: str, parts: tuple[str, str] | None):
    assert mailbox_name_parts(local, display) == parts


@pytest.mark.parametrize(
    ("name", "related", "unrelated"),
    [
        ("daniel", {"dan", "danny"}, {"danielle"}),  # package pairs, not the gender pair
        ("louise", {"lou"}, {"louis", "eliza", "lois"}),  # filtered package noise
        ("john", set(), {"ian", "jack"}),  # different names, dropped
        ("katarzyna", {"kasia"}, set()),  # from the UK list
        ("toyin", {"oluwatoyin"}, set()),  # both ways
        ("malgorzata", {"gosia"}, set()),  # written with ł in the list
    ],
)
def test_short_forms(short_forms: ShortForms, name: str, related: set[str], unrelated: set[str]):
    forms = short_forms(name)
    assert related <= forms
    assert not unrelated & forms


def test_short_form_list_lines():
    pairs = list(read_pairs(["# comment", "", "Katarzyna: Kasia, Kaśka  # Polish"]))
    assert pairs == [("Katarzyna", "Kasia"), ("Katarzyna", "Kaśka")]
    with pytest.raises(ValueError, match="line 1"):
        list(read_pairs(["no colon here"]))
