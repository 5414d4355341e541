"""Real SMTP over loopback: client (smtplib) -> gateway -> capture server."""

from __future__ import annotations

import os
import smtplib
import socket
from email.message import EmailMessage

import pytest

from tests.harness import CaptureServer, free_port

SENDER = "teacher@school.example"


def plain_message(subject: str = "Trip letters", body: str = "See you at 9.\n") -> bytes:
    msg = EmailMessage()
    msg["From"] = f"Ms Teacher <{SENDER}>"
    msg["To"] = "parent@example.org"
    msg["Subject"] = subject
    msg["Message-ID"] = "<test@school.example>"
    msg.set_content(body)
    return msg.as_bytes().replace(b"\n", b"\r\n")


def added_headers(delivered: bytes, original: bytes) -> bytes:
    """The bytes the gateway put in front of the original, which must be intact after them."""
    assert delivered.endswith(original), "the original message was altered"
    return delivered[: len(delivered) - len(original)]


def assert_only_trace_headers(prefix: bytes, queue_id_hint: str = "") -> None:
    lines = prefix.decode().split("\r\n")
    assert lines[0].startswith("Received: from ")
    assert "by gateway.test (schoolgate" in prefix.decode()
    assert lines[-2].startswith("X-Schoolgate-Verdict: deliver; id=")
    assert lines[-1] == ""
    headers = [line for line in lines if line and not line.startswith("\t")]
    assert [h.split(":")[0] for h in headers] == ["Received", "X-Schoolgate-Verdict"]


def send(port: int, raw: bytes, rcpts: list[str], **kwargs: object) -> dict:
    with smtplib.SMTP("127.0.0.1", port, timeout=60) as client:
        return client.sendmail(SENDER, rcpts, raw, **kwargs)  # type: ignore[arg-type]


def test_plain_message_reaches_upstream_byte_for_byte(capture: CaptureServer, start_gateway):
    gateway = start_gateway(capture.port)
    raw = plain_message()
    refused = send(gateway.port, raw, ["parent@example.org"])
    assert refused == {}
    [got] = capture.wait_for(1)
    assert got.mail_from == SENDER
    assert got.rcpt_tos == ["parent@example.org"]
    prefix = added_headers(got.content, raw)
    assert_only_trace_headers(prefix)
    assert b"\tfor <parent@example.org>;" in prefix


def test_smtputf8_message_is_relayed_intact(capture: CaptureServer, start_gateway):
    gateway = start_gateway(capture.port)
    raw = (
        "From: Zoë Brontë <zoë@school.example>\r\n"
        "To: Chloé <chloé@example.org>\r\n"
        "Subject: Réunion à l'école — ça va?\r\n"
        "MIME-Version: 1.0\r\n"
        "Content-Type: text/plain; charset=utf-8\r\n"
        "Content-Transfer-Encoding: 8bit\r\n"
        "\r\n"
        "Bonjour, la réunion est à 9h. 日本語のテキスト\r\n"
    ).encode()
    with smtplib.SMTP("127.0.0.1", gateway.port, timeout=60) as client:
        client.ehlo()
        assert client.has_extn("smtputf8")
        refused = client.sendmail(
            "zoë@school.example",
            ["chloé@example.org"],
            raw,
            mail_options=["SMTPUTF8", "BODY=8BITMIME"],
        )
    assert refused == {}
    [got] = capture.wait_for(1)
    assert got.mail_from == "zoë@school.example"
    assert got.rcpt_tos == ["chloé@example.org"]
    assert "SMTPUTF8" in got.mail_options
    prefix = added_headers(got.content, raw)
    assert b"with UTF8SMTP id" in prefix


def test_twenty_megabyte_attachment_is_relayed_intact(capture: CaptureServer, start_gateway):
    gateway = start_gateway(capture.port, **{"smtp.max_message_size": "40MiB"})
    msg = EmailMessage()
    msg["From"] = SENDER
    msg["To"] = "partner@example.org"
    msg["Subject"] = "Scanned archive"
    msg.set_content("The archive is attached.\n")
    msg.add_attachment(
        os.urandom(20 * 1024 * 1024),
        maintype="application",
        subtype="octet-stream",
        filename="archive.bin",
    )
    raw = msg.as_bytes().replace(b"\n", b"\r\n")
    assert send(gateway.port, raw, ["partner@example.org"]) == {}
    [got] = capture.wait_for(1)
    assert_only_trace_headers(added_headers(got.content, raw))


