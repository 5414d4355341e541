"""`schoolgate freemail ...`: the list of free / personal mail domains.

`update` fetches the latest `free-email-domains` npm package (Kikobeats, MIT) from the
npm registry, checks the tarball's integrity hash, validates the list and writes it with
its licence and provenance to data_dir/freemail (or --path). Only the package's
`domains.json` and licence are read from the tarball: no package script is ever run.
The personal_address detector reads the file named by its `freemail_file` setting once,
when a scan worker starts, so the scan path never touches the network.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import io
import json
import tarfile
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit

import click
import httpx

from detectors.freemail import (
    LICENSE_FILE,
    LIST_FILE,
    MIN_DOMAINS,
    PROVENANCE_FILE,
    FreemailList,
    FreemailListError,
    parse_domain_list,
    parse_provenance,
    read_list,
    shipped_list,
    shipped_provenance,
)
from gateway.atomic_write import write_atomically
from gateway.cli.common import config_options, load_config
from gateway.scanning.detector_settings import freemail_list_in_use, updated_freemail_list
from models import domain_matches

PACKAGE = "free-email-domains"
SOURCE_REPOSITORY = "https://github.com/Kikobeats/free-email-domains"
DEFAULT_REGISTRY = "https://registry.npmjs.org"
REGISTRY_ENV = "SCHOOLGATE_NPM_REGISTRY"
DETECTOR = "personal_address"
MAX_TARBALL_BYTES = 20 * 1024 * 1024
MAX_MEMBER_BYTES = 20 * 1024 * 1024


class UpdateError(click.ClickException):
    """The update could not be completed; the old list is left in place."""


# --- fetching from the registry ------------------------------------------------------


def _get(client: httpx.Client, url: str, what: str) -> httpx.Response:
    try:
        response = client.get(url)
    except httpx.HTTPError as exc:
        raise UpdateError(f"cannot fetch {what} from {url}: {exc}") from None
    if response.status_code != 200:
        raise UpdateError(f"{url} answered HTTP {response.status_code} for {what}")
    return response


def fetch_manifest(client: httpx.Client, registry: str, version: str) -> dict[str, Any]:
    """The registry's manifest of one version ("latest" for the newest) of the package."""
    url = f"{registry.rstrip('/')}/{quote(PACKAGE)}/{quote(version)}"
    try:
        manifest = _get(client, url, "the package manifest").json()
    except ValueError:
        raise UpdateError(f"{url} did not answer with JSON") from None
    if not isinstance(manifest, dict) or manifest.get("name") != PACKAGE:
        raise UpdateError(f"{url} did not describe the {PACKAGE} package")
    dist = manifest.get("dist")
    if not isinstance(dist, dict) or not isinstance(dist.get("tarball"), str):
        raise UpdateError(f"the {PACKAGE} manifest at {url} names no tarball")
    if not (dist.get("integrity") or dist.get("shasum")):
        raise UpdateError(f"the {PACKAGE} manifest at {url} gives no integrity hash")
    if urlsplit(dist["tarball"]).scheme not in ("http", "https"):
        raise UpdateError(f"the tarball URL {dist['tarball']!r} is not http(s)")
    return manifest


def check_integrity(data: bytes, dist: dict[str, Any]) -> None:
    """Compare the tarball with the manifest's SRI hash (sha512), else its sha1 shasum."""
    integrity = str(dist.get("integrity") or "")
    for entry in integrity.split():
        algorithm, _, expected = entry.partition("-")
        if algorithm in ("sha512", "sha384", "sha256"):
            actual = base64.b64encode(hashlib.new(algorithm, data).digest()).decode()
            if actual != expected:
                raise UpdateError(f"the downloaded tarball does not match its {algorithm} hash")
            return
    shasum = str(dist.get("shasum") or "")
    if not shasum:
        raise UpdateError("the manifest gives no integrity hash this command can check")
    if hashlib.sha1(data).hexdigest() != shasum.lower():
        raise UpdateError("the downloaded tarball does not match its sha1 shasum")


def fetch_tarball(client: httpx.Client, url: str) -> bytes:
    try:
        with client.stream("GET", url) as response:
            if response.status_code != 200:
                raise UpdateError(f"{url} answered HTTP {response.status_code} for the tarball")
            chunks: list[bytes] = []
            size = 0
            for chunk in response.iter_bytes():
                size += len(chunk)
                if size > MAX_TARBALL_BYTES:
                    raise UpdateError(f"the tarball is larger than {MAX_TARBALL_BYTES} bytes")
                chunks.append(chunk)
    except httpx.HTTPError as exc:
        raise UpdateError(f"cannot download {url}: {exc}") from None
    return b"".join(chunks)


def read_package_files(tarball: bytes) -> tuple[bytes, bytes | None]:
    """`package/domains.json` and the licence text from an npm tarball (nothing else)."""
    domains: bytes | None = None
    licence: bytes | None = None
    try:
        with tarfile.open(fileobj=io.BytesIO(tarball), mode="r:gz") as archive:
            for member in archive:
                if not member.isfile() or member.size > MAX_MEMBER_BYTES:
                    continue
                name = member.name.lower()
                if name == "package/domains.json" or (
                    name.startswith("package/license") and licence is None
                ):
                    handle = archive.extractfile(member)
                    content = handle.read() if handle is not None else b""
                    if name == "package/domains.json":
                        domains = content
                    else:
                        licence = content
    except (tarfile.TarError, OSError, EOFError) as exc:
        raise UpdateError(f"the tarball cannot be read: {exc}") from None
    if domains is None:
        raise UpdateError("the tarball has no package/domains.json")
    return domains, licence


