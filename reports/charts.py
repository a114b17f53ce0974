"""The funnel plot as SVG, built in Python (no script, no inline style). Its figures are in the
table beside it, with each Trust's flag in words: colour is never the only cue."""

from __future__ import annotations

from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe

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


def _marker(flag: str, x: float, y: float):
    colour = COLOURS[flag]
    if SHAPES[flag] == "circle":
        return format_html(
            '<circle cx="{}" cy="{}" r="4" fill="{}"></circle>', f"{x:.1f}", f"{y:.1f}", colour
        )
    if SHAPES[flag] == "square":
        return format_html(
            '<rect x="{}" y="{}" width="8" height="8" fill="{}"></rect>',
            f"{x - 4:.1f}",
            f"{y - 4:.1f}",
            colour,
        )
    points = f"{x:.1f},{y - 6:.1f} {x + 6:.1f},{y:.1f} {x:.1f},{y + 6:.1f} {x - 6:.1f},{y:.1f}"
    return format_html('<polygon points="{}" fill="{}"></polygon>', points, colour)


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
    markers = format_html_join(
        "",
        "<g><title>{}: {} of {}</title>{}</g>",
        (
            (
                p["name"],
                p["numerator"],
                p["denominator"],
                _marker(
                    p["flag"],
                    _x(p["denominator"], most),
                    _y(100 * p["numerator"] / p["denominator"]),
                ),
            )
            for p in points
        ),
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
        'xmlns="http://www.w3.org/2000/svg">{}{}{}</svg>'
        '<figcaption class="nhsuk-body-s">Solid line: the region ({}%). Dashed: 95% limits; '
        "dotted: 99.8% limits. Circle: within the limits; square: watch; diamond: outlier."
        "</figcaption></figure>",
        WIDTH,
        HEIGHT,
        label,
        axes,
        lines,
        markers,
        round(100 * p0, 1),
    )


NUMERIC = "nhsuk-table__cell nhsuk-table__cell--numeric"


def _indicator_cell(figure: dict | None):
    if not figure:
        return format_html('<td class="{}">—</td>', NUMERIC)
    flag = format_html(" <strong>{}</strong>", figure["flag"]) if figure["flag"] != "none" else ""
    return format_html(
        '<td class="{}">{}% <span class="nhsuk-u-font-size-14">({}–{})</span>{}</td>',
        NUMERIC,
        figure["percent"],
        figure["ci_low"],
        figure["ci_high"],
        flag,
    )


def trust_rows_html(rows: list[dict], indicators) -> str:
    """The dashboard's row per Trust, built in Python (200 Trusts through template tags were
    most of the page's time); escaped by format_html."""
    built = []
    for row in rows:
        multiple = f"; {row['multiple']}×" if row["multiple"] is not None else ""
        per_100 = f" ({row['per_100']})" if row["per_100"] is not None else ""
        built.append(
            format_html(
                '<tr class="nhsuk-table__row"><th class="nhsuk-table__header" scope="row">{} '
                '<span class="nhsuk-u-font-size-14">({})</span></th>'
                '<td class="nhsuk-table__cell">{}</td><td class="{}">{}</td>'
                '<td class="{}">{} ({}{})</td><td class="{}">{}{}</td>{}</tr>',
                row["name"],
                row["ods"],
                row["clm"] or "Vacant",
                NUMERIC,
                row["trainees"],
                NUMERIC,
                row["hours"],
                row["allocation_hours"],
                multiple,
                NUMERIC,
                row["activities"],
                per_100,
                format_html_join(
                    "", "{}", ((_indicator_cell(row["indicators"].get(n)),) for n in indicators)
                ),
            )
        )
    return mark_safe("".join(built))  # noqa: S308 - each row built by format_html
