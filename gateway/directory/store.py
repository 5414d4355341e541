"""Roster and staff directory in the database, and the watcher that hands changes to
the scan workers without a restart."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Protocol

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from gateway.directory.snapshot import DirectoryRef, write_snapshot
from gateway.storage.engine import Store
from models import Directory, Pupil, StaffMember
from models.schema import directory_state, pupils, staff

log = logging.getLogger(__name__)

ROSTER = "roster"
STAFF = "staff"


@dataclass(frozen=True, slots=True)
class DirectoryStatus:
    name: str
    generation: int
    count: int
    updated_at: datetime | None
    source: str


async def _bump(conn: AsyncConnection, name: str, count: int, source: str) -> None:
    now = datetime.now(UTC)
    updated = await conn.execute(
        directory_state.update()
        .where(directory_state.c.name == name)
        .values(
            generation=directory_state.c.generation + 1,
            updated_at=now,
            count=count,
            source=source[:255],
        )
    )
    if updated.rowcount == 0:
        await conn.execute(
            directory_state.insert().values(
                name=name, generation=1, updated_at=now, count=count, source=source[:255]
            )
        )


def _split(value: str) -> tuple[str, ...]:
    return tuple(value.split()) if value else ()


async def replace_roster(store: Store, roster: list[Pupil], source: str) -> int:
    """Replace every pupil in one transaction: readers see the old roster or the new one."""
    rows = [
        {
            "legal_forename": p.forenames[0],
            "preferred_forename": p.forenames[1] if len(p.forenames) > 1 else "",
            "middle_names": " ".join(p.middle_names),
            "legal_surname": p.surnames[0],
            "preferred_surname": p.surnames[1] if len(p.surnames) > 1 else "",
            "year_group": p.year or "",
            "reg_group": p.reg_group or "",
            "family_name_first": p.family_name_first,
        }
        for p in roster
    ]
    async with store.begin() as conn:
        await conn.execute(pupils.delete())
        for start in range(0, len(rows), 5000):
            await conn.execute(pupils.insert(), rows[start : start + 5000])
        await _bump(conn, ROSTER, len(rows), source)
    return len(rows)


async def replace_staff(store: Store, members: list[StaffMember], source: str) -> int:
    rows = [
        {
            "forename": m.forename,
            "surname": m.surname,
            "email": m.email.lower(),
            "personal_emails": [e.lower() for e in m.personal_emails],
        }
        for m in members
    ]
    async with store.begin() as conn:
        await conn.execute(staff.delete())
        for start in range(0, len(rows), 5000):
            await conn.execute(staff.insert(), rows[start : start + 5000])
        await _bump(conn, STAFF, len(rows), source)
    return len(rows)


async def _read_status(conn: AsyncConnection) -> dict[str, DirectoryStatus]:
    result = await conn.execute(sa.select(directory_state))
    # By key: a Row's `count` attribute is, to the type checker, tuple.count.
    rows = [row._mapping for row in result]
    return {
        r["name"]: DirectoryStatus(
            r["name"], r["generation"], r["count"], r["updated_at"], r["source"]
        )
        for r in rows
    }


async def directory_status(store: Store) -> dict[str, DirectoryStatus]:
    async with store.connect() as conn:
        return await _read_status(conn)


def _version(status: dict[str, DirectoryStatus]) -> str:
    roster = status.get(ROSTER)
    members = status.get(STAFF)
    if roster is None and members is None:
        return "empty"
    return f"r{roster.generation if roster else 0}-s{members.generation if members else 0}"


async def load_directory(store: Store) -> Directory:
    async with store.connect() as conn:
        status = await _read_status(conn)
        pupil_rows = (await conn.execute(sa.select(pupils).order_by(pupils.c.id))).all()
        staff_rows = (await conn.execute(sa.select(staff).order_by(staff.c.id))).all()
    return Directory(
        pupils=tuple(
            Pupil(
                forenames=tuple(
                    dict.fromkeys(n for n in (r.legal_forename, r.preferred_forename) if n)
                ),
                surnames=tuple(
                    dict.fromkeys(n for n in (r.legal_surname, r.preferred_surname) if n)
                ),
                middle_names=_split(r.middle_names),
                year=r.year_group or None,
                reg_group=r.reg_group or None,
                family_name_first=bool(r.family_name_first),
            )
            for r in pupil_rows
        ),
        staff=tuple(
            StaffMember(
                forename=r.forename,
                surname=r.surname,
                email=r.email,
                personal_emails=tuple(r.personal_emails),
            )
            for r in staff_rows
        ),
        version=_version(status),
    )


class DirectoryConsumer(Protocol):
    def set_directory(self, ref: DirectoryRef) -> None: ...


class DirectoryWatcher:
    """Notices a re-imported roster or staff list and gives the workers a new snapshot."""

    def __init__(self, store: Store, cache_dir: Path, consumer: DirectoryConsumer) -> None:
        self.store = store
        self.cache_dir = cache_dir
        self.consumer = consumer
        self.version: str | None = None

    async def refresh(self) -> bool:
        """Load and publish the directory if it changed; True when it did."""
        version = _version(await directory_status(self.store))
        if version == self.version:
            return False
        directory = await load_directory(self.store)
        ref = await asyncio.to_thread(write_snapshot, directory, self.cache_dir)
        self.consumer.set_directory(ref)
        self.version = directory.version
        log.info(
            "directory %s loaded: %d pupils, %d staff",
            directory.version,
            len(directory.pupils),
            len(directory.staff),
        )
        return True

    async def check(self) -> None:
        """`refresh`, logging instead of raising: a database hiccup must not stop the gateway."""
        try:
            await self.refresh()
        except Exception:
            log.exception("could not check the roster for changes")

    async def poll(self, interval: float) -> None:
        while True:
            await asyncio.sleep(interval)
            await self.check()
