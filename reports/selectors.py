"""Reads of the reports app, scoped to who asks (ADR 002): a CLM or Trust administrator sees
their own Trust's dashboard and report; deanery staff see every Trust."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import cached_property
from typing import NamedTuple

from django.db.models import BooleanField, Count, ExpressionWrapper, Q, QuerySet
from django.utils import timezone

from clm_portal.permissions import TRUST_STAFF, trust_ids_in_scope
from mentors.models import Activity, Appointment
from trusts.models import Role, Trust, User, open_on_q

from .models import (
    FROZEN,
    Generation,
    ReportStatus,
    ReportWindow,
    TraineeCount,
    YearEndReport,
)
from .regional import year_bounds


def trusts_for_reports(*, user: User) -> QuerySet[Trust]:
    """The Trusts whose dashboard and report `user` may open."""
    scope = trust_ids_in_scope(user, *TRUST_STAFF)
    trusts = Trust.objects.all()
    return trusts if scope is None else trusts.filter(pk__in=scope)


def reports_visible_to(*, user: User) -> QuerySet[YearEndReport]:
    scope = trust_ids_in_scope(user, *TRUST_STAFF)
    reports = YearEndReport.objects.select_related("trust")
    return reports if scope is None else reports.filter(trust_id__in=scope)


def generations_visible_to(*, user: User) -> QuerySet[Generation]:
    """Trust reports' files of the reader's Trusts; the compendium for deanery staff only."""
    scope = trust_ids_in_scope(user, *TRUST_STAFF)
    generations = Generation.objects.select_related("trust")
    if scope is None:
        return generations
    return generations.filter(kind=Generation.Kind.TRUST, trust_id__in=scope)


def report_for(*, trust: Trust, year: int) -> YearEndReport | None:
    return YearEndReport.objects.filter(trust=trust, year=year).first()


def window_for(*, year: int) -> ReportWindow | None:
    return ReportWindow.objects.filter(year=year).first()


def windows() -> QuerySet[ReportWindow]:
    return ReportWindow.objects.all()


def generation_for(*, year: int, trust: Trust | None = None) -> Generation | None:
    kind = Generation.Kind.TRUST if trust else Generation.Kind.REGION
    return Generation.objects.filter(kind=kind, year=year, trust=trust).first()


def trust_generations(*, year: int) -> dict[int, Generation]:
    return {g.trust_id: g for g in Generation.objects.filter(kind=Generation.Kind.TRUST, year=year)}


def entries_changed_since(report: YearEndReport) -> int:
    """How many of the Trust's entries for the year were added, changed or removed since the
    report was submitted (0 for a report never submitted). One query, read off the
    `activity_trust_recent` index alone: entries in the year changed (or added) after
    submission, plus those of the snapshot that are gone (deleted, or moved out of the year) —
    the snapshot's count less the entries in the year that existed at submission, so an entry
    of the snapshot changed since is counted once, as changed."""
    if report.submitted_at is None or report.status not in FROZEN:
        return 0
    start, end = year_bounds(report.year)
    counts = Activity.objects.filter(
        trust_id=report.trust_id, date__gte=start, date__lte=end
    ).aggregate(
        # A column of the index (never null), not the id, which is not in it.
        changed=Count("created_at", filter=Q(updated_at__gt=report.submitted_at)),
        there_then=Count("created_at", filter=Q(created_at__lte=report.submitted_at)),
    )
    gone = max(report.snapshot_entries - counts["there_then"], 0)
    return counts["changed"] + gone


def expected_trusts(*, year: int) -> QuerySet[Trust]:
    """The Trusts a report is expected from for the training year: those still existing on
    their own at its end. A Trust that merged into another during the year is not expected:
    its successor reports for it."""
    return Trust.objects.open_on(year_bounds(year)[1])


class TrustLine(NamedTuple):
    """What the overview shows of a Trust (plain rows: 200 model instances each of Trusts,
    reports and files were a third of the deanery's overview at national scale)."""

    pk: int
    name: str
    ods_code: str
    merged_into_id: int | None


class ReportLine(NamedTuple):
    status: str
    first_submitted_at: datetime | None


class GenerationLine(NamedTuple):
    pk: int
    status: str

    def get_status_display(self) -> str:
        return Generation.Status(self.status).label


@dataclass
class Submission:
    trust: TrustLine
    expected: bool
    report: ReportLine | None
    clm: str | None
    generation: GenerationLine | None = None

    @property
    def status(self) -> str:
        return self.report.status if self.report else "not_started"

    @property
    def status_label(self) -> str:
        return ReportStatus(self.report.status).label if self.report else "Not started"

    @property
    def submitted(self) -> bool:
        return self.report is not None and self.report.status in FROZEN

    @cached_property
    def submitted_on(self) -> date | None:
        """The day of the first submission, in local time (asked for several times a row)."""
        if self.report is None or self.report.first_submitted_at is None:
            return None
        return timezone.localtime(self.report.first_submitted_at).date()


@dataclass
class Overview:
    year: int
    window: ReportWindow | None
    rows: list[Submission]

    @property
    def expected(self) -> int:
        return sum(1 for r in self.rows if r.expected)

    @property
    def submitted(self) -> int:
        return sum(1 for r in self.rows if r.expected and r.submitted)

    @property
    def on_time(self) -> int:
        if self.window is None:
            return 0
        return sum(
            1
            for r in self.rows
            if r.expected
            and r.submitted
            and r.submitted_on
            and r.submitted_on <= self.window.due_on
        )

    @property
    def accepted(self) -> int:
        return sum(1 for r in self.rows if r.expected and r.status == ReportStatus.ACCEPTED)

    @property
    def returned(self) -> int:
        return sum(1 for r in self.rows if r.expected and r.status == ReportStatus.RETURNED)


def submissions_overview(*, year: int) -> Overview:
    """Every Trust expected for the year (and any other with a report), with its report and
    CLM: five queries however many Trusts, none with a list of every Trust's id."""
    end = year_bounds(year)[1]
    # Not the snapshots (tens of kilobytes each): the overview needs only the states.
    year_reports = YearEndReport.objects.filter(year=year)
    reports = {
        trust_id: ReportLine(status, submitted_at)
        for trust_id, status, submitted_at in year_reports.order_by().values_list(
            "trust_id", "status", "first_submitted_at"
        )
    }
    trusts = (
        Trust.objects.filter(open_on_q(end) | Q(pk__in=year_reports.values("trust_id")))
        .annotate(expected=ExpressionWrapper(open_on_q(end), output_field=BooleanField()))
        .order_by("name")
        .values_list("pk", "name", "ods_code", "merged_into_id", "expected")
    )
    until = min(end, timezone.localdate())
    # Every CLM in post that day: at most one a Trust, so a few hundred rows nationally.
    clms: dict[int, str] = {}
    for trust_id, name, email in (
        Appointment.objects.overlapping(until, until)
        .order_by("starts_on")
        .values_list("trust_id", "user__name", "user__email")
    ):
        clms[trust_id] = name or email
    generations = {  # one a Trust and year (a constraint)
        trust_id: GenerationLine(pk, status)
        for pk, trust_id, status in Generation.objects.filter(kind=Generation.Kind.TRUST, year=year)
        .order_by()
        .values_list("pk", "trust_id", "status")
    }
    rows = [
        Submission(
            trust=TrustLine(pk, name, ods_code, merged_into_id),
            expected=expected,
            report=reports.get(pk),
            clm=clms.get(pk),
            generation=generations.get(pk),
        )
        for pk, name, ods_code, merged_into_id, expected in trusts
    ]
    return Overview(year=year, window=window_for(year=year), rows=rows)


def report_reminder_recipients(*, trust_ids) -> dict[int, list[str]]:
    """Who is reminded for each Trust: its current CLM, or its administrators if vacant."""
    from trusts.models import Membership

    found: dict[int, dict[str, list[str]]] = {}
    for trust_id, role, email in Membership.objects.filter(
        trust_id__in=trust_ids, role__in=(Role.CLM, Role.TRUST_ADMIN), user__is_active=True
    ).values_list("trust_id", "role", "user__email"):
        found.setdefault(trust_id, {}).setdefault(role, []).append(email)
    return {
        trust_id: sorted(roles.get(Role.CLM) or roles.get(Role.TRUST_ADMIN) or [])
        for trust_id, roles in found.items()
    }


def case_studies_in_year(*, year: int) -> list[dict]:
    """The case studies shared in the training year, for the compendium's index."""
    from mentors.models import CaseStudy, Responsibility

    start = timezone.make_aware(datetime.combine(date(year, 8, 1), time.min))
    end = timezone.make_aware(datetime.combine(date(year + 1, 8, 1), time.min))
    labels = dict(Responsibility.choices)
    return [
        {
            "title": title,
            "trust": trust_name,
            "ods": ods,
            "responsibility": str(labels.get(code, code)),
        }
        for title, trust_name, ods, code in CaseStudy.objects.filter(
            created_at__gte=start, created_at__lt=end
        )
        .order_by("trust__name", "title")
        .values_list("title", "trust__name", "trust__ods_code", "responsibility")
    ]


def stale_generations(*, now: datetime, queued_for: timedelta, running_for: timedelta):
    """Generations whose task was lost (still queued) or whose worker died (still running)."""
    return Generation.objects.filter(
        Q(status=Generation.Status.QUEUED, queued_at__lt=now - queued_for)
        | Q(status=Generation.Status.RUNNING, started_at__lt=now - running_for)
    )


def trainee_counts_entered(*, year: int) -> dict[int, TraineeCount]:
    """The deanery's entered trainee numbers for the year, by Trust."""
    return {
        row.trust_id: row
        for row in TraineeCount.objects.filter(year=year, source=TraineeCount.Source.DEANERY)
    }
