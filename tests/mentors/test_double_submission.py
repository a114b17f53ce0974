"""The same log form sent twice (a double click, a resent POST) logs one entry."""

import re
import uuid

import pytest
from django.urls import reverse
from django.utils import timezone

from mentors.models import Activity
from mentors.services import activity_create

from ..conftest import client_for
from .conftest import entry_fields, recent_day

LOG_ACTIVITY = reverse("mentors:log_activity")


def submission_key(html: str) -> str:
    return re.search(r'name="submission" value="([0-9a-f-]{36})"', html)[1]


def data(key: str, **overrides) -> dict:
    return {
        "submission": key,
        "date": timezone.localdate().isoformat(),
        "responsibility": "forum",
        "format": "forum",
        "hours": "1",
        "trainees_reached": "0",
        **overrides,
    }


@pytest.mark.django_db
class TestLoggingTwice:
    def test_each_form_shown_has_its_own_key(self, world, appointment):
        client = client_for(world.clm)
        first = submission_key(client.get(LOG_ACTIVITY).content.decode())
        second = submission_key(client.get(LOG_ACTIVITY).content.decode())
        assert first != second

    def test_the_home_pages_quick_form_has_one_too(self, world, appointment):
        assert submission_key(client_for(world.clm).get("/").content.decode())

    def test_the_full_form_sent_twice_logs_one_entry(self, world, appointment):
        client = client_for(world.clm)
        key = submission_key(client.get(LOG_ACTIVITY).content.decode())
        responses = [client.post(LOG_ACTIVITY, data(key)) for _ in range(2)]
        assert [r.status_code for r in responses] == [302, 302]
        assert Activity.objects.count() == 1

    def test_the_quick_form_sent_twice_logs_one_entry(self, world, appointment):
        client = client_for(world.clm)
        key = submission_key(client.get("/").content.decode())
        for _ in range(2):
            client.post(LOG_ACTIVITY, {**data(key), "quick": "1", "next": "/"})
        assert Activity.objects.count() == 1

    def test_two_forms_log_two_entries(self, world, appointment):
        client = client_for(world.clm)
        for _ in range(2):
            key = submission_key(client.get(LOG_ACTIVITY).content.decode())
            client.post(LOG_ACTIVITY, data(key))
        assert Activity.objects.count() == 2

    def test_a_refused_form_can_be_corrected_and_sent_with_the_same_key(self, world, appointment):
        client = client_for(world.clm)
        key = submission_key(client.get(LOG_ACTIVITY).content.decode())
        client.post(LOG_ACTIVITY, data(key, hours="0"))
        client.post(LOG_ACTIVITY, data(key))
        assert Activity.objects.count() == 1


@pytest.mark.django_db
class TestActivityCreateIsIdempotent:
    def test_the_same_key_returns_the_first_entry(self, world, appointment):
        key = uuid.uuid4()
        first = activity_create(
            by=world.clm, trust=world.trust, submission_key=key, **entry_fields(date=recent_day(1))
        )
        second = activity_create(
            by=world.clm, trust=world.trust, submission_key=key, **entry_fields(date=recent_day(1))
        )
        assert first.pk == second.pk
        assert Activity.objects.count() == 1

    def test_without_a_key_each_call_logs_an_entry(self, world, appointment):
        # The CSV import logs identical rows as separate entries; it sends no key.
        for _ in range(2):
            activity_create(by=world.clm, trust=world.trust, **entry_fields(date=recent_day(1)))
        assert Activity.objects.count() == 2
