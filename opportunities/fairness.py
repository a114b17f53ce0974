"""Fair access for one Trust and training year: a floor, not a ceiling.

The denominator is every trainee placed in the Trust now (its trainee memberships), including
those with no experience: a share of "those who applied" would hide exactly the trainees the
programme worries about. An experience counts when it was confirmed (the application is
completed) during the training year, whichever Trust hosted it.

- floor coverage: trainees with at least one confirmed experience ÷ trainees; also by stage
  (early F1–ST3 and CT1–CT3, late ST4+; non-training grades are neither) and by specialty;
- Gini coefficient of confirmed experiences per trainee, over all trainees (0: everyone has the
  same; towards 1: a few hold them all); none when no one has any;
- the share of experiences held by the top 10% of trainees (the ceil(10%) with the most; ties
  at the cut are broken arbitrarily, which does not change the share);
- first-timers' offer rate against that of trainees already placed: applications to the
  Trust's opportunities decided in the year that reached an offer, split by whether the
  trainee had a confirmed experience when applying;
- the share of places taken by invitation rather than open application: applications to the
  Trust's opportunities accepted or completed, decided in the year.

Every figure comes from grouped queries: five queries however many trainees there are.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.db.models import Avg, Count, F, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone

from mentors.models import training_year_start
from trusts.models import Membership, Role, Specialty, Trust, grade_stage

from .models import Application, ApplicationStatus, Kind, Rating, Source

# A group's rating change is shown only above this many trainees (the surveys' rule).
MIN_GROUP = 10
REACHED_OFFER = (
    ApplicationStatus.OFFERED,
    ApplicationStatus.ACCEPTED,
    ApplicationStatus.COMPLETED,
    ApplicationStatus.DECLINED,
    ApplicationStatus.OFFER_EXPIRED,
    ApplicationStatus.DID_NOT_ATTEND,
    ApplicationStatus.CANCELLED_BY_HOST,
)
TAKEN = (ApplicationStatus.ACCEPTED, ApplicationStatus.COMPLETED)


def offer_counts() -> dict:
    """Annotations over decided applications: how many (`n`) and how many reached an offer
    (`offered`). distinct: the events join repeats an application once per event."""
    return {
        "n": Count("pk", distinct=True),
        "offered": Count(
            "pk",
            filter=Q(status__in=REACHED_OFFER) | Q(events__to_status=ApplicationStatus.OFFERED),
            distinct=True,
        ),
    }


def place_counts() -> dict:
    """Annotations over places taken (`TAKEN`): how many (`total`) came by the CLM's
    invitation (`invited`)."""
    return {"total": Count("pk"), "invited": Count("pk", filter=Q(source=Source.INVITATION))}


def percent(part: int, whole: int) -> float | None:
    return round(100 * part / whole, 1) if whole else None


@dataclass
class Share:
    label: str
    part: int
    whole: int

    @property
    def percent(self) -> float | None:
        return percent(self.part, self.whole)


@dataclass
class FairAccess:
    trust: Trust
    year: date
    trainees: int = 0
    experiences: int = 0
    coverage: Share | None = None
    by_stage: list[Share] = field(default_factory=list)
    by_specialty: list[Share] = field(default_factory=list)
    gini: float | None = None
    top_tenth: Share | None = None
    first_timers: Share | None = None
    already_placed: Share | None = None
    by_invitation: Share | None = None

    @property
    def year_label(self) -> str:
        return f"{self.year.year}/{(self.year.year + 1) % 100:02d}"


def gini(counts: list[int]) -> float | None:
    """The Gini coefficient of `counts` (all trainees, zeros included); None if all zero."""
    n, total = len(counts), sum(counts)
    if not n or not total:
        return None
    ranked = sorted(counts)
    weighted = sum((i + 1) * x for i, x in enumerate(ranked))
    return round((2 * weighted) / (n * total) - (n + 1) / n, 3)


def top_tenth_share(counts: list[int]) -> Share | None:
    if not counts or not sum(counts):
        return None
    k = math.ceil(len(counts) / 10)
    return Share(f"Top {k} of {len(counts)} trainees", sum(sorted(counts)[-k:]), sum(counts))


def year_bounds(year: date) -> tuple[datetime, datetime]:
    start = timezone.make_aware(datetime.combine(year, time.min))
    end = timezone.make_aware(datetime.combine(date(year.year + 1, 8, 1), time.min))
    return start, end


def fair_access(*, trust: Trust, year: date | None = None) -> FairAccess:
    year = training_year_start(year or timezone.localdate())
    start, end = year_bounds(year)
    result = FairAccess(trust=trust, year=year)
    in_year = Q(
        user__applications__status=ApplicationStatus.COMPLETED,
        user__applications__completed_at__gte=start,
        user__applications__completed_at__lt=end,
    )
    rows = list(
        Membership.objects.filter(trust=trust, role=Role.TRAINEE)
        .annotate(done=Count("user__applications", filter=in_year))
        .values_list("user__trainee_profile__grade", "user__trainee_profile__specialty", "done")
    )
    counts = [done for _grade, _specialty, done in rows]
    result.trainees = len(rows)
    result.experiences = sum(counts)
    result.coverage = Share("All trainees", sum(1 for c in counts if c), len(rows))
    stages: dict[str, list[int]] = {"early": [0, 0], "late": [0, 0]}
    specialties: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for grade, specialty, done in rows:
        if (stage := grade_stage(grade or "")) is not None:
            stages[stage][0] += bool(done)
            stages[stage][1] += 1
        specialties[specialty or ""][0] += bool(done)
        specialties[specialty or ""][1] += 1
    result.by_stage = [
        Share("Early (F1 to ST3, CT1 to CT3)", *stages["early"]),
        Share("Late (ST4 and above)", *stages["late"]),
    ]
    labels = dict(Specialty.choices)
    result.by_specialty = [
        Share(labels.get(code, "Not recorded"), covered, total)
        for code, (covered, total) in sorted(
            specialties.items(), key=lambda kv: labels.get(kv[0], "~")
        )
    ]
    result.gini = gini(counts)
    result.top_tenth = top_tenth_share(counts)

    decided = Application.objects.filter(
        opportunity__trust=trust, decided_at__gte=start, decided_at__lt=end
    )
    offers = {
        first: (n, offered)
        for first, n, offered in decided.values("first_timer")
        .annotate(**offer_counts())
        .values_list("first_timer", "n", "offered")
    }
    n, offered = offers.get(True, (0, 0))
    result.first_timers = Share("First experience", offered, n)
    n, offered = offers.get(False, (0, 0))
    result.already_placed = Share("Already had one", offered, n)
    totals = decided.filter(status__in=TAKEN).aggregate(**place_counts())
    result.by_invitation = Share("Places by invitation", totals["invited"], totals["total"])
    return result


@dataclass
class RatingChange:
    kind: str
    n: int
    leader: float | None
    lead_change: float | None

    @property
    def suppressed(self) -> bool:
        return self.n <= MIN_GROUP


def rating_changes(
    applications: QuerySet[Application], *, year: date | None = None
) -> list[RatingChange]:
    """Per kind of opportunity: how the two self-ratings moved from applying to completion,
    paired, over applications completed in the training year (`year`: any day in it; today
    by default) with both answers. Means only, computed in the
    database; a kind with 10 or fewer such trainees is suppressed (no figure leaves here).

    Read from the completion ratings, each with its application's rating when applying
    (one indexed lookup each, on the unique (application, moment) pair)."""
    start, end = year_bounds(training_year_start(year or timezone.localdate()))
    completed = applications.filter(
        status=ApplicationStatus.COMPLETED, completed_at__gte=start, completed_at__lt=end
    )
    before = Rating.objects.filter(
        application=OuterRef("application"), moment=Rating.Moment.APPLYING
    )
    paired = (
        Rating.objects.filter(
            moment=Rating.Moment.COMPLETION, application__in=completed.values("pk")
        )
        .annotate(
            leader_before=Subquery(before.values("leader")[:1]),
            change_before=Subquery(before.values("lead_change")[:1]),
        )
        .filter(leader_before__isnull=False)
        .order_by()
        .values("application__opportunity__kind")
        .annotate(
            n=Count("pk"),
            leader_mean=Avg(F("leader") - F("leader_before")),
            change_mean=Avg(F("lead_change") - F("change_before")),
        )
    )
    labels = dict(Kind.choices)
    changes = []
    for row in paired:
        change = RatingChange(
            labels.get(
                row["application__opportunity__kind"], row["application__opportunity__kind"]
            ),
            row["n"],
            round(float(row["leader_mean"]), 2),
            round(float(row["change_mean"]), 2),
        )
        if change.suppressed:
            change.leader = change.lead_change = None
        changes.append(change)
    return sorted(changes, key=lambda c: c.kind)


def region_coverage(*, trusts: QuerySet[Trust], year: date | None = None) -> list[dict]:
    """Floor coverage for every Trust in `trusts`, for the deanery: two grouped queries (the
    trainees per Trust, and the trainees per Trust with an experience confirmed in the year,
    read from the year's completed applications rather than from every trainee)."""
    year = training_year_start(year or timezone.localdate())
    start, end = year_bounds(year)
    placed = (
        Membership.objects.filter(role=Role.TRAINEE, trust__in=trusts)
        .values("trust_id", "trust__ods_code", "trust__name")
        .annotate(trainees=Count("pk"))
        .order_by("trust__name")
    )
    covered = dict(
        Application.objects.filter(
            status=ApplicationStatus.COMPLETED,
            completed_at__gte=start,
            completed_at__lt=end,
            trainee__memberships__role=Role.TRAINEE,
            trainee__memberships__trust__in=trusts,
        )
        .order_by()
        .values("trainee__memberships__trust_id")
        .annotate(n=Count("trainee", distinct=True))
        .values_list("trainee__memberships__trust_id", "n")
    )
    return [
        {
            **row,
            "covered": covered.get(row["trust_id"], 0),
            "percent": percent(covered.get(row["trust_id"], 0), row["trainees"]),
        }
        for row in placed
    ]


# --- Every Trust at once, for the deanery: pre-computed ---------------------------------------

# How old a snapshot may be before the page computes a fresh one itself (beat refreshes hourly).
SNAPSHOT_MAX_AGE = timedelta(hours=2)


def region_snapshot(*, year: date | None = None, refresh: bool = False):
    """Every Trust's coverage and the self-rating change for the training year, as stored by
    the hourly beat job (`tasks.fair_access_snapshot_task`); computed now when missing, older
    than SNAPSHOT_MAX_AGE or `refresh` is asked. Live, this is a few hundred milliseconds of
    SQL at national scale: too slow for every page view, fine once an hour."""
    from .models import FairAccessSnapshot

    year = training_year_start(year or timezone.localdate())
    snapshot = FairAccessSnapshot.objects.filter(year=year).first()
    now = timezone.now()
    if snapshot is not None and not refresh and now - snapshot.computed_at <= SNAPSHOT_MAX_AGE:
        return snapshot
    rows = region_coverage(trusts=Trust.objects.active(), year=year)
    changes = [
        {"kind": c.kind, "n": c.n, "leader": c.leader, "lead_change": c.lead_change}
        for c in rating_changes(Application.objects.all(), year=year)
    ]
    snapshot, _ = FairAccessSnapshot.objects.update_or_create(
        year=year, defaults={"computed_at": now, "rows": rows, "changes": changes}
    )
    return snapshot
