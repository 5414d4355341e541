"""The roster and staff list as a file the scan workers load when its version changes.

The main process writes a snapshot whenever the database says the directory changed;
each scan task names the snapshot it expects, so workers rebuild their matchers once
per change and never talk to the database themselves.
"""

from __future__ import annotations

import json
import os
import tempfile
from dataclasses import asdict
from pathlib import Path
from typing import NamedTuple

from models import Directory, Pupil, StaffMember


class DirectoryRef(NamedTuple):
    """Where a directory snapshot is and which version it holds (None: empty directory)."""

    path: str | None
    version: str


EMPTY = DirectoryRef(None, "empty")


def write_snapshot(directory: Directory, folder: Path) -> DirectoryRef:
    """Write atomically (temp file + rename); keep the previous snapshot for tasks in flight."""
    folder.mkdir(parents=True, exist_ok=True)
    os.chmod(folder, 0o700)
    target = folder / f"directory-{directory.version}.json"
    payload = {
        "version": directory.version,
        "pupils": [asdict(p) for p in directory.pupils],
        "staff": [asdict(s) for s in directory.staff],
    }
    fd, tmp = tempfile.mkstemp(dir=folder, prefix=".directory-", suffix=".tmp")
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        json.dump(payload, handle, ensure_ascii=False, separators=(",", ":"))
    os.replace(tmp, target)
    others = sorted(
        (p for p in folder.glob("directory-*.json") if p != target),
        key=lambda p: p.stat().st_mtime,
        reverse=True,
    )
    for old in others[1:]:
        old.unlink(missing_ok=True)
    return DirectoryRef(str(target), directory.version)


def read_snapshot(ref: DirectoryRef) -> Directory:
    if ref.path is None:
        return Directory()
    data = json.loads(Path(ref.path).read_text(encoding="utf-8"))
    return Directory(
        pupils=tuple(
            Pupil(
                forenames=tuple(p["forenames"]),
                surnames=tuple(p["surnames"]),
                middle_names=tuple(p["middle_names"]),
                year=p["year"],
                reg_group=p["reg_group"],
                family_name_first=bool(p.get("family_name_first", False)),
            )
            for p in data["pupils"]
        ),
        staff=tuple(
            StaffMember(
                forename=s["forename"],
                surname=s["surname"],
                email=s["email"],
                personal_emails=tuple(s["personal_emails"]),
            )
            for s in data["staff"]
        ),
        version=data["version"],
    )
