"""The console in a real browser (Debian's Chromium through Playwright): an admin releases
held mail, a DSL reviews and exports the incident log, an auditor is kept from content.

These tests also take the screenshots that docs/console.md shows: into a temporary folder
(`make test` leaves the tracked files alone), or into $SCHOOLGATE_SCREENSHOTS, which
`make screenshots` sets to docs/screenshots.
"""

from __future__ import annotations

import csv
import io
import os
import re
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from PIL import Image  # Pillow comes with reportlab, a test dependency
from playwright.sync_api import Browser, Page, expect, sync_playwright

from tests.gateway.web.console import (
    PARENT,
    PASSWORD,
    REAL_DETECTORS,
    Console,
    email_for,
    running_console,
)
from tests.support import require

pytestmark = pytest.mark.browser

CHROMIUM = Path("/usr/bin/chromium")
SHOTS = Path(
    os.environ.get("SCHOOLGATE_SCREENSHOTS") or tempfile.mkdtemp(prefix="schoolgate-shots-")
)
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    require(CHROMIUM.exists(), f"{CHROMIUM} is missing: run scripts/system-deps.sh")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=str(CHROMIUM),
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-dev-shm-usage",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
            ],
        )
        yield chromium
        chromium.close()


def open_page(browser: Browser, console: Console, viewport: dict[str, int] = DESKTOP) -> Page:
    context = browser.new_context(
        base_url=console.base,
        viewport=viewport,
        device_scale_factor=1,
        accept_downloads=True,
        locale="en-GB",
        timezone_id="Europe/London",
    )
    page = context.new_page()
    page.errors = []  # type: ignore[attr-defined]
    page.on(
        "console",
        lambda message: (
            page.errors.append(message.text)  # type: ignore[attr-defined]
            if message.type == "error"
            else None
        ),
    )
    return page


def sign_in(page: Page, role: str, start: str = "/") -> None:
    page.goto(start)
    expect(page).to_have_url(re.compile(r"/signin"))
    page.get_by_label("Email address").fill(email_for(role))
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_text(f"{email_for(role)} ·")).to_be_visible()


def settled(page: Page) -> None:
    """No filter request is still in flight: a row clicked next is not swapped out from
    under the click (pressing Enter in a search box fires both change and submit)."""
    expect(page.locator("form.htmx-request")).to_have_count(0)


