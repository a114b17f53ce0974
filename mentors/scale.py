"""National-scale data, the mentors part: CLM appointments with turnover and vacancies, closed
training years, and years of CLM activity (see trusts/scale.py for the shared machinery).

About four entries a year for each trainee in the Trust (2 million for 50,000 trainees over 10
years), each dated inside an appointment of its Trust and logged by that appointment's CLM; a
share names trainees, most carry GPC domains.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from django.utils import timezone

from trusts.demo import HOME_TRUST
from trusts.models import Membership, Role
from trusts.scale import ScaleContext

from .demo import FEW, FORMATS, MANY, MIXED, NOTES, OTHERS
from .models import Activity, Appointment, TrainingYear

ENTRIES_PER_TRAINEE_YEAR = 4
VACANT_SHARE = 0.06  # Trusts whose post is empty today
NAMED_SHARE = 0.3  # of the entries about "the few" that name trainees
GPC_SHARE = 0.7  # entries that record GPC domains
ONE_TO_ONE = {"roles_projects", "buddying", "workplace_learning", "safety_qi"}


def _segments(ctx: ScaleContext, ods: str) -> list[tuple[date, date | None]]:
    """The appointments' (start, end) in one Trust: turnover, gaps, perhaps vacant now."""
    rng = ctx.rng
    start = ctx.first_year + timedelta(days=rng.randint(0, 90))
    today = ctx.today
    turnovers = rng.choices([0, 1, 2], weights=[45, 40, 15])[0]
    span = (today - start).days
    cuts = sorted(rng.randint(span // 5, span - span // 5) for _ in range(turnovers))
    segments = []
    begin = start
    for cut in cuts:
        end = start + timedelta(days=cut)
        if end <= begin:
            continue
        segments.append((begin, end))
        begin = end + timedelta(days=rng.choice([1, 1, 30, 60, 120]))
    if begin >= today:
        begin = today - timedelta(days=30)
    vacant = ods != HOME_TRUST and rng.random() < VACANT_SHARE
    last_end = today - timedelta(days=rng.randint(30, 300)) if vacant else None
    if last_end is not None and last_end <= begin:
        last_end = None
    segments.append((begin, last_end))
    return segments


def stage_appointments(ctx: ScaleContext) -> None:
    """A CLM per Trust: the current post holder last, earlier holders before; some posts vacant."""
    appointments, memberships = [], []
    for trust in ctx.trust_rows:
        clms = ctx.people[trust["id"]]["clm"]  # current, then two former holders
        segments = _segments(ctx, trust["ods_code"])
        holders = list(reversed(clms[1 : len(segments)])) + [clms[0]]
        rows = []
        for (starts, ends), user_id in zip(segments, holders, strict=True):
            row = {
                "id": ctx.ids.take(Appointment),
                "user_id": user_id,
                "trust_id": trust["id"],
                "starts_on": starts,
                "ends_on": ends,
                "hours_per_week": ctx.rng.choice(["2.00"] * 8 + ["1.00", "4.00"]),
                "weekly_nudge": True,
            }
            rows.append(row)
        appointments += rows
        ctx.appointments[trust["id"]] = rows
        if rows[-1]["ends_on"] is None:
            memberships.append(
                {
                    "id": ctx.ids.take(Membership),
                    "user_id": clms[0],
                    "role": Role.CLM,
                    "trust_id": trust["id"],
                    "region_id": None,
                    "starts_on": None,
                    "ends_on": None,
                    "created_at": timezone.now(),
                }
            )
    ctx.writer.write(Appointment, appointments)
    ctx.writer.write(Membership, memberships)
    years = []
    start = ctx.first_year
    while start <= ctx.today:
        closed = start < ctx.this_year
        years.append(
            {
                "id": ctx.ids.take(TrainingYear),
                "starts_on": start,
                "closed_at": timezone.now() if closed else None,
                "closed_by_id": None,
            }
        )
        start = date(start.year + 1, 8, 1)
    ctx.writer.write(TrainingYear, years)
    ctx.counts["appointments"] = len(appointments)


def _weekdays(start: date, end: date) -> list[date]:
    days, day = [], start
    while day <= end:
        if day.weekday() < 5 and not (day.month == 12 and day.day > 22):
            days.append(day)
        day += timedelta(days=1)
    return days


def activity_entry(
    ctx: ScaleContext,
    rng,
    *,
    trust_id: int,
    appointment: dict,
    day: date,
    codes: list[str],
    code_weights: list[float],
    trainees: list[int],
    out: tuple[list, list, list],
) -> None:
    """One generated log entry of `appointment` on `day`, with the trainees it names and its
    GPC domains, appended to `out` (activity rows, named-trainee rows, domain rows)."""
    rows, named, domains = out
    code = rng.choices(codes, weights=code_weights)[0]
    fmt = rng.choice(FORMATS[code])
    reached = 0 if fmt == "admin" or code == "network" else rng.randint(1, 30)
    pk = ctx.ids.take(Activity)
    at = datetime.combine(day, time(8 + rng.randint(0, 9), rng.randint(0, 59)), UTC)
    rows.append(
        {
            "id": pk,
            "trust_id": trust_id,
            "appointment_id": appointment["id"],
            "logged_by_id": appointment["user_id"],
            "date": day,
            "responsibility": code,
            "format": fmt,
            "minutes": rng.choice([15, 30, 45, 60, 60, 90, 120, 180]),
            "trainees_reached": reached,
            "others_engaged": OTHERS.get(code, []),
            "notes": rng.choice(NOTES[code]),
            "created_at": at,
            "updated_at": at,
        }
    )
    if reached and code in ONE_TO_ONE and trainees and rng.random() < NAMED_SHARE:
        for user_id in rng.sample(trainees, k=min(len(trainees), rng.randint(1, 3))):
            named.append(
                {
                    "id": ctx.ids.take(Activity.trainees.through),
                    "activity_id": pk,
                    "user_id": user_id,
                }
            )
    if rng.random() < GPC_SHARE:
        chosen = {5} | ({6} if code == "safety_qi" else set())
        if fmt in ("teaching", "mentoring"):
            chosen.add(8)
        if rng.random() < 0.3:
            chosen.add(rng.randint(1, 9))
        for number in chosen:
            domains.append(
                {
                    "id": ctx.ids.take(Activity.gpc_domains.through),
                    "activity_id": pk,
                    "gpcdomain_id": number,
                }
            )


def stage_activity(ctx: ScaleContext) -> None:
    """Years of activity per Trust, generated and written a Trust at a time (bounded memory)."""
    rng = ctx.rng
    styles = [MANY, FEW, MIXED]
    Named = Activity.trainees.through
    Domains = Activity.gpc_domains.through
    total = 0
    for trust in ctx.progress(ctx.trust_rows, desc="activity", unit="Trust"):
        weights = styles[trust["id"] % 3]
        codes, code_weights = list(weights), list(weights.values())
        trainees = ctx.people[trust["id"]]["trainee"]
        rows, named, domains = [], [], []
        for appointment in ctx.appointments[trust["id"]]:
            end = min(appointment["ends_on"] or ctx.today, ctx.today)
            days = _weekdays(appointment["starts_on"], end)
            if not days:
                continue
            count = round(ENTRIES_PER_TRAINEE_YEAR * trust["size"] * len(days) / 255)
            for _ in range(count):
                activity_entry(
                    ctx,
                    rng,
                    trust_id=trust["id"],
                    appointment=appointment,
                    day=rng.choice(days),
                    codes=codes,
                    code_weights=code_weights,
                    trainees=trainees,
                    out=(rows, named, domains),
                )
        ctx.writer.write(Activity, rows)
        ctx.writer.write(Named, named)
        ctx.writer.write(Domains, domains)
        total += len(rows)
    ctx.counts["activities"] = total


def stages() -> list[tuple[str, object]]:
    return [("appointments", stage_appointments), ("activity", stage_activity)]
