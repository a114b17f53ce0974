"""The application's life: the transition table, places, the waiting list and offer expiry."""

from datetime import timedelta

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from opportunities import services, workflow
from opportunities.models import (
    HOLDS_PLACE,
    Application,
    ApplicationEvent,
    Notification,
    Opportunity,
)
from opportunities.models import ApplicationStatus as S
from trusts.models import Role

from ..concurrency import at_once
from ..factories import OpportunityFactory, apply_for, person

ACTORS = (workflow.TRAINEE, workflow.STAFF, workflow.SYSTEM, workflow.HOST)
ALL_MOVES = [(a, b, actor) for a in S.values for b in S.values for actor in ACTORS if a != b]


def allowed(frm: str, to: str, actor: str) -> bool:
    return any(m.to == to and actor in m.by for m in workflow.TRANSITIONS[frm])


def application_in(status: str, opportunity: Opportunity, trainee) -> Application:
    """An application already in `status`, with the opportunity's places counted to match."""
    application = Application.objects.create(
        opportunity=opportunity,
        trainee=trainee,
        status=status,
        waitlisted_at=timezone.now() if status == S.WAITLISTED else None,
        offer_expires_at=timezone.now() + timedelta(hours=48) if status == S.OFFERED else None,
    )
    if status in HOLDS_PLACE:
        Opportunity.objects.filter(pk=opportunity.pk).update(places_held=1)
    return application


def test_every_state_is_in_the_table_and_terminal_states_have_no_way_out():
    assert set(workflow.TRANSITIONS) == set(S.values)
    assert workflow.TERMINAL == {
        S.COMPLETED,
        S.DECLINED,
        S.WITHDRAWN,
        S.UNSUCCESSFUL,
        S.OFFER_EXPIRED,
        S.DID_NOT_ATTEND,
        S.CANCELLED_BY_HOST,
    }
    # A trainee can always leave a live application; only the portal expires an offer.
    for state in (S.SUBMITTED, S.SHORTLISTED, S.WAITLISTED, S.OFFERED, S.ACCEPTED):
        assert allowed(state, S.WITHDRAWN, workflow.TRAINEE)
    assert [m.by for m in workflow.TRANSITIONS[S.OFFERED] if m.to == S.OFFER_EXPIRED] == [
        frozenset({workflow.SYSTEM})
    ]


@pytest.mark.django_db
@pytest.mark.parametrize(("frm", "to", "actor"), ALL_MOVES)
def test_each_move_is_allowed_only_as_the_table_says(world, frm, to, actor):
    opportunity = OpportunityFactory(trust=world.trust, places=2)
    application = application_in(frm, opportunity, world.trainee)
    events_before = ApplicationEvent.objects.count()
    if allowed(frm, to, actor):
        moved = workflow.move(application, to, actor=actor, by=world.clm, reason="A reason")
        assert moved.status == to
        event = ApplicationEvent.objects.latest("pk")
        assert (event.from_status, event.to_status, event.by, event.reason) == (
            frm,
            to,
            world.clm,
            "A reason",
        )
        opportunity.refresh_from_db()
        assert opportunity.places_held == (1 if to in HOLDS_PLACE else 0)
    else:
        with pytest.raises(workflow.IllegalTransition):
            workflow.move(application, to, actor=actor, by=world.clm, reason="A reason")
        application.refresh_from_db()
        assert application.status == frm
        assert ApplicationEvent.objects.count() == events_before


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("frm", "to"),
    [
        (S.SUBMITTED, S.UNSUCCESSFUL),
        (S.OFFERED, S.UNSUCCESSFUL),
        (S.ACCEPTED, S.CANCELLED_BY_HOST),
    ],
)
def test_moves_that_need_a_reason_refuse_none(world, frm, to):
    application = application_in(frm, OpportunityFactory(trust=world.trust), world.trainee)
    with pytest.raises(ValidationError) as refused:
        workflow.move(application, to, actor=workflow.STAFF, by=world.clm, reason="   ")
    assert "reason" in refused.value.message_dict
    application.refresh_from_db()
    assert application.status == frm


@pytest.mark.django_db
def test_a_place_cannot_be_offered_when_all_are_held(world):
    opportunity = OpportunityFactory(trust=world.trust, places=1)
    application_in(S.ACCEPTED, opportunity, world.trainee)
    other = application_in(S.SUBMITTED, opportunity, person(Role.TRAINEE, world.trust))
    with pytest.raises(workflow.NoPlaceFree):
        workflow.move(other, S.OFFERED, actor=workflow.STAFF, by=world.clm)
    opportunity.refresh_from_db()
    assert opportunity.places_held == 1


@pytest.mark.django_db
def test_the_database_refuses_more_held_places_than_places(world):
    opportunity = OpportunityFactory(trust=world.trust, places=2)
    with pytest.raises(IntegrityError), transaction.atomic():
        Opportunity.objects.filter(pk=opportunity.pk).update(places_held=3)


# --- Freeing a place: the waiting list moves on ------------------------------------------


