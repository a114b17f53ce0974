"""The region's figures for a training year, per Trust: what `manage.py regional_summary`
prints and what the dashboards show.

Counts come from grouped queries over the whole region (a fixed number however many Trusts);
Trusts are compared by funnel limits around the regional proportion (`funnel.py`), and also
around the proportion of Trusts of the same kind, never ranked. Trainees per Trust are the
year's denominators (`denominators.py`): entered by the deanery, or counted from the portal's
placements, and each Trust's figures say which.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from statistics import median

from django.db import transaction
from django.db.models import Count, Exists, F, OuterRef, Q, Sum
from django.utils import timezone

from clm_portal.kept import Kept
from mentors.models import Activity, Appointment, Responsibility, training_year_start
from mentors.selectors import allocation_between
from opportunities.fairness import gini
from opportunities.models import Application, ApplicationStatus, Opportunity
from surveys.analysis import Results, one_decimal, wilson
from surveys.models import Round
from trusts.models import Membership, Role, Trust

from .denominators import denominators, trainee_counts_record
from .funnel import FunnelPoint
from .models import RegionalSnapshot, ReportStatus, ReportWindow, TrustFigures, YearEndReport

# The survey headlines: % agree of the year's latest published round, where a Trust's figure
# is shown (the surveys' suppression decides; nothing here works around it).
SURVEY_ITEMS = {
    "survey_t_support_trust": ("trainee", "t_support_trust"),
    "survey_t_access": ("trainee", "t_access"),
    "survey_c_know": ("trainee", "c_know"),
}
INDICATOR_LABELS = {
    "reach": "Reach: trainees named in CLM activities or with a completed opportunity",
    "floor_coverage": "Floor coverage: trainees with a confirmed experience",
    "survey_t_support_trust": "Survey: trainees who feel supported by the Trust (% agree)",
    "survey_t_access": "Survey: trainees with access to leadership opportunities (% agree)",
    "survey_c_know": "Survey: trainees who know who their CLM is (% agree)",
}
# A place is filled once it is taken (offered places are still in the balance).
FILLED = (
    ApplicationStatus.ACCEPTED,
    ApplicationStatus.COMPLETED,
    ApplicationStatus.DID_NOT_ATTEND,
)


def year_bounds(year: int) -> tuple[date, date]:
    return date(year, 8, 1), date(year + 1, 7, 31)


def year_moments(year: int) -> tuple[datetime, datetime]:
    start, end = year_bounds(year)
    return (
        timezone.make_aware(datetime.combine(start, time.min)),
        timezone.make_aware(datetime.combine(end + timedelta(days=1), time.min)),
    )


def _indicator(numerator: int, denominator: int, p0: float, *, funnel: bool = True) -> dict:
    # The numerator can exceed a denominator entered by the deanery only if the entry was too
    # low for people the portal holds; the form refuses that, and this keeps the figures sane.
    numerator = min(numerator, denominator)
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


def _kind_comparison(figure: dict, p0: float) -> dict:
    point = FunnelPoint(figure["numerator"], figure["denominator"], p0)
    return {
        "p0": round(100 * p0, 4),
        "limit95": [round(100 * x, 4) for x in point.limit95],
        "limit998": [round(100 * x, 4) for x in point.limit998],
        "flag": point.flag,
    }


def reach_by_trust(trust_ids, start: date, end: date) -> dict[int, int]:
    """Distinct trainees placed in each Trust who were named in its CLM's activities in the
    year or completed an opportunity then: one grouped query with two EXISTS probes. Unnamed
    "trainees reached" are contacts, not people, and are not counted."""
    named = Activity.trainees.through.objects.filter(
        user_id=OuterRef("user_id"),
        activity__trust_id=OuterRef("trust_id"),
        activity__date__gte=start,
        activity__date__lte=end,
    )
    begins, ends = year_moments(start.year)
    completed = Application.objects.filter(
        trainee_id=OuterRef("user_id"),
        status=ApplicationStatus.COMPLETED,
        completed_at__gte=begins,
        completed_at__lt=ends,
    )
    return dict(
        Membership.objects.filter(role=Role.TRAINEE, trust_id__in=trust_ids)
        .filter(Exists(named) | Exists(completed))
        .values("trust_id")
        .annotate(n=Count("user_id", distinct=True))
        .values_list("trust_id", "n")
        .order_by()
    )


def _named_links(trust_ids, start: date, end: date) -> dict[int, int]:
    """Per Trust: each (activity, named trainee of the Trust) pair in the year, the "how many
    experiences" side of the few-or-many chart."""
    return dict(
        Activity.trainees.through.objects.filter(
            activity__trust_id__in=trust_ids,
            activity__date__gte=start,
            activity__date__lte=end,
            user__memberships__role=Role.TRAINEE,
            user__memberships__trust_id=F("activity__trust_id"),
        )
        .values("activity__trust_id")
        .annotate(n=Count("pk"))
        .values_list("activity__trust_id", "n")
        .order_by()
    )


