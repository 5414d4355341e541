"""The personal_address detector: staff mailing their own personal mailbox, personal
senders, and personal contact details given to people outside school; and the
look-alikes that are ordinary school business (a parent's gmail address, a parent who
shares the teacher's surname, the school's own domains, numbers and mailboxes)."""

from __future__ import annotations

import logging
from dataclasses import replace
from pathlib import Path
from typing import Any

import phonenumbers
import pytest

from detectors.personal_address import PersonalAddressDetector, PersonalAddressSettings
from models import Directory, Finding, Message, School, StaffMember
from tests.mail import SCHOOL_DOMAIN, build


def example_number(kind: phonenumbers.PhoneNumberType) -> str:
    """libphonenumber's documented example number of a type (never a real person's)."""
    number = phonenumbers.example_number_for_type("GB", kind)
    assert number is not None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)


MOBILE = example_number(phonenumbers.PhoneNumberType.MOBILE)  # 07400 123456
LANDLINE = "0113 496 0000"  # Ofcom's range for drama: never a real line
SCHOOL_MOBILE = "07400 654321"  # the school's trip mobile (listed in settings)
SCHOOL_OFFICE = "0161 496 0000"  # Ofcom drama range

JANE = StaffMember(
    forename="Jane",
    surname="Smith",
    email=f"jane.smith@{SCHOOL_DOMAIN}",
    personal_emails=("jsmith.home@outlook.com", "jane@smithfamily.me.uk"),
)
BOB = StaffMember(
    forename="Robert",
    surname="Khan",
    email=f"r.khan@{SCHOOL_DOMAIN}",
    personal_emails=("bobkhan@gmail.com",),
)
DIRECTORY = Directory(staff=(JANE, BOB), version="test")
JANE_FROM = f"Jane Smith <jane.smith@{SCHOOL_DOMAIN}>"

SCHOOL = School(
    domains=(SCHOOL_DOMAIN, f"*.{SCHOOL_DOMAIN}"),
    addresses=("westbrook.pta@gmail.com", "jsmith.trips@gmail.com"),
    phone_numbers=(SCHOOL_MOBILE, SCHOOL_OFFICE),
)
_SCHOOL_FIELDS = {
    "school_domains": "domains",
    "school_addresses": "addresses",
    "school_phone_numbers": "phone_numbers",
}


def detector(**overrides: Any) -> PersonalAddressDetector:
    """The detector for the test school; school_* overrides change the school's facts."""
    school = replace(
        SCHOOL,
        **{field: overrides.pop(key) for key, field in _SCHOOL_FIELDS.items() if key in overrides},
    )
    return PersonalAddressDetector(PersonalAddressSettings(**overrides), DIRECTORY, school)


def of_kind(findings: list[Finding], kind: str) -> list[Finding]:
    return [f for f in findings if f.kind == kind]


@pytest.fixture(scope="module")
def school_detector() -> PersonalAddressDetector:
    return detector()


# --- own_personal_recipient --------------------------------------------------------------

OWN_RECIPIENT_HITS = [
    # full name and digits at gmail: jane.smith -> janesmith82@gmail.com
    (dict(to="janesmith82@gmail.com"), "header:To", 0.9, "j****@gmail.com"),
    # initial and surname at hotmail.co.uk
    (dict(to="j.smith@hotmail.co.uk"), "header:To", 0.7, "j****@hotmail.co.uk"),
    # surname then initial
    (dict(to="smithj@yahoo.co.uk"), "header:To", 0.7, "s****@yahoo.co.uk"),
    # title and surname
    (dict(to="mrs.smith@gmail.com"), "header:To", 0.7, "m****@gmail.com"),
    # listed in the staff directory as hers (on a free-mail domain)
    (dict(to="jsmith.home@outlook.com"), "header:To", 1.0, "j****@outlook.com"),
    # listed as hers on a domain of her own: reported, and the domain redacted too
    (dict(to="jane@smithfamily.me.uk"), "header:To", 1.0, "j****@s****"),
    # a blind copy to herself: only the envelope names it
    (dict(to="parent.jones@gmail.com", bcc=("janesmith82@gmail.com",)), "header:Bcc", 0.9, None),
    # in Cc, with her own name as the display name
    (dict(cc="Jane Smith (home) <janesmith82@gmail.com>"), "header:Cc", 0.9, None),
    # a sender not in the directory: the From display name gives the name
    (
        dict(sender=f"Tom Brown <t.brown@{SCHOOL_DOMAIN}>", to="tombrown1990@outlook.com"),
        "header:To",
        0.9,
        "t****@outlook.com",
    ),
    # no display name: the school mailbox "tom.brown" gives the name
    (dict(sender=f"tom.brown@{SCHOOL_DOMAIN}", to="brownt@gmail.com"), "header:To", 0.7, None),
    # a case-insensitive match of a listed address
    (dict(to="JSmith.Home@OUTLOOK.com"), "header:To", 1.0, None),
]


