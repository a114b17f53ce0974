"""The dashboards: the regional one for deanery staff (every Trust for a training year,
compared with the region and with Trusts of its kind by funnel limits, never ranked), a
Trust's own over the years for its CLM and administrators, and the trainee numbers the
deanery enters."""

from __future__ import annotations

import csv
import io
from statistics import median

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils import timezone

from clm_portal.permissions import STAFF_AND_DEANERY, TRUST_STAFF, role_required
from mentors.exports import safe_cell, xlsx_cell
from mentors.models import Responsibility, training_year_start
from opportunities.models import Kind
from trusts.models import Role, Trust

from .. import services
from ..charts import funnel_svg, heat_rows_html, report_words, scatter_svg, trust_rows_html
from ..denominators import portal_counts
from ..forms import TraineeCountsForm
from ..models import year_label
from ..regional import INDICATOR_LABELS as INDICATORS
from ..regional import (
    built_from_snapshot,
    regional_snapshot,
    snapshot_figures,
    snapshot_refresh_if_needed,
    trust_over_years,
)
from ..selectors import trainee_counts_entered, trusts_for_reports

FIRST_YEAR = 2015
COMPARE = {"region": "The region", "kind": "Trusts of the same kind"}
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _year(request: HttpRequest) -> int:
    current = training_year_start(timezone.localdate()).year
    value = request.GET.get("year", "")
    if value.isascii() and value.isdigit() and FIRST_YEAR <= int(value) <= current:
        return int(value)
    return current


def _choices(request: HttpRequest) -> tuple[int, str, str, str, str]:
    year = _year(request)
    kind = request.GET.get("kind", "")
    kind = kind if kind in Trust.Kind.values else ""
    indicator = request.GET.get("indicator", "")
    indicator = indicator if indicator in INDICATORS else "reach"
    sort = "size" if request.GET.get("sort") == "size" else "name"
    compare = "kind" if request.GET.get("compare") == "kind" and kind else "region"
    return year, kind, indicator, sort, compare


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
        row.setdefault("by_responsibility", {})
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
    for label, values in (
        ("Hours as a multiple of the allocation", [r["multiple"] for r in rows]),
        ("Activities per 100 trainees", [r["per_100"] for r in rows]),
    ):
        values = [v for v in values if v is not None]
        if values:
            found.append(
                {
                    "label": label,
                    "trusts": len(values),
                    "low": min(values),
                    "middle": round(median(values), 1),
                    "high": max(values),
                    "plain": True,
                }
            )
    return found


def _funnel(rows: list[dict], summary: dict, indicator: str, kind: str, compare: str):
    """The funnel of `indicator` around the region's proportion, or around that of the chosen
    kind of Trust; and the proportion it is drawn around."""
    if compare == "kind":
        pooled = summary["region"].get("by_kind", {}).get(kind, {}).get("indicators", {})
        regional = pooled.get(indicator)
    else:
        regional = summary["region"]["indicators"].get(indicator)
    if not regional:
        return "", None

    def flag(row):
        figure = row["indicators"][indicator]
        if compare == "kind":
            return figure.get("kind", {}).get("flag", "none")
        return figure["flag"]

    label = INDICATORS[indicator].split(":")[0].lower()
    against = "Trusts of the same kind" if compare == "kind" else "the region"
    chart = funnel_svg(
        [
            {
                "name": r["name"],
                "flag": flag(r),
                "numerator": r["indicators"][indicator]["numerator"],
                "denominator": r["indicators"][indicator]["denominator"],
            }
            for r in rows
            if indicator in r["indicators"]
        ],
        regional["numerator"] / regional["denominator"],
        f"Funnel plot of {label} by Trust against its denominator, around {against}",
    )
    return chart, regional


def _opportunity_kinds(summary: dict) -> list[dict]:
    labels = dict(Kind.choices)
    found = summary["region"].get("opportunities_by_kind", {})
    return [
        {"label": labels.get(kind, kind), **figures}
        for kind, figures in sorted(found.items(), key=lambda kv: str(labels.get(kv[0], kv[0])))
    ]


