"""seed_scale's surveys at a tiny size: one round a year, each published, RK9 in every one."""

import pytest
from django.core.management import call_command
from django.db.models import Count

from surveys.analysis import Results
from surveys.models import Response, Round
from trusts.models import Membership, Role, Trust

TINY = {"trainees": 200, "trusts": 4, "years": 2, "no_progress": True}


@pytest.fixture
def seeded(db):
    call_command("seed_scale", **TINY)


def test_one_round_a_year_each_published_with_about_equal_responses(seeded):
    rounds = list(Round.objects.order_by("year"))
    assert len(rounds) == TINY["years"]
    assert [r.year for r in rounds] == list(range(rounds[0].year, rounds[0].year + len(rounds)))
    trainees = Membership.objects.filter(role=Role.TRAINEE).count()
    assert Response.objects.count() == pytest.approx(6 * trainees, rel=0.1)
    per_round = [r.responses.count() for r in rounds]
    assert max(per_round) - min(per_round) <= 1
    for round_ in rounds:
        assert round_.published_at is not None
        assert round_.trusts.count() == Trust.objects.count()
        results = Results(round_)
        assert results.by_role("trainee").n + results.by_role("supervisor").n == (
            round_.responses.count()
        )
    assert all(r.closed_at for r in rounds[:-1]) and rounds[-1].closed_at is None


def test_rk9_answers_every_round(seeded):
    rk9 = Trust.objects.get(ods_code="RK9")
    counts = dict(Response.objects.filter(trust=rk9).values_list("round").annotate(n=Count("pk")))
    assert set(counts) == set(Round.objects.values_list("pk", flat=True))
    assert all(n > 0 for n in counts.values())
    assert set(Response.objects.values_list("role", flat=True)) == {"trainee", "supervisor"}
