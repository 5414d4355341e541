"""The sensitive_data detector on prose: every finding type, hits and misses."""

from __future__ import annotations

import re

import pytest
from pydantic import ValidationError

from detectors.identifiers import IDENTIFIER_TYPES
from detectors.sensitive_data import SensitiveDataDetector, SensitiveDataSettings
from detectors.special_category import PhraseMatcher, VocabularyError, parse_vocabulary
from models import Directory, Envelope, Finding, Message, MessageFacts, School, TextBlock


def scan(
    text: str, location: str = "body", school: School | None = None, **settings: object
) -> list[Finding]:
    detector = SensitiveDataDetector(SensitiveDataSettings(**settings), Directory(), school)
    message = Message(
        facts=MessageFacts(envelope=Envelope("staff@school.example", ()), recipients=()),
        texts=(TextBlock(location, text),),
    )
    return detector.detect(message)


def types_and_kinds(findings: list[Finding]) -> set[tuple[str, str | None]]:
    return {(f.type, f.kind) for f in findings}


@pytest.mark.parametrize(
    ("text", "finding_type", "kind", "found"),
    [
        # --- UK_UPN: check letter, LA code, 13 characters -------------------------------
        ("UPN B801200005001", "UK_UPN", None, True),  # python-stdnum's valid example
        ("Pupil ref B801200005001 attached", "UK_UPN", None, True),  # strong without a label
        ("temporary upn g80120000101a", "UK_UPN", None, True),  # lower case, temporary UPN
        ("UPN A801200005001", "UK_UPN", None, False),  # wrong check letter
        ("UPN E000200005001", "UK_UPN", None, False),  # LA number 000 does not exist
        ("code B801200005001X", "UK_UPN", None, False),  # part of a longer token
        # --- UK_ULN: ESFA check digit, label needed ---------------------------------------
        ("ULN: 1000000043", "UK_ULN", None, True),  # valid check digit, labelled
        ("Unique Learner Number 1000000043", "UK_ULN", None, True),  # label in words
        ("ULN: 1000000042", "UK_ULN", None, False),  # wrong check digit
        ("Order 1000000043 has shipped", "UK_ULN", None, False),  # 10 digits, no ULN label
        ("ULN 9999999999", "UK_ULN", None, False),  # ESFA's "unknown learner" placeholder
        # --- UK_NHS: mod 11, then label, display format or issued range ------------------
        ("NHS no. 943 476 5870", "UK_NHS", None, True),  # labelled, valid
        ("NHS: 0032698674", "UK_NHS", None, True),  # labelled: any mod-11-valid number
        ("Her number is 401 023 2137", "UK_NHS", None, True),  # NHS display format 3-3-4
        ("ref 4010232137", "UK_NHS", None, True),  # bare but in England's issued range
        ("NHS no. 943 476 5871", "UK_NHS", None, False),  # fails mod 11
        ("ref 9434765870", "UK_NHS", None, False),  # bare, 943 million is never issued
        ("Tel: 401-023-2137", "UK_NHS", None, False),  # a phone number that passes mod 11
        ("see https://x.example/?id=4010232137", "UK_NHS", None, False),  # inside a URL
        # --- UK_NINO: HMRC prefix rules and A-D suffix -----------------------------------
        ("NI number: AB 12 34 56 C", "UK_NINO", None, True),  # labelled, spaced
        ("tw987654a", "UK_NINO", None, True),  # lower case, no spaces (Presidio)
        ("QQ 12 34 56 C", "UK_NINO", None, False),  # HMRC's example prefix: Q never used
        ("GB123456A", "UK_NINO", None, False),  # GB prefix never allocated
        ("AO123456A", "UK_NINO", None, False),  # O is never a second letter
        ("AB123456E", "UK_NINO", None, False),  # suffix must be A-D
        # --- PAYMENT_CARD: Luhn, issuer range and length, grouping -----------------------
        ("Card: 4111 1111 1111 1111", "PAYMENT_CARD", "visa", True),  # Visa test number
        ("5555555555554444", "PAYMENT_CARD", "mastercard", True),  # Mastercard, no spaces
        ("amex 3714-496353-98431", "PAYMENT_CARD", "amex", True),  # Amex 4-6-5 grouping
        ("4111 1111 1111 1112", "PAYMENT_CARD", None, False),  # fails Luhn
        ("8000 0000 0000 0002", "PAYMENT_CARD", None, False),  # passes Luhn, no issuer uses 8
        ("4111 11 1111 1111 11", "PAYMENT_CARD", None, False),  # not a card grouping
        ("490154203237518", "PAYMENT_CARD", None, False),  # Luhn-valid, 15 digits: not Visa
        # --- UK_BANK_ACCOUNT: sort code + account number under a bank label ---------------
        # hyphenated sort code, then account
        ("Sort code 08-99-99, account number 66374958", "UK_BANK_ACCOUNT", None, True),
        ("Account 66374958 sort code 089999", "UK_BANK_ACCOUNT", None, True),  # reversed
        ("Bank: 20-00-00 / 55779911", "UK_BANK_ACCOUNT", None, True),  # "bank" label
        ("ref 08-99-99 66374958", "UK_BANK_ACCOUNT", None, False),  # no bank label
        ("Sort code 08-99-99", "UK_BANK_ACCOUNT", None, False),  # sort code alone
        ("Account number 663749586", "UK_BANK_ACCOUNT", None, False),  # 9 digits, no sort code
        # --- UK_IBAN: ISO 13616 mod 97 and the GB structure ------------------------------
        ("IBAN GB29 NWBK 6016 1331 9268 19", "UK_IBAN", None, True),  # spaced
        ("GB29NWBK60161331926819", "UK_IBAN", None, True),  # compact
        ("GB29 NWBK 6016 1331 9268 10", "UK_IBAN", None, False),  # bad check digits
        ("DE89 3704 0044 0532 0130 00", "UK_IBAN", None, False),  # valid, but not UK
        # --- PASSPORT: a number after the word passport ----------------------------------
        ("Passport number: 123456789", "PASSPORT", None, True),  # UK 9 digits
        ("passport no. AB1234567", "PASSPORT", None, True),  # letters then digits
        ("Order number 123456789", "PASSPORT", None, False),  # no passport context
        ("bring passport photos by 12/03", "PASSPORT", None, False),  # no number
        # --- DATE_OF_BIRTH: a real date just after DOB / date of birth / born ------------
        ("DOB: 12/03/2015", "DATE_OF_BIRTH", None, True),  # numeric, day first
        ("Date of birth 3rd March 2015", "DATE_OF_BIRTH", None, True),  # month name
        ("born on 2015-03-12", "DATE_OF_BIRTH", None, True),  # ISO date
        ("D.O.B. 1 Sept 2014", "DATE_OF_BIRTH", None, True),  # dotted label, short month
        # a month with a long s, which (?i) matches as "s": read, not a crash (KeyError)
        ("born \u017fep 5, 2012", "DATE_OF_BIRTH", None, True),
        ("born 5 \u017feptember 2012", "DATE_OF_BIRTH", None, True),
        ("Meeting on 12/03/2015", "DATE_OF_BIRTH", None, False),  # a date, not a DOB
        ("DOB: 31/02/2015", "DATE_OF_BIRTH", None, False),  # no such date
        ("Date of birth: unknown. Trip 12/03/2015", "DATE_OF_BIRTH", None, True),  # near label
        # --- HOME_ADDRESS / UK_POSTCODE --------------------------------------------------
        # street line + postcode
        ("He lives at 12 Acacia Avenue, Leeds LS1 4AB", "HOME_ADDRESS", "home", True),
        ("Home address: Rose Cottage, Otley LS21 3AB", "HOME_ADDRESS", "home", True),  # label
        ("New address is 4 Church Road", "HOME_ADDRESS", "home", True),  # label + street
        # a school's address
        ("Westbrook School, 1 School Lane, Leeds LS1 4AB", "HOME_ADDRESS", None, False),
        # ... is still a postcode
        ("Westbrook School, 1 School Lane, Leeds LS1 4AB", "UK_POSTCODE", None, True),
        ("Meet at the car park, LS1 4AB", "UK_POSTCODE", None, True),  # bare postcode
        ("GIR 0AA", "UK_POSTCODE", None, True),  # Girobank's special postcode
        ("M1 1CA", "UK_POSTCODE", None, False),  # C is never in the inward code
        ("serial ls14ab", "UK_POSTCODE", None, False),  # lower case without the space
        # --- PHONE_NUMBER: libphonenumber, +44 only --------------------------------------
        ("Call me on 07400 123456", "PHONE_NUMBER", "mobile", True),  # UK mobile
        ("Office: 020 7946 0958", "PHONE_NUMBER", "landline", True),  # London landline
        ("+44 (0)20 7946 0958", "PHONE_NUMBER", "landline", True),  # international form
        ("07700 900123", "PHONE_NUMBER", None, False),  # Ofcom's drama range: not valid
        ("+1 415 555 0100", "PHONE_NUMBER", None, False),  # not a UK number
        # --- SPECIAL_CATEGORY: phrases, and context for ambiguous ones -------------------
        ("He has an EHCP", "SPECIAL_CATEGORY", "send", True),  # unambiguous abbreviation
        ("She receives SEND support", "SPECIAL_CATEGORY", "send", True),  # capitals matter
        ("Please send support staff to room 4", "SPECIAL_CATEGORY", None, False),  # verb
        # CP plan in words
        ("She is on a child protection plan", "SPECIAL_CATEGORY", "safeguarding", True),
        # hyphens and capitals
        ("Child-in-Need meeting on Tuesday", "SPECIAL_CATEGORY", "safeguarding", True),
        ("The LADO has been informed", "SPECIAL_CATEGORY", "safeguarding", True),  # exact capitals
        # MASH as a referral
        ("Referral to MASH made today", "SPECIAL_CATEGORY", "safeguarding", True),
        ("LAC review next week", "SPECIAL_CATEGORY", "safeguarding", True),  # looked-after child
        ("Our CLA licence covers photocopying", "SPECIAL_CATEGORY", None, False),  # licensing
        # condition + 'her'
        ("her asthma inhaler is in the office", "SPECIAL_CATEGORY", "health", True),
        ("Asthma Awareness Week starts Monday", "SPECIAL_CATEGORY", None, False),  # no person
        # any diagnosis
        ("He was diagnosed with a heart murmur", "SPECIAL_CATEGORY", "health", True),
        # FSM status
        ("He is eligible for free school meals", "SPECIAL_CATEGORY", "free-school-meals", True),
        # school meals, not FSM
        ("Lunch menu: school meals are £2.60", "SPECIAL_CATEGORY", None, False),
        # exclusion of a pupil
        ("He has been permanently excluded", "SPECIAL_CATEGORY", "exclusion", True),
        # the shorter phrase inside
        ("the fixed-term exclusion letter", "SPECIAL_CATEGORY", "exclusion", True),
        # form label and DfE code
        ("Ethnicity: White British", "SPECIAL_CATEGORY", "ethnicity", True),
        ("Religion: Muslim", "SPECIAL_CATEGORY", "religion", True),  # as a form label
        ("how religion shaped medieval art", "SPECIAL_CATEGORY", None, False),  # a topic
        ("Year 6 transition day on Friday", "SPECIAL_CATEGORY", None, False),  # school transition
        # criminal offence data
        ("He was arrested on Friday", "SPECIAL_CATEGORY", "criminal", True),
        # --- PROTECTIVE_MARKING ----------------------------------------------------------
        ("OFFICIAL-SENSITIVE", "PROTECTIVE_MARKING", "official-sensitive", True),  # the GSC marking
        # any case
        ("Official Sensitive: strategy notes", "PROTECTIVE_MARKING", "official-sensitive", True),
        # one marking, not two
        ("PRIVATE AND CONFIDENTIAL", "PROTECTIVE_MARKING", "confidential", True),
        ("CONFIDENTIAL - referral notes", "PROTECTIVE_MARKING", "confidential", True),  # capitals
        # handling instruction
        ("Not for onward transmission", "PROTECTIVE_MARKING", "handling", True),
        (
            "This email is strictly confidential and intended solely for the addressee.",
            "PROTECTIVE_MARKING",
            None,
            False,
        ),  # a disclaimer, not a marking
        ("NOT PROTECTIVELY MARKED", "PROTECTIVE_MARKING", None, False),  # explicitly unmarked
        # the adjective
        ("put it in the confidential waste bin", "PROTECTIVE_MARKING", None, False),
    ],
)
def test_prose(text: str, finding_type: str, kind: str | None, found: bool) -> None:
    findings = scan(text)
    if found:
        assert (finding_type, kind) in types_and_kinds(findings), findings
    else:
        assert finding_type not in {f.type for f in findings}, findings


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("UPN B801200005001", "B801200005001"),  # identifier with a check letter
        ("NHS no. 943 476 5870", "943 476 5870"),  # spaced digits
        ("Card: 4111 1111 1111 1111", "4111 1111 1111 1111"),  # grouped card number
        ("NI number: AB 12 34 56 C", "AB 12 34 56 C"),  # spaced NINO
        ("DOB: 12/03/2015", "12/03/2015"),  # a date of birth
        ("Passport number: 123456789", "123456789"),  # no check digit at all
    ],
)
def test_evidence_is_redacted_and_span_marks_the_value(text: str, value: str) -> None:
    (finding,) = scan(text)
    assert finding.span is not None
    assert text[finding.span[0] : finding.span[1]] == value
    compact = re.sub(r"\W", "", value)
    assert compact not in finding.evidence
    assert finding.evidence.endswith(compact[-2:])  # the last two characters, as redact_digits
    assert finding.evidence.count("*") >= len(compact) - 2


