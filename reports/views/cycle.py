"""The year-end report cycle: the deanery's overview and window, a Trust's report (read,
write, preview, submit; return or accept), and the files made by the worker."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils import timezone
from django.views.decorators.http import require_POST

from clm_portal.forms import add_service_errors
from clm_portal.permissions import STAFF_AND_DEANERY, role_required
from mentors.models import training_year_start
from trusts.models import Role, Trust

from .. import services
from ..charts import submission_rows_html
from ..content import trust_document
from ..forms import ReportForm, ReturnForm, WindowForm
from ..generation import XLSX, generation_request
from ..models import Generation, ReportStatus, YearEndReport, year_label
from ..selectors import (
    entries_changed_since,
    generation_for,
    generations_visible_to,
    report_for,
    submissions_overview,
    trusts_for_reports,
    window_for,
    windows,
)
from .dashboards import FIRST_YEAR

CONTENT_TYPES = {"pdf": "application/pdf", "xlsx": XLSX}


def _check_year(year: int) -> None:
    if not FIRST_YEAR <= year <= training_year_start(timezone.localdate()).year:
        raise Http404


def _trust(request: HttpRequest, ods_code: str) -> Trust:
    return get_object_or_404(trusts_for_reports(user=request.user), ods_code=ods_code)


def _generation_context(generation: Generation | None) -> dict:
    return {"generation": generation}


# --- The deanery's overview --------------------------------------------------------------------


@role_required(Role.DEANERY)
def year_end_latest(request: HttpRequest) -> HttpResponse:
    """The year asked for (the page's year picker), else the latest year with an open
    window, else last training year."""
    asked = request.GET.get("year", "")
    if asked.isascii() and asked.isdigit():
        year = int(asked)
        _check_year(year)
        return redirect("reports:year_end", year=year)
    latest = windows().filter(opens_on__lte=timezone.localdate()).first()
    year = latest.year if latest else training_year_start(timezone.localdate()).year - 1
    return redirect("reports:year_end", year=max(year, FIRST_YEAR))


@role_required(Role.DEANERY)
def year_end(request: HttpRequest, year: int) -> HttpResponse:
    _check_year(year)
    overview = submissions_overview(year=year)
    current = training_year_start(timezone.localdate()).year
    return render(
        request,
        "reports/year_end.html",
        {
            "overview": overview,
            "rows_html": submission_rows_html(
                overview.rows, year, overview.window.due_on if overview.window else None
            ),
            "year": year,
            "year_label": year_label(year),
            "years": [(y, year_label(y)) for y in range(current, FIRST_YEAR - 1, -1)],
            **_generation_context(generation_for(year=year)),
        },
    )


@role_required(Role.DEANERY)
def window_edit(request: HttpRequest, year: int) -> HttpResponse:
    _check_year(year)
    window = window_for(year=year)
    initial = {"opens_on": window.opens_on, "due_on": window.due_on} if window else {}
    form = WindowForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            window = services.window_set(by=request.user, year=year, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request,
                f"The {year_label(year)} reports open on {window.opens_on:%-d %B %Y} and are "
                f"due on {window.due_on:%-d %B %Y}.",
            )
            return redirect("reports:year_end", year=year)
    return render(
        request,
        "reports/window_form.html",
        {"form": form, "year": year, "year_label": year_label(year), "window": window},
        status=400 if form.errors else 200,
    )


@require_POST
@role_required(Role.DEANERY)
def generate_region(request: HttpRequest, year: int) -> HttpResponse:
    _check_year(year)
    generation_request(by=request.user, year=year)
    messages.success(
        request,
        f"The {year_label(year)} regional compendium is being made. This page shows when it "
        "is ready.",
    )
    return redirect("reports:year_end", year=year)


# --- A Trust's report ------------------------------------------------------------------------


def _report_page_context(request, trust: Trust, year: int, report: YearEndReport | None) -> dict:
    user = request.user
    window = window_for(year=year)
    editable = report is None or report.is_editable
    return {
        "trust": trust,
        "year": year,
        "year_label": year_label(year),
        "report": report,
        "status": report.status if report else ReportStatus.DRAFT,
        "status_label": report.get_status_display() if report else "Not started",
        "window": window,
        "window_open": window is not None and window.opens_on <= timezone.localdate(),
        "can_draft": editable and user.has_perm("reports.draft_report", trust),
        "can_submit": editable and user.has_perm("reports.submit_report", trust),
        "can_review": (
            report is not None
            and report.status == ReportStatus.SUBMITTED
            and user.has_perm("reports.review_report", trust)
        ),
        "can_generate": user.has_perm("reports.generate_trust", trust),
        "changed": entries_changed_since(report) if report else 0,
        **_generation_context(generation_for(year=year, trust=trust)),
    }


@role_required(*STAFF_AND_DEANERY)
def report(request: HttpRequest, year: int, ods_code: str) -> HttpResponse:
    _check_year(year)
    trust = _trust(request, ods_code)
    found = report_for(trust=trust, year=year)
    document = trust_document(trust=trust, year=year, report=found)
    return render(
        request,
        "reports/report.html",
        {**_report_page_context(request, trust, year, found), "document": document},
    )


@role_required(Role.CLM, Role.TRUST_ADMIN)
def edit_report(request: HttpRequest, year: int, ods_code: str) -> HttpResponse:
    _check_year(year)
    trust = _trust(request, ods_code)
    if not request.user.has_perm("reports.draft_report", trust):
        raise PermissionDenied
    found = report_for(trust=trust, year=year)
    if found is not None and not found.is_editable:
        messages.error(
            request,
            f"This report is {found.get_status_display().lower()}: it can be changed only after "
            "the deanery returns it.",
        )
        return redirect("reports:report", year=year, ods_code=trust.ods_code)
    form = ReportForm(
        request.POST or None, initial=ReportForm.initial_from(found) if found else None
    )
    if request.method == "POST" and form.is_valid():
        saved = services.report_get_or_start(trust=trust, year=year)
        try:
            services.report_save_draft(
                by=request.user,
                report=saved,
                narratives=form.narratives(),
                overview=form.cleaned_data["overview"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            if "preview" in request.POST:
                return redirect("reports:preview_report", year=year, ods_code=trust.ods_code)
            messages.success(request, "Your report is saved as a draft.")
            return redirect("reports:report", year=year, ods_code=trust.ods_code)
    document = trust_document(trust=trust, year=year, report=found)
    figures = {s["code"]: s for s in document["content"]["responsibilities"]}
    return render(
        request,
        "reports/report_edit.html",
        {
            "form": form,
            "sections": [
                (code, label, text, nothing, figures[code])
                for code, label, text, nothing in form.sections()
            ],
            "trust": trust,
            "year": year,
            "year_label": year_label(year),
            "report": found,
            "document": document,
        },
        status=400 if form.errors else 200,
    )


@role_required(*STAFF_AND_DEANERY)
def preview_report(request: HttpRequest, year: int, ods_code: str) -> HttpResponse:
    """The report as it will be submitted, what still stops it, and (for the CLM) Submit."""
    _check_year(year)
    trust = _trust(request, ods_code)
    found = report_for(trust=trust, year=year)
    document = trust_document(trust=trust, year=year, report=found)
    problems = []
    if found is None or found.is_editable:
        probe = found or YearEndReport(trust=trust, year=year)
        problems = services.submission_problems(probe, document["content"])
    return render(
        request,
        "reports/report_preview.html",
        {
            **_report_page_context(request, trust, year, found),
            "document": document,
            "problems": problems,
        },
    )


@require_POST
@role_required(Role.CLM)
def submit_report(request: HttpRequest, year: int, ods_code: str) -> HttpResponse:
    _check_year(year)
    trust = _trust(request, ods_code)
    found = report_for(trust=trust, year=year)
    if found is None:
        messages.error(request, "Write the report first: nothing has been saved for it yet.")
        return redirect("reports:edit_report", year=year, ods_code=trust.ods_code)
    try:
        services.report_submit(by=request.user, report=found)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
        return redirect("reports:preview_report", year=year, ods_code=trust.ods_code)
    messages.success(
        request,
        "Submitted to the deanery. The report is kept as it is now; its PDF and spreadsheet "
        "are being made.",
    )
    return redirect("reports:report", year=year, ods_code=trust.ods_code)


def _submitted_report(request: HttpRequest, year: int, ods_code: str) -> YearEndReport:
    _check_year(year)
    trust = _trust(request, ods_code)
    found = report_for(trust=trust, year=year)
    if found is None:
        raise Http404
    return found


@role_required(Role.DEANERY)
def return_report(request: HttpRequest, year: int, ods_code: str) -> HttpResponse:
    found = _submitted_report(request, year, ods_code)
    if found.status != ReportStatus.SUBMITTED:
        messages.error(request, "Only a submitted report can be returned.")
        return redirect("reports:report", year=year, ods_code=ods_code)
    form = ReturnForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.report_return(by=request.user, report=found, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"Returned to {found.trust.name}, with your reason.")
            return redirect("reports:year_end", year=year)
    return render(
        request,
        "reports/report_return.html",
        {"form": form, "report": found, "trust": found.trust, "year": year},
        status=400 if form.errors else 200,
    )


@require_POST
@role_required(Role.DEANERY)
def accept_report(request: HttpRequest, year: int, ods_code: str) -> HttpResponse:
    found = _submitted_report(request, year, ods_code)
    try:
        services.report_accept(by=request.user, report=found)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
        return redirect("reports:report", year=year, ods_code=ods_code)
    messages.success(request, f"{found.trust.name}'s {found.label} report is accepted.")
    return redirect("reports:year_end", year=year)


@require_POST
@role_required(*STAFF_AND_DEANERY)
def generate_trust(request: HttpRequest, year: int, ods_code: str) -> HttpResponse:
    _check_year(year)
    trust = _trust(request, ods_code)
    generation_request(by=request.user, year=year, trust=trust)
    messages.success(request, "The report's PDF and spreadsheet are being made.")
    return redirect("reports:report", year=year, ods_code=trust.ods_code)


# --- Files -------------------------------------------------------------------------------------


@role_required(*STAFF_AND_DEANERY)
def download(request: HttpRequest, pk: int, fmt: str) -> HttpResponse:
    generation = get_object_or_404(generations_visible_to(user=request.user), pk=pk)
    if fmt not in CONTENT_TYPES:
        raise Http404
    field = generation.pdf if fmt == "pdf" else generation.xlsx
    if not field.name or not field.storage.exists(field.name):
        raise Http404("These files have not been made yet.")
    return FileResponse(
        field.open("rb"),
        as_attachment=True,
        filename=f"{generation.basename}.{fmt}",
        content_type=CONTENT_TYPES[fmt],
    )


@role_required(*STAFF_AND_DEANERY)
def generation_status(request: HttpRequest, pk: int) -> HttpResponse:
    """The generation's status, for the page's script that watches it."""
    generation = get_object_or_404(generations_visible_to(user=request.user), pk=pk)
    return JsonResponse(
        {
            "status": generation.status,
            "label": generation.get_status_display(),
            "seconds": generation.seconds,
            "message": generation.message,
        }
    )


urlpatterns = [
    path("year-end/", year_end_latest, name="year_end_latest"),
    path("year-end/<int:year>/", year_end, name="year_end"),
    path("year-end/<int:year>/window/", window_edit, name="window"),
    path("year-end/<int:year>/compendium/", generate_region, name="generate_region"),
    path("year-end/<int:year>/<str:ods_code>/", report, name="report"),
    path("year-end/<int:year>/<str:ods_code>/edit/", edit_report, name="edit_report"),
    path("year-end/<int:year>/<str:ods_code>/preview/", preview_report, name="preview_report"),
    path("year-end/<int:year>/<str:ods_code>/submit/", submit_report, name="submit_report"),
    path("year-end/<int:year>/<str:ods_code>/return/", return_report, name="return_report"),
    path("year-end/<int:year>/<str:ods_code>/accept/", accept_report, name="accept_report"),
    path("year-end/<int:year>/<str:ods_code>/generate/", generate_trust, name="generate_trust"),
    path("files/<int:pk>/<str:fmt>/", download, name="download"),
    path("files/<int:pk>/status.json", generation_status, name="generation_status"),
]
