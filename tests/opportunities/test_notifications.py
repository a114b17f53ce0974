"""Notifications: emailed after commit, each recording sent or failed; reminders and the
supervisors' digest go once per period and respect the opt-out."""

from datetime import timedelta

import pytest
from django.test import override_settings
from django.utils import timezone

from opportunities import notifications, services
from opportunities.models import ApplicationStatus as S
from opportunities.models import Notification
from trusts.models import Role

from ..factories import OpportunityFactory, apply_for, person

pytestmark = pytest.mark.django_db


def test_an_offer_is_emailed_after_commit_with_accept_and_decline_links(
    world, mailoutbox, django_capture_on_commit_callbacks
):
    application = apply_for(OpportunityFactory(trust=world.trust), world.trainee)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.application_decide(by=world.clm, application=application, to=S.OFFERED)
        assert mailoutbox == []  # nothing leaves before the transaction commits
    for callback in callbacks:
        callback()
    offer = world.trainee.notifications.get(kind="offer")
    assert offer.email_status == "sent" and offer.emailed_at
    message = next(m for m in mailoutbox if m.to == [world.trainee.email])
    assert f"/opportunities/applications/{application.pk}/accept/" in message.body
    assert f"/opportunities/applications/{application.pk}/decline/" in message.body


@override_settings(EMAIL_BACKEND="tests.opportunities.test_notifications.FailingBackend")
def test_a_failed_email_is_recorded_and_retried_until_the_limit(world):
    notification = notifications.notify(world.trainee, "decision", "Subject", "Body")
    assert notifications.send_notification_email(notification.pk) is False
    notification.refresh_from_db()
    assert (notification.email_status, notification.email_attempts) == ("pending", 1)
    assert "SMTP down" in notification.email_error
    for _ in range(notifications.MAX_EMAIL_ATTEMPTS - 1):
        notifications.send_notification_email(notification.pk)
    notification.refresh_from_db()
    assert notification.email_status == "failed"


class FailingBackend:
    def __init__(self, *args, **kwargs):
        pass

    def send_messages(self, messages):
        raise OSError("SMTP down")


def test_the_sweep_requeues_pending_emails(world, mailoutbox, django_capture_on_commit_callbacks):
    notification = Notification.objects.create(
        user=world.trainee, kind="decision", subject="Lost", body="The queue lost it"
    )
    Notification.objects.filter(pk=notification.pk).update(
        created_at=timezone.now() - timedelta(minutes=11)
    )
    with django_capture_on_commit_callbacks(execute=True):
        assert notifications.notifications_sweep() == 1
    notification.refresh_from_db()
    assert notification.email_status == "sent"


def test_the_reminder_before_the_start_goes_once(world):
    starts = timezone.localdate() + timedelta(days=1)
    application = apply_for(
        OpportunityFactory(trust=world.trust, starts_on=starts, ends_on=starts, deadline=None),
        world.trainee,
    )
    services.application_decide(by=world.clm, application=application, to=S.OFFERED)
    services.application_accept(trainee=world.trainee, application=application)
    assert notifications.remind_before_start() == 1
    assert notifications.remind_before_start() == 0
    assert world.trainee.notifications.filter(kind="reminder").count() == 1


def test_undecided_applications_remind_the_clm_weekly(world):
    opportunity = OpportunityFactory(trust=world.trust)
    application = apply_for(opportunity, world.trainee)
    assert notifications.remind_undecided() == 0  # not a week old yet
    application.__class__.objects.filter(pk=application.pk).update(
        created_at=timezone.now() - timedelta(days=8)
    )
    assert notifications.remind_undecided() == 1
    assert notifications.remind_undecided() == 0
    assert notifications.remind_undecided(now=timezone.now() + timedelta(days=8)) == 1


def test_the_digest_lists_new_opportunities_for_supervisees_and_respects_the_opt_out(world):
    other_supervisor = person(Role.SUPERVISOR, world.trust)
    supervisee = person(Role.TRAINEE, world.trust)
    supervisee.trainee_profile.educational_supervisor = other_supervisor
    supervisee.trainee_profile.save()
    other_supervisor.supervisor_profile.opportunity_digest = False
    other_supervisor.supervisor_profile.save()
    OpportunityFactory(trust=world.trust, title="New QI project")
    OpportunityFactory(trust=world.other_trust, title="Elsewhere")
    assert notifications.supervisor_digests() == 1
    digest = world.supervisor.notifications.get(kind="digest")
    assert "New QI project" in digest.body and "Elsewhere" not in digest.body
    assert not other_supervisor.notifications.exists()
    assert notifications.supervisor_digests() == 0  # once a week
