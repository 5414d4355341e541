"""Train the special category sentence model; write detectors/data/special_category_model.json.

    .venv/bin/python scripts/train_special_category_model.py            # CV, train, write
    .venv/bin/python scripts/train_special_category_model.py --no-write # CV and report only

Training data (all written for this project, see training/special_category/README.md):
dev.jsonl, train2.jsonl ids "t", round3.jsonl's "tuned" part, and every other
training/special_category/*.jsonl whose name starts "model_"; plus sentences of
ordinary mail from ../shared/corpus/benign_more (half of it, by a hash of the file name)
as negatives. Never trained on: train2 "h", round3 "held", tests/detectors/eval, the
other half of benign_more and ../shared/corpus/benign.

Labels are per message, the model scores sentences: a negative message's sentences are
all negatives; a positive message's disclosure is its sentence the first model scores
highest (long emails bury one sentence among ordinary business, which also fills the
negatives). Names are not features (they say nothing about a category). The threshold
is reported by grouped 5-fold cross-validation of the whole matcher (phrases, then the
model's candidates judged by detectors/person_reference.py) on the tuned cases.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import re
import sys
import zlib
from functools import lru_cache
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

import numpy as np  # noqa: E402
from scipy.sparse import csr_matrix  # noqa: E402
from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS  # noqa: E402
from sklearn.linear_model import LogisticRegression  # noqa: E402

from detectors.person_reference import forenames, individual_score, sentence_at  # noqa: E402
from detectors.special_category import (  # noqa: E402
    NOT_SPECIAL,
    PhraseMatcher,
    alternatives,
    default_vocabulary,
    inflections,
)
from detectors.special_category_model import (  # noqa: E402
    FORMAT,
    MODEL_FILE,
    STEM,
    SentenceModel,
    features,
    words_of,
)
from gateway.scanning.parse import ParseSettings, parse_message  # noqa: E402
from models import Envelope  # noqa: E402

TRAINING = REPO / "training" / "special_category"
DATA = REPO / "detectors" / "data"
REGULARISATION = 1.0
"""LogisticRegression's C (tried by the cross-validation below: 0.1, 0.25, 1)."""
TRIGGER = 0.15
"""A vocabulary word (or its stem) whose own weight is at least this starts a candidate;
0.05 let generic words of long phrases in ("physical", "background")."""
LEARNED_TRIGGER = 0.6
LEARNED_LIFT = 3
"""A word the vocabulary does not list starts a candidate from this weight, if it is in
at least this many times more positive cases than negative ones (plus one)."""
ORDINARY_SHARE = 0.002
"""...unless more than this share of ordinary sentences have it"""
BUSINESS_MOST = 3
"""...or this many of the sets' repeated school-business sentences ("lunch", "meeting")."""
PERSON_GATE = False
"""Train on sentences with a cue of an individual only (--gate): tried, lower
cross-validated precision, so all sentences are used."""
BENIGN_WEIGHT = 0.6
"""A sentence of ordinary mail counts this much against one written for the task (0.3
let narrative about people in ordinary mail score high, 1.0 cost recall)."""
BENIGN_SENTENCES = 30_000
MIN_WEIGHT = 0.01
DIGITS = 4
THRESHOLD = 0.7
"""A candidate's least probability: the cross-validated recall of phrases and model
together is flat from 0.5 to 0.8 while precision rises to 0.7."""

TOPIC_KIND = {
    "send": "send",
    "criminal": "criminal",
    "exclusion": "exclusion",
    "religion": "religion",
    "union": "religion",
    "ethnicity": "ethnicity",
    "grt": "ethnicity",
    "grt_ethnicity": "ethnicity",
    "gypsy_roma_traveller": "ethnicity",
    "immigration": "ethnicity",
    "refugee": "ethnicity",
    "refugee_asylum": "ethnicity",
    "fsm": "free-school-meals",
    "fsm_pupil_premium": "free-school-meals",
    "sexuality": "sexuality",
    "sexuality_gender": "sexuality",
}
"""Data set topic -> finding kind; safeguarding topics and health ones are below."""
SAFEGUARDING = frozenset(
    """
    child_protection domestic_abuse early_help looked_after neglect safeguarding
    safeguarding_general young_carer youngcarer parent_prison prison
    """.split()  # noqa: SIM905 - a word list written as wrapped text
)


