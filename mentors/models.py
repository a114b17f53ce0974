"""CLM appointments, the activity log against the nine responsibilities, and the network."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from simple_history.models import HistoricalRecords

from trusts.models import Trust, User


class Responsibility(models.TextChoices):
    """The nine responsibilities of the CLM job description."""

    ROLES_PROJECTS = "roles_projects", "Leadership roles and projects"
    BUDDYING = "buddying", "Buddying and shadowing"
    SAFETY_QI = "safety_qi", "Patient safety, RCA and quality improvement"
    INDUCTION = "induction", "Leadership at Trust induction"
    SPECIALTY_LEADS = "specialty_leads", "Working with specialty and service leads"
    SENIOR_MEETINGS = "senior_meetings", "Trainees at senior team meetings"
    WORKPLACE_LEARNING = "workplace_learning", "Workplace leadership learning"
    NETWORK = "network", "Regional Leadership Mentor network"
    FORUM = "forum", "Forum for clinicians and trainees"


RESPONSIBILITY_DESCRIPTIONS = {
    "roles_projects": "Identify leadership roles and projects in and around the Trust; oversee "
    "and support trainees in them; match trainees to projects.",
    "buddying": "A buddying scheme so trainees can shadow leaders and managers at meetings and "
    "in management work (buddying: a longer relationship; shadowing: a day or a meeting).",
    "safety_qi": "Trainee participation in patient safety and root cause analysis, and "
    "multi-professional quality improvement with the Trust QI lead.",
    "induction": "Highlight and embed leadership opportunities at Trust induction.",
    "specialty_leads": "Work with specialty tutors, clinical service leads and clinical "
    "directors to create opportunities in departments.",
    "senior_meetings": "Trainee representation at multi-professional senior team meetings, as "
    "observer or participant.",
    "workplace_learning": "Workplace invitations to leadership learning: training sessions, "
    "courses, individual mentoring, peer-to-peer programmes.",
    "network": "The regional Leadership Mentor network: group days, shared practice.",
    "forum": "A forum where local clinicians talk to trainees about leadership: grand rounds, "
    "supervisor forums, junior doctors' forum.",
}


class ActivityFormat(models.TextChoices):
    MEETING = "meeting", "Meeting"
    MENTORING = "mentoring", "One-to-one mentoring"
    TEACHING = "teaching", "Teaching or training session"
    INDUCTION_TALK = "induction_talk", "Induction talk"
    NETWORK_DAY = "network_day", "Network day"
    FORUM = "forum", "Forum or grand round"
    ADMIN = "admin", "Correspondence and admin"
    OTHER = "other", "Other"


class Stakeholder(models.TextChoices):
    """Other people a CLM engaged in an activity, besides trainees."""

    SUPERVISORS = "supervisors", "Educational supervisors"
    CONSULTANTS = "consultants", "Consultants and clinical leads"
    MANAGERS = "managers", "Managers and executives"
    QI_TEAM = "qi_team", "QI and patient safety team"
    MEDICAL_EDUCATION = "medical_education", "Medical education team"
    OTHER = "other", "Others"


class GPCDomain(models.Model):
    """The GMC's Generic Professional Capabilities domains (reference data, 1 to 9)."""

    number = models.PositiveSmallIntegerField(primary_key=True)
    name = models.CharField(max_length=100)

    class Meta:
        ordering = ["number"]
        verbose_name = "GPC domain"

    def __str__(self) -> str:
        return f"{self.number}: {self.name}"


def training_year_start(day: date) -> date:
    """1 August of the training year (August to July) that `day` falls in."""
    return date(day.year if day.month >= 8 else day.year - 1, 8, 1)


def week_start(day: date) -> date:
    """The Monday of the week `day` falls in."""
    return day - timedelta(days=day.weekday())


