"""National-scale data, the surveys part: 6 responses per trainee in all (300,000 for 50,000
trainees) in one round per training year for the last 10 years (or `--years`, if fewer), over
every Trust, each round published at the end (one aggregate query per round).

Past rounds are closed; this year's is open, its responses so far imported. Responses are
spread over the Trusts by size, two trainees to one supervisor, with answers drawn as in the
demo (surveys/demo.py): near the evaluation's figures, and the items the programme works on
rising a little every year. RK9, the Trust the benchmark signs in to, answers every round.
Written with COPY in batches of 5,000, generated batch by batch to keep memory low.
"""

from __future__ import annotations

import random
import uuid
from collections.abc import Iterator
from datetime import UTC, date, datetime, time, timedelta

from trusts.demo import HOME_TRUST
from trusts.models import Role, Trust
from trusts.scale import BulkWriter, ScaleContext

from .analysis import publish, round_items
from .demo import (
    IMPROVEMENT,
    draw_grade,
    draw_group,
    draw_specialty,
    leader_shift,
    plan,
    round_name,
    round_slug,
    targets_for,
    trust_shift,
)
from .models import Channel, Response, Round
from .services import round_create

RESPONSES_PER_TRAINEE = 6  # over all the rounds
ROUNDS = 10
MIN_PER_ROUND = 10
TRAINEE_SHARE = 2 / 3
BATCH = 5_000
PAST_CHANNELS = [Channel.HOME, Channel.HOME, Channel.TRUST_LINK, Channel.PERSONAL_LINK]


def _split(total: int, weights: list[int]) -> list[int]:
    """`total` split in proportion to `weights` (largest remainders), summing to `total`."""
    whole = sum(weights) or 1
    exact = [total * w / whole for w in weights]
    counts = [int(x) for x in exact]
    by_remainder = sorted(range(len(weights)), key=lambda i: exact[i] - counts[i], reverse=True)
    for i in by_remainder[: total - sum(counts)]:
        counts[i] += 1
    return counts


def _rows(ctx: ScaleContext, round_: Round, per_trust: list[int], progress: float, rng):
    """The round's responses as COPY rows, one Trust at a time."""
    items = round_items(round_)
    planned = {
        role: plan(items[role], targets_for(role, improvement=IMPROVEMENT * progress))
        for role in items
    }
    closed = round_.closed_at is not None
    for trust, count in zip(ctx.trust_rows, per_trust, strict=True):
        trainees = round(count * TRAINEE_SHARE)
        support = trust_shift(trust["ods_code"])
        grades = [draw_grade(rng) for _ in range(trainees)]
        shifts = [{"t_support_trust": support, "t_leader": leader_shift(g)} for g in grades]
        groups = (
            (Role.TRAINEE, grades, draw_group(rng, planned[Role.TRAINEE], trainees, shifts)),
            (
                Role.SUPERVISOR,
                [""] * (count - trainees),
                draw_group(rng, planned[Role.SUPERVISOR], count - trainees),
            ),
        )
        for role, role_grades, answers in groups:
            trainee = role == Role.TRAINEE
            for grade, answer in zip(role_grades, answers, strict=True):
                yield {
                    "id": uuid.UUID(int=rng.getrandbits(128), version=4),
                    "round_id": round_.pk,
                    "trust_id": trust["id"],
                    "role": role,
                    "grade": grade,
                    "specialty": draw_specialty(rng, trust["kind"]) if trainee else "",
                    "channel": rng.choice(PAST_CHANNELS) if closed else Channel.IMPORT,
                    "answers": answer,
                }


def _batches(rows, size: int) -> Iterator[list[dict]]:
    batch = []
    for row in rows:
        batch.append(row)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def stage_surveys(ctx: ScaleContext) -> None:
    rng = random.Random(f"surveys-scale-{ctx.today.isoformat()}")
    # A writer of its own: Response's keys are UUIDs, with no sequence for reset_sequences.
    writer = BulkWriter()
    count = min(ROUNDS, ctx.years)
    per_round = max(MIN_PER_ROUND, round(RESPONSES_PER_TRAINEE * ctx.trainees) // count)
    trusts = Trust.objects.filter(pk__in=[t["id"] for t in ctx.trust_rows])
    sizes = [t["size"] for t in ctx.trust_rows]
    home = next((i for i, t in enumerate(ctx.trust_rows) if t["ods_code"] == HOME_TRUST), None)
    this_year = ctx.this_year.year
    rounds = []
    for k, year in enumerate(range(this_year - count + 1, this_year + 1)):
        current = year == this_year
        round_ = round_create(
            by=None,
            name=round_name(year),
            slug=round_slug(year),
            year=year,
            opens_on=ctx.this_year if current else date(year, 10, 1),
            closes_on=ctx.today + timedelta(days=60) if current else date(year, 11, 30),
            trusts=trusts,
        )
        if not current:
            round_.closed_at = datetime.combine(round_.closes_on, time(17), UTC)
            round_.save(update_fields=["closed_at"])
        rounds.append((round_, k / max(1, count - 1)))
    written = 0
    for round_, progress in ctx.progress(rounds, desc="surveys", unit="round"):
        per_trust = _split(per_round, sizes)
        if home is not None and per_trust[home] == 0:  # RK9 answers every round
            donor = max(range(len(per_trust)), key=per_trust.__getitem__)
            per_trust[donor] -= 1
            per_trust[home] += 1
        for batch in _batches(_rows(ctx, round_, per_trust, progress, rng), BATCH):
            written += writer.write(Response, batch)
    for round_, _ in rounds:
        # A fresh copy each, let go after: a published round holds its figures (megabytes).
        publish(Round.objects.get(pk=round_.pk))
    ctx.counts["survey rounds"] = len(rounds)
    ctx.counts["survey responses"] = written


def stages() -> list[tuple[str, object]]:
    return [("surveys", stage_surveys)]
