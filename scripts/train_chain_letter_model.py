"""Train the chain-letter model and write detectors/data/chain_letter_model.json.

    .venv/bin/python scripts/train_chain_letter_model.py            # train, write, report
    .venv/bin/python scripts/train_chain_letter_model.py --no-write # train and report only

Training data: every case in training/chain_letters/*.jsonl (written for this project)
except the dev split (a quarter of the ids, by crc32), plus ordinary mail from
../shared/corpus/benign_more (four fifths of it, by file name). Never trained on:
the dev split, the rest of benign_more, ../shared/corpus/benign (the 250 messages
the tests hold at zero false positives), ../shared/corpus/chain and
tests/detectors/eval. The features are computed by detectors/chain_letters (the same
code the scan worker runs), so training and scanning cannot drift apart.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
import zlib
from collections import defaultdict
from email.message import EmailMessage
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

import numpy as np  # noqa: E402
from scipy.sparse import csr_matrix  # noqa: E402
from sklearn.linear_model import LogisticRegression  # noqa: E402

from detectors.chain_letters.cues import CUE_FILE, load_cues  # noqa: E402
from detectors.chain_letters.features import dense_names  # noqa: E402
from detectors.chain_letters.model import FORMAT, MODEL_FILE, Scorer, Weights  # noqa: E402
from detectors.chain_letters.units import Limits, read_units, unit_vectors  # noqa: E402
from gateway.scanning.parse import ParseSettings, envelope_from_headers, parse_message  # noqa: E402
from models import Message  # noqa: E402

TRAINING = REPO / "training" / "chain_letters"
DATA = REPO / "detectors" / "data"
WINDOW_TOKENS = 500
"""The detector's default: window_chars 3000 / 6 characters per token."""
MIN_KINDS = 2
REGULARISATION = 8.0
"""LogisticRegression's C, chosen on the dev split."""
MIN_WEIGHT = 1e-3
"""Token-feature weights smaller than this are dropped from the shipped file (it stays
small; the test compares retrained decisions, not bytes)."""
DIGITS = 5
ALL_NEGATIVE_WINDOWS = True
"""Train on every window of ordinary mail (chain-like wording alone can open the guard,
so the model must have seen ordinary wording everywhere)."""
WRITTEN_WEIGHT = 3.0
"""Cases written for the task (hard negatives above all) count more than corpus mail."""


def corpus_root() -> Path:
    for parent in REPO.parents:
        if (parent / "shared" / "corpus").is_dir():
            return parent / "shared" / "corpus"
    raise SystemExit("../shared/corpus is missing")


def is_dev(case: dict[str, Any]) -> bool:
    """A quarter of the cases, by id (a forwarded copy goes with its original)."""
    return zlib.crc32(case.get("source_id", case["id"]).encode()) % 4 == 0


def is_corpus_dev(name: str) -> bool:
    return zlib.crc32(name.encode()) % 5 == 0


def load_cases() -> list[dict[str, Any]]:
    cases = []
    for path in sorted(TRAINING.glob("*.jsonl")):
        for line in path.read_text("utf-8").splitlines():
            if line.strip():
                cases.append(json.loads(line))
    return cases


def case_message(case: dict[str, Any]) -> Message:
    mail = EmailMessage()
    mail["From"] = "Jane Smith <jane.smith@westbrook.sch.uk>"
    mail["To"] = "parent.jones@gmail.com"
    mail["Subject"] = case["subject"]
    mail.set_content(case["body"])
    raw = mail.as_bytes()
    return parse_message(raw, envelope_from_headers(raw), ParseSettings())


def corpus_message(path: Path) -> Message:
    raw = path.read_bytes()
    if raw.startswith(b"From "):
        raw = raw.split(b"\n", 1)[1]
    return parse_message(raw, envelope_from_headers(raw), ParseSettings())


def corpus_files(folder: str) -> list[Path]:
    root = corpus_root() / folder
    return sorted(p for p in root.rglob("*") if p.suffix in (".eml", ".txt"))


def fingerprint() -> str:
    digest = hashlib.sha256()
    digest.update((DATA / CUE_FILE).read_bytes())
    digest.update(Path(__file__).read_bytes())
    for path in sorted(TRAINING.glob("*.jsonl")):
        digest.update(path.read_bytes())
    for path in corpus_files("benign_more"):
        digest.update(path.name.encode())
    return digest.hexdigest()[:16]


def training_rows(message: Message, positive: bool, scorer: Scorer) -> list[dict[str, float]]:
    """Every window of a chain letter; only the windows of ordinary mail that the
    detector would score (enough kinds of evidence), which are the ones that matter."""
    rows = []
    from detectors.chain_letters.features import evidence_kinds

    for unit in read_units(message, scorer, Limits()):
        for vec, hits in unit_vectors(unit, scorer, WINDOW_TOKENS):
            families = sorted({h.family for h in hits})
            passes = evidence_kinds(scorer.cues, families, unit.structure) >= MIN_KINDS
            if positive or passes or ALL_NEGATIVE_WINDOWS or not rows:
                rows.append(vec)
    return rows


