"""The command group.

Sub-commands are registered by import path and imported only when one is run (or its
own --help is asked for): `schoolgate --version`, `--help` and a short command such as
`held list` must not pay for importing the server, the web app and the detectors, which
cost seconds of CPU. So the modules in this package may import what their commands need
inside the command body when only some of their commands need it; that is for start-up
cost, not to dodge an import cycle.
"""

from __future__ import annotations

import click

from gateway import __version__
from gateway.cli.lazy import LazyGroup

# name: (module:attribute, the first sentence of its help for `schoolgate --help`).
# tests/gateway/test_cli_startup.py checks each summary against the command's own help.
COMMANDS: dict[str, tuple[str, str]] = {
    "serve": (
        "gateway.cli.serve:serve",
        "Run the gateway: receive, scan, decide, then deliver, hold or refuse.",
    ),
    "scan": (
        "gateway.cli.scan:scan",
        "Scan .eml files exactly as the gateway would and print one JSON object per file.",
    ),
    "config": ("gateway.cli.admin:config", "Check the configuration file."),
    "db": ("gateway.cli.admin:db", "Database schema."),
    "hash-password": (
        "gateway.cli.admin:hash_password",
        "Print an argon2 hash of a password read from a prompt (or stdin), for smtp.auth_users.",
    ),
    "roster": (
        "gateway.cli.roster:roster",
        "Import and inspect the pupil roster (from the MIS export).",
    ),
    "staff": ("gateway.cli.roster:staff", "Import and inspect the staff directory."),
    "freemail": (
        "gateway.cli.freemail:freemail",
        "Inspect and update the shipped list of free-mail (personal) domains.",
    ),
    "held": (
        "gateway.cli.held:held",
        "Held mail: list it, look at it, release, reject or delete it.",
    ),
    "users": (
        "gateway.cli.users:users",
        "Web console accounts: add, list, disable, enable, set passwords, enrol TOTP.",
    ),
}


@click.group(
    cls=LazyGroup,
    lazy_commands=COMMANDS,
    context_settings={"help_option_names": ["-h", "--help"]},
)
@click.version_option(__version__, prog_name="schoolgate")
def main() -> None:
    """schoolgate: outbound email data-loss prevention for UK schools.

    An SMTP relay in front of the school's mail server that checks every outgoing
    message for pupils' full names, unprotected personal data, chain letters and
    personal email addresses, then delivers, warns, holds or refuses it.
    """
