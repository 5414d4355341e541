"""`schoolgate roster ...` and `schoolgate staff ...`: the school's pupils and staff.

Imports replace the whole list in one transaction; a running gateway notices the new
version within `directory.refresh_interval` seconds (or at once on SIGHUP) and its scan
workers rebuild their matchers, with no restart. `show` prints counts: pupils' names
are personal data and appear only when asked for with --names.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Awaitable, Callable
from datetime import UTC
from pathlib import Path
from typing import TypeVar

import click

from gateway.cli.common import async_command, config_options, load_config
from gateway.cli.database import open_store
from gateway.config.settings import Config
from gateway.directory.importer import (
    ROSTER_FIELDS,
    STAFF_FIELDS,
    ImportReport,
    RosterFileError,
    parse_map,
    read_roster,
    read_staff,
)
from gateway.directory.store import (
    ROSTER,
    STAFF,
    DirectoryStatus,
    directory_status,
    load_directory,
    replace_roster,
    replace_staff,
)
from gateway.storage.engine import Store
from models import Directory, Pupil

T = TypeVar("T")
SHOWN_PROBLEMS = 20

_FILE = click.Path(exists=True, dir_okay=False, path_type=Path)


@click.group()
def roster() -> None:
    """Import and inspect the pupil roster (from the MIS export)."""


@click.group()
def staff() -> None:
    """Import and inspect the staff directory."""


async def _with_store(config: Config, action: Callable[[Store], Awaitable[T]]) -> T:
    store = await open_store(config)
    try:
        return await action(store)
    finally:
        await store.close()


def _mapping(text: str | None, fields: tuple[str, ...]) -> dict[str, str] | None:
    if not text:
        return None
    try:
        return parse_map(text, fields)
    except RosterFileError as exc:
        raise click.BadParameter(str(exc), param_hint="--map") from None


def _count(number: int, singular: str, plural: str = "") -> str:
    return f"{number:,} {singular if number == 1 else plural or singular + 's'}"


def _echo_report(report: ImportReport, kept: int) -> None:
    """Columns, encoding and every row that was not imported, or only in part (on stderr)."""
    columns = ", ".join(f"{field}={header!r}" for field, header in report.columns.items())
    click.echo(f"Read {_count(report.rows, 'row')} ({report.encoding}); columns used: {columns}.")
    if report.unused:
        unused = ", ".join(repr(header) for header in report.unused)
        click.echo(
            f"Columns not read: {unused} (only the fields above are kept; "
            "--map FIELD=COLUMN reads one whose header was not recognised)."
        )
    for note in report.notes:
        click.echo(f"Note: {note}.", err=True)
    if report.problems:
        refused = report.rows - kept
        click.echo(f"{_count(refused, 'row')} not imported; problems with these rows:", err=True)
        for problem in report.problems[:SHOWN_PROBLEMS]:
            click.echo(f"  {problem}", err=True)
        if len(report.problems) > SHOWN_PROBLEMS:
            click.echo(f"  ... and {len(report.problems) - SHOWN_PROBLEMS:,} more", err=True)


def _pickup_hint(config: Config) -> str:
    seconds = config.directory.refresh_interval
    return (
        f"A running gateway uses it within {seconds:g} seconds (send it SIGHUP to switch at once)."
    )


def _status_line(status: DirectoryStatus | None, noun: str) -> str:
    if status is None:
        return f"No {noun} imported yet."
    when = "at an unknown time"
    if status.updated_at is not None:
        stamp = status.updated_at
        stamp = stamp.replace(tzinfo=UTC) if stamp.tzinfo is None else stamp.astimezone(UTC)
        when = stamp.strftime("%Y-%m-%d %H:%M UTC")
    return (
        f"{status.count:,} {noun} (imported {when} from {status.source or 'unknown'}, "
        f"version {status.generation})"
    )


# --- roster ------------------------------------------------------------------------------


@roster.command("import")
@config_options
@click.argument("file", type=_FILE)
@click.option(
    "--map",
    "column_map",
    metavar="FIELD=COLUMN,...",
    help="Name the columns yourself, e.g. 'forename=First Name,surname=Last Name'. Fields: "
    + ", ".join(ROSTER_FIELDS)
    + ".",
)
@async_command
async def roster_import(
    config_path: Path | None, data_dir: Path | None, file: Path, column_map: str | None
) -> None:
    """Replace the roster with the pupils in FILE (a CSV export from the MIS).

    Header names from SIMS, Arbor, Bromcom, Wonde and DfE census files are recognised;
    UTF-8 (with or without BOM) and Windows-1252 are read. Only names, year and
    registration group are stored.
    """
    config = load_config(config_path, data_dir)
    try:
        result = read_roster(file, _mapping(column_map, ROSTER_FIELDS))
    except RosterFileError as exc:
        raise click.ClickException(str(exc)) from None
    _echo_report(result.report, len(result.pupils))
    if not result.pupils:
        raise click.ClickException(f"no pupils could be read from {file}; the roster is unchanged")
    count = await _with_store(config, lambda store: replace_roster(store, result.pupils, file.name))
    click.echo(f"Imported {_count(count, 'pupil')} from {file.name}. {_pickup_hint(config)}")


@roster.command("show")
@config_options
@click.option("--names", is_flag=True, help="Also list every pupil's name (personal data).")
@async_command
async def roster_show(config_path: Path | None, data_dir: Path | None, names: bool) -> None:
    """Print how many pupils the roster holds, by year group (names only with --names)."""
    config = load_config(config_path, data_dir)
    status, directory = await _with_store(config, _status_and_directory)
    click.echo(_status_line(status.get(ROSTER), "pupils"))
    if not directory.pupils:
        return
    years = Counter(p.year or "(no year)" for p in directory.pupils)
    for year, count in sorted(years.items(), key=lambda item: _year_order(item[0])):
        click.echo(f"  year {year}: {count:,}")
    if names:
        for pupil in sorted(directory.pupils, key=_pupil_sort_key):
            click.echo(_pupil_line(pupil))


async def _status_and_directory(store: Store) -> tuple[dict[str, DirectoryStatus], Directory]:
    return await directory_status(store), await load_directory(store)


def _year_order(year: str) -> tuple[int, str]:
    digits = "".join(ch for ch in year if ch.isdigit())
    return (int(digits) if digits else 99, year)


def _pupil_sort_key(pupil: Pupil) -> tuple[str, str]:
    return pupil.surnames[0].casefold(), pupil.forenames[0].casefold()


def _pupil_line(pupil: Pupil) -> str:
    line = f"{pupil.surnames[0]}, {' '.join((pupil.forenames[0], *pupil.middle_names))}"
    others = [*pupil.forenames[1:], *pupil.surnames[1:]]
    if others:
        line += f" (known as {' '.join(others)})"
    details = ", ".join(d for d in (pupil.year and f"year {pupil.year}", pupil.reg_group) if d)
    return f"  {line}" + (f"; {details}" if details else "")


# --- staff -------------------------------------------------------------------------------


@staff.command("import")
@config_options
@click.argument("file", type=_FILE)
@click.option(
    "--map",
    "column_map",
    metavar="FIELD=COLUMN,...",
    help="Name the columns yourself, e.g. 'name=Staff Name,email=Work Email'. Fields: "
    + ", ".join(STAFF_FIELDS)
    + ".",
)
@async_command
async def staff_import(
    config_path: Path | None, data_dir: Path | None, file: Path, column_map: str | None
) -> None:
    """Replace the staff directory with FILE (CSV: name, school address, personal addresses).

    The name is a forename and a surname column, or one name column ("Jones, Amelia" or
    "Amelia Jones"); personal addresses may be several, separated by ';'.
    """
    config = load_config(config_path, data_dir)
    try:
        result = read_staff(file, _mapping(column_map, STAFF_FIELDS))
    except RosterFileError as exc:
        raise click.ClickException(str(exc)) from None
    _echo_report(result.report, len(result.members))
    if not result.members:
        raise click.ClickException(f"no staff could be read from {file}; the list is unchanged")
    count = await _with_store(config, lambda store: replace_staff(store, result.members, file.name))
    personal = _count(
        sum(len(m.personal_emails) for m in result.members),
        "personal address",
        "personal addresses",
    )
    click.echo(f"Imported {count:,} staff ({personal}) from {file.name}. {_pickup_hint(config)}")


@staff.command("show")
@config_options
@click.option("--names", is_flag=True, help="Also list every member of staff and their addresses.")
@async_command
async def staff_show(config_path: Path | None, data_dir: Path | None, names: bool) -> None:
    """Print how many staff the directory holds (names and addresses only with --names)."""
    config = load_config(config_path, data_dir)
    status, directory = await _with_store(config, _status_and_directory)
    click.echo(_status_line(status.get(STAFF), "staff"))
    if not directory.staff:
        return
    personal = sum(1 for m in directory.staff if m.personal_emails)
    click.echo(f"  with personal addresses: {personal:,}")
    if names:
        for member in sorted(directory.staff, key=lambda m: (m.surname.casefold(), m.forename)):
            extra = ""
            if member.personal_emails:
                extra = f" (personal: {', '.join(member.personal_emails)})"
            click.echo(f"  {member.surname}, {member.forename} <{member.email}>{extra}")
