"""The learned sentence model of special category data (detectors/special_category_model.py)."""

from __future__ import annotations

import importlib.util
import json

from detectors.special_category import PhraseMatcher, default_vocabulary
from detectors.special_category_model import (
    FORMAT,
    SentenceModel,
    default_model,
    features,
    words_of,
)
from tests.support import REPO

TRAIN_SCRIPT = REPO / "scripts" / "train_special_category_model.py"


def test_the_scorer_sums_the_weights_of_the_features_it_was_trained_on() -> None:
    model = default_model()
    words = words_of("She has been seeing the paediatrician about her seizures")
    weights = json.loads((REPO / "detectors" / "data" / "special_category_model.json").read_text())
    expected = weights["intercept"] + sum(weights["weights"].get(f, 0.0) for f in features(words))
    assert abs(model.logit(words) - expected) < 1e-9


def test_a_model_candidate_is_judged_about_a_person_not_a_topic() -> None:
    data = {
        "format": FORMAT,
        "intercept": -2.0,
        "threshold": 0.5,
        "weights": {"w seizures": 4.0, "w lesson": -1.0},
        "triggers": {"seizures": "health"},
    }
    matcher = PhraseMatcher({}, frozenset(), learned=SentenceModel(data))
    found = matcher.find("Kacper had two seizures at lunch, mum is on her way.")
    assert [(m.kind, m.evidence) for m in found] == [("health", "seizures")]
    assert matcher.find("In this lesson pupils will learn what happens during seizures.") == []
    assert PhraseMatcher({}, frozenset(), learned=False).find("Kacper had two seizures.") == []


def test_an_ignored_one_word_phrase_starts_no_candidate() -> None:
    data = {
        "format": FORMAT,
        "intercept": -2.0,
        "threshold": 0.5,
        "weights": {"w seizures": 4.0},
        "triggers": {"seizures": "health"},
    }
    matcher = PhraseMatcher({}, frozenset({"seizures"}), learned=SentenceModel(data))
    assert matcher.find("Kacper had two seizures at lunch.") == []


def test_the_shipped_model_is_trained_on_the_current_data() -> None:
    """A stale model (training data or script changed since) fails here: retrain it."""
    spec = importlib.util.spec_from_file_location("train_special_category_model", TRAIN_SCRIPT)
    assert spec is not None and spec.loader is not None
    script = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(script)
    assert default_model().fingerprint == script.fingerprint(), (
        "stale model: run .venv/bin/python scripts/train_special_category_model.py"
    )


def test_the_model_comes_with_the_shipped_vocabulary_only() -> None:
    assert PhraseMatcher(default_vocabulary(), frozenset())._model is default_model()
    assert PhraseMatcher({"health": ["~asthma"]}, frozenset())._model is None
