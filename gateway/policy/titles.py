"""Rules as people read them: the journal and holds store a rule's name (a slug such as
`own-personal-mailbox-attachments`); every page shows its title instead.

A rule no longer configured (renamed, disabled, a school's old rule) still appears in
old incidents, so a name without a rule reads as its words rather than failing.
"""

from __future__ import annotations

from collections.abc import Iterable

from gateway.policy.rules import Rule, builtin_rules, readable_name


class RuleTitles:
    """Title by rule name: the school's configured rules first, then the built-in ones.

    Given the rules (config.effective_rules()), not the configuration: the console, the
    digest and anything else that names rules to people share it."""

    def __init__(self, rules: Iterable[Rule]) -> None:
        self._titles = {r.name: r.title for r in builtin_rules()}
        self._titles.update((r.name, r.title) for r in rules)

    def __call__(self, name: str) -> str:
        return self._titles.get(name) or readable_name(name)

    def many(self, names: Iterable[str]) -> list[str]:
        return [self(name) for name in names]

    def options(self, names: Iterable[str]) -> list[tuple[str, str]]:
        """(name, title) pairs sorted by title, for a filter's drop-down."""
        return sorted(((n, self(n)) for n in names), key=lambda pair: pair[1].lower())
