"""Every reply the gateway itself writes to an SMTP client, by name, and how a long
reply is wrapped: 7-bit, and within the protocol's line limit.

Replies relayed from the next hop are passed on as they came; these are the gateway's
own. A 4xx asks the sender's server to try again (nothing is lost); a 5xx refuses for
good, with the reason in words a member of staff can act on.
"""

from __future__ import annotations

from gateway.delivery.ascii import ascii_text

OK = "250 2.0.0 Ok"
AUTH_REQUIRED = "530 5.7.0 Authentication required"
AUTH_THROTTLED = "454 4.7.0 Too many failed authentication attempts; please try again later"
BUSY_FROM_ADDRESS = "421 4.7.0 Too many connections from your address; please try again later"
BUSY = "421 4.7.0 Too many connections; please try again later"
UNAUTHENTICATED_FLOOD = "421 4.7.0 Too many commands without authenticating; closing"
TOO_MANY_RECIPIENTS = "452 4.5.3 Too many recipients in one message"
NEXT_HOP_UNREACHABLE = "451 4.4.1 The next mail server cannot be reached; please try again later"
NEXT_HOP_DEFERRED = (
    "451 4.4.1 The next mail server did not accept the message; please try again later"
)
GATEWAY_PROBLEM = "451 4.3.0 Temporary gateway problem; please try again later"
NOT_CHECKED = "451 4.7.0 The message could not be checked just now; please try again later"
NOT_STORED = "451 4.3.0 The message could not be stored for review; please try again later"
SHUTTING_DOWN = "421 4.3.2 Service shutting down; please try again later"


def command_flood(command: str) -> str:
    return f"421 4.7.0 Too many {command} commands without a message; closing"


def relay_denied(client_ip: str) -> str:
    return f"550 5.7.1 Client host [{client_ip}] is not permitted to relay through this gateway"


def held(how_long: str, hold_id: str) -> str:
    """The 250 for a held message: stored, so the sender's server is done with it."""
    return f"250 2.0.0 Ok: held {how_long} as {hold_id}"


def held_pending(how_long: str, journal_id: str) -> str:
    """What the journal records while the hold is being stored (replaced by `held`)."""
    return f"250 2.0.0 Ok: held {how_long} (schoolgate id {journal_id})"


REPLY_LINE_LIMIT = 500
"""RFC 5321 4.5.3.1.5: a reply line is at most 512 octets including the code and CRLF."""


def format_reply(code: int, status: str, text: str) -> str:
    """A (possibly multi-line) reply whose lines fit the SMTP limit."""
    words = ascii_text(text).split(" ")
    lines: list[str] = []
    current = ""
    room = REPLY_LINE_LIMIT - len(f"{code}-{status} ")
    for word in words:
        if current and len(current) + 1 + len(word) > room:
            lines.append(current)
            current = word[:room]
        else:
            current = f"{current} {word}".strip()[:room]
    lines.append(current)
    lines = lines[:8]
    return "\r\n".join(
        f"{code}{' ' if i == len(lines) - 1 else '-'}{status} {line}"
        for i, line in enumerate(lines)
    )
