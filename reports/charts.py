"""The funnel plot as SVG, built in Python (no script, no inline style). Its figures are in the
table beside it, with each Trust's flag in words: colour is never the only cue."""

from __future__ import annotations

from bisect import bisect_left

from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe

from clm_portal.escaping import escaped as _e

from .funnel import Z95, Z998, control_limits

WIDTH, HEIGHT, LEFT, BOTTOM, TOP = 700, 360, 48, 36, 12
COLOURS = {"none": "#005eb8", "watch": "#ffb81c", "outlier": "#d5281b"}
SHAPES = {"none": "circle", "watch": "square", "outlier": "diamond"}


def _x(n: float, most: float) -> float:
    return LEFT + (WIDTH - LEFT - 12) * n / most


def _y(percent: float) -> float:
    return TOP + (HEIGHT - TOP - BOTTOM) * (1 - percent / 100)


def _curve(p0: float, most: int, z: float, side: int) -> str:
    steps = [max(1, round(most * i / 60)) for i in range(61)]
    return " ".join(
        f"{_x(n, most):.1f},{_y(100 * control_limits(p0, n, z)[side]):.1f}"
        for n in sorted(set(steps))
    )


def _marker(flag: str, x: float, y: float) -> str:
    """A Trust's point: its shape and colour say its flag (the table says it in words)."""
    colour = COLOURS[flag]
    if SHAPES[flag] == "circle":
        return f'<circle cx="{x:.1f}" cy="{y:.1f}" r="4" fill="{colour}"></circle>'
    if SHAPES[flag] == "square":
        return f'<rect x="{x - 4:.1f}" y="{y - 4:.1f}" width="8" height="8" fill="{colour}"></rect>'
    points = f"{x:.1f},{y - 6:.1f} {x + 6:.1f},{y:.1f} {x:.1f},{y + 6:.1f} {x - 6:.1f},{y:.1f}"
    return f'<polygon points="{points}" fill="{colour}"></polygon>'


def funnel_svg(points: list[dict], p0: float, label: str):
    """`points`: {"name", "numerator", "denominator", "flag"} per Trust; `p0` a proportion."""
    points = [p for p in points if p["denominator"]]
    if not points:
        return ""
    most = max(p["denominator"] for p in points) * 1.05
    lines = format_html_join(
        "",
        '<polyline points="{}" fill="none" stroke="{}" stroke-width="1.5" stroke-dasharray="{}">'
        "</polyline>",
        (
            (_curve(p0, most, z, side), "#425563", dash)
            for z, dash in ((Z95, "4 3"), (Z998, "1 3"))
            for side in (0, 1)
        ),
    )
    # 200 Trusts through format_html were most of the chart's time: plain strings, each Trust's
    # name escaped, the rest numbers.
    markers = mark_safe(  # noqa: S308 - the name escaped, the rest numbers
        "".join(
            f"<g><title>{_e(p['name'])}: {int(p['numerator'])} of {int(p['denominator'])}</title>"
            + _marker(
                p["flag"],
                _x(p["denominator"], most),
                _y(100 * p["numerator"] / p["denominator"]),
            )
            + "</g>"
            for p in points
        )
    )
    axes = format_html(
        '<line x1="{0}" y1="{1}" x2="{2}" y2="{1}" stroke="#212b32"></line>'
        '<line x1="{0}" y1="{3}" x2="{0}" y2="{1}" stroke="#212b32"></line>'
        '<line x1="{0}" y1="{4}" x2="{2}" y2="{4}" stroke="#212b32" stroke-width="1.5"></line>'
        '<text x="{0}" y="{5}" font-size="12" fill="#212b32">0</text>'
        '<text x="{2}" y="{5}" font-size="12" fill="#212b32" text-anchor="end">{6} (denominator)</text>'
        '<text x="4" y="{3}" font-size="12" fill="#212b32" dominant-baseline="hanging">100%</text>'
        '<text x="4" y="{1}" font-size="12" fill="#212b32">0%</text>',
        LEFT,
        HEIGHT - BOTTOM,
        WIDTH - 12,
        TOP,
        f"{_y(100 * p0):.1f}",
        HEIGHT - 12,
        round(most),
    )
    return format_html(
        '<figure class="nhsuk-u-margin-bottom-4"><svg viewBox="0 0 {} {}" width="100%" role="img" '
        'aria-label="{}; the same figures, with each Trust\'s flag, are in the table below." '
        'xmlns="http://www.w3.org/2000/svg"><title>{}</title>{}{}{}</svg>'
        '<figcaption class="nhsuk-body-s">Solid line: the region ({}%). Dashed: 95% limits; '
        "dotted: 99.8% limits. Circle: within the limits; square: watch; diamond: outlier."
        "</figcaption></figure>",
        WIDTH,
        HEIGHT,
        label,
        label,
        axes,
        lines,
        markers,
        round(100 * p0, 1),
    )


