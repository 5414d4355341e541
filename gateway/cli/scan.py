"""`schoolgate scan`: the server's scan path, on files, as JSON Lines."""

from __future__ import annotations

import asyncio
import json
import sys
from pathlib import Path
from typing import Any

import click

from gateway.cli.common import config_options, load_config, setup_logging
from gateway.config.settings import Config
from gateway.directory.snapshot import EMPTY, DirectoryRef, write_snapshot
from gateway.policy.decide import decide
from gateway.policy.rules import Rule
from gateway.scanning.configured import make_pool
from gateway.scanning.pool import ScanFailed, ScanPool, in_worker
from models import Directory, Envelope


def _imported_directory(config: Config) -> Directory:
    """The roster and staff list imported into the database; none before the first
    import. SQLAlchemy is loaded only when there is a database to read (a quick scan
    of a file on a new install pays nothing for it)."""
    if not config.database_url and not config.default_database_file.exists():
        return Directory()
    from sqlalchemy.engine import make_url

    from gateway.directory.store import load_directory
    from gateway.storage.engine import Store, StoreError

    url = make_url(config.db_url)
    if url.get_backend_name() == "sqlite" and not Path(url.database or "").exists():
        return Directory()

    async def load() -> Directory:
        store = await Store.open(config.db_url, migrate=False)
        try:
            return await load_directory(store)
        finally:
            await store.close()

    try:
        return asyncio.run(load())
    except StoreError as exc:
        raise click.ClickException(str(exc)) from None


def _directory_from_files(roster: Path | None, staff: Path | None) -> Directory:
    from gateway.directory.importer import read_roster, read_staff

    pupils = tuple(read_roster(roster).pupils) if roster else ()
    members = tuple(read_staff(staff).members) if staff else ()
    return Directory(pupils=pupils, staff=members, version=f"files-{len(pupils)}-{len(members)}")


async def _headers_envelope(pool: ScanPool, raw: bytes) -> Envelope:
    """The envelope the headers give, read in a scan worker: this process parses nothing."""
    envelope: Envelope = await pool.run(
        in_worker, "gateway.scanning.parse:envelope_from_headers", raw
    )
    return envelope


async def _scan_one(
    pool: ScanPool,
    config: Config,
    rules: tuple[Rule, ...],
    path: Path,
    raw: bytes,
    envelope: Envelope | None,
) -> dict[str, Any]:
    try:
        if envelope is None:
            envelope = await _headers_envelope(pool, raw)
        result = await pool.scan(raw, envelope)
    except ScanFailed as exc:
        return {"file": str(path), "action": None, "rules": [], "findings": [], "error": str(exc)}
    verdict = decide(result.facts, result.findings, rules, audit_only=config.policy.audit_only)
    return {
        "file": str(path),
        "action": str(verdict.action),
        "rules": list(verdict.rules),
        "findings": [f.to_json() for f in result.findings],
    }


async def _scan_files(
    config: Config, files: list[tuple[Path, bytes]], ref: DirectoryRef, envelope: Envelope | None
) -> list[dict[str, Any]]:
    pool = make_pool(config, at_most=len(files))
    pool.set_directory(ref)
    rules = config.effective_rules()
    try:
        return await asyncio.gather(
            *(_scan_one(pool, config, rules, path, raw, envelope) for path, raw in files)
        )
    finally:
        await asyncio.to_thread(pool.close)


@click.command()
@config_options
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option(
    "--roster",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Roster CSV to match against instead of the imported roster.",
)
@click.option(
    "--staff",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Staff CSV instead of the imported staff list.",
)
@click.option(
    "--from", "mail_from", metavar="ADDR", help="Envelope sender (default: the From header)."
)
@click.option(
    "--to",
    "rcpt_to",
    metavar="ADDR",
    multiple=True,
    help="Envelope recipient; repeat for several (default: To and Cc headers).",
)
def scan(
    config_path: Path | None,
    data_dir: Path | None,
    files: tuple[Path, ...],
    roster: Path | None,
    staff: Path | None,
    mail_from: str | None,
    rcpt_to: tuple[str, ...],
) -> None:
    """Scan .eml files exactly as the gateway would and print one JSON object per file.

    Each line is {"file", "action", "rules", "findings"}. Exit status: 0 when every file
    was scanned, 1 when a scan failed (timeout, detector error), 2 when a file could not
    be read.
    """
    config = load_config(config_path, data_dir)
    setup_logging("warning")
    readable: list[tuple[Path, bytes]] = []
    unreadable = False
    for path in files:
        try:
            readable.append((path, path.read_bytes()))
        except OSError as exc:
            click.echo(f"schoolgate scan: cannot read {path}: {exc.strerror or exc}", err=True)
            unreadable = True
    envelope = None
    if mail_from is not None or rcpt_to:
        envelope = Envelope(mail_from=mail_from or "", rcpt_tos=tuple(rcpt_to))
    try:
        if roster or staff:
            directory = _directory_from_files(roster, staff)
        else:
            directory = _imported_directory(config)
    except (OSError, ValueError) as exc:
        raise click.ClickException(str(exc)) from None
    ref = EMPTY
    if directory.pupils or directory.staff:
        ref = write_snapshot(directory, config.data_dir / "cache")
    results = asyncio.run(_scan_files(config, readable, ref, envelope)) if readable else []
    for result in results:
        sys.stdout.write(json.dumps(result, ensure_ascii=False) + "\n")
    sys.stdout.flush()
    if unreadable:
        sys.exit(2)
    if any(r.get("error") for r in results):
        sys.exit(1)
