"""Demo survey rounds: last training year's, closed and published, and this year's, open, with
the responses so far imported and published, so the results page shows figures, suppression
and the change since last year.

Answers are drawn (seeded, so the demo is the same every time) to land near the evaluation's
published "% agree" (../shared/DOMAIN.md "The surveys"); this year the Trust's and the CLM's
support (`t_support_trust`, `c_know`, `c_understand`, `c_supported`) is clearly higher, so the
change is flagged. Written with bulk_create rather than one answer at a time (no Participation
rows: imported responses have none). Idempotent: nothing happens if the demo rounds exist.
"""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, time, timedelta

from django.db import transaction

from mentors.models import training_year_start
from trusts.demo import ACUTE_SPECIALTIES, GRADE_WEIGHTS, MENTAL_HEALTH_SPECIALTIES
from trusts.models import Role, Trust

from .analysis import publish, round_items
from .models import Channel, ItemKind, Response, Round
from .services import round_create

# The evaluation's published % agree (yes/no items: % yes) by role and item code.
ACTIVITIES = {  # activity -> (trainees completed, trainees future interest, supervisors value)
    "qi": (80, 52, 91),
    "rca": (12, 40, 63),
    "mentoring": (36, 62, 60),
    "course": (38, 63, 63),
    "human_factors": (38, 45, 65),
    "qualification": (8, 54, 24),
    "shadow_management": (8, 44, 71),
    "shadow_clinical": (8, 48, 76),
    "management_role": (22, 28, 68),
    "online_course": (14, 33, 35),
    "online_resources": (7, 20, 30),
    "other": (11, 4, 4),
}
TARGETS: dict[str, dict[str, float]] = {
    Role.TRAINEE: {
        "t_leader": 78,
        "t_important": 94,
        "t_interested": 83,
        "t_senior": 38,
        "t_discussed_es": 51,
        "t_access": 65,
        "t_support_programme": 67,
        "t_support_trust": 54,
        "t_env_varies": 86,
        "t_need": 92,
        "c_know": 49,
        "c_understand": 31,
        "c_supported": 33,
        **{f"done_{a}": done for a, (done, _, _) in ACTIVITIES.items()},
        **{f"interest_{a}": interest for a, (_, interest, _) in ACTIVITIES.items()},
    },
    Role.SUPERVISOR: {
        "e_important": 98,
        "e_all_years": 89,
        "e_senior_only": 26,
        "e_discuss": 82,
        "e_knowledge": 70,
        "e_skills": 74,
        "e_opportunities": 53,
        "e_gpc_ready": 34,
        "c_know": 55,
        "c_understand": 39,
        "c_supported": 40,
        **{f"value_{a}": value for a, (_, _, value) in ACTIVITIES.items()},
        "u_projects": 93,
        "u_roles": 95,
        "u_shadowing": 93,
        "u_induction": 92,
        "u_develop": 96,
        "u_senior_meetings": 92,
        "u_fora": 90,
    },
}
# The items the programme works on: this year's figures are this much higher (points).
IMPROVED = ("t_support_trust", "c_know", "c_understand", "c_supported")
IMPROVEMENT = 15
# "I consider myself a leader" by stage, as published (early 70%, late 87%).
LEADER_BY_STAGE = {"early": 70, "late": 87}
EARLY = {"F1", "F2", "CT1", "CT2", "CT3", "ST1", "ST2", "ST3"}
LATE = {"ST4", "ST5", "ST6", "ST7", "ST8"}
BLANK = 0.03  # the share of items left unanswered

# Last year's responses per Trust: (trainees, supervisors), within the demo's people in each
# Trust (trusts/demo.py) so that response rates stay under 100%. Some Trusts have more than
# 10 (their figures are shown), some 1 to 10 (suppressed); RA4, RH5 and RTQ did not take part.
LAST_YEAR = {
    "REF": (17, 6),
    "RK9": (30, 12),
    "RA9": (14, 5),
    "RH8": (24, 9),
    "RBZ": (6, 2),
    "RBA": (16, 5),
    "RD1": (13, 4),
    "RNZ": (8, 3),
    "RN3": (11, 4),
    "RTE": (22, 11),
    "RVJ": (25, 11),
    "RA7": (34, 14),
    "RA3": (3, 1),
    "RJ8": (5, 2),
    "RWV": (7, 3),
    "RVN": (6, 2),
}
SO_FAR = 0.9  # this year's round is still open: about 90% of last year's responses so far


def round_name(year: int) -> str:
    return f"Leadership survey {year}/{(year + 1) % 100:02d}"


def round_slug(year: int) -> str:
    return f"leadership-{year}"


def stage_of(grade: str) -> str:
    return "early" if grade in EARLY else "late" if grade in LATE else "other"


def targets_for(role: str, *, improvement: float = 0.0) -> dict[str, float]:
    """The role's % agree per item, with `improvement` points added to the IMPROVED items."""
    found = dict(TARGETS[role])
    for code in IMPROVED:
        if code in found:
            found[code] = min(97.0, found[code] + improvement)
    return found


def plan(items, targets: dict[str, float]) -> list[tuple[str, bool, float]]:
    """(code, is_likert, probability of agreeing) for each of a role's items, in order."""
    return [
        (item.code, item.kind == ItemKind.LIKERT, targets.get(item.code, 50) / 100)
        for item in items
    ]


