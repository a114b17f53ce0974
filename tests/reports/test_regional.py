"""regional_summary on known data: hours, reach with named and unnamed trainees, floor
coverage, a survey headline with suppression, flags that agree with the limits, and a fixed
number of queries however many Trusts."""

import json
from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from mentors.models import training_year_start
from opportunities.models import Application
from opportunities.models import ApplicationStatus as S
from reports.regional import regional_summary
from surveys.analysis import publish
from trusts.models import Role

from ..factories import ActivityFactory, OpportunityFactory, TrustFactory, appointment_of, person
from ..surveys.support import add_responses, make_round

pytestmark = pytest.mark.django_db


@pytest.fixture
def known(world):
    today = timezone.localdate()
    year = training_year_start(today)
    trainees = [world.trainee] + [person(Role.TRAINEE, world.trust) for _ in range(3)]
    appointment = appointment_of(world.clm, world.trust, starts_on=year)
    activity = ActivityFactory(appointment=appointment, date=today, minutes=90, trainees_reached=10)
    activity.trainees.set(trainees[:2])
    ActivityFactory(
        appointment=appointment, date=year - timedelta(days=1), minutes=600
    )  # last year
    opportunity = OpportunityFactory(trust=world.trust, places=5)
    for trainee in trainees[1:3]:
        Application.objects.create(
            opportunity=opportunity,
            trainee=trainee,
            status=S.COMPLETED,
            completed_at=timezone.now(),
        )
    return year.year, trainees


def test_the_trusts_hours_and_reach_count_named_trainees_only(known):
    year, trainees = known
    got = regional_summary(year=year)
    rk9 = got["trusts"]["RK9"]
    assert rk9["trainees"] == 4
    assert rk9["hours"] == 1.5  # last year's 10 hours are not this year's
    assert rk9["allocation_hours"] > 0
    reach = rk9["indicators"]["reach"]
    # Named in the activity: trainees 0 and 1; completed an opportunity: 1 and 2. The
    # activity's 10 unnamed "trainees reached" are contacts, not people.
    assert (reach["numerator"], reach["denominator"], reach["percent"]) == (3, 4, 75.0)
    coverage = rk9["indicators"]["floor_coverage"]
    assert (coverage["numerator"], coverage["denominator"]) == (2, 4)
    ref = got["trusts"]["REF"]["indicators"]["reach"]
    assert (ref["numerator"], ref["denominator"]) == (0, 1)
    assert got["region"]["indicators"]["reach"]["numerator"] == 3
    assert got["region"]["indicators"]["reach"]["denominator"] == 5


def test_every_flag_agrees_with_its_limits(known):
    year, _ = known
    for trust in regional_summary(year=year)["trusts"].values():
        for figure in trust["indicators"].values():
            p = figure["numerator"] / figure["denominator"] * 100
            (lo95, hi95), (lo998, hi998) = figure["limit95"], figure["limit998"]
            expected = (
                "outlier"
                if not lo998 <= p <= hi998
                else "watch"
                if not lo95 <= p <= hi95
                else "none"
            )
            assert figure["flag"] == expected


def test_the_survey_headline_is_there_only_where_not_suppressed(world, known):
    year, _ = known
    small, smaller = TrustFactory(ods_code="RA7"), TrustFactory(ods_code="RA3")
    round_ = make_round(
        [world.trust, world.other_trust, small, smaller], name="This year", year=year
    )
    add_responses(
        round_, world.trust, "trainee", [{"t_support_trust": 5}] * 15 + [{"t_support_trust": 2}] * 5
    )
    add_responses(
        round_,
        world.other_trust,
        "trainee",
        [{"t_support_trust": 4}] * 8 + [{"t_support_trust": 1}] * 8,
    )
    add_responses(round_, small, "trainee", [{"t_support_trust": 6}] * 3)
    # Two small Trusts, so neither can be worked out from the total: RK9 and REF stay shown.
    add_responses(round_, smaller, "trainee", [{"t_support_trust": 1}] * 2)
    publish(round_)
    out = StringIO()
    call_command("regional_summary", "--year", str(year), "--json", stdout=out)
    got = json.loads(out.getvalue())
    assert got["year"] == year and got["region"]["survey_round"] == round_.slug
    headline = got["trusts"]["RK9"]["indicators"]["survey_t_support_trust"]
    assert (headline["numerator"], headline["denominator"], headline["percent"]) == (15, 20, 75.0)
    assert got["trusts"]["REF"]["indicators"]["survey_t_support_trust"]["numerator"] == 8
    # RA7's three answers and RA3's two are hidden: no headline for them.
    assert "survey_t_support_trust" not in got["trusts"]["RA7"]["indicators"]
    assert "survey_t_support_trust" not in got["trusts"]["RA3"]["indicators"]
    region = got["region"]["indicators"]["survey_t_support_trust"]
    assert (region["numerator"], region["denominator"]) == (26, 41)


@pytest.mark.parametrize("extra", [0, 18])
def test_a_fixed_number_of_queries_however_many_trusts(known, extra, django_assert_max_num_queries):
    year, _ = known
    for _ in range(extra):
        trust = TrustFactory()
        person(Role.TRAINEE, trust)
    with django_assert_max_num_queries(14):
        got = regional_summary(year=year)
    assert len(got["trusts"]) >= 2 + extra


@pytest.mark.parametrize("extra", [0, 18])
def test_the_dashboard_lists_every_trust_by_name_in_fixed_queries(
    known, world, extra, django_assert_max_num_queries
):
    from django.urls import reverse

    from ..conftest import client_for

    for n in range(extra):
        person(Role.TRAINEE, TrustFactory(name=f"Trust {n:02d}"))
    client = client_for(world.deanery)
    url = reverse("reports:region")
    with django_assert_max_num_queries(36):
        client.get(url)  # works the snapshot out (fixed queries, tested above) and stores it
    with django_assert_max_num_queries(9):
        page = client.get(url)
    content = page.content.decode()
    assert page.status_code == 200
    assert content.count('<th class="nhsuk-table__header" scope="row">') >= 2 + extra
    # Sorted by name, never by score.
    assert content.index("Royal Cornwall") < content.index("University Hospitals Plymouth")
    assert "<svg" in content and "75.0%" in content
    csv_text = client.get(reverse("reports:region_csv")).content.decode()
    assert "RK9,University Hospitals Plymouth NHS Trust" in csv_text
    assert csv_text.count("\r\n") == 1 + 2 + extra


def test_the_dashboard_reads_the_hourly_snapshot_and_the_task_refreshes_it(known, world):
    import time_machine
    from django.urls import reverse

    from reports.models import RegionalSnapshot
    from reports.tasks import regional_snapshot_task

    from ..conftest import client_for

    client = client_for(world.deanery)
    assert client.get(reverse("reports:region")).status_code == 200
    snapshot = RegionalSnapshot.objects.get()
    assert snapshot.figures["trusts"]["RK9"]["trainees"] == 4
    person(Role.TRAINEE, world.trust)
    client.get(reverse("reports:region"))
    assert RegionalSnapshot.objects.get().computed_at == snapshot.computed_at  # not yet
    assert regional_snapshot_task() == snapshot.year
    assert RegionalSnapshot.objects.get().figures["trusts"]["RK9"]["trainees"] == 5
    person(Role.TRAINEE, world.trust)
    with time_machine.travel(timezone.now() + timedelta(hours=3)):
        client_for(world.deanery).get(reverse("reports:region"))
    assert RegionalSnapshot.objects.get().figures["trusts"]["RK9"]["trainees"] == 6
