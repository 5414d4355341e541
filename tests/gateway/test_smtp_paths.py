"""MAIL FROM / RCPT TO paths: the gateway's quick parse of a plain `<local@domain>` gives
exactly what aiosmtpd's own parser gives, for every input."""

from __future__ import annotations

import pytest
from aiosmtpd.smtp import SMTP
from hypothesis import example, given, settings
from hypothesis import strategies as st

from gateway.smtp.handler import GatewaySMTP


def _servers(limit: int) -> tuple[GatewaySMTP, SMTP]:
    ours = GatewaySMTP.__new__(GatewaySMTP)
    theirs = SMTP.__new__(SMTP)
    ours.local_part_limit = theirs.local_part_limit = limit
    return ours, theirs


def _parsed(server: SMTP, arg: str) -> object:
    try:
        return server._getaddr(arg)
    except Exception as exc:  # aiosmtpd's own parser raises on some input ("<")
        return type(exc)


def _same(arg: str, limit: int = 0) -> None:
    ours, theirs = _servers(limit)
    assert _parsed(ours, arg) == _parsed(theirs, arg)


CASES = [
    "<teacher1@westbrook.sch.uk>",
    "<a@b.c> SIZE=10 BODY=8BITMIME",
    "<a@b.c>  \t SIZE=10",
    "<a@b.c>\tSMTPUTF8",
    "<a@b.c> (comment) SIZE=10",
    "<a@b.c>(comment)",
    "<a@b.c>x",
    "<a@b.c>>",
    "<a@b.c> \x0bSIZE=1",
    "<a@b.c>\x0bSIZE=1",
    "<>",
    "<> SIZE=10",
    "<a.b@c>",
    "<a..b@c>",
    "<.a@b>",
    "<a.@b>",
    "<a@b.>",
    "<a@.b>",
    "<a@b..c>",
    '<"x y"@c>',
    "<a@[1.2.3.4]>",
    "< a@b >",
    "<@route:a@b>",
    "<=?utf-8?q?x?=@b.c>",
    "<a=?utf-8?q?x?=@b.c>",
    "<x=?y@b.c>",
    "<zoë@b.c>",
    "<a@bücher.example>",
    "<a@b_c.example>",
    "<A+tag/x=y?z@Example-Host.ORG>",
    "a@b.c",
    " <a@b.c>",
    "<a@b@c>",
    "<a@b",
    "<a b@c>",
    "<a@b c>",
    "",
]


@pytest.mark.parametrize("arg", CASES)
def test_known_paths_parse_as_aiosmtpd_parses_them(arg: str) -> None:
    _same(arg)


@pytest.mark.parametrize("limit", [1, 5, 64])
@pytest.mark.parametrize("arg", ["<abcdef@b.c>", "<abcde@b.c> SIZE=1", "<a@b.c>"])
def test_the_local_part_limit_holds(arg: str, limit: int) -> None:
    _same(arg, limit)


_PIECES = st.sampled_from(
    [
        *"abcXYZ019.@<>-+_=?!#$%&'*/^`{|}~\"\\()[]:;, \t\x0b\r\nëü",
        "=?",
        "?=",
        "=?utf-8?q?",
        "..",
        "<a@b.c>",
        " SIZE=10",
        "(c)",
    ]
)


@settings(max_examples=3000, deadline=None)
@given(st.lists(_PIECES, max_size=24).map("".join))
@example("<a@b.c> SIZE=10")
def test_any_path_parses_as_aiosmtpd_parses_it(arg: str) -> None:
    _same(arg)


@settings(max_examples=2000, deadline=None)
@given(
    st.from_regex(
        r"<[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]{1,12}@[A-Za-z0-9.-]{1,12}>[ \t(]?.{0,8}",
        fullmatch=True,
    ),
    st.sampled_from([0, 4, 64]),
)
def test_near_plain_paths_parse_as_aiosmtpd_parses_them(arg: str, limit: int) -> None:
    _same(arg, limit)


def test_a_plain_path_does_not_need_the_header_parser(monkeypatch: pytest.MonkeyPatch) -> None:
    """The comparisons above test the quick parse, not aiosmtpd against itself."""

    def refuse(self: SMTP, arg: str) -> None:
        raise AssertionError(f"parsed by aiosmtpd: {arg!r}")

    monkeypatch.setattr(SMTP, "_getaddr", refuse)
    ours, _ = _servers(0)
    assert ours._getaddr("<teacher1@westbrook.sch.uk> SIZE=10") == (
        "teacher1@westbrook.sch.uk",
        "SIZE=10",
    )
