"""Odd query values are never a 500: a page, a 404, or the value ignored."""

import pytest
from django.urls import reverse

from ..conftest import client_for
from ..factories import ActivityFactory
from .conftest import recent_day

LOG = reverse("mentors:log")
LOG_ACTIVITY = reverse("mentors:log_activity")
TIME = reverse("mentors:time")


@pytest.fixture
def entry(appointment):
    return ActivityFactory(appointment=appointment, date=recent_day(3))


@pytest.mark.django_db
class TestOddQueryValues:
    @pytest.mark.parametrize("like", ["²", "٣", "-1", "1.5", "99999999999999999999", "x"])
    def test_log_another_like_an_odd_id_is_404(self, world, entry, like):
        assert client_for(world.clm).get(LOG_ACTIVITY, {"like": like}).status_code == 404

    @pytest.mark.parametrize("year", ["²", "0", "-2024", "99999999999", "2024.5", "٢٠٢٤"])
    def test_an_odd_year_shows_the_current_one(self, world, entry, year):
        response = client_for(world.clm).get(TIME, {"year": year})
        assert response.status_code == 200
        assert response.context["year_start"].month == 8

    @pytest.mark.parametrize("trust", ["²", "", "X" * 300])
    def test_an_odd_trust_is_404_or_ignored(self, world, entry, trust):
        assert client_for(world.deanery).get(TIME, {"trust": trust}).status_code in (200, 404)

    @pytest.mark.parametrize("name", ["date_from", "date_to", "date_after", "date_before"])
    @pytest.mark.parametrize(
        "value", ["0000-01-01", "0001-01-01", "9999-12-31", "-0001-01-01", "²"]
    )
    def test_odd_dates_in_the_log_filters_are_not_an_error(self, world, entry, name, value):
        assert client_for(world.clm).get(LOG, {name: value}).status_code == 200

    @pytest.mark.parametrize("value", ["²", "0", "-1", "99999999999999999999", "x"])
    def test_an_odd_page_shows_a_page(self, world, entry, value):
        assert client_for(world.clm).get(LOG, {"page": value}).status_code == 200

    @pytest.mark.parametrize("value", ["²", "0", "-1", "99999999999999999999"])
    def test_an_odd_page_size_shows_a_page(self, world, entry, value):
        assert client_for(world.clm).get(LOG, {"per_page": value}).status_code == 200

    @pytest.mark.parametrize("trust", ["²", "0", "99999999999999999999"])
    def test_an_odd_trust_in_the_deanery_log_is_ignored(self, world, entry, trust):
        assert client_for(world.deanery).get(LOG, {"trust": trust}).status_code == 200

    @pytest.mark.parametrize("sort", ["²", "-", "nonsense", "-minutes"])
    def test_an_odd_sort_shows_the_log(self, world, entry, sort):
        assert client_for(world.clm).get(LOG, {"sort": sort}).status_code == 200
