"""The chain_letter detector: every kind of chain letter is reported, ordinary school mail
(newsletters, forwards, requests to pass things on) is not, and no single phrase ever
decides on its own.

The luck, prayer and hoax letters below were written for these tests from the common
features of such letters; the corpus has only money pyramids and one forwarded hoax.
"""

from __future__ import annotations

import re
from email.message import EmailMessage
from pathlib import Path

import pytest

from detectors.base import DetectorSettings
from detectors.chain_letter import ChainLetterDetector, ChainLetterSettings
from gateway.parse import ParseSettings, envelope_from_headers, parse_message
from models import Directory, Finding, Message
from tests.detectors.mail_builder import build
from tests.support import corpus


@pytest.fixture(scope="module")
def detector() -> ChainLetterDetector:
    return ChainLetterDetector(ChainLetterSettings(), Directory())


def forwarded_block(sender: str, subject: str, body: str) -> str:
    return (
        "---------- Forwarded message ---------\n"
        f"From: {sender}\nDate: Mon, 3 Mar 2025 at 09:12\nSubject: {subject}\n"
        "To: staff@westbrook.sch.uk\n\n"
        f"{body}\n"
    )


COPIED_RECIPIENTS = ", ".join(f"friend{n:02}@example.net" for n in range(1, 16))

CHAIN_LETTERS = [
    pytest.param(
        "Make a wish!!",
        "This angel message has been around the world 18 times. Make a wish before you read "
        "on... Send this to 10 people within 24 hours and your wish will come true. A man "
        "who ignored it lost his job the next week. Do not break the chain!",
        "luck_chain",
        id="luck chain: send to 10 within 24 hours, wish comes true, do not break the chain",
    ),
    pytest.param(
        "Good luck is on its way",
        "Good luck will come to you in four days if you forward this to 7 friends. "
        "A woman in Leeds deleted it and had bad luck for 7 years.",
        "luck_chain",
        id="luck chain: luck promised, years of bad luck threatened",
    ),
    pytest.param(
        "Please pray",
        "Please say this prayer for healing and pass it on to everyone you know. Our prayer "
        "chain must not stop. Share it with 12 people and you will receive a miracle.",
        "luck_chain",
        id="prayer chain: say this prayer, pass it on, receive a miracle",
    ),
    pytest.param(
        "WARNING - VIRUS",
        "If you get an email titled 'Dancing Penguins' do not open it. It will erase your "
        "entire hard drive. Microsoft announced yesterday that it is the worst virus ever "
        "and there is no cure. This is not a hoax. Forward this to everyone in your "
        "address book.",
        "hoax",
        id="virus hoax: erases your hard drive, Microsoft announced, forward to address book",
    ),
    pytest.param(
        "Free money from Microsoft",
        "Microsoft and AOL are trying out a new email tracking program. For every person you "
        "forward this email to, Microsoft will pay you $245. I did not believe it either "
        "but this is not a joke. Send it to as many people as you can.",
        "hoax",
        id="reward hoax: Microsoft will pay you for every forward",
    ),
    pytest.param(
        "Please help little Amy",
        "Amy is very ill. For every time this message is shared, a charity will donate 10p "
        "towards her treatment. Please share it with all your friends. This is not a hoax.",
        "hoax",
        id="charity hoax: a donation for every share",
    ),
    pytest.param(
        "Turn 5 pounds into thousands",
        "Here is how it works. Send 5 pounds to each of the five names on the list below. "
        "Then remove the name at the top of the list and add your name to the bottom of the "
        "list. Email this letter to at least 50 people. Within weeks the money will start "
        "pouring in. I made thousands of dollars.",
        "money_pyramid",
        id="money pyramid: remove the top name, add yours to the bottom, money pours in",
    ),
    pytest.param(
        "Fwd: Fwd: Fwd: so true!!",
        forwarded_block("Sue <sue@example.net>", "Fwd: Fwd: so true!!", COPIED_RECIPIENTS)
        + forwarded_block("Pat <pat@example.net>", "Fwd: so true!!", COPIED_RECIPIENTS)
        + "Read this and forward it to everyone you know!",
        "mass_forward",
        id="mass forward: Fwd: Fwd:, nested forwards, pasted recipient lists, forward to all",
    ),
    pytest.param(
        "Fwd: Important safety warning",
        "Please send this to all your friends and family. Very important: if a car flashes "
        "its lights at you at night, do not flash back. Not everyone is aware of this. "
        "Forward this to everyone you know. Please read carefully and pass it on to all "
        "your friends.",
        "mass_forward",
        id="forwarded scare: three forward demands and pressure to act",
    ),
]


