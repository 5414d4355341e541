"""End to end through real Postfix, configured from the files in deploy/postfix/:

    smtplib client -> Postfix smtpd -> schoolgate -> Postfix re-injection smtpd
                   -> Postfix queue -> capture server (standing in for the internet)

Before-queue mode (smtpd_proxy_filter, recommended) and after-queue mode
(content_filter) each get a clean message, a rejected one and a schoolgate outage.
Postfix runs as a private instance on free loopback ports (see postfix_instance.py);
its log is part of every assertion message so a CI failure can be read.
"""

from __future__ import annotations

import os
import re
import smtplib
import time
import tomllib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from email import message_from_bytes
from email.message import Message
from email.policy import default as default_policy
from pathlib import Path
from typing import Any

import pytest

from tests.harness import (
    KEYWORD_RULES,
    Captured,
    CaptureServer,
    GatewayRunner,
    free_port,
    gateway_config,
)
from tests.integration.postfix_instance import (
    DEPLOY,
    REINJECT_PORT,
    SCHOOLGATE_PORT,
    PostfixInstance,
    merge_master_cf,
    parse_master_cf,
    postfix_installed,
    stock_master_cf,
    substitute_ports,
)
from tests.mail import email, wire
from tests.support import require

SENDER = "teacher@school.example"
RECIPIENT = "parent@example.org"

MODES = {
    "before-queue": ("main.cf.schoolgate", "master.cf.schoolgate"),
    "after-queue": ("main.cf.after-queue", "master.cf.after-queue"),
}
SPEED_ADJUST_OFF = "  #-o smtpd_proxy_options=speed_adjust"
SPEED_ADJUST_ON = "  -o smtpd_proxy_options=speed_adjust"
REJECT_REASON = next(rule["reason"] for rule in KEYWORD_RULES if rule["action"] == "reject")
REJECT_REPLY = f"5.7.1 Not sent: {REJECT_REASON}"
"""How schoolgate's 550 for KEYWORD-REJECT begins (it may go on to say what matched)."""


def message(body: str, subject: str = "Trip letters") -> bytes:
    mail = email(
        body,
        subject=subject,
        sender=f"Ms Teacher <{SENDER}>",
        to=RECIPIENT,
        date="Mon, 02 Mar 2026 09:00:00 +0000",
        message_id=True,
    )
    return wire(mail)


CLEAN = message("The coach leaves at 9.\nPlease bring a packed lunch.\n")
REJECTED = message("Here is the list.\nKEYWORD-REJECT\n", subject="Class list")


def schoolgate_settings(ports: dict[int, int]) -> dict[str, Any]:
    """deploy/postfix/schoolgate.postfix.toml as start_gateway overrides ("smtp.listen")."""
    text = substitute_ports((DEPLOY / "schoolgate.postfix.toml").read_text(), ports)
    return {
        f"{section}.{key}": value
        for section, table in tomllib.loads(text).items()
        for key, value in table.items()
    }


def distinct_free_ports(count: int) -> list[int]:
    ports: list[int] = []
    while len(ports) < count:
        port = free_port()
        if port not in ports:
            ports.append(port)
    return ports


@dataclass(frozen=True)
class Reply:
    """The answer that ended the client's transaction: a refusal, or the final DATA reply."""

    stage: str
    code: int
    text: str


@dataclass
class Chain:
    postfix: PostfixInstance
    capture: CaptureServer
    gateway_port: int
    reinject_port: int
    _start_gateway: Callable[..., GatewayRunner]

    def start_schoolgate(self) -> GatewayRunner:
        settings = schoolgate_settings(
            {SCHOOLGATE_PORT: self.gateway_port, REINJECT_PORT: self.reinject_port}
        )
        # Only the test keyword rules: the built-in ones need detectors not run here.
        settings["policy.builtin_rules"] = False
        settings["web.listen"] = "127.0.0.1:0"  # the console is not under test
        return self._start_gateway(self.reinject_port, **settings)

    def send(self, raw: bytes) -> Reply:
        """One transaction to Postfix's filtered listener, as a mail client would."""
        with smtplib.SMTP("127.0.0.1", self.postfix.listen_port, timeout=120) as client:
            client.ehlo("client.test")
            stage, (code, text) = "MAIL", client.mail(SENDER)
            if code < 400:
                stage, (code, text) = "RCPT", client.rcpt(RECIPIENT)
            if code < 400:
                stage, (code, text) = "DATA", client.data(raw)
        return Reply(stage, code, " ".join(text.decode().split()))

    def log(self) -> str:
        return self.postfix.log()