class AppointmentQuerySet(models.QuerySet):
    def current(self, on: date | None = None) -> AppointmentQuerySet:
        on = on or timezone.localdate()
        return self.filter(Q(ends_on__isnull=True) | Q(ends_on__gte=on), starts_on__lte=on)

    def overlapping(self, start: date, end: date) -> AppointmentQuerySet:
        return self.filter(Q(ends_on__isnull=True) | Q(ends_on__gte=start), starts_on__lte=end)

    def with_entry_counts(self) -> AppointmentQuerySet:
        return self.annotate(entry_count=models.Count("activities"))


class Appointment(models.Model):
    """A CLM's appointment in a Trust: 0.5 PA, 2 hours a week unless agreed otherwise."""

    user = models.ForeignKey(User, on_delete=models.PROTECT, related_name="clm_appointments")
    trust = models.ForeignKey(Trust, on_delete=models.PROTECT, related_name="clm_appointments")
    starts_on = models.DateField("start date")
    ends_on = models.DateField("end date", null=True, blank=True)
    hours_per_week = models.DecimalField(
        "allocation (hours a week)",
        max_digits=4,
        decimal_places=2,
        default=Decimal("2.00"),
        validators=[MinValueValidator(Decimal("0.25")), MaxValueValidator(Decimal("40"))],
    )
    weekly_nudge = models.BooleanField(
        "weekly summary email",
        default=True,
        help_text="An email every Monday with last week in figures.",
    )
    history = HistoricalRecords()

    objects = AppointmentQuerySet.as_manager()

    class Meta:
        ordering = ["trust__name", "-starts_on"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True) | Q(ends_on__gte=models.F("starts_on")),
                name="appointment_dates_in_order",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} at {self.trust} from {self.starts_on:%d %b %Y}"

    def covers(self, day: date) -> bool:
        return self.starts_on <= day and (self.ends_on is None or day <= self.ends_on)

    def allocated_hours(self, start: date, end: date, *, exact: bool = False) -> Decimal:
        """The allocation for the days from `start` to `end` (inclusive) within the appointment,
        to the hundredth of an hour (unrounded if `exact`, for sums that are rounded once)."""
        first = max(start, self.starts_on)
        last = min(end, self.ends_on) if self.ends_on else end
        days = (last - first).days + 1
        if days <= 0:
            return Decimal(0)
        hours = self.hours_per_week * days / 7
        return hours if exact else hours.quantize(Decimal("0.01"))


