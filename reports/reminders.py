"""Reminders to the Trusts that have not submitted their year-end report, and the emails that
tell a CLM their report was returned or accepted.

The daily beat job reminds on six days only: 28, 14, 7 and 1 days before the due date, and 1
and 7 days after it. Each reminder is a row (`ReportReminder`, one per Trust, year and day)
made before the email goes, so a re-run of the job on the same day sends nothing twice; a
failed email is tried again by the next runs, up to three attempts, within two days.
"""

from __future__ import annotations

import logging
from datetime import date, timedelta

from django.conf import settings
from django.db.models import F
from django.urls import reverse
from django.utils import timezone

from clm_portal.emails import send_templated_email

from .models import FROZEN, ReportReminder, ReportWindow, YearEndReport, year_label
from .selectors import expected_trusts, report_reminder_recipients

logger = logging.getLogger(__name__)

# Days before the due date on which non-submitters are reminded (negative: after it).
REMINDER_DAYS = (28, 14, 7, 1, -1, -7)
MAX_ATTEMPTS = 3


def reminders_record(*, today: date) -> int:
    """Record today's reminders: one per expected Trust without a submitted report, for each
    window whose due date is one of REMINDER_DAYS away."""
    made = 0
    for window in ReportWindow.objects.all():
        days = (window.due_on - today).days
        if days not in REMINDER_DAYS or window.opens_on > today:
            continue
        done = set(
            YearEndReport.objects.filter(year=window.year, status__in=FROZEN).values_list(
                "trust_id", flat=True
            )
        )
        pending = [
            pk
            for pk in expected_trusts(year=window.year).values_list("pk", flat=True)
            if pk not in done
        ]
        rows = ReportReminder.objects.bulk_create(
            [ReportReminder(trust_id=pk, year=window.year, days_before=days) for pk in pending],
            ignore_conflicts=True,
        )
        made += len(rows)
    return made


def _send(reminder: ReportReminder, recipients: list[str], window: ReportWindow) -> None:
    days = reminder.days_before
    when = (
        f"due in {days} day{'s' if days != 1 else ''}, on {window.due_on:%-d %B %Y}"
        if days > 0
        else f"{-days} day{'s' if days != -1 else ''} overdue (it was due on "
        f"{window.due_on:%-d %B %Y})"
    )
    url = settings.SITE_URL + reverse(
        "reports:report", kwargs={"year": reminder.year, "ods_code": reminder.trust.ods_code}
    )
    send_templated_email(
        "report_reminder",
        {"trust": reminder.trust, "label": year_label(reminder.year), "when": when, "url": url},
        to=recipients,
    )


def reminders_send_due(*, today: date | None = None) -> int:
    """Record today's reminders and send every unsent one from the last two days, to the
    Trust's CLM (or its administrators when the post is vacant). Returns the number sent."""
    today = today or timezone.localdate()
    reminders_record(today=today)
    unsent = list(
        ReportReminder.objects.filter(
            sent_at__isnull=True,
            attempts__lt=MAX_ATTEMPTS,
            created_at__gte=timezone.now() - timedelta(days=2),
        ).select_related("trust")
    )
    if not unsent:
        return 0
    windows = {w.year: w for w in ReportWindow.objects.filter(year__in={r.year for r in unsent})}
    submitted = set(
        YearEndReport.objects.filter(year__in=windows.keys(), status__in=FROZEN).values_list(
            "trust_id", "year"
        )
    )
    recipients = report_reminder_recipients(trust_ids={r.trust_id for r in unsent})
    sent = 0
    for reminder in unsent:
        window = windows.get(reminder.year)
        to = recipients.get(reminder.trust_id, [])
        if window is None or (reminder.trust_id, reminder.year) in submitted or not to:
            # Submitted since it was recorded, or nobody to tell: nothing goes.
            ReportReminder.objects.filter(pk=reminder.pk).update(attempts=MAX_ATTEMPTS)
            continue
        try:
            _send(reminder, to, window)
        except Exception:
            logger.exception("Reminder %s could not be sent", reminder.pk)
            ReportReminder.objects.filter(pk=reminder.pk).update(attempts=F("attempts") + 1)
            continue
        ReportReminder.objects.filter(pk=reminder.pk).update(
            sent_at=timezone.now(), recipients=len(to), attempts=F("attempts") + 1
        )
        sent += 1
    return sent


def report_decision_send(*, report_id: int, what: str) -> bool:
    """Email the Trust's CLM (and whoever submitted) that the deanery returned or accepted
    their report."""
    report = YearEndReport.objects.select_related("trust", "submitted_by").filter(pk=report_id)
    report = report.first()
    if report is None:
        return False
    to = set(report_reminder_recipients(trust_ids=[report.trust_id]).get(report.trust_id, []))
    if report.submitted_by is not None and report.submitted_by.is_active:
        to.add(report.submitted_by.email)
    if not to:
        return False
    url = settings.SITE_URL + reverse(
        "reports:report", kwargs={"year": report.year, "ods_code": report.trust.ods_code}
    )
    send_templated_email(
        "report_decision", {"report": report, "what": what, "url": url}, to=sorted(to)
    )
    return True
