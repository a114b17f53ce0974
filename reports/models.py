"""What the reports app stores: the regional figures worked out ahead of the page, each
Trust's trainee numbers per training year, and the year-end report cycle with its files."""

from __future__ import annotations

import uuid

from django.core.files.storage import storages
from django.db import models
from django.db.models import F, Q
from simple_history.models import HistoricalRecords

from trusts.models import Trust, User


def year_label(year: int) -> str:
    """2025 -> "2025/26": a training year runs from 1 August to 31 July."""
    return f"{year}/{(year + 1) % 100:02d}"


class RegionalSnapshot(models.Model):
    """Every Trust's figures for a training year (`regional.regional_summary`), worked out by
    a Celery beat job every hour because the live queries over every Trust are too slow for a
    page at national scale; the page says when they were worked out."""

    year = models.PositiveSmallIntegerField(unique=True)
    computed_at = models.DateTimeField()
    figures = models.JSONField(default=dict)
    # figures["region"] again, small: the Trust dashboard reads it for every year.
    region = models.JSONField(default=dict)

    class Meta:
        ordering = ["-year"]

    def __str__(self) -> str:
        return f"Regional figures {self.year}, worked out {self.computed_at:%d %b %Y %H:%M}"


class TrustFigures(models.Model):
    """One Trust's part of a year's snapshot, with the region's own part beside it, so that
    the Trust dashboard reads a few small rows instead of every Trust's figures each year."""

    snapshot = models.ForeignKey(
        RegionalSnapshot, on_delete=models.CASCADE, related_name="trust_figures"
    )
    ods_code = models.CharField(max_length=5)
    figures = models.JSONField(default=dict)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["ods_code", "snapshot"], name="one_trust_per_snapshot")
        ]

    def __str__(self) -> str:
        return f"{self.ods_code} in {self.snapshot}"


