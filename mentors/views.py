from datetime import date

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import EmptyPage
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.views.decorators.http import require_POST
from django_tables2 import RequestConfig

from clm_portal.csvimport import handle_upload, template_response
from clm_portal.forms import add_service_errors
from clm_portal.pagination import CappedPaginator
from clm_portal.permissions import TRUST_STAFF, role_required
from clm_portal.views import home
from trusts.models import Role, Trust

from . import exports, imports, services
from .exports import CONTENT_TYPES, export_response
from .filters import ActivityFilter
from .forms import (
    ActivityForm,
    AppointmentForm,
    AttendanceForm,
    CaseStudyForm,
    CaseStudySearchForm,
    EndAppointmentForm,
    NetworkDayForm,
    NudgeForm,
    responsibility_hints,
)
from .models import TrainingYear, training_year_start
from .selectors import (
    activities_visible_to,
    appointment_candidates,
    appointment_for,
    appointment_has_entries,
    appointments_for,
    appointments_visible_to,
    case_studies_search,
    case_study_get,
    clms_for_attendance,
    closed_training_year,
    closed_year_starts,
    is_locked,
    log_trusts_for,
    network_day_get,
    network_days_with_attendance,
    opportunities_of,
    time_summary,
    trainees_of,
    training_years_recorded,
)
from .tables import ActivityTable
from .templatetags.mentors import hours, number

LOG_READERS = (*TRUST_STAFF, Role.DEANERY)
FIRST_YEAR = 2018  # the programme began in the 2018/19 training year
NETWORK = (Role.CLM, Role.DEANERY)


def _clm_trust(request: HttpRequest) -> Trust:
    """The Trust the signed-in CLM logs for (their current appointment's)."""
    appointment = appointment_for(user=request.user)
    if appointment is not None:
        return appointment.trust
    trusts = request.user.trusts_for(Role.CLM)
    if not trusts:
        raise PermissionDenied
    return trusts[0]


