"""Finding and applying: the opportunity list and page, applying, a trainee's applications and
the answers to an offer, and the supervisor's view of their trainees' applications."""

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path

from clm_portal.forms import add_service_errors
from clm_portal.permissions import STAFF_AND_DEANERY, role_required
from trusts.models import Role
from trusts.selectors import trainees_supervised_by

from .. import services
from ..filters import OpportunityFilter
from ..forms.browse import ApplyForm, RecommendForm, WithdrawForm
from ..models import LIVE, Application, Booking
from ..models import ApplicationStatus as S
from ..selectors import (
    applications_visible_to,
    filter_trusts_for,
    opportunities_visible_to,
    placement_of,
    waiting_list_position,
    with_events,
    with_waiting_positions,
)
from ..workflow import TRAINEE, allowed_moves

EVERYONE = tuple(Role.values)
PER_PAGE = 20
WAITING_RULE = (
    "Places that come free are offered in the order people joined the waiting list. An offer is "
    f"held for {settings.OPPORTUNITY_OFFER_HOLD_HOURS} hours, then passes to the next person."
)


def _grade(user) -> str | None:
    profile = getattr(user, "trainee_profile", None) if user.has_role(Role.TRAINEE) else None
    return profile.grade if profile else None


def _runs_past_placement(opportunity, placement) -> bool:
    return bool(
        placement
        and placement.ends_on
        and opportunity.ends_on
        and not opportunity.flexible_dates
        and opportunity.ends_on > placement.ends_on
    )


@role_required(*EVERYONE)
def opportunity_list(request: HttpRequest) -> HttpResponse:
    """Published opportunities taking applications, with search, filters and sorting."""
    user = request.user
    placement = placement_of(user) if user.has_role(Role.TRAINEE) else None
    grade = _grade(user)
    data = request.GET.copy()
    if grade and "open_to_me" not in data and not data.get("filtered"):
        data["open_to_me"] = "on"  # a trainee sees what is open to them first
    found = OpportunityFilter(
        data,
        queryset=opportunities_visible_to(user=user)
        .taking_applications()
        .prefetch_related("gpc_domains"),
        trusts=filter_trusts_for(user=user),
        grade=grade,
        placement_ends=placement.ends_on if placement else None,
    )
    page = Paginator(found.qs, PER_PAGE).get_page(request.GET.get("page"))
    applied = set()
    if grade:
        applied = set(
            applications_visible_to(user=user)
            .filter(trainee=user, opportunity__in=[o.pk for o in page])
            .values_list("opportunity_id", flat=True)
        )
    for opportunity in page:
        opportunity.applied = opportunity.pk in applied
        opportunity.past_placement = _runs_past_placement(opportunity, placement)
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "opportunities/browse/list.html",
        {
            "filter": found,
            "page": page,
            "query": query.urlencode(),
            "placement": placement,
            "can_manage": user.has_any_role(*STAFF_AND_DEANERY),
        },
    )


@role_required(*EVERYONE)
def opportunity_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    opportunity = get_object_or_404(
        opportunities_visible_to(user=user).prefetch_related("gpc_domains"), pk=pk
    )
    application = None
    placement = placement_of(user) if user.has_role(Role.TRAINEE) else None
    if user.has_role(Role.TRAINEE):
        application = (
            applications_visible_to(user=user).filter(trainee=user, opportunity=opportunity).first()
        )
    can_manage = user.has_perm("opportunities.manage_opportunity", opportunity)
    activities = []
    if can_manage or user.has_role(Role.DEANERY):
        activities = list(opportunity.activities.select_related("logged_by").order_by("-date")[:50])
    return render(
        request,
        "opportunities/browse/detail.html",
        {
            "opportunity": opportunity,
            "application": application,
            "placement": placement,
            "past_placement": _runs_past_placement(opportunity, placement),
            "eligible": opportunity.is_open_to(_grade(user)),
            "can_apply": user.has_role(Role.TRAINEE)
            and application is None
            and opportunity.takes_applications(),
            "can_manage": can_manage,
            "can_recommend": user.has_role(Role.SUPERVISOR),
            "activities": activities,
        },
    )


