"""The chain_letter detector: every kind of chain letter is reported, ordinary school mail
(newsletters, forwards, requests to pass things on) is not, and no single phrase ever
decides on its own.

The luck, prayer and hoax letters below were written for these tests from the common
features of such letters; the corpus has only money pyramids and one forwarded hoax.
"""

from __future__ import annotations

import importlib.util
import json
import math
from email.message import EmailMessage
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from detectors.base import DetectorSettings
from detectors.chain_letter import ChainLetterDetector, ChainLetterSettings
from detectors.chain_letters.bound import may_reach, structure_bonus
from detectors.chain_letters.cues import NUM_WORDS, CueSet, Hit, PatternError, Slot, load_cues
from detectors.chain_letters.features import dense_names, windows
from detectors.chain_letters.model import Scorer, weights_from_json
from detectors.chain_letters.tokens import ASCII_TOKEN, TOKEN, prepare, tokens
from detectors.chain_letters.units import Limits, read_units, unit_vectors
from detectors.mass_forwarding import MassForwarding
from gateway.scanning.parse import envelope_from_headers, parse_message
from gateway.scanning.settings import ParseSettings
from models import Directory, Finding, Message
from tests.mail import build
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
        "kindness_prayer",
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
        "warning_hoax",
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


ISSUE_KINDS = [
    # warning hoax: a police warning passed round "for everyone"
    pytest.param(
        "Fw: police are warning everyone",
        "The police have confirmed that a gang is marking the gates of houses with chalk "
        "before breaking in. My sister's neighbour saw it in Wigan. Please send this to "
        "everyone you know and check your gates tonight!",
        "warning_hoax",
        id="warning hoax: police warning to pass on",
    ),
    # warning hoax: an app that supposedly spies on children
    pytest.param(
        "Delete this app now",
        "Parents, a new game app is secretly recording children through the camera. Police "
        "say delete it from your child's tablet today. Share this with every parent in your "
        "class, not everyone knows about it!",
        "warning_hoax",
        id="warning hoax: dangerous app",
    ),
    # warning hoax: a "challenge" scare
    pytest.param(
        "Warning about a challenge",
        "There is a challenge going round on TikTok telling children to take pills from the "
        "bathroom cabinet. Two children in Devon are in hospital. Warn your kids and pass "
        "this on to all the parents you know.",
        "warning_hoax",
        id="warning hoax: challenge",
    ),
    # virus warning about Teams
    pytest.param(
        "VIRUS on Teams",
        "Do not accept any Teams call from 'IT Support Desk'. It is a virus that wipes your "
        "laptop and steals your passwords. Microsoft announced it this morning. Forward this "
        "to all your colleagues straight away!",
        "hoax",
        id="virus warning: Teams",
    ),
    # virus warning about WhatsApp
    pytest.param(
        "WhatsApp warning",
        "If you get a video on WhatsApp called 'Happy Holidays' do not open it, it hacks "
        "your phone in seconds and there is no fix. It was on the radio. Send this to all "
        "your contacts now.",
        "hoax",
        id="virus warning: WhatsApp",
    ),
    # missing-child appeal to share
    pytest.param(
        "PLEASE SHARE - missing boy",
        "This 9 year old boy has been missing since Saturday from a park in Stockport. His "
        "mum is begging everyone to share this. It only takes a second, please share it in "
        "all your groups, he could be anywhere.",
        "warning_hoax",
        id="missing-child appeal",
    ),
    # "the government will read your messages"
    pytest.param(
        "New rules from tomorrow",
        "From tomorrow the government will monitor all WhatsApp messages and record every "
        "call. Do not send anything about politics. Tell all your contacts and groups "
        "before midnight.",
        "warning_hoax",
        id="the government will read your messages",
    ),
    # the copy-and-paste privacy notice
    pytest.param(
        "privacy",
        "I do not give Meta permission to use my photos or my children's photos, past or "
        "future. This is my legal notice. Don't share this, copy and paste it onto your "
        "own wall or your photos become public tomorrow.",
        "warning_hoax",
        id="copy-and-paste privacy notice",
    ),
    # gifting circle without a list of names
    pytest.param(
        "Join us!",
        "We're starting a women's gifting circle. You gift £200 to the lady in the centre "
        "and when you reach the centre you receive £1,600 from the new ladies. It's a "
        "blessing, not a scheme. Invite two friends to move up!",
        "scam_gifting",
        id="gifting circle",
    ),
    # supermarket voucher scam
    pytest.param(
        "Morrisons voucher",
        "Morrisons are giving every family a free £100 voucher to celebrate their "
        "anniversary. Share this with 20 friends on WhatsApp and click the link to claim "
        "yours. Only 400 left!",
        "scam_gifting",
        id="supermarket voucher",
    ),
    # energy rebate scam
    pytest.param(
        "Claim your energy rebate",
        "Every household can claim a £350 energy rebate this winter, but only through this "
        "link before Sunday. The government won't tell you about it, so send it to all "
        "your family and friends!",
        "scam_gifting",
        id="energy rebate",
    ),
    # "a charity gives 10p per forward"
    pytest.param(
        "Please forward for Sam",
        "Sam is 5 and needs treatment abroad. A children's charity will donate 10p every "
        "time this email is forwarded. They are counting the forwards. Please forward it "
        "to everyone you know.",
        "hoax",
        id="charity gives 10p per forward",
    ),
    # kindness chain
    pytest.param(
        "Smile!",
        "This is a kindness chain. Send this to 7 people who make you smile and tell them "
        "why. If you get 3 back you are loved! Don't break the chain of kindness.",
        "kindness_prayer",
        id="kindness chain",
    ),
    # prayer chain
    pytest.param(
        "Prayer for Grace",
        "Please say a prayer for baby Grace and send this prayer to 10 people. God will "
        "answer your prayers within a week. If you are not ashamed of Jesus, pass it on. "
        "Amen.",
        "kindness_prayer",
        id="prayer chain",
    ),
    # "teachers are amazing, send to 10 colleagues"
    pytest.param(
        "To the best teachers",
        "Teachers are amazing! Send this to 10 colleagues who make a difference every day "
        "and see how many come back to you. Only 1 in 10 will pass it on!",
        "kindness_prayer",
        id="teachers are amazing, send to 10 colleagues",
    ),
    # a chain letter in Polish
    pytest.param(
        "Łańcuszek szczęścia",
        "Ten łańcuszek przynosi szczęście. Wyślij go do 10 znajomych w ciągu 24 godzin, a "
        "twoje życzenie się spełni. Kto go usunął, miał pecha przez rok. Nie przerywaj!",
        "luck_chain",
        id="chain letter in Polish",
    ),
]


