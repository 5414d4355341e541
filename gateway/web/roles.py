"""Who may do what in the console: the one table of roles and permissions.

Admins act on held mail; DSLs read everything and annotate incidents; auditors see
metadata only (who sent what to whom, when, which rule, what happened) and never the
content of a message, the evidence of a finding or a DSL's notes. docs/console.md
shows this table; tests/gateway/web/test_route_roles.py checks every route against it.
"""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    ADMIN = "admin"
    DSL = "dsl"
    AUDITOR = "auditor"


class Permission(StrEnum):
    METADATA = "metadata"
    """Dashboard, queues, incident log rows, charts, the audit log's who/what/when."""
    CONTENT = "content"
    """A held message's headers, text and attachments; findings' (redacted) evidence."""
    ACT = "act"
    """Release or reject held mail."""
    ANNOTATE = "annotate"
    """Grade incidents, mark true/false positives, add notes."""
    NOTES = "notes"
    """Read DSLs' notes (safeguarding records: need to know)."""
    EXPORT = "export"
    """Download the incident log as CSV."""
    AUDIT_DETAIL = "audit-detail"
    """The audit log's free-text detail (reasons given, which can quote a message)."""


PERMISSIONS: dict[Role, frozenset[Permission]] = {
    Role.ADMIN: frozenset(
        {
            Permission.METADATA,
            Permission.CONTENT,
            Permission.ACT,
            Permission.EXPORT,
            Permission.AUDIT_DETAIL,
        }
    ),
    Role.DSL: frozenset(
        {
            Permission.METADATA,
            Permission.CONTENT,
            Permission.ANNOTATE,
            Permission.NOTES,
            Permission.EXPORT,
            Permission.AUDIT_DETAIL,
        }
    ),
    Role.AUDITOR: frozenset({Permission.METADATA}),
}

ROLE_NAMES = {
    Role.ADMIN: "Admin",
    Role.DSL: "Designated Safeguarding Lead",
    Role.AUDITOR: "Auditor",
}


def allows(role: str, permission: Permission) -> bool:
    try:
        return permission in PERMISSIONS[Role(role)]
    except ValueError:
        return False  # an unknown role (e.g. edited in the database) may do nothing