def kind_of_topic(topic: str) -> str:
    if topic in TOPIC_KIND:
        return TOPIC_KIND[topic]
    return "safeguarding" if topic in SAFEGUARDING else "health"


def corpus_root() -> Path:
    for parent in REPO.parents:
        if (parent / "shared" / "corpus").is_dir():
            return parent / "shared" / "corpus"
    raise SystemExit("../shared/corpus is missing")


def round3_part(case_id: str) -> str:
    """As tests/detectors/test_special_category_eval.py splits round3.jsonl."""
    return "tuned" if zlib.crc32(case_id.encode()) % 10 < 7 else "held"


def tuned_cases() -> list[dict[str, Any]]:
    cases: list[dict[str, Any]] = []
    for path in sorted(TRAINING.glob("*.jsonl")):
        rows = [json.loads(line) for line in path.read_text("utf-8").splitlines() if line]
        if path.name == "train2.jsonl":
            rows = [r for r in rows if str(r["id"]).startswith("t")]
        elif path.name == "round3.jsonl":
            rows = [r for r in rows if round3_part(str(r["id"])) == "tuned"]
        elif path.name != "dev.jsonl" and not path.name.startswith("model_"):
            continue
        for row in rows:
            row["group"] = (
                f"{path.stem}:{row['id'][:-1] if path.name == 'train2.jsonl' else row['id']}"
            )
        cases.extend(rows)
    return cases


def sentences(text: str, *, about_someone: bool = False) -> list[str]:
    """The text's sentences as detectors/person_reference.sentence_at finds them; with
    `about_someone`, only those with a cue of an individual (what the model is asked
    about at run time is a sentence the person judgement may pass)."""
    found: list[str] = []
    at = 0
    while at < len(text):
        while at < len(text) and not text[at].isalnum():
            at += 1
        if at >= len(text):
            break
        sentence = sentence_at(text, at, at + 1)
        if sentence.text.strip() and (not about_someone or individual_score(sentence, (0, 0)) > 0):
            found.append(sentence.text)
        at = max(at + 1, sentence.start + len(sentence.text))
    return found


def case_texts(case: dict[str, Any]) -> list[str]:
    return [str(case.get("subject") or ""), str(case["body"])]


def benign_sentences(rng: random.Random) -> list[str]:
    root = corpus_root() / "benign_more"
    envelope = Envelope("staff@school.example", ("someone@example.com",))
    found: list[str] = []
    for path in sorted(root.glob("*/*.eml")):
        if zlib.crc32(path.name.encode()) % 2:
            continue  # the other half is only measured
        message = parse_message(path.read_bytes(), envelope, ParseSettings())
        for block in message.texts:
            found.extend(
                s
                for s in sentences(block.text[:20_000], about_someone=PERSON_GATE)
                if len(words_of(s)) >= 3
            )
    rng.shuffle(found)
    return found[:BENIGN_SENTENCES]


@lru_cache(maxsize=1)
def proper_nouns() -> frozenset[str]:
    """Words the labelled sets only ever write capitalised and the vocabulary does not
    list (names: "Callum", "Okoro"), with the known forenames: not features, since a name
    says nothing about a category and the sets' names would be learned as such."""
    capitalised: set[str] = set()
    lower: set[str] = set()
    for path in sorted(TRAINING.glob("*.jsonl")):
        for line in path.read_text("utf-8").splitlines():
            if line:
                case = json.loads(line)
                for word in re.findall(r"[^\W_]+", f"{case.get('subject') or ''} {case['body']}"):
                    (capitalised if word[0].isupper() else lower).add(word.lower())
    listed = vocabulary_words()
    names = {n for n in forenames() if len(n) > 2}
    return frozenset((capitalised - lower - listed) | (names - listed))


