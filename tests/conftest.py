"""Suite-wide fixtures: real servers and real databases (SQLite and PostgreSQL)."""

from __future__ import annotations

import asyncio
import os
import uuid
from collections.abc import Callable, Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import asyncpg
import pytest

from tests.harness import CaptureServer, GatewayRunner, gateway_config
from tests.support import require

PG_DSN = os.environ.get("SCHOOLGATE_TEST_PG", "postgresql://postgres@127.0.0.1:5432/postgres")


async def _pg_admin(sql: str) -> None:
    conn = await asyncpg.connect(PG_DSN, timeout=10)
    try:
        await conn.execute(sql)
    finally:
        await conn.close()


def _postgres_available() -> bool:
    try:
        asyncio.run(_pg_admin("SELECT 1"))
    except (OSError, asyncpg.PostgresError, TimeoutError):
        return False
    return True


@pytest.fixture
def postgres_url() -> Iterator[str]:
    """A fresh, empty PostgreSQL database for one test, dropped afterwards."""
    require(_postgres_available(), f"PostgreSQL is not reachable at {PG_DSN}")
    name = f"sg_test_{uuid.uuid4().hex[:12]}"
    asyncio.run(_pg_admin(f'CREATE DATABASE "{name}"'))
    base = PG_DSN.rsplit("/", 1)[0].replace("postgresql://", "postgresql+asyncpg://")
    try:
        yield f"{base}/{name}"
    finally:
        asyncio.run(_pg_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """Run a storage test once on SQLite and once on PostgreSQL."""
    if request.param == "sqlite":
        return f"sqlite+aiosqlite:///{tmp_path / 'schoolgate.db'}"
    return str(request.getfixturevalue("postgres_url"))


@pytest.fixture
def capture() -> Iterator[CaptureServer]:
    server = CaptureServer().start()
    try:
        yield server
    finally:
        server.close()


@pytest.fixture
def start_gateway(tmp_path: Path) -> Iterator[Callable[..., GatewayRunner]]:
    """Start a real gateway: start_gateway(next_hop_port, **config overrides)."""
    runners: list[GatewayRunner] = []

    def _start(
        next_hop_port: int | None, clock: Callable[[], datetime] | None = None, **overrides: Any
    ) -> GatewayRunner:
        config = gateway_config(tmp_path, next_hop_port, **overrides)
        runner = GatewayRunner(config, clock=clock).start()
        runners.append(runner)
        return runner

    try:
        yield _start
    finally:
        for runner in runners:
            runner.stop()