@pytest.mark.parametrize(("subject", "body", "kind"), ISSUE_KINDS)
def test_every_kind_in_the_issue_is_reported(detector, subject: str, body: str, kind: str):
    [finding] = detector.detect(build(body, subject=subject))
    assert finding.kind == kind
    assert finding.score >= ChainLetterSettings().threshold


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


def _plain_signs(detector) -> set[str]:
    """Every sign the evidence may name: cue-family and forwarding-structure labels."""
    structure = MassForwarding(True, True, True).labels
    return {x.removeprefix("it ") for x in [f.label for f in detector.cues.families] + structure}


@pytest.mark.parametrize(
    "body",
    [
        # a luck chain: names its signs in plain words
        "Good luck will come to you in four days if you forward this to 7 friends.",
        # a warning hoax with a pupil's name in it: the name never reaches the evidence
        "WARNING from the police!!! Aisha Rahman's mum says a man in a white van is "
        "taking children. This is NOT a hoax. Share this with everyone you know!!!",
    ],
)
def test_evidence_is_plain_language_and_never_quotes_the_message(detector, body):
    # the evidence reaches the sender in the SMTP refusal, so it must be readable there
    [finding] = detector.detect(build(body))
    signs = finding.evidence.split("; ")
    assert set(signs) <= _plain_signs(detector)
    assert "_" not in finding.evidence and " x2" not in finding.evidence
    assert "Aisha" not in finding.evidence and "Rahman" not in finding.evidence


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
    # the parser keeps one copy of a body whose HTML alternative has the same words
    assert [t.location for t in message.texts].count("body") == 1
    assert detector.detect(message) == []