@pytest.fixture
def make_chain(
    tmp_path: Path, capture: CaptureServer, start_gateway: Callable[..., GatewayRunner]
) -> Iterator[Callable[..., Chain]]:
    """make_chain(mode, speed_adjust=False): Postfix configured from deploy/postfix/,
    schoolgate's port chosen but nothing listening there until chain.start_schoolgate()."""
    require(
        postfix_installed(),
        "Postfix is not installed (scripts/system-deps.sh installs Debian's postfix)",
    )
    require(os.geteuid() == 0, "starting a private Postfix instance needs root")
    instances: list[PostfixInstance] = []

    def _make(mode: str, speed_adjust: bool = False) -> Chain:
        main_name, master_name = MODES[mode]
        gateway_port, reinject_port, listen_port = distinct_free_ports(3)
        ports = {SCHOOLGATE_PORT: gateway_port, REINJECT_PORT: reinject_port}
        main_cf = substitute_ports((DEPLOY / main_name).read_text(), ports)
        ours = substitute_ports((DEPLOY / master_name).read_text(), ports)
        if speed_adjust:
            assert SPEED_ADJUST_OFF in ours, f"{master_name} no longer offers speed_adjust"
            ours = ours.replace(SPEED_ADJUST_OFF, SPEED_ADJUST_ON)
        master_cf = merge_master_cf(stock_master_cf(), ours, {"smtp": f"127.0.0.1:{listen_port}"})
        postfix = PostfixInstance(
            tmp_path / f"postfix-{len(instances)}",
            main_cf,
            master_cf,
            listen_port=listen_port,
            relayhost_port=capture.port,
        )
        instances.append(postfix)
        postfix.start()
        return Chain(postfix, capture, gateway_port, reinject_port, start_gateway)

    try:
        yield _make
    finally:
        for instance in instances:
            instance.stop()


# --- what the capture server received ---------------------------------------------------


