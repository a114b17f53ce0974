"""Writes of the reports app: trainee numbers entered by the deanery, the year-end report
window, and a report's moves draft → submitted → returned (with a reason) → accepted.

A submitted report is a snapshot: `report_submit` stores the prefilled figures with the
narratives, and nothing afterwards (an edit to the log, a generation of its files) changes
it; only returning it makes it a draft again, with live figures, until it is resubmitted.
"""

from __future__ import annotations

from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from clm_portal.queue import enqueue_on_commit
from mentors.models import Responsibility
from trusts.models import Trust, User

from .content import report_content
from .denominators import portal_counts
from .models import ReportStatus, ReportWindow, TraineeCount, YearEndReport, year_label
from .tasks import report_email_task

MAX_NARRATIVE = 5000


def _require(user: User, perm: str, obj=None) -> None:
    if not user.has_perm(perm, obj):
        raise PermissionDenied


# --- Denominators ----------------------------------------------------------------------------


@transaction.atomic
def trainee_count_enter(
    *, by: User, trust: Trust, year: int, trainees: int | None, note: str = ""
) -> TraineeCount | None:
    """The deanery's number of trainees for a Trust and year; None clears it (the portal's
    count is used again). It may not be below the trainees the portal holds for the Trust."""
    _require(by, "reports.manage_cycle")
    existing = TraineeCount.objects.filter(
        trust=trust, year=year, source=TraineeCount.Source.DEANERY
    ).first()
    if trainees is None:
        if existing is not None:
            existing.delete()
        return None
    held = portal_counts([trust.pk]).get(trust.pk, 0)
    if trainees < held:
        raise ValidationError(
            {
                "trainees": f"The portal already holds {held} trainees placed in {trust.name}: "
                f"enter {held} or more, or leave it empty to use the portal's count."
            }
        )
    row = existing or TraineeCount(trust=trust, year=year, source=TraineeCount.Source.DEANERY)
    row.trainees = trainees
    row.note = note
    row.entered_by = by
    row.counted_on = timezone.localdate()
    row.full_clean()
    row.save()
    return row


# --- The window ------------------------------------------------------------------------------


@transaction.atomic
def window_set(*, by: User, year: int, opens_on: date, due_on: date) -> ReportWindow:
    """When the training year's reports are collected (the deanery)."""
    _require(by, "reports.manage_cycle")
    if due_on < opens_on:
        raise ValidationError({"due_on": "The due date must be on or after the opening date."})
    if opens_on < date(year, 8, 1):
        raise ValidationError(
            {"opens_on": f"The window opens in the {year_label(year)} training year or later."}
        )
    window, _ = ReportWindow.objects.update_or_create(
        year=year, defaults={"opens_on": opens_on, "due_on": due_on, "set_by": by}
    )
    return window


# --- A Trust's report --------------------------------------------------------------------------


def report_get_or_start(*, trust: Trust, year: int) -> YearEndReport:
    """The Trust's report for the year, started as an empty draft the first time."""
    report, _ = YearEndReport.objects.get_or_create(trust=trust, year=year)
    return report


def _locked(report: YearEndReport) -> YearEndReport:
    return YearEndReport.objects.select_for_update().get(pk=report.pk)


def _clean_narratives(narratives: dict) -> dict:
    cleaned = {}
    errors = {}
    for code in Responsibility.values:
        words = narratives.get(code) or {}
        text = (words.get("text") or "").strip()
        if len(text) > MAX_NARRATIVE:
            errors[f"text_{code}"] = (
                f"Write at most {MAX_NARRATIVE:,} characters (this has {len(text):,})."
            )
        cleaned[code] = {"text": text, "nothing": bool(words.get("nothing")) and not text}
    if errors:
        raise ValidationError(errors)
    return cleaned


