"""What schoolgate tells people: plain, kind emails in the school's name.

Each function returns the subject and plain-text body of one kind of notice; `compose`
wraps them into a message. Notices only ever contain redacted evidence, and their
subjects reuse the journal's redacted subject, so a notice never repeats a pupil's name.
"""

from __future__ import annotations

import email.utils
import textwrap
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from email.message import EmailMessage
from typing import Any

from gateway import __version__
from models import Severity
from models.location import ATTACHMENT, BODY, HEADER, SUBJECT, Location

POLICY_LINE = "These checks come from the school's acceptable use policy, which all staff sign."


@dataclass(frozen=True, slots=True)
class MatchedRule:
    reason: str
    notice: str = ""


@dataclass(frozen=True, slots=True)
class NoticeFacts:
    """What a notice about one message needs to say."""

    subject: str
    """The redacted subject, as journalled."""
    recipients: tuple[str, ...]
    rules: tuple[MatchedRule, ...] = ()
    findings: tuple[dict[str, Any], ...] = ()
    hold_id: str | None = None
    message_id: str | None = None

    def __post_init__(self) -> None:
        # Quoted in subjects and sentences: one line, single spaces, no leading fold.
        object.__setattr__(self, "subject", " ".join(self.subject.split()))


@dataclass(frozen=True, slots=True)
class Signature:
    from_name: str
    school: str
    reviewer_role: str = "Designated Safeguarding Lead"
    review_time: str = "within one school day"
    releaser_role: str = "email administrator"
    extra: dict[str, str] = field(default_factory=dict)


def where(finding: dict[str, Any]) -> str:
    """A finding's location as a teacher would say it."""
    location = str(finding.get("location", ""))
    place = Location.parse(location)
    if place.area == SUBJECT:
        text = "the subject line"
    elif place.area == BODY:
        text = "the message"
    elif place.area == ATTACHMENT:
        text = f"the attachment {place.path}" + (
            f" (sheet {place.section})" if place.section else ""
        )
    elif place.area == HEADER:
        text = f"the {place.path or 'message'} header"
    else:
        text = location or "the message"
    if finding.get("row"):
        text += f", row {finding['row']}"
    return text


def _findings_text(findings: Sequence[dict[str, Any]], limit: int = 10) -> str:
    lines = []
    for finding in findings[:limit]:
        explanation = str(finding.get("explanation", "")).strip()
        evidence = finding.get("evidence")
        shown = f' ("{evidence}")' if evidence else ""
        lines.append(f"  - In {where(finding)}{shown}: {explanation}")
    if len(findings) > limit:
        lines.append(f"  - ... and {len(findings) - limit} more.")
    return "\n".join(lines) or "  - (no details recorded)"


def _reasons(rules: Iterable[MatchedRule]) -> str:
    return "\n".join(f"  - {r.reason}" for r in dict.fromkeys(rules)) or "  - (no reason recorded)"


def _fixes(rules: Iterable[MatchedRule]) -> str:
    fixes = [r.notice.strip() for r in dict.fromkeys(rules) if r.notice.strip()]
    return "\n\n".join(textwrap.fill(f, 76) for f in fixes)


def _to(facts: NoticeFacts) -> str:
    shown = ", ".join(facts.recipients[:5])
    if len(facts.recipients) > 5:
        shown += f" and {len(facts.recipients) - 5} more"
    return shown


def _sign(signature: Signature) -> str:
    return f"{POLICY_LINE}\n\n{signature.from_name}\n{signature.school}"


def _when(moment: datetime) -> str:
    return moment.astimezone().strftime("%A %d %B at %H:%M").replace(" 0", " ")


def confirm_notice(
    facts: NoticeFacts, send_url: str, cancel_url: str, deadline: datetime, signature: Signature
) -> tuple[str, str]:
    fixes = _fixes(facts.rules)
    body = f"""Hello,

Your email "{facts.subject}" to {_to(facts)} has NOT been sent yet, because:
{_reasons(facts.rules)}

What was found:
{_findings_text(facts.findings)}
{chr(10) + fixes + chr(10) if fixes else ""}
What would you like to do?

  Don't send it (then correct it and send it again):
  {cancel_url}

  Send it anyway (you will be asked for a short reason, which the
  {signature.reviewer_role} can see):
  {send_url}

If you do nothing, the email will not be sent. This choice is open until
{_when(deadline)}.

{_sign(signature)}
"""
    return f'Not sent yet - please check: "{facts.subject}"', body


