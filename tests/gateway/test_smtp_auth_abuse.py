"""SMTP AUTH under a brute-force run: the event loop stays responsive, unknown users cost
as much as wrong passwords, and repeated failures are refused for a while (issue 11,
point 2). Real gateway, real TLS, real argon2."""

from __future__ import annotations

import logging
import smtplib
import statistics
import threading
import time
from pathlib import Path

import pytest

from tests.harness import CaptureServer, GatewayRunner
from tests.tlsutil import smtp_auth_settings, unverified_client_context

PASSWORD = "s3cret!"


def _auth_gateway(tmp_path: Path, capture: CaptureServer, start_gateway, **limits: object):
    settings = smtp_auth_settings(tmp_path, "office-scanner", PASSWORD)
    limits_ = {f"smtp.{name}": value for name, value in limits.items()}
    return start_gateway(capture.port, **settings, **limits_)


def _login(port: int, source: str, username: str, password: str) -> tuple[int, float]:
    """(reply code, seconds the AUTH exchange took) from a client at `source`."""
    with smtplib.SMTP("127.0.0.1", port, timeout=60, source_address=(source, 0)) as client:
        client.starttls(context=unverified_client_context())
        client.ehlo()
        client.user, client.password = username, password
        started = time.perf_counter()
        try:  # one mechanism, one attempt (login() would try PLAIN, then LOGIN)
            code = client.auth("PLAIN", client.auth_plain)[0]
        except smtplib.SMTPResponseException as refused:
            code = refused.smtp_code
        return code, time.perf_counter() - started


def test_the_loop_answers_other_sessions_while_passwords_are_checked(
    tmp_path: Path, capture: CaptureServer, start_gateway
):
    """Six clients guess passwords as fast as they can while a permitted client sends
    NOOPs. With argon2 on the event loop a NOOP waits for the checks queued ahead of it
    (one NOOP in ten waited longer than a whole check); checked in a thread, a NOOP is
    answered at once."""
    gateway: GatewayRunner = _auth_gateway(
        tmp_path,
        capture,
        start_gateway,
        auth_max_failures=1000,
        auth_max_failures_per_user=1000,
        max_idle_commands=1_000_000,  # the NOOPs here are the probe, not a flood
    )
    # what one check costs on this machine, measured alone
    single = statistics.median(
        _login(gateway.port, "127.0.0.2", "office-scanner", "wrong")[1] for _ in range(3)
    )
    stop = threading.Event()
    check_times: list[float] = []

    def guess(source: str) -> None:
        while not stop.is_set():
            code, took = _login(gateway.port, source, "office-scanner", "wrong")
            assert code == 535
            check_times.append(took)

    guessers = [
        threading.Thread(target=guess, args=(f"127.0.0.{n}",), daemon=True) for n in range(2, 8)
    ]
    for thread in guessers:
        thread.start()
    noops: list[float] = []
    with smtplib.SMTP("127.0.0.1", gateway.port, timeout=60) as client:
        while len(check_times) < 6:  # the guessers are under way
            client.noop()
        while len(check_times) < 40:
            started = time.perf_counter()
            assert client.noop()[0] == 250
            noops.append(time.perf_counter() - started)
    stop.set()
    for thread in guessers:
        thread.join(60)
    # measured here: about 1 ms in a thread, 230 ms with argon2 on the loop (one check: 170)
    slow = sorted(noops)[int(len(noops) * 0.9)]
    assert slow < 0.25 * single, (slow, single)


def test_an_unknown_user_takes_as_long_to_refuse_as_a_wrong_password(
    tmp_path: Path, capture: CaptureServer, start_gateway
):
    """Timing must not tell which usernames exist."""
    gateway = _auth_gateway(tmp_path, capture, start_gateway, auth_max_failures=100)
    wrong: list[float] = []
    unknown: list[float] = []
    for _ in range(5):  # interleaved, so a change in the machine's load hits both alike
        wrong.append(_login(gateway.port, "127.0.0.2", "office-scanner", "nope")[1])
        unknown.append(_login(gateway.port, "127.0.0.2", "no-such-user", "nope")[1])
    assert statistics.median(unknown) > 0.5 * statistics.median(wrong), (unknown, wrong)


def test_repeated_failures_from_one_address_are_refused_for_a_while(
    tmp_path: Path, capture: CaptureServer, start_gateway, caplog: pytest.LogCaptureFixture
):
    gateway = _auth_gateway(tmp_path, capture, start_gateway, auth_max_failures=3)
    with caplog.at_level(logging.WARNING, logger="gateway.smtp.auth"):
        codes = [_login(gateway.port, "127.0.0.2", "office-scanner", "guess")[0] for _ in range(3)]
        assert codes == [535, 535, 535]
        # now even the right password from that address is refused, with a clear 454
        assert _login(gateway.port, "127.0.0.2", "office-scanner", PASSWORD)[0] == 454
    assert "too many failed attempts" in caplog.text
    assert "127.0.0.2" in caplog.text
    # the real device, elsewhere, still signs in
    assert _login(gateway.port, "127.0.0.3", "office-scanner", PASSWORD)[0] == 235


def test_a_username_attacked_from_many_addresses_is_refused_for_a_while(
    tmp_path: Path, capture: CaptureServer, start_gateway
):
    gateway = _auth_gateway(
        tmp_path, capture, start_gateway, auth_max_failures=5, auth_max_failures_per_user=4
    )
    for n in range(2, 6):  # one guess each from four addresses
        assert _login(gateway.port, f"127.0.0.{n}", "office-scanner", "guess")[0] == 535
    assert _login(gateway.port, "127.0.0.9", "office-scanner", PASSWORD)[0] == 454
