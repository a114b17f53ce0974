"""The demo surveys: last year's round closed and published, this year's open and published
with imported responses, some Trusts' figures suppressed and some shown, a flagged change."""

from datetime import date

import pytest
from django.core.management import call_command
from django.db.models import Count

from surveys.analysis import Results
from surveys.demo import IMPROVED, LAST_YEAR, seed_surveys
from surveys.models import Channel, Response, Round
from trusts.models import Trust
from trusts.reference import trusts_load

TODAY = date(2026, 12, 3)


@pytest.fixture
def rounds(db):
    trusts_load()
    added = seed_surveys(today=TODAY)
    assert added == Response.objects.count() > 0
    return Round.objects.get(slug="leadership-2025"), Round.objects.get(slug="leadership-2026")


def test_last_years_round_is_closed_and_this_years_open_both_published(rounds):
    before, now = rounds
    assert before.name == "Leadership survey 2025/26" and before.year == 2025
    assert before.closed_at is not None and before.state_on(TODAY) == Round.State.CLOSED
    assert now.name == "Leadership survey 2026/27" and now.year == 2026
    assert now.closed_at is None and now.state_on(TODAY) == Round.State.OPEN
    assert now.opens_on == date(2026, 8, 1) and (now.closes_on - TODAY).days == 60
    for round_ in rounds:
        assert round_.published_at is not None and round_.results["view"]
        assert round_.trusts.count() == Trust.objects.count()
    assert set(now.responses.values_list("channel", flat=True)) == {Channel.IMPORT}


def test_most_trusts_answer_and_every_answer_is_a_valid_value(rounds):
    before, now = rounds
    for round_ in rounds:
        answering = set(round_.responses.values_list("trust__ods_code", flat=True))
        assert answering == set(LAST_YEAR)
        assert 16 <= len(answering) <= Trust.objects.count() - 2
    for response in Response.objects.all():
        assert response.answers
        for code, value in response.answers.items():
            allowed = (0, 1) if code.split("_")[0] in ("done", "interest", "value") else range(1, 7)
            assert value in allowed, (code, value)
        if response.role == "supervisor":
            assert response.grade == response.specialty == ""
    blanks = sum(len(r.answers) < 37 for r in Response.objects.filter(role="trainee"))
    assert blanks > 0  # some items left unanswered


def test_some_trust_groups_are_suppressed_and_some_shown(rounds):
    for round_ in rounds:
        by_trust = Results(round_).summary()["by_trust"]
        for role in ("trainee", "supervisor"):
            counts = dict(
                round_.responses.filter(role=role)
                .values_list("trust__ods_code")
                .annotate(n=Count("pk"))
            )
            shown = [ods for ods, n in counts.items() if not by_trust[ods][role]["suppressed"]]
            hidden = [ods for ods, n in counts.items() if by_trust[ods][role]["suppressed"]]
            assert shown and hidden, (round_, role)
            assert all(by_trust[ods][role]["items"] for ods in shown)
            assert not any(by_trust[ods][role]["items"] for ods in hidden)
            assert any(counts[ods] <= 10 for ods in hidden)


def test_regional_figures_are_near_the_evaluations(rounds):
    before, _ = rounds
    figures = Results(before).summary()["by_role"]
    for role, code, published in (
        ("trainee", "t_important", 94),
        ("trainee", "t_senior", 38),
        ("trainee", "done_qi", 80),
        ("supervisor", "e_gpc_ready", 34),
        ("supervisor", "u_develop", 96),
    ):
        assert abs(figures[role][code]["percent_agree"] - published) <= 10, (role, code)


def test_the_mentors_items_are_flagged_as_higher_than_last_year(rounds):
    before, now = rounds
    changes = {c.code: c for c in Results(now, before).changes("trainee")}
    flagged = {code for code, c in changes.items() if c.flagged and c.difference > 0}
    assert flagged >= set(IMPROVED)
    assert all(changes[code].difference >= 7 for code in IMPROVED)


def test_seeding_twice_adds_nothing(rounds):
    count = Response.objects.count()
    assert seed_surveys(today=TODAY) == 0
    assert Response.objects.count() == count and Round.objects.count() == 2


def test_seed_demo_seeds_only_the_trusts_asked_for(db, settings, capsys):
    settings.DEBUG = True
    call_command("seed_demo", "--quiet-logins", "--only", "RK9")
    assert "survey responses added: " in capsys.readouterr().out
    assert set(Response.objects.values_list("trust__ods_code", flat=True)) == {"RK9"}
    assert Round.objects.published().count() == 2
    call_command("seed_demo", "--quiet-logins", "--only", "RK9")
    assert "survey responses added: 0." in capsys.readouterr().out
