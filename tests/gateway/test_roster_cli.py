"""`schoolgate roster import/show` and `schoolgate staff import/show` on a real database
(SQLite through --data-dir, and PostgreSQL), re-imports that replace the list atomically,
and the directory watcher that hands a re-imported roster to a running gateway."""

from __future__ import annotations

import asyncio
import re
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from gateway.cli import main
from gateway.directory.snapshot import DirectoryRef, read_snapshot
from gateway.directory.store import DirectoryWatcher, load_directory, replace_roster
from gateway.storage.engine import Store
from models import Directory, Pupil

ROSTER_A = (
    "Legal Surname,Legal Forename,Preferred Forename,Year,Reg Group,UPN\n"
    "Jones,Amelia,Millie,5,5B,A123456789012\n"
    "O'Neill,Siobhan,,5,5A,A123456789013\n"
    "Smith-Jones,Zoë,,4,4C,A123456789014\n"
)
ROSTER_B = "Forename,Surname,Year\nWill,Brown,6\nGrace,May,6\n"
STAFF_CSV = (
    "Forename,Surname,Email,Personal Email\n"
    "Sarah,Collins,s.collins@school.example,sarah.c@gmail.com\n"
    "Daniel,Hughes,d.hughes@school.example,\n"
)


@pytest.fixture
def database(db_url: str, tmp_path: Path) -> list[str]:
    """The options every command gets: --data-dir for SQLite, a config file for PostgreSQL."""
    if db_url.startswith("sqlite"):
        return ["--data-dir", str(tmp_path)]
    config = tmp_path / "schoolgate.toml"
    config.write_text(f'data_dir = "{tmp_path}"\ndatabase_url = "{db_url}"\n')
    return ["--config", str(config)]


def run(*args: str) -> Result:
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def csv_file(tmp_path: Path, name: str, text: str, encoding: str = "utf-8") -> str:
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return str(path)


def stored(db_url: str) -> Directory:
    async def load() -> Directory:
        store = await Store.open(db_url)
        try:
            return await load_directory(store)
        finally:
            await store.close()

    return asyncio.run(load())


def test_import_reports_counts_and_show_prints_no_names(
    tmp_path: Path, database: list[str], db_url: str
):
    result = run("roster", "import", csv_file(tmp_path, "roster.csv", ROSTER_A), *database)
    assert result.exit_code == 0, result.output
    assert (
        "Read 3 rows (UTF-8); columns used: legal_surname='Legal Surname', "
        "legal_forename='Legal Forename', preferred_forename='Preferred Forename', "
        "year='Year', reg_group='Reg Group'.\n"
    ) in result.stdout
    assert "Imported 3 pupils from roster.csv." in result.stdout
    assert "within 30 seconds (send it SIGHUP to switch at once)" in result.stdout

    shown = run("roster", "show", *database)
    assert shown.exit_code == 0, shown.output
    assert re.match(
        r"3 pupils \(imported \d{4}-\d\d-\d\d \d\d:\d\d UTC from roster.csv, version 1\)\n",
        shown.stdout,
    )
    assert "year 4: 1" in shown.stdout and "year 5: 2" in shown.stdout
    for name in ("Amelia", "Jones", "Millie", "Siobhan", "Zoë", "5B"):
        assert name not in shown.stdout

    named = run("roster", "show", "--names", *database)
    assert "  Jones, Amelia (known as Millie); year 5, 5B" in named.stdout
    assert "  O'Neill, Siobhan; year 5, 5A" in named.stdout
    assert "  Smith-Jones, Zoë; year 4, 4C" in named.stdout

    directory = stored(db_url)
    assert "A123456789012" not in repr(directory)  # the UPN was never stored
    assert directory.pupils[0] == Pupil(("Amelia", "Millie"), ("Jones",), (), "5", "5B")


def test_reimport_replaces_the_roster_and_a_bad_file_changes_nothing(
    tmp_path: Path, database: list[str], db_url: str
):
    assert run("roster", "import", csv_file(tmp_path, "a.csv", ROSTER_A), *database).exit_code == 0
    result = run("roster", "import", csv_file(tmp_path, "b.csv", ROSTER_B), *database)
    assert result.exit_code == 0, result.output
    assert "Imported 2 pupils from b.csv." in result.stdout
    directory = stored(db_url)
    assert [p.forenames[0] for p in directory.pupils] == ["Will", "Grace"]
    assert directory.version == "r2-s0"

    wrong = run("roster", "import", csv_file(tmp_path, "c.csv", "Colour,Size\nred,L\n"), *database)
    assert wrong.exit_code == 1
    assert "no pupil name column found; the headers are: 'Colour', 'Size'" in wrong.output

    all_bad = run(
        "roster", "import", csv_file(tmp_path, "d.csv", "Forename,Surname\nA,\n"), *database
    )
    assert all_bad.exit_code == 1
    assert "row 2: no surname" in all_bad.stderr
    assert "no pupils could be read from" in all_bad.stderr
    assert "the roster is unchanged" in all_bad.stderr

    empty = run("roster", "import", csv_file(tmp_path, "e.csv", ""), *database)
    assert empty.exit_code == 1 and "is empty" in empty.stderr

    directory = stored(db_url)
    assert [p.forenames[0] for p in directory.pupils] == ["Will", "Grace"]
    assert directory.version == "r2-s0"


