"""Special category data in natural sentences: precision and recall on labelled mail.

Sets of the same shape (JSON lines: id, label, topic, subject, body; label true =
the message discloses special category data about an identifiable individual):
- training/special_category/dev.jsonl, written to tune the vocabulary and the
  person-or-topic cues;
- training/special_category/train2.jsonl (built by build_train2.py), harder: sentences
  buried in long emails, forwarded chains, subject-only disclosures. Ids starting "t"
  were tuned on; ids starting "h" (~30%) were held back and only measured;
- tests/detectors/eval/special_category.jsonl, written independently by others and
  used only to measure (never read to tune).
A case is flagged when the sensitive_data detector, with default settings, reports a
SPECIAL_CATEGORY finding on the real parsed message. Run with -s for the figures.
"""

from __future__ import annotations

import json
import zlib
from collections import defaultdict
from pathlib import Path

import pytest

from detectors.sensitive_data import SensitiveDataDetector, SensitiveDataSettings
from detectors.special_category import SPECIAL_CATEGORY
from models import Directory
from tests.detectors.labelled import Tally
from tests.mail import build
from tests.support import REPO, require

DEV = REPO / "training" / "special_category" / "dev.jsonl"
TRAIN2 = REPO / "training" / "special_category" / "train2.jsonl"
ROUND3 = REPO / "training" / "special_category" / "round3.jsonl"
EVAL = REPO / "tests" / "detectors" / "eval" / "special_category.jsonl"
MIN_PRECISION = 0.95
MIN_RECALL = 0.95


def round3_part(case_id: str) -> str:
    """round3.jsonl's split: seven tenths tuned on, three tenths held back, by id."""
    return "tuned" if zlib.crc32(case_id.encode()) % 10 < 7 else "held"


def load(path: Path, part: str = "") -> list[dict[str, object]]:
    """The cases of `path` whose id starts with `part` (all when it is empty); for
    round3.jsonl, `part` is "tuned" or "held" (round3_part)."""
    require(path.exists(), f"{path} is not there yet")
    cases = [json.loads(line) for line in path.read_text("utf-8").splitlines() if line.strip()]
    if path == ROUND3:
        cases = [c for c in cases if round3_part(str(c["id"])) == part]
    else:
        cases = [c for c in cases if str(c["id"]).startswith(part)]
    least = 200 if part else 300
    require(len(cases) >= least, f"{path} {part!r} has {len(cases)} cases, fewer than {least}")
    return cases


def measure(cases: list[dict[str, object]]) -> dict[str, Tally]:
    detector = SensitiveDataDetector(SensitiveDataSettings(), Directory())
    tallies: dict[str, Tally] = defaultdict(Tally)
    for case in cases:
        message = build(str(case["body"]), subject=str(case.get("subject") or "Hello"))
        flagged = any(f.type == SPECIAL_CATEGORY for f in detector.detect(message))
        label = bool(case["label"])
        tallies["ALL"].add(label, flagged)
        tallies[str(case.get("topic", "?"))].add(label, flagged)
    return tallies


def report(name: str, tallies: dict[str, Tally]) -> None:
    print(f"\n{name}: topic, cases, true/false positives, false/true negatives, P, R")
    for topic in sorted(tallies, key=lambda t: (t != "ALL", t)):
        t = tallies[topic]
        print("  " + t.line(topic))


EVAL_BELOW_TARGET = pytest.mark.xfail(
    strict=True,
    reason="issue 10 target not yet met on the independent set: measured precision 0.914, "
    "recall 0.950 on 2026-12-04 (strict: passing makes this fail, so remove the mark)",
)
ROUND3_BELOW_TARGET = pytest.mark.xfail(
    strict=True,
    reason="not yet met on round3.jsonl's held-back part: precision 0.913 recall 0.840 on "
    "2026-12-04 (the tuned part passes: 0.987 / 0.959) (strict: passing makes this fail, so "
    "remove the mark)",
)
HELD_BELOW_TARGET = pytest.mark.xfail(
    strict=True,
    reason="not yet met on the held-back part of train2: measured precision 0.935, recall "
    "0.842 on 2026-12-04 (strict: passing makes this fail, so remove the mark then)",
)


@pytest.mark.parametrize(
    ("path", "part"),
    [
        (DEV, ""),
        (TRAIN2, "t"),
        pytest.param(TRAIN2, "h", marks=HELD_BELOW_TARGET),
        (ROUND3, "tuned"),
        pytest.param(ROUND3, "held", marks=ROUND3_BELOW_TARGET),
        pytest.param(EVAL, "", marks=EVAL_BELOW_TARGET),
    ],
    ids=["dev", "train2-tuned", "train2-held", "round3-tuned", "round3-held", "eval"],
)
def test_precision_and_recall_hold_on_labelled_mail(path: Path, part: str) -> None:
    tallies = measure(load(path, part))
    report(f"{path.name} {part}", tallies)
    overall = tallies["ALL"]
    assert overall.tp + overall.fn > 0 and overall.fp + overall.tn > 0  # both labels present
    assert overall.precision >= MIN_PRECISION
    assert overall.recall >= MIN_RECALL