@pytest.mark.parametrize(("fields", "location", "score", "evidence"), OWN_RECIPIENT_HITS)
def test_own_personal_recipient_is_reported(
    school_detector, fields: dict[str, Any], location: str, score: float, evidence: str | None
):
    fields = {"sender": JANE_FROM, "to": "", **fields}
    [finding] = of_kind(
        school_detector.detect(build("Notes for Monday.", **fields)), "own_personal_recipient"
    )
    assert finding.type == "PERSONAL_ADDRESS"
    assert finding.location == location
    assert finding.score == score
    if evidence is not None:
        assert finding.evidence == evidence
    assert "your own" in finding.explanation


OWN_RECIPIENT_MISSES = [
    # a parent's gmail address: normal school business
    dict(to="parent.jones@gmail.com"),
    # a parent who shares the teacher's surname
    dict(to="mark.smith1975@gmail.com"),
    # the right initial, but the display name says it is someone else
    dict(to="John Smith <j.smith@gmail.com>"),
    # a colleague on the school's domain, whatever the mailbox is called
    dict(to=f"jsmith@{SCHOOL_DOMAIN}"),
    # the school's subdomain (pupil mailboxes)
    dict(to=f"smithj@pupils.{SCHOOL_DOMAIN}"),
    # a school mailbox on gmail that happens to carry her name (listed in settings)
    dict(to="jsmith.trips@gmail.com"),
    # another member of staff's listed personal address is not hers
    dict(to="bobkhan@gmail.com"),
    # her name at a non-free-mail domain she has not listed: cannot tell
    dict(to="jane.smith@cityfarm.org.uk"),
    # a sender with no usable name
    dict(sender=f"office@{SCHOOL_DOMAIN}", to="office1@gmail.com"),
    # the first name alone is not enough
    dict(to="jane1985@gmail.com"),
]


@pytest.mark.parametrize("fields", OWN_RECIPIENT_MISSES)
def test_look_alike_recipients_are_not_own_mailboxes(school_detector, fields: dict[str, Any]):
    fields = {"sender": JANE_FROM, **fields}
    found = school_detector.detect(build("Notes for Monday.", **fields))
    assert of_kind(found, "own_personal_recipient") == []


# Issue 10: the shapes of an own personal mailbox that were missed, each with its score
# (a full name above a short form above an initial or a surname initial).
SARAH = f"Sarah Okafor <s.okafor@{SCHOOL_DOMAIN}>"

