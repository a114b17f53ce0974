"""No one, in any role, ever sees one trainee's self-ratings: no page puts a rating in its
context, the admin has no screen for them, and the only read is the suppressed aggregate."""

import pytest
from django.contrib import admin
from django.db.models import QuerySet
from django.urls import reverse

from opportunities.models import Rating

from ..conftest import client_for
from ..factories import OpportunityFactory, UserFactory, apply_for
from ..test_authorization_matrix import MATRIX, ROLES, _user


def _holds_a_rating(value, depth: int = 0) -> bool:
    if depth > 3:
        return False
    if isinstance(value, Rating):
        return True
    if isinstance(value, QuerySet):
        return value.model is Rating
    if isinstance(value, dict):
        return any(_holds_a_rating(v, depth + 1) for v in value.values())
    if isinstance(value, list | tuple | set):
        return any(_holds_a_rating(v, depth + 1) for v in list(value)[:50])
    return False


OPPORTUNITY_PAGES = sorted(
    name
    for name, row in MATRIX.items()
    if name.startswith("opportunities:") and row.method == "get"
)


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES)
def test_no_page_puts_a_rating_in_front_of_anyone(world, role):
    opportunity = OpportunityFactory(trust=world.trust, places=2)
    apply_for(opportunity, world.trainee, leader=2, lead_change=5)
    assert Rating.objects.count() == 1
    client = client_for(_user(world, role))
    seen = 0
    for name in OPPORTUNITY_PAGES:
        row = MATRIX[name]
        response = client.get(reverse(name, kwargs=row.kwargs(world)), row.data)
        if response.status_code != 200 or response.context is None:
            continue
        seen += 1
        for context in response.context:
            flat = context.flatten() if hasattr(context, "flatten") else dict(context)
            assert not _holds_a_rating(flat), f"{role} sees a rating on {name}"
    if role in ("trainee", "clm", "deanery"):
        assert seen > 0


def test_the_admin_has_no_screen_for_ratings():
    assert Rating not in admin.site._registry


@pytest.mark.django_db
def test_a_superuser_cannot_open_ratings_in_the_admin(client):
    superuser = UserFactory(is_staff=True, is_superuser=True)
    client.force_login(superuser, backend="django.contrib.auth.backends.ModelBackend")
    response = client.get("/admin/opportunities/rating/")
    assert response.status_code in (302, 404)
    if response.status_code == 302:
        # Sent to set up MFA or sign in again, never to the list.
        assert "/admin/opportunities/rating/" not in response["Location"]
