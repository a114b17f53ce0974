"""The reports' part of a CLM's and a Trust administrator's home page: a year-end report that
is open for submission and not yet with the deanery (registered in ReportsConfig.ready)."""

from django.utils import timezone

from clm_portal.permissions import TRUST_STAFF
from mentors.models import training_year_start

from .models import FROZEN, ReportStatus, year_label
from .selectors import reports_visible_to, trusts_for_reports, windows


def reports_due(request) -> dict:
    """The reports of last training year and this one whose window has opened, until they
    are submitted: a few queries."""
    today = timezone.localdate()
    recent = training_year_start(today).year - 1
    open_windows = {w.year: w for w in windows().filter(opens_on__lte=today, year__gte=recent)}
    if not open_windows or not request.user.has_any_role(*TRUST_STAFF):
        return {"reports_due": []}
    trusts = list(trusts_for_reports(user=request.user))
    reports = {
        (r.trust_id, r.year): r
        for r in reports_visible_to(user=request.user).filter(year__in=open_windows)
    }
    due = []
    for year, window in sorted(open_windows.items()):
        for trust in trusts:
            report = reports.get((trust.pk, year))
            if report is not None and report.status in FROZEN:
                continue
            due.append(
                {
                    "trust": trust,
                    "year": year,
                    "label": year_label(year),
                    "window": window,
                    "late": today > window.due_on,
                    "status": report.get_status_display() if report else "Not started",
                    "returned": report is not None and report.status == ReportStatus.RETURNED,
                }
            )
    return {"reports_due": due}