def _freeing_routes():
    def withdraw_offer(w, held):
        services.application_withdraw(trainee=held.trainee, application=held)

    def withdraw_acceptance(w, held):
        held = services.application_accept(trainee=held.trainee, application=held)
        services.application_withdraw(trainee=held.trainee, application=held)

    def decline(w, held):
        services.application_decline(trainee=held.trainee, application=held)

    def expiry(w, held):
        with time_machine.travel(timezone.now() + timedelta(hours=49)):
            assert workflow.expire_offers() == 1

    def decision_after_offer(w, held):
        services.application_decide(
            by=w.clm, application=held, to=S.UNSUCCESSFUL, reason="The rota changed."
        )

    def places_added(w, held):
        opportunity = Opportunity.objects.get(pk=held.opportunity_id)
        services.opportunity_update(by=w.clm, opportunity=opportunity, places=2)

    def host_cancels_acceptance(w, held):
        held = services.application_accept(trainee=held.trainee, application=held)
        services.application_decide(
            by=w.clm, application=held, to=S.CANCELLED_BY_HOST, reason="The host is off sick."
        )

    return {
        "withdrawal of an offer": withdraw_offer,
        "withdrawal after accepting": withdraw_acceptance,
        "decline": decline,
        "offer expiry": expiry,
        "decision after offer": decision_after_offer,
        "places added": places_added,
        "host cancels an acceptance": host_cancels_acceptance,
    }


ROUTES = _freeing_routes()


@pytest.fixture
def full_with_waiting_list(world, django_capture_on_commit_callbacks):
    """One place, offered to the world's trainee; two more trainees waiting, in order."""
    opportunity = OpportunityFactory(trust=world.trust, places=1)
    first, second = (
        person(Role.TRAINEE, world.trust, name="Wendy Waiting"),
        person(Role.TRAINEE, world.trust, name="Will Waiting"),
    )
    with django_capture_on_commit_callbacks(execute=True):
        held = apply_for(opportunity, world.trainee)
        held = services.application_decide(by=world.clm, application=held, to=S.OFFERED)
        waiting = []
        for trainee in (first, second):
            application = apply_for(opportunity, trainee)
            waiting.append(
                services.application_decide(by=world.clm, application=application, to=S.WAITLISTED)
            )
    return opportunity, held, waiting


@pytest.mark.django_db
@pytest.mark.parametrize("route", sorted(ROUTES))
def test_every_route_that_frees_a_place_leads_to_exactly_one_new_offer(
    world, full_with_waiting_list, django_capture_on_commit_callbacks, route
):
    opportunity, held, (first, second) = full_with_waiting_list
    offers_before = Notification.objects.filter(kind=Notification.Kind.OFFER).count()
    with django_capture_on_commit_callbacks(execute=True):
        ROUTES[route](world, held)
    first.refresh_from_db()
    second.refresh_from_db()
    # The first to join the waiting list gets the offer, held for 48 hours; the second waits.
    assert first.status == S.OFFERED
    assert second.status == S.WAITLISTED
    assert first.offer_expires_at > timezone.now() + timedelta(hours=47)
    new_offers = Notification.objects.filter(kind=Notification.Kind.OFFER).count() - offers_before
    assert new_offers == 1
    assert Notification.objects.filter(kind=Notification.Kind.OFFER, user=first.trainee).exists()
    opportunity.refresh_from_db()
    assert opportunity.places_held == opportunity.places
    # Running the sweep again offers nothing more: promotion is idempotent.
    assert workflow.fill_free_places(opportunity.pk) == []


@pytest.mark.django_db
def test_promotion_rechecks_eligibility_and_passes_over_who_no_longer_qualifies(
    world, full_with_waiting_list, django_capture_on_commit_callbacks
):
    opportunity, held, (first, second) = full_with_waiting_list
    Opportunity.objects.filter(pk=opportunity.pk).update(eligible_grades=",ST4,ST5,")
    first.trainee.trainee_profile.grade = "F1"
    first.trainee.trainee_profile.save()
    second.trainee.trainee_profile.grade = "ST4"
    second.trainee.trainee_profile.save()
    with django_capture_on_commit_callbacks(execute=True):
        services.application_decline(trainee=held.trainee, application=held)
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.status == S.UNSUCCESSFUL
    assert "grade" in first.events.latest("pk").reason
    assert second.status == S.OFFERED


@pytest.mark.django_db
def test_an_offer_is_held_for_48_hours_then_passes_on(
    world, full_with_waiting_list, django_capture_on_commit_callbacks
):
    opportunity, held, (first, _second) = full_with_waiting_list
    with time_machine.travel(timezone.now() + timedelta(hours=47)):
        with django_capture_on_commit_callbacks(execute=True):
            assert workflow.expire_offers() == 0
        held.refresh_from_db()
        assert held.status == S.OFFERED
    with time_machine.travel(timezone.now() + timedelta(hours=48, minutes=1)):
        with pytest.raises(ValidationError, match="expired"):
            services.application_accept(trainee=held.trainee, application=held)
        with django_capture_on_commit_callbacks(execute=True):
            assert workflow.expire_offers() == 1
    held.refresh_from_db()
    first.refresh_from_db()
    assert held.status == S.OFFER_EXPIRED
    assert first.status == S.OFFERED


