"""The log pages through at most 10,000 rows: no COUNT(*) of a big table, no OFFSET past it."""

import re
from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from clm_portal.pagination import MAX_ROWS, CappedPaginator
from mentors.models import Activity
from tests.conftest import client_for
from tests.factories import appointment_of

START = date(2020, 8, 1)


def log_rows(world, n: int) -> None:
    """`n` entries of the first Trust, one a day going back from yesterday's date in 2026."""
    appointment = appointment_of(world.clm, world.trust, starts_on=START - timedelta(days=n))
    newest = date(2026, 7, 31)
    Activity.objects.bulk_create(
        Activity(
            trust=world.trust,
            appointment=appointment,
            logged_by=world.clm,
            date=newest - timedelta(days=i),
            responsibility="buddying",
            format="meeting",
            minutes=30 + i % 60,
        )
        for i in range(n)
    )


def offsets(queries) -> list[int]:
    return [int(m) for q in queries for m in re.findall(r"OFFSET (\d+)", q["sql"])]


@pytest.mark.django_db
class TestTheCappedLog:
    def test_it_counts_only_up_to_the_cap(self, world, monkeypatch):
        monkeypatch.setattr(CappedPaginator, "max_rows", 50)
        log_rows(world, 80)
        response = client_for(world.deanery).get(reverse("mentors:log"))
        paginator = response.context["table"].paginator
        assert (paginator.count, paginator.is_capped, paginator.num_pages) == (50, True, 2)
        assert "More than 50 entries" in response.content.decode()

    def test_a_page_past_the_cap_shows_the_last_page_offered_without_a_deep_offset(
        self, world, monkeypatch
    ):
        monkeypatch.setattr(CappedPaginator, "max_rows", 50)
        log_rows(world, 80)
        with CaptureQueriesContext(connection) as ctx:
            response = client_for(world.deanery).get(reverse("mentors:log"), {"page": 4})
        page = response.context["table"].page
        assert page.number == 2
        # Page 2 of 25 a page: rows 26 to 50 of the newest-first order, and no OFFSET past 50.
        assert [row.record.date for row in page.object_list][0] == date(2026, 7, 31) - timedelta(
            days=25
        )
        assert max(offsets(ctx.captured_queries), default=0) < 50

    def test_a_short_list_is_counted_exactly_and_not_capped(self, world):
        log_rows(world, 30)
        response = client_for(world.clm).get(reverse("mentors:log"))
        paginator = response.context["table"].paginator
        assert (paginator.count, paginator.is_capped) == (30, False)
        assert "30 entries" in response.content.decode()

    def test_the_real_cap_never_reads_past_ten_thousand_rows(self, world):
        log_rows(world, MAX_ROWS + 30)
        with CaptureQueriesContext(connection) as ctx:
            response = client_for(world.deanery).get(reverse("mentors:log"), {"page": 10**6})
        table = response.context["table"]
        assert table.paginator.is_capped
        assert table.page.number == MAX_ROWS // 25
        assert max(offsets(ctx.captured_queries)) < MAX_ROWS
        assert not any(
            re.search(r"SELECT COUNT\(\*\) AS \"__count\" FROM \"mentors_activity\"", q["sql"])
            for q in ctx.captured_queries
        ), "the whole table was counted"


@pytest.mark.django_db
class TestTheBoundedExport:
    def test_a_download_of_more_than_the_limit_is_refused_with_a_way_forward(
        self, world, monkeypatch
    ):
        from mentors import exports

        monkeypatch.setattr(exports, "MAX_EXPORT_ROWS", 20)
        log_rows(world, 21)
        response = client_for(world.deanery).get(
            reverse("mentors:log"), {"_export": "csv", "responsibility": "buddying"}, follow=True
        )
        assert response.redirect_chain[-1][0] == f"{reverse('mentors:log')}?responsibility=buddying"
        assert "too many for one file" in response.content.decode()
        assert "Content-Disposition" not in response

    def test_a_download_within_the_limit_is_the_file(self, world, monkeypatch):
        from mentors import exports

        monkeypatch.setattr(exports, "MAX_EXPORT_ROWS", 20)
        log_rows(world, 20)
        response = client_for(world.deanery).get(reverse("mentors:log"), {"_export": "csv"})
        assert response["Content-Disposition"].startswith("attachment")
        assert response.content.decode("utf-8-sig").count("\r\n") == 21


@pytest.mark.django_db
def test_the_log_offers_page_links_when_there_is_more_than_a_page(world):
    log_rows(world, 30)
    html = client_for(world.clm).get(reverse("mentors:log")).content.decode()
    assert 'aria-label="Pagination"' in html
    assert 'aria-label="Page 2"' in html


@pytest.mark.django_db
class TestTheLogsActions:
    def test_a_clm_gets_change_and_copy_links_with_their_entrys_id(self, world):
        log_rows(world, 2)
        newest = Activity.objects.order_by("-date").first()
        html = client_for(world.clm).get(reverse("mentors:log")).content.decode()
        assert f'href="{reverse("mentors:edit_activity", kwargs={"pk": newest.pk})}"' in html
        assert f'href="{reverse("mentors:log_activity")}?like={newest.pk}"' in html
        assert "the entry of 31 July 2026" in html

    def test_deanery_staff_get_no_actions(self, world):
        log_rows(world, 2)
        html = client_for(world.deanery).get(reverse("mentors:log")).content.decode()
        assert "Log another like this" not in html
