"""`schoolgate held ...`: list, inspect, release, reject and delete held mail.

Each sub-command lives in its own module and is imported only when run: `held list`
is the one a technician types most, and it must not load the database layer when the
running gateway can answer it (gateway/cli/held_list.py)."""

from __future__ import annotations

import click

from gateway.cli.lazy import LazyGroup

HELD_COMMANDS: dict[str, tuple[str, str]] = {
    "list": ("gateway.cli.held_list:list_held", "List held messages, newest first."),
    "show": (
        "gateway.cli.held_show:show",
        "Show one held message: why it was held, what was found, what happened since.",
    ),
    "release": (
        "gateway.cli.held_decide:release",
        "Deliver a held message (its original bytes plus one trace header).",
    ),
    "reject": (
        "gateway.cli.held_decide:reject",
        "Do not deliver a held message; the sender is told, with --reason.",
    ),
    "delete": (
        "gateway.cli.held_decide:delete",
        "Do not deliver, and erase the message's content now (its redacted record stays).",
    ),
}


@click.group(cls=LazyGroup, lazy_commands=HELD_COMMANDS)
def held() -> None:
    """Held mail: list it, look at it, release, reject or delete it.

    These act on the same database as the running gateway (give the same --config).
    Every action is written to the audit log with who did it and why.
    """