def _experiences(trust_ids, year: int) -> dict[int, list[int]]:
    """Per Trust, confirmed experiences per trainee placed there (those with at least one),
    from the year's completed applications: one grouped query."""
    begins, ends = year_moments(year)
    per_trainee: dict[int, list[int]] = defaultdict(list)
    rows = (
        Application.objects.filter(
            status=ApplicationStatus.COMPLETED,
            completed_at__gte=begins,
            completed_at__lt=ends,
            trainee__memberships__role=Role.TRAINEE,
            trainee__memberships__trust_id__in=trust_ids,
        )
        .values("trainee__memberships__trust_id", "trainee_id")
        .annotate(n=Count("pk"))
        .values_list("trainee__memberships__trust_id", "n")
        .order_by()
    )
    for trust_id, n in rows:
        per_trainee[trust_id].append(n)
    return per_trainee


def opportunities_by_trust(trust_ids, year: int) -> dict[int, dict[str, dict]]:
    """Per Trust and kind: opportunities published in the year, their places, places filled
    and applications. Two grouped queries."""
    begins, ends = year_moments(year)
    published = Q(published_at__gte=begins, published_at__lt=ends)
    found: dict[int, dict[str, dict]] = defaultdict(dict)
    for row in (
        Opportunity.objects.filter(published, trust_id__in=trust_ids)
        .values("trust_id", "kind")
        .annotate(n=Count("pk"), places=Sum("places"))
        .order_by()
    ):
        found[row["trust_id"]][row["kind"]] = {
            "offered": row["n"],
            "places": row["places"] or 0,
            "filled": 0,
            "applications": 0,
        }
    for row in (
        Application.objects.filter(
            opportunity__trust_id__in=trust_ids,
            opportunity__published_at__gte=begins,
            opportunity__published_at__lt=ends,
        )
        .values("opportunity__trust_id", "opportunity__kind")
        .annotate(n=Count("pk"), filled=Count("pk", filter=Q(status__in=FILLED)))
        .order_by()
    ):
        entry = found[row["opportunity__trust_id"]].setdefault(
            row["opportunity__kind"], {"offered": 0, "places": 0, "filled": 0, "applications": 0}
        )
        entry["filled"] = row["filled"]
        entry["applications"] = row["n"]
    return found


def _report_statuses(trust_ids, year: int) -> dict[int, dict]:
    window = ReportWindow.objects.filter(year=year).first()
    found = {}
    for row in YearEndReport.objects.filter(year=year, trust_id__in=trust_ids).values(
        "trust_id", "status", "first_submitted_at", "submitted_at"
    ):
        first = row["first_submitted_at"]
        on_time = None
        if first is not None and window is not None:
            on_time = timezone.localtime(first).date() <= window.due_on
        found[row["trust_id"]] = {
            "status": row["status"],
            "submitted_on": timezone.localtime(first).date().isoformat() if first else None,
            "on_time": on_time,
        }
    return found


def survey_figures(year: int, trusts: list[Trust]) -> tuple[Round | None, dict, dict]:
    """The year's latest published round: per indicator, each shown Trust's (agree, answered)
    and the region's figure."""
    survey = Round.objects.published().filter(year=year).order_by("-opens_on").first()
    counts: dict[str, dict[int, tuple[int, int]]] = {}
    region = {}
    if survey is None:
        return None, counts, region
    summary = Results(survey).summary()
    ods_to_pk = {t.ods_code: t.pk for t in trusts}
    for name, (role, code) in SURVEY_ITEMS.items():
        shown = {}
        for ods, roles in summary["by_trust"].items():
            figure = roles.get(role, {}).get("items", {}).get(code)
            if figure and ods in ods_to_pk:
                shown[ods_to_pk[ods]] = (figure["agree"], figure["answered"])
        counts[name] = shown
        if code in summary["by_role"].get(role, {}):
            region[name] = summary["by_role"][role][code]
    return survey, counts, region


def _spread(values: list[float]) -> dict | None:
    if not values:
        return None
    return {
        "trusts": len(values),
        "low": round(min(values), 1),
        "median": round(median(values), 1),
        "high": round(max(values), 1),
    }


