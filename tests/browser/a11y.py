"""axe-core in the page: an accessibility check for every page a journey visits.

The pages send a strict nonce Content Security Policy, so axe is not added as a <script>
element: its source is evaluated through the DevTools protocol, which the policy allows.
"""

from __future__ import annotations

import functools
import json
from pathlib import Path

from playwright.sync_api import Page

AXE_PATH = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
FAILING_IMPACTS = ("serious", "critical")

# Findings axe gets wrong, each for one rule on elements matching one selector, never a rule
# as a whole. Every other rule still runs on these elements, and the rule on every other one.
KNOWN_FALSE_POSITIVES = [
    {
        # The NHS.UK file upload's JavaScript replaces the <input type="file"> with a button
        # named by aria-labelledby="<label> <comma> <itself>": "Upload a CSV file, No file
        # chosen, Choose file or drop file". That contains every visible word, but axe joins the
        # button's text across its <span>s with no space ("No file chosenChoose file") and so
        # finds the visible text missing from the name. The markup is the component's own
        # (nhsuk-frontend 10 file-upload.mjs); our template matches its template.njk.
        "rule": "label-content-name-mismatch",
        "selector": "button.nhsuk-file-upload__drop-button",
    },
]

_RUN = """async ([tags, ignore]) => {
  const results = await axe.run(document, {
    runOnly: {type: 'tag', values: tags},
    resultTypes: ['violations'],
    elementRef: true,
  });
  const ignored = (id, element) =>
    ignore.some(i => i.rule === id && element && element.matches(i.selector));
  return results.violations.map(v => ({
    id: v.id,
    impact: v.impact,
    help: v.help,
    helpUrl: v.helpUrl,
    nodes: v.nodes.filter(n => !ignored(v.id, n.element)).map(n => ({
      target: n.target,
      html: n.html,
      impact: n.impact,
      summary: n.failureSummary,
    })),
  })).filter(v => v.nodes.length);
}"""


def axe_available() -> bool:
    return AXE_PATH.is_file()


@functools.cache
def axe_source() -> str:
    # A trailing expression so that evaluating the script returns a plain value.
    return AXE_PATH.read_text(encoding="utf-8") + "\n;true"


def axe_violations(page: Page) -> list[dict]:
    """Every WCAG 2.2 A/AA violation axe finds in the page as it is now."""
    page.wait_for_load_state("load")
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.evaluate(axe_source())
    return page.evaluate(_RUN, [WCAG_TAGS, KNOWN_FALSE_POSITIVES])


def format_violations(violations: list[dict]) -> str:
    lines = []
    for v in violations:
        lines.append(f"[{v['impact']}] {v['id']}: {v['help']} ({v['helpUrl']})")
        for node in v["nodes"]:
            lines.append(f"    at {json.dumps(node['target'])}")
            lines.append(f"       {node['html']}")
            if node.get("summary"):
                lines.extend(f"       {s}" for s in node["summary"].splitlines())
    return "\n".join(lines)


def check_a11y(page: Page) -> None:
    """Fail when the page has a serious or critical WCAG 2.2 AA violation."""
    failing = [v for v in axe_violations(page) if v["impact"] in FAILING_IMPACTS]
    assert not failing, (
        f"{len(failing)} serious or critical accessibility violation(s) on {page.url}:\n"
        + format_violations(failing)
    )