@pytest.mark.parametrize(("subject", "body", "kind"), CHAIN_LETTERS)
def test_chain_letters_are_reported(detector, subject: str, body: str, kind: str):
    message = build(body, subject=subject)
    [finding] = detector.detect(message)
    assert finding.type == "CHAIN_LETTER"
    assert finding.kind == kind
    assert finding.score >= ChainLetterSettings().threshold
    assert "chain letter" in finding.explanation
    assert finding.location == "body"
    assert finding.span is not None
    start, end = finding.span
    assert body.lower().find(message.texts[1].text[start:end].lower()) >= 0


LEGITIMATE = [
    pytest.param(
        "Westbrook News - summer term",
        "Congratulations to the football team, and bad luck to the netball team who lost "
        "the final. Very important: the summer fair starts at 2pm on Saturday. Please "
        "forward this to all your friends and family - everyone is welcome!",
        id="newsletter asking to be forwarded to all your friends",
    ),
    pytest.param(
        "Letter for class parents",
        "Dear class reps, please forward the attached letter to your class parents by "
        "Friday. Thank you!",
        id="please forward to your class parents",
    ),
    pytest.param(
        "Fwd: FW: Governors meeting 12 March",
        forwarded_block(
            "Clerk <clerk@westbrook.sch.uk>",
            "FW: Governors meeting 12 March",
            "Please find the agenda for the meeting on 12 March at 6pm in the library.",
        )
        + forwarded_block(
            "Chair <chair@westbrook.sch.uk>",
            "Governors meeting 12 March",
            "Could you send the invitation to all governors? Thanks.",
        ),
        id="meeting invitation forwarded twice (structure only)",
    ),
    pytest.param(
        "Fwd: Trip to the science museum",
        forwarded_block(
            "Office <office@westbrook.sch.uk>",
            "Trip to the science museum",
            "The coach leaves at 8.30am. Please send the consent slips back by Friday.",
        ),
        id="a single Fwd: of a real message",
    ),
    pytest.param(
        "E-safety: chain messages",
        "Chain letters often threaten bad luck if you break the chain, and ask you to "
        "forward them to all your friends. Please talk to your child about never "
        "forwarding chain messages.",
        id="e-safety newsletter describing chain letters (damped)",
    ),
    pytest.param(
        "IT notice: phishing",
        "Do not open any email titled 'Invoice overdue'; it is a phishing attempt. Please "
        "delete it and report it to IT. Please pass this on to all staff.",
        id="genuine IT warning passed on to staff",
    ),
    pytest.param(
        "Sponsored fun run",
        "The PTA will donate 1 pound for every person who attends the fun run! Please share "
        "with all your friends and family. Very important: register by Friday.",
        id="PTA fundraiser with a donation per attendee",
    ),
    pytest.param(
        "Good luck Year 6",
        "Good luck to all Year 6 pupils in their SATs next week! Please send your child in "
        "on time and make sure they have had breakfast.",
        id="good luck wishes before exams",
    ),
    pytest.param(
        "Residential trip",
        "There are 30 places. Add your name to the bottom of the list on the staffroom door "
        "if you would like to help, and please forward to colleagues who might be "
        "interested.",
        id="sign-up list plus please forward to colleagues",
    ),
    pytest.param(
        "Holiday club",
        "Places are limited and the names at the top of the list get first pick, so "
        "please share this with all your friends and family.",
        id="waiting list shared with friends and family",
    ),
    pytest.param(
        "Fwd: Fwd: Re: Staffing",
        forwarded_block("Head <head@westbrook.sch.uk>", "Fwd: Re: Staffing", COPIED_RECIPIENTS)
        + forwarded_block("HR <hr@westbrook.sch.uk>", "Re: Staffing", COPIED_RECIPIENTS)
        + "See the thread below.",
        id="long internal thread with every structural sign but no chain wording",
    ),
]


@pytest.mark.parametrize(("subject", "body"), LEGITIMATE)
def test_legitimate_mail_is_not_reported(detector, subject: str, body: str):
    assert detector.detect(build(body, subject=subject)) == []


SINGLE_SIGNALS = [
    pytest.param("Forward this to everyone you know.", id="forward demand"),
    pytest.param("Do not break the chain.", id="luck threat"),
    pytest.param("This is not a hoax.", id="hoax denial"),
    pytest.param(
        "Remove the name at the top of the list and add your name to the bottom of the list.",
        id="two pyramid phrases: still one signal",
    ),
    pytest.param(
        "Forward this to all your friends! Send it to everyone you know!",
        id="two forward demands: still one signal",
    ),
    pytest.param("Send this to 10 people.", id="send to N people"),
    pytest.param("It will erase your hard drive.", id="virus claim"),
]


@pytest.mark.parametrize("body", SINGLE_SIGNALS)
def test_one_kind_of_signal_never_fires(detector, body: str):
    assert detector.detect(build(body)) == []


