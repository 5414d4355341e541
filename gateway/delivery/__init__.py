"""Handing mail on: the next hop, the record of where it is, the notice outbox."""
