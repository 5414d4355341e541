"""The directory snapshot the scan workers load: the whole directory as JSON, and the
roster's name table beside it, which each worker maps (shared pages, no per-pupil
objects) instead of reading the pupils. A re-import writes a new pair atomically while
workers may still hold the old map."""

from __future__ import annotations

import gc
from pathlib import Path

import pytest

from detectors.base import Detector, DetectorSettings
from detectors.names.name_table import FAMILY_FIRST_PAIR, IndexedDirectory
from detectors.pupil_name import PupilNameDetector, PupilNameSettings
from gateway.directory.snapshot import (
    EMPTY,
    names_path,
    read_scan_directory,
    read_snapshot,
    write_snapshot,
)
from gateway.scanning import worker as scan_worker
from gateway.scanning.pool import ScanSpec
from gateway.scanning.settings import ParseSettings
from models import Directory, Envelope, Finding, Message, Pupil, StaffMember

STAFF = (StaffMember("Sarah", "Okafor", "s.okafor@school.example", ("sarah@example.org",)),)


def _directory(version: str, *pupils: Pupil) -> Directory:
    return Directory(pupils=pupils, staff=STAFF, version=version)


def test_a_worker_maps_the_name_table_and_reads_no_pupil(tmp_path: Path):
    directory = _directory(
        "r1-s1",
        Pupil(("Xiaoming",), ("Wang",), family_name_first=True),
        Pupil(("Amelia",), ("Jones",), ("Rose",), year="5", reg_group="5B"),
    )
    ref = write_snapshot(directory, tmp_path / "cache")
    table_file = names_path(ref)
    assert table_file is not None and table_file.exists()
    assert read_snapshot(ref) == directory
    scan = read_scan_directory(ref)
    assert isinstance(scan, IndexedDirectory) and scan.names is not None
    assert scan.pupils == ()
    assert (scan.staff, scan.version) == (STAFF, "r1-s1")
    wang = scan.names.pair((("xiaoming",), ("wang",)))
    assert wang is not None and wang.flags == FAMILY_FIRST_PAIR  # survives into the table
    whole = read_scan_directory(ref, with_pupils=True)
    assert whole.pupils == directory.pupils


def test_an_empty_directory_and_a_snapshot_without_a_table(tmp_path: Path):
    assert read_scan_directory(EMPTY) == Directory()
    directory = _directory("r2-s1", Pupil(("Amelia",), ("Jones",)))
    ref = write_snapshot(directory, tmp_path)
    table_file = names_path(ref)
    assert table_file is not None
    table_file.unlink()  # as written before snapshots had one
    assert read_scan_directory(ref) == directory


def test_a_reimport_replaces_the_files_while_an_old_map_stays_readable(tmp_path: Path):
    folder = tmp_path / "cache"
    first = write_snapshot(_directory("r1-s1", Pupil(("Amelia",), ("Jones",))), folder)
    mapped = read_scan_directory(first)
    assert isinstance(mapped, IndexedDirectory) and mapped.names is not None
    for generation in range(2, 5):
        write_snapshot(_directory(f"r{generation}-s1", Pupil(("Bo",), ("Li",))), folder)
    # The current snapshot and the one before it stay, each as its JSON and its table.
    assert sorted(p.name for p in folder.iterdir()) == [
        "directory-r3-s1.json",
        "directory-r3-s1.names",
        "directory-r4-s1.json",
        "directory-r4-s1.names",
    ]
    assert mapped.names.pair((("amelia",), ("jones",))) is not None  # unlinked, still mapped


@pytest.fixture
def worker():
    """This process as a scan worker with the built-in detectors (restored afterwards)."""
    spec = ScanSpec(parse=ParseSettings(), detectors=(("pupil_name", PupilNameSettings()),))
    scan_worker.init(spec)
    yield spec
    scan_worker._worker_spec = None
    scan_worker._worker_scanner = None
    gc.unfreeze()


def test_a_scan_worker_builds_pupil_name_on_the_mapped_table(tmp_path: Path, worker):
    ref = write_snapshot(_directory("r1-s1", Pupil(("Amelia",), ("Jones",))), tmp_path)
    scanner = scan_worker._scanner_for(ref)
    assert isinstance(scanner.directory, IndexedDirectory)
    assert scanner.directory.pupils == ()
    [detector] = scanner.detectors
    assert isinstance(detector, PupilNameDetector)
    assert detector.index.table is scanner.directory.names
    raw = b"From: t@school.example\r\nTo: p@example.org\r\nSubject: x\r\n\r\nAmelia Jones\r\n"
    result = scanner.scan(raw, Envelope("t@school.example", ("p@example.org",)))
    assert [f.type for f in result.findings] == ["PUPIL_FULL_NAME"]
    # A re-import is picked up by the version the next task names.
    newer = write_snapshot(_directory("r2-s1", Pupil(("Bo",), ("Li",))), tmp_path)
    assert scan_worker._scanner_for(newer).directory.version == "r2-s1"
    rescan = scan_worker._scanner_for(newer).scan(raw, Envelope("t@school.example", ()))
    assert rescan.findings == ()


class ReadsThePupils(Detector):
    """A plug-in: the contract gives it the directory, pupils included."""

    name = "reads_the_pupils"
    finding_types = frozenset()

    def detect(self, message: Message) -> list[Finding]:
        return []


def test_a_plug_in_detector_still_gets_every_pupil(tmp_path: Path, worker):
    directory = _directory("r1-s1", Pupil(("Amelia",), ("Jones",), year="5"))
    ref = write_snapshot(directory, tmp_path)
    plug_in = f"{__name__}:ReadsThePupils"
    scan_worker.init(ScanSpec(parse=ParseSettings(), detectors=((plug_in, DetectorSettings()),)))
    scanner = scan_worker._scanner_for(ref)
    assert scanner.directory.pupils == directory.pupils
    assert isinstance(scanner.directory, IndexedDirectory)
