"""What every sub-command shares: --config and --data-dir, config errors, async running.

(The database is opened by gateway/cli/database.py: `held list` usually asks the
running gateway instead, and must not pay for importing SQLAlchemy.)
"""

from __future__ import annotations

import asyncio
import functools
import logging
import sys
from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import Any, TypeVar

import click

from gateway.config.settings import Config, ConfigError, load

T = TypeVar("T")


def config_options(func: Callable[..., Any]) -> Callable[..., Any]:
    """Add --config and --data-dir, so every sub-command acts on the same data as `serve`."""
    func = click.option(
        "--data-dir",
        type=click.Path(file_okay=False, path_type=Path),
        help="Folder for the database, keys and outbox (overrides data_dir).",
    )(func)
    func = click.option(
        "--config",
        "config_path",
        type=click.Path(dir_okay=False, path_type=Path),
        envvar="SCHOOLGATE_CONFIG",
        help="Configuration file (TOML). Default: built-in defaults, or $SCHOOLGATE_CONFIG.",
    )(func)
    return func


def load_config(
    config_path: Path | None,
    data_dir: Path | None,
    overrides: dict[str, Any] | None = None,
    *,
    check_detectors: bool = True,
) -> Config:
    """Load the config or exit 2 with the validation messages (see config.validate for
    `check_detectors`)."""
    merged = dict(overrides or {})
    if data_dir is not None:
        merged["data_dir"] = str(data_dir)
    try:
        return load(config_path, merged, check_detectors=check_detectors)
    except ConfigError as exc:
        raise click.ClickException(str(exc)) from None


def run(coro: Coroutine[Any, Any, T]) -> T:
    return asyncio.run(coro)


def setup_logging(level: str) -> None:
    logging.basicConfig(
        level=level.upper(),
        stream=sys.stderr,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    # aiosmtpd logs every command (with addresses) at INFO: keep that for debugging only.
    logging.getLogger("mail.log").setLevel(logging.DEBUG if level == "debug" else logging.WARNING)


def async_command(func: Callable[..., Coroutine[Any, Any, T]]) -> Callable[..., T]:
    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> T:
        return run(func(*args, **kwargs))

    return wrapper
