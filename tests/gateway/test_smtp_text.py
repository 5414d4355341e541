"""SMTP reply formatting stays within the protocol's limits."""

from __future__ import annotations

from gateway.delivery.ascii import ascii_text
from gateway.smtp.replies import REPLY_LINE_LIMIT, format_reply


def test_short_reply_is_one_line():
    assert (
        format_reply(550, "5.7.1", "Not sent: use initials.") == "550 5.7.1 Not sent: use initials."
    )


def test_long_reply_is_split_into_continuation_lines_within_the_limit():
    text = "Pupils’ full names must never be in a subject line — use initials. " * 20
    reply = format_reply(550, "5.7.1", text)
    lines = reply.split("\r\n")
    assert len(lines) > 1
    assert all(len(line) + 2 <= REPLY_LINE_LIMIT + 12 for line in lines)
    assert all(line.startswith("550-5.7.1 ") for line in lines[:-1])
    assert lines[-1].startswith("550 5.7.1 ")
    assert reply.isascii()
    assert "Pupils' full names" in reply


def test_ascii_text_keeps_meaning():
    assert ascii_text("Zoë’s “report” – café") == 'Zoe\'s "report" - cafe'