class TraineeCount(models.Model):
    """A Trust's number of trainees for a training year: the denominator of every "per
    trainee" figure, with where it came from and when. Counted from the portal's placements
    (kept up to date by the hourly job while the year runs, then left as it was), or entered by
    the deanery where the portal does not hold everyone; an entered figure wins."""

    class Source(models.TextChoices):
        PORTAL = "portal", "Counted from the portal's placements"
        DEANERY = "deanery", "Entered by the deanery"

    trust = models.ForeignKey(Trust, on_delete=models.CASCADE, related_name="trainee_counts")
    year = models.PositiveSmallIntegerField(help_text="The training year's first calendar year.")
    trainees = models.PositiveIntegerField()
    source = models.CharField(max_length=10, choices=Source.choices)
    counted_on = models.DateField()
    entered_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    note = models.CharField(
        max_length=200, blank=True, help_text="Where the figure comes from, e.g. the HEE census."
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["trust__name", "-year"]
        constraints = [
            models.UniqueConstraint(
                fields=["trust", "year", "source"], name="one_trainee_count_per_source"
            )
        ]

    def __str__(self) -> str:
        return f"{self.trust}: {self.trainees} trainees in {year_label(self.year)}"


class ReportWindow(models.Model):
    """When a training year's year-end reports are collected: set by the deanery."""

    year = models.PositiveSmallIntegerField(unique=True)
    opens_on = models.DateField("opens on")
    due_on = models.DateField("due on")
    set_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-year"]
        constraints = [
            models.CheckConstraint(
                condition=Q(due_on__gte=F("opens_on")), name="report_window_in_order"
            )
        ]

    def __str__(self) -> str:
        return f"Year-end reports {year_label(self.year)}: due {self.due_on:%-d %B %Y}"

    @property
    def label(self) -> str:
        return year_label(self.year)


class ReportStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    SUBMITTED = "submitted", "Submitted"
    RETURNED = "returned", "Returned"
    ACCEPTED = "accepted", "Accepted"


# The statuses in which the report is with the deanery: its content is the snapshot taken
# when it was submitted, whatever happens to the log afterwards.
FROZEN = (ReportStatus.SUBMITTED, ReportStatus.ACCEPTED)


class YearEndReport(models.Model):
    """A Trust's activity report to HEE for a training year, by the nine responsibilities.

    While a draft (or returned) its figures come live from the portal; submitting stores them,
    with the narratives, in `snapshot`, which nothing changes afterwards (see `services`)."""

    trust = models.ForeignKey(Trust, on_delete=models.PROTECT, related_name="year_end_reports")
    year = models.PositiveSmallIntegerField()
    status = models.CharField(
        max_length=10, choices=ReportStatus.choices, default=ReportStatus.DRAFT
    )
    # {responsibility code: {"text": str, "nothing": bool}}: the CLM's words per section, and
    # whether they said there was nothing to report this year.
    narratives = models.JSONField(default=dict, blank=True)
    overview = models.TextField("the year in brief", blank=True)
    # The figures and words as submitted (see `content.report_content`); empty while a draft.
    snapshot = models.JSONField(null=True, blank=True, editable=False)
    # The Trust's entries in the year when it was submitted, to tell how many changed since.
    snapshot_entries = models.PositiveIntegerField(default=0, editable=False)
    submitted_at = models.DateTimeField(null=True, blank=True)
    submitted_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    first_submitted_at = models.DateTimeField(null=True, blank=True)
    returned_at = models.DateTimeField(null=True, blank=True)
    returned_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    return_reason = models.TextField(blank=True)
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    history = HistoricalRecords(excluded_fields=["snapshot"])

    class Meta:
        ordering = ["trust__name", "-year"]
        constraints = [
            models.UniqueConstraint(fields=["trust", "year"], name="one_report_per_trust_year"),
            models.CheckConstraint(
                condition=Q(status__in=["draft", "returned"]) | Q(snapshot__isnull=False),
                name="submitted_report_has_snapshot",
            ),
        ]
        indexes = [models.Index(fields=["year", "status"], name="report_year_status")]

    def __str__(self) -> str:
        return f"{self.trust}: year-end report {year_label(self.year)}"

    @property
    def label(self) -> str:
        return year_label(self.year)

    @property
    def is_frozen(self) -> bool:
        return self.status in FROZEN

    @property
    def is_editable(self) -> bool:
        return self.status in (ReportStatus.DRAFT, ReportStatus.RETURNED)


def reports_storage():
    """Where report files go: STORAGES["reports"] (local media by default; any Django storage
    by settings)."""
    return storages["reports"]


def _file_name(instance: Generation, filename: str) -> str:
    return f"{instance.year}/{filename}"


class Generation(models.Model):
    """The files of one Trust's report, or of the regional compendium, for a training year,
    made by a Celery worker; the page shows its status. One row (and one set of files) per
    Trust and year, and one per year for the compendium: generating again replaces them."""

    class Kind(models.TextChoices):
        TRUST = "trust", "Trust report"
        REGION = "region", "Regional compendium"

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Running"
        DONE = "done", "Done"
        FAILED = "failed", "Failed"

    kind = models.CharField(max_length=10, choices=Kind.choices)
    year = models.PositiveSmallIntegerField()
    trust = models.ForeignKey(
        Trust, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    # A new id for each request: a redelivered or duplicate task for a request already done
    # (or superseded by a newer one) does nothing.
    request_id = models.UUIDField(default=uuid.uuid4)
    done_request_id = models.UUIDField(null=True, blank=True, editable=False)
    requested_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    queued_at = models.DateTimeField()
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    seconds = models.FloatField("time taken (seconds)", null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    message = models.TextField(blank=True)
    # What the files were made from: "submitted", "accepted", "draft"…
    made_from = models.CharField(max_length=20, blank=True)
    pdf = models.FileField(upload_to=_file_name, storage=reports_storage, blank=True)
    xlsx = models.FileField(upload_to=_file_name, storage=reports_storage, blank=True)

    class Meta:
        ordering = ["-queued_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["year", "trust"],
                condition=Q(kind="trust"),
                name="one_generation_per_trust_year",
            ),
            models.UniqueConstraint(
                fields=["year"], condition=Q(kind="region"), name="one_compendium_per_year"
            ),
            models.CheckConstraint(
                condition=Q(kind="trust", trust__isnull=False)
                | Q(kind="region", trust__isnull=True),
                name="generation_kind_matches_trust",
            ),
        ]

    def __str__(self) -> str:
        what = self.trust.ods_code if self.trust_id else "region"
        return f"{self.get_kind_display()} {what} {year_label(self.year)}: {self.status}"

    @property
    def basename(self) -> str:
        """`<ODS>-<YEAR>` or `region-<YEAR>`, as `generate_reports --output` names the files."""
        return f"{self.trust.ods_code if self.trust_id else 'region'}-{self.year}"

    @property
    def in_progress(self) -> bool:
        return self.status in (self.Status.QUEUED, self.Status.RUNNING)


class ReportReminder(models.Model):
    """A reminder to a Trust that has not submitted, at one of the fixed days around the due
    date: recorded once, so that a re-run of the daily job sends nothing twice."""

    trust = models.ForeignKey(Trust, on_delete=models.CASCADE, related_name="+")
    year = models.PositiveSmallIntegerField()
    # Days before the due date: 28, 14, 7, 1; after it: -1, -7.
    days_before = models.SmallIntegerField()
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    recipients = models.PositiveSmallIntegerField(default=0)
    attempts = models.PositiveSmallIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["trust", "year", "days_before"], name="one_reminder_per_day"
            )
        ]

    def __str__(self) -> str:
        return f"Reminder to {self.trust} for {year_label(self.year)} ({self.days_before:+d} days)"
