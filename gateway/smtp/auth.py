"""SMTP AUTH for clients outside the client networks (a copier, an off-site MIS).

Three things a brute-force run showed (issue 11): the argon2 check took ~0.7 s on the
event loop, so every other session waited; an unknown user was refused in under a
millisecond, so usernames could be told apart by timing; and failures cost the
attacker nothing. So the check runs in a thread, an unknown user is checked against a
dummy hash of the same cost, and repeated failures are refused for a while, per client
address and (more leniently, so one attacker cannot lock a real device out for long)
per username.
"""

from __future__ import annotations

import hashlib
import logging
import time
from collections import OrderedDict, deque
from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import Enum

from gateway.security import passwords

log = logging.getLogger(__name__)

SUCCESS_CACHE_SECONDS = 300.0
"""A client that re-authenticates on every connection (most do) pays argon2 once."""
MAX_TRACKED = 10_000
"""Addresses and usernames remembered at most: bounds memory under a spray attack."""


class AuthOutcome(Enum):
    ACCEPTED = "accepted"
    REFUSED = "refused"
    THROTTLED = "throttled"


@dataclass
class FailureCounter:
    """Failures per key (a client address or a username) within a sliding window."""

    limit: int
    window: float
    _failures: OrderedDict[str, deque[float]] = field(default_factory=OrderedDict)

    def _recent(self, key: str, now: float) -> deque[float]:
        times = self._failures.get(key)
        if times is None:
            return deque()
        while times and times[0] <= now - self.window:
            times.popleft()
        if not times:
            del self._failures[key]
        return times

    def blocked(self, key: str, now: float) -> bool:
        return len(self._recent(key, now)) >= self.limit

    def count(self, key: str, now: float) -> int:
        return len(self._recent(key, now))

    def fail(self, key: str, now: float) -> None:
        times = self._failures.setdefault(key, deque())
        times.append(now)
        self._failures.move_to_end(key)
        while len(self._failures) > MAX_TRACKED:
            self._failures.popitem(last=False)

    def clear(self, key: str) -> None:
        self._failures.pop(key, None)


@dataclass
class SmtpAuthenticator:
    """Checks SMTP AUTH credentials against the configured accounts."""

    hashes: dict[str, str]
    """Username -> argon2 hash (from `[smtp] auth_users`)."""
    by_client: FailureCounter
    by_user: FailureCounter
    _accepted: dict[bytes, float] = field(default_factory=dict)

    @classmethod
    def build(
        cls,
        users: Iterable[tuple[str, str]],
        *,
        max_failures_per_client: int,
        max_failures_per_user: int,
        window: float,
    ) -> SmtpAuthenticator:
        return cls(
            hashes=dict(users),
            by_client=FailureCounter(max_failures_per_client, window),
            by_user=FailureCounter(max_failures_per_user, window),
        )

    async def verify(self, username: str, password: bytes, client: str) -> AuthOutcome:
        now = time.monotonic()
        if self.by_client.blocked(client, now) or self.by_user.blocked(username, now):
            log.warning(
                "SMTP AUTH for %r from %s refused without checking: too many failed "
                "attempts in the last %d minutes",
                username,
                client,
                self.by_client.window // 60,
            )
            return AuthOutcome.THROTTLED
        key = hashlib.sha256(username.encode() + b"\0" + password).digest()
        if self._accepted.get(key, 0.0) > now:
            return AuthOutcome.ACCEPTED
        if await passwords.verify(self.hashes.get(username), password):
            self._accepted = {k: t for k, t in self._accepted.items() if t > now}
            self._accepted[key] = now + SUCCESS_CACHE_SECONDS
            self.by_client.clear(client)
            return AuthOutcome.ACCEPTED
        self.by_client.fail(client, now)
        self.by_user.fail(username, now)
        log.warning(
            "failed SMTP AUTH for %r from %s (%d failures from that address recently)",
            username,
            client,
            self.by_client.count(client, now),
        )
        return AuthOutcome.REFUSED
