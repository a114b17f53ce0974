"""Two copies of the same submission at the same moment (PostgreSQL: real row locks)."""

import uuid
from decimal import Decimal

import pytest

from mentors.models import Activity, Appointment
from mentors.services import activity_create, appointment_create

from ..concurrency import at_once
from ..factories import appointment_of
from .conftest import APPOINTED, entry_fields, recent_day


@pytest.mark.django_db(transaction=True)
class TestAtTheSameMoment:
    def test_one_form_sent_twice_logs_one_entry(self, postgres, world):
        appointment_of(world.clm, world.trust, starts_on=APPOINTED)
        key = uuid.uuid4()
        results = at_once(
            lambda _: activity_create(
                by=world.clm,
                trust=world.trust,
                submission_key=key,
                **entry_fields(date=recent_day(1)),
            )
        )
        assert not [r for r in results if isinstance(r, Exception)], results
        assert Activity.objects.count() == 1
        assert results[0].pk == results[1].pk

    def test_one_appointment_recorded_twice_is_recorded_once(self, postgres, world):
        results = at_once(
            lambda _: appointment_create(
                by=world.trust_admin,
                trust=world.trust,
                user=world.supervisor,
                starts_on=recent_day(0),
                hours_per_week=Decimal("2"),
                confirm_second=True,
            )
        )
        assert not [r for r in results if isinstance(r, Exception)], results
        assert Appointment.objects.filter(user=world.supervisor).count() == 1
