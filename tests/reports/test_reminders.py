"""Reminders on a frozen clock: only to Trusts that have not submitted, only 28, 14, 7 and 1
days before the due date and 1 and 7 days after, once each however often the job runs."""

from datetime import date, datetime, time, timedelta

import pytest
import time_machine
from django.core import mail
from django.utils import timezone

from reports.models import ReportReminder, ReportStatus, ReportWindow, YearEndReport
from reports.tasks import report_reminders_task
from trusts.models import Membership, Role

from ..factories import TrustFactory, person

pytestmark = pytest.mark.django_db

YEAR = 2025
DUE = date(2026, 7, 31)


def _at(day: date):
    return time_machine.travel(timezone.make_aware(datetime.combine(day, time(7, 0))), tick=False)


@pytest.fixture
def window(world):
    ReportWindow.objects.create(year=YEAR, opens_on=date(2026, 6, 1), due_on=DUE)
    # RK9 has submitted; REF has not.
    YearEndReport.objects.create(
        trust=world.trust,
        year=YEAR,
        status=ReportStatus.SUBMITTED,
        snapshot={"content": {}, "narratives": {}},
    )


def _run_on(day: date) -> list:
    mail.outbox.clear()
    with _at(day):
        report_reminders_task()
    return list(mail.outbox)


def test_reminders_go_on_the_six_days_only_to_non_submitters(world, window):
    reminded_on = []
    day = DUE - timedelta(days=35)
    while day <= DUE + timedelta(days=10):
        sent = _run_on(day)
        if sent:
            assert [m.to for m in sent] == [[world.other_clm.email]], day
            reminded_on.append((DUE - day).days)
        day += timedelta(days=1)
    assert reminded_on == [28, 14, 7, 1, -1, -7]


def test_the_email_says_when_it_is_due_and_links_the_report(world, window):
    (message,) = _run_on(DUE - timedelta(days=7))
    body = message.body
    assert "due in 7 days, on 31 July 2026" in body
    assert "/reports/year-end/2025/REF/" in body
    (late,) = _run_on(DUE + timedelta(days=1))
    assert "1 day overdue" in late.body


def test_running_twice_on_a_day_sends_once(world, window):
    assert len(_run_on(DUE - timedelta(days=14))) == 1
    assert _run_on(DUE - timedelta(days=14)) == []
    assert ReportReminder.objects.filter(trust=world.other_trust, days_before=14).count() == 1


def test_a_returned_report_is_reminded_and_an_accepted_one_is_not(world, window):
    YearEndReport.objects.filter(trust=world.trust).update(status=ReportStatus.RETURNED)
    recipients = sorted(m.to[0] for m in _run_on(DUE - timedelta(days=1)))
    assert recipients == sorted([world.clm.email, world.other_clm.email])
    YearEndReport.objects.filter(trust=world.trust).update(status=ReportStatus.ACCEPTED)
    assert [m.to for m in _run_on(DUE + timedelta(days=1))] == [[world.other_clm.email]]


def test_a_vacant_post_reminds_the_trust_administrators(world, window):
    Membership.objects.filter(user=world.other_clm, role=Role.CLM).delete()
    (message,) = _run_on(DUE - timedelta(days=28))
    assert message.to == [world.other_admin.email]


def test_a_trust_that_merged_before_the_year_ended_is_not_reminded(world, window):
    merged = TrustFactory(ods_code="RA3", is_active=False, closed_on=date(2026, 4, 1))
    person(Role.CLM, merged)
    recipients = [m.to for m in _run_on(DUE - timedelta(days=28))]
    assert recipients == [[world.other_clm.email]]


def test_a_failed_email_is_tried_again_next_run(world, window, monkeypatch):
    from reports import reminders

    def broken(*args, **kwargs):
        raise OSError("SMTP down")

    monkeypatch.setattr(reminders, "send_templated_email", broken)
    assert _run_on(DUE - timedelta(days=7)) == []
    monkeypatch.undo()
    mail.outbox.clear()
    with _at(DUE - timedelta(days=6)):
        assert report_reminders_task() == 1
    assert ReportReminder.objects.get(days_before=7).sent_at is not None