NUMERIC = "nhsuk-table__cell nhsuk-table__cell--numeric"


def _flag_words(figure: dict) -> str:
    words = []
    if figure["flag"] != "none":
        words.append(figure["flag"])
    kind = figure.get("kind")
    if kind and kind["flag"] != "none":
        words.append(f"{kind['flag']} among its kind")
    return "; ".join(words)


def _indicator_cell(figure: dict | None) -> str:
    if not figure:
        return f'<td class="{NUMERIC}">—</td>'
    words = _flag_words(figure)
    flag = f" <strong>{_e(words)}</strong>" if words else ""
    return (
        f'<td class="{NUMERIC}">{_e(figure["percent"])}% <span class="nhsuk-u-font-size-14">'
        f"({_e(figure['ci_low'])}–{_e(figure['ci_high'])})</span>{flag}</td>"
    )


REPORT_WORDS = {
    "draft": "Draft",
    "submitted": "Submitted",
    "returned": "Returned",
    "accepted": "Accepted",
}


def report_words(report: dict | None) -> str:
    """A Trust's year-end report in a few words: "Accepted (on time)", "Not started"."""
    if not report:
        return "Not started"
    words = REPORT_WORDS.get(report["status"], report["status"])
    if report.get("on_time") is True:
        words += " (on time)"
    elif report.get("on_time") is False:
        words += " (late)"
    return words


def trust_rows_html(rows: list[dict], indicators) -> str:
    """The dashboard's row per Trust, built in Python with plain strings (200 Trusts through
    template tags, or format_html per cell, were most of the page's time); every value is
    escaped with `escape`."""
    built = []
    for row in rows:
        multiple = f"; {row['multiple']}×" if row["multiple"] is not None else ""
        per_100 = f" ({row['per_100']})" if row["per_100"] is not None else ""
        source = "" if row.get("trainees_source", "portal") == "portal" else " (deanery)"
        cells = "".join(_indicator_cell(row["indicators"].get(n)) for n in indicators)
        deep = row.get("experiences_per_reached")
        built.append(
            '<tr class="nhsuk-table__row"><th class="nhsuk-table__header" scope="row">'
            f'{_e(row["name"])} <span class="nhsuk-u-font-size-14">({_e(row["ods"])})</span></th>'
            f'<td class="nhsuk-table__cell">{_e(row["clm"] or "Vacant")}</td>'
            f'<td class="{NUMERIC}">{_e(row["trainees"])}{source}</td>'
            f'<td class="{NUMERIC}">{_e(row["hours"])} ({_e(row["allocation_hours"])}'
            f"{_e(multiple)})</td>"
            f'<td class="{NUMERIC}">{_e(row["activities"])}{_e(per_100)}</td>{cells}'
            f'<td class="{NUMERIC}">{_e(deep) if deep else "—"}</td>'
            f'<td class="nhsuk-table__cell">{_e(report_words(row.get("report")))}</td></tr>'
        )
    return mark_safe("".join(built))  # noqa: S308 - every value escaped above


def heat_level(value: int, cuts: list[int]) -> int:
    """0 for nothing, then 1 to 4 by the quartiles of the non-zero values (`cuts`, sorted)."""
    if not value:
        return 0
    return 1 + bisect_left(cuts, value)