def _medians(rows: list[dict]) -> dict:
    """The median Trust (of `rows`) on each figure the Trust dashboard sets beside its own."""
    found = {}
    for name in INDICATOR_LABELS:
        found[name] = _spread(
            [r["indicators"][name]["percent"] for r in rows if name in r["indicators"]]
        )
    found["hours_multiple"] = _spread(
        [r["hours"] / r["allocation_hours"] for r in rows if r["allocation_hours"]]
    )
    found["activities_per_100"] = _spread(
        [100 * r["activities"] / r["trainees"] for r in rows if r["trainees"]]
    )
    return found


def regional_summary(*, year: int, today: date | None = None) -> dict:
    """Every active Trust's figures for the training year starting in `year`, and the
    region's: about twenty queries, however many Trusts."""
    today = today or timezone.localdate()
    start, end = year_bounds(year)
    until = min(end, today)
    # Every Trust active now, and any that existed for part of the year before closing (a
    # merger): its figures belong to the year even though no report is expected from it.
    trusts = list(
        Trust.objects.filter(Q(is_active=True) | Q(closed_on__gt=start)).order_by("ods_code")
    )
    trust_ids = [t.pk for t in trusts]
    denominator = denominators(year=year, trust_ids=trust_ids, today=today)
    logged: dict[int, dict] = defaultdict(lambda: {"entries": 0, "minutes": 0, "contacts": 0})
    by_responsibility: dict[int, dict[str, dict]] = defaultdict(dict)
    for row in (
        Activity.objects.filter(trust_id__in=trust_ids, date__gte=start, date__lte=end)
        .values("trust_id", "responsibility")
        .annotate(m=Sum("minutes"), entries=Count("pk"), contacts=Sum("trainees_reached"))
        .order_by()
    ):
        total = logged[row["trust_id"]]
        total["entries"] += row["entries"]
        total["minutes"] += row["m"] or 0
        total["contacts"] += row["contacts"] or 0
        by_responsibility[row["trust_id"]][row["responsibility"]] = {
            "entries": row["entries"],
            "hours": float((Decimal(row["m"] or 0) / 60).quantize(Decimal("0.01"))),
        }
    appointments = defaultdict(list)
    for appointment in Appointment.objects.filter(trust_id__in=trust_ids).select_related("user"):
        appointments[appointment.trust_id].append(appointment)
    reach = reach_by_trust(trust_ids, start, end)
    links = _named_links(trust_ids, start, end)
    experiences = _experiences(trust_ids, year)
    opportunities = opportunities_by_trust(trust_ids, year)
    statuses = _report_statuses(trust_ids, year)
    survey, survey_counts, region_survey = survey_figures(year, trusts)

    def people(trust_id: int) -> int:
        return denominator[trust_id].trainees

    counts: dict[str, dict[int, tuple[int, int]]] = {
        "reach": {t: (reach.get(t, 0), people(t)) for t in trust_ids},
        "floor_coverage": {t: (len(experiences.get(t, [])), people(t)) for t in trust_ids},
        **survey_counts,
    }
    kind_of = {t.pk: t.kind for t in trusts}
    p0s: dict[str, float] = {}
    kind_p0s: dict[tuple[str, str], float] = {}
    region_indicators = {}
    by_kind: dict[str, dict] = {}
    for name, per_trust in counts.items():
        pairs = [(min(n, d), d) for n, d in per_trust.values() if d]
        if name in region_survey:
            num, den = region_survey[name]["agree"], region_survey[name]["answered"]
        else:
            num, den = sum(n for n, _ in pairs), sum(d for _, d in pairs)
        if den:
            p0s[name] = num / den
            region_indicators[name] = _indicator(num, den, p0s[name], funnel=False)
        for kind in {kind_of[t] for t in per_trust}:
            kind_pairs = [
                (min(n, d), d) for t, (n, d) in per_trust.items() if d and kind_of[t] == kind
            ]
            kind_den = sum(d for _, d in kind_pairs)
            if kind_den:
                kind_p0s[(kind, name)] = sum(n for n, _ in kind_pairs) / kind_den
                by_kind.setdefault(kind, {"trusts": 0, "indicators": {}})["indicators"][name] = (
                    _indicator(sum(n for n, _ in kind_pairs), kind_den, 0, funnel=False)
                )
    total_hours = Decimal(0)
    total_allocation = Decimal(0)
    out_trusts = {}
    for trust in trusts:
        pk = trust.pk
        hours = (Decimal(logged[pk]["minutes"]) / 60).quantize(Decimal("0.01"))
        allocation = (
            allocation_between(appointments[pk], start, until) if until >= start else Decimal(0)
        )
        total_hours += hours
        total_allocation += allocation
        indicators = {}
        for name, per_trust in counts.items():
            num, den = per_trust.get(pk, (0, 0))
            if den and name in p0s:
                indicators[name] = _indicator(num, den, p0s[name])
                if (trust.kind, name) in kind_p0s:
                    indicators[name]["kind"] = _kind_comparison(
                        indicators[name], kind_p0s[(trust.kind, name)]
                    )
        in_post = sorted(
            (
                a
                for a in appointments[pk]
                if a.starts_on <= until and (not a.ends_on or a.ends_on >= until)
            ),
            key=lambda a: a.starts_on,
        )
        per_trainee = experiences.get(pk, [])
        zeros = max(people(pk) - len(per_trainee), 0)
        experience_total = links.get(pk, 0) + sum(per_trainee)
        reached = min(reach.get(pk, 0), people(pk))
        kinds = opportunities.get(pk, {})
        out_trusts[trust.ods_code] = {
            "name": trust.name,
            "kind": trust.kind,
            "clm": (in_post[-1].user.name or in_post[-1].user.email) if in_post else None,
            "activities": logged[pk]["entries"],
            "contacts": logged[pk]["contacts"],
            "by_responsibility": by_responsibility.get(pk, {}),
            "trainees": people(pk),
            "trainees_source": denominator[pk].source,
            "trainees_counted_on": denominator[pk].counted_on.isoformat(),
            "hours": float(hours),
            "allocation_hours": float(allocation),
            "reached": reached,
            "experiences": experience_total,
            "experiences_per_reached": round(experience_total / reached, 2) if reached else None,
            "gini": gini(per_trainee + [0] * zeros),
            "opportunities": {
                "offered": sum(k["offered"] for k in kinds.values()),
                "places": sum(k["places"] for k in kinds.values()),
                "filled": sum(k["filled"] for k in kinds.values()),
                "applications": sum(k["applications"] for k in kinds.values()),
                "by_kind": kinds,
            },
            "report": statuses.get(pk),
            "indicators": indicators,
        }
    rows = list(out_trusts.values())
    for kind, entry in by_kind.items():
        of_kind = [r for r in rows if r["kind"] == kind]
        entry["trusts"] = len(of_kind)
        entry["medians"] = _medians(of_kind)
    region_kinds: dict[str, dict] = {}
    for row in rows:
        for kind, figures in row["opportunities"]["by_kind"].items():
            entry = region_kinds.setdefault(
                kind, {"offered": 0, "places": 0, "filled": 0, "applications": 0}
            )
            for field in entry:
                entry[field] += figures[field]
    region_responsibilities = {
        code: {
            "entries": sum(r["by_responsibility"].get(code, {}).get("entries", 0) for r in rows),
            "trusts": sum(1 for r in rows if r["by_responsibility"].get(code)),
        }
        for code in Responsibility.values
    }
    expected_ids = set(Trust.objects.open_on(end).values_list("pk", flat=True))
    submitted = sum(
        1
        for t in trusts
        if t.pk in expected_ids
        and (statuses.get(t.pk) or {}).get("status")
        in (ReportStatus.SUBMITTED, ReportStatus.ACCEPTED)
    )
    expected = len(expected_ids)
    return {
        "year": year,
        "region": {
            "trusts": len(trusts),
            "trainees": sum(people(t) for t in trust_ids),
            "hours": float(total_hours),
            "allocation_hours": float(total_allocation),
            "activities": sum(r["activities"] for r in rows),
            "contacts": sum(r["contacts"] for r in rows),
            "indicators": region_indicators,
            "medians": _medians(rows),
            "by_kind": by_kind,
            "by_responsibility": region_responsibilities,
            "opportunities_by_kind": region_kinds,
            "reports": {"expected": expected, "submitted": submitted},
            "survey_round": survey.slug if survey else None,
            "trainees_counted_from": _sources_phrase(denominator.values()),
        },
        "trusts": out_trusts,
    }