OWN_MAILBOX_SHAPES = [
    # a suffix word after the full name
    (SARAH, dict(to="sarah.okafor.home@gmail.com"), 0.9),
    # .work, run together
    (SARAH, dict(to="sarahokafor.work@outlook.com"), 0.9),
    # .teacher
    (SARAH, dict(to="sarah.okafor.teacher@gmail.com"), 0.9),
    # .school after initial and surname
    (SARAH, dict(to="s.okafor.school@hotmail.co.uk"), 0.7),
    # title, surname and .private
    (SARAH, dict(to="mrs.okafor.private@gmail.com"), 0.7),
    # Dan for Daniel
    (f"Daniel Hughes <dhughes@{SCHOOL_DOMAIN}>", dict(to="dan.hughes@gmail.com"), 0.8),
    # Beth for Elizabeth
    (f"Elizabeth Price <eprice@{SCHOOL_DOMAIN}>", dict(to="bethprice85@gmail.com"), 0.8),
    # Fi for Fiona
    (f"Fiona Campbell <fcampbell@{SCHOOL_DOMAIN}>", dict(to="fi.campbell@icloud.com"), 0.8),
    # Lou for Louise
    (f"Louise Bennett <lbennett@{SCHOOL_DOMAIN}>", dict(to="lou_bennett@yahoo.co.uk"), 0.8),
    # Tom for Thomas
    (f"Thomas Reid <treid@{SCHOOL_DOMAIN}>", dict(to="tom.reid@gmail.com"), 0.8),
    # Kasia for Katarzyna (Polish)
    (f"Katarzyna Nowak <knowak@{SCHOOL_DOMAIN}>", dict(to="kasia.nowak@gmail.com"), 0.8),
    # Toyin for Oluwatoyin (Yoruba)
    (f"Oluwatoyin Adeyemi <oadeyemi@{SCHOOL_DOMAIN}>", dict(to="toyin.adeyemi@gmail.com"), 0.8),
    # forename plus surname initial
    (SARAH, dict(to="sarah.o@gmail.com"), 0.6),
    # forename plus the first two letters of the surname
    (SARAH, dict(to="sarahok@gmail.com"), 0.6),
    # only in the envelope (Bcc), with a suffix word
    (SARAH, dict(bcc=("sarah.okafor.home@gmail.com",)), 0.9),
    # only in the envelope (Bcc), a short form
    (f"Thomas Reid <treid@{SCHOOL_DOMAIN}>", dict(bcc=("tom.reid@gmail.com",)), 0.8),
    # an unrelated mailbox name, but addressed to her own name
    (SARAH, dict(cc="Sarah Okafor (home) <sunflower71@gmail.com>"), 0.8),
    # the sender's display name has a title and a note
    (f"Mrs Sarah Okafor (Y4) <sokafor@{SCHOOL_DOMAIN}>", dict(to="sarahokafor@gmail.com"), 0.9),
    # a family name first ("Wang Li" <li.wang@>): the school mailbox shows the order
    (f"Wang Li <li.wang@{SCHOOL_DOMAIN}>", dict(to="l.wang.home@gmail.com"), 0.7),
    # surname first in capitals
    (f"OKAFOR Sarah <sokafor@{SCHOOL_DOMAIN}>", dict(to="sarah.okafor1@gmail.com"), 0.9),
    # no display name: the school mailbox "sarah.okafor" names her
    (f"sarah.okafor@{SCHOOL_DOMAIN}", dict(to="sarah.o@gmail.com"), 0.6),
]


@pytest.mark.parametrize(("sender", "fields", "score"), OWN_MAILBOX_SHAPES)
def test_own_mailbox_shapes_are_reported_with_graded_scores(
    school_detector, sender: str, fields: dict[str, Any], score: float
):
    fields = {"to": "parent.jones@gmail.com", **fields}
    message = build("Marking to finish at home.", sender=sender, **fields)
    [finding] = of_kind(school_detector.detect(message), "own_personal_recipient")
    assert finding.score == score
    assert "your own personal mailbox" in finding.explanation
    assert "@" in finding.evidence and "okafor" not in finding.evidence  # still redacted
    if "bcc" in fields:
        assert finding.location == "header:Bcc"


OWN_MAILBOX_LOOK_ALIKES = [
    # a parent or partner sharing her surname
    (SARAH, "mark.okafor@gmail.com"),
    # the family's mailbox
    (SARAH, "the.okafors@gmail.com"),
    # a family word after her full name
    (SARAH, "sarah.okafor.family@gmail.com"),
    # another Sarah
    (SARAH, "sarah.owusu@gmail.com"),
    # another Sarah, by display name, whose mailbox starts like hers
    (SARAH, "Sarah Owen <sarah.o@gmail.com>"),
    # a surname that merely contains hers
    (f"Jane Hall <jhall@{SCHOOL_DOMAIN}>", "jane.hallam@gmail.com"),
    # Louis is not a short form of Louise (her husband or son)
    (f"Louise Bennett <lbennett@{SCHOOL_DOMAIN}>", "louis.bennett@gmail.com"),
    # Danielle is not Daniel
    (f"Daniel Hughes <dhughes@{SCHOOL_DOMAIN}>", "danielle.hughes@gmail.com"),
    # a short ambiguous local part (initial and a two-letter surname)
    (f"Amy Li <ali@{SCHOOL_DOMAIN}>", "ali@gmail.com"),
    # two initials
    (SARAH, "so@gmail.com"),
    # a relative, named in the display name, with her initial
    (SARAH, "Stephen Okafor <s.okafor@gmail.com>"),
    # a role mailbox sender
    (f"Reception <reception@{SCHOOL_DOMAIN}>", "reception1@gmail.com"),
]


@pytest.mark.parametrize(("sender", "recipient"), OWN_MAILBOX_LOOK_ALIKES)
def test_own_mailbox_look_alikes_pass(school_detector, sender: str, recipient: str):
    found = school_detector.detect(build("Notes.", sender=sender, to=recipient))
    assert of_kind(found, "own_personal_recipient") == []


# --- personal_sender ---------------------------------------------------------------------

