"""Lint and types as part of the suite, so they stay a habit: ruff (checks and format)
and mypy --strict on every package, as `make lint` runs them."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support import REPO

BIN = Path(sys.executable).parent


@pytest.mark.parametrize(
    "command",
    [
        ["ruff", "check", "."],
        ["ruff", "format", "--check", "."],
        ["mypy", "gateway", "detectors", "models"],
    ],
    ids=["ruff check", "ruff format", "mypy strict"],
)
def test_clean(command: list[str], tmp_path: Path):
    result = subprocess.run(
        [str(BIN / command[0]), *command[1:]],
        cwd=REPO,
        # mypy's cache in tmp_path: a run leaves nothing behind in the checkout.
        env={**os.environ, "MYPY_CACHE_DIR": str(tmp_path / "mypy"), "RUFF_NO_CACHE": "true"},
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert result.returncode == 0, (result.stdout + result.stderr)[-6000:]