@pytest.mark.parametrize(
    ("text", "sentence"),
    [
        # an identifier: what it is, and the two safe ways to send it
        ("NHS no. 943 476 5870", "an NHS number; send it only by encrypted email"),  # identifier
        # special category names the kind of data in plain words
        ("He has an EHCP", "special educational needs (SEND) information"),  # special category
        # a lone phone number is fine on its own
        ("Call me on 07400 123456", "that is fine on its own"),  # phone
        # a marking quotes itself and offers a secure partner address
        ("OFFICIAL-SENSITIVE", "marked OFFICIAL-SENSITIVE"),  # marking
    ],
)
def test_explanation_says_what_and_how_to_send_safely(text: str, sentence: str) -> None:
    (finding,) = scan(text, school=School(encrypt_subject_tags=("[encrypt]",)))
    assert sentence in finding.explanation
    assert "[encrypt]" in finding.explanation
    assert "password-protected" in finding.explanation


def test_findings_carry_location_and_detector() -> None:
    (finding,) = scan("UPN B801200005001", location="subject")
    assert (finding.detector, finding.location, finding.row) == ("sensitive_data", "subject", None)


def test_an_iban_is_not_also_reported_as_the_bank_details_inside_it() -> None:
    findings = scan("Bank account IBAN GB29 NWBK 6016 1331 9268 19")
    assert [f.type for f in findings] == ["UK_IBAN"]


