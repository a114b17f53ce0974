"""Managing opportunities through the pages: publishing, deciding, matching and inviting."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from opportunities import services, workflow
from opportunities.models import Application, Opportunity
from opportunities.models import ApplicationStatus as S
from trusts.models import Role

from ..conftest import client_for
from ..factories import OpportunityFactory, apply_for, person

pytestmark = pytest.mark.django_db


def opportunity_data(**overrides) -> dict:
    start = timezone.localdate() + timedelta(days=30)
    data = {
        "kind": "shadow_clinical",
        "title": "Shadow the Medical Director for a day",
        "description": "A day with the Medical Director: executive meeting, Board papers.",
        "host_name": "Dr Maya Patel",
        "host_role": "Medical Director",
        "host_email": "maya.patel@nhs.example",
        "tier": "workplace",
        "time_commitment": "One day",
        "starts_on": start.isoformat(),
        "ends_on": start.isoformat(),
        "deadline": (start - timedelta(days=7)).isoformat(),
        "places": "2",
        "booking": "application",
        "grades": ["ST4", "ST5"],
        "gpc_domains": ["5"],
    }
    data.update(overrides)
    return data


def test_a_clm_adds_a_draft_then_publishes_it(world):
    client = client_for(world.clm)
    response = client.post(reverse("opportunities:create"), opportunity_data())
    opportunity = Opportunity.objects.get()
    assert response["Location"] == reverse("opportunities:applications", args=[opportunity.pk])
    assert (opportunity.trust, opportunity.status, opportunity.grade_list) == (
        world.trust,
        "draft",
        ["ST4", "ST5"],
    )
    assert list(opportunity.gpc_domains.values_list("number", flat=True)) == [5]
    # A draft is not shown to trainees.
    trainee = client_for(world.trainee)
    assert trainee.get(reverse("opportunities:detail", args=[opportunity.pk])).status_code == 404
    client.post(reverse("opportunities:set_status", args=[opportunity.pk]), {"status": "open"})
    opportunity.refresh_from_db()
    assert opportunity.status == "open" and opportunity.published_at is not None
    assert trainee.get(reverse("opportunities:detail", args=[opportunity.pk])).status_code == 200


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"title": ""}, "title"),
        ({"ends_on": "2000-01-01"}, "ends_on"),
        ({"deadline": "2999-01-01"}, "deadline"),
        ({"starts_on": "", "ends_on": ""}, "starts_on"),
        ({"places": "0"}, "places"),
        ({"host_email": "not an email"}, "host_email"),
    ],
)
def test_bad_input_is_a_form_error_and_saves_nothing(world, change, field):
    response = client_for(world.clm).post(
        reverse("opportunities:create"), opportunity_data(**change)
    )
    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert not Opportunity.objects.exists()


def test_a_site_of_another_trust_is_refused(world):
    from ..factories import SiteFactory

    elsewhere = SiteFactory(trust=world.other_trust)
    response = client_for(world.clm).post(
        reverse("opportunities:create"), opportunity_data(site=elsewhere.pk)
    )
    assert "site" in response.context["form"].errors
    assert not Opportunity.objects.exists()


def test_places_cannot_be_cut_below_those_held(world):
    opportunity = OpportunityFactory(trust=world.trust, places=2)
    for _ in range(2):
        application = apply_for(opportunity, person(Role.TRAINEE, world.trust))
        services.application_decide(by=world.clm, application=application, to=S.OFFERED)
    opportunity.refresh_from_db()
    data = opportunity_data(places="1", title=opportunity.title)
    response = client_for(world.clm).post(
        reverse("opportunities:edit", args=[opportunity.pk]), data
    )
    assert "places" in response.context["form"].errors
    opportunity.refresh_from_db()
    assert (opportunity.places, opportunity.places_held) == (2, 2)


def test_copy_makes_a_draft_without_dates(world):
    opportunity = OpportunityFactory(trust=world.trust, deadline=timezone.localdate())
    response = client_for(world.clm).post(reverse("opportunities:copy", args=[opportunity.pk]))
    copy = Opportunity.objects.exclude(pk=opportunity.pk).get()
    assert response["Location"] == reverse("opportunities:edit", args=[copy.pk])
    assert (copy.status, copy.deadline, copy.title) == (
        "draft",
        None,
        f"{opportunity.title} (copy)",
    )


def test_the_decide_page_offers_exactly_the_tables_staff_moves(world):
    application = apply_for(OpportunityFactory(trust=world.trust), world.trainee)
    page = client_for(world.clm).get(reverse("opportunities:decide", args=[application.pk]))
    offered = [value for value, _label in page.context["form"].fields["to"].choices]
    expected = [m.to for m in workflow.allowed_moves(S.SUBMITTED, workflow.STAFF)]
    assert offered == expected
    # Never the trainee's self-ratings.
    assert "leader" not in page.context and "ratings" not in page.context


@pytest.mark.parametrize("to", [S.ACCEPTED, S.WITHDRAWN, S.COMPLETED, S.OFFER_EXPIRED, "nonsense"])
def test_a_move_not_in_the_table_is_refused(world, to):
    application = apply_for(OpportunityFactory(trust=world.trust), world.trainee)
    response = client_for(world.clm).post(
        reverse("opportunities:decide", args=[application.pk]), {"to": to, "reason": "x"}
    )
    assert response.status_code == 200
    assert "to" in response.context["form"].errors
    application.refresh_from_db()
    assert application.status == S.SUBMITTED


def test_unsuccessful_needs_a_reason(world):
    application = apply_for(OpportunityFactory(trust=world.trust), world.trainee)
    client = client_for(world.clm)
    url = reverse("opportunities:decide", args=[application.pk])
    response = client.post(url, {"to": S.UNSUCCESSFUL, "reason": " "})
    assert "reason" in response.context["form"].errors
    client.post(url, {"to": S.UNSUCCESSFUL, "reason": "Places went to first-timers."})
    application.refresh_from_db()
    assert application.status == S.UNSUCCESSFUL


def test_a_stale_decision_is_a_message_not_a_500(world):
    application = apply_for(OpportunityFactory(trust=world.trust, places=1), world.trainee)
    url = reverse("opportunities:decide", args=[application.pk])
    services.application_withdraw(trainee=world.trainee, application=application)
    response = client_for(world.clm).post(url, {"to": S.OFFERED})
    assert response.status_code == 302
    application.refresh_from_db()
    assert application.status == S.WITHDRAWN


def test_offering_the_last_place_twice_says_every_place_is_taken(world):
    opportunity = OpportunityFactory(trust=world.trust, places=1)
    first = apply_for(opportunity, world.trainee)
    second = apply_for(opportunity, person(Role.TRAINEE, world.trust))
    client = client_for(world.clm)
    client.post(reverse("opportunities:decide", args=[first.pk]), {"to": S.OFFERED})
    response = client.post(reverse("opportunities:decide", args=[second.pk]), {"to": S.OFFERED})
    assert "Every place is taken" in str(response.context["form"].errors)
    assert Application.objects.filter(status=S.OFFERED).count() == 1


def test_the_match_board_puts_fewest_experiences_first_and_warns_when_busy(world):
    opportunity = OpportunityFactory(trust=world.trust, places=3)
    experienced = person(Role.TRAINEE, world.trust, name="Eve Experienced")
    busy = person(Role.TRAINEE, world.trust, name="Bea Busy")
    done = OpportunityFactory(trust=world.trust, places=5)
    application = apply_for(done, experienced)
    services.application_decide(by=world.clm, application=application, to=S.OFFERED)
    application = services.application_accept(trainee=experienced, application=application)
    Application.objects.filter(pk=application.pk).update(status=S.COMPLETED)
    for _ in range(3):
        apply_for(OpportunityFactory(trust=world.trust), busy)
    page = client_for(world.clm).get(reverse("opportunities:match", args=[opportunity.pk]))
    names = [t.name for t in page.context["page"]]
    assert names.index("Eve Experienced") == len(names) - 1
    rows = {t.name: t for t in page.context["page"]}
    assert rows["Bea Busy"].busy and not rows["Tara Trainee"].busy
    invite_page = client_for(world.clm).get(
        reverse("opportunities:invite", args=[opportunity.pk, busy.pk])
    )
    assert "Already busy" in invite_page.content.decode()


def test_inviting_offers_a_held_place_and_tells_the_trainee(world):
    opportunity = OpportunityFactory(trust=world.trust)
    client_for(world.clm).post(
        reverse("opportunities:invite", args=[opportunity.pk, world.trainee.pk])
    )
    application = Application.objects.get()
    assert (application.status, application.source) == (S.OFFERED, "invitation")
    assert world.trainee.notifications.get().kind == "invitation"


def test_another_trusts_staff_get_404_everywhere(world):
    opportunity = OpportunityFactory(trust=world.trust)
    application = apply_for(opportunity, world.trainee)
    client = client_for(world.other_clm)
    for name, args in [
        ("edit", [opportunity.pk]),
        ("applications", [opportunity.pk]),
        ("match", [opportunity.pk]),
        ("decide", [application.pk]),
        ("invite", [opportunity.pk, world.trainee.pk]),
    ]:
        assert client.get(reverse(f"opportunities:{name}", args=args)).status_code == 404, name


@pytest.mark.parametrize("size", [10, 150])
def test_manage_pages_run_a_fixed_number_of_queries(world, size, django_assert_max_num_queries):
    target = OpportunityFactory(trust=world.trust, places=500)
    for _ in range(size):
        trainee = person(Role.TRAINEE, world.trust)
        OpportunityFactory(trust=world.trust)
        apply_for(target, trainee)
    client = client_for(world.clm)
    for name, args in [("manage", []), ("applications", [target.pk]), ("match", [target.pk])]:
        with django_assert_max_num_queries(16):
            assert client.get(reverse(f"opportunities:{name}", args=args)).status_code == 200