class Vectoriser:
    def __init__(self) -> None:
        self.index: dict[str, int] = {}
        self.names = proper_nouns()

    def keep(self, feature: str) -> bool:
        """No names, and nothing of stop words alone ("he is", "his"): whether a sentence
        is about someone is the person judgement's to say; weights there made any
        sentence with "he ... his" and a topic word a candidate."""
        parts = feature[2:].split(" ")
        if feature.startswith("s "):
            return True
        return not any(p in self.names for p in parts) and not all(
            p in ENGLISH_STOP_WORDS for p in parts
        )

    def rows(self, texts: list[str], grow: bool) -> csr_matrix:
        data: list[float] = []
        cols: list[int] = []
        ptr = [0]
        for text in texts:
            for f in features(words_of(text)):
                if f not in self.index:
                    if not grow or not self.keep(f):
                        continue
                    self.index[f] = len(self.index)
                cols.append(self.index[f])
                data.append(1.0)
            ptr.append(len(cols))
        return csr_matrix((data, cols, ptr), shape=(len(texts), max(1, len(self.index))))


def fit(
    positives: list[str], negatives: list[str], benign: list[str], c: float
) -> tuple[LogisticRegression, Vectoriser]:
    vec = Vectoriser()
    texts = positives + negatives + benign
    x = vec.rows(texts, grow=True)
    y = np.array([1] * len(positives) + [0] * (len(negatives) + len(benign)))
    balance = (len(negatives) + BENIGN_WEIGHT * len(benign)) / max(1, len(positives))
    w = np.array(
        [balance] * len(positives) + [1.0] * len(negatives) + [BENIGN_WEIGHT] * len(benign)
    )
    model = LogisticRegression(C=c, max_iter=3000, solver="liblinear")
    model.fit(x, y, sample_weight=w)
    return model, vec


def instances(cases: list[dict[str, Any]]) -> tuple[list[list[str]], list[str]]:
    """Each positive case's candidate sentences, and every negative case's sentences."""
    negatives = [
        s
        for c in cases
        if not c["label"]
        for t in case_texts(c)
        for s in sentences(t, about_someone=PERSON_GATE)
    ]
    common = {" ".join(words_of(s)) for s in negatives}
    positive_sets = []
    for case in cases:
        if case["label"]:
            own = [s for t in case_texts(case) for s in sentences(t, about_someone=PERSON_GATE)]
            fresh = [s for s in own if " ".join(words_of(s)) not in common] or own
            if fresh:
                positive_sets.append(fresh)
    return positive_sets, negatives


def train(cases: list[dict[str, Any]], benign: list[str], c: float) -> dict[str, Any]:
    """The weights and trigger words learned from `cases` and ordinary sentences."""
    positive_sets, negatives = instances(cases)
    first = [s for group in positive_sets for s in group]
    model, vec = fit(first, negatives, benign, c)
    chosen = []
    for group in positive_sets:
        scores = model.decision_function(vec.rows(group, grow=False))
        chosen.append(group[int(np.argmax(scores))])
    model, vec = fit(chosen, negatives, benign, c)
    return weights_json(model, vec, cases, benign)


def weights_json(
    model: LogisticRegression, vec: Vectoriser, cases: list[dict[str, Any]], benign: list[str]
) -> dict[str, Any]:
    coef = model.coef_[0]
    weights = {
        f: round(float(coef[i]), DIGITS)
        for f, i in sorted(vec.index.items())
        if abs(coef[i]) >= MIN_WEIGHT
    }
    return {
        "format": FORMAT,
        "intercept": round(float(model.intercept_[0]), DIGITS),
        "threshold": 0.5,
        "weights": weights,
        "triggers": triggers(weights, cases, benign),
    }


PEOPLE = frozenset(
    """
    girl girls boy boys child children kid kids son sons daughter daughters mum mums mummy
    mother mothers dad dads daddy father fathers parent parents brother brothers sister
    sisters sibling siblings baby babies family families partner girlfriend boyfriend
    husband wife pupil pupils student students older younger twins lad lads man men woman
    women person people adult adults teenager teen friend friends grandma grandad nan
    """.split()  # noqa: SIM905 - a word list written as wrapped text
)
"""Words for people: the person judgement weighs them; they are no category of data."""


def vocabulary_words() -> set[str]:
    """Every word of the shipped vocabulary's phrases, in all their listed forms."""
    found: set[str] = set()
    for kind, entries in default_vocabulary().items():
        if kind == NOT_SPECIAL:
            continue
        for entry in entries:
            for form in (f for a in alternatives(entry) for f in inflections(a)):
                found.update(words_of(form.lstrip("=~^ ")))
    return found


