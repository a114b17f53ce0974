"""The region's figures for a training year, per Trust: what `manage.py regional_summary`
prints (and what the dashboards will show).

Counts come from grouped queries over the whole region (a fixed number however many Trusts);
Trusts are compared by funnel limits around the regional proportion (`funnel.py`), never ranked.
Trainees per Trust are counted from the portal's placements.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta
from decimal import Decimal

from django.db.models import Count, Exists, OuterRef, Sum
from django.utils import timezone

from mentors.models import Activity, Appointment
from mentors.selectors import allocation_between
from opportunities.fairness import region_coverage
from opportunities.models import Application, ApplicationStatus
from surveys.analysis import Results, one_decimal, wilson
from surveys.models import Round
from trusts.models import Membership, Role, Trust

from .funnel import FunnelPoint
from .models import RegionalSnapshot

SURVEY_ITEMS = {"survey_t_support_trust": ("trainee", "t_support_trust")}


def _year_bounds(year: int) -> tuple[date, date]:
    return date(year, 8, 1), date(year + 1, 7, 31)


def _indicator(numerator: int, denominator: int, p0: float, *, funnel: bool = True) -> dict:
    low, high = wilson(numerator, denominator)
    found = {
        "numerator": numerator,
        "denominator": denominator,
        "percent": one_decimal(numerator / denominator),
        "ci_low": one_decimal(low),
        "ci_high": one_decimal(high),
    }
    if funnel:
        point = FunnelPoint(numerator, denominator, p0)
        found.update(
            limit95=[round(100 * x, 4) for x in point.limit95],
            limit998=[round(100 * x, 4) for x in point.limit998],
            flag=point.flag,
        )
    return found


def _reach(trusts, start: date, end: date) -> dict[int, int]:
    """Distinct trainees placed in each Trust who were named in its CLM's activities in the
    year or completed an opportunity then: one grouped query with two EXISTS probes. Unnamed
    "trainees reached" are contacts, not people, and are not counted."""
    named = Activity.trainees.through.objects.filter(
        user_id=OuterRef("user_id"),
        activity__trust_id=OuterRef("trust_id"),
        activity__date__gte=start,
        activity__date__lte=end,
    )
    completed = Application.objects.filter(
        trainee_id=OuterRef("user_id"),
        status=ApplicationStatus.COMPLETED,
        completed_at__date__gte=start,
        completed_at__date__lte=end,
    )
    return dict(
        Membership.objects.filter(role=Role.TRAINEE, trust__in=trusts)
        .filter(Exists(named) | Exists(completed))
        .values("trust_id")
        .annotate(n=Count("user_id", distinct=True))
        .values_list("trust_id", "n")
        .order_by()
    )


def regional_summary(*, year: int, today: date | None = None) -> dict:
    today = today or timezone.localdate()
    start, end = _year_bounds(year)
    until = min(end, today)
    trusts = list(Trust.objects.active().order_by("ods_code"))
    trainees = dict(
        Membership.objects.filter(role=Role.TRAINEE, trust__in=trusts)
        .values("trust_id")
        .annotate(n=Count("pk"))
        .values_list("trust_id", "n")
        .order_by()
    )
    logged = {
        row["trust_id"]: row
        for row in Activity.objects.filter(trust__in=trusts, date__gte=start, date__lte=end)
        .values("trust_id")
        .annotate(m=Sum("minutes"), entries=Count("pk"))
        .order_by()
    }
    minutes = {trust_id: row["m"] for trust_id, row in logged.items()}
    appointments = defaultdict(list)
    for appointment in Appointment.objects.filter(trust__in=trusts).select_related("user"):
        appointments[appointment.trust_id].append(appointment)
    reach = _reach(trusts, start, end)
    coverage = {
        row["trust_id"]: (row["covered"], row["trainees"])
        for row in region_coverage(
            trusts=Trust.objects.filter(pk__in=[t.pk for t in trusts]), year=start
        )
    }
    counts: dict[str, dict[int, tuple[int, int]]] = {
        "reach": {t.pk: (reach.get(t.pk, 0), trainees.get(t.pk, 0)) for t in trusts},
        "floor_coverage": coverage,
    }
    region_survey = {}
    survey = Round.objects.published().filter(year=year).order_by("-opens_on").first()
    if survey is not None:
        summary = Results(survey).summary()
        ods_to_pk = {t.ods_code: t.pk for t in trusts}
        for name, (role, code) in SURVEY_ITEMS.items():
            shown = {}
            for ods, roles in summary["by_trust"].items():
                figure = roles.get(role, {}).get("items", {}).get(code)
                if figure and ods in ods_to_pk:
                    shown[ods_to_pk[ods]] = (figure["agree"], figure["answered"])
            counts[name] = shown
            if code in summary["by_role"][role]:
                region_survey[name] = summary["by_role"][role][code]
    out_trusts = {}
    region_indicators = {}
    p0s = {}
    for name, per_trust in counts.items():
        if name in region_survey:
            figure = region_survey[name]
            num, den = figure["agree"], figure["answered"]
        else:
            num = sum(n for n, d in per_trust.values() if d)
            den = sum(d for _, d in per_trust.values())
        if den:
            p0s[name] = num / den
            region_indicators[name] = _indicator(num, den, p0s[name], funnel=False)
    total_hours = Decimal(0)
    total_allocation = Decimal(0)
    for trust in trusts:
        hours = (Decimal(minutes.get(trust.pk) or 0) / 60).quantize(Decimal("0.01"))
        allocation = (
            allocation_between(appointments[trust.pk], start, until)
            if until >= start
            else Decimal(0)
        )
        total_hours += hours
        total_allocation += allocation
        indicators = {}
        for name, per_trust in counts.items():
            num, den = per_trust.get(trust.pk, (0, 0))
            if den and name in p0s:
                indicators[name] = _indicator(num, den, p0s[name])
        in_post = [
            a
            for a in appointments[trust.pk]
            if a.starts_on <= until and (not a.ends_on or a.ends_on >= until)
        ]
        out_trusts[trust.ods_code] = {
            "name": trust.name,
            "kind": trust.kind,
            "clm": in_post[0].user.name if in_post else None,
            "activities": logged.get(trust.pk, {}).get("entries", 0),
            "trainees": trainees.get(trust.pk, 0),
            "hours": float(hours),
            "allocation_hours": float(allocation),
            "indicators": indicators,
        }
    return {
        "year": year,
        "region": {
            "trusts": len(trusts),
            "trainees": sum(trainees.values()),
            "hours": float(total_hours),
            "allocation_hours": float(total_allocation),
            "indicators": region_indicators,
            "survey_round": survey.slug if survey else None,
            "trainees_counted_from": "the portal's placements",
        },
        "trusts": out_trusts,
    }


# How old the figures may be before the page works them out again (beat refreshes hourly).
SNAPSHOT_MAX_AGE = timedelta(hours=2)


def regional_snapshot(*, year: int, refresh: bool = False) -> RegionalSnapshot:
    """The stored figures for `year`, worked out afresh when asked, missing or too old."""
    snapshot = RegionalSnapshot.objects.filter(year=year).first()
    now = timezone.now()
    if refresh or snapshot is None or now - snapshot.computed_at > SNAPSHOT_MAX_AGE:
        snapshot, _ = RegionalSnapshot.objects.update_or_create(
            year=year, defaults={"computed_at": now, "figures": regional_summary(year=year)}
        )
    return snapshot
