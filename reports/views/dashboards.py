"""The regional dashboard for deanery staff: every Trust for a training year, compared with
the region by funnel limits, never ranked."""

from __future__ import annotations

import csv
import io
from statistics import median

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path
from django.utils import timezone

from clm_portal.permissions import role_required
from mentors.exports import safe_cell
from mentors.models import training_year_start
from trusts.models import Role, Trust

from .charts import funnel_svg, trust_rows_html
from .regional import regional_snapshot

FIRST_YEAR = 2015
INDICATORS = {
    "reach": "Reach: trainees named in CLM activities or with a completed opportunity",
    "floor_coverage": "Floor coverage: trainees with a confirmed experience",
    "survey_t_support_trust": "Survey: trainees who feel supported by the Trust (% agree)",
}


def _choices(request: HttpRequest) -> tuple[int, str, str, str]:
    current = training_year_start(timezone.localdate()).year
    value = request.GET.get("year", "")
    year = (
        int(value)
        if value.isascii() and value.isdigit() and FIRST_YEAR <= int(value) <= current
        else current
    )
    kind = request.GET.get("kind", "")
    kind = kind if kind in Trust.Kind.values else ""
    indicator = request.GET.get("indicator", "")
    indicator = indicator if indicator in INDICATORS else "reach"
    sort = "size" if request.GET.get("sort") == "size" else "name"
    return year, kind, indicator, sort


def _rows(summary: dict, kind: str, sort: str) -> list[dict]:
    rows = [
        {"ods": ods, **trust}
        for ods, trust in summary["trusts"].items()
        if not kind or trust["kind"] == kind
    ]
    for row in rows:
        trainees = row["trainees"]
        row["per_100"] = round(100 * row["activities"] / trainees, 1) if trainees else None
        allocation = row["allocation_hours"]
        row["multiple"] = round(row["hours"] / allocation, 1) if allocation else None
    key = (lambda r: (-r["trainees"], r["name"])) if sort == "size" else (lambda r: r["name"])
    return sorted(rows, key=key)


def _spread(rows: list[dict]) -> list[dict]:
    found = []
    for name, label in INDICATORS.items():
        values = [r["indicators"][name]["percent"] for r in rows if name in r["indicators"]]
        if values:
            found.append(
                {
                    "label": label,
                    "trusts": len(values),
                    "low": min(values),
                    "middle": round(median(values), 1),
                    "high": max(values),
                }
            )
    return found


@role_required(Role.DEANERY)
def region(request: HttpRequest) -> HttpResponse:
    year, kind, indicator, sort = _choices(request)
    snapshot = regional_snapshot(year=year)
    summary = snapshot.figures
    rows = _rows(summary, kind, sort)
    regional = summary["region"]["indicators"].get(indicator)
    chart = ""
    if regional:
        chart = funnel_svg(
            [
                {
                    "name": r["name"],
                    "flag": r["indicators"][indicator]["flag"],
                    "numerator": r["indicators"][indicator]["numerator"],
                    "denominator": r["indicators"][indicator]["denominator"],
                }
                for r in rows
                if indicator in r["indicators"]
            ],
            regional["numerator"] / regional["denominator"],
            f"Funnel plot of {INDICATORS[indicator].split(':')[0].lower()} by Trust against its denominator",
        )
    current = training_year_start(timezone.localdate()).year
    return render(
        request,
        "reports/region.html",
        {
            "summary": summary,
            "computed_at": snapshot.computed_at,
            "region": summary["region"],
            "rows": rows,
            "rows_html": trust_rows_html(rows, INDICATORS),
            "spread": _spread(rows),
            "year": year,
            "years": list(range(current, FIRST_YEAR - 1, -1)),
            "kind": kind,
            "kinds": Trust.Kind.choices,
            "indicator": indicator,
            "indicators": INDICATORS,
            "indicator_label": INDICATORS[indicator],
            "regional": regional,
            "chart": chart,
            "sort": sort,
        },
    )


@role_required(Role.DEANERY)
def region_csv(request: HttpRequest) -> HttpResponse:
    year, kind, _, sort = _choices(request)
    rows = _rows(regional_snapshot(year=year).figures, kind, sort)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    header = [
        "ods_code",
        "trust",
        "kind",
        "clm",
        "trainees",
        "hours",
        "allocation_hours",
        "activities",
        "activities_per_100_trainees",
    ]
    for name in INDICATORS:
        header += [
            f"{name}_{field}"
            for field in ("numerator", "denominator", "percent", "ci_low", "ci_high", "flag")
        ]
    writer.writerow(header)
    for row in rows:
        cells = [
            row["ods"],
            row["name"],
            row["kind"],
            row["clm"] or "vacant",
            row["trainees"],
            row["hours"],
            row["allocation_hours"],
            row["activities"],
            row["per_100"],
        ]
        for name in INDICATORS:
            figure = row["indicators"].get(name, {})
            cells += [
                figure.get(f, "")
                for f in ("numerator", "denominator", "percent", "ci_low", "ci_high", "flag")
            ]
        writer.writerow([safe_cell(c) for c in cells])
    response = HttpResponse("\ufeff" + buffer.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="region-{year}.csv"'
    return response


urlpatterns = [
    path("region/", region, name="region"),
    path("region.csv", region_csv, name="region_csv"),
]
