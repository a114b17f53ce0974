"""The year-end report files: a Trust's report and the regional compendium, each as a tagged
PDF (WeasyPrint, PDF/UA-1) and an XLSX workbook.

Both are rendered from the plain data of `content.trust_document` and
`content.compendium_content`, so a submitted report's files show its snapshot. Free text
(narratives, names, titles) is escaped by the templates and, in the workbooks, neutralised
by `mentors.exports.safe_cell` so that no cell is ever a formula.
"""

from __future__ import annotations

import io
from datetime import date, datetime

from django.conf import settings
from django.template.loader import render_to_string
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from mentors.exports import safe_cell, xlsx_cell
from trusts.models import Trust

from .charts import funnel_svg
from .models import ReportStatus
from .regional import INDICATOR_LABELS

KIND_LABELS = {value: str(label) for value, label in Trust.Kind.choices}
FLAG_WORDS = {"none": "", "watch": "watch", "outlier": "outlier"}
SPREAD_LABELS = {
    **INDICATOR_LABELS,
    "hours_multiple": "Hours logged as a multiple of the allocation",
    "activities_per_100": "Activities per 100 trainees",
}
PERCENT_FIGURES = set(INDICATOR_LABELS)
# Column headings for the side-by-side table; the full labels are listed under it.
SHORT_LABELS = {
    "reach": "Reach",
    "floor_coverage": "Floor coverage",
    "survey_t_support_trust": "Supported by the Trust (survey)",
    "survey_t_access": "Access to opportunities (survey)",
    "survey_c_know": "Know their CLM (survey)",
}
# Heat-map shades by share of the busiest cell; the number is always printed as well.
SHADES = ((0.75, "h4"), (0.5, "h3"), (0.25, "h2"), (0.0, "h1"))
DATA_HEADERS = [
    "ods_code",
    "trust",
    "year",
    "status",
    "trainees",
    "trainees_source",
    "hours",
    "allocation_hours",
    "entries",
    "reach_percent",
    "floor_coverage_percent",
    "opportunities_offered",
    "places",
    "filled",
    "applications",
]
INDICATOR_FIELDS = ("numerator", "denominator", "percent", "ci_low", "ci_high", "flag")
BOLD = Font(bold=True)


