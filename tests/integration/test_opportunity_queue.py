"""Opportunities through a real Celery worker on Redis: an offer is emailed by the worker after
commit and its notification says sent; a place freed in a request goes down the waiting list in
the worker; with Redis down the request still succeeds and the sweep catches up later."""

import pytest

from opportunities import services
from opportunities.models import Application, Notification
from opportunities.models import ApplicationStatus as S
from opportunities.tasks import sweep_offers_task
from tests.factories import OpportunityFactory, TrustFactory, apply_for, person
from trusts.models import Role

from .support import celery_configured, read_emails, refusing_broker, unique_queue_name, wait_for

pytestmark = pytest.mark.integration
TIMEOUT = 20


@pytest.fixture
def people(transactional_db):
    trust = TrustFactory(ods_code="RK9", name="University Hospitals Plymouth NHS Trust")
    return {
        "clm": person(Role.CLM, trust, name="Chris Mentor"),
        "first": person(Role.TRAINEE, trust, name="Tara Trainee"),
        "second": person(Role.TRAINEE, trust, name="Wendy Waiting"),
        "trust": trust,
    }


def _email_status(notification_id: int) -> str:
    return Notification.objects.get(pk=notification_id).email_status


def test_an_offer_is_emailed_by_the_worker_and_recorded_as_sent(
    celery_worker_on_redis, email_dir, people
):
    opportunity = OpportunityFactory(trust=people["trust"])
    application = apply_for(opportunity, people["first"])
    services.application_decide(by=people["clm"], application=application, to=S.OFFERED)
    offer = Notification.objects.get(user=people["first"], kind="offer")
    assert wait_for(
        lambda: _email_status(offer.pk) == "sent", timeout=TIMEOUT, failures=celery_worker_on_redis
    ), "The offer's email was not recorded as sent"
    messages = read_emails(email_dir)
    offer_email = next(m for m in messages if m["To"] == people["first"].email)
    body = offer_email.get_body(preferencelist=("plain",)).get_content()
    assert f"/opportunities/applications/{application.pk}/accept/" in body


def test_a_freed_place_goes_down_the_waiting_list_in_the_worker(
    celery_worker_on_redis, email_dir, people
):
    opportunity = OpportunityFactory(trust=people["trust"], places=1)
    held = apply_for(opportunity, people["first"])
    held = services.application_decide(by=people["clm"], application=held, to=S.OFFERED)
    waiting = apply_for(opportunity, people["second"])
    services.application_decide(by=people["clm"], application=waiting, to=S.WAITLISTED)
    services.application_decline(trainee=people["first"], application=held)
    assert wait_for(
        lambda: Application.objects.get(pk=waiting.pk).status == S.OFFERED,
        timeout=TIMEOUT,
        failures=celery_worker_on_redis,
    ), "The waiting list did not move on"


def test_with_redis_down_the_request_succeeds_and_the_sweep_catches_up(people):
    opportunity = OpportunityFactory(trust=people["trust"], places=1)
    held = apply_for(opportunity, people["first"])
    held = services.application_decide(by=people["clm"], application=held, to=S.OFFERED)
    waiting = apply_for(opportunity, people["second"])
    services.application_decide(by=people["clm"], application=waiting, to=S.WAITLISTED)
    with refusing_broker() as broker_url:
        with celery_configured(broker_url=broker_url, queue=unique_queue_name()):
            services.application_decline(trainee=people["first"], application=held)
    assert Application.objects.get(pk=waiting.pk).status == S.WAITLISTED
    # Beat's sweep, run in-process here: the place is offered.
    assert sweep_offers_task() == {"expired": 0, "offered": 1}
    assert Application.objects.get(pk=waiting.pk).status == S.OFFERED