@pytest.mark.django_db
def test_the_sweep_fills_what_a_lost_task_left(world, full_with_waiting_list):
    """A place freed while the queue was down: the beat sweep offers it."""
    from opportunities.tasks import sweep_offers_task

    opportunity, held, (first, _second) = full_with_waiting_list
    # Declined without running the on-commit promotion (as if the task were lost).
    services.application_decline(trainee=held.trainee, application=held)
    first.refresh_from_db()
    assert first.status == S.WAITLISTED
    assert sweep_offers_task() == {"expired": 0, "offered": 1}
    first.refresh_from_db()
    assert first.status == S.OFFERED


@pytest.mark.django_db
def test_nothing_is_queued_when_the_transaction_rolls_back(
    world, django_capture_on_commit_callbacks, mailoutbox
):
    opportunity = OpportunityFactory(trust=world.trust, places=1)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with pytest.raises(RuntimeError), transaction.atomic():
            apply_for(opportunity, world.trainee)
            raise RuntimeError("the request failed after applying")
    assert callbacks == []
    assert mailoutbox == []
    assert not Application.objects.exists()


@pytest.mark.django_db
def test_first_come_takes_a_free_place_then_waitlists(world, django_capture_on_commit_callbacks):
    opportunity = OpportunityFactory(trust=world.trust, places=1, booking="first_come")
    with django_capture_on_commit_callbacks(execute=True):
        first = apply_for(opportunity, world.trainee, statement="")
        second = apply_for(opportunity, person(Role.TRAINEE, world.trust), statement="")
    assert (first.status, second.status) == (S.ACCEPTED, S.WAITLISTED)
    opportunity.refresh_from_db()
    assert (opportunity.places_held, opportunity.status) == (1, "filled")


@pytest.mark.django_db
def test_places_cannot_drop_below_those_held(world, full_with_waiting_list):
    opportunity, _held, _waiting = full_with_waiting_list
    Opportunity.objects.filter(pk=opportunity.pk).update(places=2)
    opportunity.refresh_from_db()
    with pytest.raises(ValidationError) as refused:
        services.opportunity_update(by=world.clm, opportunity=opportunity, places=0)
    assert "places" in refused.value.message_dict
    opportunity.refresh_from_db()
    assert opportunity.places == 2


@pytest.mark.django_db
def test_cancelling_an_opportunity_ends_every_live_application(
    world, full_with_waiting_list, django_capture_on_commit_callbacks
):
    opportunity, held, (first, second) = full_with_waiting_list
    held = services.application_accept(trainee=held.trainee, application=held)
    with django_capture_on_commit_callbacks(execute=True):
        services.opportunity_set_status(
            by=world.clm, opportunity=opportunity, status="cancelled", reason="Host left."
        )
    statuses = dict(Application.objects.filter(opportunity=opportunity).values_list("pk", "status"))
    assert statuses == {
        held.pk: S.CANCELLED_BY_HOST,
        first.pk: S.UNSUCCESSFUL,
        second.pk: S.UNSUCCESSFUL,
    }
    opportunity.refresh_from_db()
    assert opportunity.places_held == 0


# --- At the same moment (PostgreSQL row locks) ---------------------------------------------


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("attempt", range(3))
def test_twenty_trainees_taking_the_last_place_at_once_fill_it_once(postgres, world, attempt):
    opportunity = OpportunityFactory(trust=world.trust, places=1, booking="first_come")
    trainees = [person(Role.TRAINEE, world.trust) for _ in range(20)]
    results = at_once(lambda i: apply_for(opportunity, trainees[i], statement=""), n=len(trainees))
    assert not [r for r in results if isinstance(r, Exception)], results
    statuses = sorted(
        Application.objects.filter(opportunity=opportunity).values_list("status", flat=True)
    )
    assert statuses.count(S.ACCEPTED) == 1
    assert statuses.count(S.WAITLISTED) == 19
    opportunity.refresh_from_db()
    assert opportunity.places_held == 1


@pytest.mark.django_db(transaction=True)
def test_twenty_offers_of_the_last_place_at_once_make_one(postgres, world):
    opportunity = OpportunityFactory(trust=world.trust, places=1)
    applications = [apply_for(opportunity, person(Role.TRAINEE, world.trust)) for _ in range(20)]
    results = at_once(
        lambda i: services.application_decide(
            by=world.clm, application=applications[i], to=S.OFFERED
        ),
        n=len(applications),
    )
    refused = [r for r in results if isinstance(r, Exception)]
    assert len(refused) == 19
    assert all(isinstance(r, workflow.NoPlaceFree) for r in refused), refused
    assert Application.objects.filter(opportunity=opportunity, status=S.OFFERED).count() == 1
    opportunity.refresh_from_db()
    assert opportunity.places_held == 1
