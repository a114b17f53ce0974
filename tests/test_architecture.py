"""The rules of STYLE.md that a reviewer would otherwise have to remember, checked by the suite.

`make lint` runs the same checks; running them here makes CI (which runs `make test`) fail too.
"""

import subprocess
import sys
from pathlib import Path
from textwrap import dedent

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tools"))

import scope_lint  # noqa: E402


class TestScopeLint:
    def test_no_view_queries_models_directly(self):
        found = [
            p
            for module in scope_lint.view_modules(
                [ROOT / app for app in scope_lint.APPS if (ROOT / app).is_dir()]
            )
            for p in scope_lint.problems(module)
        ]
        assert found == []

    @pytest.mark.parametrize(
        "source",
        [
            "rows = Activity.objects.all()",
            "rows = models.Activity.objects.filter(trust=t)",
            "rows = Activity._default_manager.all()",
            "old = Trust.history.all()",
            "trust = get_object_or_404(Trust, ods_code=code)",
        ],
    )
    def test_it_reports_a_direct_query(self, tmp_path, source):
        view = tmp_path / "views.py"
        view.write_text(dedent(f"def page(request):\n    {source}\n"))
        assert len(scope_lint.problems(view)) == 1

    @pytest.mark.parametrize(
        "source",
        [
            "rows = activities_visible_to(user=request.user)",
            "trust = get_object_or_404(trusts_visible_to(user=request.user), ods_code=code)",
            "rows = request.user.memberships.all()",
        ],
    )
    def test_it_allows_selectors_and_related_managers(self, tmp_path, source):
        view = tmp_path / "views.py"
        view.write_text(dedent(f"def page(request):\n    {source}\n"))
        assert scope_lint.problems(view) == []

    def test_it_checks_only_view_modules(self, tmp_path):
        (tmp_path / "selectors.py").write_text("rows = Activity.objects.all()\n")
        (tmp_path / "views.py").write_text("rows = Activity.objects.all()\n")
        assert [p.name for p in scope_lint.view_modules([tmp_path])] == ["views.py"]


def test_apps_keep_the_one_way_data_flow():
    """trusts ← mentors, opportunities, surveys ← reports (import-linter, pyproject.toml)."""
    lint_imports = Path(sys.executable).parent / "lint-imports"
    result = subprocess.run(
        [str(lint_imports), "--no-cache"], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stdout + result.stderr
