"""Deliberate crash points, for the crash-safety tests and nothing else.

`SCHOOLGATE_CRASH_AT=<name>` makes the process SIGKILL itself when it reaches that
point, which is the only faithful way to show that a crash between two steps loses
nothing. Unset (always, in production), a crash point costs one comparison.
"""

from __future__ import annotations

import os
import signal

_POINT = os.environ.get("SCHOOLGATE_CRASH_AT", "")


def crash_point(name: str) -> None:
    if _POINT and name == _POINT:
        os.kill(os.getpid(), signal.SIGKILL)
