"""Invitation emails through a real Celery worker on Redis, and what happens when Redis is not
there: the request goes on, and the beat sweeper sends the email later."""

import logging
import re
import time
from datetime import timedelta

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from tests.factories import TrustFactory, person
from trusts.models import Invitation, Role, token_digest
from trusts.services import invitation_create
from trusts.tasks import invitations_send_unsent_task

from .support import (
    celery_configured,
    read_emails,
    refusing_broker,
    silent_broker,
    unique_queue_name,
    wait_for,
)

pytestmark = pytest.mark.integration

# How long a worker gets to deliver an email, and how long a request may be held up by a
# broker that is down (settings: 1 s connect and 2 s socket timeouts, two publish retries).
DELIVERY_TIMEOUT = 20
PUBLISH_BUDGET = 10


@pytest.fixture
def trust_admin(transactional_db):
    trust = TrustFactory(ods_code="RK9", name="University Hospitals Plymouth NHS Trust")
    return person(Role.TRUST_ADMIN, trust, name="Alex Admin")


def invite(admin, email: str = "new.supervisor@example.com") -> Invitation:
    return invitation_create(
        invited_by=admin,
        trust=admin.memberships.get().trust,
        name="Sam Newcomer",
        email=email,
        role=Role.SUPERVISOR,
        specialty="medical",
    )


def emailed_token(text: str) -> str:
    [token] = re.findall(r"/invitations/accept/([^/\s]+)/", text)
    return token


def accept_url(token: str) -> str:
    return settings.SITE_URL + reverse("trusts:accept_invitation", kwargs={"token": token})


def sent_at(invitation: Invitation):
    return Invitation.objects.values_list("sent_at", flat=True).get(pk=invitation.pk)


def assert_invitation_email(messages, invitation: Invitation) -> None:
    assert len(messages) == 1, [m["To"] for m in messages]
    message = messages[0]
    assert message["To"] == invitation.email
    text = message.get_body(preferencelist=("plain",)).get_content()
    html = message.get_body(preferencelist=("html",)).get_content()
    token = emailed_token(text)
    # The database keeps only the digest of the emailed token.
    assert Invitation.objects.get(pk=invitation.pk).token_digest == token_digest(token)
    assert accept_url(token) in text
    assert accept_url(token) in html


def test_invitation_email_is_sent_by_a_celery_worker_on_redis(
    celery_worker_on_redis, email_dir, trust_admin
):
    invitation = invite(trust_admin)  # commits, then publishes invitation_send_task

    messages = wait_for(
        lambda: read_emails(email_dir), timeout=DELIVERY_TIMEOUT, failures=celery_worker_on_redis
    )
    assert messages, f"No email arrived within {DELIVERY_TIMEOUT} s"
    assert_invitation_email(messages, invitation)
    # The email is written inside the worker's transaction; sent_at commits just after.
    assert wait_for(
        lambda: sent_at(invitation), timeout=DELIVERY_TIMEOUT, failures=celery_worker_on_redis
    ), "The invitation's sent_at was not set"


@pytest.mark.parametrize(
    "broker",
    [
        pytest.param(refusing_broker, id="connection-refused"),
        pytest.param(silent_broker, id="server-not-answering"),
    ],
)
def test_publishing_with_redis_down_neither_fails_nor_holds_up_the_request(
    broker, trust_admin, caplog
):
    with broker() as broker_url:
        with celery_configured(broker_url=broker_url, queue=unique_queue_name()):
            started = time.monotonic()
            invitation = invite(trust_admin)
            elapsed = time.monotonic() - started

    assert elapsed < PUBLISH_BUDGET, f"Creating the invitation took {elapsed:.1f} s"
    assert Invitation.objects.filter(pk=invitation.pk).exists()
    assert sent_at(invitation) is None
    # Left for the beat sweeper (invitations_send_unsent_task) to queue again.
    assert Invitation.objects.unsent().filter(pk=invitation.pk).exists()
    assert any(
        record.levelno == logging.ERROR and "Could not queue" in record.getMessage()
        for record in caplog.records
    ), caplog.text


# Transactional from the start (the worker below needs committed rows), so that pytest-django
# runs it with the other transactional tests, after the tests that rely on migration data.
@pytest.mark.django_db(transaction=True)
def test_the_sweeper_sends_an_invitation_whose_publish_failed(
    trust_admin, redis_url, email_dir, request
):
    with refusing_broker() as broker_url:
        with celery_configured(broker_url=broker_url, queue=unique_queue_name()):
            invitation = invite(trust_admin)
    assert sent_at(invitation) is None
    # The sweeper leaves alone invitations younger than two minutes (their task may be queued).
    Invitation.objects.filter(pk=invitation.pk).update(
        created_at=timezone.now() - timedelta(minutes=5)
    )

    failures = request.getfixturevalue("celery_worker_on_redis")  # Redis is back
    invitations_send_unsent_task.delay()  # what beat runs every ten minutes

    messages = wait_for(lambda: read_emails(email_dir), timeout=DELIVERY_TIMEOUT, failures=failures)
    assert messages, f"No email arrived within {DELIVERY_TIMEOUT} s"
    assert_invitation_email(messages, invitation)
    assert wait_for(lambda: sent_at(invitation), timeout=DELIVERY_TIMEOUT, failures=failures)
