"""An activity entry names the opportunity it served; the opportunity lists the work behind it."""

import pytest
from django.urls import reverse
from django.utils import timezone

from mentors.models import Activity

from ..conftest import client_for
from ..factories import OpportunityFactory, appointment_of

pytestmark = pytest.mark.django_db


def entry(**extra) -> dict:
    return {
        "date": timezone.localdate().isoformat(),
        "responsibility": "roles_projects",
        "format": "meeting",
        "hours": "1",
        "trainees_reached": "0",
        **extra,
    }


def test_an_entry_names_its_trusts_opportunity_and_the_opportunity_lists_it(world):
    appointment_of(world.clm, world.trust, starts_on=timezone.localdate().replace(day=1))
    opportunity = OpportunityFactory(trust=world.trust, title="Sepsis QI")
    client = client_for(world.clm)
    form = client.get(reverse("mentors:log_activity")).context["form"]
    assert list(form.fields["opportunity"].queryset) == [opportunity]
    client.post(reverse("mentors:log_activity"), entry(opportunity=opportunity.pk))
    assert Activity.objects.get().opportunity == opportunity
    page = client.get(reverse("opportunities:applications", args=[opportunity.pk]))
    assert "CLM work behind it" in page.content.decode()


def test_another_trusts_opportunity_is_refused(world):
    appointment_of(world.clm, world.trust, starts_on=timezone.localdate().replace(day=1))
    elsewhere = OpportunityFactory(trust=world.other_trust)
    response = client_for(world.clm).post(
        reverse("mentors:log_activity"), entry(opportunity=elsewhere.pk)
    )
    assert "opportunity" in response.context["form"].errors
    assert not Activity.objects.exists()
