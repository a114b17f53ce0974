"""seed_scale's opportunities at a tiny size: places consistent, applicants in the region."""

import pytest
from django.core.management import call_command
from django.db.models import Count, F, Q

from opportunities.models import HOLDS_PLACE, Application, Opportunity, Reflection
from opportunities.models import ApplicationStatus as S
from trusts.models import Membership, Role

TINY = {"trainees": 200, "trusts": 4, "years": 2, "no_progress": True}


@pytest.fixture
def seeded(db):
    call_command("seed_scale", **TINY)


def test_about_the_opportunities_and_applications_asked_for(seeded):
    trainees = Membership.objects.filter(role=Role.TRAINEE).count()
    assert 0.4 * trainees <= Opportunity.objects.count() <= 0.8 * trainees
    per_opportunity = Application.objects.count() / Opportunity.objects.count()
    assert 2 <= per_opportunity <= 8


def test_places_held_are_the_applications_holding_them_and_never_more(seeded):
    opportunities = Opportunity.objects.annotate(
        holding=Count("applications", filter=Q(applications__status__in=HOLDS_PLACE))
    )
    assert not opportunities.exclude(places_held=F("holding")).exists()
    assert not Opportunity.objects.filter(places_held__gt=F("places")).exists()
    assert not Application.objects.filter(opportunity__status="draft").exists()


def test_every_applicant_is_placed_in_the_opportunitys_trust(seeded):
    elsewhere = Application.objects.exclude(
        trainee__memberships__role=Role.TRAINEE,
        trainee__memberships__trust=F("opportunity__trust"),
    )
    assert not elsewhere.exists()


def test_completed_ones_have_confirmed_reflections(seeded):
    completed = Application.objects.filter(status=S.COMPLETED)
    assert completed.exists()
    assert Reflection.objects.filter(confirmed_at__isnull=False).count() == completed.count()
