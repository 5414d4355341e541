"""The console's defences: CSRF on every form, message content shown as inert text,
security headers, no open redirect after sign-in."""

from __future__ import annotations

from collections.abc import Iterator
from html.parser import HTMLParser
from typing import Any

import pytest

from tests.gateway.web.console import Console, email_for, post_form

HOSTILE_SUBJECT = '<script>alert("subject")</script><b>Bold</b> KEYWORD-QUARANTINE'
HOSTILE_HTML = (
    "<html><body><p>Dear parent</p><script>alert('body')</script>"
    '<img src="https://tracker.example/pixel.gif" onerror="alert(1)">'
    '<a href="javascript:alert(2)">click me</a> <iframe src="https://evil.example"></iframe>'
    "<p>KEYWORD-QUARANTINE</p></body></html>"
)
WARNING_SUBJECT = '<i>Warn</i> <script>alert("confirm")</script> KEYWORD-CONFIRM'
HOSTILE_TEXT = '<script>alert("plain")</script> <img src=x onerror=alert(3)> KEYWORD-QUARANTINE'


class _Tags(HTMLParser):
    """Every element the browser would build from the page, with its attributes."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))


def live_markup_problems(page: str) -> list[str]:
    """Anything in the page that could run script, load from elsewhere or embed a page."""
    parser = _Tags()
    parser.feed(page)
    problems = []
    for tag, attrs in parser.tags:
        if tag == "script" and not str(attrs.get("src", "")).startswith("/static/"):
            problems.append(f"inline or foreign script: {attrs}")
        if tag in ("img", "iframe", "object", "embed", "b", "i"):
            problems.append(f"<{tag}> from the message")
        for name, value in attrs.items():
            if name.startswith("on"):
                problems.append(f"event handler {name}={value}")
            if name in ("href", "src") and value and not value.startswith(("/", "#")):
                problems.append(f"{name} to {value}")
    return problems


@pytest.fixture(scope="module")
def hostile(module_console: Console) -> Iterator[dict[str, Any]]:
    console = module_console
    console.add_role_users()
    console.send(HOSTILE_HTML, subject=HOSTILE_SUBJECT, content_type="text/html")
    console.send(HOSTILE_TEXT, subject="Plain one")
    console.send("Please check KEYWORD-CONFIRM", subject=WARNING_SUBJECT)
    html_hold = console.hold_with("Bold")
    plain_hold = console.hold_with("Plain one")
    admin = console.sign_in(email_for("admin"))
    dsl = console.sign_in(email_for("dsl"))
    yield {"console": console, "html": html_hold, "plain": plain_hold, "admin": admin, "dsl": dsl}
    admin.close()
    dsl.close()


def _pages(world: dict[str, Any]) -> list[tuple[str, str]]:
    html, plain = world["html"], world["plain"]
    flow = world["console"].runner.gateway.flow
    warning = world["console"].hold_with("Warn")
    return [
        ("admin", f"/held/{html.id}"),  # the message view: subject, HTML body
        ("admin", f"/held/{plain.id}"),  # the message view: a plain-text body with markup
        ("admin", "/held"),  # the queue shows the (redacted) subjects
        ("dsl", "/incidents"),  # the incident log
        ("dsl", f"/incidents/{html.journal_id}"),  # one incident
        ("dsl", "/"),  # the dashboard lists recent holds
        ("anonymous", f"/confirm/{flow.signer.token(warning.id)}/send"),  # the sender's page
    ]


def test_message_markup_is_shown_as_inert_text(hostile: dict[str, Any]):
    console = hostile["console"]
    for who, path in _pages(hostile):
        client = hostile.get(who) or console.client()
        page = client.get(path)
        assert page.status_code == 200, (path, page.status_code)
        assert live_markup_problems(page.text) == [], path
    plain_view = hostile["admin"].get(f"/held/{hostile['plain'].id}").text
    # the plain-text body's markup is there to read, as text
    assert "&lt;script&gt;alert(&#34;plain&#34;)&lt;/script&gt;" in plain_view
    assert "&lt;img src=x onerror=alert(3)&gt;" in plain_view
    html_view = hostile["admin"].get(f"/held/{hostile['html'].id}").text
    # the HTML body was turned into its words; the subject's markup is escaped text
    assert "Dear parent" in html_view and "click me" in html_view
    assert (
        "&lt;script&gt;alert(&#34;subject&#34;)&lt;/script&gt;&lt;b&gt;Bold&lt;/b&gt;" in html_view
    )
    assert '<mark class="finding"' in html_view


def test_console_pages_send_security_headers(hostile: dict[str, Any]):
    page = hostile["admin"].get(f"/held/{hostile['html'].id}")
    csp = page.headers["content-security-policy"]
    assert "script-src 'self'" in csp and "style-src 'self'" in csp
    assert "frame-ancestors 'none'" in csp
    assert page.headers["x-frame-options"] == "DENY"
    assert page.headers["cache-control"] == "no-store"
    assert page.headers["referrer-policy"] == "no-referrer"


FORMS = [
    # (page holding the form, where it posts, fields, who)
    ("held", "/held/{hold}/release", {"reason": "forged"}, "admin"),
    ("held", "/held/{hold}/reject", {"reason": "forged"}, "admin"),
    ("queue", "/held/bulk", {"action": "release", "ids": "{hold}"}, "admin"),
    ("incident", "/incidents/{journal}/review", {"marking": "false-positive"}, "dsl"),
    ("incident", "/incidents/{journal}/notes", {"text": "forged note"}, "dsl"),
    ("signin", "/signin", {"email": email_for("admin"), "password": "x"}, "anonymous"),
    ("any", "/signout", {}, "dsl"),
]


@pytest.mark.parametrize(("page", "action", "fields", "who"), FORMS, ids=[f[1] for f in FORMS])
@pytest.mark.parametrize("token", ["missing", "wrong"])
def test_forms_without_their_csrf_token_are_refused(
    hostile: dict[str, Any], page: str, action: str, fields: dict[str, str], who: str, token: str
):
    console: Console = hostile["console"]
    ids = {"hold": hostile["plain"].id, "journal": hostile["plain"].journal_id}
    client = hostile.get(who) or console.client()
    data = {k: v.format(**ids) for k, v in fields.items()}
    if token == "wrong":
        data["csrf_token"] = "x" * 43
    audit_before = len(console.audit())
    response = client.post(action.format(**ids), data=data)
    assert response.status_code == 403
    assert "This form has expired" in response.text
    assert console.hold_with("Plain one").status == "held"
    assert len(console.audit()) == audit_before  # nothing happened, nothing recorded
    assert client.get("/").status_code in (200, 303)


def test_the_same_forms_work_with_their_token(hostile: dict[str, Any]):
    """The refusal above is about the token, not the form: with it, the note is added."""
    journal_id = hostile["plain"].journal_id
    page = f"/incidents/{journal_id}"
    response = post_form(hostile["dsl"], page, f"{page}/notes", text="checked, fine")
    assert response.status_code == 303
    assert "checked, fine" in hostile["dsl"].get(page).text


@pytest.mark.parametrize(
    "next_url",
    [
        "//evil.example/",  # protocol-relative: another site
        "https://evil.example/",  # absolute URL
        "/\\evil.example",  # backslash trick some browsers treat as //
        "javascript:alert(1)",  # not a path at all
    ],
)
def test_sign_in_never_redirects_off_site(module_console: Console, next_url: str):
    with module_console.client() as client:
        response = post_form(
            client,
            "/signin",
            "/signin",
            email=email_for("auditor"),
            password="correct horse battery staple",
            next=next_url,
        )
    assert response.status_code == 303
    assert response.headers["location"] == "/"