def train() -> dict[str, Any]:
    """The model file's content, trained from scratch (deterministic)."""
    cues = load_cues()
    names = dense_names(cues)
    blank = Scorer(Weights(0.0, [0.0] * len(names), {}, ""), cues)
    rows: list[dict[str, float]] = []
    labels: list[int] = []
    weights: list[float] = []
    for case in load_cases():
        if is_dev(case):
            continue
        positive = case["label"] == "chain"
        for vec in training_rows(case_message(case), positive, blank):
            rows.append(vec)
            labels.append(int(positive))
            weights.append(WRITTEN_WEIGHT)
    for path in corpus_files("benign_more"):
        if is_corpus_dev(path.name):
            continue
        for vec in training_rows(corpus_message(path), False, blank):
            rows.append(vec)
            labels.append(0)
            weights.append(1.0)
    columns = {name: i for i, name in enumerate(names)}
    for vec in rows:
        for key in sorted(vec):
            columns.setdefault(key, len(columns))
    indptr, indices, values = [0], [], []
    for vec in rows:
        for key in sorted(vec, key=columns.__getitem__):
            indices.append(columns[key])
            values.append(vec[key])
        indptr.append(len(indices))
    matrix = csr_matrix(
        (np.array(values), np.array(indices), np.array(indptr)),
        shape=(len(rows), len(columns)),
    )
    model = LogisticRegression(
        C=REGULARISATION, class_weight="balanced", max_iter=5000, solver="lbfgs"
    )
    model.fit(matrix, np.array(labels), sample_weight=np.array(weights))
    coef = model.coef_[0]
    token_names = sorted(set(columns) - set(names))
    return {
        "format": FORMAT,
        "fingerprint": fingerprint(),
        "trained_on": {"windows": len(rows), "chain_windows": int(sum(labels))},
        "intercept": round(float(model.intercept_[0]), DIGITS),
        "dense": {n: round(float(coef[i]), DIGITS) for i, n in enumerate(names)},
        "tokens": {
            n: round(float(coef[columns[n]]), DIGITS)
            for n in token_names
            if abs(coef[columns[n]]) >= MIN_WEIGHT
        },
    }


def write(model: dict[str, Any]) -> Path:
    path = DATA / MODEL_FILE
    path.write_text(json.dumps(model, separators=(",", ":")) + "\n", "utf-8")
    return path


def report() -> None:
    """Precision and recall on the dev split, and false positives on the corpora."""
    from detectors.chain_letter import ChainLetterDetector, ChainLetterSettings
    from models import Directory

    detector = ChainLetterDetector(ChainLetterSettings(), Directory())
    counts: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    tp = fp = fn = 0
    for case in load_cases():
        if not is_dev(case):
            continue
        found = bool(detector.detect(case_message(case)))
        chain = case["label"] == "chain"
        tp += found and chain
        fp += found and not chain
        fn += chain and not found
        counts[case["kind"]][0] += found == chain
        counts[case["kind"]][1] += 1
        if found != chain:
            print(f"  dev miss: {case['id']} ({case['kind']}, {case['lang']})")
    print(f"dev: precision {tp / max(tp + fp, 1):.3f} recall {tp / max(tp + fn, 1):.3f}")
    sweep(detector)
    for kind, (right, total) in sorted(counts.items()):
        print(f"  {kind:<16} {right}/{total} right")
    for folder, only_dev in (("benign", False), ("benign_more", True), ("chain", False)):
        files = [p for p in corpus_files(folder) if not only_dev or is_corpus_dev(p.name)]
        flagged = sum(bool(detector.detect(corpus_message(p))) for p in files)
        print(f"{folder}{' (dev part)' if only_dev else ''}: {flagged}/{len(files)} flagged")


def sweep(detector: Any) -> None:
    """Dev precision and recall at other thresholds (to choose the default)."""
    scored = []
    for case in load_cases():
        if is_dev(case):
            message = case_message(case)
            units = read_units(message, detector.scorer, Limits())
            best = [
                detector.scorer.best(
                    u.subject,
                    u.bodies,
                    u.structure,
                    window_tokens=WINDOW_TOKENS,
                    min_kinds=MIN_KINDS,
                )
                for u in units
            ]
            top = max((b.probability for b in best if b is not None), default=0.0)
            scored.append((top, case["label"] == "chain"))
    for threshold in (0.5, 0.6, 0.65, 0.7, 0.8, 0.9):
        tp = sum(p >= threshold and c for p, c in scored)
        fp = sum(p >= threshold and not c for p, c in scored)
        fn = sum(p < threshold and c for p, c in scored)
        print(
            f"  threshold {threshold}: precision {tp / max(tp + fp, 1):.3f} "
            f"recall {tp / max(tp + fn, 1):.3f}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--no-write", action="store_true")
    args = parser.parse_args()
    model = train()
    print(f"trained on {model['trained_on']}; {len(model['tokens'])} token-feature weights")
    if not args.no_write:
        print(f"wrote {write(model)}")
        report()


if __name__ == "__main__":
    main()