def test_every_identifier_type_is_in_the_finding_types() -> None:
    assert set(IDENTIFIER_TYPES) <= SensitiveDataDetector.finding_types


# --- settings ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("settings", "text", "finding_type", "found"),
    [
        # a school adds a condition its pupils have
        (
            {"special_category_phrases": {"health": ["phenylketonuria"]}},
            "phenylketonuria diet",
            "SPECIAL_CATEGORY",
            True,
        ),
        # ... or a new kind of its own
        (
            {"special_category_phrases": {"boarding": ["=EXEAT refused"]}},
            "EXEAT refused for Saturday",
            "SPECIAL_CATEGORY",
            True,
        ),
        # a default phrase the school does not want
        ({"ignored_phrases": ["ehcp"]}, "He has an EHCP", "SPECIAL_CATEGORY", False),
        # no default vocabulary at all
        ({"use_default_vocabulary": False}, "He has an EHCP", "SPECIAL_CATEGORY", False),
        # the school's own postcode is never a home address
        (
            {"ignored_postcodes": ["ls1 4ab"]},
            "lives at 12 Acacia Avenue, Leeds LS1 4AB",
            "HOME_ADDRESS",
            False,
        ),
        # ... but other postcodes still are
        (
            {"ignored_postcodes": ["LS1 4AB"]},
            "lives at 12 Acacia Avenue, Leeds LS2 9JT",
            "HOME_ADDRESS",
            True,
        ),
    ],
)
def test_settings_change_what_is_found(
    settings: dict[str, object], text: str, finding_type: str, found: bool
) -> None:
    assert (finding_type in {f.type for f in scan(text, **settings)}) is found


