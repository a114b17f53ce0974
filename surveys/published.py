"""What a reader may see of a round's results, as page sections and as download rows.

Everything here reads `analysis.Results` (suppression already applied); the Trust breakdown is
cut down to the Trusts the reader may see. Downloads carry the same figures as the page.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass

from django.utils.html import format_html
from django.utils.safestring import mark_safe
from openpyxl import Workbook

from clm_portal.escaping import escaped as _e
from mentors.exports import safe_cell, xlsx_cell

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


def results_csv(results: Results, trust_codes: set[str] | None) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(HEADER)
    for row in download_rows(results, trust_codes):
        writer.writerow([safe_cell(c) for c in row])
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
                sheet.append([safe_cell(xlsx_cell(c)) for c in row])
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


def bars(labelled_figures) -> list[Bar]:
    """(label, Figure) pairs as bars 24 units apart."""
    return [
        Bar(label, figure.percent, *figure.interval, y=i * 24)
        for i, (label, figure) in enumerate(labelled_figures)
    ]


# --- The results page's long parts, built in Python -------------------------------------------
# With 200 Trusts a template include per row, and then format_html per cell, were most of the
# page's time; the markup is the same, every value escaped by `escaped`.

NUMERIC = "nhsuk-table__cell nhsuk-table__cell--numeric"


def _figure_cells(figure, threshold_plus: int) -> str:
    if figure is None:
        return (
            f'<td class="nhsuk-table__cell" colspan="4">Fewer than {_e(threshold_plus)} '
            "answered</td>"
        )
    low, high = figure.interval
    return (
        f'<td class="{NUMERIC}">{_e(figure.answered)}</td>'
        f'<td class="{NUMERIC}">{_e(figure.agree)}</td>'
        f'<td class="{NUMERIC}">{_e(figure.percent)}%</td>'
        f'<td class="{NUMERIC}">{_e(low)}–{_e(high)}%</td>'
    )


def _row(label, cells: str) -> str:
    return (
        '<tr class="nhsuk-table__row"><th class="nhsuk-table__header" scope="row">'
        f"{_e(label)}</th>{cells}</tr>"
    )


def breakdown_rows_html(groups: list[Group], item: str, threshold_plus: int):
    rows = []
    for group in groups:
        if group.suppressed:
            text = "No responses" if group.n == 0 else f"Fewer than {threshold_plus} responses"
            cells = f'<td class="nhsuk-table__cell" colspan="5">{_e(text)}</td>'
        else:
            cells = f'<td class="{NUMERIC}">{_e(group.n)}</td>' + _figure_cells(
                group.items.get(item), threshold_plus
            )
        rows.append(_row(group.label, cells))
    return mark_safe("".join(rows))  # noqa: S308 - every value escaped


def region_rows_html(items, total: Group, threshold_plus: int):
    return mark_safe(  # noqa: S308 - every value escaped
        "".join(
            '<tr class="nhsuk-table__row"><th class="nhsuk-table__header" scope="row">'
            f'{_e(text)} <span class="nhsuk-u-font-size-14">({_e(code)})</span></th>'
            f"{_figure_cells(total.items.get(code), threshold_plus)}</tr>"
            for code, text, *_ in items
        )
    )


def rate_rows_html(groups: list[Group], threshold_plus: int):
    rows = []
    for group in groups:
        if group.suppressed and group.n != 0:
            cells = (
                f'<td class="nhsuk-table__cell" colspan="3">Fewer than {_e(threshold_plus)} '
                "responses</td>"
            )
        else:
            rate = f"{group.response_rate}%" if group.response_rate is not None else "—"
            cells = (
                f'<td class="{NUMERIC}">{_e(group.n)}</td>'
                f'<td class="{NUMERIC}">{_e(group.denominator or "—")}</td>'
                f'<td class="{NUMERIC}">{_e(rate)}</td>'
            )
        rows.append(_row(group.label, cells))
    return mark_safe("".join(rows))  # noqa: S308 - every value escaped


def chart_svg(chart_bars: list[Bar], label: str):
    """Bars of % agree with their 95% intervals, as SVG (no script, no inline style); the same
    figures are in the table after it."""
    if not chart_bars:
        return ""
    height = len(chart_bars) * 24 + 8
    bars = mark_safe(  # noqa: S308 - every value escaped
        "".join(
            f'<g transform="translate(0 {_e(bar.y)})"><text x="0" y="15" font-size="12" '
            f'fill="#212b32">{_e(bar.label if len(bar.label) <= 48 else bar.label[:47] + "…")}'
            f'</text><rect x="330" y="4" height="14" width="{bar.percent * 3:.1f}" '
            'fill="#005eb8"></rect>'
            f'<line x1="{330 + bar.low * 3:.1f}" x2="{330 + bar.high * 3:.1f}" y1="11" y2="11" '
            'stroke="#212b32" stroke-width="2"></line>'
            '<text x="696" y="15" font-size="12" fill="#212b32" text-anchor="end">'
            f"{_e(bar.percent)}%</text></g>"
            for bar in chart_bars
        )
    )
    return format_html(
        '<figure class="clm-survey-chart nhsuk-u-margin-bottom-4"><svg viewBox="0 0 700 {}" '
        'width="100%" role="img" aria-label="{}; the same figures are in the table below." '
        'preserveAspectRatio="xMinYMin meet" xmlns="http://www.w3.org/2000/svg">{}</svg>'
        "</figure>",
        height,
        label,
        bars,
    )
