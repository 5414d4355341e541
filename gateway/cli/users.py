"""`schoolgate users ...`: console accounts (admin, dsl, auditor), passwords and TOTP.

Passwords are read from a prompt, or with --password-stdin from the first line of
standard input (for scripts); they never appear on the command line. Every change is
written to the audit log. TOTP keys are sealed with the web secret, which is loaded as the
server loads it (web.secret_key_env, else the web key file), so both agree.
"""

from __future__ import annotations

import getpass
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import click

from gateway.cli.common import async_command, config_options, load_config
from gateway.cli.database import open_store
from gateway.config.settings import Config
from gateway.security import passwords
from gateway.security.keyfiles import KeyFileError, load_secret
from gateway.storage import audit
from gateway.storage.audit import Actor
from gateway.web import totp
from gateway.web.roles import Role
from gateway.web.users_store import UserError, UserStore

ROLES = [str(r) for r in Role]


def _actor() -> Actor:
    return Actor(f"{getpass.getuser()} (command line)", "admin")


async def _with_users(
    config_path: Path | None,
    data_dir: Path | None,
    work: Callable[[UserStore, Config], Awaitable[Any]],
) -> Any:
    config = load_config(config_path, data_dir, check_detectors=False)  # scans nothing
    try:
        web_secret = load_secret(config.web.secret_key_env, config.web_key_file)
    except KeyFileError as exc:
        raise click.ClickException(str(exc)) from None
    store = await open_store(config)
    try:
        return await work(UserStore(store, web_secret), config)
    except UserError as exc:
        raise click.ClickException(str(exc)) from None
    finally:
        await store.close()


def _read_password(from_stdin: bool) -> str:
    if from_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    try:
        passwords.check_strength(password)
    except passwords.WeakPassword as exc:
        raise click.ClickException(str(exc)) from None
    return password


def _password_options(func: Callable[..., Any]) -> Callable[..., Any]:
    return click.option(
        "--password-stdin", is_flag=True, help="Read the password from standard input."
    )(func)


@click.group()
def users() -> None:
    """Web console accounts: add, list, disable, enable, set passwords, enrol TOTP.

    Roles: admin (releases and rejects held mail), dsl (reviews the incident log and
    reads everything), auditor (metadata only: never message content).
    """


@users.command("add")
@config_options
@click.argument("email")
@click.option("--role", type=click.Choice(ROLES), required=True, help="What the account may do.")
@_password_options
@click.option(
    "--no-password",
    is_flag=True,
    help="No password: the account can only sign in through single sign-on (web.oidc).",
)
@async_command
async def add(
    config_path: Path | None,
    data_dir: Path | None,
    email: str,
    role: str,
    password_stdin: bool,
    no_password: bool,
) -> None:
    """Add a console account (the password is asked for, twice)."""
    hashed = None if no_password else passwords.hash_password(_read_password(password_stdin))

    async def work(store: UserStore, config: Config) -> None:
        user = await store.add(email, role, hashed)
        await audit.log(store.store, _actor(), "user-add", detail=f"{user.email} as {role}")
        click.echo(f"added {user.email} ({role})")

    await _with_users(config_path, data_dir, work)


@users.command("list")
@config_options
@async_command
async def list_users(config_path: Path | None, data_dir: Path | None) -> None:
    """List console accounts with their role and state."""

    async def work(store: UserStore, config: Config) -> None:
        accounts = await store.all()
        for user in accounts:
            state = "disabled" if user.disabled else ("locked" if user.locked() else "active")
            extras = [
                _totp_state(user.totp_secret),
                "no password" if not user.password_hash else "",
            ]
            last = f"{user.last_sign_in_at:%Y-%m-%d %H:%M}" if user.last_sign_in_at else "never"
            extra = ", ".join(e for e in extras if e)
            click.echo(
                f"{user.email:40} {user.role:8} {state:8} last sign-in {last}"
                + (f"  ({extra})" if extra else "")
            )
        if not accounts:
            click.echo("no console accounts yet: add one with `schoolgate users add`", err=True)

    await _with_users(config_path, data_dir, work)


def _totp_state(secret: str | None) -> str:
    if secret is None:
        return ""
    if secret == totp.UNREADABLE:
        return "totp key unreadable: enrol again with `schoolgate users totp`"
    return "totp"


def _switch(name: str, disabled: bool, summary: str) -> None:
    @users.command(name, help=summary)
    @config_options
    @click.argument("email")
    @async_command
    async def command(config_path: Path | None, data_dir: Path | None, email: str) -> None:
        async def work(store: UserStore, config: Config) -> None:
            user = await store.require(email)
            await store.set_disabled(user.id, disabled)
            await audit.log(store.store, _actor(), f"user-{name}", detail=user.email)
            click.echo(f"{user.email} {name}d")

        await _with_users(config_path, data_dir, work)


_switch("disable", True, "Stop an account signing in, and end its sessions now.")
_switch("enable", False, "Let a disabled or locked-out account sign in again.")


@users.command("set-password")
@config_options
@click.argument("email")
@_password_options
@async_command
async def set_password(
    config_path: Path | None, data_dir: Path | None, email: str, password_stdin: bool
) -> None:
    """Set a new password (also lifts a lockout and signs the account out everywhere)."""
    hashed = passwords.hash_password(_read_password(password_stdin))

    async def work(store: UserStore, config: Config) -> None:
        user = await store.require(email)
        await store.set_password(user.id, hashed)
        await audit.log(store.store, _actor(), "user-password", detail=user.email)
        click.echo(f"password changed for {user.email}")

    await _with_users(config_path, data_dir, work)


@users.command("totp")
@config_options
@click.argument("email")
@click.option("--off", is_flag=True, help="Remove the account's one-time codes.")
@async_command
async def enrol_totp(
    config_path: Path | None, data_dir: Path | None, email: str, off: bool
) -> None:
    """Enrol one-time codes (TOTP) for an account: prints the key for an authenticator app.

    From then on, signing in with a password also needs the 6-digit code the app shows.
    Running it again replaces the key (the old one stops working).
    """

    async def work(store: UserStore, config: Config) -> None:
        user = await store.require(email)
        if off:
            await store.set_totp(user.id, None)
            await audit.log(store.store, _actor(), "user-totp-off", detail=user.email)
            click.echo(f"one-time codes removed for {user.email}")
            return
        secret = totp.new_secret()
        await store.set_totp(user.id, secret)
        await audit.log(store.store, _actor(), "user-totp", detail=user.email)
        click.echo(f"one-time codes enrolled for {user.email}")
        click.echo(f"key (type into the app): {secret}")
        uri = totp.provisioning_uri(secret, user.email, config.school.name)
        click.echo(f"or open / make a QR code of: {uri}")

    await _with_users(config_path, data_dir, work)
