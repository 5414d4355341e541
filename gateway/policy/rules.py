"""Flat policy rules: what they test, and the built-in rule set written from the AUPs.

A rule matches when every condition it sets holds; conditions left unset are not
tested. Every matching rule is recorded and the most severe action wins, so the order
of rules never matters.
"""

from __future__ import annotations

import functools
import re
import tomllib
from importlib import resources
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from models import Action, Severity

Recipients = Literal["any", "internal", "external", "insecure", "secure"]
"""Which recipients the rule is about: "external" is anyone outside the school's domains;
"insecure" is an external recipient not on a secure partner route, "secure" one on it."""


class Rule(BaseModel):
    """One flat rule from the config file."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(pattern=r"^[a-z0-9][a-z0-9_.-]*$", max_length=80)
    title: str = Field(default="", max_length=120)
    """What the rule is about, as staff read it on every page ("Pupil's full name in the
    subject, to someone outside school"); the name is the slug stored in the journal.
    Left out (a school's own rule), it is the name made readable."""
    action: Action
    reason: str = Field(min_length=1, max_length=400)
    """Plain-language reason shown to the sender (and in the 550 text for reject)."""
    notice: str = Field(default="", max_length=4000)
    """Longer guidance for the sender's notice: how to fix it, what to do next."""
    severity: Severity = Severity.MEDIUM
    """How serious a match is: high-severity holds alert admins and DSLs at once."""
    types: tuple[str, ...] = ()
    """Finding types that count towards the rule (any of them)."""
    also_types: tuple[str, ...] = ()
    """Finding types that must also be present somewhere in the message (all of them)."""
    also_any_types: tuple[str, ...] = ()
    """Finding types of which at least one must also be present somewhere in the message."""
    locations: tuple[Literal["subject", "body", "attachment", "header"], ...] = ()
    """Only count findings in these places."""
    kinds: tuple[str, ...] = ()
    """Only count findings of these kinds (e.g. personal_address's "personal_sender")."""
    min_count: int = Field(default=1, ge=1)
    min_score: float = Field(default=0.0, ge=0.0, le=1.0)
    recipients: Recipients = "any"
    protected: bool | None = None
    """True: only what travels encrypted (the whole message, or the encrypted attachment a
    finding is in); False: only what does not. With `types`, judged finding by finding."""
    has_attachments: bool | None = None
    unscannable: bool | None = None
    """True: only when some part could not be read (limits, corrupt file)."""

    @model_validator(mode="before")
    @classmethod
    def _title_from_name(cls, data: Any) -> Any:
        if isinstance(data, dict) and not str(data.get("title") or "").strip():
            data = {**data, "title": readable_name(str(data.get("name", "")))}
        return data

    @model_validator(mode="after")
    def _has_a_condition(self) -> Rule:
        if not (self.types or self.unscannable is not None):
            raise ValueError(
                "a rule needs 'types' (finding types to match) or 'unscannable'; "
                "a rule without conditions would match every message"
            )
        return self


def readable_name(name: str) -> str:
    """A rule's slug as words, for a rule without a title (or one no longer configured):
    "own-personal-mailbox" reads "Own personal mailbox"."""
    words = " ".join(re.split(r"[-_.]+", name)).strip()
    return words[:1].upper() + words[1:]


class RuleFile(BaseModel):
    model_config = ConfigDict(extra="forbid")
    rules: list[Rule] = []


@functools.cache
def builtin_rules() -> tuple[Rule, ...]:
    """The default rule set, one TOML file per policy area in gateway/policy/default_rules/.

    Read once per process: notices and console pages look rules up often."""
    rules: list[Rule] = []
    folder = resources.files("gateway.policy") / "default_rules"
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if entry.name.endswith(".toml"):
            data = tomllib.loads(entry.read_text(encoding="utf-8"))
            rules.extend(RuleFile.model_validate(data).rules)
    return tuple(rules)