def heat_cuts(values: list[int]) -> list[int]:
    """The quartile boundaries of the non-zero values."""
    positive = sorted(v for v in values if v)
    if not positive:
        return []
    return [positive[(len(positive) * q) // 4] for q in (1, 2, 3)]


def heat_rows_html(rows: list[dict], responsibilities) -> str:
    """Activities per responsibility per Trust: the number in every cell, the shade (by the
    quartiles over every cell shown) only repeating it. The cells carry only their shade: the
    table's `clm-heat-table` class aligns them as numbers (at 200 Trusts the frontend's two
    cell classes on each of 1,800 cells were a fifth of the page's weight)."""
    codes = [code for code, _ in responsibilities]
    counts = [
        [row["by_responsibility"].get(c, {}).get("entries", 0) for c in codes] for row in rows
    ]
    cuts = heat_cuts([n for line in counts for n in line])
    built = []
    for row, line in zip(rows, counts, strict=True):
        cells = "".join(f'<td class="clm-heat-{heat_level(n, cuts)}">{int(n)}</td>' for n in line)
        built.append(
            '<tr class="nhsuk-table__row"><th class="nhsuk-table__header" scope="row">'
            f"{_e(row['name'])}</th>{cells}</tr>"
        )
    return mark_safe("".join(built))  # noqa: S308 - the name escaped, the rest integers


def scatter_svg(points: list[dict], label: str):
    """The "few or many" chart: each Trust's reach (x, %) against the experiences per trainee
    reached (y). `points`: {"name", "x", "y"}. The same figures are in the table."""
    points = [p for p in points if p["x"] is not None and p["y"] is not None]
    if not points:
        return ""
    top = max(p["y"] for p in points) * 1.1 or 1

    def x(value: float) -> float:
        return LEFT + (WIDTH - LEFT - 12) * value / 100

    def y(value: float) -> float:
        return TOP + (HEIGHT - TOP - BOTTOM) * (1 - value / top)

    markers = mark_safe(  # noqa: S308 - the name escaped, the rest numbers
        "".join(
            f"<g><title>{_e(p['name'])}: reach {_e(p['x'])}%, {_e(p['y'])} experiences per "
            f'trainee reached</title><circle cx="{x(p["x"]):.1f}" cy="{y(p["y"]):.1f}" r="4" '
            'fill="#005eb8"></circle></g>'
            for p in points
        )
    )
    axes = format_html(
        '<line x1="{0}" y1="{1}" x2="{2}" y2="{1}" stroke="#212b32"></line>'
        '<line x1="{0}" y1="{3}" x2="{0}" y2="{1}" stroke="#212b32"></line>'
        '<text x="{0}" y="{4}" font-size="12" fill="#212b32">0%</text>'
        '<text x="{2}" y="{4}" font-size="12" fill="#212b32" text-anchor="end">100% reach</text>'
        '<text x="4" y="{3}" font-size="12" fill="#212b32" dominant-baseline="hanging">{5}</text>'
        '<text x="4" y="{1}" font-size="12" fill="#212b32">0</text>',
        LEFT,
        HEIGHT - BOTTOM,
        WIDTH - 12,
        TOP,
        HEIGHT - 12,
        f"{top:.1f}",
    )
    return format_html(
        '<figure class="nhsuk-u-margin-bottom-4"><svg viewBox="0 0 {} {}" width="100%" role="img" '
        'aria-label="{}; the same figures are in the table above." '
        'xmlns="http://www.w3.org/2000/svg"><title>{}</title>{}{}</svg>'
        '<figcaption class="nhsuk-body-s">Across: reach (trainees reached as a share of the '
        "Trust's trainees). Up: experiences per trainee reached (named activity places and "
        "confirmed opportunities). Right and low: many trainees, lightly; left and high: a "
        "few trainees, deeply.</figcaption></figure>",
        WIDTH,
        HEIGHT,
        label,
        label,
        axes,
        markers,
    )


def submission_rows_html(rows, year: int, due_on) -> str:
    """The deanery's overview: a row per Trust (built in Python: 200 rows of template tags and
    URL reversals were most of the page's time); every value escaped."""
    from django.urls import reverse

    report_url = reverse("reports:report", args=[year, "ODS"]).replace("ODS", "{}")
    file_url = reverse("reports:download", args=[0, "FMT"]).replace("/0/FMT/", "/{}/{}/")
    built = []
    for row in rows:
        trust = row.trust
        name = _e(trust.name)
        note = ""
        if not row.expected:
            why = "merged" if trust.merged_into_id else "closed"
            note = f' <span class="nhsuk-u-font-size-14">(not expected: {why})</span>'
        submitted = "—"
        if row.submitted_on:
            submitted = f"{row.submitted_on:%-d %b %Y}"
            if due_on is not None:
                submitted += " (on time)" if row.submitted_on <= due_on else " (late)"
        generation = row.generation
        if generation is not None and generation.status == "done":
            files = (
                f'<a href="{file_url.format(generation.pk, "pdf")}" download>PDF'
                f'<span class="nhsuk-u-visually-hidden"> of {name}</span></a>, '
                f'<a href="{file_url.format(generation.pk, "xlsx")}" download>XLSX'
                f'<span class="nhsuk-u-visually-hidden"> of {name}</span></a>'
            )
        elif generation is not None:
            files = _e(generation.get_status_display())
        else:
            files = "—"
        built.append(
            '<tr class="nhsuk-table__row"><th class="nhsuk-table__header" scope="row">'
            f'<a href="{report_url.format(_e(trust.ods_code))}">{name}</a>{note}</th>'
            f'<td class="nhsuk-table__cell">{_e(row.clm or "Vacant")}</td>'
            f'<td class="nhsuk-table__cell">{_e(row.status_label)}</td>'
            f'<td class="nhsuk-table__cell">{submitted}</td>'
            f'<td class="nhsuk-table__cell">{files}</td></tr>'
        )
    return mark_safe("".join(built))  # noqa: S308 - every value escaped above
