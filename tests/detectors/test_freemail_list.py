"""The shipped free-mail list: where it came from, and the validation that guards it and
every updated list."""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path

import pytest

from detectors.freemail import (
    LICENSE_FILE,
    FreemailListError,
    parse_domain_list,
    read_list,
    shipped_list,
    shipped_provenance,
    uk_supplement,
)


def test_shipped_list_is_the_npm_package_with_its_provenance_and_licence():
    provenance = shipped_provenance()
    assert provenance["package"] == "free-email-domains"
    assert provenance["license"] == "MIT"
    assert provenance["source"] == "https://github.com/Kikobeats/free-email-domains"
    assert provenance["tarball"].startswith("https://registry.npmjs.org/free-email-domains/")
    assert provenance["integrity"].startswith("sha512-")
    assert provenance["version"] and provenance["fetched"]
    assert provenance["domains"] == len(shipped_list())
    licence = (resources.files("detectors") / "data" / LICENSE_FILE).read_text()
    assert "MIT License" in licence and "Permission is hereby granted" in licence


@pytest.mark.parametrize(
    ("domain", "listed"),
    [
        ("gmail.com", True),  # the big providers are there
        ("hotmail.co.uk", True),
        ("btinternet.com", True),  # a UK ISP
        ("talktalk.net", True),  # UK ISPs the international list lacks (the supplement)
        ("btopenworld.com", True),
        ("plus.net", True),
        ("GMail.COM.", True),  # case and a trailing dot do not matter
        ("westbrook.sch.uk", False),  # schools are not
        ("gov.uk", False),
        ("nhs.net", False),
    ],
)
def test_shipped_list_covers_common_providers(domain: str, listed: bool):
    free = shipped_list()
    assert len(free) > 10_000
    assert (domain in free) is listed


def test_the_uk_supplement_adds_only_what_the_list_lacks_and_also_extends_updates(
    tmp_path: Path,
):
    """Each supplement entry is a real gap (not already in the npm list), and a list
    fetched by `schoolgate freemail update` gets the supplement too."""
    supplement = uk_supplement()
    assert len(supplement) >= 20
    npm = parse_domain_list(
        (resources.files("detectors") / "data" / "free_email_domains.json").read_bytes()
    )
    assert supplement.isdisjoint(npm)
    assert shipped_list().domains == npm  # counted and updated apart
    updated = tmp_path / "domains.json"
    updated.write_text(json.dumps(GOOD))
    assert "talktalk.net" in read_list(updated)


def domains_json(domains: object) -> bytes:
    return json.dumps(domains).encode()


GOOD = [f"mailbox{n}.example-free.net" for n in range(1000)]


@pytest.mark.parametrize(
    ("data", "problem"),
    [
        (b"not json", "not valid UTF-8 JSON"),  # junk
        (b"\xff\xfe", "not valid UTF-8 JSON"),  # not text
        (domains_json({"gmail.com": 1}), "must be a JSON array"),
        (domains_json([*GOOD, 42]), "entry 1000 is not a string"),  # a number
        (domains_json([*GOOD, "not a domain"]), "entry 1000 is not a domain name"),  # spaces
        (domains_json([*GOOD, "localhost"]), "is not a domain name"),  # no dot
        (domains_json(GOOD[:999]), "999 domains, fewer than the 1000"),  # truncated
    ],
)
def test_bad_lists_are_refused_with_the_reason(data: bytes, problem: str):
    with pytest.raises(FreemailListError, match=problem):
        parse_domain_list(data)


def test_a_good_list_is_normalised():
    domains = parse_domain_list(domains_json([*GOOD, " Example-Mail.CO.UK. "]))
    assert "example-mail.co.uk" in domains and len(domains) == 1001


def test_read_list_names_the_file(tmp_path: Path):
    missing = tmp_path / "none.json"
    with pytest.raises(FreemailListError, match=r"none\.json"):
        read_list(missing)
    short = tmp_path / "short.json"
    short.write_text('["gmail.com"]')
    with pytest.raises(FreemailListError, match=r"short\.json: the list has 1 domains"):
        read_list(short)
