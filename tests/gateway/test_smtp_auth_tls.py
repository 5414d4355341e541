"""Relaying from outside the client networks needs AUTH, which needs STARTTLS."""

from __future__ import annotations

import smtplib
from pathlib import Path

import pytest

from tests.harness import CaptureServer
from tests.tlsutil import smtp_auth_settings, unverified_client_context

RAW = b"From: office@school.example\r\nTo: a@example.org\r\nSubject: t\r\n\r\nhello\r\n"


_client_context = unverified_client_context


@pytest.fixture
def tls_gateway(tmp_path: Path, capture: CaptureServer, start_gateway):
    return start_gateway(capture.port, **smtp_auth_settings(tmp_path, "office-scanner", "s3cret!"))


def _outside_client(port: int) -> smtplib.SMTP:
    return smtplib.SMTP("127.0.0.1", port, timeout=30, source_address=("127.0.0.2", 0))


def test_auth_not_offered_before_starttls(tls_gateway):
    with _outside_client(tls_gateway.port) as client:
        client.ehlo()
        assert client.has_extn("starttls")
        assert not client.has_extn("auth")
        code, _ = client.mail("office@school.example")
        assert code == 530


def test_authenticated_client_relays_from_outside_networks(tls_gateway, capture: CaptureServer):
    with _outside_client(tls_gateway.port) as client:
        client.starttls(context=_client_context())
        client.ehlo()
        assert client.has_extn("auth")
        client.login("office-scanner", "s3cret!")
        assert client.sendmail("office@school.example", ["a@example.org"], RAW) == {}
    [got] = capture.wait_for(1)
    assert b"with ESMTPSA id" in got.content


def test_wrong_password_is_refused(tls_gateway, capture: CaptureServer):
    with _outside_client(tls_gateway.port) as client:
        client.starttls(context=_client_context())
        client.ehlo()
        with pytest.raises(smtplib.SMTPAuthenticationError) as refused:
            client.login("office-scanner", "wrong")
        assert refused.value.smtp_code == 535
        code, _ = client.mail("office@school.example")
        assert code == 530
    assert capture.messages == []
