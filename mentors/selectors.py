"""Reads for the CLM activity log: what each reader may see, and time against the allocation."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal

from django.db.models import Count, Min, Q, QuerySet, Sum
from django.db.models.functions import TruncMonth, TruncWeek

from clm_portal.permissions import TRUST_STAFF, trust_ids_in_scope
from trusts.models import Role, Trust, User

from .models import (
    Activity,
    Appointment,
    CaseStudy,
    NetworkDay,
    Responsibility,
    TrainingYear,
    training_year_start,
    week_start,
)


def activities_visible_to(*, user: User) -> QuerySet[Activity]:
    """The log entries of the reader's Trust(s); every Trust's for deanery staff."""
    qs = Activity.objects.select_related("trust", "logged_by")
    ids = trust_ids_in_scope(user, *TRUST_STAFF)
    return qs if ids is None else qs.filter(trust_id__in=ids)


def log_trusts_for(*, user: User) -> QuerySet[Trust]:
    """The Trusts whose log the reader may open."""
    ids = trust_ids_in_scope(user, *TRUST_STAFF)
    qs = Trust.objects.all()
    return qs if ids is None else qs.filter(pk__in=ids)


def appointment_for(*, user: User, trust: Trust | None = None, on: date | None = None):
    """The CLM's appointment covering `on` (today), in `trust` if given."""
    qs = Appointment.objects.filter(user=user).current(on).select_related("trust")
    if trust is not None:
        qs = qs.filter(trust=trust)
    return qs.order_by("-starts_on").first()


def trainees_of(*, trust: Trust) -> QuerySet[User]:
    return User.objects.filter(memberships__trust=trust, memberships__role=Role.TRAINEE).order_by(
        "name"
    )


def closed_year_starts() -> set[date]:
    return set(
        TrainingYear.objects.filter(closed_at__isnull=False).values_list("starts_on", flat=True)
    )


def is_locked(day: date) -> bool:
    """Whether `day` falls in a closed training year."""
    return TrainingYear.objects.filter(
        starts_on=training_year_start(day), closed_at__isnull=False
    ).exists()


@dataclass
class Period:
    label: str
    start: date
    end: date
    hours: Decimal = Decimal(0)
    allocation: Decimal = Decimal(0)
    entries: int = 0
    # Running totals from the start of the training year (weeks only).
    hours_to_date: Decimal | None = None
    allocation_to_date: Decimal | None = None

    @property
    def difference(self) -> Decimal:
        return self.hours - self.allocation

    @property
    def over(self) -> bool:
        return self.hours > self.allocation


@dataclass
class ResponsibilityTotal:
    code: str
    label: str
    hours: Decimal
    trainees_reached: int
    entries: int


@dataclass
class TimeSummary:
    trust: Trust
    year: Period
    this_week: Period
    weeks: list[Period] = field(default_factory=list)  # newest first
    months: list[Period] = field(default_factory=list)  # newest first
    by_responsibility: list[ResponsibilityTotal] = field(default_factory=list)


def _hours(minutes) -> Decimal:
    return (Decimal(minutes or 0) / 60).quantize(Decimal("0.01"))


def _allocation(appointments: list[Appointment], start: date, end: date) -> Decimal:
    return sum((a.allocated_hours(start, end) for a in appointments), Decimal(0))