def delivered_to(capture: CaptureServer, recipient: str, timeout: float = 30.0) -> list[Captured]:
    """Messages the capture server got for `recipient`, waiting up to `timeout` for one."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = [m for m in capture.messages if recipient in m.rcpt_tos]
        if found:
            return found
        time.sleep(0.05)
    return []


def the_message_to(chain: Chain, recipient: str) -> Captured:
    """The one message delivered to `recipient` (waiting for it)."""
    found = delivered_to(chain.capture, recipient)
    assert len(found) == 1, f"{len(found)} messages reached {recipient}\n{chain.log()}"
    return found[0]


def added_headers(content: bytes, original: bytes, log: str) -> list[str]:
    """The headers put in front of the original message (which must be intact), as
    'Name: first words', newest first."""
    assert content.endswith(original), f"the original message was altered\n{log}"
    prefix = message_from_bytes(content[: len(content) - len(original)], policy=default_policy)
    return [f"{name}: {' '.join(str(value).split()[:1])}" for name, value in prefix.items()]


def received_by(content: bytes) -> list[str]:
    """Who wrote each Received header, newest first: 'Postfix' or 'schoolgate'."""
    parsed = message_from_bytes(content, policy=default_policy)
    return [
        match.group(1)
        for header in parsed.get_all("Received", [])
        if (match := re.search(r"\((Postfix|schoolgate)\b", str(header)))
    ]


def assert_scanned_and_delivered(chain: Chain, got: Captured) -> None:
    """Postfix -> schoolgate -> Postfix, each leaving its trace, the message intact."""
    log = chain.log()
    assert (got.mail_from, got.rcpt_tos) == (SENDER, [RECIPIENT]), log
    # Newest first: the re-injection listener, schoolgate (with its verdict), then the
    # listener the client talked to.
    assert added_headers(got.content, CLEAN, log) == [
        "Received: from",
        "Received: from",
        "X-Schoolgate-Verdict: deliver;",
        "Received: from",
    ], log
    assert received_by(got.content) == ["Postfix", "schoolgate", "Postfix"], log


def bounce_diagnostic(content: bytes) -> tuple[str, str]:
    """(Final-Recipient, Diagnostic-Code) of a delivery status notification (RFC 3464)."""
    report = message_from_bytes(content, policy=default_policy)
    assert report.get_content_type() == "multipart/report", content.decode(errors="replace")
    status = next(p for p in report.walk() if p.get_content_type() == "message/delivery-status")
    blocks = status.get_payload()  # the per-message block, then one per recipient
    assert isinstance(blocks, list) and len(blocks) == 2, content.decode(errors="replace")
    recipient = blocks[1]
    assert isinstance(recipient, Message)
    return (
        " ".join(str(recipient["Final-Recipient"]).split()),
        " ".join(str(recipient["Diagnostic-Code"]).split()),
    )


# --- before-queue mode (recommended) ----------------------------------------------------


@pytest.mark.postfix
@pytest.mark.parametrize(
    "speed_adjust",
    [
        False,  # as shipped: MAIL, RCPT and DATA reach schoolgate as the client sends them
        True,  # smtpd_proxy_options=speed_adjust: Postfix receives it all, then proxies
    ],
)
def test_before_queue_clean_message_is_scanned_and_delivered(make_chain, speed_adjust):
    chain = make_chain("before-queue", speed_adjust=speed_adjust)
    chain.start_schoolgate()

    reply = chain.send(CLEAN)

    # The client's 250 is schoolgate's, passed on by Postfix: it names the queue id the
    # re-injection listener gave the message and schoolgate's journal id.
    assert (reply.stage, reply.code) == ("DATA", 250), f"{reply}\n{chain.log()}"
    assert re.fullmatch(r"2\.0\.0 Ok: queued as \w+ \(schoolgate id \w+\)", reply.text), (
        f"{reply}\n{chain.log()}"
    )
    got = the_message_to(chain, RECIPIENT)
    assert_scanned_and_delivered(chain, got)
    assert chain.postfix.wait_for_log(r"proxy-accept: END-OF-MESSAGE: 250 2\.0\.0"), chain.log()


@pytest.mark.postfix
@pytest.mark.parametrize(
    "speed_adjust",
    [
        False,  # as shipped: the 550 answers the client's end of DATA, live from schoolgate
        True,  # speed_adjust: same answer, after Postfix has received the whole message
    ],
)
def test_before_queue_reject_reaches_the_sender_in_its_own_session(make_chain, speed_adjust):
    chain = make_chain("before-queue", speed_adjust=speed_adjust)
    chain.start_schoolgate()

    reply = chain.send(REJECTED)

    assert (reply.stage, reply.code) == ("DATA", 550), f"{reply}\n{chain.log()}"
    assert reply.text.startswith(REJECT_REPLY), f"{reply}\n{chain.log()}"
    # Refused before Postfix queued anything: no bounce to write, nothing delivered.
    assert chain.postfix.wait_for_log(r"proxy-reject: END-OF-MESSAGE: 550 5\.7\.1"), chain.log()
    assert chain.postfix.queue() == [], chain.log()
    assert chain.capture.messages == [], chain.log()


@pytest.mark.postfix
def test_before_queue_schoolgate_down_gives_4xx_and_loses_nothing(make_chain):
    chain = make_chain("before-queue")  # nothing listens on schoolgate's port yet

    reply = chain.send(CLEAN)

    # Postfix connects to schoolgate at the first accepted RCPT; failing that it answers
    # a generic 451 (the details go to its log and to the IT notice), so the sender keeps
    # the message and retries.
    assert reply == Reply("RCPT", 451, "4.3.0 Error: queue file write error"), chain.log()
    assert chain.postfix.wait_for_log(r"warning: connect to proxy filter 127\.0\.0\.1:\d+: "), (
        chain.log()
    )
    assert [m for m in chain.postfix.queue() if m["sender"] == SENDER] == [], chain.log()
    # IT hear about it (main.cf error_notice_recipient); the recipient gets nothing.
    notices = delivered_to(chain.capture, chain.postfix.setting("error_notice_recipient"))
    assert len(notices) == 1, chain.log()
    assert not any(RECIPIENT in m.rcpt_tos for m in chain.capture.messages), chain.log()

    chain.start_schoolgate()
    retry = chain.send(CLEAN)

    assert (retry.stage, retry.code) == ("DATA", 250), f"{retry}\n{chain.log()}"
    got = the_message_to(chain, RECIPIENT)
    assert_scanned_and_delivered(chain, got)


# --- after-queue mode (content_filter) --------------------------------------------------


@pytest.mark.postfix
def test_after_queue_clean_message_is_scanned_and_delivered(make_chain):
    chain = make_chain("after-queue")
    chain.start_schoolgate()

    reply = chain.send(CLEAN)

    # Postfix's own 250: the message is queued, scanning happens afterwards.
    assert (reply.stage, reply.code) == ("DATA", 250), f"{reply}\n{chain.log()}"
    assert "schoolgate" not in reply.text
    got = the_message_to(chain, RECIPIENT)
    assert_scanned_and_delivered(chain, got)
    assert chain.postfix.wait_for_log(r"postfix/schoolgate/smtp\[\d+\]: .*status=sent"), chain.log()


@pytest.mark.postfix
def test_after_queue_reject_becomes_a_bounce_to_the_sender(make_chain):
    chain = make_chain("after-queue")
    chain.start_schoolgate()

    # Postfix queues first, so the sender's own session succeeds ...
    reply = chain.send(REJECTED)
    assert (reply.stage, reply.code) == ("DATA", 250), f"{reply}\n{chain.log()}"

    # ... and schoolgate's 550 comes back as a delivery failure report to the sender.
    bounce = the_message_to(chain, SENDER)
    assert bounce.mail_from == "<>", chain.log()
    final_recipient, diagnostic = bounce_diagnostic(bounce.content)
    assert final_recipient == f"rfc822; {RECIPIENT}", chain.log()
    assert diagnostic.startswith(f"smtp; 550 {REJECT_REPLY}"), f"{diagnostic}\n{chain.log()}"
    assert chain.postfix.wait_for_log(r"to=<parent@example\.org>.*status=bounced"), chain.log()
    assert not any(RECIPIENT in m.rcpt_tos for m in chain.capture.messages), chain.log()
    # Postfix's own bounce went straight out, not through schoolgate a second time.
    assert "X-Schoolgate-Verdict" not in message_from_bytes(bounce.content), chain.log()


@pytest.mark.postfix
def test_after_queue_schoolgate_down_keeps_mail_queued_until_it_is_back(make_chain):
    chain = make_chain("after-queue")  # nothing listens on schoolgate's port yet

    reply = chain.send(CLEAN)

    assert (reply.stage, reply.code) == ("DATA", 250), f"{reply}\n{chain.log()}"
    assert chain.postfix.wait_for_log(r"status=deferred \(connect to 127\.0\.0\.1"), chain.log()
    [queued] = chain.postfix.queue()
    assert (queued["sender"], queued["queue_name"]) == (SENDER, "deferred"), chain.log()
    assert chain.capture.messages == [], chain.log()

    chain.start_schoolgate()
    chain.postfix.flush()  # what Postfix's own retry schedule would do a little later

    got = the_message_to(chain, RECIPIENT)
    assert_scanned_and_delivered(chain, got)


# --- the deploy files agree with each other -----------------------------------------------


def main_cf_settings(text: str) -> dict[str, str]:
    """name = value lines of a main.cf file (ours use no continuation lines)."""
    return {
        name.strip(): value.strip()
        for line in text.splitlines()
        if line.strip() and not line.startswith(("#", " ", "\t"))
        for name, value in [line.split("=", 1)]
    }


def listener_options(master_cf: str, service: str) -> dict[str, str]:
    """The -o name=value options of one inet service in a master.cf file."""
    [entry] = [e for e in parse_master_cf(master_cf) if e.key == (service, "inet")]
    return dict(line.split("-o", 1)[1].strip().split("=", 1) for line in entry.options)


def postfix_seconds(value: str) -> float:
    units = {"s": 1, "m": 60, "h": 3600}
    return float(value[:-1]) * units[value[-1]] if value[-1] in units else float(value)


def deploy_schoolgate_config(tmp_path: Path) -> Any:
    """schoolgate.postfix.toml applied to the test configuration (so it must be valid)."""
    settings = schoolgate_settings({SCHOOLGATE_PORT: SCHOOLGATE_PORT, REINJECT_PORT: REINJECT_PORT})
    return gateway_config(tmp_path, None, **settings, **{"policy.builtin_rules": False})


@pytest.mark.parametrize(
    "mode",
    [
        "before-queue",  # main.cf.schoolgate + master.cf.schoolgate
        "after-queue",  # main.cf.after-queue + master.cf.after-queue
    ],
)
def test_deploy_files_agree_on_message_sizes(mode, tmp_path):
    """Each hop accepts a little more than the one before it, for the headers it adds."""
    main_name, master_name = MODES[mode]
    schoolgate = deploy_schoolgate_config(tmp_path)
    main_cf = main_cf_settings((DEPLOY / main_name).read_text())
    front = listener_options((DEPLOY / master_name).read_text(), "smtp")
    assert (
        int(front["message_size_limit"])
        < schoolgate.smtp.max_message_size
        < int(main_cf["message_size_limit"])
    )


def test_proxy_timeout_outlasts_schoolgates_worst_case(tmp_path):
    """The filtered smtpd must not give up while schoolgate is still working: at most
    4 x scan timeout (waiting for a worker, then scanning) plus the hand-over."""
    schoolgate = deploy_schoolgate_config(tmp_path)
    main_cf = main_cf_settings((DEPLOY / "main.cf.schoolgate").read_text())
    worst_case = 4 * schoolgate.scan.timeout + schoolgate.relay.timeout
    assert postfix_seconds(main_cf["smtpd_proxy_timeout"]) > worst_case


# --- how the test turns the deploy files into a private instance --------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # host:port, as in smtpd_proxy_filter and relay.next_hop
        ("smtpd_proxy_filter=127.0.0.1:2525", "smtpd_proxy_filter=127.0.0.1:4001"),
        # [host]:port, as in content_filter
        ("content_filter = sg:[127.0.0.1]:2525", "content_filter = sg:[127.0.0.1]:4001"),
        # a port not asked for is left alone
        ("127.0.0.1:10026 inet 127.0.0.1:2525", "127.0.0.1:10026 inet 127.0.0.1:4001"),
        # a longer port that merely starts with 2525 is left alone
        ("127.0.0.1:25250 127.0.0.1:2525", "127.0.0.1:25250 127.0.0.1:4001"),
        # another host on the same port is left alone
        ("10.127.0.0.1:2525 127.0.0.1:2525", "10.127.0.0.1:2525 127.0.0.1:4001"),
    ],
)
def test_substitute_ports(text, expected):
    assert substitute_ports(text, {2525: 4001}) == expected


def test_substitute_ports_refuses_text_that_lacks_a_port():
    """A deploy file that stopped using a port must fail the test, not go untested."""
    with pytest.raises(ValueError, match=r"port\(s\) \[10026\]"):
        substitute_ports("smtpd_proxy_filter=127.0.0.1:2525", {2525: 4001, 10026: 4002})


def test_merge_master_cf_replaces_stock_entries_and_renames_the_listener():
    stock = "smtp inet n - y - - smtpd\npickup unix n - y 60 1 pickup\n"
    ours = "smtp inet n - n - 50 smtpd\n  # a comment\n  -o smtpd_proxy_filter=127.0.0.1:2525\n"
    assert merge_master_cf(stock, ours, {"smtp": "127.0.0.1:4000"}) == (
        "pickup unix n - n 60 1 pickup\n"  # kept, chroot off
        "127.0.0.1:4000 inet n - n - 50 smtpd\n"  # ours instead of the stock smtp entry
        "  -o smtpd_proxy_filter=127.0.0.1:2525\n"
    )
    with pytest.raises(ValueError, match="no inet service named"):
        merge_master_cf(stock, ours, {"submission": "127.0.0.1:4000"})
