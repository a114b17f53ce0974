"""What a Trust's year-end report says, prefilled from the portal: per responsibility the
activities, hours, trainees reached (named people, and unnamed contacts), named initiatives
and case studies; then opportunities offered and filled by kind with their applications, fair
access, the survey headlines where not suppressed, and hours against the allocation.

`report_content` returns plain JSON-able data (dates as ISO strings): it is what a submitted
report stores as its snapshot, and what the pages, PDF and XLSX are rendered from. About
twenty queries, however many entries the Trust logged.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from decimal import Decimal

from django.db.models import Count, Sum
from django.utils import timezone

from mentors.models import (
    RESPONSIBILITY_DESCRIPTIONS,
    Activity,
    Appointment,
    CaseStudy,
    Responsibility,
)
from mentors.selectors import allocation_between
from opportunities.fairness import fair_access
from opportunities.models import Kind
from trusts.models import Trust

from .denominators import denominators
from .models import year_label
from .regional import (
    opportunities_by_trust,
    reach_by_trust,
    survey_figures,
    year_bounds,
    year_moments,
)

# The survey items a report shows, by role, where the Trust's figure is published.
SURVEY_HEADLINES = (
    ("trainee", "t_support_trust", "I feel supported by the Trust in my leadership development"),
    (
        "trainee",
        "t_access",
        "I have access to leadership development opportunities in my current role",
    ),
    (
        "trainee",
        "t_discussed_es",
        "I have discussed leadership with my educational supervisor in the past six months",
    ),
    ("trainee", "c_know", "I know who the Clinical Leadership Mentor at the Trust is"),
    (
        "trainee",
        "c_supported",
        "I feel supported by the clinical leadership mentor in my leadership development",
    ),
    ("supervisor", "e_discuss", "I discuss leadership with trainees"),
    (
        "supervisor",
        "e_opportunities",
        "I understand the opportunities which are available for trainees in leadership development",
    ),
    ("supervisor", "c_know", "I know who the Clinical Leadership Mentor at the Trust is"),
)
ROLE_LABELS = {"trainee": "Trainees", "supervisor": "Educational supervisors"}


def _hours(minutes) -> float:
    return float((Decimal(minutes or 0) / 60).quantize(Decimal("0.01")))


def _share(part: int, whole: int) -> dict:
    return {
        "part": part,
        "whole": whole,
        "percent": round(100 * part / whole, 1) if whole else None,
    }


def _responsibilities(trust: Trust, start: date, end: date) -> tuple[list[dict], int, int]:
    activities = Activity.objects.filter(trust=trust, date__gte=start, date__lte=end)
    totals = {
        row["responsibility"]: row
        for row in activities.values("responsibility")
        .annotate(entries=Count("pk"), minutes=Sum("minutes"), contacts=Sum("trainees_reached"))
        .order_by()
    }
    links = Activity.trainees.through.objects.filter(
        activity__trust=trust, activity__date__gte=start, activity__date__lte=end
    )
    named = dict(
        links.values("activity__responsibility")
        .annotate(n=Count("user_id", distinct=True))
        .values_list("activity__responsibility", "n")
        .order_by()
    )
    named_overall = links.aggregate(n=Count("user_id", distinct=True))["n"] or 0
    initiatives: dict[str, list[str]] = defaultdict(list)
    for responsibility, title in (
        activities.filter(opportunity__isnull=False)
        .values_list("responsibility", "opportunity__title")
        .distinct()
        .order_by("responsibility", "opportunity__title")
    ):
        initiatives[responsibility].append(title)
    studies: dict[str, list[dict]] = defaultdict(list)
    for pk, title, responsibility in (
        CaseStudy.objects.filter(
            trust=trust,
            created_at__gte=year_moments(start.year)[0],
            created_at__lt=year_moments(start.year)[1],
        )
        .order_by("title")
        .values_list("pk", "title", "responsibility")
    ):
        studies[responsibility].append({"id": pk, "title": title})
    sections = []
    for code, label in Responsibility.choices:
        row = totals.get(code, {})
        sections.append(
            {
                "code": code,
                "label": str(label),
                "description": RESPONSIBILITY_DESCRIPTIONS[code],
                "activities": row.get("entries", 0),
                "hours": _hours(row.get("minutes")),
                "named_trainees": named.get(code, 0),
                "contacts": row.get("contacts") or 0,
                "initiatives": initiatives.get(code, []),
                "case_studies": studies.get(code, []),
                "nothing_logged": not row.get("entries"),
            }
        )
    entries = sum(s["activities"] for s in sections)
    return sections, entries, named_overall


def _survey_headlines(trust: Trust, year: int) -> dict:
    survey, _counts, _region = survey_figures(year, [trust])
    if survey is None:
        return {"round": None, "name": None, "items": [], "why_empty": "no published round"}
    from surveys.analysis import Results

    summary = Results(survey).summary()
    mine = summary["by_trust"].get(trust.ods_code, {})
    items = []
    for role, code, text in SURVEY_HEADLINES:
        figure = mine.get(role, {}).get("items", {}).get(code)
        region = summary["by_role"].get(role, {}).get(code)
        if figure is None:
            continue
        items.append(
            {
                "role": role,
                "role_label": ROLE_LABELS[role],
                "code": code,
                "text": text,
                "answered": figure["answered"],
                "agree": figure["agree"],
                "percent": figure["percent_agree"],
                "ci_low": figure["ci_low"],
                "ci_high": figure["ci_high"],
                "region_percent": region["percent_agree"] if region else None,
            }
        )
    why = ""
    if not items:
        why = "too few responses from the Trust to show (fewer than 11)"
    return {"round": survey.slug, "name": survey.name, "items": items, "why_empty": why}


def report_content(*, trust: Trust, year: int, today: date | None = None) -> dict:
    """The prefilled report of `trust` for the training year starting in `year`."""
    today = today or timezone.localdate()
    start, end = year_bounds(year)
    until = min(end, today)
    appointments = list(
        Appointment.objects.filter(trust=trust).overlapping(start, end).select_related("user")
    )
    allocation = allocation_between(appointments, start, until) if until >= start else Decimal(0)
    sections, entries, named = _responsibilities(trust, start, until)
    hours = round(sum(s["hours"] for s in sections), 2)
    denominator = denominators(year=year, trust_ids=[trust.pk], today=today)[trust.pk]
    reached = min(reach_by_trust([trust.pk], start, end).get(trust.pk, 0), denominator.trainees)
    kinds = opportunities_by_trust([trust.pk], year).get(trust.pk, {})
    labels = dict(Kind.choices)
    by_kind = [
        {"kind": kind, "label": str(labels.get(kind, kind)), **figures}
        for kind, figures in sorted(kinds.items(), key=lambda kv: str(labels.get(kv[0], kv[0])))
    ]
    access = fair_access(trust=trust, year=start)
    return {
        "trust": {"ods": trust.ods_code, "name": trust.name, "kind": trust.get_kind_display()},
        "year": year,
        "label": year_label(year),
        "period": {"start": start.isoformat(), "end": end.isoformat(), "until": until.isoformat()},
        "prepared_on": today.isoformat(),
        "clms": [
            {
                "name": a.user.name or a.user.email,
                "from": max(a.starts_on, start).isoformat(),
                "to": min(a.ends_on, end).isoformat() if a.ends_on else None,
                "hours_per_week": float(a.hours_per_week),
            }
            for a in sorted(appointments, key=lambda a: a.starts_on)
        ],
        "hours": hours,
        "allocation_hours": float(allocation),
        "multiple": round(hours / float(allocation), 1) if allocation else None,
        "entries": entries,
        "trainees": denominator.as_dict() | {"says": denominator.says},
        "named_trainees": named,
        "reach": _share(reached, denominator.trainees),
        "contacts": sum(s["contacts"] for s in sections),
        "responsibilities": sections,
        "opportunities": {
            "by_kind": by_kind,
            "offered": sum(k["offered"] for k in by_kind),
            "places": sum(k["places"] for k in by_kind),
            "filled": sum(k["filled"] for k in by_kind),
            "applications": sum(k["applications"] for k in by_kind),
        },
        "fair_access": {
            "trainees": access.trainees,
            "experiences": access.experiences,
            # Over the year's denominator, as on the dashboards (the deanery's number where
            # it entered one); the other fair-access figures are over the portal's trainees.
            "coverage": _share(
                min(access.coverage.part, denominator.trainees), denominator.trainees
            ),
            "gini": access.gini,
            "top_tenth": (
                _share(access.top_tenth.part, access.top_tenth.whole) if access.top_tenth else None
            ),
            "first_timers": _share(access.first_timers.part, access.first_timers.whole),
            "already_placed": _share(access.already_placed.part, access.already_placed.whole),
            "by_invitation": _share(access.by_invitation.part, access.by_invitation.whole),
        },
        "survey": _survey_headlines(trust, year),
    }


def sections_with_narratives(content: dict, narratives: dict) -> list[dict]:
    """The report's sections, each with the CLM's words (or their "nothing this year")."""
    found = []
    for section in content["responsibilities"]:
        words = narratives.get(section["code"], {})
        found.append(
            {**section, "narrative": words.get("text", ""), "nothing": bool(words.get("nothing"))}
        )
    return found


def compendium_content(*, year: int, today: date | None = None) -> dict:
    """The regional compendium: every Trust side by side (the dashboard's figures worked out
    now), who has submitted against the Trusts expected, the spread, and the case studies."""
    from .regional import INDICATOR_LABELS, regional_summary
    from .selectors import case_studies_in_year, submissions_overview

    today = today or timezone.localdate()
    summary = regional_summary(year=year, today=today)
    overview = submissions_overview(year=year)
    window = overview.window
    submissions = [
        {
            "ods": row.trust.ods_code,
            "name": row.trust.name,
            "expected": row.expected,
            "clm": row.clm,
            "status": row.status,
            "status_label": row.status_label,
            "submitted_on": row.submitted_on.isoformat() if row.submitted_on else None,
            "on_time": (row.submitted_on <= window.due_on if row.submitted_on and window else None),
        }
        for row in overview.rows
    ]
    return {
        "year": year,
        "label": year_label(year),
        "prepared_on": today.isoformat(),
        "window": (
            {"opens_on": window.opens_on.isoformat(), "due_on": window.due_on.isoformat()}
            if window
            else None
        ),
        "counts": {
            "expected": overview.expected,
            "submitted": overview.submitted,
            "on_time": overview.on_time,
            "accepted": overview.accepted,
            "returned": overview.returned,
        },
        "submissions": submissions,
        "summary": summary,
        "indicator_labels": INDICATOR_LABELS,
        "responsibilities": [(code, str(label)) for code, label in Responsibility.choices],
        "case_studies": case_studies_in_year(year=year),
    }


def trust_document(*, trust: Trust, year: int, report=None) -> dict:
    """A Trust's report as pages and files show it: the snapshot once submitted (whatever
    the log says now), otherwise the live figures with the draft's words."""
    from .models import ReportStatus

    if report is not None and report.is_frozen:
        snapshot = report.snapshot
        content, narratives, overview = (
            snapshot["content"],
            snapshot["narratives"],
            snapshot.get("overview", ""),
        )
    else:
        content = report_content(trust=trust, year=year)
        narratives = report.narratives if report is not None else {}
        overview = report.overview if report is not None else ""
    status = report.status if report is not None else ReportStatus.DRAFT
    return {
        "content": content,
        "sections": sections_with_narratives(content, narratives),
        "overview": overview,
        "status": status,
        "status_label": ReportStatus(status).label,
        "frozen": report is not None and report.is_frozen,
        "submitted_at": (
            timezone.localtime(report.submitted_at).isoformat()
            if report is not None and report.submitted_at
            else None
        ),
        "submitted_by": (report.snapshot or {}).get("submitted_by") if report else None,
    }