@role_required(Role.TRAINEE)
def apply(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    opportunity = get_object_or_404(opportunities_visible_to(user=user), pk=pk)
    existing = applications_visible_to(user=user).filter(trainee=user, opportunity=opportunity)
    if existing.exists():
        messages.info(request, "You have already applied for this opportunity.")
        return redirect("opportunities:application", pk=existing.first().pk)
    form = ApplyForm(
        request.POST or None,
        statement_required=opportunity.booking == Booking.APPLICATION,
    )
    if request.method == "POST" and form.is_valid():
        try:
            application = services.application_submit(
                trainee=user, opportunity=opportunity, **form.cleaned_data
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            if application.status == S.ACCEPTED:
                messages.success(request, "You have a place. The host will be in touch.")
            elif application.status == S.WAITLISTED:
                messages.success(request, "Every place is taken: you are on the waiting list.")
            else:
                messages.success(
                    request, "Application sent. You will hear when the CLM has decided."
                )
            return redirect("opportunities:application", pk=application.pk)
    return render(
        request,
        "opportunities/browse/apply.html",
        {
            "opportunity": opportunity,
            "form": form,
            "past_placement": _runs_past_placement(opportunity, placement_of(user)),
        },
    )


@role_required(Role.SUPERVISOR)
def recommend(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    opportunity = get_object_or_404(opportunities_visible_to(user=user), pk=pk)
    form = RecommendForm(request.POST or None, trainees=trainees_supervised_by(user=user))
    if request.method == "POST" and form.is_valid():
        try:
            services.recommend(by=user, opportunity=opportunity, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request, f"Recommended to {form.cleaned_data['trainee']}: they have been told."
            )
            return redirect("opportunities:detail", pk=opportunity.pk)
    return render(
        request, "opportunities/browse/recommend.html", {"opportunity": opportunity, "form": form}
    )


@role_required(Role.TRAINEE)
def my_applications(request: HttpRequest) -> HttpResponse:
    user = request.user
    applications = with_waiting_positions(
        applications_visible_to(user=user).filter(trainee=user).order_by("-updated_at")
    )
    live = [a for a in applications if a.status in LIVE]
    ended = [a for a in applications if a.status not in LIVE]
    return render(
        request,
        "opportunities/browse/my_applications.html",
        {"live": live, "ended": ended, "waiting_rule": WAITING_RULE},
    )


@role_required(*EVERYONE)
def application_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    application = get_object_or_404(
        with_events(applications_visible_to(user=user)),
        pk=pk,
    )
    own = application.trainee_id == user.pk
    return render(
        request,
        "opportunities/browse/application.html",
        {
            "application": application,
            "opportunity": application.opportunity,
            "own": own,
            "moves": {m.to for m in allowed_moves(application.status, TRAINEE)} if own else set(),
            "position": waiting_list_position(application),
            "waiting_rule": WAITING_RULE,
            "can_manage": user.has_perm(
                "opportunities.manage_opportunity", application.opportunity
            ),
        },
    )


def _own_application(request: HttpRequest, pk: int) -> Application:
    return get_object_or_404(
        applications_visible_to(user=request.user).filter(trainee=request.user), pk=pk
    )


def _answer(request: HttpRequest, pk: int, *, action: str) -> HttpResponse:
    """The confirmation page (GET; the offer email links here) and the answer (POST)."""
    application = _own_application(request, pk)
    to = {"accept": S.ACCEPTED, "decline": S.DECLINED, "withdraw": S.WITHDRAWN}[action]
    if to not in {m.to for m in allowed_moves(application.status, TRAINEE)}:
        messages.error(
            request,
            f"This application is {application.get_status_display().lower()}: it can no "
            f"longer be {'accepted' if action == 'accept' else action + 'ed'}.",
        )
        return redirect("opportunities:application", pk=application.pk)
    form = WithdrawForm(request.POST or None) if action == "withdraw" else None
    if request.method == "POST" and (form is None or form.is_valid()):
        try:
            if action == "accept":
                services.application_accept(trainee=request.user, application=application)
                messages.success(request, "You have accepted the place.")
            elif action == "decline":
                services.application_decline(trainee=request.user, application=application)
                messages.success(
                    request, "You have declined the place; it passes to the next person."
                )
            else:
                services.application_withdraw(
                    trainee=request.user,
                    application=application,
                    reason=form.cleaned_data["reason"],
                )
                messages.success(request, "Your application is withdrawn.")
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        return redirect("opportunities:application", pk=application.pk)
    return render(
        request,
        "opportunities/browse/answer.html",
        {"application": application, "action": action, "form": form},
    )


@role_required(Role.TRAINEE)
def accept(request: HttpRequest, pk: int) -> HttpResponse:
    return _answer(request, pk, action="accept")


@role_required(Role.TRAINEE)
def decline(request: HttpRequest, pk: int) -> HttpResponse:
    return _answer(request, pk, action="decline")


@role_required(Role.TRAINEE)
def withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    return _answer(request, pk, action="withdraw")


@role_required(Role.SUPERVISOR)
def supervisees(request: HttpRequest) -> HttpResponse:
    """The supervisor's trainees: their live applications and confirmed experiences."""
    trainees = list(trainees_supervised_by(user=request.user).order_by("name"))
    applications = with_waiting_positions(
        applications_visible_to(user=request.user)
        .filter(trainee__in=[t.pk for t in trainees])
        .filter(Q(status__in=LIVE) | Q(status=S.COMPLETED))
        .order_by("trainee__name", "-updated_at")
    )
    by_trainee: dict[int, dict] = {t.pk: {"trainee": t, "live": [], "done": []} for t in trainees}
    for application in applications:
        entry = by_trainee[application.trainee_id]
        (entry["done"] if application.status == S.COMPLETED else entry["live"]).append(application)
    return render(
        request, "opportunities/browse/supervisees.html", {"rows": list(by_trainee.values())}
    )


urlpatterns = [
    path("", opportunity_list, name="list"),
    path("<int:pk>/", opportunity_detail, name="detail"),
    path("<int:pk>/apply/", apply, name="apply"),
    path("<int:pk>/recommend/", recommend, name="recommend"),
    path("applications/", my_applications, name="my_applications"),
    path("applications/<int:pk>/", application_detail, name="application"),
    path("applications/<int:pk>/accept/", accept, name="accept"),
    path("applications/<int:pk>/decline/", decline, name="decline"),
    path("applications/<int:pk>/withdraw/", withdraw, name="withdraw"),
    path("supervisees/", supervisees, name="supervisees"),
]
