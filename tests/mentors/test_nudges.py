"""The weekly summary email: last week in figures, once per CLM per week, and a way to stop it."""

from datetime import UTC, date, datetime

import pytest
import time_machine
from django.conf import settings
from django.core import mail
from django.urls import reverse

from mentors.models import Appointment, NudgeSent
from mentors.services import weekly_nudge_send, weekly_nudges_queue, weekly_nudges_sweep
from mentors.tasks import weekly_nudges_sweep_task, weekly_nudges_task

from ..conftest import client_for
from ..factories import ActivityFactory

MONDAY = date(2025, 3, 17)
LAST_WEEK = date(2025, 3, 10)


def recipients() -> list[str]:
    return sorted(to for message in mail.outbox for to in message.to)


@pytest.fixture
def queue(django_capture_on_commit_callbacks):
    """Run the Monday job and publish its tasks as the commit would (eager Celery sends them)."""

    def run(**kwargs) -> int:
        with django_capture_on_commit_callbacks(execute=True):
            return weekly_nudges_queue(**kwargs)

    return run


@pytest.mark.django_db
class TestWeeklyNudgesQueue:
    def test_it_emails_every_current_clm(self, world, appointment, other_appointment, queue):
        assert queue(today=MONDAY) == 2
        assert recipients() == sorted([world.clm.email, world.other_clm.email])

    def test_it_sends_none_to_a_clm_who_turned_it_off(
        self, world, appointment, other_appointment, queue
    ):
        other_appointment.weekly_nudge = False
        other_appointment.save()
        queue(today=MONDAY)
        assert recipients() == [world.clm.email]

    def test_it_sends_none_for_an_ended_appointment(
        self, world, appointment, other_appointment, queue
    ):
        other_appointment.ends_on = date(2025, 3, 7)
        other_appointment.save()
        queue(today=MONDAY)
        assert recipients() == [world.clm.email]

    def test_it_sends_none_before_an_appointment_starts(self, world, appointment, queue):
        Appointment.objects.filter(pk=appointment.pk).update(starts_on=date(2025, 4, 1))
        assert queue(today=MONDAY) == 0
        assert mail.outbox == []

    def test_running_it_twice_in_a_week_sends_once(
        self, world, appointment, other_appointment, queue
    ):
        queue(today=MONDAY)
        queue(today=date(2025, 3, 18))
        assert len(mail.outbox) == 2

    def test_the_beat_task_queues_this_weeks_emails(
        self, world, django_capture_on_commit_callbacks
    ):
        # The world's CLMs were appointed today.
        with django_capture_on_commit_callbacks(execute=True):
            assert weekly_nudges_task() == 2
        assert len(mail.outbox) == 2

    def test_it_records_each_email_as_due_before_queuing_it(
        self, world, appointment, django_capture_on_commit_callbacks
    ):
        with django_capture_on_commit_callbacks() as published:
            weekly_nudges_queue(today=MONDAY)
        (nudge,) = NudgeSent.objects.filter(appointment=appointment)
        assert (nudge.week_starts_on, nudge.sent_at) == (LAST_WEEK, None)
        assert len(published) == 1
        assert mail.outbox == []  # nothing is sent before the transaction commits

    def test_celery_beat_runs_it_on_monday_mornings(self):
        entry = settings.CELERY_BEAT_SCHEDULE["weekly-clm-nudges"]
        assert entry["task"] == "mentors.tasks.weekly_nudges_task"
        assert entry["schedule"].day_of_week == {1}

    def test_celery_beat_sweeps_for_lost_emails_every_quarter_hour(self):
        from clm_portal.celery_app import app

        entry = settings.CELERY_BEAT_SCHEDULE["weekly-clm-nudges-sweep"]
        assert entry["task"] in app.tasks
        assert entry["schedule"].minute == {0, 15, 30, 45}