def _day(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


def _moment(value: str | None) -> datetime | None:
    # Excel has no time zones: the local time as written, without its offset.
    return datetime.fromisoformat(value).replace(tzinfo=None) if value else None


def _pdf(template: str, context: dict) -> bytes:
    from weasyprint import HTML

    html = render_to_string(template, context)
    return HTML(string=html, base_url=settings.SITE_URL).write_pdf(pdf_variant="pdf/ua-1")


def _share_words(share: dict | None) -> str:
    if not share or not share["whole"]:
        return "—"
    return f"{share['part']} of {share['whole']} ({share['percent']}%)"


# --- the Trust's report ----------------------------------------------------------------------


def _section_state(section: dict) -> str:
    if section["nothing"]:
        return "Nothing to report this year."
    if section["narrative"]:
        return ""
    if section["nothing_logged"]:
        return "Nothing logged this year."
    return "No narrative written."


def _trust_context(document: dict) -> dict:
    content = document["content"]
    access = content["fair_access"]
    return {
        "document": document,
        "content": content,
        "trust": content["trust"],
        "draft": document["status"] in (ReportStatus.DRAFT, ReportStatus.RETURNED),
        "returned": document["status"] == ReportStatus.RETURNED,
        "accepted": document["status"] == ReportStatus.ACCEPTED,
        "submitted_at": _moment(document["submitted_at"]),
        "period": {name: _day(value) for name, value in content["period"].items()},
        "prepared_on": _day(content["prepared_on"]),
        "clms": [
            {**clm, "from": _day(clm["from"]), "to": _day(clm["to"])} for clm in content["clms"]
        ],
        "sections": [{**s, "state": _section_state(s)} for s in document["sections"]],
        "access": {
            "coverage": _share_words(access["coverage"]),
            "top_tenth": _share_words(access["top_tenth"]),
            "first_timers": _share_words(access["first_timers"]),
            "already_placed": _share_words(access["already_placed"]),
            "by_invitation": _share_words(access["by_invitation"]),
        },
    }


def trust_pdf(document: dict) -> bytes:
    """One Trust's year-end report as a tagged PDF."""
    return _pdf("reports/pdf/trust_report.html", _trust_context(document))


# --- the compendium --------------------------------------------------------------------------


def _indicator_words(figure: dict | None) -> str:
    if not figure:
        return "—"
    words = f"{figure['percent']}% ({figure['numerator']} of {figure['denominator']})"
    flag = FLAG_WORDS.get(figure.get("flag", "none"), "")
    return f"{words} {flag}" if flag else words


def _submissions_sentence(counts: dict, window: dict | None) -> str:
    said = f"{counts['submitted']} of {counts['expected']} expected Trusts submitted"
    if window is None:
        return f"{said}; no due date was set."
    extra = f", {counts['on_time']} on time"
    if counts["accepted"] or counts["returned"]:
        extra += f"; {counts['accepted']} accepted, {counts['returned']} returned to the CLM"
    return f"{said}{extra}."


def _yes_no(value: bool | None) -> str:
    return "—" if value is None else ("Yes" if value else "No")


def _shade(value: int, most: int) -> str:
    if not value or not most:
        return ""
    share = value / most
    return next(name for floor, name in SHADES if share > floor)


def _spread_rows(medians: dict) -> list[dict]:
    rows = []
    for name, label in SPREAD_LABELS.items():
        spread = medians.get(name)
        unit = "%" if name in PERCENT_FIGURES else ""
        rows.append(
            {
                "label": label,
                "cells": (
                    [str(spread["trusts"])]
                    + [f"{spread[k]}{unit}" for k in ("low", "median", "high")]
                    if spread
                    else ["0", "—", "—", "—"]
                ),
            }
        )
    return rows


def _short(name: str) -> str:
    return SHORT_LABELS.get(name) or INDICATOR_LABELS[name].split(":")[0]


def _funnels(summary: dict, rows: list[tuple[str, dict]]) -> list[dict]:
    found = []
    for name, label in INDICATOR_LABELS.items():
        region = summary["region"]["indicators"].get(name)
        if not region or not region["denominator"]:
            continue
        points = [
            {
                "name": trust["name"],
                "flag": trust["indicators"][name]["flag"],
                "numerator": trust["indicators"][name]["numerator"],
                "denominator": trust["indicators"][name]["denominator"],
            }
            for _ods, trust in rows
            if name in trust["indicators"]
        ]
        what = f"Funnel plot of {label.split(':')[0].lower()} by Trust against its denominator"
        chart = funnel_svg(points, region["numerator"] / region["denominator"], what)
        if chart:
            found.append(
                {
                    "label": label,
                    "region": region,
                    "chart": chart,
                    "trusts": len(points),
                    "flagged": sum(1 for p in points if p["flag"] != "none"),
                }
            )
    return found


def _compendium_context(compendium: dict) -> dict:
    summary = compendium["summary"]
    rows = sorted(summary["trusts"].items(), key=lambda kv: kv[1]["name"])
    codes = [code for code, _label in compendium["responsibilities"]]
    most = max(
        (
            figures.get("entries", 0)
            for _ods, trust in rows
            for figures in trust["by_responsibility"].values()
        ),
        default=0,
    )
    side_by_side, heat = [], []
    for ods, trust in rows:
        allocation = trust["allocation_hours"]
        multiple = f" ({round(trust['hours'] / allocation, 1)}×)" if allocation else ""
        side_by_side.append(
            {
                "name": trust["name"],
                "ods": ods,
                "cells": [
                    str(trust["trainees"]),
                    f"{trust['hours']} of {allocation}{multiple}",
                    str(trust["activities"]),
                    *(_indicator_words(trust["indicators"].get(n)) for n in INDICATOR_LABELS),
                ],
            }
        )
        counts = [trust["by_responsibility"].get(c, {}).get("entries", 0) for c in codes]
        heat.append(
            {
                "name": trust["name"],
                "ods": ods,
                "cells": [(n, _shade(n, most)) for n in counts],
                "total": sum(counts),
            }
        )
    submissions = [
        {
            **row,
            "cells": [
                row["ods"],
                _yes_no(row["expected"]),
                row["clm"] or "Vacant",
                row["status_label"],
                f"{_day(row['submitted_on']):%-d %b %Y}" if row["submitted_on"] else "—",
                _yes_no(row["on_time"]),
            ],
        }
        for row in compendium["submissions"]
    ]
    window = compendium["window"]
    return {
        "compendium": compendium,
        "region": summary["region"],
        "prepared_on": _day(compendium["prepared_on"]),
        "due_on": _day(window["due_on"]) if window else None,
        "sentence": _submissions_sentence(compendium["counts"], window),
        "submissions": submissions,
        "short_labels": [_short(name) for name in INDICATOR_LABELS],
        "indicator_labels": [
            {"short": _short(name), "full": label} for name, label in INDICATOR_LABELS.items()
        ],
        "side_by_side": side_by_side,
        "responsibilities": compendium["responsibilities"],
        "heat": heat,
        "spread": _spread_rows(summary["region"]["medians"]),
        "funnels": _funnels(summary, rows),
        "case_studies": compendium["case_studies"],
    }


def compendium_pdf(compendium: dict) -> bytes:
    """The regional compendium as a tagged PDF."""
    return _pdf("reports/pdf/compendium.html", _compendium_context(compendium))


# --- workbooks -------------------------------------------------------------------------------


def _value(value):
    # Every text cell: never a formula, never a character the file format refuses.
    if isinstance(value, str):
        return xlsx_cell(safe_cell(value))
    return value


def _sheet(workbook: Workbook, title: str, headers: list[str], rows, widths=()) -> None:
    sheet = workbook.create_sheet(title)
    for n, width in enumerate(widths):
        sheet.column_dimensions[get_column_letter(n + 1)].width = width
    sheet.freeze_panes = "A2"
    header = []
    for text in headers:
        cell = WriteOnlyCell(sheet, value=_value(text))
        cell.font = BOLD
        header.append(cell)
    sheet.append(header)
    for row in rows:
        sheet.append([_value(v) for v in row])


def _bytes(workbook: Workbook) -> bytes:
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _responsibility_headers(codes) -> list[str]:
    return [f"{code}_{what}" for code in codes for what in ("activities", "hours")]


def _trust_data_row(document: dict) -> list:
    """The Trust's headline figures in the columns of the Data sheets (DATA_HEADERS, then
    each responsibility's activities and hours)."""
    content = document["content"]
    opportunities = content["opportunities"]
    row = [
        content["trust"]["ods"],
        content["trust"]["name"],
        content["year"],
        document["status"],
        content["trainees"]["trainees"],
        content["trainees"]["source"],
        content["hours"],
        content["allocation_hours"],
        content["entries"],
        content["reach"]["percent"],
        content["fair_access"]["coverage"]["percent"],
        opportunities["offered"],
        opportunities["places"],
        opportunities["filled"],
        opportunities["applications"],
    ]
    for section in content["responsibilities"]:
        row += [section["activities"], section["hours"]]
    return row


def trust_xlsx(document: dict) -> bytes:
    """One Trust's year-end report as a workbook: Summary, Responsibilities, Opportunities,
    Fair access, Survey, and a Data sheet of one row."""
    content = document["content"]
    trust, trainees, reach = content["trust"], content["trainees"], content["reach"]
    workbook = Workbook(write_only=True)
    summary = [
        ("Trust", trust["name"]),
        ("ODS code", trust["ods"]),
        ("Kind", trust["kind"]),
        ("Training year", content["label"]),
        ("Year starts", _day(content["period"]["start"])),
        ("Year ends", _day(content["period"]["end"])),
        ("Figures up to", _day(content["period"]["until"])),
        ("Prepared on", _day(content["prepared_on"])),
        ("Status", document["status_label"]),
        ("Submitted at", _moment(document["submitted_at"]) if document["frozen"] else None),
        ("Submitted by", document["submitted_by"] if document["frozen"] else None),
        ("CLMs in post", "; ".join(clm["name"] for clm in content["clms"])),
        ("Hours logged", content["hours"]),
        ("Allocation (hours)", content["allocation_hours"]),
        ("Hours as a multiple of the allocation", content["multiple"]),
        ("Activities logged", content["entries"]),
        ("Trainees", trainees["trainees"]),
        ("Trainees: how counted", trainees["says"]),
        ("Trainees: note", trainees["note"]),
        ("Named trainees", content["named_trainees"]),
        ("Trainees reached", reach["part"]),
        ("Reach (%)", reach["percent"]),
        ("Unnamed contacts", content["contacts"]),
        ("The year in brief", document["overview"]),
    ]
    _sheet(workbook, "Summary", ["Item", "Value"], summary, widths=(38, 80))
    _sheet(
        workbook,
        "Responsibilities",
        [
            "Code",
            "Responsibility",
            "Activities",
            "Hours",
            "Named trainees",
            "Contacts",
            "Named initiatives",
            "Case studies",
            "Nothing to report",
            "Narrative",
        ],
        (
            [
                s["code"],
                s["label"],
                s["activities"],
                s["hours"],
                s["named_trainees"],
                s["contacts"],
                "; ".join(s["initiatives"]),
                "; ".join(study["title"] for study in s["case_studies"]),
                s["nothing"],
                s["narrative"] or _section_state(s),
            ]
            for s in document["sections"]
        ),
        widths=(18, 40, 10, 10, 14, 10, 40, 40, 16, 80),
    )
    opportunities = content["opportunities"]
    _sheet(
        workbook,
        "Opportunities",
        ["Kind", "Kind label", "Offered", "Places", "Filled", "Applications"],
        [
            *(
                [k["kind"], k["label"], k["offered"], k["places"], k["filled"], k["applications"]]
                for k in opportunities["by_kind"]
            ),
            [
                None,
                "All kinds",
                opportunities["offered"],
                opportunities["places"],
                opportunities["filled"],
                opportunities["applications"],
            ],
        ],
        widths=(18, 30),
    )
    access = content["fair_access"]
    shares = [
        ("Floor coverage: trainees with a confirmed experience", access["coverage"]),
        ("Experiences held by the top tenth of trainees", access["top_tenth"]),
        ("Offer rate, first experience", access["first_timers"]),
        ("Offer rate, already had one", access["already_placed"]),
        ("Places taken by invitation", access["by_invitation"]),
    ]
    _sheet(
        workbook,
        "Fair access",
        ["Measure", "Part", "Whole", "Percent", "Value"],
        [
            ["Trainees", None, None, None, access["trainees"]],
            ["Confirmed experiences", None, None, None, access["experiences"]],
            ["Gini coefficient of experiences per trainee", None, None, None, access["gini"]],
            *(
                [label, s["part"], s["whole"], s["percent"], None] if s else [label]
                for label, s in shares
            ),
        ],
        widths=(50,),
    )
    survey = content["survey"]
    _sheet(
        workbook,
        "Survey",
        [
            "Round",
            "Respondents",
            "Item",
            "Statement",
            "Answered",
            "Agree",
            "Percent agree",
            "95% CI low",
            "95% CI high",
            "Region percent agree",
        ],
        (
            [
                [
                    survey["name"],
                    i["role_label"],
                    i["code"],
                    i["text"],
                    i["answered"],
                    i["agree"],
                    i["percent"],
                    i["ci_low"],
                    i["ci_high"],
                    i["region_percent"],
                ]
                for i in survey["items"]
            ]
            or [[survey["name"], None, None, f"No survey headlines: {survey['why_empty']}"]]
        ),
        widths=(20, 20, 16, 70),
    )
    codes = [s["code"] for s in content["responsibilities"]]
    _sheet(
        workbook,
        "Data",
        DATA_HEADERS + _responsibility_headers(codes),
        [_trust_data_row(document)],
    )
    return _bytes(workbook)


def _compendium_data_rows(compendium: dict, codes: list[str]):
    year = compendium["year"]
    for ods, trust in sorted(compendium["summary"]["trusts"].items()):
        opportunities = trust["opportunities"]
        indicators = trust["indicators"]
        row = [
            ods,
            trust["name"],
            year,
            trust["report"]["status"] if trust["report"] else "not_started",
            trust["trainees"],
            trust["trainees_source"],
            trust["hours"],
            trust["allocation_hours"],
            trust["activities"],
            indicators.get("reach", {}).get("percent"),
            indicators.get("floor_coverage", {}).get("percent"),
            opportunities["offered"],
            opportunities["places"],
            opportunities["filled"],
            opportunities["applications"],
        ]
        for code in codes:
            figures = trust["by_responsibility"].get(code, {})
            row += [figures.get("entries", 0), figures.get("hours", 0.0)]
        for name in INDICATOR_LABELS:
            figure = indicators.get(name, {})
            row += [figure.get(field) for field in INDICATOR_FIELDS]
        yield row


def compendium_xlsx(compendium: dict) -> bytes:
    """The regional compendium as a workbook: Submissions, Trusts, Responsibilities (the heat
    map's numbers), Spread, Case studies, and a Data sheet of one row per active Trust."""
    summary = compendium["summary"]
    rows = sorted(summary["trusts"].items(), key=lambda kv: kv[1]["name"])
    responsibilities = compendium["responsibilities"]
    codes = [code for code, _label in responsibilities]
    workbook = Workbook(write_only=True)
    _sheet(
        workbook,
        "Submissions",
        ["ODS code", "Trust", "Expected", "CLM", "Status", "Submitted on", "On time"],
        (
            [
                s["ods"],
                s["name"],
                s["expected"],
                s["clm"],
                s["status_label"],
                _day(s["submitted_on"]),
                s["on_time"],
            ]
            for s in compendium["submissions"]
        ),
        widths=(10, 45, 10, 30, 14, 14, 10),
    )
    trust_headers = [
        "ODS code",
        "Trust",
        "Kind",
        "CLM",
        "Trainees",
        "Trainees: how counted",
        "Hours logged",
        "Allocation (hours)",
        "Activities",
        "Contacts",
    ]
    for label in INDICATOR_LABELS.values():
        trust_headers += [f"{label}: percent", f"{label}: flag"]
    _sheet(
        workbook,
        "Trusts",
        trust_headers,
        (
            [
                ods,
                t["name"],
                KIND_LABELS.get(t["kind"], t["kind"]),
                t["clm"],
                t["trainees"],
                t["trainees_source"],
                t["hours"],
                t["allocation_hours"],
                t["activities"],
                t["contacts"],
                *(
                    value
                    for name in INDICATOR_LABELS
                    for value in (
                        t["indicators"].get(name, {}).get("percent"),
                        t["indicators"].get(name, {}).get("flag"),
                    )
                ),
            ]
            for ods, t in rows
        ),
        widths=(10, 45),
    )
    _sheet(
        workbook,
        "Responsibilities",
        ["ODS code", "Trust", *(label for _code, label in responsibilities), "All"],
        (
            [
                ods,
                t["name"],
                *(t["by_responsibility"].get(c, {}).get("entries", 0) for c in codes),
                t["activities"],
            ]
            for ods, t in rows
        ),
        widths=(10, 45),
    )
    medians = summary["region"]["medians"]
    _sheet(
        workbook,
        "Spread",
        ["Figure", "Label", "Trusts", "Lowest", "Median", "Highest"],
        (
            [
                name,
                label,
                *((medians.get(name) or {}).get(k) for k in ("trusts", "low", "median", "high")),
            ]
            for name, label in SPREAD_LABELS.items()
        ),
        widths=(24, 70),
    )
    _sheet(
        workbook,
        "Case studies",
        ["Title", "Trust", "ODS code", "Responsibility"],
        (
            [c["title"], c["trust"], c["ods"], c["responsibility"]]
            for c in compendium["case_studies"]
        ),
        widths=(60, 45, 10, 45),
    )
    indicator_headers = [
        f"{name}_{field}" for name in INDICATOR_LABELS for field in INDICATOR_FIELDS
    ]
    _sheet(
        workbook,
        "Data",
        DATA_HEADERS + _responsibility_headers(codes) + indicator_headers,
        _compendium_data_rows(compendium, codes),
    )
    return _bytes(workbook)
