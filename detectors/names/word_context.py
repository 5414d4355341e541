"""Is a word-name full name a pupil, or a place, a thing or a plain clause?

A pupil called Summer Field or Hope Church shares her name with a playing field and a
church. Written as a name ("Summer Field was late") it is the pupil; followed by what
the place is ("Summer Field playing fields", "Hope Church hall", "Hope Church Road"),
after "St", or as the place something is at ("the playing field at Summer Field"), it
is the place. Only names whose surname is an everyday word are judged here ("Daisy
Field", "Hope Church"): nobody mistakes "Amelia Jones" for a road.

"that" before a name is a determiner in "that Hope Church fete" but a conjunction in
"logging that Hope Church was late": a reporting word before it or a verb after the
name says which. The word lists are grammar (auxiliaries, reporting verbs, the nouns of
places), not names, so they hold for any roster.
"""

from __future__ import annotations

from detectors.names.folding import Tokens
from detectors.names.phrases import Phrase

PLACE_NOUNS = frozenset(
    (
        "academy", "allotment", "allotments", "avenue", "barn", "baths", "bridge", "building",
        "cafe", "car", "cemetery", "centre", "center", "chapel", "church", "churchyard",
        "cinema", "clinic", "club", "college", "common", "community", "cottage", "cottages",
        "crescent", "drive", "estate", "farm", "field", "fields", "garden", "gardens",
        "ground", "grounds", "hall", "halls", "hospital", "hotel", "house", "infants",
        "junior", "juniors", "lane", "leisure", "library", "manor", "meadow", "meadows",
        "medical", "museum", "nursery", "park", "parish", "pavilion", "pitch", "pitches",
        "playground", "playing", "pool", "primary", "pub", "rec", "recreation", "road",
        "school", "sports", "station", "street", "surgery", "theatre", "vicarage", "village",
        "ward", "wood", "woods",
    )
)  # fmt: skip
"""After the name, in any case, these say what the place is: "Hope Church hall"."""

CAPITALISED_PLACE_NOUNS = frozenset(
    (
        "close", "court", "cross", "green", "grove", "heath", "hill", "mews", "parade", "place",
        "rise", "row", "square", "terrace", "view", "walk", "way",
    )
)  # fmt: skip
"""Street-name words that are also ordinary words: a place only when capitalised
("Summer Field Close", not "Summer Field close to tears")."""

SAINTS = frozenset(("st", "saint", "ste"))
PLACE_PREPOSITIONS = frozenset(
    (
        "at", "in", "into", "on", "along", "off", "near", "opposite", "behind", "outside",
        "inside", "around", "across", "beside", "past", "towards", "via", "within",
    )
)  # fmt: skip
"""Before a name whose surname is a place noun, these make it the place ("at Summer Field")."""

PLACE_SURNAMES = frozenset(
    (
        "bank", "bridge", "brook", "castle", "church", "cliff", "cross", "dale", "farm",
        "field", "fields", "ford", "garden", "gardens", "green", "grove", "hall", "heath",
        "hill", "house", "lake", "lane", "marsh", "mead", "meadow", "meadows", "mill", "mills",
        "moor", "park", "pool", "street", "tower", "vale", "wells", "wood", "woods",
    )
)  # fmt: skip
"""Surnames that are themselves the word for a place, so "at Summer Field" is the field."""

REPORTING_WORDS = frozenset(
    (
        "said", "say", "says", "saying", "told", "tell", "tells", "note", "noted", "noting",
        "log", "logged", "logging", "record", "recorded", "recording", "report", "reported",
        "reporting", "confirm", "confirmed", "confirming", "mention", "mentioned", "explain",
        "explained", "think", "thought", "believe", "believed", "know", "knew", "feel", "felt",
        "hope", "hoped", "hear", "heard", "see", "saw", "seen", "notice", "noticed", "realise",
        "realised", "realize", "realized", "worried", "concerned", "aware", "sure", "glad",
        "pleased", "sorry", "afraid", "clear", "seems", "seemed", "appears", "appeared",
        "ensure", "ensured", "check", "checked", "agree", "agreed", "understand", "understood",
        "suggest", "suggested", "remember", "remembered", "means", "meant", "so", "now",
        "such", "given", "except", "assume", "suspect", "suspected", "show", "showed",
        "shown", "found", "find", "learned", "learnt", "discovered", "decided", "asked",
        "request", "requested", "insist", "insisted", "claimed", "claims", "alleged",
        "disclosed", "shared", "informed", "advised", "warned", "promised", "admitted",
        "denied", "stated", "states", "wrote", "written", "email", "emailed", "phoned",
        "called", "rang", "texted", "news", "fact", "sign", "evidence", "concern", "worry",
    )
)  # fmt: skip
"""Words after which "that" starts a clause: "noted that", "the fact that"."""

FINITE_VERBS = frozenset(
    (
        "was", "is", "has", "had", "have", "will", "would", "could", "can", "did", "does",
        "do", "must", "should", "shall", "might", "may", "isn", "wasn", "hasn", "hadn",
        "didn", "doesn", "won", "wouldn", "couldn", "shouldn", "cannot", "needs", "needed",
        "seems", "seemed", "went", "came", "got", "left", "took", "told", "said",
        "felt", "made", "ran", "hit", "fell", "forgot", "lost", "brought", "kept", "wants",
        "wanted", "likes", "liked", "loves", "loved", "says", "knows", "knew", "thinks",
        "thought", "gets", "goes", "takes", "makes", "arrives", "leaves", "also", "never",
        "always", "often", "still", "already", "just", "really", "again", "then",
    )
)  # fmt: skip
"""After the name these make it the subject of a clause ("that Hope Church was late")."""


def is_place(tokens: Tokens, start: int, end: int, surname: Phrase) -> bool:
    """Words start..end-1 (a word-name full name) name a place or thing, not a pupil."""
    words = tokens.words
    if start > 0 and words[start - 1] in SAINTS and tokens.gap_before(start).strip(" .") == "":
        return True  # "St Hope Church"
    if end < len(words) and _same_line(tokens.gap_before(end)):
        following = words[end]
        if following in PLACE_NOUNS:
            return True  # "Hope Church hall", "Summer Field playing fields"
        if following in CAPITALISED_PLACE_NOUNS and tokens.original(end)[:1].isupper():
            return True  # "Summer Field Close"
    if start > 0 and words[start - 1] in PLACE_PREPOSITIONS:
        possessive = end < len(words) and words[end] == "s" and tokens.gap_before(end) == "'"
        return surname[-1] in PLACE_SURNAMES and not possessive  # "in Summer Field's group"
    return False


def that_starts_a_clause(tokens: Tokens, start: int, end: int) -> bool:
    """ "that" at start-1 is a conjunction: "noted that Hope Church", "that Hope Church was"."""
    words = tokens.words
    if start >= 2 and words[start - 2] in REPORTING_WORDS:
        return True
    if end < len(words) and _same_line(tokens.gap_before(end)):
        following = words[end]
        return following in FINITE_VERBS or (len(following) > 4 and following.endswith("ed"))
    return False


def _same_line(gap: str) -> bool:
    """Only spaces between the words (no punctuation, no line break)."""
    return gap.strip(" \t\u00a0") == ""
