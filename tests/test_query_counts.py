"""The benchmark's key pages run the same number of queries whatever the size of the data.

Each page is requested with 10 activity entries (and a few people), then again after the data
has grown tenfold; the second request may run no more queries than the first. Speed itself is
measured by `make bench` (bench/README.md), not here.
"""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from mentors.models import Activity, Appointment
from trusts.models import Role

from .conftest import client_for
from .factories import UserFactory, person

SMALL = 10  # fewer than a page: a query per row would show when the page fills
ENTRIES_PER_PAGE = 25


def grow(world, appointment: Appointment, other: Appointment, entries: int, trainees: int):
    """Add entries to both Trusts' logs (named trainees and GPC domains on some) and trainees."""
    today = timezone.localdate()
    new_trainees = [person(Role.TRAINEE, world.trust) for _ in range(trainees)]
    rows = []
    for i in range(entries):
        source = appointment if i % 3 else other
        rows.append(
            Activity(
                trust=source.trust,
                appointment=source,
                logged_by=source.user,
                date=today - timedelta(days=i % 60),
                responsibility=["forum", "safety_qi", "buddying"][i % 3],
                format="meeting",
                minutes=60,
                trainees_reached=2,
                others_engaged=["supervisors"],
                notes="Generated.",
            )
        )
    Activity.objects.bulk_create(rows)
    created = Activity.objects.order_by("-pk")[:entries]
    named = Activity.trainees.through
    domains = Activity.gpc_domains.through
    reached = new_trainees or [world.trainee]
    named.objects.bulk_create(
        named(activity_id=a.pk, user_id=reached[a.pk % len(reached)].pk)
        for a in created
        if a.trust_id == world.trust.pk
    )
    domains.objects.bulk_create(
        domains(activity_id=a.pk, gpcdomain_id=n) for a in created for n in (5, 8)
    )


@pytest.fixture
def logs(world):
    start = timezone.localdate() - timedelta(days=400)
    appointment = Appointment.objects.filter(user=world.clm, trust=world.trust).first()
    appointment.starts_on = start
    appointment.save()
    other = Appointment.objects.filter(user=world.other_clm, trust=world.other_trust).first()
    other.starts_on = start
    other.save()
    grow(world, appointment, other, SMALL, trainees=3)
    return appointment, other


def last_page(trust_ids=None, **filters) -> int:
    qs = Activity.objects.filter(**filters)
    if trust_ids is not None:
        qs = qs.filter(trust_id__in=trust_ids)
    return max(1, -(-qs.count() // ENTRIES_PER_PAGE))


def _pages(world):
    """(name, who, url) for each key page, as the benchmark names them."""
    mine = [world.trust.pk]
    return [
        ("CLM home", world.clm, lambda: "/"),
        ("CLM log, first page", world.clm, lambda: "/activity/"),
        ("CLM log, filtered", world.clm, lambda: "/activity/?responsibility=forum"),
        ("CLM log, last page", world.clm, lambda: f"/activity/?page={last_page(mine)}"),
        ("Deanery log, first page", world.deanery, lambda: "/activity/"),
        (
            "Deanery log, filtered",
            world.deanery,
            lambda: f"/activity/?trust={world.trust.pk}&responsibility=forum",
        ),
        ("Deanery log, last page", world.deanery, lambda: f"/activity/?page={last_page()}"),
        ("Time page", world.clm, lambda: "/activity/time/"),
        ("Trust's people", world.trust_admin, lambda: "/people/"),
        (
            "Admin change list, filtered",
            "admin",
            lambda: (
                f"/admin/mentors/activity/?trust__id__exact={world.trust.pk}"
                "&responsibility__exact=forum"
            ),
        ),
        ("Trivial page", world.clm, lambda: "/bench/trivial/"),
    ]


PAGE_NAMES = [
    "CLM home",
    "CLM log, first page",
    "CLM log, filtered",
    "CLM log, last page",
    "Deanery log, first page",
    "Deanery log, filtered",
    "Deanery log, last page",
    "Time page",
    "Trust's people",
    "Admin change list, filtered",
    "Trivial page",
]


class TestKeyPagesQueryCounts:
    @pytest.mark.parametrize("page", PAGE_NAMES)
    def test_the_page_runs_no_more_queries_when_the_data_grows_tenfold(
        self, world, logs, page, django_assert_max_num_queries
    ):
        _, who, url = next(p for p in _pages(world) if p[0] == page)
        if who == "admin":
            who = UserFactory(is_staff=True, is_superuser=True)
        client = client_for(who)
        assert client.get(url()).status_code == 200  # warm per-process caches
        with CaptureQueriesContext(connection) as small:
            response = client.get(url())
        assert response.status_code == 200
        grow(world, *logs, SMALL * 9, trainees=27)
        target = url()
        with django_assert_max_num_queries(len(small.captured_queries)):
            response = client.get(target)
        assert response.status_code == 200


class TestTheAdminChangeList:
    def test_a_filtered_list_does_not_count_the_whole_table(self, world, logs):
        client = client_for(UserFactory(is_staff=True, is_superuser=True))
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(f"/admin/mentors/activity/?trust__id__exact={world.trust.pk}")
        assert response.status_code == 200
        counts = [q["sql"] for q in ctx.captured_queries if "COUNT(" in q["sql"].upper()]
        assert counts, "the filtered rows are still counted for the paginator"
        assert all("WHERE" in sql.upper() for sql in counts), counts
