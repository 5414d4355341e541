"""The command group.

Sub-commands are registered by import path and imported only when one is run (or its
own --help is asked for): `schoolgate --version`, `--help` and a short command such as
`held list` must not pay for importing the server, the web app and the detectors, which
cost seconds of CPU. So the modules in this package may import what their commands need
inside the command body when only some of their commands need it; that is for start-up
cost, not to dodge an import cycle.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterator, MutableMapping
from typing import Any

import click

from gateway import __version__

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


class LazyCommands(MutableMapping[str, click.Command]):
    """A group's `commands` that imports each command on first access by name.

    Listing the names imports nothing; anything that walks `group.commands` (click's
    dispatch, completion, the help tests) still gets the real command objects."""

    def __init__(self, paths: dict[str, str]) -> None:
        self._paths = dict(paths)
        self._loaded: dict[str, click.Command] = {}

    def __getitem__(self, name: str) -> click.Command:
        if name not in self._loaded:
            module, _, attribute = self._paths[name].partition(":")
            command = getattr(importlib.import_module(module), attribute)
            assert isinstance(command, click.Command), self._paths[name]
            self._loaded[name] = command
        return self._loaded[name]

    def __setitem__(self, name: str, command: click.Command) -> None:
        self._loaded[name] = command
        self._paths.setdefault(name, "")

    def __delitem__(self, name: str) -> None:
        del self._paths[name]
        self._loaded.pop(name, None)

    def __iter__(self) -> Iterator[str]:
        return iter(self._paths)

    def __len__(self) -> int:
        return len(self._paths)

    def loaded(self, name: str) -> bool:
        return name in self._loaded


class LazyGroup(click.Group):
    """A group whose sub-commands are imported when used; its --help lists them from
    the summaries in COMMANDS, without importing one."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.commands = LazyCommands({name: path for name, (path, _) in COMMANDS.items()})

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        names = self.list_commands(ctx)
        if not names:
            return
        limit = formatter.width - 6 - max(len(name) for name in names)
        rows = [(name, self._summary(name).get_short_help_str(limit)) for name in names]
        with formatter.section("Commands"):
            formatter.write_dl(rows)

    def _summary(self, name: str) -> click.Command:
        """The command itself once imported, else a stand-in carrying its summary."""
        commands = self.commands
        if name not in COMMANDS or (isinstance(commands, LazyCommands) and commands.loaded(name)):
            return commands[name]
        return click.Command(name, help=COMMANDS[name][1])


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="schoolgate")
def main() -> None:
    """schoolgate: outbound email data-loss prevention for UK schools.

    An SMTP relay in front of the school's mail server that checks every outgoing
    message for pupils' full names, unprotected personal data, chain letters and
    personal email addresses, then delivers, warns, holds or refuses it.
    """