def test_signals_far_apart_in_a_long_newsletter_do_not_add_up(detector):
    filler = "The school garden club met on Tuesday and planted beans. " * 80
    far_apart = "Do not break the chain. " + filler + "Forward this to everyone you know."
    close = "Do not break the chain. Forward this to everyone you know."
    assert detector.detect(build(far_apart)) == []
    assert len(detector.detect(build(close))) == 1


def test_subject_signals_count_with_the_body(detector):
    # "(not a chain letter)" is only in the subject; the pyramid wording is in the body
    body = "Move the names up one place and add your name to the bottom of the list."
    assert detector.detect(build(body, subject="Have a look")) == []
    [finding] = detector.detect(build(body, subject="Have a look (not a chain letter)"))
    assert finding.kind == "money_pyramid"


def test_chain_letter_in_an_attached_document(detector):
    letter = (
        b"Send this to 10 people within 24 hours and good luck will come to you. "
        b"Do not break the chain."
    )
    message = build("See attached.", attachments=(("luck.txt", letter),))
    [finding] = detector.detect(message)
    assert finding.location == "attachment:luck.txt"


def test_chain_letter_in_a_forwarded_message(detector):
    inner = EmailMessage()
    inner["From"] = "someone@example.net"
    inner["Subject"] = "Fwd: lucky"
    inner.set_content("Good luck will come to you in four days if you forward this to 7 friends.")
    [finding] = detector.detect(build("Thought you'd like this", attached_message=inner))
    assert finding.kind == "luck_chain"


def test_evidence_names_signals_and_never_quotes_the_message(detector):
    body = "Good luck will come to you in four days if you forward this to 7 friends."
    [finding] = detector.detect(build(body))
    assert re.fullmatch(r"[a-z_]+( x\d+)?(, [a-z_]+( x\d+)?)*", finding.evidence)
    assert set(finding.evidence.replace(",", " ").split()) & set(body.lower().split()) == set()


def test_text_and_html_copies_of_one_phrase_count_once(detector):
    mail = EmailMessage()
    mail["From"] = "jane.smith@westbrook.sch.uk"
    mail["To"] = "parent.jones@gmail.com"
    mail["Subject"] = "Fair"
    text = "Please forward this to all your friends. Very important!"
    mail.set_content(text)
    mail.add_alternative(f"<p>{text}</p>", subtype="html")
    raw = mail.as_bytes()
    message = parse_message(raw, envelope_from_headers(raw), ParseSettings())
    assert [t.location for t in message.texts].count("body") == 2
    assert detector.detect(message) == []


@pytest.mark.parametrize(
    ("settings", "fires"),
    [
        # the default threshold reports this luck chain
        (ChainLetterSettings(), True),
        # a stricter threshold does not
        (ChainLetterSettings(threshold=0.95), False),
        # requiring three signals: this letter has only two
        (ChainLetterSettings(min_signals=3), False),
    ],
)
def test_settings_change_the_decision(settings: DetectorSettings, fires: bool):
    body = "Good luck will come to you if you forward this to all your friends."
    found = ChainLetterDetector(settings, Directory()).detect(build(body))
    assert bool(found) is fires


def test_settings_reject_nonsense():
    with pytest.raises(ValueError, match="min_signals"):
        ChainLetterSettings(min_signals=1)
    with pytest.raises(ValueError, match="threshold"):
        ChainLetterSettings(threshold=2)


# --- reference corpus -------------------------------------------------------------------


def parse_corpus_file(path: Path) -> Message:
    """SpamAssassin files start with an mbox "From " line; Enron files are plain text
    with a Subject: line (parsed as a header-only message with a body)."""
    raw = path.read_bytes()
    if raw.startswith(b"From "):
        raw = raw.split(b"\n", 1)[1]
    return parse_message(raw, envelope_from_headers(raw), ParseSettings())


def scan_folder(detector: ChainLetterDetector, folder: Path) -> dict[str, list[Finding]]:
    files = sorted(p for p in folder.rglob("*") if p.suffix in (".eml", ".txt"))
    assert files, f"no messages in {folder}"
    return {p.name: detector.detect(parse_corpus_file(p)) for p in files}


def test_every_corpus_chain_letter_is_detected(detector, capsys):
    results = scan_folder(detector, corpus("chain"))
    missed = [name for name, found in results.items() if not found]
    with capsys.disabled():
        print(f"\nchain letters detected: {len(results) - len(missed)}/{len(results)}")
    assert missed == []


def test_no_corpus_ordinary_mail_is_reported(detector, capsys):
    results = scan_folder(detector, corpus("benign"))
    reported = [name for name, found in results.items() if found]
    with capsys.disabled():
        print(f"\nordinary mail reported as chain letters: {len(reported)}/{len(results)}")
    assert reported == []
