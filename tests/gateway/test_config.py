"""The config file: validated at start-up, errors name the key and what is allowed."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from pydantic import BaseModel

from detectors.registry import BUILTIN, resolve
from gateway.config.hostport import HostPort
from gateway.config.settings import Config, ConfigError, load, validate
from tests.support import REPO

EXAMPLE = REPO / "deploy" / "schoolgate.example.toml"


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "schoolgate.toml"
    path.write_text(text)
    return path


def error_for(data: dict[str, Any]) -> str:
    with pytest.raises(ConfigError) as raised:
        validate(data, "test.toml")
    return str(raised.value)


def test_embedded_defaults():
    config = load(None)
    assert config.smtp.listen == HostPort("127.0.0.1", 2525)
    assert config.relay.next_hop is None  # -> built-in outbox
    assert config.db_url.endswith("var/schoolgate.db")
    assert config.db_url.startswith("sqlite+aiosqlite:///")
    assert int(config.smtp.max_message_size) == 25 * 1024 * 1024
    assert [str(n) for n in config.smtp.client_networks] == ["127.0.0.0/8", "::1/128"]


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        # unknown top-level key: named, with the allowed keys
        ({"lisen": 1}, r"lisen: unknown key; allowed keys here: data_dir, database_url,"),
        # unknown key in a section
        ({"smtp": {"lisen": "x"}}, r"smtp\.lisen: unknown key; allowed keys here: .*listen"),
        # bad HOST:PORT
        ({"smtp": {"listen": "nonsense"}}, r"smtp\.listen: .*HOST:PORT"),
        # port out of range
        ({"relay": {"next_hop": "mail:70000"}}, r"relay\.next_hop: .*port must be between"),
        # bad enum value lists the allowed ones
        ({"relay": {"tls": "sometimes"}}, r"relay\.tls: .*'opportunistic', 'required' or 'off'"),
        # numbers out of range
        ({"scan": {"timeout": -1}}, r"scan\.timeout: .*greater than 0"),
        # not a network
        ({"smtp": {"client_networks": ["10.0.0.300/8"]}}, r"smtp\.client_networks\[0\]"),
        # sizes with units are fine, junk is not
        ({"smtp": {"max_message_size": "lots"}}, r"smtp\.max_message_size"),
        # a domain that is not one
        ({"school": {"domains": ["not a domain"]}}, r"school\.domains: .*not a domain name"),
        # database driver we do not support
        ({"database_url": "mysql://x"}, r"database_url: .*sqlite\+aiosqlite"),
        # TLS half-configured
        ({"smtp": {"tls_cert": "c.pem"}}, r"set both tls_cert and tls_key"),
        # AUTH without TLS
        (
            {"smtp": {"auth_users": [{"username": "u", "password_hash": "$argon2id$x"}]}},
            r"auth_users needs tls_cert",
        ),
        # a rule with a bad action
        (
            {
                "rules": [
                    {"name": "r", "types": ["TEST_KEYWORD"], "action": "explode", "reason": "x"}
                ]
            },
            r"rules\[0\]\.action: .*'deliver', 'notify', 'confirm', 'quarantine' or 'reject'",
        ),
        # a rule with an unknown key
        (
            {
                "rules": [
                    {"name": "r", "types": ["X"], "action": "reject", "reason": "x", "when": 1}
                ]
            },
            r"rules\[0\]\.when: unknown key; allowed keys here: action, also_any_types, also_types",
        ),
        # a rule without any condition would match everything
        ({"rules": [{"name": "r", "action": "reject", "reason": "x"}]}, r"a rule needs 'types'"),
        # a rule testing a finding type no enabled detector emits
        (
            {
                "detectors": {"enabled": [], "plugins": ["tests.plugins:KeywordDetector"]},
                "rules": [{"name": "r", "types": ["NO_SUCH"], "action": "reject", "reason": "x"}],
            },
            r"rules 'r': unknown finding type 'NO_SUCH'; the enabled detectors emit: TEST_KEYWORD",
        ),
        # a detector section for a detector that does not exist
        (
            {"detectors": {"enabled": [], "nonsense": {"x": 1}}},
            r"detectors\.nonsense: unknown detector",
        ),
        # a plug-in that cannot be imported
        ({"detectors": {"enabled": [], "plugins": ["no.such:Thing"]}}, r"cannot import 'no\.such'"),
        # a plug-in path that is not module:Class
        ({"detectors": {"enabled": [], "plugins": ["nocolon"]}}, r"not of the form"),
    ],
)
def test_invalid_values_are_named(data: dict[str, Any], expected: str):
    message = error_for(data)
    assert message.startswith("test.toml is invalid:")
    assert re.search(expected, message), message


def test_two_rules_with_one_name_are_refused():
    rule = {"name": "same", "types": ["TEST_KEYWORD"], "action": "reject", "reason": "x"}
    data = {"detectors": {"enabled": [], "plugins": ["tests.plugins:KeywordDetector"]}}
    message = error_for({**data, "rules": [rule, rule]})
    assert "the name 'same' is used twice" in message


def test_every_problem_is_reported_at_once():
    message = error_for({"lisen": 1, "smtp": {"idle_timeout": 0}})
    assert "lisen: unknown key" in message and "smtp.idle_timeout" in message


def test_toml_syntax_error_names_the_file(tmp_path: Path):
    path = write(tmp_path, "[smtp\nlisten = 1\n")
    with pytest.raises(ConfigError, match=r"schoolgate.toml is not valid TOML"):
        load(path)


def test_missing_file(tmp_path: Path):
    with pytest.raises(ConfigError, match="does not exist"):
        load(tmp_path / "absent.toml")


def test_relative_paths_are_relative_to_the_config_file(tmp_path: Path):
    path = write(tmp_path, 'data_dir = "state"\n')
    assert load(path).data_dir == tmp_path / "state"


def test_command_line_overrides_win(tmp_path: Path):
    path = write(tmp_path, '[smtp]\nlisten = "0.0.0.0:25"\n[relay]\nnext_hop = "mx:25"\n')
    config = load(path, {"smtp.listen": "127.0.0.1:2626", "relay.next_hop": None})
    assert config.smtp.listen == HostPort("127.0.0.1", 2626)
    assert config.relay.next_hop == HostPort("mx", 25)  # None means "not given"


def test_ipv6_listen_address():
    assert load(None, {"smtp.listen": "[::1]:2525"}).smtp.listen == HostPort("::1", 2525)


def _keys(model: type[BaseModel], prefix: str = "") -> list[str]:
    found = []
    for name, field in model.model_fields.items():
        annotation = field.annotation
        nested = [
            a
            for a in (annotation, *getattr(annotation, "__args__", ()))
            if isinstance(a, type) and issubclass(a, BaseModel)
        ]
        if nested and name != "rules":
            found.extend(_keys(nested[0], f"{prefix}{name}."))
        else:
            found.append(f"{prefix}{name}")
    return found


def _sections(text: str) -> dict[str, str]:
    """Example file text per [section] (including commented-out [[...]] tables)."""
    sections: dict[str, str] = {"": ""}
    current = ""
    for line in text.splitlines():
        header = re.match(r"^#?\s*\[\[?([a-z_.]+)\]\]?\s*$", line)
        if header:
            current = header.group(1)
            sections.setdefault(current, "")
        else:
            sections[current] += line + "\n"
    return sections


def test_example_config_is_valid_and_documents_every_key():
    config = load(EXAMPLE)
    assert isinstance(config, Config)
    sections = _sections(EXAMPLE.read_text())
    missing = []
    for dotted in _keys(Config):
        section, _, key = dotted.rpartition(".")
        if dotted == "rules":
            section, key = "rules", "name"
        body = sections.get(section, "")
        if not re.search(rf"^#?\s*{re.escape(key)}\s*=", body, re.MULTILINE):
            missing.append(dotted)
    assert missing == [], f"deploy/schoolgate.example.toml does not document: {missing}"
    for name in BUILTIN:
        body = sections.get(f"detectors.{name}", "")
        keys = resolve(name).Settings.model_fields
        undocumented = [k for k in keys if not re.search(rf"^#?\s*{k}\s*=", body, re.M)]
        assert undocumented == [], f"[detectors.{name}] does not document {undocumented}"
    rule_keys = _keys(type(config).model_fields["rules"].annotation.__args__[0])  # type: ignore[union-attr]
    rules_body = sections["rules"]
    assert [k for k in rule_keys if not re.search(rf"^#\s*{k}\s*=", rules_body, re.M)] == []


@pytest.mark.parametrize(
    ("tags", "advice"),
    [
        # a school whose mail system encrypts on a subject tag: staff are told the tag
        (["[secure]"], "add [secure] to the subject"),
        # without one, they are not told to type a tag that does nothing
        ([], "use your email's encrypt option"),
    ],
)
def test_rule_reasons_use_the_schools_way_to_encrypt(tags: list[str], advice: str):
    config = load(None, {"school.encrypt_subject_tags": tags})
    [rule] = [r for r in config.effective_rules() if r.name == "special-category-unprotected"]
    assert advice in rule.reason
    assert "{how_to_encrypt}" not in rule.reason
    assert all("{" not in r.reason for r in config.effective_rules())


def test_unprotected_sensitive_data_alerts_reviewers_at_once():
    """Special category data, identifiers and bulk data leaving unencrypted are high
    severity: admins and DSLs hear at once, not in tomorrow's digest."""
    rules = {r.name: r for r in load(None).effective_rules()}
    for name in (
        "special-category-unprotected",
        "sensitive-identifier-unprotected",
        "bulk-personal-data-unprotected",
        "pupil-name-with-sensitive-data-unprotected",
        "own-personal-mailbox-sensitive-data",
    ):
        assert rules[name].severity == "high", name
    assert load(None).notices.alert_severity == "high"