def _by_kind(summary: dict) -> list[dict]:
    labels = dict(Trust.Kind.choices)
    found = []
    for kind, entry in sorted(summary["region"].get("by_kind", {}).items()):
        found.append(
            {
                "label": labels.get(kind, kind),
                "trusts": entry["trusts"],
                "indicators": [
                    (INDICATORS[name], entry["indicators"].get(name)) for name in INDICATORS
                ],
            }
        )
    return found


def _region_parts(
    computed_at, summary: dict, year: int, kind: str, sort: str, indicator: str, compare: str
) -> dict:
    """The parts of the dashboard that grow with the number of Trusts (a row per Trust in two
    tables, a point per Trust in two charts), built once per snapshot and choice."""

    def build() -> dict:
        rows = _rows(summary, kind, sort)
        chart, regional = _funnel(rows, summary, indicator, kind, compare)
        few_or_many = scatter_svg(
            [
                {
                    "name": r["name"],
                    "x": r["indicators"].get("reach", {}).get("percent"),
                    "y": r.get("experiences_per_reached"),
                }
                for r in rows
            ],
            "Reach against experiences per trainee reached, one point per Trust",
        )
        return {
            "trusts_shown": len(rows),
            "rows_html": trust_rows_html(rows, INDICATORS),
            "heat_html": heat_rows_html(rows, Responsibility.choices),
            "few_or_many": few_or_many,
            "spread": _spread(rows),
            "chart": chart,
            "regional": regional,
        }

    return built_from_snapshot(("region", year, computed_at, kind, sort, indicator, compare), build)


@role_required(Role.DEANERY)
def region(request: HttpRequest) -> HttpResponse:
    year, kind, indicator, sort, compare = _choices(request)
    computed_at, summary = snapshot_figures(year=year)
    current = training_year_start(timezone.localdate()).year
    return render(
        request,
        "reports/region.html",
        {
            **_region_parts(computed_at, summary, year, kind, sort, indicator, compare),
            "summary": summary,
            "computed_at": computed_at,
            "region": summary["region"],
            "responsibilities": Responsibility.choices,
            "by_kind": _by_kind(summary),
            "opportunity_kinds": _opportunity_kinds(summary),
            "year": year,
            "year_label": year_label(year),
            "years": [(y, year_label(y)) for y in range(current, FIRST_YEAR - 1, -1)],
            "kind": kind,
            "kind_label": dict(Trust.Kind.choices).get(kind, ""),
            "kinds": Trust.Kind.choices,
            "indicator": indicator,
            "indicators": INDICATORS,
            "indicator_label": INDICATORS[indicator],
            "sort": sort,
            "compare": compare,
            "compares": COMPARE,
        },
    )


HEADER = [
    "ods_code",
    "trust",
    "kind",
    "clm",
    "trainees",
    "trainees_source",
    "trainees_counted_on",
    "hours",
    "allocation_hours",
    "activities",
    "activities_per_100_trainees",
    "contacts",
    "experiences_per_reached_trainee",
    "experiences_gini",
    "opportunities_offered",
    "places",
    "places_filled",
    "applications",
    "report_status",
]
FIGURES = ("numerator", "denominator", "percent", "ci_low", "ci_high", "flag")


def _table(summary: dict, kind: str, sort: str) -> tuple[list[str], list[list]]:
    header = list(HEADER)
    header += [f"{code}_activities" for code in Responsibility.values]
    for name in INDICATORS:
        header += [f"{name}_{field}" for field in FIGURES] + [f"{name}_flag_among_kind"]
    lines = []
    for row in _rows(summary, kind, sort):
        offered = row.get("opportunities", {})
        cells = [
            row["ods"],
            row["name"],
            row["kind"],
            row["clm"] or "vacant",
            row["trainees"],
            row.get("trainees_source", "portal"),
            row.get("trainees_counted_on", ""),
            row["hours"],
            row["allocation_hours"],
            row["activities"],
            row["per_100"],
            row.get("contacts", ""),
            row.get("experiences_per_reached"),
            row.get("gini"),
            offered.get("offered", ""),
            offered.get("places", ""),
            offered.get("filled", ""),
            offered.get("applications", ""),
            report_words(row.get("report")),
        ]
        cells += [
            row["by_responsibility"].get(code, {}).get("entries", 0)
            for code in Responsibility.values
        ]
        for name in INDICATORS:
            figure = row["indicators"].get(name, {})
            cells += [figure.get(f, "") for f in FIGURES]
            cells.append(figure.get("kind", {}).get("flag", ""))
        lines.append(cells)
    return header, lines


