"""Command groups whose sub-commands are imported only when one is run.

`schoolgate --version`, `--help` and a short command such as `held list` must not pay
for importing the server, the web app, the database layer and the detectors, which cost
seconds of CPU; so a group is given (module:attribute, summary) per sub-command and
imports the module on first use. The summaries are kept beside the table and checked
against each command's own help by tests/gateway/test_cli_startup.py.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterator, Mapping, MutableMapping
from typing import Any

import click


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
    the summaries it was given, without importing one."""

    def __init__(
        self, *args: Any, lazy_commands: Mapping[str, tuple[str, str]], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.summaries = {name: summary for name, (_, summary) in lazy_commands.items()}
        self.commands = LazyCommands({name: path for name, (path, _) in lazy_commands.items()})

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
        if name not in self.summaries or (
            isinstance(commands, LazyCommands) and commands.loaded(name)
        ):
            return commands[name]
        return click.Command(name, help=self.summaries[name])
