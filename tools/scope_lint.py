#!/usr/bin/env python3
"""Fail when a view module reads or writes rows without going through a selector or service.

ADR 002: views never query Trust data with `Model.objects`; they call a `*_visible_to`
selector (which filters by the reader's Trusts) or a service. This lint makes the rule hold:
in every `views.py` (or module of a `views/` package) it reports

- `Something.objects`, `Something._default_manager`, `Something.history` (a model's manager),
- `get_object_or_404(Model, ...)` / `get_list_or_404(Model, ...)` with a model class rather
  than a scoped queryset.

Usage: python tools/scope_lint.py [PATH ...]   (default: the project's apps)
Exit status 1 when anything is found, listing file:line: what.
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
APPS = ("clm_portal", "trusts", "mentors", "opportunities", "surveys", "reports")
MANAGERS = {"objects", "_default_manager", "_base_manager", "history"}
SHORTCUTS = {"get_object_or_404", "get_list_or_404"}


def view_modules(paths: list[Path]) -> list[Path]:
    found = []
    for base in paths:
        if base.is_file():
            found.append(base)
            continue
        for path in sorted(base.rglob("*.py")):
            if "migrations" in path.parts:
                continue
            if path.name == "views.py" or "views" in path.parent.parts[len(base.parts) :]:
                found.append(path)
    return found


def _is_model_name(node: ast.AST) -> bool:
    """A bare capitalised name (`Activity`) or attribute (`models.Activity`): a model class."""
    if isinstance(node, ast.Name):
        return node.id[:1].isupper()
    if isinstance(node, ast.Attribute):
        return node.attr[:1].isupper()
    return False


def problems(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found: list[tuple[int, str]] = []
    name = path.relative_to(ROOT) if path.is_relative_to(ROOT) else path
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and node.attr in MANAGERS and _is_model_name(node.value):
            found.append(
                (
                    node.lineno,
                    f"{name}:{node.lineno}: {ast.unparse(node)} in a view; "
                    "use a *_visible_to selector or a service",
                )
            )
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name)
            and node.func.id in SHORTCUTS
            and node.args
            and _is_model_name(node.args[0])
        ):
            found.append(
                (
                    node.lineno,
                    f"{name}:{node.lineno}: {node.func.id}({ast.unparse(node.args[0])}, …) "
                    "in a view; pass a scoped queryset from a selector",
                )
            )
    return [line for _, line in sorted(found)]


def main(argv: list[str]) -> int:
    paths = [Path(p) for p in argv] or [ROOT / app for app in APPS if (ROOT / app).is_dir()]
    found = [p for module in view_modules(paths) for p in problems(module)]
    for line in found:
        print(line)
    if found:
        print(f"\n{len(found)} direct model quer{'y' if len(found) == 1 else 'ies'} in views.")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
