"""A private, throw-away Postfix instance configured from the files in deploy/postfix/.

The test configuration is the deploy files with only the addresses changed: every
`127.0.0.1:2525` / `[127.0.0.1]:2525` (schoolgate) and `127.0.0.1:10026` (re-injection)
points at a free port, and the public `smtp inet` listener becomes `127.0.0.1:<free port>`.
Everything else about the instance (its own config, queue and data directories under the
test's tmp_path, loopback only, log to a file) is set with `postconf -e`, so the stock
/etc/postfix is never read or written.

What Postfix needs to run like this (as root):
- `postfix -c DIR` picks the configuration directory: it runs master with MAIL_CONFIG=DIR,
  and every daemon inherits that through `import_environment` (whose default includes
  MAIL_CONFIG), so nothing needs declaring. `alternate_config_directories` (in the default
  /etc/postfix/main.cf, which does not exist here) only matters when non-root users run
  the set-gid commands (postqueue, postdrop) with `-c`; as root, `postqueue -c DIR` works.
- master.cf: the package's master.cf.proto (in `postconf -d meta_directory`) with our
  entries, chroot switched off everywhere (a chroot would need copies of /etc files
  inside our private queue directory).
- `data_directory` owned by the mail_owner (postfix): master opens its lock file there as
  that user, so every directory above it must be searchable by that user. pytest's
  tmp_path is not (pytest keeps its base directory 0700, and every pytest run on the
  machine resets it), so only this directory is a private `mkdtemp` in the system temp
  directory, removed when the instance stops. The config and queue directories and the
  log stay under tmp_path (root opens them before any daemon drops privileges), where
  pytest keeps them for a post-mortem.
- `maillog_file` must start with one of `maillog_file_prefixes` (default /var and
  /dev/stdout), so the prefix list names our directory; the stock master.cf.proto
  already has the `postlog` service that writes it.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from tests.support import REPO

DEPLOY = REPO / "deploy" / "postfix"
POSTFIX = shutil.which("postfix") or "/usr/sbin/postfix"
POSTCONF = shutil.which("postconf") or "/usr/sbin/postconf"
POSTQUEUE = shutil.which("postqueue") or "/usr/sbin/postqueue"

SCHOOLGATE_PORT = 2525
REINJECT_PORT = 10026
"""The ports the deploy files use; tests substitute free ones."""

WAIT = 30.0

_LOOPBACK_PORT = re.compile(r"(?<![\d.])(127\.0\.0\.1\]?):(\d+)\b")


def postfix_installed() -> bool:
    return Path(POSTFIX).exists() and Path(POSTCONF).exists()


def substitute_ports(text: str, ports: dict[int, int]) -> str:
    """Point every loopback address on one of `ports` at its replacement port.

    Fails if a port to replace never occurs, so a change in the deploy files cannot
    silently leave the test exercising something else.
    """
    seen: set[int] = set()

    def replace(match: re.Match[str]) -> str:
        port = int(match.group(2))
        if port not in ports:
            return match.group(0)
        seen.add(port)
        return f"{match.group(1)}:{ports[port]}"

    result = _LOOPBACK_PORT.sub(replace, text)
    missing = set(ports) - seen
    if missing:
        raise ValueError(f"no 127.0.0.1 address on port(s) {sorted(missing)} in the text")
    return result


@dataclass
class MasterEntry:
    """One master.cf service: its fields and its indented `-o` lines."""

    fields: list[str]
    options: list[str] = field(default_factory=list)

    @property
    def key(self) -> tuple[str, str]:
        return self.fields[0], self.fields[1]

    def render(self) -> str:
        return "\n".join([" ".join(self.fields), *self.options])


def parse_master_cf(text: str) -> list[MasterEntry]:
    """Entries of a master.cf file (comments and blank lines dropped)."""
    entries: list[MasterEntry] = []
    for line in text.splitlines():
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        if line[0].isspace():
            if not entries:
                raise ValueError(f"continuation line before any entry: {line!r}")
            entries[-1].options.append(line.rstrip())
        else:
            entries.append(MasterEntry(line.split()))
    return entries


def merge_master_cf(stock: str, ours: str, listeners: dict[str, str]) -> str:
    """The stock master.cf with our entries replacing the ones they name, chroot off,
    and the named inet services (e.g. "smtp") renamed to test addresses."""
    our_entries = parse_master_cf(ours)
    replaced = {entry.key for entry in our_entries}
    entries = [e for e in parse_master_cf(stock) if e.key not in replaced] + our_entries
    renamed: set[str] = set()
    for entry in entries:
        entry.fields[4] = "n"  # chroot
        if entry.fields[1] == "inet" and entry.fields[0] in listeners:
            renamed.add(entry.fields[0])
            entry.fields[0] = listeners[entry.fields[0]]
    if set(listeners) - renamed:
        raise ValueError(f"no inet service named {sorted(set(listeners) - renamed)}")
    return "\n".join(entry.render() for entry in entries) + "\n"


def _run(args: list[str], timeout: float = 60.0) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "MAIL_CONFIG"}
    return subprocess.run(args, capture_output=True, text=True, timeout=timeout, env=env)


def stock_master_cf() -> str:
    meta = _run([POSTCONF, "-d", "-h", "meta_directory"]).stdout.strip()
    return (Path(meta) / "master.cf.proto").read_text()


class PostfixError(RuntimeError):
    pass


class PostfixInstance:
    """A Postfix with its own config, queue and data directories under `root`."""

    def __init__(
        self,
        root: Path,
        main_cf: str,
        master_cf: str,
        listen_port: int,
        relayhost_port: int,
    ) -> None:
        self.root = root
        self.config_dir = root / "etc"
        self.queue_dir = root / "spool"
        self.data_dir: Path | None = None  # made by configure(), see the module docstring
        self.log_file = root / "maillog"
        self.listen_port = listen_port
        self.relayhost_port = relayhost_port
        self._main_cf = main_cf
        self._master_cf = master_cf

    def _test_settings(self, data_dir: Path) -> dict[str, str]:
        """What makes this a private loopback instance; the rest comes from deploy/."""
        return {
            "compatibility_level": "3.6",
            "queue_directory": str(self.queue_dir),
            "data_directory": str(data_dir),
            "maillog_file": str(self.log_file),
            "maillog_file_prefixes": str(self.root),
            "inet_interfaces": "127.0.0.1",
            "inet_protocols": "ipv4",
            "myhostname": "postfix.test",
            "mydestination": "",
            "mynetworks": "127.0.0.0/8",
            # Everything Postfix delivers (mail schoolgate passed, bounces, notices) goes
            # to the capture server standing in for the internet.
            "relayhost": f"[127.0.0.1]:{self.relayhost_port}",
            # Nothing is delivered locally: do not read the host's /etc/aliases.
            "alias_maps": "",
        }

    # --- life cycle ---------------------------------------------------------------------

    def configure(self) -> None:
        for directory in (self.config_dir, self.queue_dir):
            directory.mkdir(parents=True, exist_ok=True)
        self.data_dir = Path(tempfile.mkdtemp(prefix="schoolgate-postfix-data-"))
        shutil.chown(self.data_dir, user="postfix")
        (self.config_dir / "main.cf").write_text(self._main_cf)
        (self.config_dir / "master.cf").write_text(self._master_cf)
        settings = self._test_settings(self.data_dir)
        self._postconf("-e", *(f"{k}={v}" for k, v in settings.items()))
        self._postfix("check")

    def start(self) -> PostfixInstance:
        self.configure()
        self._postfix("start")
        self._wait_for_listener()
        return self

    def stop(self) -> None:
        try:
            if (self.queue_dir / "pid" / "master.pid").exists():
                result = _run([POSTFIX, "-c", str(self.config_dir), "stop"])
                if result.returncode != 0:
                    self._kill_master()
        finally:
            if self.data_dir is not None:
                shutil.rmtree(self.data_dir, ignore_errors=True)

    def _kill_master(self) -> None:
        """Last resort for our own master process, by the pid it recorded."""
        with contextlib.suppress(OSError, ValueError):
            pid = int((self.queue_dir / "pid" / "master.pid").read_text().split()[0])
            os.kill(pid, signal.SIGKILL)

    def _wait_for_listener(self) -> None:
        deadline = time.monotonic() + WAIT
        while time.monotonic() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", self.listen_port), timeout=1):
                    return
            except OSError:
                time.sleep(0.05)
        raise PostfixError(
            f"Postfix is not listening on 127.0.0.1:{self.listen_port} after {WAIT:g} s\n"
            + self.log()
        )

    # --- commands -----------------------------------------------------------------------

    def _postconf(self, *args: str) -> str:
        result = _run([POSTCONF, "-c", str(self.config_dir), *args])
        if result.returncode != 0:
            raise PostfixError(f"postconf {' '.join(args)} failed:\n{result.stderr}")
        return result.stdout

    def _postfix(self, command: str) -> None:
        result = _run([POSTFIX, "-c", str(self.config_dir), command])
        if result.returncode != 0:
            raise PostfixError(
                f"postfix {command} failed ({result.returncode}):\n"
                f"{result.stdout}{result.stderr}\n{self.log()}"
            )

    def queue(self) -> list[dict[str, object]]:
        """The messages in Postfix's queue (postqueue -j), one dict each."""
        result = _run([POSTQUEUE, "-c", str(self.config_dir), "-j"])
        if result.returncode != 0:
            raise PostfixError(f"postqueue -j failed:\n{result.stderr}\n{self.log()}")
        return [json.loads(line) for line in result.stdout.splitlines() if line.strip()]

    def flush(self) -> None:
        """Retry every deferred message now (postqueue -f)."""
        result = _run([POSTQUEUE, "-c", str(self.config_dir), "-f"])
        if result.returncode != 0:
            raise PostfixError(f"postqueue -f failed:\n{result.stderr}\n{self.log()}")

    def setting(self, name: str) -> str:
        return self._postconf("-h", name).strip()

    def log(self) -> str:
        try:
            text = self.log_file.read_text(errors="replace")
        except FileNotFoundError:
            text = "(no log file yet)\n"
        return f"--- Postfix log ({self.log_file.name}) ---\n{text}--- end of Postfix log ---"

    def wait_for_log(self, pattern: str, timeout: float = WAIT) -> bool:
        """Whether a log line matching `pattern` appears within `timeout` seconds."""
        regex = re.compile(pattern)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.log_file.exists() and regex.search(self.log_file.read_text(errors="replace")):
                return True
            time.sleep(0.05)
        return False