def install_list(
    folder: Path,
    domains_json: bytes,
    licence: bytes | None,
    provenance: dict[str, Any],
    *,
    min_count: int,
) -> int:
    """Validate, then write the list, its licence and provenance; returns the domain count."""
    try:
        domains = parse_domain_list(domains_json, min_count=min_count)
    except FreemailListError as exc:
        raise UpdateError(f"the downloaded list was not installed: {exc}") from None
    record = {**provenance, "domains": len(domains)}
    write_atomically(folder / LIST_FILE, domains_json, mode=0o644)
    if licence is not None:
        write_atomically(folder / LICENSE_FILE, licence, mode=0o644)
    record_json = (json.dumps(record, indent=2) + "\n").encode()
    write_atomically(folder / PROVENANCE_FILE, record_json, mode=0o644)
    return len(domains)


def download_list(
    registry: str, version: str, folder: Path, *, min_count: int, timeout: float
) -> dict[str, Any]:
    """Fetch, verify, validate and install one release; returns its provenance record."""
    with httpx.Client(timeout=timeout, follow_redirects=True) as client:
        manifest = fetch_manifest(client, registry, version)
        dist = manifest["dist"]
        tarball = fetch_tarball(client, dist["tarball"])
    check_integrity(tarball, dist)
    domains_json, licence = read_package_files(tarball)
    provenance = {
        "package": PACKAGE,
        "version": str(manifest.get("version", "")),
        "license": str(manifest.get("license", "")),
        "source": SOURCE_REPOSITORY,
        "registry": registry,
        "tarball": dist["tarball"],
        "integrity": str(dist.get("integrity") or f"sha1-{dist.get('shasum')}"),
        "fetched": dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat(),
    }
    count = install_list(folder, domains_json, licence, provenance, min_count=min_count)
    return {**provenance, "domains": count}


# --- commands ------------------------------------------------------------------------


@click.group()
def freemail() -> None:
    """Inspect and update the shipped list of free-mail (personal) domains."""


@freemail.command()
@config_options
@click.option(
    "--path",
    "folder",
    type=click.Path(file_okay=False, path_type=Path),
    help="Folder to write the list to. Default: data_dir/freemail.",
)
@click.option(
    "--registry",
    envvar=REGISTRY_ENV,
    default=DEFAULT_REGISTRY,
    show_default=True,
    help=f"npm registry to fetch {PACKAGE} from (or ${REGISTRY_ENV}).",
)
@click.option("--version", "version", default="latest", show_default=True)
@click.option(
    "--min-domains",
    type=click.IntRange(min=1),
    default=MIN_DOMAINS,
    show_default=True,
    help="Refuse a list with fewer domains than this (a broken release).",
)
@click.option("--timeout", type=click.FloatRange(min=1), default=60.0, show_default=True)
def update(
    config_path: Path | None,
    data_dir: Path | None,
    folder: Path | None,
    registry: str,
    version: str,
    min_domains: int,
    timeout: float,
) -> None:
    """Download the latest free-mail domain list from the npm registry."""
    config = load_config(config_path, data_dir)
    target = folder if folder is not None else updated_freemail_list(config).parent
    record = download_list(registry, version, target, min_count=min_domains, timeout=timeout)
    written = target / LIST_FILE
    click.echo(f"{PACKAGE} {record['version']}: {record['domains']} domains written to {written}")
    in_use = freemail_list_in_use(config)
    if in_use is None or in_use.resolve() != written.resolve():
        click.echo(
            f'The detector does not read this file yet: set freemail_file = "{written}" '
            f"in [detectors.{DETECTOR}] and restart schoolgate."
        )
    else:
        click.echo("Restart schoolgate so its scan workers read the new list.")


def _describe(current: FreemailList, provenance: dict[str, Any]) -> list[str]:
    lines = [f"list in use: {current.source} ({len(current)} domains)"]
    for key in ("package", "version", "license", "source", "fetched"):
        if provenance.get(key):
            lines.append(f"  {key}: {provenance[key]}")
    return lines


@freemail.command(name="show")
@config_options
@click.argument("domains", nargs=-1)
def show(config_path: Path | None, data_dir: Path | None, domains: tuple[str, ...]) -> None:
    """Say which list is in use, where it came from, and whether DOMAINS are on it."""
    config = load_config(config_path, data_dir)
    path = freemail_list_in_use(config)
    try:
        if path is None:
            current, provenance = shipped_list(), shipped_provenance()
        else:
            current = read_list(path)
            provenance_path = path.with_name(PROVENANCE_FILE)
            provenance = (
                parse_provenance(provenance_path.read_bytes()) if provenance_path.exists() else {}
            )
    except FreemailListError as exc:
        raise click.ClickException(f"{exc}; the detector falls back to the shipped list") from None
    for line in _describe(current, provenance):
        click.echo(line)
    school = config.school.domains
    for domain in domains:
        name = domain.strip().lower().rstrip(".")
        if domain_matches(name, school):
            verdict = "a school domain (never counted as free-mail)"
        elif name in current:
            verdict = "free-mail"
        else:
            verdict = "not on the list"
        click.echo(f"{name}: {verdict}")


freemail.add_command(show, name="info")
