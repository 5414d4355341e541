"""Helpers shared by the whole suite: the reference corpus, and requirements that must
fail (not skip) in CI."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")


def require(condition: bool, reason: str) -> None:
    """Skip locally when something the test needs is missing; fail under CI=true."""
    if condition:
        return
    if IN_CI:
        pytest.fail(f"required for this test but missing (CI=true): {reason}")
    pytest.skip(reason)


def _find_corpus() -> Path | None:
    if os.environ.get("SCHOOLGATE_CORPUS"):
        return Path(os.environ["SCHOOLGATE_CORPUS"])
    for parent in REPO.parents:
        candidate = parent / "shared" / "corpus"
        if candidate.is_dir():
            return candidate
    return None


def corpus(*parts: str) -> Path:
    """A path inside ../shared/corpus (third-party data, never copied into the repo)."""
    root = _find_corpus()
    require(root is not None, "the reference corpus ../shared/corpus is not present")
    assert root is not None
    path = root.joinpath(*parts)
    require(path.exists(), f"{path} is missing from the reference corpus")
    return path