def _sources_phrase(found) -> str:
    sources = {d.source for d in found}
    if sources == {"deanery"}:
        return "the deanery's figures"
    if "deanery" in sources:
        return "the deanery's figures where entered, otherwise the portal's placements"
    return "the portal's placements"


# How old the figures may be before a page works them out again: beat refreshes this year's
# every hour, and past years' every night.
SNAPSHOT_MAX_AGE = timedelta(hours=2)
PAST_SNAPSHOT_MAX_AGE = timedelta(hours=26)


def _too_old(year: int, computed_at: datetime, now: datetime) -> bool:
    current = training_year_start(timezone.localdate()).year
    limit = SNAPSHOT_MAX_AGE if year >= current else PAST_SNAPSHOT_MAX_AGE
    return now - computed_at > limit


@transaction.atomic
def _store(year: int, figures: dict, now: datetime) -> RegionalSnapshot:
    snapshot, _ = RegionalSnapshot.objects.update_or_create(
        year=year, defaults={"computed_at": now, "figures": figures, "region": figures["region"]}
    )
    TrustFigures.objects.filter(snapshot=snapshot).delete()
    TrustFigures.objects.bulk_create(
        [
            TrustFigures(snapshot=snapshot, ods_code=ods, figures=trust)
            for ods, trust in figures["trusts"].items()
        ],
        batch_size=500,
    )
    return snapshot


