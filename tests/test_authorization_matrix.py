"""Every URL of the portal × every role → the status code that role must get.

The URL list comes from Django's resolver: a new URL without a row here fails
`test_every_url_has_a_row`. Objects belong to the first Trust (RK9); the "other_*" roles
belong to the second, so for them every object is a 404, never the object.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from .conftest import World, client_for

ROLES = (
    "anonymous",
    "trainee",
    "supervisor",
    "clm",
    "trust_admin",
    "deanery",
    "other_clm",
    "other_admin",
)
# Third-party URL sets with their own tests; everything else must be in MATRIX.
EXCLUDED_URLCONFS = ("allauth", "django.contrib.admin")


@dataclass(frozen=True)
class Row:
    kwargs: Callable[[World], dict]
    expect: dict[str, int]
    method: str = "get"
    data: dict = field(default_factory=dict)


def statuses(default: int, **overrides: int) -> dict[str, int]:
    return {role: overrides.get(role, default) for role in ROLES}


PUBLIC = statuses(200)
SIGNED_IN = statuses(200, anonymous=302)
STAFF = statuses(200, anonymous=302, trainee=403, supervisor=403)
# An object of the first Trust: its staff and deanery see it, the other Trust gets 404.
STAFF_OBJECT = statuses(
    200, anonymous=302, trainee=403, supervisor=403, other_clm=404, other_admin=404
)
NO_WORLD = lambda w: {}  # noqa: E731


def _trainee(w: World) -> dict:
    return {"pk": w.trainee.pk}


def _trainee_membership(w: World) -> dict:
    return {"pk": w.trainee.memberships.get().pk}


def _invitation(w: World) -> dict:
    from .factories import InvitationFactory

    return {"pk": InvitationFactory(trust=w.trust, invited_by=w.trust_admin).pk}


def _invitation_token(w: World) -> dict:
    from .factories import InvitationFactory

    return {"token": InvitationFactory(trust=w.trust, invited_by=w.trust_admin).token}


def _activity(w: World) -> dict:
    from .factories import ActivityFactory, appointment_of

    return {"pk": ActivityFactory(appointment=appointment_of(w.clm, w.trust)).pk}


def _appointment(w: World) -> dict:
    from .factories import appointment_of

    return {"pk": appointment_of(w.clm, w.trust).pk}


def _case_study(w: World) -> dict:
    from .factories import CaseStudyFactory

    return {"pk": CaseStudyFactory(author=w.clm, trust=w.trust).pk}


def _network_day(w: World) -> dict:
    from .factories import NetworkDayFactory

    return {"pk": NetworkDayFactory().pk}


def _closed_year(w: World) -> dict:
    from django.utils import timezone

    from mentors.models import TrainingYear

    TrainingYear.objects.create(starts_on=date(2024, 8, 1), closed_at=timezone.now())
    return {"year": 2024}


ONLY_CLMS = statuses(403, anonymous=302, clm=200, other_clm=200)
# The CLM's own entry: the other Trust's CLM gets 404; readers who may not change it, 403.
OWN_ENTRY = statuses(403, anonymous=302, clm=200, other_clm=404)
ONLY_DEANERY = statuses(403, anonymous=302, deanery=200)
# Appointments: the Trust's administrator and the deanery; the other Trust's admin gets 404.
APPOINTMENTS = statuses(403, anonymous=302, trust_admin=200, deanery=200, other_admin=404)
NETWORK = statuses(403, anonymous=302, clm=200, other_clm=200, deanery=200)

MATRIX: dict[str, Row] = {
    "home": Row(NO_WORLD, PUBLIC),
    "privacy": Row(NO_WORLD, PUBLIC),
    "accessibility": Row(NO_WORLD, PUBLIC),
    "healthz": Row(NO_WORLD, PUBLIC),
    "account_settings": Row(NO_WORLD, SIGNED_IN),
    # The benchmark's floor: any signed-in person, no data.
    "bench_trivial": Row(NO_WORLD, SIGNED_IN),
    "trusts:list": Row(NO_WORLD, STAFF),
    "trusts:detail": Row(lambda w: {"ods_code": w.trust.ods_code}, STAFF_OBJECT),
    "trusts:people": Row(NO_WORLD, STAFF),
    "trusts:person": Row(_trainee, STAFF_OBJECT),
    "trusts:person_history": Row(_trainee, STAFF_OBJECT),
    # Deanery staff read the region; a placement is the Trust's to change.
    "trusts:edit_placement": Row(_trainee, {**STAFF_OBJECT, "deanery": 403}),
    # Only the Trust's administrator (or deanery) may take a role away; not its CLM.
    # GET is the confirmation page; the POST that removes is tested in tests/trusts.
    "trusts:remove_membership": Row(_trainee_membership, {**STAFF_OBJECT, "clm": 403}),
    # Undo a removal: only the administrator who removed it (others are told it cannot be).
    "trusts:restore_membership": Row(
        lambda w: {"removal_id": 1}, statuses(302, trainee=403, supervisor=403), method="post"
    ),
    "trusts:invite": Row(NO_WORLD, STAFF),
    "trusts:invite_upload": Row(NO_WORLD, STAFF),
    "trusts:invite_template": Row(NO_WORLD, STAFF),
    "trusts:invitations": Row(NO_WORLD, STAFF),
    "trusts:resend_invitation": Row(
        _invitation,
        {**STAFF_OBJECT, "clm": 302, "trust_admin": 302, "deanery": 302},
        method="post",
    ),
    "trusts:revoke_invitation": Row(
        _invitation,
        {**STAFF_OBJECT, "clm": 302, "trust_admin": 302, "deanery": 302},
        method="post",
    ),
    # The link is for the invitee: anyone signed in as someone else is turned away.
    "trusts:accept_invitation": Row(_invitation_token, statuses(403, anonymous=200)),
    "trusts:profile": Row(NO_WORLD, SIGNED_IN),
    "trusts:my_trainees": Row(NO_WORLD, statuses(403, anonymous=302, supervisor=200)),
    # The CLM activity log
    "mentors:log": Row(NO_WORLD, STAFF),
    "mentors:time": Row(NO_WORLD, STAFF),
    "mentors:log_activity": Row(NO_WORLD, ONLY_CLMS),
    "mentors:import": Row(NO_WORLD, ONLY_CLMS),
    "mentors:import_template": Row(NO_WORLD, ONLY_CLMS),
    "mentors:edit_activity": Row(_activity, OWN_ENTRY),
    "mentors:delete_activity": Row(_activity, OWN_ENTRY),
    "mentors:nudge_preference": Row(
        NO_WORLD, statuses(403, anonymous=302, clm=302, other_clm=302), method="post"
    ),
    "mentors:training_years": Row(NO_WORLD, ONLY_DEANERY),
    "mentors:close_year": Row(
        lambda w: {"year": 2024}, {**ONLY_DEANERY, "deanery": 302}, method="post"
    ),
    "mentors:confirm_close_year": Row(lambda w: {"year": 2024}, ONLY_DEANERY),
    "mentors:reopen_year": Row(_closed_year, {**ONLY_DEANERY, "deanery": 302}, method="post"),
    "mentors:appointments": Row(lambda w: {"ods_code": w.trust.ods_code}, APPOINTMENTS),
    "mentors:end_appointment": Row(_appointment, APPOINTMENTS),
    "mentors:cancel_appointment": Row(_appointment, APPOINTMENTS),
    # The mentor network: every CLM and the deanery
    "mentors:case_studies": Row(NO_WORLD, NETWORK),
    "mentors:case_study": Row(_case_study, NETWORK),
    "mentors:publish_case_study": Row(NO_WORLD, ONLY_CLMS),
    "mentors:edit_case_study": Row(_case_study, statuses(403, anonymous=302, clm=200)),
    "mentors:network_days": Row(NO_WORLD, NETWORK),
    "mentors:network_day": Row(_network_day, NETWORK),
    "mentors:add_network_day": Row(NO_WORLD, ONLY_DEANERY),
}

# The opportunities' rows: one module per part (tests/opportunities/matrix_*.py), each a
# `rows(Row, statuses)` returning {url name: Row}.
for _part in ("browse", "manage", "record", "fairness"):
    _module = __import__(f"tests.opportunities.matrix_{_part}", fromlist=["rows"])
    MATRIX.update(_module.rows(Row, statuses))
# The surveys' rows (tests/surveys/matrix_surveys.py).
MATRIX.update(__import__("tests.surveys.matrix_surveys", fromlist=["rows"]).rows(Row, statuses))
# The reports' rows (tests/reports/matrix_reports.py).
MATRIX.update(__import__("tests.reports.matrix_reports", fromlist=["rows"]).rows(Row, statuses))


def _portal_url_names(resolver: URLResolver | None = None, namespace: str = "") -> set[str]:
    resolver = resolver or get_resolver()
    names = set()
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            module = getattr(entry.urlconf_module, "__name__", "") or str(entry.urlconf_name)
            if module.startswith(EXCLUDED_URLCONFS) or entry.app_name == "admin":
                continue
            ns = entry.namespace or namespace
            names |= _portal_url_names(entry, f"{ns}:" if entry.namespace else namespace)
        elif isinstance(entry, URLPattern) and entry.name:
            names.add(f"{namespace}{entry.name}")
    return names


def test_every_url_has_a_row():
    names = _portal_url_names()
    assert names - MATRIX.keys() == set(), "URLs without a row in the authorisation matrix"
    assert MATRIX.keys() - names == set(), "rows for URLs that no longer exist"


def _user(world: World, role: str):
    return None if role == "anonymous" else getattr(world, role)


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("name", sorted(MATRIX))
def test_role_gets_expected_status(world, name, role):
    row = MATRIX[name]
    url = reverse(name, kwargs=row.kwargs(world))
    response = getattr(client_for(_user(world, role)), row.method)(url, row.data)
    assert response.status_code == row.expect[role], (
        f"{role} {row.method.upper()} {url}: {response.status_code}"
    )
    if response.status_code == 302 and role == "anonymous":
        assert response["Location"].startswith(reverse("account_login"))


@pytest.mark.django_db
@pytest.mark.parametrize("name", sorted(n for n, r in MATRIX.items() if r.method == "post"))
def test_post_only_urls_refuse_get(world, name):
    row = MATRIX[name]
    url = reverse(name, kwargs=row.kwargs(world))
    allowed = next(
        role for role, status in row.expect.items() if status == 302 and role != "anonymous"
    )
    assert client_for(_user(world, allowed)).get(url).status_code == 405
