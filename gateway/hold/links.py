"""Signed, expiring links for the sender's "Send anyway" / "Don't send" choice.

A link is a capability: whoever holds it may answer for that one held message until
it expires. Following it only shows a page; the answer is a POST from that page, so
mail scanners that fetch links (e.g. Safe Links) cannot send or cancel anything.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

SALT = "schoolgate-confirm"


class LinkError(Exception):
    """The link is forged, damaged or expired; the message says which, kindly."""


@dataclass(frozen=True, slots=True)
class ConfirmLink:
    hold_id: str


class LinkSigner:
    def __init__(self, secret: bytes, max_age_seconds: float) -> None:
        self._serializer = URLSafeTimedSerializer(secret, salt=SALT)
        self.max_age = max_age_seconds

    def token(self, hold_id: str) -> str:
        return self._serializer.dumps({"h": hold_id})

    def verify(self, token: str) -> ConfirmLink:
        try:
            data = self._serializer.loads(token, max_age=math.ceil(self.max_age))
        except SignatureExpired:
            raise LinkError("This link has expired.") from None
        except BadSignature:
            raise LinkError("This link is not valid. Please use the link in your email.") from None
        if not isinstance(data, dict) or not isinstance(data.get("h"), str):
            raise LinkError("This link is not valid. Please use the link in your email.")
        return ConfirmLink(hold_id=data["h"])
