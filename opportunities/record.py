"""The trainee's leadership record as portfolio evidence: a PDF (WeasyPrint, tagged PDF/UA)
with a verification link, and a CSV of the same rows.

Each PDF download is recorded (`RecordIssue`) with the experiences it listed; its link shows
anyone who holds the PDF whether each of them still stands (still confirmed), without the
reflections' text.
"""

from __future__ import annotations

import csv
import io

from django.conf import settings
from django.db import transaction
from django.http import HttpResponse
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from mentors.exports import safe_cell
from trusts.models import User

from .models import RecordIssue
from .selectors import confirmed_experiences

CSV_HEADERS = [
    "title",
    "kind",
    "trust",
    "host",
    "starts_on",
    "ends_on",
    "time_commitment",
    "what_i_did",
    "what_i_learned",
    "gpc_domains",
    "confirmed_on",
    "confirmed_by",
]


def confirmed_by(application) -> str:
    reflection = application.reflection
    if reflection.confirmed_by_host:
        return f"{reflection.confirmed_by_host} (host)"
    return str(reflection.confirmed_by or "The Trust")


def record_rows(trainee: User) -> list:
    """The confirmed experiences with their reflections (three queries)."""
    return list(confirmed_experiences(trainee=trainee).select_related("reflection__confirmed_by"))


def record_pdf(trainee: User) -> tuple[bytes, RecordIssue]:
    from weasyprint import HTML

    rows = record_rows(trainee)
    with transaction.atomic():
        issue = RecordIssue.objects.create(trainee=trainee)
        issue.applications.set(rows)
    verify_url = settings.SITE_URL + reverse(
        "opportunities:record_verify", kwargs={"public_id": issue.public_id}
    )
    html = render_to_string(
        "opportunities/record/record_pdf.html",
        {"trainee": trainee, "rows": rows, "issue": issue, "verify_url": verify_url},
    )
    pdf = HTML(string=html, base_url=settings.SITE_URL).write_pdf(pdf_variant="pdf/ua-1")
    return pdf, issue


def pdf_response(trainee: User) -> HttpResponse:
    pdf, _issue = record_pdf(trainee)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = (
        f'attachment; filename="leadership-record-{timezone.localdate():%Y-%m-%d}.pdf"'
    )
    return response


def csv_response(trainee: User) -> HttpResponse:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(CSV_HEADERS)
    for application in record_rows(trainee):
        opportunity, reflection = application.opportunity, application.reflection
        writer.writerow(
            [
                safe_cell(value)
                for value in (
                    opportunity.title,
                    opportunity.get_kind_display(),
                    opportunity.trust.name if opportunity.trust else "Region-wide",
                    f"{opportunity.host_name}, {opportunity.host_role}".strip(", "),
                    opportunity.starts_on.isoformat() if opportunity.starts_on else "",
                    opportunity.ends_on.isoformat() if opportunity.ends_on else "",
                    opportunity.time_commitment,
                    reflection.what_i_did,
                    reflection.what_i_learned,
                    "; ".join(str(d) for d in reflection.gpc_domains.all()),
                    timezone.localtime(reflection.confirmed_at).date().isoformat(),
                    confirmed_by(application),
                )
            ]
        )
    response = HttpResponse("\ufeff" + buffer.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = (
        f'attachment; filename="leadership-record-{timezone.localdate():%Y-%m-%d}.csv"'
    )
    return response
