"""Rules read as titles: every default rule has one, a school's own rule without one reads
as its name in words, and the digest names rules by title (the journal stores names)."""

from __future__ import annotations

import tomllib
from collections import Counter
from datetime import UTC, datetime
from importlib import resources

import pytest

from gateway.config.settings import validate
from gateway.hold import digest
from gateway.policy.rules import Rule, builtin_rules
from gateway.policy.titles import RuleTitles


def _default_rule_tables() -> list[tuple[str, dict[str, object]]]:
    folder = resources.files("gateway.policy") / "default_rules"
    found = []
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if entry.name.endswith(".toml"):
            data = tomllib.loads(entry.read_text(encoding="utf-8"))
            found += [(entry.name, table) for table in data.get("rules", [])]
    return found


def test_every_default_rule_has_a_title_of_its_own():
    tables = _default_rule_tables()
    assert len(tables) == len(builtin_rules()) > 0
    # read from the files themselves: the fallback would otherwise fill a missing title
    untitled = [(file, t["name"]) for file, t in tables if not str(t.get("title", "")).strip()]
    assert untitled == []
    titles = [str(t["title"]) for _, t in tables]
    assert [t for t, n in Counter(titles).items() if n > 1] == []  # told apart on a page
    for _, table in tables:
        title = str(table["title"])
        assert title[:1].isupper() and not title.endswith("."), title
        assert len(title) <= 80, title


@pytest.mark.parametrize(
    ("name", "title"),
    [
        ("own-personal-mailbox", "Own personal mailbox"),
        ("trips_consent.forms", "Trips consent forms"),
        ("x", "X"),
    ],
)
def test_a_rule_without_a_title_reads_as_its_name(name: str, title: str):
    rule = Rule(name=name, action="confirm", reason="Check it.", types=("UK_UPN",))
    assert rule.title == title
    titled = Rule(name=name, title="Trip forms", action="confirm", reason="x", types=("A",))
    assert titled.title == "Trip forms"


def test_a_schools_own_rule_shows_its_title_and_old_names_read_as_words():
    config = validate(
        {
            "school": {"name": "Test Primary", "domains": ["school.example"]},
            "rules": [
                {
                    "name": "trip-lists",
                    "title": "Trip lists going outside school",
                    "action": "confirm",
                    "reason": "A trip list is going outside school.",
                    "types": ["PUPIL_FULL_NAME"],
                }
            ],
        },
        "test.toml",
    )
    titles = RuleTitles(config.effective_rules())
    assert titles("trip-lists") == "Trip lists going outside school"
    assert titles("chain-letter") == "Chain letter"
    assert titles("pupil-name-subject-external") == (
        "Pupil's full name in the subject, to someone outside school"
    )
    assert titles("a-rule-since-removed") == "A rule since removed"  # in old incidents


def test_the_digest_names_rules_by_title():
    data = digest.DigestData(
        since=datetime(2026, 3, 2, 7, tzinfo=UTC),
        actions=Counter({"quarantine": 2}),
        rules=Counter({"pupil-name-subject-external": 2, "trip-lists": 1}),
        waiting=[],
        overrides=[],
        expired=0,
    )
    _, body = digest.render(data, "https://console.example", "Test Primary", UTC)
    assert "  - Pupil's full name in the subject, to someone outside school: 2" in body
    assert "  - Trip lists: 1" in body  # a rule the built-in set does not know
    assert "pupil-name-subject-external" not in body
    _, body = digest.render(
        data,
        "https://console.example",
        "Test Primary",
        UTC,
        title=lambda n: {"trip-lists": "Trips"}.get(n, n),
    )
    assert "  - Trips: 1" in body