def _next_url(request: HttpRequest) -> str | None:
    """Where a form may send the user back to: a page of this site only."""
    url = request.POST.get("next")
    if url and url_has_allowed_host_and_scheme(
        url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return url
    return None


def _int_param(value: str | None, *, low: int = 1, high: int = 2**31 - 1) -> int | None:
    """A query value as a whole number in [low, high], or None. `str.isdigit` accepts "²",
    which `int` refuses, so only ASCII digits count."""
    if not value or not value.isascii() or not value.isdigit() or len(value) > 10:
        return None
    number_ = int(value)
    return number_ if low <= number_ <= high else None


def _locked_message(activity) -> str:
    year = training_year_start(activity.date)
    return (
        f"The {year.year}/{(year.year + 1) % 100:02d} training year is closed: its entries "
        "cannot be changed or deleted."
    )


# --- Logging ------------------------------------------------------------------------------------


def _like_initial(request: HttpRequest) -> dict:
    """The fields of an earlier entry to copy ("log another like this"), from ?like=<id>."""
    like = request.GET.get("like")
    if not like:
        return {}
    source = get_object_or_404(
        activities_visible_to(user=request.user).prefetch_related("trainees", "gpc_domains"),
        pk=_int_param(like) or 0,
    )
    return _form_initial(source)


def _form_initial(activity) -> dict:
    """An entry's fields as the activity form shows them (all but its date)."""
    return {
        "responsibility": activity.responsibility,
        "format": activity.format,
        "hours": number(activity.hours),
        "trainees_reached": activity.trainees_reached,
        "trainees": list(activity.trainees.all()),
        "others_engaged": activity.others_engaged,
        "gpc_domains": list(activity.gpc_domains.all()),
        "notes": activity.notes,
        "opportunity": activity.opportunity_id,
    }


@role_required(Role.CLM)
def log_activity(request: HttpRequest) -> HttpResponse:
    """The full log form; ?like=<id> copies an earlier entry ("log another like this").

    The home page's quick form posts here too; when it has errors, the home page is shown
    again with them (not this long form).
    """
    trust = _clm_trust(request)
    quick = request.POST.get("quick") == "1"
    initial = {"date": timezone.localdate(), "trainees_reached": 0, **_like_initial(request)}
    form = ActivityForm(
        request.POST or None,
        initial=initial,
        trainees=trainees_of(trust=trust),
        opportunities=opportunities_of(trust=trust),
        quick=quick,
    )
    if request.method == "POST" and form.is_valid():
        try:
            activity = services.activity_create(
                by=request.user, trust=trust, **form.service_kwargs()
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request,
                f"Logged {hours(activity.hours)} for "
                f"{activity.get_responsibility_display().lower()} on {activity.date:%-d %B %Y}.",
            )
            request.session["last_activity_id"] = activity.pk
            return redirect(_next_url(request) or "mentors:log")
    if quick:
        request.quick_log_form = form  # read by the CLM home page (clm_portal.views._clm_home)
        return home(request)
    return render(
        request,
        "mentors/log_activity.html",
        {"form": form, "trust": trust, "hints": responsibility_hints()},
    )


@role_required(Role.CLM)
def edit_activity(request: HttpRequest, pk: int) -> HttpResponse:
    activity = get_object_or_404(
        activities_visible_to(user=request.user).prefetch_related("trainees", "gpc_domains"),
        pk=pk,
    )
    if not request.user.has_perm("mentors.change_activity", activity):
        raise PermissionDenied
    if is_locked(activity.date):
        messages.error(request, _locked_message(activity))
        return redirect("mentors:log")
    initial = {"date": activity.date, **_form_initial(activity)}
    form = ActivityForm(
        request.POST or None,
        initial=initial,
        trainees=trainees_of(trust=activity.trust),
        opportunities=opportunities_of(trust=activity.trust),
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.activity_update(activity=activity, by=request.user, **form.service_kwargs())
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "Entry updated.")
            return redirect("mentors:log")
    return render(
        request,
        "mentors/edit_activity.html",
        {"form": form, "activity": activity, "hints": responsibility_hints()},
    )


@role_required(Role.CLM)
def delete_activity(request: HttpRequest, pk: int) -> HttpResponse:
    activity = get_object_or_404(activities_visible_to(user=request.user), pk=pk)
    if not request.user.has_perm("mentors.change_activity", activity):
        raise PermissionDenied
    if is_locked(activity.date):
        messages.error(request, _locked_message(activity))
        return redirect("mentors:log")
    if request.method == "POST":
        try:
            services.activity_delete(activity=activity, by=request.user)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, "Entry deleted.")
        return redirect("mentors:log")
    return render(request, "mentors/delete_activity.html", {"activity": activity})


@role_required(Role.CLM)
def import_activities(request: HttpRequest) -> HttpResponse:
    trust = _clm_trust(request)
    upload = handle_upload(
        request,
        lambda file: imports.activities_import_csv(by=request.user, trust=trust, upload=file),
    )
    if upload.done:
        messages.success(request, upload.result.message)
        return redirect("mentors:log")
    return render(
        request,
        "mentors/import_activities.html",
        {**upload.context(), "trust": trust, **imports.column_choices()},
        status=upload.status,
    )


@role_required(Role.CLM)
def import_template(request: HttpRequest) -> HttpResponse:
    """A CSV file to fill in: the import's columns and one example row."""
    return template_response("clm-activity-template.csv", *imports.activity_template_rows())


# --- Reading the log -----------------------------------------------------------------------------


