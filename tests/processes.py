"""Running `schoolgate` as a real process in tests."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import tomli_w

from tests.harness import KEYWORD_RULES, free_port

SCHOOLGATE = str(Path(sys.executable).parent / "schoolgate")


def clean_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SCHOOLGATE_")}
    env["PYTHONUNBUFFERED"] = "1"
    return env


def run_importing(*args: str) -> tuple[subprocess.CompletedProcess[str], set[str]]:
    """`python -m gateway ARGS` in a fresh interpreter, and every module it imported."""
    result = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "gateway", *args],
        cwd=Path(__file__).resolve().parents[1],
        env=clean_env(),
        capture_output=True,
        text=True,
        timeout=120,
    )
    modules = {
        line.rsplit("|", 1)[1].strip()
        for line in result.stderr.splitlines()
        if line.startswith("import time:") and "|" in line
    }
    assert "click" in modules, result.stderr[-2000:]
    return result, modules


def wait_for_port(port: int, process: subprocess.Popen[bytes], timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"schoolgate exited early with status {process.returncode}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.1)
    raise TimeoutError(f"nothing listening on 127.0.0.1:{port} after {timeout} s")


class Serve:
    """`schoolgate serve ...` in a subprocess, its log in a file."""

    def __init__(
        self, args: list[str], cwd: Path, log: Path, env: dict[str, str] | None = None
    ) -> None:
        self.log = log
        self._log_handle = open(log, "ab")  # noqa: SIM115 (closed in stop)
        self.process = subprocess.Popen(
            [SCHOOLGATE, "serve", *args],
            cwd=cwd,
            env={**clean_env(), **(env or {})},
            stdout=self._log_handle,
            stderr=subprocess.STDOUT,
        )

    def terminate(self) -> None:
        self.process.send_signal(signal.SIGTERM)

    def stop(self, timeout: float = 60.0) -> int:
        if self.process.poll() is None:
            self.terminate()
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(10)
        self._log_handle.close()
        return self.process.returncode

    def output(self) -> str:
        return self.log.read_text(errors="replace")


def serve_config(
    tmp_path: Path, smtp_port: int, capture_port: int, **sections: dict[str, Any] | str
) -> Path:
    """A config file for `schoolgate serve` on loopback, relaying to `capture_port`, with
    tests.plugins' keyword detector only; each keyword argument updates (a table) or sets
    (a value) one top-level key."""
    config: dict[str, Any] = {
        "data_dir": str(tmp_path / "var"),
        "school": {"domains": ["school.example"]},
        "smtp": {"listen": f"127.0.0.1:{smtp_port}", "shutdown_grace": 2},
        "web": {"listen": f"127.0.0.1:{free_port()}"},
        "relay": {
            "next_hop": f"127.0.0.1:{capture_port}",
            "tls": "off",
            "connect_timeout": 1,
            "timeout": 2,
        },
        "scan": {"workers": 1},
        "hold": {"housekeeping_interval": 0.5, "release_retry_minutes": 0.01},
        "detectors": {"enabled": [], "plugins": ["tests.plugins:KeywordDetector"]},
        "rules": KEYWORD_RULES,
    }
    for key, value in sections.items():
        if isinstance(value, dict):
            config.setdefault(key, {}).update(value)
        else:
            config[key] = value
    path = tmp_path / "schoolgate.toml"
    path.write_text(tomli_w.dumps(config))
    return path
