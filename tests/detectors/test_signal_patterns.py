"""The phrase-pattern syntax behind the chain-letter signals, and the shipped signal file."""

from __future__ import annotations

import pytest

from detectors.signal_patterns import (
    PatternError,
    Signal,
    SignalMatcher,
    compile_pattern,
    load_signal_file,
)

VOCAB = {"send": ["forward", "send"], "friends": ["friends", "people"]}


@pytest.mark.parametrize(
    ("pattern", "specs"),
    [
        # one word
        ("luck", [{"LOWER": "luck"}]),
        # alternatives, sorted and lower-cased
        ("Bad|ill luck", [{"LOWER": {"IN": ["bad", "ill"]}}, {"LOWER": "luck"}]),
        # an optional word
        ("this? chain", [{"LOWER": "this", "OP": "?"}, {"LOWER": "chain"}]),
        # a gap of up to three words
        ("send ~3 all", [{"LOWER": "send"}, {"OP": "{0,3}"}, {"LOWER": "all"}]),
        # a number
        ("to NUM people", [{"LOWER": "to"}, {"LIKE_NUM": True}, {"LOWER": "people"}]),
        # a vocab list, mixed with a literal word
        ("@send|pass", [{"LOWER": {"IN": ["forward", "pass", "send"]}}]),
        # an apostrophe also matches the typographic one
        ("n't", [{"LOWER": {"IN": ["n't", "n\u2019t"]}}]),
    ],
)
def test_compile_pattern(pattern: str, specs: list[dict[str, object]]):
    assert compile_pattern(pattern, VOCAB) == specs


@pytest.mark.parametrize(
    ("pattern", "problem"),
    [
        ("", "empty pattern"),  # nothing
        ("~3 luck", "cannot start or end with a gap"),  # leading gap
        ("luck ~3", "cannot start or end with a gap"),  # trailing gap
        ("send ~0 luck", "a gap is ~1 to ~20"),  # empty gap
        ("send ~x luck", "a gap is ~1 to ~20"),  # not a number
        ("@nope luck", "no vocab list named 'nope'"),  # unknown vocab
        ("bad||ill luck", "empty alternative"),  # typo
    ],
)
def test_bad_patterns_are_named(pattern: str, problem: str):
    with pytest.raises(PatternError, match=problem):
        compile_pattern(pattern, VOCAB)


@pytest.fixture(scope="module")
def matcher() -> SignalMatcher:
    signals = [
        Signal("pass_on", ("@send ~3 to all ~1 @friends",), {}),
        Signal("chain", ("break the chain", "e-mail chain"), {}),
        Signal("count", ("to NUM @friends",), {}),
        Signal("ignore", ("do n't ignore",), {}),
    ]
    return SignalMatcher(signals, VOCAB)


@pytest.mark.parametrize(
    ("text", "found"),
    [
        # plain
        (
            "Please forward this to all your friends.",
            [("pass_on", "forward this to all your friends")],
        ),
        # a line break and extra spaces inside the phrase
        (
            "FORWARD this\n\n  to ALL your\r\nfriends",
            [("pass_on", "forward this to all your friends")],
        ),
        # hyphenated words are single words
        ("an e-mail chain letter", [("chain", "e-mail chain")]),
        # a number word
        ("send it to ten people", [("count", "to ten people")]),
        # the gap is bounded: too many words in between
        ("forward this long and winding message to all your friends", []),
        # a phrase late in a long text
        ("word " * 3000 + "do not break the chain", [("chain", "break the chain")]),
        # after a long run of punctuation (blanked before tokenizing; offsets kept)
        ("=" * 5000 + ">" * 70 + "\nbreak the chain", [("chain", "break the chain")]),
        # the typographic apostrophe
        ("Don\u2019t ignore this", [("ignore", "do n\u2019t ignore")]),
        # nothing
        ("See you at the fair.", []),
    ],
)
def test_find(matcher: SignalMatcher, text: str, found: list[tuple[str, str]]):
    hits = matcher.find(text)
    assert [(h.signal, h.words) for h in hits] == found
    for hit in hits:
        # the span covers exactly the matched words
        assert "".join(text[hit.start : hit.end].lower().split()) == hit.words.replace(" ", "")


def test_overlapping_matches_of_one_signal_count_once(matcher: SignalMatcher):
    # "send this to all your friends" and "to all your friends" could both match pass_on
    # patterns; only the longest is kept
    signals = [Signal("s", ("send ~3 to all your friends", "to all your friends"), {})]
    hits = SignalMatcher(signals, VOCAB).find("send this to all your friends")
    assert [h.words for h in hits] == ["send this to all your friends"]


def test_the_shipped_chain_letter_signals_compile_and_are_described():
    vocab, signals = load_signal_file("chain_letter_signals.toml")
    SignalMatcher(signals, vocab)  # raises PatternError naming a bad pattern
    scored = [s for s in signals if "factor" not in s.info]
    assert {s.name for s in signals} - {s.name for s in scored} == {"discussion"}
    for signal in scored:
        assert 0 < float(signal.info["weight"]) < 1, signal.name
        assert signal.info["kind"] in {"luck_chain", "hoax", "money_pyramid", "mass_forward"}
        assert str(signal.info["label"]).startswith("it "), signal.name
        assert signal.patterns, signal.name
