"""A round's results: aggregates only, suppressed where small, for everyone who may see them.

Deanery staff see every Trust; a Trust's CLM and administrators their own Trust and the
region; trainees and supervisors the region. No page shows one response.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import path

from clm_portal.permissions import role_required
from trusts.models import Role

from ..analysis import BREAKDOWNS, ROLES, previous_round, published_results
from ..published import (
    bars,
    breakdown_rows_html,
    chart_svg,
    rate_rows_html,
    region_rows_html,
    results_csv,
    results_xlsx,
    visible_groups,
)
from ..selectors import rounds_visible_to, trust_codes_for_results

ALL_ROLES = tuple(Role.values)


def _published(request: HttpRequest, slug: str):
    """The round (its figures deferred: `published_results` reads them when it must)."""
    round_ = get_object_or_404(rounds_visible_to(user=request.user), slug=slug)
    return round_, trust_codes_for_results(user=request.user)


@role_required(*ALL_ROLES)
def results(request: HttpRequest, slug: str) -> HttpResponse:
    round_, codes = _published(request, slug)
    context = {"round": round_, "is_deanery": request.user.has_role(Role.DEANERY)}
    if not round_.published_at:
        return render(request, "surveys/results/unpublished.html", context)
    found = published_results(round_, previous_round(round_))
    role = request.GET.get("role", "")
    if role not in ROLES or not found.has_responses(role):
        role = next((r for r in ROLES if found.has_responses(r)), ROLES[0])
    role_results = found.by_role(role)
    item_codes = [code for code, *_ in role_results.items]
    item = request.GET.get("item", "")
    if item not in item_codes:
        default = "t_support_trust" if role == Role.TRAINEE else "e_discuss"
        item = default if default in item_codes else (item_codes[0] if item_codes else "")
    texts = {code: text for code, text, *_ in role_results.items}
    threshold_plus = round_.threshold + 1
    breakdowns = []
    for key, label in BREAKDOWNS:
        groups = visible_groups(found, role, key, codes)
        if groups:
            rows = breakdown_rows_html(groups, item, threshold_plus)
            breakdowns.append({"key": key, "label": label, "rows": rows})
    trust_groups = visible_groups(found, role, "trust", codes)
    context.update(
        results=found,
        role=role,
        roles=[(r, found.by_role(r).label, found.by_role(r).n) for r in ROLES],
        role_results=role_results,
        item=item,
        item_text=texts.get(item, ""),
        items=role_results.items,
        region_chart=chart_svg(
            bars(
                (text, role_results.total.items[code])
                for code, text, *_ in role_results.items
                if code in role_results.total.items
            ),
            "Bar chart of % agree for each item across the region, with 95% intervals",
        ),
        region_rows=region_rows_html(role_results.items, role_results.total, threshold_plus),
        trust_chart=chart_svg(
            bars((g.label, g.items[item]) for g in trust_groups if item in g.items),
            "Bar chart of % agree by Trust for the chosen item, with 95% intervals",
        ),
        rate_rows=rate_rows_html(trust_groups, threshold_plus),
        breakdowns=breakdowns,
        trust_groups=trust_groups,
        spread=found.spread(role),
        changes=found.changes(role),
        sees_all_trusts=codes is None,
        threshold_plus=threshold_plus,
    )
    return render(request, "surveys/results/results.html", context)


@role_required(*ALL_ROLES)
def results_download(request: HttpRequest, slug: str, fmt: str) -> HttpResponse:
    round_, codes = _published(request, slug)
    if not round_.published_at:
        return render(request, "surveys/results/unpublished.html", {"round": round_}, status=404)
    found = published_results(round_)
    if fmt == "csv":
        response = HttpResponse(results_csv(found, codes), content_type="text/csv; charset=utf-8")
    else:
        response = HttpResponse(
            results_xlsx(found, codes),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    response["Content-Disposition"] = f'attachment; filename="{round_.slug}-results.{fmt}"'
    return response


urlpatterns = [
    path("<slug:slug>/results/", results, name="results"),
    path("<slug:slug>/results.csv", results_download, {"fmt": "csv"}, name="results_csv"),
    path("<slug:slug>/results.xlsx", results_download, {"fmt": "xlsx"}, name="results_xlsx"),
]
