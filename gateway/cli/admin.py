"""Small administrative commands: config check, db upgrade, hash-password."""

from __future__ import annotations

from pathlib import Path

import click
from argon2 import PasswordHasher

from gateway.cli.common import async_command, config_options, load_config
from gateway.cli.database import open_store


@click.group()
def config() -> None:
    """Check the configuration file."""


@config.command("check")
@config_options
def config_check(config_path: Path | None, data_dir: Path | None) -> None:
    """Validate the config file and print the effective rules."""
    cfg = load_config(config_path, data_dir)
    click.echo(f"configuration OK ({config_path or 'built-in defaults'})")
    click.echo(f"  data_dir: {cfg.data_dir}")
    click.echo(f"  listen:   {cfg.smtp.listen}")
    click.echo(f"  next hop: {cfg.relay.next_hop or 'built-in outbox ' + str(cfg.outbox_dir)}")
    click.echo(f"  detectors: {', '.join(cfg.active_detectors) or 'none'}")
    for rule in cfg.effective_rules():
        click.echo(f"  rule {rule.name}: {rule.action}")


@click.group()
def db() -> None:
    """Database schema."""


@db.command("upgrade")
@config_options
@async_command
async def db_upgrade(config_path: Path | None, data_dir: Path | None) -> None:
    """Create or upgrade the database schema to this version."""
    cfg = load_config(config_path, data_dir)
    store = await open_store(cfg)
    await store.close()
    click.echo("database schema is up to date")


@click.command("hash-password")
def hash_password() -> None:
    """Print an argon2 hash of a password read from a prompt (or stdin), for smtp.auth_users."""
    password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    click.echo(PasswordHasher().hash(password))