@pytest.mark.parametrize(
    ("settings", "fires"),
    [
        # the default threshold reports this luck chain
        (ChainLetterSettings(), True),
        # the strictest threshold never reports (scores are probabilities below 1)
        (ChainLetterSettings(threshold=1.0), False),
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


# --- the model: features, shipped weights, retraining ----------------------------------

TRAIN_SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "train_chain_letter_model.py"


def load_training_script():  # type: ignore[no-untyped-def]
    spec = importlib.util.spec_from_file_location("train_chain_letter_model", TRAIN_SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


FEATURE_MESSAGES = [
    # a short English chain letter
    pytest.param(("Make a wish!!", CHAIN_LETTERS[0].values[1]), id="chain"),
    # ordinary mail long enough for several sliding windows
    pytest.param(
        ("Garden", "The garden club planted beans. " * 300 + "Forward this to everyone you know."),
        id="long, many windows",
    ),
    # Bengali, with emoji and "!" runs
    pytest.param(("দোয়া", "এই বার্তাটি সবাইকে পাঠান!!! 🙏 আল্লাহ আপনার দোয়া কবুল করবেন।"), id="bengali"),
    # forwarding structure: Fwd: Fwd:, nested blocks, copied recipients
    pytest.param(
        (
            "Fwd: Fwd: hi",
            forwarded_block("Sue <sue@example.net>", "Fwd: hi", COPIED_RECIPIENTS)
            + forwarded_block("Pat <pat@example.net>", "hi", COPIED_RECIPIENTS),
        ),
        id="structure",
    ),
]


@pytest.mark.parametrize("mail", FEATURE_MESSAGES)
def test_fast_scorer_equals_the_dot_product_of_the_training_features(detector, mail):
    """The scan path sums cached per-word weights; training sees explicit vectors."""
    subject, body_text = mail
    message = build(body_text, subject=subject)
    weights = detector.scorer.weights
    for unit in read_units(message, detector.scorer, Limits()):
        ranges = [
            (b, s, e)
            for b, body in enumerate(unit.bodies)
            for s, e in windows(len(body.tokens), detector.window_tokens)
        ] or [(-1, 0, 0)]
        vectors = list(unit_vectors(unit, detector.scorer, detector.window_tokens))
        assert len(vectors) == len(ranges)
        for (b, start, end), (vector, hits) in zip(ranges, vectors, strict=True):
            body = unit.bodies[b] if b >= 0 else None
            fast, fast_hits, _ = detector.scorer.score(
                unit.subject, body, start, end, unit.structure
            )
            dense = dict(zip(dense_names(detector.cues), weights.dense, strict=True))
            logit = weights.intercept + sum(
                v * (dense[k] if k in dense else weights.tokens.get(k, 0.0))
                for k, v in vector.items()
            )
            assert fast == pytest.approx(1 / (1 + math.exp(-logit)), abs=1e-9)
            assert fast_hits == hits


def test_the_shipped_model_was_trained_from_the_current_inputs():
    """Editing the cue file, the training data or the script without retraining fails."""
    corpus("benign_more")
    script = load_training_script()
    model_file = TRAIN_SCRIPT.parents[1] / "detectors" / "data" / "chain_letter_model.json"
    shipped = json.loads(model_file.read_text())
    assert shipped["fingerprint"] == script.fingerprint(), (
        "stale model: run .venv/bin/python scripts/train_chain_letter_model.py"
    )


def test_retraining_reproduces_the_shipped_weights_and_dev_decisions(detector):
    """Nobody hand-edits the weights: training again gives the same model."""
    corpus("benign_more")
    script = load_training_script()
    retrained = weights_from_json(script.train(), detector.cues)
    shipped = detector.scorer.weights
    assert retrained.intercept == pytest.approx(shipped.intercept, abs=1e-3)
    assert retrained.dense == pytest.approx(shipped.dense, abs=1e-3)
    keys = retrained.tokens.keys() | shipped.tokens.keys()
    assert max(abs(retrained.tokens.get(k, 0) - shipped.tokens.get(k, 0)) for k in keys) < 1e-2
    again = ChainLetterDetector(ChainLetterSettings(), Directory())
    again.scorer = Scorer(retrained, detector.cues)
    for case in script.load_cases():
        if script.is_dev(case):
            message = script.case_message(case)
            assert bool(again.detect(message)) == bool(detector.detect(message)), case["id"]


def test_ascii_tokens_match_the_general_tokenizer():
    """Most mail takes the ASCII fast path; it must find exactly the same words."""
    text = "Don't e-mail 10 people!!! Send it -- now, 'please' (x_y) a-b-c \x01end"
    assert ASCII_TOKEN.findall(text.lower()) == TOKEN.findall(text.lower())
    assert tokens(prepare(text)) == TOKEN.findall(text.lower())
    assert tokens(prepare("এই বার্তাটি সবাইকে পাঠান")) == ["এই", "বার্তাটি", "সবাইকে", "পাঠান"]


def _reference(text: str) -> list[str]:
    lower = prepare(text).lower()
    return TOKEN.findall(lower)


def test_the_fast_tokenizer_finds_what_the_regex_defines_on_real_mail():
    """`tokens` (string passes) against `TOKEN.findall` (the definition), on every
    ordinary and chain message of the corpus and every written training case."""
    texts = [p.read_text("utf-8", "replace") for p in corpus("benign").rglob("*.eml")]
    texts += [p.read_text("utf-8", "replace") for p in corpus("chain").rglob("*") if p.is_file()]
    for path in (Path(__file__).parents[2] / "training" / "chain_letters").glob("*.jsonl"):
        texts += [
            json.loads(line)["body"]
            for line in path.read_text("utf-8").splitlines()
            if line.strip()
        ]
    assert len(texts) > 1500
    for text in texts:
        assert tokens(prepare(text)) == _reference(text), text[:200]


_TRICKY = (
    "\u2003\u3000\x85ab1'-!! \t\n.,;:()_\"/\\@#£€é"
    "\u00a0\u2019\u201c\u2014\u0964ই\u09be😀\u2764\ufe0fİ\x00\x1c"
)


@settings(max_examples=400, deadline=None)
@given(st.text(alphabet=st.sampled_from(_TRICKY), max_size=60) | st.text(max_size=60))
def test_the_fast_tokenizer_finds_what_the_regex_defines_on_any_text(text: str):
    assert tokens(prepare(text)) == _reference(text)


def test_a_pattern_that_cannot_be_indexed_is_refused():
    families = {"x": {"kind": "", "group": "", "label": "x", "patterns": ["~2 forward"]}}
    with pytest.raises(PatternError, match="must start with a word"):
        CueSet({"vocab": {}, "families": families})
    families["x"]["patterns"] = ["NUM people"]
    with pytest.raises(PatternError, match="not NUM"):
        CueSet({"vocab": {}, "families": families})


def test_an_html_copy_with_the_same_words_is_read_once(detector: ChainLetterDetector):
    """multipart/alternative: the HTML body adds no words, so the parser keeps one copy:
    no second pass, no doubled forwarding structure; the verdict is the plain copy's."""
    text = (
        "Fw: Fw: Fw: PLEASE READ\n\nThis is not a joke. Send this to 10 people within "
        "the hour or you will have bad luck for ten years. Don't break the chain!\n"
    )
    mail = EmailMessage()
    mail["From"] = "jane.smith@westbrook.sch.uk"
    mail["To"] = "parent.jones@gmail.com"
    mail["Subject"] = "Fw: good luck"
    mail.set_content(text)
    mail.add_alternative("<p>" + text.replace("\n\n", "</p><p>") + "</p>", subtype="html")
    raw = mail.as_bytes()
    message = parse_message(raw, envelope_from_headers(raw), ParseSettings())
    assert [t.location for t in message.texts].count("body") == 1
    [unit] = read_units(message, detector.scorer, Limits())
    assert len(unit.bodies) == 1
    alone = build(text, subject="Fw: good luck")
    assert [f.score for f in detector.detect(message)] == [f.score for f in detector.detect(alone)]
    assert detector.detect(message)


# --- the fast path: the structure bound, the cue index, the tokenizer ------------------


def _findings_without_the_bound(detector: ChainLetterDetector, message: Message) -> list[Finding]:
    """`detect` as it would be without `bound.may_reach`: every unit's forwarding
    structure read and every unit scored."""
    config = detector.config
    assert isinstance(config, ChainLetterSettings)
    findings = []
    for unit in read_units(message, detector.scorer, detector.limits):
        best = detector.scorer.best(
            unit.subject,
            unit.bodies,
            unit.structure,
            window_tokens=detector.window_tokens,
            min_kinds=config.min_signals,
        )
        if best is not None and best.probability >= config.threshold:
            findings.append(detector._finding(unit, best))
    return findings


def _written_messages() -> list[Message]:
    written = [(p.values[0], p.values[1]) for p in CHAIN_LETTERS + ISSUE_KINDS + LEGITIMATE]
    written += [("Hello", p.values[0]) for p in SINGLE_SIGNALS]
    written += [p.values[0] for p in FEATURE_MESSAGES]
    # the same wording forwarded on and on: structure lifts some of it over a threshold
    written += [
        (
            "Fwd: Fwd: " + subject,
            forwarded_block("Sue <sue@example.net>", "Fwd: " + subject, COPIED_RECIPIENTS)
            + forwarded_block("Pat <pat@example.net>", subject, body),
        )
        for subject, body in written
    ]
    return [build(body, subject=subject) for subject, body in written]


@pytest.fixture(scope="module")
def bound_messages() -> list[Message]:
    """Written chain letters and ordinary mail, and real ordinary and chain mail."""
    files = sorted(p for p in corpus("benign").rglob("*.eml"))[:60]
    files += sorted(p for p in corpus("chain").rglob("*") if p.suffix in (".eml", ".txt"))
    return _written_messages() + [parse_corpus_file(p) for p in files]


@pytest.mark.parametrize("threshold", [0.05, 0.2, 0.4, 0.6, 0.7, 0.8, 0.95])
@pytest.mark.parametrize("min_signals", [2, 3])
def test_the_structure_bound_never_changes_a_finding(
    bound_messages: list[Message], threshold: float, min_signals: int
):
    """Skipping the forwarding structure when the bound says the threshold is out of
    reach gives exactly the findings of reading it for every message."""
    settings = ChainLetterSettings(threshold=threshold, min_signals=min_signals)
    detector = ChainLetterDetector(settings, Directory())
    reported = 0
    for message in bound_messages:
        found = detector.detect(message)
        assert found == _findings_without_the_bound(detector, message)
        reported += bool(found)
    assert reported > 0


def test_the_structure_bound_is_never_below_the_best_score(
    detector: ChainLetterDetector, bound_messages: list[Message]
):
    """At a threshold equal to the best score that reading the structure gives, the
    bound must still say the threshold may be reached (the tightest case of all)."""
    config = detector.config
    assert isinstance(config, ChainLetterSettings)
    lifted = 0
    for message in bound_messages:
        main = read_units(message, detector.scorer, detector.limits)[0]
        kwargs = {"window_tokens": detector.window_tokens, "min_kinds": config.min_signals}
        best = detector.scorer.best(main.subject, main.bodies, main.structure, **kwargs)
        if best is None:
            continue
        alone = detector.scorer.best(main.subject, main.bodies, MassForwarding(), **kwargs)
        lifted += alone is None or alone.probability < best.probability
        assert may_reach(
            detector.scorer,
            main.subject,
            main.bodies,
            **kwargs,
            threshold=best.probability,
            bonus=structure_bonus(detector.scorer),
        )
    assert lifted >= 10  # messages whose structure raises their score


def test_the_structure_bound_excludes_ordinary_mail(detector: ChainLetterDetector):
    """The point of the bound: ordinary mail rarely comes near the threshold, so its
    forwarding structure is almost never read (chain letters always pass)."""
    config = detector.config
    assert isinstance(config, ChainLetterSettings)

    def passes(message: Message) -> bool:
        main = read_units(message, detector.scorer, detector.limits, structure=False)[0]
        return may_reach(
            detector.scorer,
            main.subject,
            main.bodies,
            window_tokens=detector.window_tokens,
            min_kinds=config.min_signals,
            threshold=config.threshold,
            bonus=structure_bonus(detector.scorer),
        )

    ordinary = [parse_corpus_file(p) for p in sorted(corpus("benign").rglob("*.eml"))]
    assert sum(map(passes, ordinary)) <= len(ordinary) // 50
    chains = [p for p in corpus("chain").rglob("*") if p.suffix in (".eml", ".txt")]
    assert all(passes(parse_corpus_file(p)) for p in chains)


def _reference_match(tokens: list[str], i: int, slots: tuple[Slot, ...], k: int) -> int:
    """The plain recursive matcher the index's shortcuts must agree with."""
    if k == len(slots):
        return i
    slot = slots[k]
    if slot.gap:
        for j in range(i, min(i + slot.gap, len(tokens)) + 1):
            end = _reference_match(tokens, j, slots, k + 1)
            if end >= 0:
                return end
        return -1
    if i < len(tokens) and (
        tokens[i] in slot.words or (slot.num and (tokens[i][0].isdigit() or tokens[i] in NUM_WORDS))
    ):
        end = _reference_match(tokens, i + 1, slots, k + 1)
        if end >= 0:
            return end
    return _reference_match(tokens, i, slots, k + 1) if slot.optional else -1


def _reference_hits(cues: CueSet, tokens: list[str], max_hits: int) -> list[Hit]:
    """Every pattern tried at every token it may start at, without any shortcut."""
    hits: list[Hit] = []
    for i, token in enumerate(tokens):
        entry = cues.starts.get(token)
        if entry is None:
            continue
        after = tokens[i + 1] if i + 1 < len(tokens) else ""
        candidates = [(p, i + 1) for p in entry.single]
        candidates += [(p, i + 2) for p in entry.by_second.get(after, [])]
        if entry.numbered and after and (after[0].isdigit() or after in NUM_WORDS):
            candidates += [(p, i + 2) for p in entry.numbered]
        done: set[int] = set()
        for pattern, begin in candidates:
            if pattern.family in done:
                continue
            end = _reference_match(tokens, begin, pattern.rest, 0)
            if end >= 0:
                done.add(pattern.family)
                hits.append(Hit(pattern.family, i, end, " ".join(tokens[i:end])))
                if len(hits) >= max_hits:
                    return hits
    return hits


def _cue_words(cues: CueSet) -> list[str]:
    words = set(cues.starts)
    for entry in cues.starts.values():
        words.update(entry.by_second)
        for pattern in [*entry.single, *entry.numbered]:
            for slot in pattern.rest:
                words.update(slot.words)
    return sorted(words)


def test_cue_hits_match_the_plain_matcher_on_real_mail(detector: ChainLetterDetector):
    texts = [p.read_text("utf-8", "replace") for p in corpus("benign").rglob("*.eml")]
    texts += [p.read_text("utf-8", "replace") for p in corpus("chain").rglob("*") if p.is_file()]
    texts += [str(p.values[1]) for p in CHAIN_LETTERS + ISSUE_KINDS]
    for text in texts:
        words = tokens(prepare(text))
        assert detector.cues.find_hits(words, 500) == _reference_hits(detector.cues, words, 500)
    words = tokens(prepare(" ".join(texts)))
    assert detector.cues.find_hits(words, 7) == _reference_hits(detector.cues, words, 7)


_CUES = load_cues()


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from([*_cue_words(_CUES), "10", "ten", "x", "the"]), max_size=40))
def test_cue_hits_match_the_plain_matcher_on_any_words(words: list[str]):
    assert _CUES.find_hits(words, 500) == _reference_hits(_CUES, words, 500)


@pytest.mark.parametrize(
    "text",
    ["wow!!! ok", "a ! ! b", "!!!!!!!x!", "hi!  !", "a!'b -!- c", "!" * 1001 + " end", "! " * 9],
)
def test_exclamation_runs_are_tokens_as_the_regex_defines(text: str):
    assert tokens(prepare(text)) == _reference(text)
