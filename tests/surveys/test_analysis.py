"""% agree, Wilson intervals, the summary's counts on a hand-built file, suppression at the
threshold and per item, complementary suppression, and change between rounds."""

import json
from io import StringIO

import pytest
from django.core.management import call_command

from surveys.analysis import Results, complete_suppression, difference_interval, publish, wilson
from surveys.services import responses_import

from ..factories import TrustFactory
from .support import add_responses, csv_file, make_round


# Newcombe (1998), "Two-sided confidence intervals for the single proportion", Table I,
# method 3 (Wilson score, no continuity correction).
@pytest.mark.parametrize(
    ("successes", "n", "low", "high"),
    [
        (81, 263, 0.2553, 0.3662),
        (15, 148, 0.0624, 0.1605),
        (0, 20, 0.0, 0.1611),
        (1, 29, 0.0061, 0.1718),
    ],
)
def test_wilson_intervals_match_the_published_reference_values(successes, n, low, high):
    got_low, got_high = wilson(successes, n)
    assert got_low == pytest.approx(low, abs=5e-5)
    assert got_high == pytest.approx(high, abs=5e-5)


def test_difference_interval_matches_newcombes_worked_example():
    # Newcombe (1998), "Interval estimation for the difference between independent
    # proportions", example (56/70 − 48/80): method 10 gives 0.0524 to 0.3339.
    d, low, high = difference_interval((48, 80), (56, 70))
    assert d == pytest.approx(0.2)
    assert low == pytest.approx(0.0524, abs=5e-4)
    assert high == pytest.approx(0.3339, abs=5e-4)


HAND_BUILT = (
    "trust,role,grade,specialty,t_leader,t_senior,c_know,done_qi,e_discuss\r\n"
    # RK9: 12 trainees. t_leader: 4,5,6 agree (9 of them), 1–3 disagree (3); t_senior blank
    # for two; done_qi yes for 5.
    + "".join(
        f"RK9,trainee,{'F1' if i < 7 else 'ST5'},medical,{[4, 5, 6][i % 3] if i < 9 else [1, 2, 3][i % 3]},"
        f"{'' if i < 2 else (4 if i < 6 else 2)},{6 if i < 6 else 1},{1 if i < 5 else 0},\r\n"
        for i in range(12)
    )
    # REF: 3 trainees, all agree; 11 supervisors, 8 discuss leadership.
    + "".join("REF,trainee,ST4,surgical,5,5,5,1,\r\n" for _ in range(3))
    + "".join(f"REF,supervisor,,,,,{4 if i < 4 else 3},,{5 if i < 8 else 2}\r\n" for i in range(11))
)


@pytest.fixture
def hand_built(db):
    rk9 = TrustFactory(ods_code="RK9")
    ref = TrustFactory(ods_code="REF")
    round_ = make_round([rk9, ref], name="Hand built")
    responses_import(by=None, round_=round_, upload=csv_file(HAND_BUILT))
    return round_


def summary(round_) -> dict:
    out = StringIO()
    call_command("survey_summary", round_.slug, "--json", stdout=out)
    return json.loads(out.getvalue())


def test_the_summary_counts_a_hand_built_file_right(hand_built):
    got = summary(hand_built)
    assert got["round"] == hand_built.slug
    assert got["threshold"] == 10
    assert got["n"] == {"trainee": 15, "supervisor": 11}
    leader = got["by_role"]["trainee"]["t_leader"]
    assert leader == {
        "answered": 15,
        "agree": 12,
        "percent_agree": 80.0,
        "ci_low": 54.8,
        "ci_high": 93.0,
    }
    # Blanks are left out of the denominator.
    assert got["by_role"]["trainee"]["t_senior"]["answered"] == 13
    assert got["by_role"]["trainee"]["t_senior"]["agree"] == 4 + 3
    # Yes/no: agree is the count of 1s.
    assert got["by_role"]["trainee"]["done_qi"]["agree"] == 5 + 3
    assert got["by_role"]["supervisor"]["e_discuss"]["agree"] == 8
    assert got["by_role"]["supervisor"]["c_know"]["percent_agree"] == round(100 * 4 / 11, 1)
    # RK9's 12 trainees are shown, REF's 3 are not, which would leave REF as the total minus
    # RK9: so RK9 is hidden too (complementary suppression).
    assert got["by_trust"]["REF"]["trainee"] == {
        "n": None,
        "suppressed": True,
        "response_rate": None,
        "items": {},
    }
    assert got["by_trust"]["RK9"]["trainee"]["suppressed"] is True
    assert got["by_trust"]["RK9"]["trainee"]["items"] == {}
    # REF's 11 supervisors are the region's: shown.
    ref_supervisors = got["by_trust"]["REF"]["supervisor"]
    assert ref_supervisors["n"] == 11 and ref_supervisors["suppressed"] is False
    assert ref_supervisors["items"]["e_discuss"]["agree"] == 8
    assert got["by_trust"]["RK9"]["supervisor"] == {
        "n": 0,
        "suppressed": True,
        "response_rate": None,
        "items": {},
    }
    # Stages: 7 early (F1) hidden, 8 late (5 ST5 + 3 ST4) hidden.
    assert got["by_stage"]["early"]["suppressed"] and got["by_stage"]["late"]["suppressed"]


