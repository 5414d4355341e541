"""The personal_address detector: staff using personal mailboxes for school business.

Three kinds, from the AUPs ("the use of personal email addresses by staff for any
official school business is not permitted"; "personal email addresses / telephone
numbers must not be shared with pupils or parents"):

- own_personal_recipient: school mail sent to the sender's own personal mailbox (listed
  in the staff directory, or a free-mail address named after the sender: full name,
  short form, initial, with digits and words like ".home"; or addressed to the sender's
  own name), in To, Cc or only in the envelope (Bcc). A parent's gmail address, even
  one sharing the sender's surname, is ordinary school business and is never reported.
- personal_sender: From or Reply-To on a free-mail domain or, when the school's domains
  are configured, on any domain that is not the school's.
- personal_contact_shared: the sender gives a personal mobile number or mailbox in
  their own text.

The school's own domains, addresses and numbers (settings) are never personal.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, replace
from pathlib import Path
from typing import ClassVar

from pydantic import Field, field_validator

from detectors.base import Detector, DetectorSettings
from detectors.email_addresses import EmailAddress, parse_address
from detectors.freemail import FreemailList, FreemailListError, read_list, shipped_list
from detectors.name_text import letters, mailbox_words
from detectors.nicknames import ShortForms
from detectors.person_names import NameMatch, PersonName
from detectors.personal_contact import ContactRules, personal_contacts
from detectors.school_identity import SchoolIdentity
from detectors.sender_names import display_name_parts, mailbox_name_parts
from models import Address, Basis, Directory, Finding, Message, School, StaffMember, domain_matches

log = logging.getLogger(__name__)

FINDING_TYPE = "PERSONAL_ADDRESS"
OWN_PERSONAL_RECIPIENT = "own_personal_recipient"
PERSONAL_SENDER = "personal_sender"
PERSONAL_CONTACT_SHARED = "personal_contact_shared"

SCORE_LISTED = 1.0
SCORE_NAME = {
    NameMatch.FULL: 0.9,
    NameMatch.SHORT_FORM: 0.8,
    NameMatch.INITIAL: 0.7,
    NameMatch.FORENAME_INITIAL: 0.6,
}
SCORE_DISPLAY_NAME = 0.8
"""A free-mail recipient whose display name is the sender's own ("Jane Smith (home)")."""
HOW_NAME = {
    NameMatch.FULL: "carries your name",
    NameMatch.SHORT_FORM: "carries a short form of your forename and your surname",
    NameMatch.INITIAL: "carries your initial or title and your surname",
    NameMatch.FORENAME_INITIAL: "carries your forename and the start of your surname",
}
SCORE_FREEMAIL_SENDER = 0.95
SCORE_OTHER_DOMAIN_SENDER = 0.7
SCORE_CONTACT = 0.8


def _clean_domain(value: str) -> str:
    domain = value.strip().lower().rstrip(".")
    bare = domain.removeprefix("*.")
    if not bare or "." not in bare or "@" in bare or any(c.isspace() for c in bare):
        raise ValueError(f"{value!r} is not a domain name like 'example.sch.uk'")
    return domain