@role_required(*LOG_READERS)
def activity_log(request: HttpRequest) -> HttpResponse:
    """The Trust's log: filters, sorting, pages, and ?_export=csv|xlsx of the filtered rows."""
    trusts = log_trusts_for(user=request.user)
    show_trust = (
        request.user.has_role(Role.DEANERY) or len(request.user.trust_ids_for(*TRUST_STAFF)) > 1
    )
    activity_filter = ActivityFilter(
        request.GET,
        queryset=activities_visible_to(user=request.user),
        user=request.user,
        show_trust=show_trust,
    )
    rows = activity_filter.qs
    fmt = request.GET.get("_export")
    if fmt in CONTENT_TYPES:
        if rows[: exports.MAX_EXPORT_ROWS + 1].count() > exports.MAX_EXPORT_ROWS:
            # A file of millions of rows would hold a worker for minutes: narrow it first.
            messages.error(
                request,
                f"That is more than {exports.MAX_EXPORT_ROWS:,} entries, too many for one file. "
                "Choose a Trust or a date range with the filters, then download.",
            )
            query = request.GET.copy()
            query.pop("_export", None)
            return redirect(f"{request.path}?{query.urlencode()}")
        return export_response(
            rows.prefetch_related("gpc_domains"),
            fmt,
            f"clm-activity-{timezone.localdate():%Y-%m-%d}",
        )
    table = ActivityTable(rows, show_trust=show_trust, caption="Activity log")
    table.request_user = request.user
    table.can_log = request.user.has_role(Role.CLM)
    table.closed_years = closed_year_starts()
    RequestConfig(request, paginate=False).configure(table)  # sorting only
    _paginate(table, request)
    query = request.GET.copy()
    query.pop("page", None)
    query.pop("_export", None)
    return render(
        request,
        "mentors/activity_log.html",
        {
            "filter": activity_filter,
            "table": table,
            "single_trust": trusts.first() if not show_trust else None,
            "export_csv": f"?{urlencode({**query.dict(), '_export': 'csv'})}",
            "export_xlsx": f"?{urlencode({**query.dict(), '_export': 'xlsx'})}",
            "is_clm": request.user.has_role(Role.CLM),
        },
    )


def _paginate(table, request: HttpRequest, per_page: int = 25) -> None:
    """25 a page over the first 10,000 rows (CappedPaginator: no full count, no deep OFFSET);
    an odd ?page= (², 0, 10**20) shows the first or last page, never a 500."""
    page = _int_param(request.GET.get(table.prefixed_page_field)) or 1
    try:
        table.paginate(paginator_class=CappedPaginator, page=page, per_page=per_page)
    except EmptyPage:
        table.paginate(
            paginator_class=CappedPaginator, page=table.paginator.num_pages, per_page=per_page
        )


def _weekly_chart(summary) -> dict:
    """The weekly hours against the allocation, oldest first, for the chart."""
    weeks = list(reversed(summary.weeks))
    return {
        "labels": [f"{w.start:%-d %b}" for w in weeks],
        "hours": [float(w.hours) for w in weeks],
        "allocation": [float(w.allocation) for w in weeks],
    }


@role_required(*LOG_READERS)
def time_view(request: HttpRequest) -> HttpResponse:
    """Hours per week, month and training year against the allocation, per responsibility."""
    trusts = log_trusts_for(user=request.user).order_by("name")
    ods = request.GET.get("trust")
    if ods:
        trust = get_object_or_404(trusts, ods_code=ods)
    else:
        appointment = appointment_for(user=request.user)
        trust = appointment.trust if appointment else trusts.first()
    if trust is None:
        raise Http404
    today = timezone.localdate()
    year_start = training_year_start(today)
    if year := _int_param(request.GET.get("year"), low=FIRST_YEAR, high=year_start.year):
        year_start = date(year, 8, 1)
    summary = time_summary(trust=trust, today=today, year_start=year_start)
    own = appointment_for(user=request.user, trust=trust)
    nudge_form = NudgeForm(instance=own) if own else None
    return render(
        request,
        "mentors/time.html",
        {
            "summary": summary,
            "trust": trust,
            "trusts": trusts if request.user.has_role(Role.DEANERY) or trusts.count() > 1 else None,
            "years": range(training_year_start(today).year, FIRST_YEAR - 1, -1),
            "year_start": year_start,
            "nudge_form": nudge_form,
            "chart": _weekly_chart(summary),
            "year_closed": summary.complete and is_locked(year_start),
        },
    )


@role_required(Role.CLM)
@require_POST
def nudge_preference(request: HttpRequest) -> HttpResponse:
    appointment = appointment_for(user=request.user)
    if appointment is None:
        raise PermissionDenied
    form = NudgeForm(request.POST, instance=appointment)
    form.is_valid()
    services.appointment_set_nudge(
        appointment=appointment,
        by=request.user,
        weekly_nudge=form.cleaned_data.get("weekly_nudge", False),
    )
    messages.success(
        request,
        "Weekly summary emails are on."
        if appointment.weekly_nudge
        else "Weekly summary emails are off.",
    )
    return redirect("mentors:time")


