"""Who is inside school and who is on a secure route."""

from __future__ import annotations

import pytest

from gateway.scanning.parse import classify_recipients
from gateway.scanning.settings import ParseSettings
from models import School


@pytest.mark.parametrize(
    ("school", "sender", "recipient", "internal", "secure"),
    [
        # the school's own domain is internal
        (School(domains=("school.example",)), "t@school.example", "h@school.example", True, False),
        # a subdomain pattern covers the trust's schools
        (
            School(domains=("*.trust.example",)),
            "t@a.trust.example",
            "h@b.trust.example",
            True,
            False,
        ),
        # anyone else is external
        (School(domains=("school.example",)), "t@school.example", "p@example.org", False, False),
        # with no domains configured, the sender's own domain counts as internal ...
        (School(), "t@school.example", "h@school.example", True, False),
        # ... but never a free-mail domain: a gmail sender does not make gmail internal
        (School(), "someone@gmail.com", "parent@gmail.com", False, False),
        # secure partner routes are external but protected
        (School(secure_domains=("*.gov.uk",)), "t@school.example", "sw@county.gov.uk", False, True),
        (School(secure_domains=("nhs.net",)), "t@school.example", "nurse@nhs.net", False, True),
        # a look-alike domain is not the partner
        (
            School(secure_domains=("nhs.net",)),
            "t@school.example",
            "x@nhs.net.evil.example",
            False,
            False,
        ),
    ],
)
def test_classify(school: School, sender: str, recipient: str, internal: bool, secure: bool):
    [classified] = classify_recipients((recipient,), sender, ParseSettings(school=school))
    assert (classified.internal, classified.secure) == (internal, secure)