def snapshot_refresh_if_needed(*, year: int, refresh: bool = False) -> datetime:
    """Work the year's figures out again when asked, missing or too old, without reading the
    stored ones (one small query when they are fresh). Returns when they were worked out."""
    now = timezone.now()
    computed_at = (
        RegionalSnapshot.objects.filter(year=year).values_list("computed_at", flat=True).first()
    )
    if not refresh and computed_at is not None and not _too_old(year, computed_at, now):
        return computed_at
    today = timezone.localdate()
    trainee_counts_record(
        year=year, trust_ids=Trust.objects.active().values_list("pk", flat=True), today=today
    )
    return _store(year, regional_summary(year=year, today=today), now).computed_at


def regional_snapshot(*, year: int, refresh: bool = False) -> RegionalSnapshot:
    """The stored figures for `year`, worked out afresh when asked, missing or too old."""
    snapshot = RegionalSnapshot.objects.filter(year=year).first()
    now = timezone.now()
    if refresh or snapshot is None or _too_old(year, snapshot.computed_at, now):
        today = timezone.localdate()
        trainee_counts_record(
            year=year, trust_ids=Trust.objects.active().values_list("pk", flat=True), today=today
        )
        snapshot = _store(year, regional_summary(year=year, today=today), now)
    return snapshot


# Parsed figures by (year, computed_at), in this process: a snapshot never changes once
# stored (a refresh is a new computed_at), and reading and parsing every Trust's figures
# (about 600 KB at national scale) was half the regional dashboard's time.
_PARSED = Kept(most=6)


def snapshot_figures(*, year: int) -> tuple[datetime, dict]:
    """When the year's figures were worked out, and the figures: worked out first if missing
    or too old; read from the database only when this process has not parsed them yet."""
    computed_at = snapshot_refresh_if_needed(year=year)
    key = (year, computed_at)
    found = _PARSED.get(key)
    if found is None:
        found = (
            RegionalSnapshot.objects.filter(year=year, computed_at=computed_at)
            .values_list("figures", flat=True)
            .first()
        )
        if found is None:  # replaced in between: read what is there now
            snapshot = RegionalSnapshot.objects.get(year=year)
            key, found = (year, snapshot.computed_at), snapshot.figures
        _PARSED.put(key, found)
    return key[1], found


# What a page builds from one snapshot (the regional dashboard's rows as HTML, its charts), by
# snapshot and choice, in this process. As with the parsed figures it cannot go stale: a
# refresh is a new computed_at, so a new key. At 200 Trusts the building was a third of the
# dashboard's time; each gunicorn worker builds a choice once per snapshot.
_BUILT = Kept(most=24)


def built_from_snapshot(key: tuple, build: Callable[[], dict]) -> dict:
    """`build()`, or what it returned for the same `key` (which must name the snapshot by its
    year and computed_at) earlier in this process."""
    found = _BUILT.get(key)
    return found if found is not None else _BUILT.put(key, build())


def stored_years() -> list[int]:
    return list(RegionalSnapshot.objects.order_by("-year").values_list("year", flat=True))


def trust_over_years(*, ods_code: str) -> list[dict]:
    """One Trust's figures in every stored year, with the region's part: one query over small
    rows (`TrustFigures`), not every Trust's figures."""
    rows = (
        TrustFigures.objects.filter(ods_code=ods_code)
        .order_by("-snapshot__year")
        .values("snapshot__year", "snapshot__computed_at", "figures", "snapshot__region")
    )
    return [
        {
            "year": row["snapshot__year"],
            "computed_at": row["snapshot__computed_at"],
            "trust": row["figures"],
            "region": row["snapshot__region"],
        }
        for row in rows
    ]