def test_upstream_down_gives_451_and_resend_succeeds_once_back(start_gateway):
    upstream = CaptureServer(port=free_port())
    upstream.start()
    upstream.stop()  # the address is known but nothing listens
    try:
        gateway = start_gateway(upstream.port)
        raw = plain_message()
        with pytest.raises(smtplib.SMTPSenderRefused) as refused:
            send(gateway.port, raw, ["parent@example.org"])
        assert refused.value.smtp_code == 451
        assert b"4.4.1" in refused.value.smtp_error
        assert upstream.messages == []

        upstream.start()
        assert send(gateway.port, raw, ["parent@example.org"]) == {}
        [got] = upstream.wait_for(1)
        assert got.content.endswith(raw)
    finally:
        upstream.close()


def test_one_of_three_recipients_refused(capture: CaptureServer, start_gateway):
    capture.handler.refuse["nobody@example.org"] = "550 5.1.1 <nobody@example.org>: no such user"
    gateway = start_gateway(capture.port)
    rcpts = ["a@example.org", "nobody@example.org", "b@example.org"]
    refused = send(gateway.port, plain_message(), rcpts)
    assert refused == {"nobody@example.org": (550, b"5.1.1 <nobody@example.org>: no such user")}
    [got] = capture.wait_for(1)
    assert got.rcpt_tos == ["a@example.org", "b@example.org"]


def test_upstream_data_refusal_is_passed_back(capture: CaptureServer, start_gateway):
    capture.handler.data_reply = "554 5.7.1 Message rejected by policy upstream"
    gateway = start_gateway(capture.port)
    with pytest.raises(smtplib.SMTPDataError) as refused:
        send(gateway.port, plain_message(), ["parent@example.org"])
    assert refused.value.smtp_code == 554
    assert refused.value.smtp_error == b"5.7.1 Message rejected by policy upstream"


def test_client_outside_allowed_networks_is_refused(capture: CaptureServer, start_gateway):
    gateway = start_gateway(capture.port, **{"smtp.client_networks": ["127.0.0.1/32"]})
    with (
        smtplib.SMTP(
            "127.0.0.1", gateway.port, timeout=30, source_address=("127.0.0.2", 0)
        ) as client,
        pytest.raises(smtplib.SMTPSenderRefused) as refused,
    ):
        client.sendmail(SENDER, ["victim@example.org"], plain_message())
    assert refused.value.smtp_code == 550
    assert b"not permitted to relay" in refused.value.smtp_error
    # the allowed address still relays
    assert send(gateway.port, plain_message(), ["parent@example.org"]) == {}
    assert len(capture.wait_for(1)) == 1


def test_size_limit_enforced_at_mail_from_and_at_data(capture: CaptureServer, start_gateway):
    gateway = start_gateway(capture.port, **{"smtp.max_message_size": 100_000})
    big = plain_message(body=("y" * 70 + "\n") * 2200)
    with smtplib.SMTP("127.0.0.1", gateway.port, timeout=30) as client:
        client.ehlo()
        assert client.esmtp_features["size"] == "100000"
        code, _ = client.mail(SENDER, ["SIZE=150000"])
        assert code == 552
    with smtplib.SMTP("127.0.0.1", gateway.port, timeout=30) as client:
        client.ehlo()
        client.esmtp_features.pop("size")  # a client that does not announce SIZE=
        with pytest.raises(smtplib.SMTPDataError) as refused:
            client.sendmail(SENDER, ["parent@example.org"], big)
        assert refused.value.smtp_code == 552
    assert capture.messages == []


