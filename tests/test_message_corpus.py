"""The message corpus: tests/messages/*.eml, each stating what must happen to it.

Each file carries `X-Test-Expect: <action>`, optionally `X-Test-Rules: <rule>, ...`
(rules that must be among those that matched) and `X-Test-Why:` (for the reader).
They are scanned together as `schoolgate scan` scans them (the real parser, detectors
and policy, with the built-in rules, tests/messages/schoolgate.toml and the invented
roster and staff list beside them). To add a case, add a file.
"""

from __future__ import annotations

import json
import subprocess
import sys
from email.parser import BytesHeaderParser
from pathlib import Path
from typing import Any

import pytest

from tests.processes import clean_env
from tests.support import REPO

MESSAGES = REPO / "tests" / "messages"
FILES = sorted(MESSAGES.glob("*.eml"))


def expectation(path: Path) -> tuple[str, set[str]]:
    headers = BytesHeaderParser().parsebytes(path.read_bytes())
    expect = headers["X-Test-Expect"]
    assert expect, f"{path.name} states no X-Test-Expect"
    rules = {r.strip() for r in (headers["X-Test-Rules"] or "").split(",") if r.strip()}
    return str(expect).strip(), rules


def scanned(data_dir: str) -> dict[str, dict[str, Any]]:
    command = [
        *(sys.executable, "-m", "gateway", "scan"),
        *("--config", str(MESSAGES / "schoolgate.toml"), "--data-dir", data_dir),
        *("--roster", str(MESSAGES / "roster.csv"), "--staff", str(MESSAGES / "staff.csv")),
        *map(str, FILES),
    ]
    result = subprocess.run(
        command,
        cwd=REPO,
        env=clean_env(),
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    return {Path(line["file"]).name: line for line in lines}


@pytest.fixture(scope="module")
def results(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, Any]]:
    return scanned(str(tmp_path_factory.mktemp("corpus-data")))


def test_the_corpus_covers_every_action():
    actions = {expectation(path)[0] for path in FILES}
    assert actions == {"deliver", "confirm", "quarantine", "reject"}


@pytest.mark.parametrize("path", FILES, ids=[p.stem for p in FILES])
def test_message(path: Path, results: dict[str, dict[str, Any]]):
    action, rules = expectation(path)
    got = results[path.name]
    assert got.get("error") is None, got
    assert got["action"] == action, f"{path.name}: {got['rules']} {got['findings']}"
    assert rules <= set(got["rules"]), got["rules"]


def test_every_finding_says_why_it_has_its_score(results: dict[str, dict[str, Any]]):
    """Each built-in detector gives its findings a basis whose parts add up to the score."""
    findings = [f for result in results.values() for f in result["findings"]]
    assert {f["detector"] for f in findings} >= {
        "pupil_name",
        "sensitive_data",
        "chain_letter",
        "personal_address",
    }
    for finding in findings:
        basis = finding.get("basis")
        assert basis, finding
        total = basis["base"] + sum(c["change"] for c in basis["context"])
        assert abs(total - finding["score"]) < 0.002, finding