def shot(page: Page, name: str, *, full_page: bool = False) -> None:
    """Save a screenshot (for docs/console.md with `make screenshots`), in 256 colours (a
    third of the size; the pages are flat colours and text, so nothing visible is lost)."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    # caret="initial": hiding the caret would inject a style the page's CSP refuses
    png = page.screenshot(full_page=full_page, caret="initial")
    image = Image.open(io.BytesIO(png)).convert("RGB")
    flat = image.quantize(colors=256, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE)
    flat.save(SHOTS / f"{name}.png", optimize=True)


ROSTER = """Surname,Forename,Year,Reg Group
Fairweather,Amelia,4,4H
Brightwater,Oliver,4,4H
Thornbury,Isla,6,6M
Ashdown,Theo,5,5P
Pennington,Rosie,3,3K
"""
"""A fictional roster: every name on the screenshots comes from here."""

TRIP = "museum trip consent form"
REVIEW = "annual review"
NHS_NUMBER = "999 123 4578"
"""A valid NHS number in the 999 range, which the NHS keeps for testing and never issues."""
TEACHER = ("Ms Holloway", "teacher@school.example")
SENCO = ("Mrs Chandler", "senco@school.example")
TA = ("Mr Okafor", "ta@school.example")
OFFICE = ("School Office", "office@school.example")
COLLEAGUE = ("Dan Fernsby", "d.fernsby@school.example")
EDUCATIONAL_PSYCHOLOGIST = "ep@edpsych.example"
SWIMMING_CLUB = "gala@swimclub.example"
GALA_REASON = "The swimming club needs each swimmer's full name to enter them in the gala."


@pytest.fixture
def console(tmp_path: Path) -> Iterator[Console]:
    """Overrides conftest's console: the built-in detectors and default rules, as a school
    runs them, so the screenshots show real findings."""
    with running_console(
        tmp_path,
        **REAL_DETECTORS,
        **{
            "school.name": "Example Primary School",
            "school.secure_domains": ["*.gov.uk", "nhs.net"],
            "school.encrypt_subject_tags": ["[encrypt]"],
        },
    ) as running:
        yield running


def letter(greeting: str, *paragraphs: str, signature: str, sign_off: str) -> str:
    return "\r\n\r\n".join([greeting, *paragraphs, f"{sign_off},\r\n{signature}"])


@dataclass(frozen=True)
class Mail:
    sender: tuple[str, str]
    """Display name and address."""
    to: str
    subject: str
    body: str
    action: str
    """What the default rules decide."""


MORNING = [
    # a pupil's full name in the subject of a message to a parent: held for an admin
    Mail(
        TEACHER,
        PARENT,
        f"Amelia Fairweather - {TRIP}",
        letter(
            "Dear Mrs Fairweather,",
            "Thank you for the consent form for Friday's trip to the museum. Amelia will "
            "need a packed lunch and a waterproof coat; we will be back at school by 3.15pm.",
            signature="Ms Holloway\r\nYear 4 teacher",
            sign_off="Kind regards",
        ),
        "quarantine",
    ),
    # an EHCP review with an NHS number, unencrypted, to an outside address: held
    Mail(
        SENCO,
        EDUCATIONAL_PSYCHOLOGIST,
        f"EHCP {REVIEW} - Oliver Brightwater",
        letter(
            "Dear Dr Pemberton,",
            "Here are my notes from Tuesday's EHCP annual review for Oliver Brightwater "
            "(Year 4), ahead of your visit.",
            f"NHS number: {NHS_NUMBER}\r\nOliver is making good progress with his speech "
            "and language targets and now reads with a partner every morning. His parents "
            "would like the review to look again at support at lunchtime.",
            signature="Mrs Chandler\r\nSENCo",
            sign_off="Best wishes",
        ),
        "quarantine",
    ),
    # a pupil's full name in a note to a colleague in school: delivered and recorded
    Mail(
        TEACHER,
        "head@school.example",
        "Reading groups",
        letter(
            "Hi Sam,",
            "Isla Thornbury has moved up to the blue reading group from Monday; her reading "
            "record is in the usual tray.",
            signature="Ms Holloway",
            sign_off="Thanks",
        ),
        "deliver",
    ),
    # a pupil's full name in the body of a message going outside: the sender confirms
    Mail(
        TA,
        SWIMMING_CLUB,
        "Swimming gala team",
        letter(
            "Hello,",
            "Our team for the gala on the 14th: Theo Ashdown will swim the 25m backstroke "
            "and the relay.",
            signature="Mr Okafor",
            sign_off="Many thanks",
        ),
        "confirm",
    ),
    # a forwarded chain letter: refused at SMTP
    Mail(
        OFFICE,
        "friend@example.com",
        "Fwd: Fwd: Fwd: send this to 10 friends",
        "---------- Forwarded message ---------\r\n\r\nThis is a good luck angel. Forward "
        "this message to 10 friends within 10 minutes and you will have good luck for a "
        "year. Do not break the chain! If you delete it you will have bad luck for seven "
        "years. It really works!",
        "reject",
    ),
    # school planning sent to the sender's own personal mailbox: the sender confirms
    Mail(
        COLLEAGUE,
        "dan.fernsby@gmail.com",
        "Year 5 planning for next week",
        "Planning for next week, to finish at home.\r\n\r\nDan",
        "confirm",
    ),
]
"""A morning's worth of school mail: two held for an admin, two warnings for their
senders, a chain letter refused and a note between colleagues delivered."""


def seed(console: Console) -> None:
    console.add_role_users()
    console.import_roster(ROSTER)
    for mail in MORNING:
        name, address = mail.sender
        code, _ = console.send(
            mail.body, subject=mail.subject, sender=address, to=mail.to, name=name
        )
        assert code == (550 if mail.action == "reject" else 250), mail.subject
    assert [row.action for row in console.journal()] == [mail.action for mail in MORNING]


def test_admin_finds_a_held_message_sees_the_findings_and_releases_it(
    browser: Browser, console: Console
):
    seed(console)
    page = open_page(browser, console)
    page.goto("/held")
    expect(page).to_have_url(re.compile(r"/signin\?next=%2Fheld$"))
    shot(page, "signin")
    page.keyboard.press("Tab")  # keyboard users can skip the banner
    expect(page.get_by_role("link", name="Skip to content")).to_be_focused()
    sign_in(page, "admin", "/held")
    expect(page).to_have_url(re.compile(r"/held$"))
    rows = page.locator("#results tbody tr")
    expect(rows).to_have_count(4)  # two quarantined, two warnings waiting for their senders
    expect(page.locator("#results")).not_to_contain_text("Amelia Fairweather")  # masked
    expect(page.locator("#results")).to_contain_text(f"A**** F**** - {TRIP}")
    shot(page, "held-queue", full_page=True)

    page.get_by_label("Sender", exact=True).fill("senco@")
    page.get_by_label("Sender", exact=True).press("Enter")
    expect(rows).to_have_count(1)
    settled(page)
    page.get_by_role("link", name=f"E**** {REVIEW} - O**** B****").click()
    marks = page.locator("mark.finding")
    # subject: the name and "EHCP"; body: "EHCP", the name, the NHS number and his
    # "speech and language" targets (SEND information about him)
    expect(marks).to_have_count(6)
    expect(marks).to_contain_text(
        ["EHCP", "Oliver Brightwater", "EHCP", "Oliver Brightwater", NHS_NUMBER, "speech and"]
    )
    page.wait_for_load_state("load")  # the style sheet too
    background = marks.first.evaluate("element => getComputedStyle(element).backgroundColor")
    assert background == "rgb(255, 221, 0)"  # highlighted, in the style sheet's colour
    findings = page.locator("ol.findings")
    expect(findings).to_contain_text(
        "The subject line contains a pupil's full name (O**** B****); use initials instead"
    )
    expect(findings).to_contain_text("This looks like an NHS number")
    expect(findings).to_contain_text("special educational needs (SEND) information")
    expect(
        page.get_by_text("A pupil's full name is in the subject line of a message to someone")
    ).to_be_visible()  # the rule's explanation
    expect(page.get_by_text("add [encrypt] to the subject").first).to_be_visible()
    shot(page, "held-message", full_page=True)

    page.get_by_role("link", name="← Held mail").click()
    page.get_by_label("Sender", exact=True).fill("teacher@")
    page.get_by_label("Sender", exact=True).press("Enter")
    expect(rows).to_have_count(1)  # the teacher's note to a colleague was delivered
    expect(page).to_have_url(re.compile(r"sender=teacher%40"))
    settled(page)
    page.get_by_role("link", name=f"A**** F**** - {TRIP}").click()
    mark = page.locator("mark.finding")
    expect(mark).to_have_count(1)
    expect(mark).to_contain_text("Amelia Fairweather")
    page.get_by_label("Reason for releasing").fill(
        "Checked: the form is going to Amelia's own parents."
    )
    page.get_by_role("button", name="Release and send").click()
    expect(page.get_by_role("status")).to_have_text("Sent.")
    expect(page.locator("dd .tag-released")).to_be_visible()

    def trips() -> list[Any]:
        return [m for m in console.capture.originals() if TRIP.encode() in m.content]

    deadline = time.monotonic() + 30
    while not trips() and time.monotonic() < deadline:
        time.sleep(0.05)
    # The hold is released, its one delivery recorded: nothing is left to send it again.
    assert console.hold_with(TRIP).status == "released"
    [delivered] = trips()
    assert delivered.rcpt_tos == [PARENT]
    assert b"X-Schoolgate-Released: hold=" in delivered.content
    actions = [(a.action, a.actor) for a in console.audit()]
    assert ("view", email_for("admin")) in actions
    assert ("release", email_for("admin")) in actions
    assert page.errors == [], "\n".join(page.errors)  # type: ignore[attr-defined]

    phone = open_page(browser, console, PHONE)
    sign_in(phone, "admin", "/held")
    expect(phone.locator("#results tbody tr")).to_have_count(3)
    assert phone.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    phone.locator("#results").scroll_into_view_if_needed()
    shot(phone, "phone-held-queue")


def test_dsl_filters_the_log_marks_a_false_positive_and_exports_csv(
    browser: Browser, console: Console
):
    seed(console)
    notices = console.capture.wait_for_notice("confirm", count=2)
    [notice] = [n.text for n in notices if n.rcpt_tos == [TA[1]]]
    send_link = re.search(r"http://\S+/confirm/\S+/send", notice)
    assert send_link
    sender = open_page(browser, console)
    sender.goto(send_link.group(0))
    expect(
        sender.get_by_text("The message contains a pupil's full name (T**** A****)")
    ).to_be_visible()
    shot(sender, "confirm")
    sender.get_by_label(re.compile("Why does it need to go")).fill(GALA_REASON)
    sender.get_by_role("button", name="Send anyway").click()
    expect(sender.get_by_role("heading", name="Sent")).to_be_visible()
    # what happened, in a teacher's words: to whom and when, who sees the reason, and
    # what to do if it should not have gone
    result = sender.locator("main")
    expect(result).to_contain_text(
        re.compile(rf"Your email “Swimming gala team” (went|is on its way) to {SWIMMING_CLUB}")
    )
    expect(result).to_contain_text(re.compile(r"at \d\d:\d\d on \w+day \d+ \w+"))
    expect(result).to_contain_text(f"The reason you gave (“{GALA_REASON}”) is recorded")
    expect(result).to_contain_text("the school's Designated Safeguarding Lead can see it")
    expect(result).to_contain_text("If it should not have gone")
    shot(sender, "sent-anyway")
    assert [m.rcpt_tos for m in console.capture.wait_for(2)] == [
        ["head@school.example"],  # the note to a colleague, delivered at once
        [SWIMMING_CLUB],
    ]

    page = open_page(browser, console)
    sign_in(page, "dsl", "/incidents")
    rows = page.locator("#results tbody tr")
    # two held, two warnings (one sent anyway) and a refusal; the note to a colleague in
    # school was simply delivered, so it is journalled but is not an incident
    expect(rows).to_have_count(5)
    shot(page, "incidents", full_page=True)
    page.get_by_label("Only “Send anyway”").check()
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("Sent anyway")
    expect(rows.first).to_contain_text(SWIMMING_CLUB)
    settled(page)
    rows.first.get_by_role("link").click()
    expect(page.get_by_text(f"by {TA[1]}")).to_contain_text(GALA_REASON)  # why it went
    page.go_back()
    page.get_by_label("Only “Send anyway”").uncheck()
    page.get_by_label("Outcome").select_option("quarantine")
    expect(rows).to_have_count(2)
    searches: list[str] = []
    page.on(
        "request", lambda request: searches.append(request.url) if "q=" in request.url else None
    )
    page.get_by_label(re.compile("^Search")).fill("museum")
    page.get_by_label(re.compile("^Search")).press("Enter")
    expect(rows).to_have_count(1)
    expect(page).to_have_url(re.compile(r"q=museum"))
    settled(page)
    assert len(searches) == 1, searches  # Enter in the search box fetches the results once
    rows.first.get_by_role("link").click()

    page.get_by_label("Severity grade").select_option("none")
    page.get_by_label("False positive: nothing wrong").check()
    page.get_by_role("button", name="Save review").click()
    expect(page.get_by_role("status")).to_have_text("Review saved.")
    page.get_by_label(re.compile("^Note")).fill(
        "Sent to the pupil's own parents about their own child's trip: no concern."
    )
    page.get_by_role("button", name="Add note").click()
    expect(page.get_by_role("status")).to_have_text("Note added.")
    history = page.locator("#history")
    expect(history).to_contain_text("Marked False positive")
    expect(history).to_contain_text("Grade set to No concern")
    expect(history).to_contain_text("Sent to the pupil's own parents")
    shot(page, "incident", full_page=True)

    page.goto("/incidents?marking=false-positive")
    expect(rows).to_have_count(1)
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Export these as CSV").click()
    download = download_info.value
    assert download.suggested_filename.startswith("schoolgate-incidents-")
    table = list(csv.DictReader(io.StringIO(Path(download.path()).read_text("utf-8-sig"))))
    assert [(r["subject"], r["marking"], r["grade"]) for r in table] == [
        (f"A**** F**** - {TRIP}", "false-positive", "none")  # the name stays masked
    ]

    page.goto("/")
    # the current week, where this morning's incidents are, is labelled on the chart
    this_week = page.locator("#by-week > svg text", has_text="This week")
    expect(this_week).to_have_count(1)
    bars = page.locator("#by-week > svg rect")
    last_bar = bars.nth(bars.count() - 1).bounding_box()
    label = this_week.bounding_box()
    assert last_bar is not None and label is not None
    assert abs((label["x"] + label["width"] / 2) - (last_bar["x"] + last_bar["width"] / 2)) < 4
    expect(page.locator("#by-week table")).to_contain_text("(this week)")
    shot(page, "dashboard")
    page.goto("/reports")
    expect(page.locator("figure.chart > svg")).to_have_count(3)
    shot(page, "reports", full_page=True)
    page.goto("/audit")
    expect(page.locator("#results")).to_contain_text("incident-review")
    shot(page, "audit")
    assert [e for e in page.errors if "Content Security Policy" in e or "Refused" in e] == []  # type: ignore[attr-defined]


def test_an_auditor_cannot_open_message_content(browser: Browser, console: Console):
    console.add_role_users()
    console.send(
        f"Confidential words for reviewers only.\r\nNHS number: {NHS_NUMBER}", subject="Report"
    )
    hold = console.hold_with("Report")
    page = open_page(browser, console)
    sign_in(page, "auditor", "/held")
    expect(page.locator("#results tbody tr")).to_have_count(1)  # the metadata is there
    expect(page.locator("#results").get_by_role("link", name="Report")).to_have_count(0)
    for path in (f"/held/{hold.id}", f"/incidents/{hold.journal_id}"):
        response = page.goto(path)
        assert response is not None and response.status == 403
        expect(page.get_by_role("heading", name="Sorry")).to_be_visible()
        content = page.content()
        assert "Confidential words" not in content and NHS_NUMBER not in content
    assert "view" not in [a.action for a in console.audit()]


CLASS_LIST = [
    ("Fairweather", "Amelia"),
    ("Brightwater", "Oliver"),
    ("Thornbury", "Isla"),
    ("Ashdown", "Theo"),
    ("Pennington", "Rosie"),
    ("Kingsley", "Maya"),
    ("Hartwell", "Jacob"),
    ("Lockwood", "Freya"),
    ("Merriweather", "Noah"),
    ("Stanbridge", "Ella"),
    ("Whitcombe", "Arlo"),
    ("Fenwick", "Poppy"),
    ("Ravensworth", "Finley"),
]
"""A fictional class of 13: the roster, and the spreadsheet a teacher attaches."""
HOLDING_RULE_SLUG = "pupil-name-subject-external"
HOLDING_RULE_TITLE = "Pupil's full name in the subject, to someone outside school"


def send_with_spreadsheet(console: Console, subject: str, to: str = PARENT) -> None:
    """A message with a class list attached as list.xlsx (sheet "Sheet1")."""
    import smtplib
    from email.message import EmailMessage

    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "Sheet1"
    sheet.append(["Surname", "Forename", "Year"])
    for surname, forename in CLASS_LIST:
        sheet.append([surname, forename, 4])
    data = io.BytesIO()
    book.save(data)
    mail = EmailMessage()
    mail["From"] = f"{TEACHER[0]} <{TEACHER[1]}>"
    mail["To"] = to
    mail["Subject"] = subject
    mail["Message-ID"] = f"<{time.time_ns()}@school.example>"
    mail.set_content("Here is the class list for the trip.\r\n\r\nMs Holloway")
    mail.add_attachment(
        data.getvalue(),
        maintype="application",
        subtype="vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        filename="list.xlsx",
    )
    with smtplib.SMTP("127.0.0.1", console.runner.port, timeout=60) as client:
        client.send_message(mail, from_addr=TEACHER[1], to_addrs=[to])


def test_held_mail_fits_the_page_at_desktop_widths(browser: Browser, console: Console):
    """Every column of the queue is in view at 1280 and 1920 px: no header cut off, no
    sideways scrolling (issue 12: Kind read "Quarant" and Status was hidden)."""
    seed(console)
    for width in (1280, 1920):
        page = open_page(browser, console, {"width": width, "height": 900})
        sign_in(page, "admin", "/held")
        expect(page.locator("#results tbody tr")).to_have_count(4)
        page.wait_for_load_state("load")  # the style sheet too
        container = page.locator("#results").bounding_box()
        assert container is not None
        headers = page.locator("#results thead th")
        assert headers.count() >= 6
        for i in range(headers.count()):
            box = headers.nth(i).bounding_box()
            assert box is not None, i
            text = headers.nth(i).inner_text()
            assert box["x"] >= container["x"] - 0.5, (width, text)
            assert box["x"] + box["width"] <= container["x"] + container["width"] + 0.5, (
                width,
                text,
                box,
                container,
            )
        table = page.locator("#results table")
        assert table.evaluate("t => t.scrollWidth <= t.clientWidth"), width
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
        expect(page.locator("#results thead")).to_contain_text("Kind")
        expect(page.locator("#results thead")).to_contain_text("Status")
        page.context.close()


def test_rules_read_as_titles_and_the_slug_only_on_the_held_message(
    browser: Browser, console: Console
):
    seed(console)
    page = open_page(browser, console)
    sign_in(page, "admin", "/held")
    slugs = [r.name for r in console.app.state.ctx.config.effective_rules()]
    for path in ("/held", "/incidents", "/"):
        page.goto(path)
        main = page.locator("main")
        expect(main).to_contain_text(HOLDING_RULE_TITLE)
        text = main.inner_text()
        assert [s for s in slugs if s in text] == [], path
    rule_filter = page.goto("/held")
    assert rule_filter is not None
    option = page.locator(f'#f-rule option[value="{HOLDING_RULE_SLUG}"]')
    expect(option).to_have_text(HOLDING_RULE_TITLE)  # the filter: titles, slugs as values
    page.get_by_role("link", name=f"A**** F**** - {TRIP}").click()
    why = page.locator("section[aria-labelledby=why-heading]")
    expect(why.get_by_role("heading", name=HOLDING_RULE_TITLE)).to_be_visible()
    expect(why.locator(".slug")).to_contain_text(HOLDING_RULE_SLUG)  # for the admin
    page.get_by_role("link", name="Incident record").click()
    expect(page.locator("main")).to_contain_text(HOLDING_RULE_TITLE)
    assert HOLDING_RULE_SLUG not in page.locator("main").inner_text()


def test_a_class_list_reads_as_one_line_per_sheet_and_type(browser: Browser, console: Console):
    """13 pupils in a spreadsheet are one line, "13 pupils' full names in ...", that opens
    to the 13 findings, and the page stays a readable length (it was 4,000 px)."""
    console.add_role_users()
    console.import_roster(
        "Surname,Forename,Year,Reg Group\n" + "".join(f"{s},{f},4,4H\n" for s, f in CLASS_LIST)
    )
    send_with_spreadsheet(console, "Class list for the trip")
    hold = console.hold_with("Class list")
    names = [f for f in hold.findings if f["type"] == "PUPIL_FULL_NAME"]
    assert len(names) == len(CLASS_LIST)
    page = open_page(browser, console)
    sign_in(page, "admin", f"/held/{hold.id}")
    findings = page.locator("section[aria-labelledby=findings-heading]")
    group = findings.locator("li.finding-group > details", has_text="13 pupils' full names")
    # (each finding inside may fold its own "Why this score" details)
    expect(group.locator(":scope > summary")).to_have_text(
        "13 pupils' full names in the attachment list.xlsx (sheet Sheet1)"
    )
    items = group.locator("ol.group-items > li")
    expect(items).to_have_count(13)
    expect(items.first).not_to_be_visible()  # folded until opened
    page.wait_for_load_state("load")
    height = page.evaluate("document.documentElement.scrollHeight")
    assert height < 2600, height
    shot(page, "held-class-list", full_page=True)
    group.locator(":scope > summary").click()
    expect(items.first).to_be_visible()
    expect(items.nth(12)).to_contain_text("row")
    assert page.errors == [], "\n".join(page.errors)  # type: ignore[attr-defined]


def test_a_chain_letter_subject_is_shown_as_is_but_a_name_in_it_is_masked(
    browser: Browser, console: Console
):
    """A chain letter's subject names no person, so it is not masked: its finding points
    at the letter's wording in the body, never at a span of the subject, and the journal
    masks only the spans findings matched. A pupil's name in the same subject is still
    masked, that span alone, so the rest reads as written."""
    console.add_role_users()
    console.import_roster(ROSTER)
    chain = next(m for m in MORNING if m.action == "reject")
    subject = "Fwd: Amelia Fairweather says send this to 10 friends"
    code, _ = console.send(chain.body, subject=subject, sender=OFFICE[1], to=chain.to)
    assert code == 550
    page = open_page(browser, console)
    sign_in(page, "dsl", "/incidents")
    rows = page.locator("#results tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("Fwd: A**** F**** says send this to 10 friends")
    expect(rows.first).to_contain_text("Chain letter")
