"""The one-sentence explanation staff see for each sensitive-data finding.

Each says what was found and how to send it safely: by encrypted email (the subject
tag the school's mail system turns into encryption) or as a password-protected file.
"""

from __future__ import annotations

from detectors.bulk import BULK_PERSONAL_DATA
from detectors.identifiers import (
    PASSPORT,
    PAYMENT_CARD,
    UK_BANK_ACCOUNT,
    UK_IBAN,
    UK_NHS,
    UK_NINO,
    UK_ULN,
    UK_UPN,
)
from detectors.personal_details import DATE_OF_BIRTH, HOME_ADDRESS, PHONE_NUMBER, UK_POSTCODE
from detectors.protective_marking import PROTECTIVE_MARKING
from detectors.special_category import SPECIAL_CATEGORY

_WHAT: dict[str, str] = {
    UK_UPN: "a pupil's Unique Pupil Number (UPN)",
    UK_ULN: "a Unique Learner Number (ULN)",
    UK_NHS: "an NHS number",
    UK_NINO: "a National Insurance number",
    PAYMENT_CARD: "a payment card number",
    UK_BANK_ACCOUNT: "a sort code and bank account number",
    UK_IBAN: "a bank account number (IBAN)",
    PASSPORT: "a passport number",
    DATE_OF_BIRTH: "someone's date of birth",
    HOME_ADDRESS: "someone's home address",
    UK_POSTCODE: "a postcode",
    PHONE_NUMBER: "a phone number",
}

_SPECIAL_KINDS: dict[str, str] = {
    "health": "health or medical information about someone",
    "send": "special educational needs (SEND) information about someone",
    "safeguarding": "safeguarding or child protection information",
    "free-school-meals": "free school meals or pupil premium status",
    "exclusion": "details of an exclusion or suspension",
    "ethnicity": "someone's ethnicity or immigration status",
    "religion": "someone's religion or beliefs",
    "sexuality": "someone's sexual orientation or gender identity",
    "criminal": "criminal or youth justice information",
}


def explain(
    finding_type: str,
    kind: str | None,
    *,
    encrypt_tag: str | None,
    evidence: str = "",
    count: int = 1,
    contents: str = "",
) -> str:
    """A kind, plain-English sentence: what was found and how to send it safely."""
    how = f"put {encrypt_tag} in the subject" if encrypt_tag else "use your email's encrypt option"
    safely = f"send it only by encrypted email ({how}) or in a password-protected attachment"
    if finding_type == BULK_PERSONAL_DATA:
        return (
            f"This lists {contents} for {count} people; {safely}, and only to someone who needs it."
        )
    if finding_type in (PHONE_NUMBER, UK_POSTCODE):
        return (
            f"This looks like {_WHAT[finding_type]}; that is fine on its own, but with "
            f"other personal details {safely}."
        )
    if finding_type == PROTECTIVE_MARKING:
        return f"This is marked {evidence}; {safely}, or send it to a secure partner address."
    if finding_type == SPECIAL_CATEGORY:
        what = _SPECIAL_KINDS.get(kind or "", f"sensitive information ({kind})")
        return f"This looks like {what}; {safely}."
    return f"This looks like {_WHAT.get(finding_type, 'personal data')}; {safely}."