# --- Training years ---------------------------------------------------------------------------


@role_required(Role.DEANERY)
def training_years(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    current = training_year_start(today)
    recorded = training_years_recorded()
    years = []
    for year_start in (date(y, 8, 1) for y in range(current.year, FIRST_YEAR - 1, -1)):
        row = recorded.get(year_start) or TrainingYear(starts_on=year_start)
        years.append((row, year_start < current))
    return render(request, "mentors/training_years.html", {"years": years})


def _year_start(year: int) -> date:
    if not FIRST_YEAR <= year <= date.max.year - 1:
        raise Http404
    return date(year, 8, 1)


@role_required(Role.DEANERY)
def confirm_close_training_year(request: HttpRequest, year: int) -> HttpResponse:
    """Ask first: closing locks every Trust's entries for the year."""
    return render(
        request,
        "mentors/close_training_year.html",
        {"year": TrainingYear(starts_on=_year_start(year))},
    )


@role_required(Role.DEANERY)
@require_POST
def close_training_year(request: HttpRequest, year: int) -> HttpResponse:
    try:
        closed = services.training_year_close(by=request.user, starts_on=_year_start(year))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request, f"The {closed.label} training year is closed: entries are locked."
        )
    return redirect("mentors:training_years")


@role_required(Role.DEANERY)
@require_POST
def reopen_training_year(request: HttpRequest, year: int) -> HttpResponse:
    row = closed_training_year(starts_on=_year_start(year))
    if row is None:
        raise Http404
    services.training_year_reopen(by=request.user, year=row)
    messages.success(request, f"The {row.label} training year is open again.")
    return redirect("mentors:training_years")


# --- Appointments -----------------------------------------------------------------------------


