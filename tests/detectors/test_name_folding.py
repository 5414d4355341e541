"""Folding and the common-word list: the pieces the pupil_name matchers stand on.

Folding must keep every character's offset (findings' spans point into the original
text), and the shipped list of names that are also words must hold the words issue 3
names while leaving out plain surnames, so "amelia smith" in lower case is still found.
"""

from __future__ import annotations

import csv

import pytest
from hypothesis import given
from hypothesis import strategies as st

from detectors.names.common_words import parse_word_list, shipped_common_words
from detectors.names.folding import Tokens, fold, name_words
from tests.support import corpus

FOLDS = [
    # accents either way fold to the same letters
    pytest.param("Zoë", "zoe", id="diaeresis"),
    pytest.param("CHLOÉ", "chloe", id="acute-capital"),
    pytest.param("Øyvind Łukasz", "oyvind lukasz", id="letters-without-decomposition"),
    # curly and modifier apostrophes become one apostrophe
    pytest.param("O’Neill Dʼsouza", "o'neill d'souza", id="apostrophes"),
    # non-breaking hyphen
    pytest.param("Smith\u2011Jones", "smith-jones", id="hyphen"),
    # a capital that lowers to two characters keeps its place
    pytest.param("İpek", "ipek", id="dotted-capital-i"),
]


@pytest.mark.parametrize(("text", "folded"), FOLDS)
def test_fold(text: str, folded: str):
    assert fold(text) == folded
    assert len(fold(text)) == len(text)


NAME_WORDS = [
    # the words a roster name is compared as
    pytest.param("O'Neill", ("o", "neill"), id="apostrophe"),
    pytest.param("Smith-Jones", ("smith", "jones"), id="hyphen"),
    pytest.param("  Mary   Jane ", ("mary", "jane"), id="spaces"),
    pytest.param("Chloe\u0301", ("chloe",), id="combining-accent"),
    pytest.param("Renée", ("renee",), id="precomposed-accent"),
    pytest.param("Rene\u0301e", ("renee",), id="combining-accent-inside"),
]


@pytest.mark.parametrize(("name", "words"), NAME_WORDS)
def test_name_words(name: str, words: tuple[str, ...]):
    assert name_words(name) == words


@given(st.text(max_size=200))
def test_every_word_points_back_at_its_original_text(text: str):
    tokens = Tokens.of(text)
    folded = fold(text)
    assert len(folded) == len(text)
    for index, word in enumerate(tokens.words):
        start, end = tokens.char_span(index, index + 1)
        assert "".join(ch for ch in folded[start:end] if not 0x300 <= ord(ch) <= 0x36F) == word
        assert tokens.original(index) == text[start:end]


COMMON = [
    # the names issue 3 lists as everyday words
    *(pytest.param(w, True, id=w) for w in ("grace", "hope", "will", "summer", "rose", "bill")),
    *(pytest.param(w, True, id=w) for w in ("mark", "frank", "brown", "green", "church")),
    *(pytest.param(w, True, id=w) for w in ("may", "long", "bell")),
    # names whose word sense is rare next to their use as names
    *(pytest.param(w, False, id=w) for w in ("smith", "jones", "taylor", "harry", "lily")),
    # names that are no English word at all
    *(pytest.param(w, False, id=w) for w in ("amelia", "oliver", "siobhan", "kaminski")),
]


@pytest.mark.parametrize(("word", "common"), COMMON)
def test_the_shipped_common_word_list(word: str, common: bool):
    assert (word in shipped_common_words()) is common


def test_every_common_word_is_a_uk_forename_or_surname():
    """The list was derived from the ONS name lists: each entry is someone's name."""
    names: set[str] = set()
    with corpus("names", "ons_ew_babynames_2006_2021_aggregate.csv").open(encoding="utf-8") as f:
        names |= {row["name"].lower() for row in csv.DictReader(f)}
    with corpus("names", "uk_surnames_ons_via_sdglinkage.csv").open(encoding="utf-8") as f:
        names |= {row["surname"].lower() for row in csv.DictReader(f)}
    assert sorted(shipped_common_words() - names) == []
    assert len(shipped_common_words()) > 500


def test_word_list_format():
    assert parse_word_list("# comment\nWill\n\n  may \n#x\n") == frozenset({"will", "may"})
