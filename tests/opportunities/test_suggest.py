"""'Suggested for you' on known data: eligible, open, not applied for, always with reasons."""

from datetime import timedelta

import pytest
from django.utils import timezone

from opportunities.models import Application
from opportunities.models import ApplicationStatus as S
from opportunities.suggest import suggestions_for

from ..factories import OpportunityFactory, apply_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def trainee(world):
    profile = world.trainee.trainee_profile
    profile.grade, profile.interests = "F2", ["rca"]
    profile.save()
    return world.trainee


def test_never_ineligible_past_deadline_applied_or_elsewhere(world, trainee):
    today = timezone.localdate()
    good = OpportunityFactory(trust=world.trust, title="Good")
    st_only = OpportunityFactory(trust=world.trust, title="ST only")
    st_only.grade_list = ["ST5"]
    st_only.save()
    OpportunityFactory(trust=world.trust, title="Past", deadline=today - timedelta(days=1))
    OpportunityFactory(trust=world.trust, title="Draft", status="draft")
    OpportunityFactory(trust=world.other_trust, title="Elsewhere")
    applied = OpportunityFactory(trust=world.trust, title="Applied")
    apply_for(applied, trainee)
    suggestions = suggestions_for(trainee, limit=20)
    assert [s.opportunity for s in suggestions] == [good]
    assert all(s.reasons for s in suggestions)


def test_the_ranking_follows_the_documented_points(world, trainee):
    interest = OpportunityFactory(trust=world.trust, kind="rca", title="RCA (interest)")
    done_kind = OpportunityFactory(trust=world.trust, kind="course", title="Course (done before)")
    region = OpportunityFactory(
        trust=None, region=world.trust.region, kind="committee", title="Regional committee"
    )
    # A completed course: courses are no longer a new kind.
    past = OpportunityFactory(trust=world.trust, kind="course", places=3)
    application = apply_for(past, trainee)
    Application.objects.filter(pk=application.pk).update(status=S.COMPLETED)
    ranked = [s.opportunity for s in suggestions_for(trainee, limit=10)]
    assert ranked == [interest, region, done_kind]
    top = suggestions_for(trainee, limit=1)[0]
    assert "You are interested in: root cause analysis investigation." in top.reasons
    assert "A kind of experience you have not had yet." in top.reasons


def test_a_trainee_with_no_experience_is_pointed_to_first_steps(world, trainee):
    first_step = OpportunityFactory(trust=world.trust, kind="committee", tier="literacy")
    OpportunityFactory(trust=world.trust, kind="management_role", tier="sustained")
    top = suggestions_for(trainee, limit=1)[0]
    assert top.opportunity == first_step
    assert any("first step" in reason for reason in top.reasons)


def test_suggestions_take_three_queries_however_many(world, trainee, django_assert_num_queries):
    for _ in range(60):
        OpportunityFactory(trust=world.trust)
    # Loaded with the request's user, as on the home page.
    assert trainee.role_memberships and trainee.trainee_profile
    with django_assert_num_queries(3):
        assert len(suggestions_for(trainee)) == 5