class PersonalAddressSettings(DetectorSettings):
    """`[detectors.personal_address]`. The school's own domains, mailboxes and phone
    numbers come from the config's [school] section (the detector's `school`); without
    school domains, only free-mail senders are reported."""

    phone_region: str = Field(default="GB", pattern=r"^[A-Z]{2}$")
    """Region for numbers written without a country code."""
    freemail_file: Path | None = None
    """A list written by `schoolgate freemail update`; the shipped list when unset or
    unreadable."""
    extra_personal_domains: tuple[str, ...] = ()
    """Domains to treat as free-mail in addition to the list (e.g. a local ISP)."""
    not_personal_domains: tuple[str, ...] = ()
    """Domains on the list that are not personal mailboxes here (false positives)."""
    trusted_sender_domains: tuple[str, ...] = ()
    """Other domains that send through the gateway on the school's behalf (the MIS, a
    newsletter service): never reported as personal senders."""

    @field_validator("extra_personal_domains", "not_personal_domains", "trusted_sender_domains")
    @classmethod
    def _domains(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        return tuple(_clean_domain(v) for v in value)


def _e164(text: str, region: str) -> str | None:
    import phonenumbers

    try:
        number = phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(number):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


NO_NAME = PersonName((), (), ())


@dataclass(frozen=True, slots=True)
class _Sender:
    """Who the message is from, as far as the detector can tell."""

    address: EmailAddress | None
    forename: str = ""
    surname: str = ""
    member: StaffMember | None = None
    """The staff directory entry, when the sender's address is in it."""
    name: PersonName = NO_NAME
    """The name's variants (with short forms) that mailboxes are matched against."""

    @property
    def named(self) -> bool:
        return self.name.usable

    def is_person(self, member: StaffMember) -> bool:
        """True when `member` is the sender (by directory entry, else by name)."""
        if self.member is not None:
            return member is self.member
        return self.named and (member.forename.lower(), member.surname.lower()) == (
            self.forename.lower(),
            self.surname.lower(),
        )


def _load_freemail(settings: PersonalAddressSettings) -> FreemailList:
    if settings.freemail_file is not None:
        try:
            return read_list(settings.freemail_file)
        except FreemailListError as exc:
            log.warning("using the shipped free-mail list: %s", exc)
    return shipped_list()


class PersonalAddressDetector(Detector):
    name: ClassVar[str] = "personal_address"
    finding_types: ClassVar[frozenset[str]] = frozenset({FINDING_TYPE})
    Settings: ClassVar[type[DetectorSettings]] = PersonalAddressSettings

    def __init__(
        self, settings: DetectorSettings, directory: Directory, school: School | None = None
    ) -> None:
        super().__init__(settings, directory, school)
        assert isinstance(settings, PersonalAddressSettings)
        self.config = settings
        self.freemail = _load_freemail(settings)
        self.short_forms = ShortForms.load()
        self.extra_personal = frozenset(settings.extra_personal_domains)
        self.not_personal = frozenset(settings.not_personal_domains)
        school_addresses = (parse_address(a) for a in self.school.addresses)
        self.identity = SchoolIdentity(
            domains=tuple(_clean_domain(d) for d in self.school.domains),
            addresses=frozenset(a.key for a in school_addresses if a is not None),
            phone_numbers=frozenset(
                n
                for n in (_e164(p, settings.phone_region) for p in self.school.phone_numbers)
                if n is not None
            ),
        )
        self.staff_by_address: dict[str, StaffMember] = {}
        self.personal_owner: dict[str, StaffMember] = {}
        for member in directory.staff:
            school_address = parse_address(member.email)
            if school_address is not None:
                self.staff_by_address[school_address.key] = member
            for personal in member.personal_emails:
                address = parse_address(personal)
                if address is not None:
                    self.personal_owner[address.key] = member

    # --- what is personal -------------------------------------------------------------

    def is_freemail(self, address: EmailAddress) -> bool:
        """On a free-mail domain, and not the school's (its domains always win)."""
        domain = address.domain
        if self.identity.owns_address(address) or domain in self.not_personal:
            return False
        return domain in self.extra_personal or domain in self.freemail

    def _is_outside_school(self, address: EmailAddress) -> bool:
        return self.identity.knows_its_domains and not self.identity.owns_address(address)

    # --- who is sending ---------------------------------------------------------------

    def _named(
        self,
        address: EmailAddress | None,
        forename: str,
        surname: str,
        member: StaffMember | None = None,
    ) -> _Sender:
        name = PersonName.of(forename, surname, self.short_forms)
        return _Sender(address, forename, surname, member, name)

    def _sender(self, message: Message) -> _Sender:
        """The staff entry of the From address, else the display name ("Mrs Jane Smith
        (Y4)"), else the school mailbox ("jane.smith", "j.smith", or "jsmith" from Jane)."""
        facts = message.facts
        address = parse_address(facts.sender)
        member = self.staff_by_address.get(address.key) if address else None
        if member is not None:
            return self._named(address, member.forename, member.surname, member)
        parts = display_name_parts(facts.sender_name, address.local if address else "")
        if parts is None and address is not None:
            parts = mailbox_name_parts(address.local, facts.sender_name)
        if parts is None:
            return _Sender(address)
        sender = self._named(address, *parts)
        if address is not None and len(parts[0].split()) == 1:
            # "Okafor Sarah" <s.okafor@>, "Wang Li" <li.wang@>: the school mailbox shows
            # which word is the surname
            flipped = self._named(address, parts[1], parts[0])
            words = mailbox_words(address.local).split(".")
            if words == [letters(parts[1]), letters(parts[0])]:  # either order: take both
                return replace(sender, name=sender.name.either_way(flipped.name))
            mine = sender.name.match_local_part(address.local)
            if mine is None and flipped.name.match_local_part(address.local) is not None:
                return flipped
        return sender

    # --- the three kinds --------------------------------------------------------------

    def _personal_senders(self, message: Message) -> list[Finding]:
        facts = message.facts
        headers: list[tuple[str, Address]] = [("From", a) for a in facts.header_from]
        headers += [("Reply-To", a) for a in facts.reply_to]
        if not facts.header_from and facts.envelope.mail_from:
            headers.append(("From", Address(name="", addr=facts.envelope.mail_from)))
        findings = []
        for header, entry in headers:
            address = parse_address(entry.addr)
            if address is None:
                continue
            if domain_matches(address.domain, self.config.trusted_sender_domains):
                continue
            free = self.is_freemail(address)
            if not (free or self._is_outside_school(address)):
                continue
            shown = address.redacted(show_domain=free)
            what = "a personal (free-mail) address" if free else "an address outside the school"
            action = "is sent from" if header == "From" else "asks for replies to go to"
            findings.append(
                Finding(
                    detector=self.name,
                    type=FINDING_TYPE,
                    kind=PERSONAL_SENDER,
                    location=f"header:{header}",
                    score=SCORE_FREEMAIL_SENDER if free else SCORE_OTHER_DOMAIN_SENDER,
                    evidence=shown,
                    basis=Basis(
                        f"the {header} address is {what}",
                        SCORE_FREEMAIL_SENDER if free else SCORE_OTHER_DOMAIN_SENDER,
                    ),
                    explanation=(
                        f"This message {action} {what} ({shown}); school business must use "
                        "your school email account, so please send it from there."
                    ),
                )
            )
        return findings

    @staticmethod
    def _header_names(message: Message) -> dict[str, tuple[str, str]]:
        """Recipient address key -> the header naming it ("To", "Cc") and its display name."""
        named: dict[str, tuple[str, str]] = {}
        for header, entries in (("To", message.facts.to), ("Cc", message.facts.cc)):
            for entry in entries:
                parsed = parse_address(entry.addr)
                if parsed is not None:
                    named.setdefault(parsed.key, (header, entry.name))
        return named

    def _own_recipients(self, message: Message, sender: _Sender) -> list[Finding]:
        findings = []
        named = self._header_names(message)
        for recipient in message.recipients:
            address = parse_address(recipient.addr)
            if address is None or self.identity.owns_address(address):
                continue
            if sender.address is not None and address.key == sender.address.key:
                continue
            header, display = named.get(address.key, ("Bcc", ""))  # only the envelope names it
            owner = self.personal_owner.get(address.key)
            if owner is not None and sender.is_person(owner):
                score, how = SCORE_LISTED, "is listed in the staff directory as your own"
            elif sender.named and self.is_freemail(address):
                if sender.name.display_is_someone_else(display):
                    continue
                match = sender.name.match_local_part(address.local)
                if match is not None:
                    score = SCORE_NAME[match]
                    how = f"{HOW_NAME[match]}, so it looks like your own personal mailbox"
                elif sender.name.display_is_self(display):
                    score = SCORE_DISPLAY_NAME
                    how = (
                        "is addressed to your own name, so it looks like your own personal mailbox"
                    )
                else:
                    continue
            else:
                continue
            shown = address.redacted(show_domain=self.is_freemail(address))
            findings.append(
                Finding(
                    detector=self.name,
                    type=FINDING_TYPE,
                    kind=OWN_PERSONAL_RECIPIENT,
                    location=f"header:{header}",
                    score=score,
                    evidence=shown,
                    basis=Basis(f"a recipient that {how.partition(', so')[0]}", score),
                    explanation=(
                        f"The recipient {shown} {how}; school material must stay in your "
                        "school account, so please remove that recipient."
                    ),
                )
            )
        return findings

    def _contact_rules(self, sender: _Sender) -> ContactRules:
        def is_personal(address: EmailAddress) -> bool:
            if self.identity.owns_address(address):
                return False
            owner = self.personal_owner.get(address.key)
            if owner is not None and sender.is_person(owner):
                return True
            return (
                sender.named
                and self.is_freemail(address)
                and sender.name.match_local_part(address.local) is not None
            )

        return ContactRules(
            region=self.config.phone_region,
            is_school_phone=self.identity.owns_phone,
            is_personal_address=is_personal,
            is_freemail_address=self.is_freemail,
            is_other_address=self._is_outside_school,
        )

    def _shared_contacts(self, message: Message, sender: _Sender) -> list[Finding]:
        rules = self._contact_rules(sender)
        findings = []
        seen: set[str] = set()
        for block in message.texts:
            if block.location != "body":
                continue
            for hit in personal_contacts(block.text, rules):
                if hit.key in seen:
                    continue
                seen.add(hit.key)
                findings.append(
                    Finding(
                        detector=self.name,
                        type=FINDING_TYPE,
                        kind=PERSONAL_CONTACT_SHARED,
                        location=block.location,
                        score=SCORE_CONTACT,
                        evidence=hit.evidence,
                        basis=Basis(f"a personal {hit.what} in the message", SCORE_CONTACT),
                        explanation=(
                            f"The message gives a personal {hit.what} ({hit.evidence}); "
                            "staff must not share personal contact details with pupils or "
                            "parents, so please use the school's address and phone number."
                        ),
                        span=(hit.start, hit.end),
                    )
                )
        return findings

    def detect(self, message: Message) -> list[Finding]:
        sender = self._sender(message)
        return [
            *self._personal_senders(message),
            *self._own_recipients(message, sender),
            *self._shared_contacts(message, sender),
        ]