def quarantine_notice(facts: NoticeFacts, signature: Signature) -> tuple[str, str]:
    fixes = _fixes(facts.rules)
    body = f"""Hello,

Your email "{facts.subject}" to {_to(facts)} has been held for review by
the school's {signature.releaser_role}. It has not been sent yet.

Why it was held:
{_reasons(facts.rules)}

What was found:
{_findings_text(facts.findings)}
{chr(10) + fixes + chr(10) if fixes else ""}
What happens next: the {signature.releaser_role} aims to review it
{signature.review_time}; the {signature.reviewer_role} can also see it. You
will get another email when it is released or returned to you. If it is
urgent, please speak to the {signature.releaser_role} directly.

Reference: {facts.hold_id}

{_sign(signature)}
"""
    return f'Held for review: "{facts.subject}"', body


def notify_notice(facts: NoticeFacts, signature: Signature) -> tuple[str, str]:
    fixes = _fixes(facts.rules)
    body = f"""Hello,

Your email "{facts.subject}" to {_to(facts)} was sent. We noticed
something to keep in mind next time:
{_reasons(facts.rules)}

What was found:
{_findings_text(facts.findings)}
{chr(10) + fixes + chr(10) if fixes else ""}
You do not need to do anything about this email.

{_sign(signature)}
"""
    return f'Sent, with a reminder: "{facts.subject}"', body


def released_notice(
    facts: NoticeFacts, by: str, refused: dict[str, str], signature: Signature
) -> tuple[str, str]:
    refusals = ""
    if refused:
        lines = "\n".join(f"  - {rcpt}: {reply}" for rcpt, reply in refused.items())
        refusals = f"\nThese recipients' mail servers refused it:\n{lines}\n"
    body = f"""Hello,

Your email "{facts.subject}" has been released by {by} and sent to
{_to(facts)}.
{refusals}
Reference: {facts.hold_id}

{_sign(signature)}
"""
    return f'Sent after review: "{facts.subject}"', body


def rejected_notice(
    facts: NoticeFacts, by: str, reason: str, signature: Signature
) -> tuple[str, str]:
    body = f"""Hello,

Your email "{facts.subject}" to {_to(facts)} was reviewed by {by} and
will not be sent.

Their reason: {reason or "(none given)"}

Why it was held in the first place:
{_reasons(facts.rules)}

If you still need to send it, please correct it (for example, use initials
instead of pupils' full names, or send personal data encrypted) and send it
again.

Reference: {facts.hold_id}

{_sign(signature)}
"""
    return f'Not sent after review: "{facts.subject}"', body


def expired_notice(facts: NoticeFacts, why: str, signature: Signature) -> tuple[str, str]:
    body = f"""Hello,

Your email "{facts.subject}" to {_to(facts)} was not sent: {why}

If you still need to send it, please check it and send it again.

Reference: {facts.hold_id}

{_sign(signature)}
"""
    return f'Not sent: "{facts.subject}"', body


def delivery_failed_notice(
    facts: NoticeFacts, detail: str, signature: Signature
) -> tuple[str, str]:
    body = f"""Hello,

Your email "{facts.subject}" to {_to(facts)} was released, but it could
not be delivered: {detail}

Please check the addresses and send it again, or ask IT for help.

Reference: {facts.hold_id}

{_sign(signature)}
"""
    return f'Could not be delivered: "{facts.subject}"', body


def alert(
    facts: NoticeFacts, sender: str, severity: Severity, console_url: str, signature: Signature
) -> tuple[str, str]:
    body = f"""A message has been held for review ({severity} severity).

From:    {sender}
To:      {_to(facts)}
Subject: {facts.subject}

Rules:
{_reasons(facts.rules)}

Findings:
{_findings_text(facts.findings, limit=25)}

Review it in the console:
{console_url}

{signature.from_name}
"""
    return f'[schoolgate] Held for review ({severity}): "{facts.subject}"', body


def compose(
    *,
    sender: str,
    sender_name: str,
    to: Sequence[str],
    subject: str,
    body: str,
    kind: str,
    in_reply_to: str | None = None,
) -> EmailMessage:
    """The notice as a message: auto-generated (RFC 3834), threaded under the original."""
    message = EmailMessage()
    message["From"] = email.utils.formataddr((sender_name, sender))
    message["To"] = ", ".join(to)
    # The quoted original subject may carry folding whitespace (CR LF, tabs) or a
    # leading space; written as it is, a long alert subject then starts with a folded
    # blank line in some clients. One line of single spaces folds cleanly.
    message["Subject"] = " ".join(subject.split())
    message["Date"] = email.utils.formatdate(localtime=True)
    domain = sender.rpartition("@")[2] or "schoolgate.invalid"
    message["Message-ID"] = email.utils.make_msgid("schoolgate", domain=domain)
    message["Auto-Submitted"] = "auto-generated"
    message["X-Auto-Response-Suppress"] = "All"
    message["X-Schoolgate-Notice"] = kind
    message["X-Mailer"] = f"schoolgate {__version__}"
    if in_reply_to:
        message["In-Reply-To"] = in_reply_to
        message["References"] = in_reply_to
    message.set_content(body)
    return message