SENDER_HITS = [
    # From a free-mail address
    (dict(sender="Jane Smith <janesmith82@gmail.com>"), {}, "header:From", 0.95),
    # Reply-To a personal mailbox while sending from school
    (dict(reply_to="janesmith82@gmail.com"), {}, "header:Reply-To", 0.95),
    # From a domain that is not the school's (the school's domains are configured)
    (dict(sender="Jane <jane@smithfamily.me.uk>"), {}, "header:From", 0.7),
    # school domains not configured: a free-mail sender is still reported
    (dict(sender="janesmith82@gmail.com"), {"school_domains": ()}, "header:From", 0.95),
    # a local ISP added to the list in settings
    (
        dict(sender="jane@talktalk.net"),
        {"school_domains": (), "extra_personal_domains": ("talktalk.net",)},
        "header:From",
        0.95,
    ),
]


@pytest.mark.parametrize(("fields", "settings", "location", "score"), SENDER_HITS)
def test_personal_sender_is_reported(
    fields: dict[str, Any], settings: dict[str, Any], location: str, score: float
):
    fields = {"sender": JANE_FROM, **fields}
    found = detector(**settings).detect(build("Hello", **fields))
    [finding] = of_kind(found, "personal_sender")
    assert finding.location == location
    assert finding.score == score
    assert "school email account" in finding.explanation


SENDER_MISSES = [
    # From and Reply-To at the school
    (dict(reply_to=f"office@{SCHOOL_DOMAIN}"), {}),
    # a subdomain of the school ("*." pattern)
    (dict(sender=f"head@mail.{SCHOOL_DOMAIN}"), {}),
    # school domains not configured: a non-free-mail sender cannot be judged
    (dict(sender="jane@smithfamily.me.uk"), {"school_domains": ()}),
    # the PTA's gmail mailbox is one of the school's addresses
    (dict(sender="PTA <westbrook.pta@gmail.com>"), {}),
    # a listed domain the school says is not personal here
    (
        dict(sender="jane@btinternet.com"),
        {"school_domains": (), "not_personal_domains": ("btinternet.com",)},
    ),
    # a service that sends on the school's behalf
    (dict(sender="news@mis-provider.co.uk"), {"trusted_sender_domains": ("mis-provider.co.uk",)}),
    # a school whose own domain happens to be on the free-mail list
    (dict(sender="head@mail.org.uk"), {"school_domains": ("mail.org.uk",)}),
]


@pytest.mark.parametrize(("fields", "settings"), SENDER_MISSES)
def test_school_senders_are_not_personal(fields: dict[str, Any], settings: dict[str, Any]):
    fields = {"sender": JANE_FROM, **fields}
    found = detector(**settings).detect(build("Hello", **fields))
    assert of_kind(found, "personal_sender") == []


# --- personal_contact_shared -------------------------------------------------------------

SIGN_OFF = "\n\nKind regards\nJane Smith\nYear 4 teacher\n"

CONTACT_HITS = [
    # a mobile in the signature
    (f"See you tomorrow.{SIGN_OFF}Mob: {MOBILE}", "mobile number", MOBILE),
    # "text me on" in the message
    (f"If the coach is late, text me on {MOBILE} and I'll wait.", "mobile number", MOBILE),
    # "my home number" is personal even for a landline
    (f"You can reach me on my home number {LANDLINE} tonight.", "phone number", LANDLINE),
    # "my personal email is"
    (
        "My personal email is janesmith82@gmail.com if that's easier.",
        "email address",
        "janesmith82@gmail.com",
    ),
    # a free-mail address in the signature
    (
        f"Thanks for your help.{SIGN_OFF}jane.smith.teacher@gmail.com",
        "email address",
        "jane.smith.teacher@gmail.com",
    ),
    # her listed personal address anywhere in her own text
    (
        "Send the photos to jsmith.home@outlook.com please.",
        "email address",
        "jsmith.home@outlook.com",
    ),
    # a typographic-less cue: "contact me at"
    (
        "Contact me at jane@smithfamily.me.uk over the holidays.",
        "email address",
        "jane@smithfamily.me.uk",
    ),
]


@pytest.mark.parametrize(("body", "what", "detail"), CONTACT_HITS)
def test_personal_contact_details_are_reported(school_detector, body: str, what: str, detail: str):
    message = build(body, sender=JANE_FROM, to="parent.jones@gmail.com")
    [finding] = of_kind(school_detector.detect(message), "personal_contact_shared")
    assert finding.location == "body"
    assert what in finding.explanation
    assert finding.span is not None
    text = next(t.text for t in message.texts if t.location == "body")
    assert text[finding.span[0] : finding.span[1]] == detail
    digits = "".join(c for c in detail if c.isdigit())
    assert detail not in finding.evidence and (not digits or digits not in finding.evidence)


