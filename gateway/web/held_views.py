"""Held messages prepared for the console, in the scan workers, once per hold.

Showing a held message means parsing it again (PDFs, spreadsheets, archives...). Done
in the gateway's own process, six people opening a 2,500-page PDF at once crashed it,
SMTP included: PDFium is not thread-safe (issue 11). So the parse and the marking of
findings run in the scan workers, with the scan's timeout and kill, and the result is
kept per hold (a held message never changes), so a queue of reviewers opening the same
message costs one parse.
"""

from __future__ import annotations

import asyncio
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from typing import Any

from gateway.scanning.parse import parse_message
from gateway.scanning.pool import ScanPool
from gateway.scanning.worker import worker_parse_settings
from gateway.web.message_view import MessageView, build_view
from models import Envelope

CACHED_VIEWS = 8
"""Views kept in memory: the few messages reviewers have open at a time."""


def prepare_view(
    raw: bytes, envelope: Envelope, findings: tuple[dict[str, Any], ...]
) -> MessageView:
    """Runs in a scan worker: the message parsed as the scanner parsed it, findings marked."""
    return build_view(parse_message(raw, envelope, worker_parse_settings()), findings)


class HeldViews:
    """Views of held messages, prepared by the pool, one preparation per hold at a time."""

    def __init__(self, pool: ScanPool, capacity: int = CACHED_VIEWS) -> None:
        self.pool = pool
        self.capacity = capacity
        self.prepared = 0
        """Views prepared in the workers so far (the rest came from the cache)."""
        self._views: OrderedDict[str, MessageView] = OrderedDict()
        self._pending: dict[str, asyncio.Future[MessageView]] = {}

    async def view(
        self,
        hold_id: str,
        content: Callable[[], Awaitable[bytes]],
        envelope: Envelope,
        findings: tuple[dict[str, Any], ...],
    ) -> MessageView:
        """The view of a hold; raises ScanFailed when the workers could not prepare it.
        `content` fetches (and decrypts) the message only when it must be parsed."""
        cached = self._views.get(hold_id)
        if cached is not None:
            self._views.move_to_end(hold_id)
            return cached
        pending = self._pending.get(hold_id)
        if pending is not None:
            return await asyncio.shield(pending)
        future: asyncio.Future[MessageView] = asyncio.get_running_loop().create_future()
        self._pending[hold_id] = future
        try:
            raw = await content()
            view = await self.pool.run(prepare_view, raw, envelope, findings)
        except BaseException as exc:
            future.set_exception(exc)
            future.exception()  # retrieved: waiters see it, the loop does not log it
            raise
        finally:
            del self._pending[hold_id]
        self.prepared += 1
        future.set_result(view)
        self._views[hold_id] = view
        while len(self._views) > self.capacity:
            self._views.popitem(last=False)
        return view

    def forget(self, hold_id: str) -> None:
        """Drop a hold's view (its content was erased)."""
        self._views.pop(hold_id, None)