@role_required(Role.TRUST_ADMIN, Role.DEANERY)
def appointments(request: HttpRequest, ods_code: str) -> HttpResponse:
    trust = get_object_or_404(log_trusts_for(user=request.user), ods_code=ods_code)
    if not request.user.has_perm("mentors.manage_appointments", trust):
        raise PermissionDenied
    # A repeated submission names someone now appointed: the service answers it (idempotent).
    form = AppointmentForm(
        request.POST or None,
        candidates=appointment_candidates(trust=trust, include_current=request.method == "POST"),
        initial={"starts_on": timezone.localdate()},
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.appointment_create(by=request.user, trust=trust, **form.cleaned_data)
        except ValidationError as error:
            form.ask_confirm_second = services.needs_second_clm_confirmation(error)
            add_service_errors(form, error)
        else:
            messages.success(request, "Appointment recorded.")
            return redirect("mentors:appointments", ods_code=trust.ods_code)
    history = appointments_for(trust=trust).with_entry_counts()
    return render(
        request,
        "mentors/appointments.html",
        {
            "trust": trust,
            "appointments": history,
            "form": form,
            "today": timezone.localdate(),
            "vacant": not history.current().exists(),
        },
    )


def _appointment_to_manage(request: HttpRequest, pk: int):
    appointment = get_object_or_404(appointments_visible_to(user=request.user), pk=pk)
    if not request.user.has_perm("mentors.manage_appointments", appointment.trust):
        raise PermissionDenied
    return appointment


@role_required(Role.TRUST_ADMIN, Role.DEANERY)
def end_appointment(request: HttpRequest, pk: int) -> HttpResponse:
    appointment = _appointment_to_manage(request, pk)
    form = EndAppointmentForm(
        request.POST or None, appointment=appointment, initial={"ends_on": timezone.localdate()}
    )
    if request.method == "POST" and form.is_valid():
        services.appointment_end(
            by=request.user, appointment=appointment, ends_on=form.cleaned_data["ends_on"]
        )
        messages.success(request, f"{appointment.user}'s appointment has ended.")
        return redirect("mentors:appointments", ods_code=appointment.trust.ods_code)
    return render(
        request, "mentors/end_appointment.html", {"appointment": appointment, "form": form}
    )


@role_required(Role.TRUST_ADMIN, Role.DEANERY)
def cancel_appointment(request: HttpRequest, pk: int) -> HttpResponse:
    """Undo a mistaken appointment (one with no logged activity), after asking."""
    appointment = _appointment_to_manage(request, pk)
    has_entries = appointment_has_entries(appointment=appointment)
    if request.method == "POST":
        try:
            services.appointment_cancel(by=request.user, appointment=appointment)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(
                request,
                f"{appointment.user}'s appointment was cancelled and their CLM role removed.",
            )
        return redirect("mentors:appointments", ods_code=appointment.trust.ods_code)
    return render(
        request,
        "mentors/cancel_appointment.html",
        {"appointment": appointment, "has_entries": has_entries},
    )


# --- The mentor network ---------------------------------------------------------------------------


@role_required(*NETWORK)
def case_studies(request: HttpRequest) -> HttpResponse:
    form = CaseStudySearchForm(request.GET or None)
    query = responsibility = ""
    if form.is_valid():
        query = form.cleaned_data["q"]
        responsibility = form.cleaned_data["responsibility"]
    results = case_studies_search(query=query, responsibility=responsibility)
    return render(
        request,
        "mentors/case_studies.html",
        {
            "form": form,
            "case_studies": results,
            "searched": bool(query or responsibility),
            "can_publish": request.user.has_perm("mentors.publish_case_study"),
        },
    )


def _case_study_or_404(pk: int):
    study = case_study_get(pk=pk)
    if study is None:
        raise Http404
    return study


@role_required(*NETWORK)
def case_study(request: HttpRequest, pk: int) -> HttpResponse:
    study = _case_study_or_404(pk)
    return render(
        request,
        "mentors/case_study.html",
        {"study": study, "can_edit": request.user.has_perm("mentors.change_case_study", study)},
    )


@role_required(Role.CLM)
def publish_case_study(request: HttpRequest) -> HttpResponse:
    form = CaseStudyForm(
        request.POST or None,
        initial={"contact": f"{request.user.name}, {request.user.email}"},
    )
    if request.method == "POST" and form.is_valid():
        study = services.case_study_create(by=request.user, **form.cleaned_data)
        messages.success(request, "Case study published to the mentor network.")
        return redirect("mentors:case_study", pk=study.pk)
    return render(request, "mentors/case_study_form.html", {"form": form})


@role_required(Role.CLM)
def edit_case_study(request: HttpRequest, pk: int) -> HttpResponse:
    study = _case_study_or_404(pk)
    if not request.user.has_perm("mentors.change_case_study", study):
        raise PermissionDenied
    form = CaseStudyForm(request.POST or None, instance=study)
    if request.method == "POST" and form.is_valid():
        services.case_study_update(case_study=study, by=request.user, **form.cleaned_data)
        messages.success(request, "Case study updated.")
        return redirect("mentors:case_study", pk=study.pk)
    return render(request, "mentors/case_study_form.html", {"form": form, "study": study})


@role_required(*NETWORK)
def network_days(request: HttpRequest) -> HttpResponse:
    days = network_days_with_attendance()
    return render(
        request,
        "mentors/network_days.html",
        {"days": days, "can_manage": request.user.has_perm("mentors.manage_network_days")},
    )


@role_required(Role.DEANERY)
def add_network_day(request: HttpRequest) -> HttpResponse:
    form = NetworkDayForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        day = services.network_day_create(by=request.user, **form.cleaned_data)
        messages.success(request, "Network day added. Record who came below.")
        return redirect("mentors:network_day", pk=day.pk)
    return render(request, "mentors/network_day_form.html", {"form": form})


@role_required(*NETWORK)
def network_day(request: HttpRequest, pk: int) -> HttpResponse:
    day = network_day_get(pk=pk)
    if day is None:
        raise Http404
    can_manage = request.user.has_perm("mentors.manage_network_days")
    form = None
    if can_manage:
        form = AttendanceForm(
            request.POST or None,
            clms=clms_for_attendance(),
            initial={"attendees": list(day.attendees.all())},
        )
        if request.method == "POST" and form.is_valid():
            services.network_day_record_attendance(
                day=day, by=request.user, attendees=list(form.cleaned_data["attendees"])
            )
            messages.success(request, "Attendance saved.")
            return redirect("mentors:network_day", pk=day.pk)
    elif request.method == "POST":
        raise PermissionDenied
    return render(request, "mentors/network_day.html", {"day": day, "form": form})
