"""The architecture as written down (docs/architecture.md), checked: imports go one way
between the gateway's layers, and no import hides inside a function to dodge a cycle."""

from __future__ import annotations

import ast
import os
import subprocess
import sys
from pathlib import Path

from tests.support import REPO

LINT_IMPORTS = Path(sys.executable).parent / "lint-imports"

# A function-level import is allowed only where it saves start-up cost or loads an
# optional dependency, never to dodge an import cycle: (module or package prefix ending
# in ".", imported prefixes) -> why. Everything else imports at the top.
LAZY_IMPORTS: dict[tuple[str, tuple[str, ...]], str] = {
    ("gateway.cli.", ("gateway.",)): "a command imports what only it needs: `held list` "
    "must not load the server or SQLAlchemy",
    ("gateway.cli.scan", ("sqlalchemy",)): "`scan` reads the database only when there is one",
    ("gateway.storage.engine", ("alembic",)): "Alembic runs only when the schema is behind",
    ("gateway.web.oidc", ("authlib",)): "authlib is loaded only when OIDC sign-in is on",
    ("detectors.nicknames", ("nicknames",)): "the nickname tables only when first used",
    ("detectors.personal_address", ("phonenumbers",)): "phone numbers only when configured",
}


def test_imports_go_one_way_between_the_layers():
    """pyproject.toml's [tool.importlinter] contracts: the layers, and detectors and
    models independent of the gateway."""
    result = subprocess.run(
        [str(LINT_IMPORTS), "pyproject.toml", "--no-cache"],
        cwd=REPO,
        env={**os.environ, "PYTHONPATH": str(REPO)},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
    assert "0 broken" in result.stdout


def _module(path: Path) -> str:
    parts = path.relative_to(REPO).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def function_level_imports(root: Path) -> list[tuple[str, int, str]]:
    """(module, line, imported module) for every import inside a function under root."""
    found = []
    for path in sorted(root.rglob("*.py")):
        tree = ast.parse(path.read_text("utf-8"))
        for node in ast.walk(tree):
            if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                continue
            for inner in ast.walk(node):
                if isinstance(inner, ast.ImportFrom) and inner.module:
                    found.append((_module(path), inner.lineno, inner.module))
                elif isinstance(inner, ast.Import):
                    found.extend((_module(path), inner.lineno, a.name) for a in inner.names)
    return found


def _allowed(module: str, imported: str) -> bool:
    return any(
        (module == owner or (owner.endswith(".") and module.startswith(owner)))
        and imported.startswith(prefixes)
        for owner, prefixes in LAZY_IMPORTS
    )


def test_no_import_hides_inside_a_function():
    found = [
        i
        for root in ("gateway", "detectors", "models")
        for i in function_level_imports(REPO / root)
    ]
    assert any(m.startswith("gateway.cli.") for m, _, _ in found)  # the scan reads the tree
    hidden = [f"{m}:{line} imports {i}" for m, line, i in found if not _allowed(m, i)]
    assert hidden == []