def time_summary(*, trust: Trust, today: date, year_start: date | None = None) -> TimeSummary:
    """Hours logged in a Trust per week, month and training year against the CLM allocation.

    Four queries whatever the size of the log (two more when today's week is not all in the
    year shown).
    The allocation is the appointments' hours a week
    for the days they cover; a future part of the year counts only up to `today`.
    """
    year_start = year_start or training_year_start(today)
    year_end = date(year_start.year + 1, 7, 31)
    upto = min(today, year_end)
    appointments = list(Appointment.objects.filter(trust=trust).overlapping(year_start, year_end))
    activities = Activity.objects.for_trust(trust).between(year_start, upto)

    by_week = {
        _day(row["week"]): row
        for row in activities.annotate(week=TruncWeek("date"))
        .values("week")
        .annotate(minutes=Sum("minutes"), n=Count("id"))
    }
    by_month = {
        _day(row["month"]): row
        for row in activities.annotate(month=TruncMonth("date"))
        .values("month")
        .annotate(minutes=Sum("minutes"), n=Count("id"))
    }
    by_resp = {
        row["responsibility"]: row
        for row in activities.values("responsibility").annotate(
            minutes=Sum("minutes"), reached=Sum("trainees_reached"), n=Count("id")
        )
    }

    weeks: list[Period] = []
    week_minutes: list[int] = []
    monday = week_start(year_start)
    while monday <= upto:
        sunday = monday + timedelta(days=6)
        row = by_week.get(monday, {})
        start = max(monday, year_start)
        weeks.append(
            Period(
                label=f"Week of {monday:%-d %b %Y}",
                start=monday,
                end=sunday,
                hours=_hours(row.get("minutes")),
                allocation=_allocation(appointments, start, min(sunday, year_end)),
                entries=row.get("n", 0),
            )
        )
        week_minutes.append(row.get("minutes") or 0)
        monday += timedelta(days=7)

    months: list[Period] = []
    first = year_start
    while first <= upto:
        nxt = date(first.year + (first.month == 12), first.month % 12 + 1, 1)
        last = min(nxt - timedelta(days=1), upto)
        row = by_month.get(first, {})
        months.append(
            Period(
                label=f"{first:%B %Y}",
                start=first,
                end=last,
                hours=_hours(row.get("minutes")),
                allocation=_allocation(appointments, first, last),
                entries=row.get("n", 0),
            )
        )
        first = nxt

    # Running totals from minutes, not from rounded weekly hours (3 × 20 minutes is 1 hour).
    minutes_so_far = 0
    allocation_so_far = Decimal(0)
    for week, minutes in zip(weeks, week_minutes, strict=True):
        minutes_so_far += minutes
        allocation_so_far += week.allocation
        week.hours_to_date, week.allocation_to_date = _hours(minutes_so_far), allocation_so_far

    this_monday = week_start(today)
    this_week = next((w for w in weeks if w.start == this_monday >= year_start), None)
    if this_week is None:
        # Another training year is shown, or this week began in the last one: "this week" is
        # still Monday to Sunday of today's week.
        this_week = week_summary(trust=trust, today=today)
    year = Period(
        label=f"{year_start.year}/{(year_start.year + 1) % 100:02d}",
        start=year_start,
        end=upto,
        hours=_hours(minutes_so_far),
        allocation=_allocation(appointments, year_start, upto),
        entries=sum(w.entries for w in weeks),
    )
    return TimeSummary(
        trust=trust,
        year=year,
        this_week=this_week,
        weeks=list(reversed(weeks)),
        months=list(reversed(months)),
        by_responsibility=[
            ResponsibilityTotal(
                code=code,
                label=label,
                hours=_hours(by_resp.get(code, {}).get("minutes")),
                trainees_reached=by_resp.get(code, {}).get("reached") or 0,
                entries=by_resp.get(code, {}).get("n", 0),
            )
            for code, label in Responsibility.choices
        ],
    )


def _day(value) -> date:
    """TruncWeek/TruncMonth may give a datetime on some databases; compare as dates."""
    return value.date() if isinstance(value, datetime) else value


def week_summary(*, trust: Trust, today: date) -> Period:
    """This week's hours in the Trust against the allocation (two queries)."""
    monday = week_start(today)
    sunday = monday + timedelta(days=6)
    totals = (
        Activity.objects.for_trust(trust)
        .between(monday, sunday)
        .aggregate(minutes=Sum("minutes"), n=Count("id"))
    )
    appointments = list(Appointment.objects.filter(trust=trust).overlapping(monday, sunday))
    return Period(
        label=f"Week of {monday:%-d %b %Y}",
        start=monday,
        end=sunday,
        hours=_hours(totals["minutes"]),
        allocation=_allocation(appointments, monday, sunday),
        entries=totals["n"],
    )


def case_studies_search(*, query: str = "", responsibility: str = "") -> QuerySet[CaseStudy]:
    qs = CaseStudy.objects.select_related("trust", "author")
    if query:
        words = query.split()
        for word in words:
            qs = qs.filter(
                Q(title__icontains=word)
                | Q(context__icontains=word)
                | Q(what_was_done__icontains=word)
                | Q(what_worked__icontains=word)
                | Q(trust__name__icontains=word)
            )
    if responsibility:
        qs = qs.filter(responsibility=responsibility)
    return qs


def network_days_with_attendance() -> QuerySet[NetworkDay]:
    return NetworkDay.objects.annotate(attendance=Count("attendees")).prefetch_related("attendees")


def clms_for_attendance() -> QuerySet[User]:
    """Every CLM, with the name of their Trust as `trust_name`, for the attendance record."""
    return (
        User.objects.filter(memberships__role=Role.CLM)
        .annotate(trust_name=Min("memberships__trust__name", filter=Q(memberships__role=Role.CLM)))
        .order_by("trust_name", "name")
    )


def appointments_for(*, trust: Trust) -> QuerySet[Appointment]:
    return Appointment.objects.filter(trust=trust).select_related("user").order_by("-starts_on")