def test_several_messages_in_one_session(capture: CaptureServer, start_gateway):
    gateway = start_gateway(capture.port)
    with smtplib.SMTP("127.0.0.1", gateway.port, timeout=30) as client:
        for n in range(3):
            client.sendmail(SENDER, [f"p{n}@example.org"], plain_message(subject=f"n{n}"))
        client.rset()
        client.sendmail(SENDER, ["last@example.org"], plain_message(subject="last"))
    got = capture.wait_for(4)
    assert [m.rcpt_tos for m in got] == [
        ["p0@example.org"],
        ["p1@example.org"],
        ["p2@example.org"],
        ["last@example.org"],
    ]


def _raw_data(port: int, envelope_to: str, data: bytes) -> bytes:
    """Send DATA bytes exactly as given (smtplib would fix the line ends); the reply."""
    return _raw_session(port, envelope_to, data)[0]


def _raw_session(port: int, envelope_to: str, data: bytes, *, quit: bool = False) -> list[bytes]:
    """As _raw_data; with `quit`, then QUIT, and every reply line up to the close."""
    with socket.create_connection(("127.0.0.1", port), timeout=60) as sock:
        reader = sock.makefile("rb")
        reader.readline()
        for command in (b"EHLO client.test", b"MAIL FROM:<teacher@school.example>",
                        b"RCPT TO:<" + envelope_to.encode() + b">", b"DATA"):  # fmt: skip
            sock.sendall(command + b"\r\n")
            line = reader.readline()
            while line[3:4] == b"-":
                line = reader.readline()
        sock.sendall(data)
        replies = [reader.readline()]
        if quit:
            sock.sendall(b"QUIT\r\n")
            replies.extend(iter(reader.readline, b""))
        return replies


def test_a_large_message_with_bare_lf_line_ends_is_accepted_and_sent_on_with_crlf(
    capture: CaptureServer, start_gateway
):
    """Mainstream MTAs accept bare LF (Postfix: smtpd_forbid_bare_newline = normalize);
    a 1.9 MB bare-LF message was one "line" to aiosmtpd and got a permanent 500."""
    gateway = start_gateway(capture.port)
    lines = [b"From: teacher@school.example", b"To: a@example.org", b"Subject: minutes", b""]
    lines += [b"Line %d of the minutes, written by a script that ends lines with LF." % n
              for n in range(27_000)]  # fmt: skip
    reply = _raw_data(gateway.port, "a@example.org", b"\n".join(lines) + b"\r\n.\r\n")
    assert reply.startswith(b"250"), reply
    [delivered] = capture.wait_for(1)
    assert len(delivered.content) > 1_900_000
    assert b"\r\nLine 26999 of the minutes" in delivered.content
    assert b"\n" not in delivered.content.replace(b"\r\n", b"")  # every line end is CRLF


@pytest.mark.parametrize(
    "smuggled",
    [
        b"\n.\n",  # <LF>.<LF>
        b"\r\n.\n",  # <CR><LF>.<LF>
        b"\n.\r\n",  # <LF>.<CR><LF>
        b"\r.\r",  # <CR>.<CR>
    ],
)
def test_smuggling_sequences_stay_inside_the_one_message(
    capture: CaptureServer, start_gateway, smuggled: bytes
):
    gateway = start_gateway(capture.port)
    data = (
        b"From: teacher@school.example\r\nTo: a@example.org\r\nSubject: hi\r\n\r\nhello"
        + smuggled
        + b"MAIL FROM:<admin@school.example>\r\nRCPT TO:<b@example.org>\r\nDATA\r\n"
        + b"Subject: smuggled\r\n\r\nnot a second message\r\n.\r\n"
    )
    accepted, *rest = _raw_session(gateway.port, "a@example.org", data, quit=True)
    assert accepted.startswith(b"250")
    # The gateway's whole transcript: a second transaction read from the smuggled bytes
    # would have answered its MAIL, RCPT and DATA before QUIT's 221.
    assert [line[:3] for line in rest] == [b"221"]
    [delivered] = capture.wait_for(1)
    assert delivered.rcpt_tos == ["a@example.org"]
    assert b"not a second message" in delivered.content  # content, not a new message
    assert len(capture.originals()) == 1