def school_business(cases: list[dict[str, Any]]) -> dict[str, int]:
    """In how many of the sets' repeated sentences each word and stem is: a sentence in
    three or more cases is the ordinary school business the long emails are made of
    ("the department meeting is moved to Thursday"), and its words are no category's."""
    seen: dict[str, int] = {}
    for case in cases:
        for sentence in {" ".join(words_of(x)) for t in case_texts(case) for x in sentences(t)}:
            seen[sentence] = seen.get(sentence, 0) + 1
    counts: dict[str, int] = {}
    for sentence, times in seen.items():
        if times >= 3:
            for w in set(sentence.split()):
                for key in (f"w {w}", f"s {w[:STEM]}"):
                    counts[key] = counts.get(key, 0) + 1
    return counts


def triggers(
    weights: dict[str, float], cases: list[dict[str, Any]], benign: list[str]
) -> dict[str, str]:
    """Words and stems ("s diagn") that start a candidate, with the commonest kind of the
    positive cases they are in. A trigger is a word of the phrase vocabulary, or a stem of
    one (so "diagnosed" in a phrase makes "diagnosis" a trigger), that the model weighs at
    least TRIGGER, is not a stop word and is rare in ordinary mail (a common word would
    make every message pay, and the vocabulary's category words are what a disclosure
    must contain)."""
    counts: dict[str, dict[str, int]] = {}
    against: dict[str, int] = {}
    for case in cases:
        kind = kind_of_topic(str(case.get("topic", "")))
        for w in set(re.findall(r"[^\W_]+", " ".join(case_texts(case)).lower())):
            for key in (f"w {w}", f"s {w[:STEM]}"):
                if case["label"]:
                    counts.setdefault(key, {}).setdefault(kind, 0)
                    counts[key][kind] += 1
                else:
                    against[key] = against.get(key, 0) + 1
    business = school_business(cases)
    ordinary: dict[str, int] = {}
    for sentence in benign:
        for w in set(words_of(sentence)):
            for key in (f"w {w}", f"s {w[:STEM]}"):
                ordinary[key] = ordinary.get(key, 0) + 1
    most = ORDINARY_SHARE * len(benign)
    listed = {
        w
        for w in vocabulary_words()
        if w not in ENGLISH_STOP_WORDS and w not in PEOPLE and len(w) > 2
    }
    candidates = {f"w {w}" for w in listed} | {f"s {w[:STEM]}" for w in listed if len(w) > STEM}
    names = proper_nouns()
    chosen = {}
    for key in sorted(counts):
        word = key[2:]
        own = weights.get(key, 0.0)
        if key.startswith("w ") and len(word) > STEM:
            own += weights.get(f"s {word[:STEM]}", 0.0)
        listed_here = key in candidates
        if not listed_here and sum(counts[key].values()) < LEARNED_LIFT * (1 + against.get(key, 0)):
            continue  # a word of the sets' ordinary business ("attached"), not of a category
        if (
            own >= (TRIGGER if listed_here else LEARNED_TRIGGER)
            and not word.isdigit()
            and ordinary.get(key, 0) <= most
            and business.get(key, 0) < BUSINESS_MOST
            and word not in ENGLISH_STOP_WORDS
            and word not in PEOPLE
            and not (key.startswith("s ") and any(p.startswith(word) for p in PEOPLE))
            and word not in names
            and len(word) > 2
        ):
            chosen[key if key.startswith("s ") else word] = max(
                counts[key], key=counts[key].__getitem__
            )
    return chosen


def block_texts(case: dict[str, Any]) -> list[str]:
    """The case's texts as the detector sees them (the test's real parsed message)."""
    from tests.mail import build

    message = build(str(case["body"]), subject=str(case.get("subject") or "Hello"))
    return [b.text for b in message.texts]


def best(matcher: PhraseMatcher, case: dict[str, Any], *, alone: bool = False) -> float:
    """The best model candidate's probability in the case (0 if none)."""
    found = (
        m for t in case["texts"] for m in (matcher.find(t) if alone else matcher.candidates(t))
    )
    return max((m.score for m in found), default=0.0)


