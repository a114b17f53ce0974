"""Managing opportunities: the Trust's list, publishing, deciding on applications, the match
board and invitations. A Trust's CLM and administrators manage their Trust's; deanery staff
read all and manage the region-wide ones."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Case, IntegerField, Value, When
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.views.decorators.http import require_POST

from clm_portal.forms import add_service_errors
from clm_portal.permissions import STAFF_AND_DEANERY, role_required
from trusts.models import Role

from .. import services
from ..forms.manage import DecideForm, OpportunityForm, StatusForm
from ..matching import is_busy, match_candidates
from ..models import ApplicationStatus as S
from ..models import OpportunityStatus
from ..selectors import (
    applicant_counts,
    applications_managed_by,
    manageable_trusts_for,
    opportunities_managed_by,
    opportunities_visible_to,
    with_events,
    with_waiting_positions,
)
from ..workflow import STAFF, allowed_moves

PER_PAGE = 25
STATUS_ORDER = Case(
    *(
        When(status=status, then=Value(i))
        for i, status in enumerate(
            [
                OpportunityStatus.OPEN,
                OpportunityStatus.FILLED,
                OpportunityStatus.DRAFT,
                OpportunityStatus.CLOSED,
                OpportunityStatus.CANCELLED,
            ]
        )
    ),
    output_field=IntegerField(),
)
# The order applications are listed in on an opportunity's page.
STATE_ORDER = [
    S.SUBMITTED,
    S.SHORTLISTED,
    S.OFFERED,
    S.ACCEPTED,
    S.WAITLISTED,
    S.COMPLETED,
    S.DID_NOT_ATTEND,
    S.DECLINED,
    S.WITHDRAWN,
    S.UNSUCCESSFUL,
    S.OFFER_EXPIRED,
    S.CANCELLED_BY_HOST,
]


@role_required(*STAFF_AND_DEANERY)
def manage_list(request: HttpRequest) -> HttpResponse:
    """Every opportunity the reader manages, in every status, with applicants and waiting."""
    status = request.GET.get("status", "")
    opportunities = applicant_counts(opportunities_managed_by(user=request.user))
    if status in OpportunityStatus.values:
        opportunities = opportunities.filter(status=status)
    opportunities = opportunities.order_by(STATUS_ORDER, "deadline", "pk")
    page = Paginator(opportunities, PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "opportunities/manage/list.html",
        {
            "page": page,
            "status": status,
            "statuses": OpportunityStatus.choices,
            "query": f"status={status}" if status else "",
            "can_create": bool(manageable_trusts_for(user=request.user).exists())
            or request.user.has_role(Role.DEANERY),
        },
    )


@role_required(*STAFF_AND_DEANERY)
def opportunity_create(request: HttpRequest) -> HttpResponse:
    user = request.user
    trusts = manageable_trusts_for(user=user)
    fixed = None
    if not user.has_role(Role.DEANERY) and trusts.count() == 1:
        fixed = trusts.first()
    form = OpportunityForm(request.POST or None, trusts=trusts, fixed_trust=fixed)
    if request.method == "POST" and form.is_valid():
        trust = fixed or form.cleaned_data.get("trust")
        if trust is None and not user.has_role(Role.DEANERY):
            form.add_error("trust", "Choose a Trust")
        else:
            try:
                opportunity = services.opportunity_create(
                    by=user, trust=trust, **form.service_fields()
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(
                    request, "Saved as a draft. Publish it when it is ready for trainees to see."
                )
                return redirect("opportunities:applications", pk=opportunity.pk)
    return render(request, "opportunities/manage/form.html", {"form": form, "opportunity": None})


def _manageable(request: HttpRequest, pk: int):
    """An opportunity the reader may change: another Trust's is a 404, one the reader may only
    read (deanery, a Trust's opportunity) a 403."""
    opportunity = get_object_or_404(
        opportunities_visible_to(user=request.user).prefetch_related("gpc_domains"), pk=pk
    )
    if not request.user.has_perm("opportunities.manage_opportunity", opportunity):
        raise PermissionDenied
    return opportunity


def _readable_by_staff(request: HttpRequest, pk: int):
    """An opportunity whose applications the reader may see: their Trust's (all for deanery)."""
    return get_object_or_404(
        opportunities_managed_by(user=request.user)
        if not request.user.has_role(Role.DEANERY)
        else opportunities_visible_to(user=request.user),
        pk=pk,
    )


@role_required(*STAFF_AND_DEANERY)
def opportunity_edit(request: HttpRequest, pk: int) -> HttpResponse:
    opportunity = _manageable(request, pk)
    form = OpportunityForm(
        request.POST or None,
        instance=opportunity,
        trusts=manageable_trusts_for(user=request.user),
        fixed_trust=opportunity.trust,
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.opportunity_update(
                by=request.user, opportunity=opportunity, **form.service_fields()
            )
        except ValidationError as error:
            opportunity.refresh_from_db()
            add_service_errors(form, error)
        else:
            messages.success(request, "Changes saved.")
            return redirect("opportunities:applications", pk=opportunity.pk)
    return render(
        request, "opportunities/manage/form.html", {"form": form, "opportunity": opportunity}
    )


@require_POST
@role_required(*STAFF_AND_DEANERY)
def opportunity_copy(request: HttpRequest, pk: int) -> HttpResponse:
    opportunity = _manageable(request, pk)
    copy = services.opportunity_copy(by=request.user, opportunity=opportunity)
    messages.success(request, "Copied as a new draft: set its dates, then publish it.")
    return redirect("opportunities:edit", pk=copy.pk)


@require_POST
@role_required(*STAFF_AND_DEANERY)
def opportunity_status(request: HttpRequest, pk: int) -> HttpResponse:
    opportunity = _manageable(request, pk)
    form = StatusForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose what to do with the opportunity.")
    else:
        try:
            services.opportunity_set_status(
                by=request.user, opportunity=opportunity, **form.cleaned_data
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            done = {
                OpportunityStatus.OPEN: "Published: trainees can see it and apply.",
                OpportunityStatus.CLOSED: "Closed to new applications.",
                OpportunityStatus.CANCELLED: "Cancelled. Everyone who applied has been told.",
            }
            messages.success(request, done.get(form.cleaned_data["status"], "Saved."))
    return redirect("opportunities:applications", pk=opportunity.pk)


@role_required(*STAFF_AND_DEANERY)
def applications(request: HttpRequest, pk: int) -> HttpResponse:
    """An opportunity's applications by state, the waiting list in order, with their history."""
    opportunity = _readable_by_staff(request, pk)
    rows = list(
        with_events(
            with_waiting_positions(
                applications_managed_by(user=request.user)
                if not request.user.has_role(Role.DEANERY)
                else opportunity.applications.select_related("trainee__trainee_profile")
            )
        )
        .filter(opportunity=opportunity)
        .order_by("waitlisted_at", "created_at", "pk")
    )
    groups = []
    for state in STATE_ORDER:
        members = [a for a in rows if a.status == state]
        if members:
            groups.append((S(state).label, state, members))
    can_manage = request.user.has_perm("opportunities.manage_opportunity", opportunity)
    return render(
        request,
        "opportunities/manage/applications.html",
        {
            "opportunity": opportunity,
            "groups": groups,
            "can_manage": can_manage,
            "moves": services.OPPORTUNITY_MOVES[opportunity.status] if can_manage else (),
            "activities": opportunity.activities.select_related("logged_by").order_by("-date")[:50],
        },
    )


@role_required(*STAFF_AND_DEANERY)
def decide(request: HttpRequest, pk: int) -> HttpResponse:
    application = get_object_or_404(applications_managed_by(user=request.user), pk=pk)
    if not request.user.has_perm("opportunities.manage_opportunity", application.opportunity):
        raise PermissionDenied
    moves = [m for m in allowed_moves(application.status, STAFF) if m.to != S.COMPLETED]
    form = DecideForm(request.POST or None, moves=moves)
    if request.method == "POST":
        if not moves:
            messages.error(
                request,
                f"This application is {application.get_status_display().lower()}: there is "
                "nothing left to decide.",
            )
            return redirect("opportunities:applications", pk=application.opportunity_id)
        if form.is_valid():
            try:
                services.application_decide(
                    by=request.user,
                    application=application,
                    to=form.cleaned_data["to"],
                    reason=form.cleaned_data["reason"],
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(
                    request,
                    f"{application.trainee}: {S(form.cleaned_data['to']).label.lower()}. They "
                    "have been told.",
                )
                return redirect("opportunities:applications", pk=application.opportunity_id)
    return render(
        request,
        "opportunities/manage/decide.html",
        {
            "application": application,
            "opportunity": application.opportunity,
            "form": form,
            "moves": moves,
            "commitments": services.live_commitments(application.trainee),
            "busy_threshold": services.BUSY_THRESHOLD,
        },
    )


@role_required(*STAFF_AND_DEANERY)
def match_board(request: HttpRequest, pk: int) -> HttpResponse:
    opportunity = _manageable(request, pk)
    page = Paginator(match_candidates(opportunity), PER_PAGE).get_page(request.GET.get("page"))
    for trainee in page:
        trainee.busy = is_busy(trainee)
    return render(
        request,
        "opportunities/manage/match.html",
        {
            "opportunity": opportunity,
            "page": page,
            "busy_threshold": services.BUSY_THRESHOLD,
            "query": "",
        },
    )


@role_required(*STAFF_AND_DEANERY)
def invite(request: HttpRequest, pk: int, trainee_pk: int) -> HttpResponse:
    opportunity = _manageable(request, pk)
    trainee = get_object_or_404(match_candidates(opportunity), pk=trainee_pk)
    trainee.busy = is_busy(trainee)
    if request.method == "POST":
        try:
            services.invite(by=request.user, opportunity=opportunity, trainee=trainee)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            return redirect("opportunities:match", pk=opportunity.pk)
        messages.success(
            request, f"{trainee} is invited: the place is held for them while they decide."
        )
        return redirect("opportunities:applications", pk=opportunity.pk)
    return render(
        request,
        "opportunities/manage/invite.html",
        {
            "opportunity": opportunity,
            "trainee": trainee,
            "busy_threshold": services.BUSY_THRESHOLD,
        },
    )


urlpatterns = [
    path("manage/", manage_list, name="manage"),
    path("new/", opportunity_create, name="create"),
    path("<int:pk>/edit/", opportunity_edit, name="edit"),
    path("<int:pk>/copy/", opportunity_copy, name="copy"),
    path("<int:pk>/status/", opportunity_status, name="set_status"),
    path("<int:pk>/applications/", applications, name="applications"),
    path("applications/<int:pk>/decide/", decide, name="decide"),
    path("<int:pk>/match/", match_board, name="match"),
    path("<int:pk>/invite/<int:trainee_pk>/", invite, name="invite"),
]