@pytest.mark.parametrize(
    ("school", "advice"),
    [
        # the school's own subject tag (from [school] encrypt_subject_tags) is what staff use
        (School(encrypt_subject_tags=("[secure]", "[encrypt]")), "put [secure] in the subject"),
        # a school without a tag is not told to type one
        (School(), "use your email's encrypt option"),
    ],
)
def test_staff_are_told_the_schools_way_to_encrypt(school: School, advice: str) -> None:
    (finding,) = scan("UPN B801200005001", school=school)
    assert advice in finding.explanation


def test_the_schools_own_postcode_is_not_a_home_address() -> None:
    text = "He lives at 12 Acacia Avenue, Leeds LS1 4AB"
    assert {f.type for f in scan(text)} & {"HOME_ADDRESS"}
    school = School(postcodes=("LS1 4AB",))
    assert not {f.type for f in scan(text, school=school)} & {"HOME_ADDRESS"}


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        # a phrase with nothing to match
        ({"special_category_phrases": {"health": ["--"]}}, "has no letters or digits"),
        # a kind that would not read well in the console
        ({"special_category_phrases": {"Health Stuff": ["x ray"]}}, "must be lower-case"),
        # not a postcode
        ({"ignored_postcodes": ["LS1"]}, "'LS1' is not a UK postcode"),
        # bulk needs at least two rows to mean anything
        ({"bulk_min_rows": 1}, "greater than or equal to 2"),
        # unknown keys are errors, not silently ignored
        ({"bulk_rows": 5}, "Extra inputs are not permitted"),
    ],
)
def test_bad_settings_are_rejected_with_a_clear_message(
    settings: dict[str, object], message: str
) -> None:
    with pytest.raises(ValidationError, match=re.escape(message)):
        SensitiveDataSettings.model_validate(settings)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("asthma\n", "line 1: phrase 'asthma' comes before any [kind]"),  # no section
        ("[health]\n~=\n", "has no letters or digits"),  # flags only
    ],
)
def test_vocabulary_file_errors_name_the_line(text: str, message: str) -> None:
    with pytest.raises(VocabularyError, match=re.escape(message)):
        PhraseMatcher(parse_vocabulary(text), frozenset())
