"""Taking part and the record: the trainee's reflection, confirmation by the CLM or by the host
through a single-use link, "My leadership record" with its PDF and CSV, the public check of an
issued record, and each person's notifications."""

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils import timezone

from clm_portal.forms import add_service_errors
from clm_portal.permissions import STAFF_AND_DEANERY, role_required
from trusts.models import Role

from .. import record as records
from .. import services
from ..forms.record import ReflectionForm
from ..models import ApplicationStatus as S
from ..selectors import (
    applications_managed_by,
    applications_visible_to,
    confirmed_experiences,
    notifications_for,
    record_issue,
    reflection_by_host_token,
)

EVERYONE = tuple(Role.values)


@role_required(Role.TRAINEE)
def reflect(request: HttpRequest, pk: int) -> HttpResponse:
    application = get_object_or_404(
        applications_visible_to(user=request.user)
        .filter(trainee=request.user)
        .select_related("reflection"),
        pk=pk,
    )
    opportunity = application.opportunity
    existing = getattr(application, "reflection", None)
    if application.status != S.ACCEPTED:
        messages.error(
            request,
            "You can record an experience once you have accepted a place and before it is "
            "confirmed.",
        )
        return redirect("opportunities:application", pk=application.pk)
    not_yet = opportunity.ends_on and opportunity.ends_on > timezone.localdate()
    initial = {}
    if existing is not None:
        initial = {
            "what_i_did": existing.what_i_did,
            "what_i_learned": existing.what_i_learned,
            "gpc_domains": list(existing.gpc_domains.all()),
        }
    form = ReflectionForm(request.POST or None, initial=initial)
    if request.method == "POST" and not not_yet and form.is_valid():
        try:
            services.reflection_submit(
                trainee=request.user, application=application, **form.cleaned_data
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request,
                "Recorded. Your CLM and the host have been asked to confirm it; once confirmed "
                "it is in your leadership record.",
            )
            return redirect("opportunities:application", pk=application.pk)
    return render(
        request,
        "opportunities/record/reflect.html",
        {"application": application, "opportunity": opportunity, "form": form, "not_yet": not_yet},
    )


@role_required(*STAFF_AND_DEANERY)
def confirm(request: HttpRequest, pk: int) -> HttpResponse:
    """The opportunity's staff read the trainee's reflection and confirm it, or record that the
    trainee did not attend."""
    application = get_object_or_404(
        applications_managed_by(user=request.user).select_related("reflection"), pk=pk
    )
    if not request.user.has_perm("opportunities.manage_opportunity", application.opportunity):
        raise PermissionDenied
    reflection = getattr(application, "reflection", None)
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "confirm":
                services.reflection_confirm(by=request.user, application=application)
                messages.success(request, f"{application.trainee}'s experience is confirmed.")
            elif action == "did_not_attend":
                services.application_decide(
                    by=request.user, application=application, to=S.DID_NOT_ATTEND
                )
                messages.success(request, f"Recorded that {application.trainee} did not attend.")
            else:
                messages.error(request, "Choose to confirm, or that they did not attend.")
                return redirect("opportunities:confirm", pk=application.pk)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        return redirect("opportunities:applications", pk=application.opportunity_id)
    return render(
        request,
        "opportunities/record/confirm.html",
        {
            "application": application,
            "opportunity": application.opportunity,
            "reflection": reflection,
            "can_confirm": application.status == S.ACCEPTED and reflection is not None,
            "can_mark_absent": application.status == S.ACCEPTED,
        },
    )


@login_not_required
def host_confirm(request: HttpRequest, token: str) -> HttpResponse:
    """The host confirms through the link emailed to them; it works once."""
    reflection = reflection_by_host_token(token=token)
    if reflection is None or reflection.application.status != S.ACCEPTED:
        return render(request, "opportunities/record/host_link_used.html", status=404)
    if request.method == "POST":
        try:
            services.host_confirm(token=token)
        except ValidationError:
            return render(request, "opportunities/record/host_link_used.html", status=404)
        return render(
            request,
            "opportunities/record/host_confirmed.html",
            {"application": reflection.application},
        )
    return render(
        request,
        "opportunities/record/host_confirm.html",
        {"reflection": reflection, "application": reflection.application},
    )


@role_required(Role.TRAINEE)
def record(request: HttpRequest) -> HttpResponse:
    rows = list(confirmed_experiences(trainee=request.user))
    waiting = (
        applications_visible_to(user=request.user)
        .filter(trainee=request.user, status=S.ACCEPTED)
        .select_related("reflection")
        .order_by("opportunity__ends_on")
    )
    return render(
        request, "opportunities/record/record.html", {"rows": rows, "waiting": list(waiting)}
    )


@role_required(Role.TRAINEE)
def record_pdf(request: HttpRequest) -> HttpResponse:
    return records.pdf_response(request.user)


@role_required(Role.TRAINEE)
def record_csv(request: HttpRequest) -> HttpResponse:
    return records.csv_response(request.user)


@login_not_required
def record_verify(request: HttpRequest, public_id) -> HttpResponse:
    """Whether each experience of an issued record still stands: no reflection, no rating."""
    issue = record_issue(public_id=public_id)
    if issue is None:
        return render(request, "opportunities/record/verify_unknown.html", status=404)
    rows = [
        (application, application.status == S.COMPLETED) for application in issue.applications.all()
    ]
    return render(
        request,
        "opportunities/record/verify.html",
        {"issue": issue, "rows": rows, "all_stand": all(stands for _a, stands in rows)},
    )


@role_required(*EVERYONE)
def notification_list(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        services.notifications_mark_read(user=request.user)
        messages.success(request, "All notifications marked as read.")
        return redirect("opportunities:notifications")
    page = Paginator(notifications_for(user=request.user), 25).get_page(request.GET.get("page"))
    return render(request, "opportunities/record/notifications.html", {"page": page, "query": ""})


urlpatterns = [
    path("applications/<int:pk>/reflect/", reflect, name="reflect"),
    path("applications/<int:pk>/confirm/", confirm, name="confirm"),
    path("host/<str:token>/", host_confirm, name="host_confirm"),
    path("record/", record, name="record"),
    path("record/pdf/", record_pdf, name="record_pdf"),
    path("record/csv/", record_csv, name="record_csv"),
    path("record/verify/<uuid:public_id>/", record_verify, name="record_verify"),
    path("notifications/", notification_list, name="notifications"),
]