@pytest.mark.django_db
class TestWeeklyNudgeSend:
    @pytest.fixture
    def last_week(self, appointment):
        ActivityFactory(appointment=appointment, date=LAST_WEEK, minutes=90)
        ActivityFactory(appointment=appointment, date=date(2025, 3, 16), minutes=60)
        ActivityFactory(appointment=appointment, date=MONDAY, minutes=600)  # this week
        ActivityFactory(appointment=appointment, date=date(2025, 3, 9), minutes=600)  # before

    def test_it_shows_last_weeks_hours_against_the_allocation(self, world, appointment, last_week):
        weekly_nudge_send(appointment_id=appointment.pk, week_starts_on=LAST_WEEK)
        (message,) = mail.outbox
        assert message.subject == "Your CLM week: 2.50 of 2 hours logged"
        assert "beginning 10 March 2025" in message.body
        assert "Hours logged: 2.50 (allocation 2)" in message.body
        assert "Entries: 2" in message.body

    def test_it_has_a_html_part_with_the_same_figures(self, world, appointment, last_week):
        weekly_nudge_send(appointment_id=appointment.pk, week_starts_on=LAST_WEEK)
        html, mimetype = mail.outbox[0].alternatives[0]
        assert mimetype == "text/html"
        assert "<strong>2.50</strong>" in html

    def test_it_says_when_nothing_was_logged(self, world, appointment):
        weekly_nudge_send(appointment_id=appointment.pk, week_starts_on=LAST_WEEK)
        assert "Nothing is logged for that week yet." in mail.outbox[0].body

    def test_it_links_to_the_log_and_to_the_setting(self, world, appointment):
        weekly_nudge_send(appointment_id=appointment.pk, week_starts_on=LAST_WEEK)
        body = mail.outbox[0].body
        assert "http://testserver" + reverse("mentors:log_activity") in body
        assert "http://testserver" + reverse("mentors:time") in body

    def test_sending_twice_for_the_same_week_sends_once(self, world, appointment):
        assert weekly_nudge_send(appointment_id=appointment.pk, week_starts_on=LAST_WEEK)
        assert not weekly_nudge_send(appointment_id=appointment.pk, week_starts_on=LAST_WEEK)
        assert len(mail.outbox) == 1
        assert NudgeSent.objects.count() == 1

    def test_it_marks_the_due_email_sent(self, world, appointment):
        weekly_nudge_send(appointment_id=appointment.pk, week_starts_on=LAST_WEEK)
        nudge = NudgeSent.objects.get(appointment=appointment)
        assert nudge.sent_at is not None
        assert nudge.attempts == 1

    def test_the_next_week_is_sent_again(self, world, appointment):
        weekly_nudge_send(appointment_id=appointment.pk, week_starts_on=LAST_WEEK)
        weekly_nudge_send(appointment_id=appointment.pk, week_starts_on=MONDAY)
        assert len(mail.outbox) == 2

    def test_it_sends_nothing_once_turned_off(self, world, appointment):
        appointment.weekly_nudge = False
        appointment.save()
        assert not weekly_nudge_send(appointment_id=appointment.pk, week_starts_on=LAST_WEEK)
        assert mail.outbox == []

    def test_a_failed_send_can_be_retried(self, world, appointment, settings):
        settings.EMAIL_BACKEND = "tests.mentors.test_nudges.FailingBackend"
        with pytest.raises(OSError):
            weekly_nudge_send(appointment_id=appointment.pk, week_starts_on=LAST_WEEK)
        settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
        assert weekly_nudge_send(appointment_id=appointment.pk, week_starts_on=LAST_WEEK)
        assert len(mail.outbox) == 1


