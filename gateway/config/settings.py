"""The one configuration file (TOML), validated at start-up.

Every section and key is declared here with its default, so that an unknown key or a
bad value is an error naming the key and what is allowed. `deploy/schoolgate.example.toml`
documents every key; a test keeps the two in step.
"""

from __future__ import annotations

import ipaddress
import os
import re
import tomllib
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import phonenumbers
from email_validator import EmailNotValidError, validate_email
from pydantic import (
    BaseModel,
    ByteSize,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from detectors.base import DetectorSettings
from detectors.registry import BUILTIN, DetectorLoadError, resolve
from gateway.config.hostport import HostPort, HostPortField
from gateway.policy.rules import Rule, builtin_rules
from models import School, Severity

CONFIG_ENV = "SCHOOLGATE_CONFIG"
_POSTCODE = re.compile(r"^[A-Z]{1,2}\d[A-Z\d]? ?\d[A-Z]{2}$")


_SUBDOMAIN_ONLY = {"cjsm.net": "CJSM addresses (name@org.gov.uk.cjsm.net)"}
"""Secure services whose mailboxes are all on subdomains: a bare entry would do nothing."""


class ConfigError(Exception):
    """The configuration is invalid; the message lists every problem and how to fix it."""


class Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class SchoolSettings(Section):
    name: str = "the school"
    domains: tuple[str, ...] = ()
    """The school's own mail domains; recipients there are internal. When empty, the
    sender's own domain counts as internal."""
    secure_domains: tuple[str, ...] = ()
    """Partner domains reached over a protected route (e.g. "*.gov.uk", "nhs.net",
    "*.cjsm.net", the local authority). "*.example" matches the domain and every
    subdomain; a plain entry matches that domain only."""
    encrypt_subject_tags: tuple[str, ...] = ()
    """Subject tags (e.g. "[encrypt]") that the next hop turns into message encryption."""
    phone_numbers: tuple[str, ...] = ()
    """The school's own numbers (office, school mobiles): never a personal number."""
    addresses: tuple[str, ...] = ()
    """The school's own mailboxes on other domains (e.g. a PTA's gmail): never personal."""
    postcodes: tuple[str, ...] = ()
    """The school's own postcodes: never someone's home address."""

    @field_validator("encrypt_subject_tags")
    @classmethod
    def _short_tags(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        for tag in value:
            if not tag.strip() or len(tag) > 40:
                raise ValueError(f"{tag!r} is not a short subject tag like '[encrypt]'")
        return tuple(tag.strip() for tag in value)

    @field_validator("secure_domains")
    @classmethod
    def _secure_domains(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        domains = tuple(d.strip().lower().rstrip(".") for d in value)
        for domain in domains:
            if domain in _SUBDOMAIN_ONLY:
                raise ValueError(
                    f"{domain!r} never matches a real mailbox: {_SUBDOMAIN_ONLY[domain]} "
                    f"are subdomains of it, so write '*.{domain}'"
                )
        return domains

    @field_validator("phone_numbers")
    @classmethod
    def _phones(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        for number in value:
            try:
                parsed = phonenumbers.parse(number, "GB")
            except phonenumbers.NumberParseException:
                parsed = None
            if parsed is None or not phonenumbers.is_possible_number(parsed):
                raise ValueError(f"{number!r} is not a phone number like '0161 496 0000'")
        return value

    @field_validator("addresses")
    @classmethod
    def _addresses(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        for address in value:
            try:
                validate_email(address, check_deliverability=False)
            except EmailNotValidError as exc:
                raise ValueError(f"{address!r} is not an email address: {exc}") from None
        return value

    @field_validator("postcodes")
    @classmethod
    def _postcodes(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        for postcode in value:
            if not _POSTCODE.match(postcode.strip().upper()):
                raise ValueError(f"{postcode!r} is not a UK postcode like 'AB1 2CD'")
        return value

    def facts(self) -> School:
        """The school's identity as the parser and the detectors see it."""
        return School(
            name=self.name,
            domains=self.domains,
            secure_domains=self.secure_domains,
            encrypt_subject_tags=self.encrypt_subject_tags,
            phone_numbers=self.phone_numbers,
            addresses=self.addresses,
            postcodes=self.postcodes,
        )

    @field_validator("domains", "secure_domains")
    @classmethod
    def _lower_domains(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        cleaned = tuple(d.strip().lower().rstrip(".") for d in value)
        for domain in cleaned:
            bare = domain.removeprefix("*.")
            if not bare or "@" in bare or " " in bare or "." not in bare:
                raise ValueError(f"{domain!r} is not a domain name like 'example.sch.uk'")
        return cleaned


class AuthUser(Section):
    username: str = Field(min_length=1)
    password_hash: str = Field(pattern=r"^\$argon2(id|i|d)\$")
    """An argon2 hash, as printed by `schoolgate hash-password`."""


class SmtpSettings(Section):
    listen: HostPortField = HostPort("127.0.0.1", 2525)
    hostname: str = ""
    """Name used in the greeting and Received header; empty means this machine's FQDN."""
    client_networks: tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...] = (
        ipaddress.ip_network("127.0.0.0/8"),
        ipaddress.ip_network("::1/128"),
    )
    """Clients allowed to relay without authenticating. Everyone else must AUTH."""
    max_message_size: ByteSize = ByteSize(25 * 1024 * 1024)
    max_recipients: int = Field(default=500, ge=1)
    max_connections: int = Field(default=200, ge=1)
    max_connections_per_client: int = Field(default=20, ge=1)
    """Connections one client address may hold at once (a mail server needs a few)."""
    max_outside_connections: int = Field(default=20, ge=1)
    """Connections from outside `client_networks` at once; the rest of
    `max_connections` stays free for the school's own clients."""
    max_commands_before_auth: int = Field(default=10, ge=1)
    """Commands a client outside `client_networks` may send before it authenticates."""
    max_idle_commands: int = Field(default=50, ge=1)
    """NOOP, RSET, VRFY, HELO and EHLO in a row without a message: then 421."""
    idle_timeout: float = Field(default=300.0, gt=0)
    shutdown_grace: float = Field(default=30.0, ge=0)
    """Seconds in-flight sessions get to finish after SIGTERM."""
    tls_cert: Path | None = None
    tls_key: Path | None = None
    require_tls: bool = False
    """Refuse MAIL until the client has used STARTTLS (needs tls_cert and tls_key)."""
    auth_users: tuple[AuthUser, ...] = ()
    """Accounts that may relay from anywhere after AUTH (offered only over TLS)."""
    auth_max_failures: int = Field(default=5, ge=1)
    """Failed AUTH attempts from one client address before it is refused (454) for the
    rest of `auth_failure_window`."""
    auth_max_failures_per_user: int = Field(default=20, ge=1)
    """Failed AUTH attempts for one username, from any address, before it is refused."""
    auth_failure_window: float = Field(default=900.0, gt=0)
    """Seconds a failed AUTH attempt counts against its address and username."""

    @model_validator(mode="after")
    def _tls_pair(self) -> SmtpSettings:
        if (self.tls_cert is None) != (self.tls_key is None):
            raise ValueError("set both tls_cert and tls_key, or neither")
        if self.require_tls and self.tls_cert is None:
            raise ValueError("require_tls needs tls_cert and tls_key")
        if self.auth_users and self.tls_cert is None:
            raise ValueError("auth_users needs tls_cert and tls_key: AUTH is only offered over TLS")
        return self


class RelaySettings(Section):
    next_hop: HostPortField | None = None
    """Where scanned mail goes (HOST:PORT). Unset: the built-in outbox under data_dir."""
    tls: Literal["opportunistic", "required", "off"] = "opportunistic"
    tls_verify: bool = False
    """Check the next hop's certificate (and name). Turn on for a smart host on the internet."""
    connect_timeout: float = Field(default=15.0, gt=0)
    timeout: float = Field(default=120.0, gt=0)
    helo_name: str = ""
    username: str = ""
    password_env: str = ""
    """Name of the environment variable holding the next hop's password (never the password)."""

    @model_validator(mode="after")
    def _credentials(self) -> RelaySettings:
        if bool(self.username) != bool(self.password_env):
            raise ValueError("set both username and password_env, or neither")
        if self.username and self.tls == "off":
            raise ValueError("refusing to send the next hop's password with tls = 'off'")
        return self


class ScanSettings(Section):
    workers: int = Field(default=0, ge=0)
    """Scan processes; 0 means one per CPU core."""
    timeout: float = Field(default=30.0, gt=0)
    """Seconds one message may take to scan before the sender is told to retry (451)."""
    max_tasks_per_worker: int = Field(default=2000, ge=0)
    """Recycle a scan process after this many messages (0: never)."""
    max_depth: int = Field(default=8, ge=1, le=64)
    """Deepest nesting of MIME parts, attached messages and archives that is read."""
    max_parts: int = Field(default=500, ge=1)
    max_attachment_size: ByteSize = ByteSize(50 * 1024 * 1024)
    """Largest single file (after decompression) whose text is extracted."""
    max_expanded_size: ByteSize = ByteSize(200 * 1024 * 1024)
    """Most bytes decompressed from archives and documents in one message."""
    max_text_chars: int = Field(default=5_000_000, ge=1000)
    """Most characters of text extracted from one message."""


class DetectorsSettings(Section):
    model_config = ConfigDict(extra="allow", frozen=True)
    enabled: tuple[str, ...] = tuple(BUILTIN)
    plugins: tuple[str, ...] = ()
    """Extra detectors by import path, "package.module:ClassName"."""


class PolicySettings(Section):
    audit_only: bool = False
    """Journal what would happen, deliver everything."""
    builtin_rules: bool = True
    disabled_rules: tuple[str, ...] = ()


class DirectorySettings(Section):
    refresh_interval: float = Field(default=30.0, ge=1.0)
    """Seconds between checks for a re-imported roster or staff list (SIGHUP: at once)."""


class NoticeSettings(Section):
    from_address: str = ""
    """Sender of notices, alerts and digests; empty: schoolgate@<first school domain>."""
    from_name: str = "School email checker"
    admin_addresses: tuple[str, ...] = ()
    """Admins alerted about held mail (they release or reject it)."""
    dsl_addresses: tuple[str, ...] = ()
    """Designated Safeguarding Leads alerted about held mail and overrides."""
    reviewer_role: str = "Designated Safeguarding Lead"
    """Who can see held mail and the reasons staff give for "Send anyway", as named in
    notices to staff."""
    releaser_role: str = "email administrator"
    """Who releases or returns quarantined mail (the console's admins), as named in the
    sender's notice."""
    review_time: str = "within one school day"
    """Expected review time, as promised in notices to staff."""
    alert_severity: Severity = Severity.HIGH
    """Held mail of at least this severity alerts admins and DSLs at once; the rest
    goes in the daily digest."""
    digest_time: str = Field(default="07:30", pattern=r"^(([01]\d|2[0-3]):[0-5]\d)?$")
    """Time of day (HH:MM, in `timezone`) the daily digest is sent; "" sends none, and
    so do empty address lists. A new database sends its first digest at the next digest
    time, not at once."""
    timezone: str = "Europe/London"
    """The IANA time zone of the school's day: when the digest goes and how it dates."""
    notify_external_senders: bool = False
    """Send notices to senders outside the school's domains (off: avoids backscatter)."""

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"{value!r} is not a time zone name like 'Europe/London'") from None
        return value

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)


class HoldSettings(Section):
    key_env: str = "SCHOOLGATE_HOLD_KEY"
    """Environment variable with the base64 AES-256 key for held messages."""
    key_file: Path | None = None
    """File with the key; default data_dir/keys/hold.key, created on first run."""
    previous_key_files: tuple[Path, ...] = ()
    """Older keys, still used to read messages held before a key rotation."""
    retention_days: int = Field(default=30, ge=1)
    confirm_hours: float = Field(default=24.0, gt=0)
    """Hours a sender has to answer "Send anyway / Don't send" before the message expires."""
    release_retry_minutes: float = Field(default=5.0, gt=0)
    """Minutes between attempts to deliver a released message the next hop refused for now."""
    release_give_up_hours: float = Field(default=48.0, gt=0)
    housekeeping_interval: float = Field(default=30.0, gt=0)
    """Seconds between rounds of expiring, purging, retrying releases and sending notices."""


class OidcSettings(Section):
    """Single sign-on with the school's identity provider (Microsoft Entra ID, Google
    Workspace). The provider only proves who someone is: they still need a console
    account with the same email address, which gives their role."""

    issuer: str = ""
    """The provider's issuer URL; empty: OIDC sign-in is off. Entra ID:
    "https://login.microsoftonline.com/<tenant-id>/v2.0"; Google: "https://accounts.google.com"."""
    client_id: str = ""
    client_secret_env: str = "SCHOOLGATE_OIDC_SECRET"
    """Environment variable holding the client secret (never the secret itself)."""
    label: str = "Sign in with your school account"
    """Text of the sign-in button."""
    email_claim: str = "email"
    """ID-token claim with the user's email address (Entra ID: "preferred_username")."""
    hosted_domain: str = ""
    """Google Workspace: only accept accounts of this domain (the "hd" claim)."""

    @model_validator(mode="after")
    def _complete(self) -> OidcSettings:
        if not self.issuer:
            return self
        if not self.client_id:
            raise ValueError("set client_id (from the app registration) when issuer is set")
        url = urlsplit(self.issuer)
        loopback = url.hostname in ("127.0.0.1", "localhost", "::1")
        if not (url.scheme == "https" or (loopback and url.scheme == "http")) or not url.hostname:
            raise ValueError("issuer must be an https:// URL (plain http only for a local test)")
        return self


class WebSettings(Section):
    listen: HostPortField = HostPort("127.0.0.1", 8025)
    public_url: str = ""
    """Address staff use to reach the console and confirm links, e.g.
    "https://schoolgate.school.example"; empty: http://<listen>."""
    secret_key_env: str = "SCHOOLGATE_WEB_SECRET"
    """Environment variable with the secret that signs links and sessions."""
    secret_key_file: Path | None = None
    """File with that secret; default data_dir/keys/web.key, created on first run."""
    session_hours: float = Field(default=10.0, gt=0)
    """A console sign-in lasts at most this long."""
    idle_minutes: float = Field(default=60.0, gt=0)
    """A console session ends after this long without a page being loaded."""
    lockout_after: int = Field(default=5, ge=1)
    """Failed sign-ins in a row after which an account is locked for a while."""
    lockout_minutes: float = Field(default=15.0, gt=0)
    sign_in_rate: int = Field(default=10, ge=1)
    """Sign-in attempts allowed per minute from one network address."""
    trusted_proxies: tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...] = ()
    """Reverse proxies whose X-Forwarded-For / X-Forwarded-Proto headers are believed
    (e.g. ["127.0.0.1/32"] for a proxy on this machine). Empty: none, so a client cannot
    choose the address the sign-in limit and the audit log see."""
    oidc: OidcSettings = OidcSettings()


class Config(Section):
    data_dir: Path = Path("var")
    database_url: str = ""
    """SQLAlchemy URL; empty means SQLite at data_dir/schoolgate.db. For PostgreSQL:
    postgresql+asyncpg://user@host/dbname"""
    log_level: Literal["debug", "info", "warning", "error"] = "info"
    school: SchoolSettings = SchoolSettings()
    smtp: SmtpSettings = SmtpSettings()
    relay: RelaySettings = RelaySettings()
    scan: ScanSettings = ScanSettings()
    detectors: DetectorsSettings = DetectorsSettings()
    policy: PolicySettings = PolicySettings()
    directory: DirectorySettings = DirectorySettings()
    hold: HoldSettings = HoldSettings()
    notices: NoticeSettings = NoticeSettings()
    web: WebSettings = WebSettings()
    rules: tuple[Rule, ...] = ()

    @field_validator("database_url")
    @classmethod
    def _known_driver(cls, value: str) -> str:
        if value and not value.startswith(("sqlite+aiosqlite://", "postgresql+asyncpg://")):
            raise ValueError(
                "use 'sqlite+aiosqlite:///path/to/file.db' or "
                "'postgresql+asyncpg://user@host:5432/dbname'"
            )
        return value

    @property
    def db_url(self) -> str:
        return self.database_url or f"sqlite+aiosqlite:///{self.default_database_file}"

    @property
    def default_database_file(self) -> Path:
        """The SQLite database used when `database_url` is not set."""
        return self.data_dir / "schoolgate.db"

    @property
    def outbox_dir(self) -> Path:
        return self.data_dir / "outbox"

    @property
    def hold_key_file(self) -> Path:
        return self.hold.key_file or self.data_dir / "keys" / "hold.key"

    @property
    def web_key_file(self) -> Path:
        return self.web.secret_key_file or self.data_dir / "keys" / "web.key"

    @property
    def public_url(self) -> str:
        return (self.web.public_url or f"http://{self.web.listen}").rstrip("/")

    @property
    def notice_sender(self) -> str:
        if self.notices.from_address:
            return self.notices.from_address
        domain = self.school.domains[0] if self.school.domains else "localhost"
        return f"schoolgate@{domain.removeprefix('*.')}"

    def detector_settings(self) -> dict[str, DetectorSettings]:
        """Validated settings for every enabled detector, keyed by name or import path."""
        extra = self.detectors.model_extra or {}
        return {
            name: _detector_settings(name, extra.get(name, {})) for name in self.active_detectors
        }

    @property
    def active_detectors(self) -> tuple[str, ...]:
        return self.detectors.enabled + self.detectors.plugins

    def finding_types(self) -> frozenset[str]:
        """Every finding type the enabled detectors can emit."""
        types: set[str] = set()
        for name in self.active_detectors:
            types |= resolve(name).finding_types
        return frozenset(types)

    def effective_rules(self) -> tuple[Rule, ...]:
        """Built-in rules (unless disabled), with config rules of the same name replacing them.

        A built-in rule about a detector that is switched off can never match, so it is
        left out; a rule written in the config file must name known types (see validate).
        """
        by_name: dict[str, Rule] = {}
        if self.policy.builtin_rules:
            known = self.finding_types()
            for rule in builtin_rules():
                if rule.name in self.policy.disabled_rules:
                    continue
                if not set(rule.types) | set(rule.also_types) <= known:
                    continue
                if rule.also_any_types:
                    any_known = tuple(t for t in rule.also_any_types if t in known)
                    if not any_known:
                        continue
                    rule = rule.model_copy(update={"also_any_types": any_known})
                by_name[rule.name] = rule
        for rule in self.rules:
            by_name[rule.name] = rule
        tag = self.school.facts().encrypt_tag
        how = f"add {tag} to the subject" if tag else "use your email's encrypt option"
        return tuple(_with_school_words(rule, how) for rule in by_name.values())


def _with_school_words(rule: Rule, how: str) -> Rule:
    """Fill `{how_to_encrypt}` in reasons and notices with this school's way to encrypt."""
    if "{how_to_encrypt}" not in rule.reason + rule.notice:
        return rule
    return rule.model_copy(
        update={
            "reason": rule.reason.replace("{how_to_encrypt}", how),
            "notice": rule.notice.replace("{how_to_encrypt}", how),
        }
    )


def _detector_settings(name: str, table: Any) -> DetectorSettings:
    cls = resolve(name)
    return cls.Settings.model_validate(table)


def _format_location(loc: tuple[int | str, ...]) -> str:
    text = ""
    for part in loc:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text += f".{part}" if text else str(part)
    return text or "(top level)"


def _allowed_keys(model: type[BaseModel], loc: tuple[int | str, ...]) -> list[str]:
    """The keys allowed at the table that holds `loc`'s last key."""
    current: Any = model
    for part in loc[:-1]:
        if isinstance(part, int):
            continue
        if not (isinstance(current, type) and issubclass(current, BaseModel)):
            return []
        field = current.model_fields.get(str(part))
        if field is None:
            return []
        annotation = field.annotation
        args = getattr(annotation, "__args__", ())
        candidates = [annotation, *args]
        current = next(
            (c for c in candidates if isinstance(c, type) and issubclass(c, BaseModel)), None
        )
    if isinstance(current, type) and issubclass(current, BaseModel):
        return sorted(current.model_fields)
    return []


def _describe(error: Any, model: type[BaseModel], prefix: tuple[int | str, ...] = ()) -> str:
    loc = prefix + tuple(error["loc"])
    where = _format_location(loc)
    if error["type"] == "extra_forbidden":
        allowed = _allowed_keys(model, tuple(error["loc"]))
        hint = f"; allowed keys here: {', '.join(allowed)}" if allowed else ""
        return f"{where}: unknown key{hint}"
    got = error.get("input")
    shown = f" (got {got!r})" if got is not None and not isinstance(got, dict) else ""
    return f"{where}: {error['msg']}{shown}"


def _check_detectors(config: Config) -> list[str]:
    """Detector names, their settings tables and the rules' finding types."""
    problems: list[str] = []
    extra = config.detectors.model_extra or {}
    for name in extra:
        if name not in BUILTIN and name not in config.detectors.plugins:
            problems.append(
                f"detectors.{name}: unknown detector; built-in detectors are "
                f"{', '.join(BUILTIN)} (plug-ins go in detectors.plugins)"
            )
    known_types: set[str] = set()
    for name in config.active_detectors:
        try:
            cls = resolve(name)
        except DetectorLoadError as exc:
            problems.append(f"detectors: {exc}")
            continue
        known_types |= cls.finding_types
        try:
            cls.Settings.model_validate(extra.get(name, {}))
        except ValidationError as exc:
            problems.extend(_describe(e, cls.Settings, ("detectors", name)) for e in exc.errors())
    if problems:
        return problems
    for rule in config.rules:
        for finding_type in (*rule.types, *rule.also_types, *rule.also_any_types):
            if finding_type not in known_types:
                problems.append(
                    f"rules '{rule.name}': unknown finding type {finding_type!r}; the enabled "
                    f"detectors emit: {', '.join(sorted(known_types)) or 'nothing'}"
                )
    return problems


def validate(
    data: dict[str, Any], source: str = "configuration", *, check_detectors: bool = True
) -> Config:
    """Build a Config from parsed TOML, raising ConfigError that lists every problem.

    `check_detectors=False` skips what needs the detector modules imported (their
    settings tables and the rules' finding types): for commands that scan nothing and
    should start fast (`held list`, `users`); `serve`, `scan` and `config check` check
    everything."""
    try:
        config = Config.model_validate(data)
    except ValidationError as exc:
        lines = [_describe(e, Config) for e in exc.errors()]
        raise ConfigError(f"{source} is invalid:\n  - " + "\n  - ".join(lines)) from None
    problems = _check_detectors(config) if check_detectors else []
    names = [r.name for r in config.rules]
    problems += [f"rules: the name {n!r} is used twice" for n in set(names) if names.count(n) > 1]
    if problems:
        raise ConfigError(f"{source} is invalid:\n  - " + "\n  - ".join(problems))
    return config


def _resolve_paths(data: dict[str, Any], base: Path) -> None:
    """Relative paths in a config file are relative to the file's own folder."""

    def fix(table: dict[str, Any], key: str) -> None:
        value = table.get(key)
        if isinstance(value, str) and value and not Path(value).is_absolute():
            table[key] = str(base / value)

    fix(data, "data_dir")
    for section, keys in (
        ("smtp", ("tls_cert", "tls_key")),
        ("hold", ("key_file",)),
        ("web", ("secret_key_file",)),
    ):
        table = data.get(section)
        if isinstance(table, dict):
            for key in keys:
                fix(table, key)
    hold = data.get("hold")
    if isinstance(hold, dict) and isinstance(hold.get("previous_key_files"), list):
        hold["previous_key_files"] = [
            p if not isinstance(p, str) or Path(p).is_absolute() else str(base / p)
            for p in hold["previous_key_files"]
        ]


def load(
    path: Path | None = None,
    overrides: dict[str, Any] | None = None,
    *,
    check_detectors: bool = True,
) -> Config:
    """Read the config file (or the embedded defaults) and apply command-line overrides.

    `overrides` maps dotted keys to values, e.g. {"smtp.listen": "0.0.0.0:25"}.
    """
    if path is None and os.environ.get(CONFIG_ENV):
        path = Path(os.environ[CONFIG_ENV])
    data: dict[str, Any] = {}
    source = "the built-in defaults"
    if path is not None:
        source = str(path)
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise ConfigError(f"config file {path} does not exist") from None
        except (OSError, UnicodeDecodeError) as exc:
            raise ConfigError(f"cannot read config file {path}: {exc}") from None
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError(f"{path} is not valid TOML: {exc}") from None
        _resolve_paths(data, path.resolve().parent)
    for dotted, value in (overrides or {}).items():
        if value is None:
            continue
        *sections, key = dotted.split(".")
        table = data
        for section in sections:
            table = table.setdefault(section, {})
        table[key] = value
    return validate(data, source, check_detectors=check_detectors)