@transaction.atomic
def report_save_draft(
    *, by: User, report: YearEndReport, narratives: dict, overview: str = ""
) -> YearEndReport:
    """Save the narratives of a draft or returned report (the CLM or a Trust administrator)."""
    _require(by, "reports.draft_report", report)
    report = _locked(report)
    if not report.is_editable:
        raise ValidationError(
            f"This report is {report.get_status_display().lower()}: it can be changed only "
            "after the deanery returns it."
        )
    if len(overview) > MAX_NARRATIVE:
        raise ValidationError({"overview": f"Write at most {MAX_NARRATIVE:,} characters."})
    report.narratives = _clean_narratives(narratives)
    report.overview = overview.strip()
    report.updated_by = by
    report.save()
    return report


def submission_problems(report: YearEndReport, content: dict) -> list[str]:
    """What stops the report being submitted: a section with neither words nor "nothing
    this year", or "nothing this year" over logged work."""
    problems = []
    for section in content["responsibilities"]:
        words = report.narratives.get(section["code"], {})
        if words.get("text"):
            continue
        if not words.get("nothing"):
            problems.append(
                f"{section['label']}: write what was done, or say there was nothing this year."
            )
        elif section["activities"]:
            problems.append(
                f"{section['label']}: {section['activities']} activities are logged against "
                "it this year, so describe them instead of saying there was nothing."
            )
    return problems


def window_open_for(*, year: int, today: date | None = None) -> ReportWindow | None:
    today = today or timezone.localdate()
    window = ReportWindow.objects.filter(year=year).first()
    return window if window is not None and window.opens_on <= today else None


@transaction.atomic
def report_submit(*, by: User, report: YearEndReport) -> YearEndReport:
    """Submit to the deanery (the Trust's CLM only): the figures and words are stored as they
    are now, and the report's files are made by a worker."""
    _require(by, "reports.submit_report", report)
    report = _locked(report)
    if not report.is_editable:
        raise ValidationError("This report has already been submitted.")
    if window_open_for(year=report.year) is None:
        raise ValidationError(
            f"Reports for {report.label} cannot be submitted yet: the deanery has not opened "
            "the window."
        )
    content = report_content(trust=report.trust, year=report.year)
    problems = submission_problems(report, content)
    if problems:
        raise ValidationError(problems)
    now = timezone.now()
    report.snapshot = {
        "content": content,
        "narratives": report.narratives,
        "overview": report.overview,
        "submitted_at": now.isoformat(),
        "submitted_by": by.name or by.email,
    }
    report.snapshot_entries = content["entries"]
    report.status = ReportStatus.SUBMITTED
    report.submitted_at = now
    report.submitted_by = by
    report.first_submitted_at = report.first_submitted_at or now
    report.updated_by = by
    report.save()
    from .generation import generation_request

    generation_request(by=by, year=report.year, trust=report.trust, check=False)
    return report


@transaction.atomic
def report_return(*, by: User, report: YearEndReport, reason: str) -> YearEndReport:
    """The deanery sends a submitted report back to the CLM, saying why."""
    _require(by, "reports.review_report", report)
    report = _locked(report)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "Say why the report is returned, for the CLM."})
    if len(reason) > 2000:
        raise ValidationError({"reason": "Write at most 2,000 characters."})
    if report.status != ReportStatus.SUBMITTED:
        raise ValidationError("Only a submitted report can be returned.")
    report.status = ReportStatus.RETURNED
    report.returned_at = timezone.now()
    report.returned_by = by
    report.return_reason = reason
    report.updated_by = by
    report.save()
    enqueue_on_commit(report_email_task, report_id=report.pk, what="returned")
    return report


@transaction.atomic
def report_accept(*, by: User, report: YearEndReport) -> YearEndReport:
    """The deanery accepts a submitted report; it stays as submitted."""
    _require(by, "reports.review_report", report)
    report = _locked(report)
    if report.status != ReportStatus.SUBMITTED:
        raise ValidationError("Only a submitted report can be accepted.")
    report.status = ReportStatus.ACCEPTED
    report.accepted_at = timezone.now()
    report.accepted_by = by
    report.updated_by = by
    report.save()
    enqueue_on_commit(report_email_task, report_id=report.pk, what="accepted")
    return report
