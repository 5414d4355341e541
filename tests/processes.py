"""Running `schoolgate` as a real process in tests."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

SCHOOLGATE = str(Path(sys.executable).parent / "schoolgate")


def clean_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SCHOOLGATE_")}
    env["PYTHONUNBUFFERED"] = "1"
    return env


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