class TrainingYear(models.Model):
    """A training year (1 August to 31 July). Once closed, its activity entries are locked."""

    starts_on = models.DateField(unique=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["-starts_on"]

    def __str__(self) -> str:
        return self.label

    @property
    def ends_on(self) -> date:
        return date(self.starts_on.year + 1, 7, 31)

    @property
    def label(self) -> str:
        return f"{self.starts_on.year}/{(self.starts_on.year + 1) % 100:02d}"

    @property
    def is_closed(self) -> bool:
        return self.closed_at is not None


class ActivityQuerySet(models.QuerySet):
    def for_trust(self, trust: Trust) -> ActivityQuerySet:
        return self.filter(trust=trust)

    def between(self, start: date, end: date) -> ActivityQuerySet:
        return self.filter(date__gte=start, date__lte=end)


class Activity(models.Model):
    """One piece of CLM work, logged against a responsibility."""

    trust = models.ForeignKey(Trust, on_delete=models.PROTECT, related_name="clm_activities")
    appointment = models.ForeignKey(
        Appointment, on_delete=models.PROTECT, related_name="activities"
    )
    logged_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="clm_activities")
    date = models.DateField()
    responsibility = models.CharField(max_length=30, choices=Responsibility.choices)
    format = models.CharField(max_length=20, choices=ActivityFormat.choices)
    minutes = models.PositiveIntegerField(
        "time spent (minutes)",
        validators=[MinValueValidator(1), MaxValueValidator(24 * 60)],
    )
    trainees_reached = models.PositiveIntegerField(default=0)
    trainees = models.ManyToManyField(
        User, blank=True, related_name="clm_activities_reached", verbose_name="named trainees"
    )
    others_engaged = models.JSONField(
        "other people engaged",
        default=list,
        blank=True,
        help_text="Stakeholder codes, e.g. supervisors, managers, qi_team.",
    )
    gpc_domains = models.ManyToManyField(GPCDomain, blank=True, verbose_name="GPC domains")
    notes = models.TextField(blank=True)
    # The opportunity this work served (the opportunities app lists the CLM work behind one).
    # Named by string: the opportunities app sits above this one and imports it, not back.
    opportunity = models.ForeignKey(
        "opportunities.Opportunity",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="activities",
    )
    # The key of the form that logged it: the same form sent twice logs one entry (see
    # `activity_create`). Empty for entries from a CSV import or the admin.
    submission_key = models.UUIDField(null=True, blank=True, unique=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ActivityQuerySet.as_manager()

    class Meta:
        ordering = ["-date", "-created_at"]
        verbose_name_plural = "activities"
        # Each matches a filter of the log plus its sort order (-date, -created_at), so that a
        # page is read off the index in order instead of sorting the matching rows.
        indexes = [
            models.Index(fields=["-date", "-created_at"], name="activity_recent"),
            # updated_at too: a year-end report counts a Trust's entries of the year changed
            # since it was submitted from this index alone (25,000 entries, no table reads).
            models.Index(
                fields=["trust", "-date", "-created_at", "updated_at"],
                name="activity_trust_recent",
            ),
            models.Index(
                fields=["trust", "responsibility", "-date", "-created_at"],
                name="activity_trust_resp_recent",
            ),
            models.Index(
                fields=["responsibility", "-date", "-created_at"], name="activity_resp_recent"
            ),
            models.Index(
                fields=["logged_by", "-date", "-created_at"], name="activity_logger_recent"
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(minutes__gte=1, minutes__lte=24 * 60), name="activity_minutes_range"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_responsibility_display()} on {self.date:%d %b %Y}"

    @property
    def hours(self) -> Decimal:
        return (Decimal(self.minutes) / 60).quantize(Decimal("0.01"))

    def get_others_engaged_display(self) -> str:
        labels = dict(Stakeholder.choices)
        return ", ".join(labels.get(code, code) for code in self.others_engaged)


class CaseStudy(models.Model):
    """Good practice a CLM shares with the mentor network."""

    trust = models.ForeignKey(Trust, on_delete=models.PROTECT, related_name="case_studies")
    author = models.ForeignKey(User, on_delete=models.PROTECT, related_name="case_studies")
    title = models.CharField(max_length=200)
    responsibility = models.CharField(max_length=30, choices=Responsibility.choices)
    context = models.TextField(
        "Trust context", help_text="The Trust and its trainees: size, sites, what was there before."
    )
    what_was_done = models.TextField("what was done")
    what_worked = models.TextField("what worked, and what did not")
    contact = models.CharField(
        max_length=200, help_text="Who to ask about it, e.g. a name and email address."
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name_plural = "case studies"

    def __str__(self) -> str:
        return self.title


class NetworkDay(models.Model):
    """A regional Leadership Mentor network day, and which CLMs came."""

    date = models.DateField()
    title = models.CharField(max_length=200)
    location = models.CharField(max_length=200, blank=True)
    notes = models.TextField(blank=True)
    attendees = models.ManyToManyField(User, blank=True, related_name="network_days")
    created_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, related_name="+")

    class Meta:
        ordering = ["-date"]

    def __str__(self) -> str:
        return f"{self.title}, {self.date:%d %b %Y}"


class NudgeSent(models.Model):
    """One weekly email: recorded as due by the Monday job before it is queued, marked sent once
    it has gone. A re-run sends none twice; a due row not sent (the queue lost it, e.g. Redis
    restarted) is queued again by the sweeper."""

    appointment = models.ForeignKey(Appointment, on_delete=models.CASCADE, related_name="+")
    week_starts_on = models.DateField()
    queued_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["appointment", "week_starts_on"], name="one_nudge_per_week"
            )
        ]

    def __str__(self) -> str:
        return f"Weekly email for the week of {self.week_starts_on:%-d %b %Y}"