@pytest.mark.django_db
class TestWeeklyNudgesSweep:
    """Redis restarted and lost the queued emails: the sweeper sends them from the due rows."""

    @pytest.fixture
    def lost_in_the_queue(self, world, appointment, django_capture_on_commit_callbacks):
        with time_machine.travel(datetime(2025, 3, 17, 7, 0, tzinfo=UTC), tick=False):
            with django_capture_on_commit_callbacks():  # published, then lost: never run
                weekly_nudges_queue(today=MONDAY)
        assert mail.outbox == []

    def sweep(self, when: datetime, capture) -> int:
        with time_machine.travel(when, tick=False), capture(execute=True):
            return weekly_nudges_sweep()

    def test_it_sends_a_due_email_the_queue_lost(
        self, world, lost_in_the_queue, django_capture_on_commit_callbacks
    ):
        assert (
            self.sweep(datetime(2025, 3, 17, 7, 31, tzinfo=UTC), django_capture_on_commit_callbacks)
            == 1
        )
        assert recipients() == [world.clm.email]

    def test_it_leaves_a_recently_queued_email_to_the_queue(
        self, world, lost_in_the_queue, django_capture_on_commit_callbacks
    ):
        assert (
            self.sweep(datetime(2025, 3, 17, 7, 10, tzinfo=UTC), django_capture_on_commit_callbacks)
            == 0
        )
        assert mail.outbox == []

    def test_it_never_sends_an_email_twice(
        self, world, lost_in_the_queue, django_capture_on_commit_callbacks
    ):
        self.sweep(datetime(2025, 3, 17, 7, 31, tzinfo=UTC), django_capture_on_commit_callbacks)
        assert (
            self.sweep(datetime(2025, 3, 17, 9, 0, tzinfo=UTC), django_capture_on_commit_callbacks)
            == 0
        )
        assert len(mail.outbox) == 1

    def test_the_sweep_task_runs_it(
        self, world, lost_in_the_queue, django_capture_on_commit_callbacks
    ):
        with time_machine.travel(datetime(2025, 3, 17, 8, 0, tzinfo=UTC), tick=False):
            with django_capture_on_commit_callbacks(execute=True):
                assert weekly_nudges_sweep_task() == 1
        assert len(mail.outbox) == 1


class FailingBackend:
    """An SMTP server that is down."""

    def __init__(self, *args, **kwargs):
        pass

    def send_messages(self, messages):
        raise OSError("Connection refused")


@pytest.mark.django_db
class TestNudgePreference:
    URL = reverse("mentors:nudge_preference")

    def test_the_time_page_offers_the_setting_to_the_clm(self, world, appointment):
        html = client_for(world.clm).get(reverse("mentors:time")).content.decode()
        assert "Send me a weekly summary email" in html

    def test_the_time_page_offers_no_setting_to_the_trust_administrator(self, world, appointment):
        html = client_for(world.trust_admin).get(reverse("mentors:time")).content.decode()
        assert "Send me a weekly summary email" not in html

    def test_the_clm_turns_the_email_off(self, world, appointment):
        response = client_for(world.clm).post(self.URL, {}, follow=True)
        assert response.redirect_chain[-1][0] == reverse("mentors:time")
        assert "Weekly summary emails are off." in response.content.decode()
        appointment.refresh_from_db()
        assert not appointment.weekly_nudge

    def test_then_no_email_is_sent_to_them(self, world, appointment, queue):
        client_for(world.clm).post(self.URL, {})
        queue()
        assert world.clm.email not in recipients()

    def test_the_clm_turns_it_back_on(self, world, appointment):
        Appointment.objects.filter(pk=appointment.pk).update(weekly_nudge=False)
        response = client_for(world.clm).post(self.URL, {"weekly_nudge": "on"}, follow=True)
        assert "Weekly summary emails are on." in response.content.decode()
        appointment.refresh_from_db()
        assert appointment.weekly_nudge

    def test_it_changes_only_their_own_appointment(self, world, appointment, other_appointment):
        client_for(world.clm).post(self.URL, {})
        other_appointment.refresh_from_db()
        assert other_appointment.weekly_nudge

    def test_the_trust_administrator_cannot_change_it(self, world, appointment):
        assert client_for(world.trust_admin).post(self.URL, {}).status_code == 403
        appointment.refresh_from_db()
        assert appointment.weekly_nudge
