"""Finding and applying, through the pages, as trainees and supervisors use them."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from opportunities import services
from opportunities.models import Application, Opportunity, Rating, Recommendation
from opportunities.models import ApplicationStatus as S
from trusts.models import Role

from ..conftest import client_for
from ..factories import OpportunityFactory, apply_for, person

pytestmark = pytest.mark.django_db
APPLY = {
    "statement": "I want to learn QI.",
    "availability": "Tuesdays",
    "leader": 3,
    "lead_change": 4,
}


def titles(response) -> list[str]:
    return [o.title for o in response.context["page"]]


def test_a_trainee_sees_their_trusts_and_regions_published_opportunities_only(world):
    mine = OpportunityFactory(trust=world.trust, title="Mine")
    region = OpportunityFactory(trust=None, region=world.trust.region, title="Region-wide")
    OpportunityFactory(trust=world.other_trust, title="Other Trust")
    OpportunityFactory(trust=world.trust, status="draft", title="Draft")
    OpportunityFactory(
        trust=world.trust, deadline=timezone.localdate() - timedelta(days=1), title="Past"
    )
    response = client_for(world.trainee).get(reverse("opportunities:list"))
    assert sorted(titles(response)) == sorted([mine.title, region.title])
    client = client_for(world.trainee)
    other = Opportunity.objects.get(title="Other Trust")
    draft = Opportunity.objects.get(title="Draft")
    assert client.get(reverse("opportunities:detail", args=[other.pk])).status_code == 404
    assert client.get(reverse("opportunities:detail", args=[draft.pk])).status_code == 404


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"q": "Board obs"}, ["Board observer"]),
        ({"kind": "shadow_clinical"}, ["Shadow the Medical Director"]),
        ({"gpc": "6"}, ["Sepsis QI"]),
        ({"places_left": "on"}, ["Sepsis QI", "Shadow the Medical Director"]),
        ({"starts_from": "2099-01-01"}, ["Board observer"]),
        ({"fits_placement": "on"}, ["Sepsis QI", "Shadow the Medical Director"]),
        (
            {"filtered": "1"},
            ["Board observer", "ST only", "Sepsis QI", "Shadow the Medical Director"],
        ),
        ({}, ["Board observer", "Sepsis QI", "Shadow the Medical Director"]),
    ],
)
def test_each_filter_narrows_the_list(world, query, expected):
    today = timezone.localdate()
    placement = world.trainee.memberships.get()
    placement.starts_on, placement.ends_on = today - timedelta(days=30), today + timedelta(days=90)
    placement.save()
    profile = world.trainee.trainee_profile
    profile.grade = "F2"
    profile.save()
    sepsis = OpportunityFactory(
        trust=world.trust,
        title="Sepsis QI",
        kind="qi_project",
        places=2,
        starts_on=today + timedelta(days=5),
        ends_on=today + timedelta(days=60),
    )
    sepsis.gpc_domains.set([6])
    OpportunityFactory(
        trust=world.trust,
        title="Shadow the Medical Director",
        kind="shadow_clinical",
        flexible_dates=True,
    )
    board = OpportunityFactory(
        trust=world.trust,
        title="Board observer",
        kind="observer",
        starts_on=timezone.datetime(2099, 3, 1).date(),
        ends_on=timezone.datetime(2099, 3, 1).date(),
    )
    Opportunity.objects.filter(pk=board.pk).update(places_held=1)
    st_only = OpportunityFactory(trust=world.trust, title="ST only")
    st_only.grade_list = ["ST4", "ST5"]
    st_only.save()
    response = client_for(world.trainee).get(reverse("opportunities:list"), query)
    assert sorted(titles(response)) == sorted(expected)


def test_an_opportunity_past_the_placement_says_so(world):
    today = timezone.localdate()
    placement = world.trainee.memberships.get()
    placement.starts_on, placement.ends_on = today - timedelta(days=30), today + timedelta(days=30)
    placement.save()
    long_one = OpportunityFactory(
        trust=world.trust, starts_on=today + timedelta(days=10), ends_on=today + timedelta(days=200)
    )
    page = client_for(world.trainee).get(reverse("opportunities:detail", args=[long_one.pk]))
    assert "runs past the end of your placement" in page.content.decode()
    listed = client_for(world.trainee).get(reverse("opportunities:list"))
    assert "Runs past the end of your placement" in listed.content.decode()


def test_applying_through_the_page(world, mailoutbox, django_capture_on_commit_callbacks):
    opportunity = OpportunityFactory(trust=world.trust)
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(world.trainee).post(
            reverse("opportunities:apply", args=[opportunity.pk]), APPLY
        )
    application = Application.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("opportunities:application", args=[application.pk])
    assert (application.status, application.availability) == (S.SUBMITTED, "Tuesdays")
    assert Rating.objects.filter(application=application, moment="applying").exists()
    # The CLM hears of it.
    assert [m.to for m in mailoutbox] == [[world.clm.email]]


def test_a_second_application_is_refused_clearly(world):
    opportunity = OpportunityFactory(trust=world.trust)
    apply_for(opportunity, world.trainee)
    client = client_for(world.trainee)
    response = client.post(reverse("opportunities:apply", args=[opportunity.pk]), APPLY)
    assert response.status_code == 302
    assert Application.objects.count() == 1


@pytest.mark.parametrize(
    "change",
    [
        {"status": "closed"},
        {"deadline": timezone.localdate() - timedelta(days=1)},
        {"eligible_grades": ",ST6,"},
    ],
)
def test_applying_where_not_allowed_saves_nothing(world, change):
    opportunity = OpportunityFactory(trust=world.trust, **change)
    response = client_for(world.trainee).post(
        reverse("opportunities:apply", args=[opportunity.pk]), APPLY
    )
    assert response.status_code == 200
    assert response.context["form"].errors
    assert not Application.objects.exists()
    assert not Rating.objects.exists()


def test_the_self_ratings_are_required(world):
    opportunity = OpportunityFactory(trust=world.trust)
    response = client_for(world.trainee).post(
        reverse("opportunities:apply", args=[opportunity.pk]),
        {"statement": "Keen", "leader": "7"},
    )
    form = response.context["form"]
    assert set(form.errors) == {"leader", "lead_change"}
    assert not Application.objects.exists()


def test_answering_an_offer_through_the_pages(world, django_capture_on_commit_callbacks):
    opportunity = OpportunityFactory(trust=world.trust)
    application = apply_for(opportunity, world.trainee)
    services.application_decide(by=world.clm, application=application, to=S.OFFERED)
    client = client_for(world.trainee)
    confirm = client.get(reverse("opportunities:accept", args=[application.pk]))
    assert confirm.status_code == 200 and "Accept the place" in confirm.content.decode()
    client.post(reverse("opportunities:accept", args=[application.pk]))
    application.refresh_from_db()
    assert application.status == S.ACCEPTED
    # Accepting again, or declining an accepted place, is refused without a 500.
    again = client.post(reverse("opportunities:decline", args=[application.pk]))
    assert again.status_code == 302
    application.refresh_from_db()
    assert application.status == S.ACCEPTED


def test_withdrawing_keeps_the_reason(world):
    application = apply_for(OpportunityFactory(trust=world.trust), world.trainee)
    client_for(world.trainee).post(
        reverse("opportunities:withdraw", args=[application.pk]), {"reason": "Rota changed"}
    )
    application.refresh_from_db()
    assert application.status == S.WITHDRAWN
    assert application.events.latest("pk").reason == "Rota changed"


def test_another_trainees_application_is_not_found(world):
    other = person(Role.TRAINEE, world.trust)
    application = apply_for(OpportunityFactory(trust=world.trust), other)
    client = client_for(world.trainee)
    for name in ("application", "accept", "decline", "withdraw"):
        assert (
            client.get(reverse(f"opportunities:{name}", args=[application.pk])).status_code == 404
        )


def test_the_waiting_list_shows_position_and_rule(world):
    opportunity = OpportunityFactory(trust=world.trust, places=1, booking="first_come")
    apply_for(opportunity, person(Role.TRAINEE, world.trust), statement="")
    apply_for(opportunity, person(Role.TRAINEE, world.trust), statement="")
    mine = apply_for(opportunity, world.trainee, statement="")
    page = client_for(world.trainee).get(reverse("opportunities:application", args=[mine.pk]))
    text = page.content.decode()
    assert "Number 2 in line" in text
    assert "in the order people joined the waiting list" in text


def test_a_supervisor_recommends_to_their_own_trainee_only(world, mailoutbox):
    opportunity = OpportunityFactory(trust=world.trust)
    stranger = person(Role.TRAINEE, world.trust)
    client = client_for(world.supervisor)
    refused = client.post(
        reverse("opportunities:recommend", args=[opportunity.pk]), {"trainee": stranger.pk}
    )
    assert refused.status_code == 200 and refused.context["form"].errors
    client.post(
        reverse("opportunities:recommend", args=[opportunity.pk]),
        {"trainee": world.trainee.pk, "note": "Good for your portfolio"},
    )
    assert Recommendation.objects.get().trainee == world.trainee
    assert world.trainee.notifications.get().kind == "recommendation"


def test_the_supervisor_sees_supervisees_applications(world):
    application = apply_for(OpportunityFactory(trust=world.trust, title="Rota lead"), world.trainee)
    other = apply_for(
        OpportunityFactory(trust=world.trust, title="Not theirs"), person(Role.TRAINEE, world.trust)
    )
    page = client_for(world.supervisor).get(reverse("opportunities:supervisees"))
    text = page.content.decode()
    assert "Rota lead" in text and "Not theirs" not in text
    client = client_for(world.supervisor)
    assert (
        client.get(reverse("opportunities:application", args=[application.pk])).status_code == 200
    )
    assert client.get(reverse("opportunities:application", args=[other.pk])).status_code == 404


def test_the_trainee_home_suggests_with_reasons(world):
    OpportunityFactory(trust=world.trust, title="Sepsis QI")
    page = client_for(world.trainee).get(reverse("home"))
    suggestions = page.context["suggestions"]
    assert [s.opportunity.title for s in suggestions] == ["Sepsis QI"]
    assert all(s.reasons for s in suggestions)
    assert "Coming soon" not in page.content.decode().split("What you can do here")[0]


@pytest.mark.parametrize("size", [10, 1000])
def test_the_list_and_home_run_a_fixed_number_of_queries(
    world, size, django_assert_max_num_queries
):
    template = OpportunityFactory.build(trust=world.trust, region=world.trust.region)
    fields = {f.attname: getattr(template, f.attname) for f in Opportunity._meta.concrete_fields}
    fields.pop("id")
    made = Opportunity.objects.bulk_create(
        Opportunity(
            **{**fields, "title": f"Opportunity {i}", "trust_id": world.trust.pk if i % 2 else None}
        )
        for i in range(size)
    )
    Through = Opportunity.gpc_domains.through
    Through.objects.bulk_create(
        Through(opportunity_id=o.pk, gpcdomain_id=number) for o in made for number in (5, 6)
    )
    client = client_for(world.trainee)
    with django_assert_max_num_queries(14):
        assert client.get(reverse("opportunities:list")).status_code == 200
    with django_assert_max_num_queries(14):
        assert client.get(reverse("home")).status_code == 200