def cross_validate(
    cases: list[dict[str, Any]], benign: list[str], c: float
) -> tuple[list[float], list[float]]:
    """Out-of-fold scores per case: with the phrases (2.0 where a phrase matched), and of
    the model alone (the phrases were written from these cases, the model was not)."""
    vocabulary = default_vocabulary()
    rules = PhraseMatcher(vocabulary, frozenset(), learned=False)
    for case in cases:
        case["texts"] = block_texts(case)
        case["ruled"] = any(rules.find(t) for t in case["texts"])
    combined = [0.0] * len(cases)
    alone = [0.0] * len(cases)
    for fold in range(5):
        held = [i for i, k in enumerate(cases) if zlib.crc32(k["group"].encode()) % 5 == fold]
        held_set = set(held)
        data = train([k for i, k in enumerate(cases) if i not in held_set], benign, c)
        data["threshold"] = 0.0
        model = SentenceModel(data)
        matcher = PhraseMatcher(vocabulary, frozenset(), learned=model)
        only = PhraseMatcher({}, frozenset(), learned=model)
        for i in held:
            combined[i] = 2.0 if cases[i]["ruled"] else best(matcher, cases[i])
            alone[i] = best(only, cases[i], alone=True)
    return combined, alone


def figures(labels: list[bool], scores: list[float], threshold: float) -> tuple[float, float]:
    tp = sum(1 for y, s in zip(labels, scores, strict=True) if y and s >= threshold)
    fp = sum(1 for y, s in zip(labels, scores, strict=True) if not y and s >= threshold)
    fn = sum(1 for y, s in zip(labels, scores, strict=True) if y and s < threshold)
    return tp / max(1, tp + fp), tp / max(1, tp + fn)


def report_thresholds(labels: list[bool], combined: list[float], alone: list[float]) -> None:
    p, r = figures(labels, combined, 1.5)
    print(f"phrases alone (CV): P {p:.3f} R {r:.3f}")
    for t in (0.9, 0.8, THRESHOLD, 0.7, 0.6, 0.5):
        p, r = figures(labels, combined, t)
        p2, r2 = figures(labels, alone, t)
        print(
            f"  threshold {t:.2f} (CV): phrases + model P {p:.3f} R {r:.3f};"
            f" model alone P {p2:.3f} R {r2:.3f}"
        )


def fingerprint() -> str:
    digest = hashlib.sha256()
    for path in sorted(TRAINING.glob("*.jsonl")):
        digest.update(path.read_bytes())
    digest.update(Path(__file__).read_bytes())
    return digest.hexdigest()[:16]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--no-write", action="store_true")
    parser.add_argument("--c", type=float, default=REGULARISATION)
    parser.add_argument("--trigger", type=float, default=TRIGGER)
    parser.add_argument("--benign-weight", type=float, default=BENIGN_WEIGHT)
    parser.add_argument("--gate", action="store_true")
    parser.add_argument("--learned-trigger", type=float, default=LEARNED_TRIGGER)
    args = parser.parse_args()
    globals()["TRIGGER"] = args.trigger  # trial values for the cross-validation
    globals()["BENIGN_WEIGHT"] = args.benign_weight
    globals()["PERSON_GATE"] = args.gate
    globals()["LEARNED_TRIGGER"] = args.learned_trigger
    rng = random.Random(20261203)
    cases = tuned_cases()
    benign = benign_sentences(rng)
    print(f"{len(cases)} cases, {len(benign)} ordinary sentences")
    combined, alone = cross_validate(cases, benign, args.c)
    report_thresholds([bool(c["label"]) for c in cases], combined, alone)
    data = train(cases, benign, args.c)
    data["threshold"] = THRESHOLD
    data["fingerprint"] = fingerprint()
    print(f"{len(data['weights'])} weights, {len(data['triggers'])} triggers")
    if not args.no_write:
        text = json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
        (DATA / MODEL_FILE).write_text(text + "\n", "utf-8")
        print(f"wrote {DATA / MODEL_FILE} ({len(text) // 1024} KB)")


if __name__ == "__main__":
    main()
