"""`schoolgate users`: accounts are made and changed from the command line, audited."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import sqlalchemy as sa
from click.testing import CliRunner

from gateway.cli import main as cli
from models.schema import audit_log, console_users
from tests.gateway.web.console import PASSWORD, Console, post_form
from tests.harness import gateway_config


def _users(tmp_path: Path, *args: str, input: str | None = None):  # type: ignore[no-untyped-def]
    gateway_config(tmp_path, None)  # writes tmp_path/schoolgate.toml
    return CliRunner().invoke(
        cli, ["users", *args, "--config", str(tmp_path / "schoolgate.toml")], input=input
    )


@pytest.mark.parametrize(
    ("args", "input", "problem"),
    [
        (
            ["add", "a@school.example", "--role", "admin", "--password-stdin"],
            "short\n",
            "at least 12 characters",
        ),  # too short
        (
            ["add", "not-an-address", "--role", "admin", "--password-stdin"],
            PASSWORD + "\n",
            "is not an email address",
        ),  # not an email address
        (
            ["add", "a@school.example", "--role", "head", "--password-stdin"],
            PASSWORD + "\n",
            "'head' is not one of 'admin', 'dsl', 'auditor'",
        ),  # unknown role
        (
            ["add", "a@school.example", "--role", "dsl"],
            f"{PASSWORD}\nsomething else\n",
            "do not match",
        ),  # the prompt's two passwords differ
        (["disable", "nobody@school.example"], None, "no console account for nobody"),
        (
            ["set-password", "nobody@school.example", "--password-stdin"],
            PASSWORD + "\n",
            "no console account",
        ),
    ],
)
def test_bad_input_is_refused_with_the_reason(
    tmp_path: Path, args: list[str], input: str | None, problem: str
):
    result = _users(tmp_path, *args, input=input)
    assert result.exit_code != 0
    assert problem in result.output


def test_accounts_are_added_listed_and_changed(tmp_path: Path):
    assert (
        _users(
            tmp_path,
            "add",
            "A@School.example",
            "--role",
            "admin",
            "--password-stdin",
            input=PASSWORD + "\n",
        ).exit_code
        == 0
    )
    prompted = _users(
        tmp_path, "add", "dsl@school.example", "--role", "dsl", input=f"{PASSWORD}\n{PASSWORD}\n"
    )
    assert prompted.exit_code == 0, prompted.output
    assert (
        _users(
            tmp_path, "add", "sso@school.example", "--role", "auditor", "--no-password"
        ).exit_code
        == 0
    )
    again = _users(
        tmp_path,
        "add",
        "a@school.example",
        "--role",
        "dsl",
        "--password-stdin",
        input=PASSWORD + "\n",
    )
    assert again.exit_code == 1 and "already has an account" in again.output
    assert _users(tmp_path, "disable", "dsl@school.example").exit_code == 0
    assert _users(tmp_path, "totp", "a@school.example").exit_code == 0
    listed = _users(tmp_path, "list").output.splitlines()
    assert [re.split(r"\s+", line)[:3] for line in listed] == [
        ["a@school.example", "admin", "active"],  # stored in lower case
        ["dsl@school.example", "dsl", "disabled"],
        ["sso@school.example", "auditor", "active"],
    ]
    assert "(totp)" in listed[0] and "(no password)" in listed[2]
    assert _users(tmp_path, "totp", "a@school.example", "--off").exit_code == 0
    assert "(totp)" not in _users(tmp_path, "list").output


def test_user_changes_are_audited_and_hashes_are_argon2(console: Console):
    console.add_user("a@school.example", "admin")
    assert console.cli("users", "disable", "a@school.example").exit_code == 0
    assert console.cli("users", "enable", "a@school.example").exit_code == 0
    actions = [
        (r.action, r.detail)
        for r in console.query(sa.select(audit_log).where(audit_log.c.action.like("user-%")))
    ]
    assert actions == [
        ("user-add", "a@school.example as admin"),
        ("user-disable", "a@school.example"),
        ("user-enable", "a@school.example"),
    ]
    [user] = console.query(sa.select(console_users))
    assert user.password_hash.startswith("$argon2id$") and PASSWORD not in user.password_hash


def test_an_account_without_a_password_cannot_sign_in_with_one(console: Console):
    assert (
        console.cli(
            "users", "add", "sso@school.example", "--role", "dsl", "--no-password"
        ).exit_code
        == 0
    )
    with console.client() as client:
        for guess in ("", PASSWORD, "schoolgate-no-such-account"):
            response = post_form(
                client, "/signin", "/signin", email="sso@school.example", password=guess
            )
            assert response.status_code == 400
