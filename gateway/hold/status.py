"""The states of a held message (a module of its own, so the command line can offer
them as choices without loading the database layer)."""

from __future__ import annotations


class HoldStatus:
    HELD = "held"
    RELEASING = "releasing"
    RELEASED = "released"
    REJECTED = "rejected"
    CANCELLED = "cancelled"
    EXPIRED = "expired"
    DELETED = "deleted"
    FAILED = "failed"

    FINAL = frozenset({RELEASED, REJECTED, CANCELLED, EXPIRED, DELETED, FAILED})
    ORDER = (HELD, RELEASING, *sorted(FINAL))
    """Every status, in the order the console and the command line offer them."""