def test_a_failed_replace_leaves_the_previous_roster(db_url: str):
    """The replace is one transaction: a row the database refuses rolls back the delete."""

    async def scenario() -> Directory:
        store = await Store.open(db_url)
        try:
            await replace_roster(store, [Pupil(("Amelia",), ("Jones",))], "first.csv")
            good = [Pupil((f"F{n}",), (f"S{n}",)) for n in range(7000)]
            broken = Pupil((None,), ("Jones",))  # type: ignore[arg-type]  # NOT NULL
            with pytest.raises(Exception, match=r"(?i)null"):
                await replace_roster(store, [*good, broken], "second.csv")
            return await load_directory(store)
        finally:
            await store.close()

    directory = asyncio.run(scenario())
    assert directory.pupils == (Pupil(("Amelia",), ("Jones",)),)
    assert directory.version == "r1-s0"


def test_bad_rows_and_encoding_notes_are_printed(tmp_path: Path, database: list[str]):
    text = "Forename,Surname\nZoë,Smith-Jones\n,Brown\nWill,\n"
    result = run("roster", "import", csv_file(tmp_path, "r.csv", text, "cp1252"), *database)
    assert result.exit_code == 0, result.output
    assert "Read 3 rows (Windows-1252)" in result.stdout
    assert "2 rows not imported; problems with these rows:" in result.stderr
    assert "  row 3: no forename\n  row 4: no surname\n" in result.stderr
    assert "Imported 1 pupil from r.csv." in result.stdout


def test_an_explicit_map(tmp_path: Path, database: list[str]):
    path = csv_file(tmp_path, "r.csv", "Given,Family\nAmelia,Jones\n")
    refused = run("roster", "import", path, *database)
    assert refused.exit_code == 1 and "the headers are: 'Given', 'Family'" in refused.stderr
    mapped = run("roster", "import", path, "--map", "forename=Given,surname=Family", *database)
    assert mapped.exit_code == 0, mapped.output
    assert "Imported 1 pupil from r.csv." in mapped.stdout
    bad = run("roster", "import", path, "--map", "given=Given", *database)
    assert bad.exit_code == 2 and "field 'given' is unknown" in bad.output


def test_show_before_any_import(database: list[str]):
    assert run("roster", "show", *database).stdout == "No pupils imported yet.\n"
    assert run("staff", "show", *database).stdout == "No staff imported yet.\n"


def test_staff_import_and_show(tmp_path: Path, database: list[str], db_url: str):
    result = run("staff", "import", csv_file(tmp_path, "staff.csv", STAFF_CSV), *database)
    assert result.exit_code == 0, result.output
    assert "Imported 2 staff (1 personal address) from staff.csv." in result.stdout
    shown = run("staff", "show", *database)
    assert "2 staff (imported" in shown.stdout and "with personal addresses: 1" in shown.stdout
    assert "Collins" not in shown.stdout
    named = run("staff", "show", "--names", *database)
    assert (
        "  Collins, Sarah <s.collins@school.example> (personal: sarah.c@gmail.com)" in named.stdout
    )
    assert stored(db_url).staff[1].email == "d.hughes@school.example"
    refused = run(
        "staff", "import", csv_file(tmp_path, "x.csv", "Name\nSarah Collins\n"), *database
    )
    assert refused.exit_code == 1 and "no staff school email address column" in refused.stderr


class _Consumer:
    def __init__(self) -> None:
        self.refs: list[DirectoryRef] = []

    def set_directory(self, ref: DirectoryRef) -> None:
        self.refs.append(ref)


def test_a_running_gateway_is_handed_each_reimported_roster(
    tmp_path: Path, database: list[str], db_url: str
):
    """What the gateway's DirectoryWatcher does every refresh_interval (and on SIGHUP)."""
    consumer = _Consumer()

    async def refresh() -> bool:
        store = await Store.open(db_url)
        try:
            watcher.store = store
            return await watcher.refresh()
        finally:
            await store.close()

    watcher = DirectoryWatcher(None, tmp_path / "cache", consumer)  # type: ignore[arg-type]
    assert run("roster", "import", csv_file(tmp_path, "a.csv", ROSTER_A), *database).exit_code == 0
    assert asyncio.run(refresh()) is True
    assert asyncio.run(refresh()) is False  # nothing changed
    assert run("roster", "import", csv_file(tmp_path, "b.csv", ROSTER_B), *database).exit_code == 0
    assert asyncio.run(refresh()) is True
    assert [ref.version for ref in consumer.refs] == ["r1-s0", "r2-s0"]
    latest = read_snapshot(consumer.refs[-1])
    assert [p.forenames[0] for p in latest.pupils] == ["Will", "Grace"]


def test_the_name_order_column_is_kept_in_the_database(
    tmp_path: Path, database: list[str], db_url: str
):
    """A roster's "Name Order" column reaches the scan workers through the database."""
    text = "Surname,Forename,Name Order\nWang,Xiaoming,Family first\nJones,Amelia,\n"
    result = run("roster", "import", csv_file(tmp_path, "order.csv", text), *database)
    assert result.exit_code == 0, result.output
    order = {p.surnames[0]: p.family_name_first for p in stored(db_url).pupils}
    assert order == {"Wang": True, "Jones": False}


def test_a_sims_reg_column_is_read_and_columns_left_out_are_named(
    tmp_path: Path, database: list[str], db_url: str
):
    """SIMS exports call the registration group "Reg"; a column the import does not
    read (a date of birth, kept out on purpose) is named, not dropped without a word."""
    text = "Surname,Forename,Reg,DOB\nJones,Amelia,4H,14/05/2016\n"
    result = run("roster", "import", csv_file(tmp_path, "sims.csv", text), *database)
    assert result.exit_code == 0, result.output
    assert "reg_group='Reg'" in result.stdout
    assert "Columns not read: 'DOB'" in result.stdout
    [pupil] = stored(db_url).pupils
    assert pupil.reg_group == "4H"
