"""Structural signs of mass forwarding, counted the way mail clients write them."""

from __future__ import annotations

import pytest

from detectors.mass_forwarding import forward_prefixes, forwarded_blocks, longest_address_run


@pytest.mark.parametrize(
    ("subject", "count"),
    [
        ("Fwd: Fwd: so true", 2),  # Gmail
        ("FW: Fw: RE: FW: lunch", 3),  # Outlook, mixed with a reply
        ("TR: WG: Fwd[2]: x", 3),  # French, German and a numbered prefix
        ("Forward planning for next term", 0),  # the word "forward" is not a prefix
        ("Re: minutes", 0),  # a reply
    ],
)
def test_forward_prefixes(subject: str, count: int):
    assert forward_prefixes(subject) == count


@pytest.mark.parametrize(
    ("body", "count"),
    [
        ("---------- Forwarded message ---------\nFrom: a", 1),  # Gmail
        ("-----Original Message-----\nFrom: a\n> -----Original Message-----", 2),  # Outlook
        ("Begin forwarded message:\n\nFrom: a", 1),  # Apple Mail
        ("- - - - - - forwarded by kim / hou / ect on 12 / 10 / 99", 1),  # Lotus Notes
        ("From: a\nSubject: FW: lunch\n\nFrom: b\nSubject: Fwd: lunch", 2),  # copied headers
        ("I forwarded your message to the office.", 0),  # prose
    ],
)
def test_forwarded_blocks(body: str, count: int):
    assert forwarded_blocks(body) == count


@pytest.mark.parametrize(
    ("body", "run"),
    [
        (", ".join(f"p{n}@example.net" for n in range(15)), 15),  # a pasted To: line
        ("; ".join(f'"P {n}" <p{n}@example.net>' for n in range(5)), 5),  # with names
        ("a@example.net " + "word " * 40 + "b@example.net", 1),  # far apart: separate runs
        ("a@example.net, a@example.net, A@example.net", 1),  # the same address repeated
        ("no addresses here", 0),
    ],
)
def test_longest_address_run(body: str, run: int):
    assert longest_address_run(body) == run
