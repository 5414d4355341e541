"""HOST:PORT values, as used for listeners and the next hop."""

from __future__ import annotations

import os
from typing import Annotated, NamedTuple

from pydantic import BeforeValidator, PlainSerializer


class HostPort(NamedTuple):
    host: str
    port: int

    def __str__(self) -> str:
        return f"[{self.host}]:{self.port}" if ":" in self.host else f"{self.host}:{self.port}"


def parse_hostport(value: object) -> HostPort:
    """Parse "host:port", "[v6::addr]:port" or a (host, port) pair."""
    if isinstance(value, HostPort):
        return value
    if isinstance(value, (tuple, list)) and len(value) == 2:
        return HostPort(str(value[0]), int(value[1]))
    if not isinstance(value, str):
        raise ValueError("expected a string of the form HOST:PORT, e.g. 127.0.0.1:2525")
    text = value.strip()
    if text.startswith("["):
        host, sep, rest = text[1:].partition("]")
        port_text = rest[1:] if rest.startswith(":") else ""
        if not sep:
            raise ValueError(f"{value!r}: unclosed '[' in IPv6 address")
    else:
        host, _, port_text = text.rpartition(":")
    if not host or not port_text.isdigit():
        raise ValueError(f"{value!r} is not of the form HOST:PORT, e.g. 127.0.0.1:2525")
    port = int(port_text)
    if not 0 <= port <= 65535:
        raise ValueError(f"{value!r}: port must be between 0 and 65535")
    return HostPort(host, port)


HostPortField = Annotated[HostPort, BeforeValidator(parse_hostport), PlainSerializer(str)]


def cannot_listen(address: HostPort, purpose: str, setting: str, exc: OSError) -> OSError:
    """A bind failure that says which address, what it was for, and where to change it,
    instead of a bare "[Errno 98] Address already in use"."""
    reason = os.strerror(exc.errno) if exc.errno else str(exc)
    return OSError(f"cannot listen on {address} for {purpose}: {reason} (change {setting})")
