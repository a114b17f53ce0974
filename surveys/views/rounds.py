"""The rounds: the list, making one, its page (links, import, export, closing)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from clm_portal.csvimport import handle_upload
from clm_portal.forms import add_service_errors
from clm_portal.permissions import role_required
from mentors.models import training_year_start
from trusts.models import Role

from .. import services
from ..forms import PersonalLinksForm, RoundForm
from ..models import Round, SurveyLink
from ..selectors import rounds_to_answer, rounds_visible_to, trust_ids_for_results

ALL_ROLES = tuple(Role.values)


def _round_for(request: HttpRequest, slug: str) -> Round:
    return get_object_or_404(rounds_visible_to(user=request.user), slug=slug)


@role_required(*ALL_ROLES)
def round_list(request: HttpRequest) -> HttpResponse:
    rounds = rounds_visible_to(user=request.user).order_by("-year", "-opens_on", "name")
    return render(
        request,
        "surveys/rounds/list.html",
        {
            "rounds": list(rounds),
            "to_answer": [r for r, _, _ in rounds_to_answer(user=request.user)],
            "is_deanery": request.user.has_role(Role.DEANERY),
            "user_can_manage": request.user.has_any_role(Role.CLM, Role.TRUST_ADMIN),
        },
    )


@role_required(Role.DEANERY)
def round_create(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    form = RoundForm(
        request.POST if request.method == "POST" else None,
        initial={"year": training_year_start(today).year, "threshold": 10},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            round_ = services.round_create(
                by=request.user,
                name=data["name"],
                slug=data["slug"],
                year=data["year"],
                opens_on=data["opens_on"],
                closes_on=data["closes_on"],
                trusts=data["trusts"],
                threshold=data["threshold"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"{round_.name} is set up.")
            return redirect("surveys:round", slug=round_.slug)
    return render(
        request, "surveys/rounds/form.html", {"form": form}, status=400 if form.errors else 200
    )


@role_required(Role.DEANERY, Role.CLM, Role.TRUST_ADMIN)
def round_detail(request: HttpRequest, slug: str) -> HttpResponse:
    """The round's state, its Trusts' open links (a Trust's staff: their own), and the
    deanery's tools."""
    round_ = _round_for(request, slug)
    is_deanery = request.user.has_role(Role.DEANERY)
    scope = trust_ids_for_results(user=request.user)
    trusts = round_.trusts.order_by("name")
    if scope is not None:
        trusts = trusts.filter(pk__in=scope)
    trusts = list(trusts)
    links = []
    if round_.state != Round.State.CLOSED:
        by_trust = services.open_links_for(round_=round_, trusts=trusts)
        start = reverse("surveys:link_start", args=["TOKEN"])
        for trust in trusts:
            url = start.replace("TOKEN", by_trust[trust.pk].token)
            links.append((trust, request.build_absolute_uri(url)))
    context = {"round": round_, "is_deanery": is_deanery, "links": links, "trusts": trusts}
    if is_deanery:
        context.update(
            counts=dict(round_.responses.values_list("role").annotate(n=Count("pk")).order_by()),
            personal=dict(
                round_.links.filter(kind=SurveyLink.Kind.PERSONAL)
                .values_list("used")
                .annotate(n=Count("pk"))
                .order_by()
            ),
            exports=round_.exports.select_related("by")[:10],
        )
    return render(request, "surveys/rounds/detail.html", context)


@require_POST
@role_required(Role.DEANERY)
def round_close(request: HttpRequest, slug: str) -> HttpResponse:
    round_ = _round_for(request, slug)
    services.round_close(by=request.user, round_=round_)
    messages.success(request, f"{round_.name} is closed and its results are published.")
    return redirect("surveys:results", slug=round_.slug)


@role_required(Role.DEANERY)
def round_import(request: HttpRequest, slug: str) -> HttpResponse:
    round_ = _round_for(request, slug)
    upload = handle_upload(
        request, lambda file: services.responses_import(by=request.user, round_=round_, upload=file)
    )
    if upload.done:
        messages.success(request, f"{upload.result} responses imported; the results are published.")
        return redirect("surveys:results", slug=round_.slug)
    return render(
        request,
        "surveys/rounds/import.html",
        {"round": round_, **upload.context()},
        status=upload.status,
    )


@role_required(Role.DEANERY)
def round_export(request: HttpRequest, slug: str) -> HttpResponse:
    """Raw responses for deanery staff only, in the import format; recorded in the audit log."""
    round_ = _round_for(request, slug)
    lines = services.responses_export(by=request.user, round_=round_)
    response = StreamingHttpResponse(lines, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{round_.slug}-responses.csv"'
    return response


@role_required(Role.DEANERY)
def round_links(request: HttpRequest, slug: str) -> HttpResponse:
    round_ = _round_for(request, slug)
    if round_.state == Round.State.CLOSED:
        raise PermissionDenied
    form = PersonalLinksForm(request.POST if request.method == "POST" else None, round_=round_)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            count = services.personal_links_issue(
                by=request.user,
                round_=round_,
                trust=data["trust"],
                role=data["role"],
                emails=data["emails"],
                base_url=request.build_absolute_uri(reverse("surveys:link_start", args=["TOKEN"]))[
                    : -len("TOKEN/")
                ],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"{count} single-use link{'s' if count != 1 else ''} sent.")
            return redirect("surveys:round", slug=round_.slug)
    return render(
        request,
        "surveys/rounds/links.html",
        {"round": round_, "form": form},
        status=400 if form.errors else 200,
    )


urlpatterns = [
    path("", round_list, name="list"),
    path("new/", round_create, name="create"),
    path("<slug:slug>/", round_detail, name="round"),
    path("<slug:slug>/close/", round_close, name="close"),
    path("<slug:slug>/import/", round_import, name="import"),
    path("<slug:slug>/responses.csv", round_export, name="export"),
    path("<slug:slug>/links/", round_links, name="links"),
]
