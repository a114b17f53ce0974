"""Reads for the CLM activity log: what each reader may see, and time against the allocation."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal

from django.db.models import Count, Min, Prefetch, Q, QuerySet, Sum
from django.db.models.functions import TruncMonth, TruncWeek

from clm_portal.permissions import TRUST_STAFF, trust_ids_in_scope
from trusts.models import Role, Trust, User

from .models import (
    Activity,
    Appointment,
    CaseStudy,
    NetworkDay,
    NudgeSent,
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
    # The year has ended: its figures are final, not "so far".
    complete: bool = False


def _hours(minutes) -> Decimal:
    return (Decimal(minutes or 0) / 60).quantize(Decimal("0.01"))


def allocation_between(appointments: list[Appointment], start: date, end: date) -> Decimal:
    """The one allocation figure: the appointments' hours a week for the days from `start` to
    `end` (inclusive) they cover, rounded once. Every period on the time page uses it; the
    year's figure is the weeks' running total, so the year card and the weekly table agree."""
    return _round(
        sum((a.allocated_hours(start, end, exact=True) for a in appointments), Decimal(0))
    )


def _allocation_exact(appointments: list[Appointment], start: date, end: date) -> Decimal:
    return sum((a.allocated_hours(start, end, exact=True) for a in appointments), Decimal(0))


def _round(hours: Decimal) -> Decimal:
    return hours.quantize(Decimal("0.01"))


def _year_end(year_start: date) -> date:
    return date(year_start.year + 1, 7, 31)


def _shown_until(today: date, year_start: date) -> date:
    """The last day the time page counts: the end of today's week, or the year's end."""
    return min(week_start(today) + timedelta(days=6), _year_end(year_start))


def _totals_by(activities: QuerySet[Activity], trunc) -> dict[date, dict]:
    return {
        _day(row["period"]): row
        for row in activities.annotate(period=trunc("date"))
        .values("period")
        .annotate(minutes=Sum("minutes"), n=Count("id"))
    }


def _week_periods(activities, appointments, year_start: date, until: date) -> list[Period]:
    """Monday-to-Sunday weeks (clipped to the year) with running totals, oldest first."""
    by_week = _totals_by(activities, TruncWeek)
    weeks: list[Period] = []
    minutes_so_far, allocation_so_far = 0, Decimal(0)
    monday = week_start(year_start)
    while monday <= until:
        start, end = max(monday, year_start), min(monday + timedelta(days=6), until)
        row = by_week.get(monday, {})
        allocation = _allocation_exact(appointments, start, end)
        # Running totals from minutes and exact allocations, rounded once (3 × 20 minutes is 1
        # hour; 52 weeks of 2 hours and 1 day is 104.29 hours, not a sum of rounded weeks).
        minutes_so_far += row.get("minutes") or 0
        allocation_so_far += allocation
        weeks.append(
            Period(
                label=f"Week of {monday:%-d %b %Y}",
                start=monday,
                end=monday + timedelta(days=6),
                hours=_hours(row.get("minutes")),
                allocation=_round(allocation),
                entries=row.get("n", 0),
                hours_to_date=_hours(minutes_so_far),
                allocation_to_date=_round(allocation_so_far),
            )
        )
        monday += timedelta(days=7)
    return weeks


def _month_periods(activities, appointments, year_start: date, until: date) -> list[Period]:
    by_month = _totals_by(activities, TruncMonth)
    months: list[Period] = []
    first = year_start
    while first <= until:
        nxt = date(first.year + (first.month == 12), first.month % 12 + 1, 1)
        last = min(nxt - timedelta(days=1), until)
        row = by_month.get(first, {})
        months.append(
            Period(
                label=f"{first:%B %Y}",
                start=first,
                end=last,
                hours=_hours(row.get("minutes")),
                allocation=allocation_between(appointments, first, last),
                entries=row.get("n", 0),
            )
        )
        first = nxt
    return months


def _responsibility_totals(activities) -> list[ResponsibilityTotal]:
    by_resp = {
        row["responsibility"]: row
        for row in activities.values("responsibility").annotate(
            minutes=Sum("minutes"), reached=Sum("trainees_reached"), n=Count("id")
        )
    }
    return [
        ResponsibilityTotal(
            code=code,
            label=label,
            hours=_hours(by_resp.get(code, {}).get("minutes")),
            trainees_reached=by_resp.get(code, {}).get("reached") or 0,
            entries=by_resp.get(code, {}).get("n", 0),
        )
        for code, label in Responsibility.choices
    ]


def _year_period(year_start: date, until: date, weeks: list[Period]) -> Period:
    last = weeks[-1] if weeks else None
    return Period(
        label=f"{year_start.year}/{(year_start.year + 1) % 100:02d}",
        start=year_start,
        end=until,
        hours=last.hours_to_date if last else Decimal(0),
        allocation=last.allocation_to_date if last else Decimal(0),
        entries=sum(w.entries for w in weeks),
    )


def time_summary(*, trust: Trust, today: date, year_start: date | None = None) -> TimeSummary:
    """Hours logged in a Trust per week, month and training year against the CLM allocation.

    Four queries whatever the size of the log (two more when today's week is not in the year
    shown). The year counts up to the end of today's week (or the year's end once it is over).
    """
    year_start = year_start or training_year_start(today)
    until = _shown_until(today, year_start)
    appointments = list(
        Appointment.objects.filter(trust=trust).overlapping(year_start, _year_end(year_start))
    )
    activities = Activity.objects.for_trust(trust).between(year_start, until)
    weeks = _week_periods(activities, appointments, year_start, until)
    this_monday = week_start(today)
    this_week = next((w for w in weeks if w.start == this_monday >= year_start), None)
    if this_week is None:
        # Another training year is shown, or this week began in the last one: "this week" is
        # still Monday to Sunday of today's week.
        this_week = week_summary(trust=trust, today=today)
    return TimeSummary(
        trust=trust,
        year=_year_period(year_start, until, weeks),
        this_week=this_week,
        weeks=list(reversed(weeks)),
        months=list(reversed(_month_periods(activities, appointments, year_start, until))),
        by_responsibility=_responsibility_totals(activities),
        complete=today > _year_end(year_start),
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
        allocation=allocation_between(appointments, monday, sunday),
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


def appointments_visible_to(*, user: User) -> QuerySet[Appointment]:
    """Appointments in the Trusts whose log the reader may open (every Trust for the deanery)."""
    return Appointment.objects.filter(trust__in=log_trusts_for(user=user)).select_related(
        "trust", "user"
    )


def appointment_has_entries(*, appointment: Appointment) -> bool:
    return Activity.objects.filter(appointment=appointment).exists()


def current_clm_appointments(*, trust: Trust, on: date | None = None) -> QuerySet[Appointment]:
    return Appointment.objects.filter(trust=trust).current(on).select_related("user")


def appointment_candidates(
    *, trust: Trust, on: date | None = None, include_current: bool = False
) -> QuerySet[User]:
    """Who may be appointed CLM of `trust`: people in the Trust who are not trainees and not
    already a current CLM there (`include_current`: those too, so that the service, not the
    form, answers a repeated submission)."""
    trainees = User.objects.filter(memberships__role=Role.TRAINEE).values("pk")
    qs = User.objects.filter(memberships__trust=trust, is_active=True).exclude(pk__in=trainees)
    if not include_current:
        qs = qs.exclude(pk__in=current_clm_appointments(trust=trust, on=on).values("user_id"))
    return qs.distinct().order_by("name")


def training_years_recorded() -> dict[date, TrainingYear]:
    return {y.starts_on: y for y in TrainingYear.objects.select_related("closed_by")}


def closed_training_year(*, starts_on: date) -> TrainingYear | None:
    return TrainingYear.objects.filter(starts_on=starts_on, closed_at__isnull=False).first()


def case_study_get(*, pk: int) -> CaseStudy | None:
    return CaseStudy.objects.select_related("trust", "author").filter(pk=pk).first()


def network_day_get(*, pk: int) -> NetworkDay | None:
    return (
        NetworkDay.objects.prefetch_related(
            Prefetch("attendees", queryset=User.objects.order_by("name"))
        )
        .filter(pk=pk)
        .first()
    )


def nudges_due_again(*, before: datetime, max_attempts: int) -> QuerySet[NudgeSent]:
    """Weekly emails recorded as due, not sent, and last queued before `before`."""
    return NudgeSent.objects.filter(
        sent_at__isnull=True, queued_at__lt=before, attempts__lt=max_attempts
    ).select_for_update(skip_locked=True)


def opportunities_of(*, trust: Trust) -> QuerySet:
    """The Trust's opportunities, newest first, for naming the one an activity served.

    Looked up through the activity's foreign key: the opportunities app sits above this one
    (it imports mentors), so mentors never imports it.
    """
    model = Activity._meta.get_field("opportunity").related_model
    return model.objects.filter(trust=trust).order_by("-created_at")