def _cells(groups: dict[str, tuple[int, int, int]]) -> dict:
    """A published results dict: {ods: (n, answered, agree)} of trainees, one item."""
    return {
        "items": {
            "trainee": [["t_leader", "I consider myself a leader", "likert", "leadership"]],
            "supervisor": [],
        },
        "trusts": [[ods, ods] for ods in groups],
        "denominators": {},
        "groups": [
            ["trainee", breakdown, key, n, {"t_leader": [answered, agree]} if answered else {}]
            for ods, (n, answered, agree) in groups.items()
            for breakdown, key in (("trust", ods), ("grade", "ST5"), ("specialty", "medical"))
        ],
    }


class FakeRound:
    def __init__(self, data, threshold=10):
        self.results, self.threshold, self.slug, self.published_at = data, threshold, "r", True


def trusts_of(groups) -> dict:
    role = Results(FakeRound(_cells(groups))).by_role("trainee")
    return {g.key: g for g in role.breakdowns["trust"]}


def test_a_group_of_ten_is_hidden_and_of_eleven_shown():
    # E is hidden too, so that B need not be hidden to protect A.
    got = trusts_of(
        {"A": (10, 10, 5), "E": (3, 3, 1), "B": (11, 11, 6), "C": (30, 30, 20), "D": (40, 40, 10)}
    )
    assert got["A"].suppressed and got["A"].n is None and got["A"].items == {}
    assert not got["B"].suppressed and got["B"].items["t_leader"].agree == 6


def test_an_item_answered_by_ten_is_hidden_in_a_shown_group():
    got = trusts_of({"A": (20, 10, 5), "B": (20, 11, 6), "C": (30, 30, 20), "D": (30, 30, 20)})
    assert not got["A"].suppressed and got["A"].n == 20
    assert "t_leader" not in got["A"].items
    # …and the next smallest item is hidden with it, or A's answers would be the rest's.
    assert "t_leader" not in got["B"].items
    assert "t_leader" in got["C"].items and "t_leader" in got["D"].items


def test_one_hidden_group_takes_the_next_smallest_with_it():
    got = trusts_of({"A": (5, 5, 2), "B": (12, 12, 6), "C": (13, 13, 6), "D": (40, 40, 10)})
    assert got["A"].suppressed and got["B"].suppressed
    assert not got["C"].suppressed and not got["D"].suppressed


def test_two_hidden_groups_need_no_more():
    got = trusts_of({"A": (5, 5, 2), "B": (7, 7, 6), "C": (13, 13, 6), "D": (40, 40, 10)})
    assert [k for k, g in got.items() if g.suppressed] == ["A", "B"]


def test_hidden_groups_that_all_agree_take_one_more_with_them():
    # A and B hidden, both all-agree: the total minus C and D would say everyone in them agreed.
    got = trusts_of({"A": (5, 5, 5), "B": (7, 7, 7), "C": (13, 13, 6), "D": (40, 40, 10)})
    assert "t_leader" not in got["C"].items
    assert "t_leader" in got["D"].items


def test_complete_suppression_reaches_a_fixed_point_on_nested_equations():
    values = {"total": 30, "early": 20, "late": 10, "f1": 8, "f2": 12, "st4": 4, "st5": 6}
    equations = [("total", ["early", "late"]), ("early", ["f1", "f2"]), ("late", ["st4", "st5"])]
    hidden = complete_suppression(values, equations, {"st4"})
    for parent, children in equations:
        assert sum(m in hidden for m in (parent, *children)) != 1


@pytest.mark.django_db
def test_change_since_the_previous_round_is_flagged_only_when_the_interval_excludes_zero():
    trust = TrustFactory(ods_code="RK9")
    before = make_round([trust], name="Before", open_=False, year=2024)
    after = make_round([trust], name="After", open_=False, year=2025)
    add_responses(
        before,
        trust,
        "trainee",
        [{"t_leader": 2}] * 60 + [{"t_leader": 5}] * 40 + [{"t_need": 5}] * 50,
    )
    add_responses(
        after,
        trust,
        "trainee",
        [{"t_leader": 2}] * 30 + [{"t_leader": 5}] * 70 + [{"t_need": 5}] * 50,
    )
    publish(before)
    publish(after)
    from surveys.analysis import previous_round

    assert previous_round(after) == before
    changes = {c.code: c for c in Results(after, before).changes("trainee")}
    assert changes["t_leader"].difference == 30.0 and changes["t_leader"].flagged
    assert not changes["t_need"].flagged  # 100% both times: no change
