"""What a reader may see of a round's results, as page sections and as download rows.

Everything here reads `analysis.Results` (suppression already applied); the Trust breakdown is
cut down to the Trusts the reader may see. Downloads carry the same figures as the page.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass

from openpyxl import Workbook

from .analysis import BREAKDOWNS, ROLES, Group, Results

HEADER = (
    "breakdown",
    "group",
    "role",
    "responses",
    "response_rate",
    "item_code",
    "item",
    "answered",
    "agree",
    "percent_agree",
    "ci_low",
    "ci_high",
)


def visible_groups(
    results: Results, role: str, breakdown: str, trust_codes: set[str] | None
) -> list[Group]:
    groups = results.by_role(role).breakdowns.get(breakdown, [])
    if breakdown == "trust" and trust_codes is not None:
        groups = [g for g in groups if g.key in trust_codes]
    return groups


def _responses(group: Group, threshold: int) -> str | int:
    if group.suppressed and group.n != 0:
        return f"fewer than {threshold + 1}"
    return group.n


def download_rows(results: Results, trust_codes: set[str] | None) -> list[tuple]:
    """One row per (breakdown, group, item) shown; a hidden group is one row saying so."""
    rows = []
    threshold = results.threshold
    for role in ROLES:
        role_results = results.by_role(role)
        texts = {code: text for code, text, *_ in role_results.items}
        sections = [("region", [role_results.total])]
        sections += [
            (key, visible_groups(results, role, key, trust_codes)) for key, _ in BREAKDOWNS
        ]
        for breakdown, groups in sections:
            for group in groups:
                head = (
                    breakdown,
                    group.label if breakdown != "trust" else group.key,
                    role,
                    _responses(group, threshold),
                    group.response_rate if group.response_rate is not None else "",
                )
                if not group.items:
                    rows.append((*head, "", "", "", "", "", "", ""))
                for code, figure in group.items.items():
                    low, high = figure.interval
                    rows.append(
                        (
                            *head,
                            code,
                            texts.get(code, code),
                            figure.answered,
                            figure.agree,
                            figure.percent,
                            low,
                            high,
                        )
                    )
    return rows


def _safe(cell):
    """Text a spreadsheet would read as a formula gets an apostrophe (labels are ours, but an
    item's wording is edited in the admin)."""
    if isinstance(cell, str) and cell[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + cell
    return cell


def results_csv(results: Results, trust_codes: set[str] | None) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(HEADER)
    for row in download_rows(results, trust_codes):
        writer.writerow([_safe(c) for c in row])
    return "\ufeff" + buffer.getvalue()


def results_xlsx(results: Results, trust_codes: set[str] | None) -> bytes:
    """A sheet per breakdown (region, trust, stage, grade, specialty), the CSV's rows."""
    book = Workbook()
    book.remove(book.active)
    rows = download_rows(results, trust_codes)
    for breakdown in ("region", *(key for key, _ in BREAKDOWNS)):
        sheet = book.create_sheet(breakdown)
        sheet.append(HEADER)
        for row in rows:
            if row[0] == breakdown:
                sheet.append([_safe(c) for c in row])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


@dataclass
class Bar:
    label: str
    percent: float
    low: float
    high: float
    y: int

    # Coordinates in a 0–100 wide chart area, drawn by the template's SVG.
    @property
    def width(self) -> float:
        return self.percent

    @property
    def whisker(self) -> tuple[float, float]:
        return self.low, self.high


def bars(labelled_figures) -> list[Bar]:
    """(label, Figure) pairs as bars 24 units apart."""
    return [
        Bar(label, figure.percent, *figure.interval, y=i * 24)
        for i, (label, figure) in enumerate(labelled_figures)
    ]