@role_required(Role.DEANERY)
def region_csv(request: HttpRequest) -> HttpResponse:
    year, kind, _, sort, _ = _choices(request)
    header, lines = _table(snapshot_figures(year=year)[1], kind, sort)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(header)
    for cells in lines:
        writer.writerow([safe_cell("" if c is None else c) for c in cells])
    response = HttpResponse("\ufeff" + buffer.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="region-{year}.csv"'
    return response


@role_required(Role.DEANERY)
def region_xlsx(request: HttpRequest) -> HttpResponse:
    from openpyxl import Workbook

    year, kind, _, sort, _ = _choices(request)
    header, lines = _table(snapshot_figures(year=year)[1], kind, sort)
    book = Workbook(write_only=True)
    sheet = book.create_sheet("Region")
    sheet.append(header)
    for cells in lines:
        sheet.append([xlsx_cell(safe_cell(c)) for c in cells])
    buffer = io.BytesIO()
    book.save(buffer)
    response = HttpResponse(buffer.getvalue(), content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="region-{year}.xlsx"'
    return response


# --- A Trust over the years ------------------------------------------------------------------


def _median(region: dict, kind: str | None, name: str) -> tuple[float | None, float | None]:
    """The region's median Trust on a figure, and the median of the Trusts of `kind`."""
    overall = (region.get("medians") or {}).get(name) or {}
    of_kind = ((region.get("by_kind") or {}).get(kind or "", {}).get("medians") or {}).get(
        name
    ) or {}
    return overall.get("median"), of_kind.get("median")


def _trust_years(ods_code: str, kind: str) -> list[dict]:
    found = []
    for row in trust_over_years(ods_code=ods_code):
        mine, region = row["trust"], row["region"]
        multiple = (
            round(mine["hours"] / mine["allocation_hours"], 1) if mine["allocation_hours"] else None
        )
        per_100 = (
            round(100 * mine["activities"] / mine["trainees"], 1) if mine["trainees"] else None
        )
        figures = [
            ("Hours as a multiple of the allocation", multiple, "hours_multiple", False),
            ("Activities per 100 trainees", per_100, "activities_per_100", False),
        ]
        for name, label in INDICATORS.items():
            figure = mine["indicators"].get(name)
            figures.append((label, figure, name, True))
        lines = []
        for label, value, name, is_indicator in figures:
            overall, of_kind = _median(region, kind, name)
            lines.append(
                {
                    "label": label,
                    "value": value,
                    "indicator": is_indicator,
                    "region": overall,
                    "kind": of_kind,
                }
            )
        found.append(
            {
                "year": row["year"],
                "label": year_label(row["year"]),
                "computed_at": row["computed_at"],
                "trust": mine,
                "multiple": multiple,
                "per_100": per_100,
                "lines": lines,
                "report": report_words(mine.get("report")),
            }
        )
    return found


@role_required(*STAFF_AND_DEANERY)
def trust_dashboard(request: HttpRequest, ods_code: str) -> HttpResponse:
    trust = get_object_or_404(trusts_for_reports(user=request.user), ods_code=ods_code)
    current = training_year_start(timezone.localdate()).year
    # This year's and last year's (the year-end report's) figures, worked out if missing or
    # old; earlier years come from the nightly job.
    snapshot_refresh_if_needed(year=current)
    snapshot_refresh_if_needed(year=current - 1)
    years = _trust_years(trust.ods_code, trust.kind)
    if not years:
        raise Http404("No figures for this Trust yet.")
    chosen = _year(request)
    year = next((y for y in years if y["year"] == chosen), years[0])
    mine = year["trust"]
    labels = dict(Kind.choices)
    responsibilities = [
        {
            "label": label,
            "entries": mine.get("by_responsibility", {}).get(code, {}).get("entries", 0),
            "hours": mine.get("by_responsibility", {}).get(code, {}).get("hours", 0),
        }
        for code, label in Responsibility.choices
    ]
    return render(
        request,
        "reports/trust.html",
        {
            "trust": trust,
            "years": years,
            "year": year,
            "responsibilities": responsibilities,
            "opportunity_kinds": [
                {"label": labels.get(kind, kind), **figures}
                for kind, figures in sorted(
                    mine.get("opportunities", {}).get("by_kind", {}).items(),
                    key=lambda kv: str(labels.get(kv[0], kv[0])),
                )
            ],
            "kind_label": trust.get_kind_display(),
            "is_deanery": request.user.has_role(Role.DEANERY),
            "is_staff": request.user.has_any_role(*TRUST_STAFF),
        },
    )


@role_required(*STAFF_AND_DEANERY)
def index(request: HttpRequest) -> HttpResponse:
    """ "Reports" in the header: the region for deanery staff, their Trust for its staff."""
    if request.user.has_role(Role.DEANERY):
        return redirect("reports:region")
    trusts = list(trusts_for_reports(user=request.user))
    if len(trusts) == 1:
        return redirect("reports:trust", ods_code=trusts[0].ods_code)
    return render(request, "reports/index.html", {"trusts": trusts})


# --- Trainee numbers entered by the deanery ---------------------------------------------------


@role_required(Role.DEANERY)
def denominators(request: HttpRequest, year: int) -> HttpResponse:
    current = training_year_start(timezone.localdate()).year
    if not FIRST_YEAR <= year <= current + 1:
        raise Http404
    trusts = list(trusts_for_reports(user=request.user).filter(is_active=True).order_by("name"))
    entered = trainee_counts_entered(year=year)
    held = portal_counts([t.pk for t in trusts])
    form = TraineeCountsForm(
        request.POST or None,
        trusts=trusts,
        entered={pk: row.trainees for pk, row in entered.items()},
        initial={"note": next((r.note for r in entered.values() if r.note), "")},
    )
    if request.method == "POST" and form.is_valid():
        try:
            with transaction.atomic():
                for trust in trusts:
                    value = form.counts()[trust.pk]
                    before = entered.get(trust.pk)
                    if value == (before.trainees if before else None) and (
                        value is None or before.note == form.cleaned_data["note"]
                    ):
                        continue
                    try:
                        services.trainee_count_enter(
                            by=request.user,
                            trust=trust,
                            year=year,
                            trainees=value,
                            note=form.cleaned_data["note"],
                        )
                    except ValidationError as error:
                        form.add_error(f"trust_{trust.pk}", error.messages)
                if form.errors:
                    raise ValidationError("not saved")
        except ValidationError:
            pass
        else:
            messages.success(
                request,
                f"Trainee numbers for {year_label(year)} saved. The dashboards use them from "
                "their next refresh.",
            )
            regional_snapshot(year=year, refresh=True)
            return redirect("reports:denominators", year=year)
    rows = [
        {
            "trust": t,
            "field": form[f"trust_{t.pk}"],
            "held": held.get(t.pk, 0),
            "entered": entered.get(t.pk),
        }
        for t in trusts
    ]
    return render(
        request,
        "reports/denominators.html",
        {
            "form": form,
            "rows": rows,
            "year": year,
            "year_label": year_label(year),
            "years": [(y, year_label(y)) for y in range(current, FIRST_YEAR - 1, -1)],
        },
        status=400 if form.errors else 200,
    )


urlpatterns = [
    path("", index, name="index"),
    path("region/", region, name="region"),
    path("region.csv", region_csv, name="region_csv"),
    path("region.xlsx", region_xlsx, name="region_xlsx"),
    path("trusts/<str:ods_code>/", trust_dashboard, name="trust"),
    path("trainees/<int:year>/", denominators, name="denominators"),
]
