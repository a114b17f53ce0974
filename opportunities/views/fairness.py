"""Fair access: how widely a Trust's experiences spread across all its trainees."""

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path
from django.utils import timezone
from django.utils.safestring import mark_safe

from clm_portal.escaping import escaped
from clm_portal.permissions import STAFF_AND_DEANERY, role_required
from mentors.models import training_year_start
from trusts.models import Role

from ..fairness import RatingChange, rating_changes, region_snapshot
from ..fairness import fair_access as figures
from ..selectors import applications_managed_by, manageable_trusts_for

FIRST_YEAR = 2015


def _year(request: HttpRequest) -> int:
    current = training_year_start(timezone.localdate()).year
    value = request.GET.get("year", "")
    if value.isascii() and value.isdigit() and FIRST_YEAR <= int(value) <= current:
        return int(value)
    return current


NUMERIC = "nhsuk-table__cell nhsuk-table__cell--numeric"


# For every Trust (200 nationally) the Trust picker and the table were built through template
# tags, most of the page's time; the same markup built here, every value escaped.


def _trust_options_html(trusts, chosen) -> str:
    chosen_pk = chosen.pk if chosen is not None else None
    return mark_safe(  # noqa: S308 - every value escaped
        "".join(
            f'<option value="{escaped(ods)}"{" selected" if pk == chosen_pk else ""}>'
            f"{escaped(name)}</option>"
            for pk, ods, name in trusts.values_list("pk", "ods_code", "name")
        )
    )


def _region_rows_html(rows: list[dict], year: int) -> str:
    return mark_safe(  # noqa: S308 - every value escaped
        "".join(
            '<tr class="nhsuk-table__row"><th class="nhsuk-table__header" scope="row">'
            f'<a href="?trust={escaped(r["trust__ods_code"])}&amp;year={escaped(year)}">'
            f"{escaped(r['trust__name'])}</a></th>"
            f'<td class="{NUMERIC}">{escaped(r["covered"])}</td>'
            f'<td class="{NUMERIC}">{escaped(r["trainees"])}</td>'
            f'<td class="{NUMERIC}">'
            f"{escaped(r['percent']) + '%' if r['percent'] is not None else '—'}</td></tr>"
            for r in rows
        )
    )


@role_required(*STAFF_AND_DEANERY)
def fair_access(request: HttpRequest) -> HttpResponse:
    """A Trust's figures for a training year (its staff: their own Trust; deanery staff: any
    Trust with ?trust=ODS, or every Trust's coverage side by side without it)."""
    user = request.user
    trusts = manageable_trusts_for(user=user)
    year = _year(request)
    ods = request.GET.get("trust", "")
    trust = None
    if ods:
        trust = trusts.filter(ods_code=ods).first()
        if trust is None:
            raise Http404
    elif not user.has_role(Role.DEANERY):
        trust = trusts.first()
        if trust is None:
            raise Http404
    start = timezone.datetime(year, 8, 1).date()
    scope = applications_managed_by(user=user)
    context = {
        "year": year,
        "years": list(range(training_year_start(timezone.localdate()).year, FIRST_YEAR - 1, -1)),
        "trust_options": _trust_options_html(trusts, trust) if user.has_role(Role.DEANERY) else "",
        "is_deanery": user.has_role(Role.DEANERY),
        "trust": trust,
    }
    if trust is not None:
        result = figures(trust=trust, year=start)
        context.update(
            result=result,
            changes=rating_changes(scope.filter(opportunity__trust=trust), year=start),
            chart={
                "labels": [s.label for s in [result.coverage, *result.by_stage]],
                "values": [s.percent or 0 for s in [result.coverage, *result.by_stage]],
            },
        )
    else:
        # Deanery staff, every Trust: from the hourly snapshot (see fairness.region_snapshot).
        snapshot = region_snapshot(year=start)
        rows = snapshot.rows
        context.update(
            region_rows=rows,
            region_rows_html=_region_rows_html(rows, year),
            computed_at=snapshot.computed_at,
            changes=[RatingChange(**change) for change in snapshot.changes],
            chart={
                "labels": [r["trust__name"] for r in rows],
                "values": [r["percent"] or 0 for r in rows],
            },
        )
    return render(request, "opportunities/fairness/fair_access.html", context)


urlpatterns = [
    path("fair-access/", fair_access, name="fair_access"),
]
