"""Start-up cost: short commands import only what they use; scan workers fork warm.

Each check runs in a fresh interpreter and reads what it imported (`-X importtime`, or
the worker's sys.modules), never the wall clock: timings belong in bench/bench_startup.py.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import click
import pytest

from detectors.registry import BUILTIN
from gateway import __version__
from gateway.cli.held import HELD_COMMANDS, held
from gateway.cli.main import COMMANDS, main
from tests.processes import clean_env, run_importing

REPO = Path(__file__).resolve().parents[2]

# What `--version` and `--help` have no use for: the server, the web app, the database,
# the configuration (pydantic) and the detectors.
NOT_FOR_VERSION_OR_HELP = (
    "gateway.server",
    "gateway.web",
    "gateway.smtp.handler",
    "gateway.storage.engine",
    "gateway.config.settings",
    "gateway.scanning.pool",
    "gateway.scanning.extract",
    "sqlalchemy",
    "alembic",
    "pydantic",
    "fastapi",
    "uvicorn",
    "aiosmtpd",
    "spacy",
    "detectors",
)
# `held list` needs the configuration and the database, and nothing that sends or serves.
NOT_FOR_HELD_LIST = (
    "gateway.server",
    "gateway.web",
    "gateway.smtp.handler",
    "gateway.scanning.pool",
    "gateway.scanning.extract",
    "fastapi",
    "uvicorn",
    "aiosmtpd",
    "spacy",
)


def _heavy(modules: set[str], prefixes: tuple[str, ...]) -> list[str]:
    return sorted(m for m in modules if any(m == p or m.startswith(f"{p}.") for p in prefixes))


def test_version_imports_none_of_the_gateway():
    result, modules = run_importing("--version")
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.strip() == f"schoolgate, version {__version__}"
    assert _heavy(modules, NOT_FOR_VERSION_OR_HELP) == []


def test_help_lists_every_command_without_importing_one():
    result, modules = run_importing("--help")
    assert result.returncode == 0, result.stderr[-2000:]
    listed = result.stdout.split("Commands:", 1)[1].split()
    assert set(COMMANDS) <= set(listed)
    assert _heavy(modules, NOT_FOR_VERSION_OR_HELP) == []
    commands = {m for m in modules if m.startswith("gateway.cli.")}
    assert commands == {"gateway.cli.main", "gateway.cli.lazy"}  # no command's own module


def test_held_list_loads_neither_the_server_nor_the_web_app(tmp_path: Path):
    result, modules = run_importing("held", "list", "--data-dir", str(tmp_path / "var"))
    assert result.returncode == 0, result.stderr[-2000:]
    assert "no held messages with status held" in result.stderr
    assert _heavy(modules, NOT_FOR_HELD_LIST) == []


@pytest.mark.parametrize(
    ("group", "table", "name"),
    [(main, COMMANDS, name) for name in sorted(COMMANDS)]
    + [(held, HELD_COMMANDS, name) for name in sorted(HELD_COMMANDS)],
)
def test_the_listed_summary_is_the_command_s_own(
    group: click.Group, table: dict[str, tuple[str, str]], name: str
):
    """--help shows the summaries kept beside each lazy group's table: they must say what
    the command says."""
    command = group.commands[name]
    stand_in = click.Command(name, help=table[name][1])
    for limit in (30, 45, 60, 1000):
        assert stand_in.get_short_help_str(limit) == command.get_short_help_str(limit)


def worker_modules(names: list[str]) -> list[str]:
    """Run in a scan worker before it builds a scanner: which of `names` it already has."""
    return [name for name in names if name in sys.modules]


def _python(code: str, *args: str) -> subprocess.CompletedProcess[str]:
    """`code` in a fresh interpreter (so its forkserver is a new one), from the repo."""
    return subprocess.run(
        [sys.executable, "-c", code, *args],
        cwd=REPO,
        env=clean_env(),
        capture_output=True,
        text=True,
        timeout=120,
    )


WORKER_PROBE = """
import asyncio, json
from gateway.config.settings import validate
from gateway.scanning.pool import ScanPool
from gateway.scanning.configured import scan_spec
from tests.gateway.test_cli_startup import worker_modules

pool = ScanPool(scan_spec(validate({}, "test")), workers=1)
try:
    names = ["spacy", "detectors.pupil_name", "detectors.sensitive_data",
             "detectors.chain_letter", "detectors.personal_address"]
    print(json.dumps(asyncio.run(pool.run(worker_modules, names))))
finally:
    pool.close()
"""


def test_scan_workers_fork_with_the_detectors_already_imported_and_no_spacy():
    """The forkserver preloads them, so a new or replacement worker does not import them;
    nothing at scan time uses spaCy any more, so it is not loaded at all.
    (In a fresh interpreter: a process's forkserver keeps the preload it started with.)"""
    result = _python(WORKER_PROBE)
    assert result.returncode == 0, result.stderr[-2000:]
    assert json.loads(result.stdout.strip().splitlines()[-1]) == [
        "detectors.pupil_name",
        "detectors.sensitive_data",
        "detectors.chain_letter",
        "detectors.personal_address",
    ]


def test_held_list_on_an_up_to_date_database_loads_neither_alembic_nor_a_detector(
    tmp_path: Path,
):
    """Alembic runs only when the schema is behind; `held list` checks no detector."""
    data_dir = str(tmp_path / "var")
    first, imported_first = run_importing("held", "list", "--data-dir", data_dir)
    assert first.returncode == 0, first.stderr[-2000:]
    assert "alembic" in imported_first  # the new database was migrated
    again, modules = run_importing("held", "list", "--data-dir", data_dir)
    assert again.returncode == 0, again.stderr[-2000:]
    unwanted = ("alembic", *(f"detectors.{n}" for n in BUILTIN))
    assert _heavy(modules, unwanted) == []


SCAN_PROBE = """
import json, sys
from gateway.cli.main import main
try:
    main(["scan", "--data-dir", sys.argv[1], sys.argv[2]], standalone_mode=False)
finally:
    print("MODULES " + json.dumps(sorted(sys.modules)))
"""
# What `scan` leaves to its workers (the parser, every file format's library) or never
# needs (the server, the console; the database before anything was imported into it).
NOT_FOR_SCAN_MAIN_PROCESS = (
    "gateway.scanning.parse",
    "gateway.scanning.worker",
    "gateway.scanning.extract.dispatch",
    "pypdfium2",
    "py7zr",
    "lxml",
    "gateway.server",
    "gateway.web",
    "fastapi",
    "sqlalchemy",
)


def test_scan_parses_nothing_in_its_own_process(tmp_path: Path):
    """The message, its headers included, is read in a scan worker; this process only
    sends it there and prints the verdict."""
    message = tmp_path / "trip.eml"
    message.write_bytes(
        b"From: Ms Teacher <teacher@school.example>\r\nTo: parent@example.org\r\n"
        b"Subject: Trip\r\n\r\nThe trip is on Friday; please send a packed lunch.\r\n"
    )
    result = _python(SCAN_PROBE, str(tmp_path / "var"), str(message))
    assert result.returncode == 0, result.stderr[-2000:]
    verdict, modules_line = result.stdout.strip().splitlines()[-2:]
    assert json.loads(verdict)["action"] == "deliver"
    modules = set(json.loads(modules_line.removeprefix("MODULES ")))
    assert "gateway.scanning.pool" in modules
    assert _heavy(modules, NOT_FOR_SCAN_MAIN_PROCESS) == []
