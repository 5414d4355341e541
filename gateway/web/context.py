"""What the web app's handlers need, built once by the server."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from fastapi.templating import Jinja2Templates
from markupsafe import Markup, escape

from gateway.config.settings import Config
from gateway.hold.flow import HoldFlow
from gateway.hold.links import LinkSigner
from gateway.hold.notices import where
from gateway.policy.titles import RuleTitles
from gateway.scanning.pool import ScanPool
from gateway.storage.engine import Store
from gateway.web.finding_groups import type_title
from gateway.web.held_views import HeldViews
from gateway.web.lockout import Lockout
from gateway.web.ratelimit import RateLimiter
from gateway.web.roles import ROLE_NAMES, Permission
from gateway.web.sessions import SessionStore
from gateway.web.users_store import UserStore

TEMPLATES = Path(__file__).parent / "templates"
STATIC = Path(__file__).parent / "static"


def when(moment: datetime | None) -> str:
    """A time as staff read it: the server's local time zone (the school's)."""
    return moment.astimezone().strftime("%d %b %Y, %H:%M") if moment else ""


def addresses(values: Iterable[str] | str | None) -> Markup:
    """Addresses for a narrow column: a line may break before the "@" (and between
    addresses), so "d.fernsby@school.example" wraps as a person would write it."""
    items = [values] if isinstance(values, str) else list(values or [])
    shown = [escape(a).replace("@", Markup("<wbr>@")) for a in items]
    return Markup(", ").join(shown)


def size(count: int | None) -> str:
    value = float(count or 0)
    for unit in ("bytes", "KB", "MB"):
        if value < 1024 or unit == "MB":
            return f"{value:.0f} {unit}" if unit == "bytes" else f"{value:.1f} {unit}"
        value /= 1024
    return f"{value:.1f} MB"


@dataclass
class WebContext:
    config: Config
    store: Store
    flow: HoldFlow
    signer: LinkSigner
    secret: bytes
    templates: Jinja2Templates
    views: HeldViews
    """Held messages prepared for display by the scan workers."""
    users: UserStore = field(init=False)
    sessions: SessionStore = field(init=False)
    sign_in_limiter: RateLimiter = field(init=False)
    lockout: Lockout = field(init=False)
    rule_titles: RuleTitles = field(init=False)
    """Rules' titles by name, for pages and charts (the journal stores names)."""

    def __post_init__(self) -> None:
        self.users = UserStore(self.store, self.secret)
        self.sessions = SessionStore(self.store, self.config.web)
        self.sign_in_limiter = RateLimiter(self.config.web.sign_in_rate)
        self.lockout = Lockout(self.store, self.flow.mailer, self.config)
        self.rule_titles = RuleTitles(self.config.effective_rules())

    @classmethod
    def build(
        cls, config: Config, store: Store, flow: HoldFlow, secret: bytes, pool: ScanPool
    ) -> WebContext:
        templates = Jinja2Templates(directory=str(TEMPLATES))
        templates.env.globals["school_name"] = config.school.name
        templates.env.globals["reviewer_role"] = config.notices.reviewer_role
        templates.env.globals["Permission"] = Permission
        templates.env.globals["role_names"] = ROLE_NAMES
        templates.env.filters["when"] = when
        templates.env.filters["size"] = size
        templates.env.filters["addresses"] = addresses
        templates.env.filters["finding_type"] = type_title
        templates.env.filters["where"] = where
        templates.env.globals["oidc_label"] = (
            config.web.oidc.label if config.web.oidc.issuer else ""
        )
        built = cls(config, store, flow, flow.signer, secret, templates, HeldViews(pool))
        templates.env.filters["rule_title"] = built.rule_titles
        templates.env.filters["rule_titles"] = built.rule_titles.many
        return built
