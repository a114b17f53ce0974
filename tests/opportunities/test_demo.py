"""The demo opportunities: every state, consistent places, Trusts that differ in fair access."""

import pytest
from django.core.management import call_command
from django.db.models import Count, F, Q

from opportunities.fairness import fair_access
from opportunities.models import HOLDS_PLACE, Application, ApplicationStatus, Opportunity
from trusts.models import Trust

ONLY = "RK9,RA7"


@pytest.fixture
def demo(db, settings):
    settings.DEBUG = True
    call_command("seed_demo", "--quiet-logins", "--only", ONLY)


def test_seeding_twice_adds_nothing(demo):
    counts = (Opportunity.objects.count(), Application.objects.count())
    call_command("seed_demo", "--quiet-logins", "--only", ONLY)
    assert (Opportunity.objects.count(), Application.objects.count()) == counts


def test_every_application_state_and_opportunity_status_is_there(demo):
    assert set(Application.objects.values_list("status", flat=True)) == set(
        ApplicationStatus.values
    ) - {ApplicationStatus.CANCELLED_BY_HOST}
    assert set(Opportunity.objects.values_list("status", flat=True)) == {
        "open",
        "filled",
        "draft",
        "closed",
        "cancelled",
    }


def test_places_held_match_the_applications_holding_them(demo):
    mismatched = Opportunity.objects.annotate(
        holding=Count("applications", filter=Q(applications__status__in=HOLDS_PLACE))
    ).exclude(places_held=F("holding"))
    assert not mismatched.exists()
    assert not Opportunity.objects.filter(places_held__gt=F("places")).exists()


def test_one_trust_spreads_experiences_and_another_concentrates_them(demo):
    spreading = fair_access(trust=Trust.objects.get(ods_code="RK9"))
    concentrating = fair_access(trust=Trust.objects.get(ods_code="RA7"))
    assert spreading.gini < concentrating.gini
    assert spreading.coverage.percent > concentrating.coverage.percent


def test_the_home_trainee_has_an_offer_a_confirmed_experience_and_one_to_record(demo):
    mine = dict(
        Application.objects.filter(trainee__email="trainee.rk9@example.com").values_list(
            "opportunity__kind", "status"
        )
    )
    assert mine["qi_project"] == ApplicationStatus.OFFERED
    assert mine["rca"] == ApplicationStatus.COMPLETED
    assert mine["course"] == ApplicationStatus.ACCEPTED