def draw_group(
    rng: random.Random,
    planned: list[tuple[str, bool, float]],
    n: int,
    shifts: list[dict[str, float]] | None = None,
) -> list[dict[str, int]]:
    """The answers of a group of `n` respondents (a Trust's trainees, say): each item agrees
    with its probability (Likert 4–6, else 1–3; yes/no 1, else 0), drawn stratified, so that
    the group's share agreeing is within an answer or so of it rather than left to chance;
    about BLANK of the items are left out. `shifts[j]` moves respondent j's probabilities
    (a Trust's or a stage's difference), in proportions."""
    columns = []
    for _ in planned:
        column = [(i + rng.random()) / n for i in range(n)]
        rng.shuffle(column)
        columns.append(column)
    group = []
    for j in range(n):
        shift = shifts[j] if shifts else None
        answers = {}
        for (code, likert, p), column in zip(planned, columns, strict=True):
            if rng.random() < BLANK:
                continue
            u = column[j]
            if shift and code in shift:
                p = min(0.99, max(0.01, p + shift[code]))
            if likert:
                answers[code] = 4 + int(3 * u / p) if u < p else 1 + int(3 * (u - p) / (1 - p))
            else:
                answers[code] = 1 if u < p else 0
        group.append(answers)
    return group


def draw_grade(rng: random.Random) -> str:
    return rng.choices(list(GRADE_WEIGHTS), weights=list(GRADE_WEIGHTS.values()))[0]


def draw_specialty(rng: random.Random, trust_kind: str) -> str:
    weights = MENTAL_HEALTH_SPECIALTIES if trust_kind == "mental_health" else ACUTE_SPECIALTIES
    if rng.random() < 0.02:
        return ""  # not given
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def trust_shift(ods: str) -> float:
    """A Trust's own difference in "supported by the Trust" (the evaluation: 36% to 64% across
    the Trusts with more than 10 responses), the same every year."""
    return random.Random(f"trust-support-{ods}").uniform(-0.12, 0.12)


def leader_shift(grade: str) -> float:
    """ "I consider myself a leader" by stage, as published, as a shift from the whole."""
    stage = stage_of(grade)
    if stage not in LEADER_BY_STAGE:
        return 0.0
    return (LEADER_BY_STAGE[stage] - TARGETS[Role.TRAINEE]["t_leader"]) / 100


def _responses(
    round_: Round, trusts: list[Trust], counts, *, improvement: float, channels, seed: str
) -> list[Response]:
    rng = random.Random(seed)
    items = round_items(round_)
    planned = {
        role: plan(items[role], targets_for(role, improvement=improvement)) for role in items
    }
    made = []
    for trust in trusts:
        trainees, supervisors = counts(trust.ods_code)
        support = trust_shift(trust.ods_code)
        grades = [draw_grade(rng) for _ in range(trainees)]
        shifts = [{"t_support_trust": support, "t_leader": leader_shift(g)} for g in grades]
        for grade, answers in zip(
            grades, draw_group(rng, planned[Role.TRAINEE], trainees, shifts), strict=True
        ):
            made.append(
                Response(
                    round=round_,
                    trust=trust,
                    role=Role.TRAINEE,
                    grade=grade,
                    specialty=draw_specialty(rng, trust.kind),
                    channel=rng.choice(channels),
                    answers=answers,
                )
            )
        for answers in draw_group(rng, planned[Role.SUPERVISOR], supervisors):
            made.append(
                Response(
                    round=round_,
                    trust=trust,
                    role=Role.SUPERVISOR,
                    grade="",
                    specialty="",
                    channel=rng.choice(channels),
                    answers=answers,
                )
            )
    return made


@transaction.atomic
def seed_surveys(*, today: date, only: list[str] | None = None) -> int:
    """Last year's round (closed, published) and this year's (open, imported responses so far,
    published), with responses from the Trusts in LAST_YEAR (those with ODS codes `only`, if
    given). Does nothing if either round exists; returns how many responses were added."""
    start = training_year_start(today)
    this_year, last_year = start.year, start.year - 1
    if Round.objects.filter(slug__in=[round_slug(this_year), round_slug(last_year)]).exists():
        return 0
    every_trust = list(Trust.objects.order_by("ods_code"))
    responding = [t for t in every_trust if t.ods_code in LAST_YEAR]
    if only is not None:
        responding = [t for t in responding if t.ods_code in only]

    before = round_create(
        by=None,
        name=round_name(last_year),
        slug=round_slug(last_year),
        year=last_year,
        opens_on=date(last_year, 10, 1),
        closes_on=date(last_year, 11, 30),
        trusts=every_trust,
    )
    before.closed_at = datetime.combine(before.closes_on, time(17), UTC)
    before.save(update_fields=["closed_at"])
    now = round_create(
        by=None,
        name=round_name(this_year),
        slug=round_slug(this_year),
        year=this_year,
        opens_on=start,
        closes_on=today + timedelta(days=60),
        trusts=every_trust,
    )

    def last_counts(ods: str) -> tuple[int, int]:
        return LAST_YEAR[ods]

    def so_far(ods: str) -> tuple[int, int]:
        trainees, supervisors = LAST_YEAR[ods]
        return max(1, round(SO_FAR * trainees)), max(1, round(SO_FAR * supervisors))

    added = 0
    for round_, counts, improvement, channels in (
        (
            before,
            last_counts,
            0.0,
            [Channel.HOME, Channel.HOME, Channel.TRUST_LINK, Channel.PERSONAL_LINK],
        ),
        (now, so_far, IMPROVEMENT, [Channel.IMPORT]),
    ):
        made = _responses(
            round_,
            responding,
            counts,
            improvement=improvement,
            channels=channels,
            seed=f"surveys-demo-{round_.year}",
        )
        Response.objects.bulk_create(made, batch_size=2000)
        publish(round_)
        added += len(made)
    return added