CONTACT_MISSES = [
    # the school's trip mobile (listed in settings) in the signature
    f"See you at the coach.{SIGN_OFF}Trip mobile: {SCHOOL_MOBILE}",
    # the school office number in the signature
    f"See you tomorrow.{SIGN_OFF}Office: {SCHOOL_OFFICE}",
    # her school address after "email me at"
    f"Email me at jane.smith@{SCHOOL_DOMAIN} with any questions.",
    # a work mobile, said to be one
    f"My work mobile is {MOBILE}.",
    # a parent's number written in the text, not hers
    f"Mrs Jones asked me to pass on her number, {MOBILE}, to the club leader.{SIGN_OFF}",
    # a parent's gmail address (who shares her surname) in the text
    f"Mr Smith's email is mark.smith1975@gmail.com.{SIGN_OFF}",
    # the parent's own signature quoted back in a reply
    f"Thanks, noted.{SIGN_OFF}\nOn Mon, 3 Mar 2025 at 09:12, Mark Smith "
    f"<mark.smith1975@gmail.com> wrote:\n> Please call me.\n> Mark\n> Mob: {MOBILE}\n",
    # a forwarded message's signature
    f"FYI.{SIGN_OFF}\n---------- Forwarded message ---------\nFrom: Coach <c@example.org>\n\n"
    f"Regards\nCoach\nMob: {MOBILE}\n",
    # the PTA's gmail address (a school address) in the signature
    f"See you at the fair.{SIGN_OFF}PTA: westbrook.pta@gmail.com",
]


@pytest.mark.parametrize("body", CONTACT_MISSES)
def test_school_and_other_peoples_details_are_not_personal_contacts(school_detector, body: str):
    message = build(body, sender=JANE_FROM, to="parent.jones@gmail.com")
    assert of_kind(school_detector.detect(message), "personal_contact_shared") == []


def test_the_same_detail_twice_is_one_finding(school_detector):
    body = f"Text me on {MOBILE}.{SIGN_OFF}Mob: {MOBILE}"
    found = school_detector.detect(build(body, sender=JANE_FROM))
    assert len(of_kind(found, "personal_contact_shared")) == 1


def test_ordinary_school_mail_has_no_findings(school_detector):
    body = (
        f"Dear Mr Smith,\n\nThank you for your email.{SIGN_OFF}Westbrook Primary\n{SCHOOL_OFFICE}"
    )
    message = build(body, sender=JANE_FROM, to="Mark Smith <mark.smith1975@gmail.com>")
    assert school_detector.detect(message) == []


# --- settings and the free-mail list ----------------------------------------------------


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        # a domain that is not one
        ({"not_personal_domains": ("westbrook",)}, "not a domain name"),
        # the school's own domains belong in [school], not here
        ({"school_domains": ("x.sch.uk",)}, "school_domains"),
        # an unknown key
        ({"school_domain": ("x.sch.uk",)}, "school_domain"),
    ],
)
def test_bad_settings_are_named(settings: dict[str, Any], message: str):
    with pytest.raises(ValueError, match=message):
        PersonalAddressSettings(**settings)


def updated_list(tmp_path: Path, *domains: str) -> Path:
    generated = [f"mailbox{n}.example-free.net" for n in range(1000)]
    path = tmp_path / "free_email_domains.json"
    path.write_text(__import__("json").dumps([*generated, *domains]))
    return path


def test_an_updated_list_is_used_when_configured(tmp_path: Path):
    path = updated_list(tmp_path, "newfreemail.co.uk")
    message = build("Hello", sender="janesmith82@newfreemail.co.uk")
    shipped = detector(school_domains=()).detect(message)
    updated = detector(school_domains=(), freemail_file=path).detect(message)
    assert of_kind(shipped, "personal_sender") == []
    assert [f.evidence for f in of_kind(updated, "personal_sender")] == ["j****@newfreemail.co.uk"]


def test_an_unreadable_list_falls_back_to_the_shipped_one(tmp_path: Path, caplog):
    broken = tmp_path / "free_email_domains.json"
    broken.write_text('["gmail.com"')
    with caplog.at_level(logging.WARNING):
        fallback = detector(school_domains=(), freemail_file=broken)
    assert "using the shipped free-mail list" in caplog.text
    message: Message = build("Hello", sender="janesmith82@gmail.com")
    assert of_kind(fallback.detect(message), "personal_sender") != []
