"""One measuring round in a fresh process, against the checkout `tree` (first on
PYTHONPATH, so `--compare` measures another tree's code with this tree's scripts)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path


def child_json(script: Path, tree: Path, *args: str) -> dict[str, float]:
    """Run `script --child ARGS`; its last line of output is the round's JSON figures."""
    output = subprocess.run(
        [sys.executable, str(script), "--child", *args],
        cwd=tree,
        env={**os.environ, "PYTHONPATH": str(tree)},
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return dict(json.loads(output.strip().splitlines()[-1]))
