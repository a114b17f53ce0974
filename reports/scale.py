"""National-scale data, the reports part: a report window for every training year, each
Trust's year-end reports (about nine in ten submitted, most of them accepted, some late, a few
awaiting review or returned; the rest never started), drafts for this year, and the regional
figures of every year (see trusts/scale.py for the shared machinery).

A submitted report's snapshot has the shape of `content.report_content`, built for every Trust
of a year at once from grouped queries (`contents_for_year`, a fixed number of queries however
many Trusts) with the figures as they stood when it was submitted: entries logged after it are
left out, so that "changed since submission" counts just those.

RK9, the Trust the benchmark signs in to, gets enough entries in the last complete training
year for the issue's goal of one Trust's report of 25,000 entries (in proportion to
`--trainees` below the national 50,000), each inside an appointment of RK9 and logged by its
CLM, as the mentors stage writes them.
"""

from __future__ import annotations

import random
import sys
import time as clock
from collections import defaultdict
from datetime import UTC, date, datetime, time, timedelta
from functools import reduce
from operator import or_

from django.db.models import Count, Q, Sum
from django.utils import timezone

from mentors.demo import FEW, MANY, MIXED, NOTES
from mentors.models import (
    RESPONSIBILITY_DESCRIPTIONS,
    Activity,
    Appointment,
    CaseStudy,
    Responsibility,
)
from mentors.scale import _weekdays, activity_entry
from mentors.selectors import allocation_between
from opportunities.fairness import TAKEN, gini, offer_counts, place_counts, top_tenth_share
from opportunities.models import Application, ApplicationStatus, Kind
from surveys.analysis import Results
from surveys.models import Round
from trusts.demo import HOME_TRUST
from trusts.models import Membership, Role, Trust, User
from trusts.scale import ScaleContext

from .content import ROLE_LABELS, SURVEY_HEADLINES, _hours, _share
from .denominators import denominators, portal_counts
from .models import ReportStatus, ReportWindow, TraineeCount, YearEndReport, year_label
from .regional import (
    opportunities_by_trust,
    reach_by_trust,
    regional_snapshot,
    year_bounds,
    year_moments,
)

NATIONAL_TRAINEES = 50_000
HOME_TRUST_ENTRIES = 25_000  # RK9's entries in the last complete year, at 50,000 trainees
NOT_STARTED = 0.10  # of the past years' reports (RK9 always reports)
LATE = 0.08  # submitted after the due date
RETURNED = 0.02  # returned by the deanery, not yet resubmitted
AWAITING = 0.10  # the last complete year's submitted reports still to be reviewed
RESUBMITTED = 0.05  # accepted reports that were returned once first
DRAFTS = 0.85  # this year's Trusts with a draft started
BATCH = 5_000
STYLES = [MANY, FEW, MIXED]  # as the mentors stage picks them, by Trust id
RETURN_REASONS = [
    "Please say more about the trainees reached through the forum: the figures and the "
    "words do not match.",
    "The buddying section says nothing was done, but the log shows shadowing days.",
    "Please add the year in brief, and what you plan for next year.",
]
OVERVIEWS = [
    "The programme grew this year, above all through induction and the trainees' forum.",
    "A year of consolidation: fewer events, more one-to-one work with trainees on projects.",
    "Vacancies in the medical education team slowed the first term; the second made up.",
    "Quality improvement was the focus, with the Trust QI lead and the governance team.",
]


# --- RK9's big year ---------------------------------------------------------------------------


def stage_home_trust_year(ctx: ScaleContext) -> None:
    """Top RK9's last complete training year up to the benchmark's 25,000 entries."""
    home = next((t for t in ctx.trust_rows if t["ods_code"] == HOME_TRUST), None)
    year = ctx.this_year.year - 1
    if home is None or year < ctx.first_year.year:
        return
    target = round(HOME_TRUST_ENTRIES * ctx.trainees / NATIONAL_TRAINEES)
    start, end = year_bounds(year)
    have = Activity.objects.filter(trust_id=home["id"], date__gte=start, date__lte=end).count()
    days = []
    for appointment in ctx.appointments[home["id"]]:
        last = min(end, appointment["ends_on"] or ctx.today, ctx.today - timedelta(days=1))
        first = max(start, appointment["starts_on"])
        days += [(day, appointment) for day in _weekdays(first, last)]
    if target <= have or not days:
        return
    rng = random.Random(f"reports-home-{ctx.today.isoformat()}")
    weights = STYLES[home["id"] % len(STYLES)]
    codes, code_weights = list(weights), list(weights.values())
    trainees = ctx.people[home["id"]]["trainee"]
    Named = Activity.trainees.through
    Domains = Activity.gpc_domains.through
    missing = target - have
    while missing > 0:
        rows, named, domains = [], [], []
        for _ in range(min(BATCH, missing)):
            day, appointment = rng.choice(days)
            activity_entry(
                ctx,
                rng,
                trust_id=home["id"],
                appointment=appointment,
                day=day,
                codes=codes,
                code_weights=code_weights,
                trainees=trainees,
                out=(rows, named, domains),
            )
        ctx.writer.write(Activity, rows)
        ctx.writer.write(Named, named)
        ctx.writer.write(Domains, domains)
        missing -= len(rows)
        ctx.counts["activities"] = ctx.counts.get("activities", 0) + len(rows)


# --- The report's figures for many Trusts at once ---------------------------------------------


def _as_of(ids: list[int], submitted: dict, prefix: str = "") -> Q:
    """The Trusts' rows, each only up to its submission (rows created later are left out)."""
    terms = [
        Q(**{f"{prefix}trust_id": pk, f"{prefix}created_at__lte": submitted[pk]})
        for pk in ids
        if pk in submitted
    ]
    live = [pk for pk in ids if pk not in submitted]
    if live or not terms:
        terms.append(Q(**{f"{prefix}trust_id__in": live}))
    return reduce(or_, terms)


def _fair_access(ids: list[int], year: int) -> dict[int, dict]:
    """`opportunities.fairness.fair_access`'s figures that a report shows, for every Trust:
    three grouped queries instead of four queries a Trust."""
    begins, ends = year_moments(year)
    in_year = Q(
        user__applications__status=ApplicationStatus.COMPLETED,
        user__applications__completed_at__gte=begins,
        user__applications__completed_at__lt=ends,
    )
    counts: dict[int, list[int]] = defaultdict(list)
    for trust_id, done in (
        Membership.objects.filter(trust_id__in=ids, role=Role.TRAINEE)
        .annotate(done=Count("user__applications", filter=in_year))
        .values_list("trust_id", "done")
        .order_by()
    ):
        counts[trust_id].append(done)
    decided = Application.objects.filter(
        opportunity__trust_id__in=ids, decided_at__gte=begins, decided_at__lt=ends
    )
    offers = {
        (trust_id, first): (n, offered)
        for trust_id, first, n, offered in decided.values("opportunity__trust_id", "first_timer")
        .annotate(**offer_counts())
        .values_list("opportunity__trust_id", "first_timer", "n", "offered")
        .order_by()
    }
    taken = {
        trust_id: (total, invited)
        for trust_id, total, invited in decided.filter(status__in=TAKEN)
        .values("opportunity__trust_id")
        .annotate(**place_counts())
        .values_list("opportunity__trust_id", "total", "invited")
        .order_by()
    }
    found = {}
    for pk in ids:
        done = counts.get(pk, [])
        top = top_tenth_share(done)
        first_n, first_offered = offers.get((pk, True), (0, 0))
        placed_n, placed_offered = offers.get((pk, False), (0, 0))
        total, invited = taken.get(pk, (0, 0))
        found[pk] = {
            "trainees": len(done),
            "experiences": sum(done),
            "coverage": _share(sum(1 for n in done if n), len(done)),
            "gini": gini(done),
            "top_tenth": _share(top.part, top.whole) if top else None,
            "first_timers": _share(first_offered, first_n),
            "already_placed": _share(placed_offered, placed_n),
            "by_invitation": _share(invited, total),
        }
    return found


def _survey_headlines(year: int, trusts: list[Trust]) -> dict[int, dict]:
    """`content._survey_headlines` for every Trust, from one reading of the round's results."""
    survey = Round.objects.published().filter(year=year).order_by("-opens_on").first()
    if survey is None:
        empty = {"round": None, "name": None, "items": [], "why_empty": "no published round"}
        return {t.pk: dict(empty) for t in trusts}
    summary = Results(survey).summary()
    found = {}
    for trust in trusts:
        mine = summary["by_trust"].get(trust.ods_code, {})
        items = []
        for role, code, text in SURVEY_HEADLINES:
            figure = mine.get(role, {}).get("items", {}).get(code)
            region = summary["by_role"].get(role, {}).get(code)
            if figure is None:
                continue
            items.append(
                {
                    "role": role,
                    "role_label": ROLE_LABELS[role],
                    "code": code,
                    "text": text,
                    "answered": figure["answered"],
                    "agree": figure["agree"],
                    "percent": figure["percent_agree"],
                    "ci_low": figure["ci_low"],
                    "ci_high": figure["ci_high"],
                    "region_percent": region["percent_agree"] if region else None,
                }
            )
        why = "" if items else "too few responses from the Trust to show (fewer than 11)"
        found[trust.pk] = {
            "round": survey.slug,
            "name": survey.name,
            "items": items,
            "why_empty": why,
        }
    return found


def contents_for_year(
    *,
    year: int,
    trusts: list[Trust],
    submitted: dict[int, datetime] | None = None,
    today: date | None = None,
) -> dict[int, dict]:
    """`content.report_content` of each of `trusts` for the training year, by Trust id, from
    grouped queries over them all: as each stood when it was submitted (`submitted`: Trust id
    -> the moment; entries and case studies added later left out), otherwise as of `today`."""
    today = today or timezone.localdate()
    submitted = submitted or {}
    start, end = year_bounds(year)
    ids = [t.pk for t in trusts]
    prepared = {
        pk: timezone.localtime(submitted[pk]).date() if pk in submitted else today for pk in ids
    }
    activities = Activity.objects.filter(_as_of(ids, submitted), date__gte=start, date__lte=end)
    totals: dict[int, dict[str, dict]] = defaultdict(dict)
    for row in (
        activities.values("trust_id", "responsibility")
        .annotate(entries=Count("pk"), minutes=Sum("minutes"), contacts=Sum("trainees_reached"))
        .order_by()
    ):
        totals[row["trust_id"]][row["responsibility"]] = row
    links = Activity.trainees.through.objects.filter(
        _as_of(ids, submitted, "activity__"),
        activity__date__gte=start,
        activity__date__lte=end,
    )
    named: dict[int, dict[str, int]] = defaultdict(dict)
    for trust_id, code, n in (
        links.values("activity__trust_id", "activity__responsibility")
        .annotate(n=Count("user_id", distinct=True))
        .values_list("activity__trust_id", "activity__responsibility", "n")
        .order_by()
    ):
        named[trust_id][code] = n
    named_overall = dict(
        links.values("activity__trust_id")
        .annotate(n=Count("user_id", distinct=True))
        .values_list("activity__trust_id", "n")
        .order_by()
    )
    initiatives: dict[int, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    for trust_id, code, title in (
        activities.filter(opportunity__isnull=False)
        .values_list("trust_id", "responsibility", "opportunity__title")
        .distinct()
        .order_by("trust_id", "responsibility", "opportunity__title")
    ):
        initiatives[trust_id][code].append(title)
    begins, ends = year_moments(year)
    studies: dict[int, dict[str, list[dict]]] = defaultdict(lambda: defaultdict(list))
    for trust_id, pk, title, code in (
        CaseStudy.objects.filter(
            _as_of(ids, submitted), created_at__gte=begins, created_at__lt=ends
        )
        .order_by("title")
        .values_list("trust_id", "pk", "title", "responsibility")
    ):
        studies[trust_id][code].append({"id": pk, "title": title})
    appointments: dict[int, list[Appointment]] = defaultdict(list)
    for appointment in (
        Appointment.objects.filter(trust_id__in=ids).overlapping(start, end).select_related("user")
    ):
        appointments[appointment.trust_id].append(appointment)
    # Each Trust's denominator as it was on the day its report was prepared: two small
    # queries per distinct day.
    by_day: dict[date, list[int]] = defaultdict(list)
    for pk in ids:
        by_day[prepared[pk]].append(pk)
    denominator = {}
    for day, group in by_day.items():
        denominator.update(denominators(year=year, trust_ids=group, today=day))
    reach = reach_by_trust(ids, start, end)
    opportunities = opportunities_by_trust(ids, year)
    access = _fair_access(ids, year)
    survey = _survey_headlines(year, trusts)
    labels = dict(Kind.choices)
    found = {}
    for trust in trusts:
        pk = trust.pk
        until = min(end, prepared[pk])
        mine = appointments.get(pk, [])
        allocation = allocation_between(mine, start, until) if until >= start else 0
        sections = []
        for code, label in Responsibility.choices:
            row = totals[pk].get(code, {})
            sections.append(
                {
                    "code": code,
                    "label": str(label),
                    "description": RESPONSIBILITY_DESCRIPTIONS[code],
                    "activities": row.get("entries", 0),
                    "hours": _hours(row.get("minutes")),
                    "named_trainees": named[pk].get(code, 0),
                    "contacts": row.get("contacts") or 0,
                    "initiatives": initiatives[pk].get(code, []),
                    "case_studies": studies[pk].get(code, []),
                    "nothing_logged": not row.get("entries"),
                }
            )
        hours = round(sum(s["hours"] for s in sections), 2)
        trainees = denominator[pk]
        kinds = opportunities.get(pk, {})
        by_kind = [
            {"kind": kind, "label": str(labels.get(kind, kind)), **figures}
            for kind, figures in sorted(kinds.items(), key=lambda kv: str(labels.get(kv[0], kv[0])))
        ]
        found[pk] = {
            "trust": {"ods": trust.ods_code, "name": trust.name, "kind": trust.get_kind_display()},
            "year": year,
            "label": year_label(year),
            "period": {
                "start": start.isoformat(),
                "end": end.isoformat(),
                "until": until.isoformat(),
            },
            "prepared_on": prepared[pk].isoformat(),
            "clms": [
                {
                    "name": a.user.name or a.user.email,
                    "from": max(a.starts_on, start).isoformat(),
                    "to": min(a.ends_on, end).isoformat() if a.ends_on else None,
                    "hours_per_week": float(a.hours_per_week),
                }
                for a in sorted(mine, key=lambda a: a.starts_on)
            ],
            "hours": hours,
            "allocation_hours": float(allocation),
            "multiple": round(hours / float(allocation), 1) if allocation else None,
            "entries": sum(s["activities"] for s in sections),
            "trainees": trainees.as_dict() | {"says": trainees.says},
            "named_trainees": named_overall.get(pk, 0),
            "reach": _share(min(reach.get(pk, 0), trainees.trainees), trainees.trainees),
            "contacts": sum(s["contacts"] for s in sections),
            "responsibilities": sections,
            "opportunities": {
                "by_kind": by_kind,
                "offered": sum(k["offered"] for k in by_kind),
                "places": sum(k["places"] for k in by_kind),
                "filled": sum(k["filled"] for k in by_kind),
                "applications": sum(k["applications"] for k in by_kind),
            },
            "fair_access": access[pk],
            "survey": survey[pk],
        }
    return found


# --- The reports --------------------------------------------------------------------------------


def _in_post(appointments: list[dict], day: date) -> dict | None:
    for appointment in appointments:
        if appointment["starts_on"] <= day and (
            appointment["ends_on"] is None or day <= appointment["ends_on"]
        ):
            return appointment
    return None


def _moment(rng: random.Random, day: date) -> datetime:
    return datetime.combine(day, time(rng.randint(9, 16), rng.randint(0, 59)), UTC)


def _plan(
    rng: random.Random,
    appointments: list[dict],
    year: int,
    *,
    home: bool,
    last: bool,
    now: datetime,
) -> dict | None:
    """Who submitted the Trust's report for a past year and when, and what the deanery did;
    None for a report never started (or with no CLM in post to submit it)."""
    if not home and rng.random() < NOT_STARTED:
        return None
    due = date(year + 1, 7, 31)
    for _ in range(5):
        if rng.random() < LATE:
            day = due + timedelta(days=rng.randint(1, 45))
        else:
            day = due - timedelta(days=round(rng.triangular(0, 60, 2)))
        clm = _in_post(appointments, day)
        if clm is not None and day < now.date():
            break
    else:
        return None
    first = submitted = _moment(rng, day)
    draw = rng.random()
    returned_at = accepted_at = None
    if draw < RETURNED:
        status = ReportStatus.RETURNED
        returned_at = submitted + timedelta(days=rng.randint(3, 21))
    elif last and draw < RETURNED + AWAITING:
        status = ReportStatus.SUBMITTED
    else:
        status = ReportStatus.ACCEPTED
        if rng.random() < RESUBMITTED:
            returned_at = first + timedelta(days=rng.randint(3, 14))
            again = returned_at + timedelta(days=rng.randint(2, 10))
            if _in_post(appointments, again.date()) is clm:
                submitted = again
            else:
                returned_at = None
        accepted_at = submitted + timedelta(days=rng.randint(3, 40), hours=rng.randint(0, 6))
    # Nothing happens after now (a seed run soon after a due date).
    if submitted >= now:
        submitted, returned_at = first, None
    if accepted_at is not None and accepted_at >= now:
        status, accepted_at = ReportStatus.SUBMITTED, None
    if status == ReportStatus.RETURNED and returned_at >= now:
        status, returned_at = ReportStatus.SUBMITTED, None
    return {
        "clm": clm,
        "status": status,
        "first_submitted_at": first,
        "submitted_at": submitted,
        "returned_at": returned_at,
        "accepted_at": accepted_at,
    }


def _words(rng: random.Random, section: dict) -> str:
    text = f"{rng.choice(NOTES[section['code']])} In all, {section['activities']} activities"
    text += f" and {section['hours']:,g} hours this year"
    if section["contacts"]:
        text += f", with {section['contacts']:,} contacts with trainees"
    return text + "."


def _narratives(rng: random.Random, content: dict) -> dict:
    """A CLM's words per section: "nothing this year" where nothing was logged."""
    return {
        s["code"]: (
            {"text": _words(rng, s), "nothing": False}
            if s["activities"]
            else {"text": "", "nothing": True}
        )
        for s in content["responsibilities"]
    }


def _overview(rng: random.Random, content: dict) -> str:
    return (
        f"{content['entries']:,} activities over {content['hours']:,g} hours, against an "
        f"allocation of {content['allocation_hours']:,g} hours. {rng.choice(OVERVIEWS)}"
    )


def _row(ctx: ScaleContext, trust_id: int, year: int, **fields) -> dict:
    row = {
        "id": ctx.ids.take(YearEndReport),
        "trust_id": trust_id,
        "year": year,
        "status": ReportStatus.DRAFT,
        "narratives": {},
        "overview": "",
        "snapshot": None,
        "snapshot_entries": 0,
        "submitted_at": None,
        "submitted_by_id": None,
        "first_submitted_at": None,
        "returned_at": None,
        "returned_by_id": None,
        "return_reason": "",
        "accepted_at": None,
        "accepted_by_id": None,
        "updated_at": None,
        "updated_by_id": None,
    }
    row.update(fields)
    return row


def stage_reports(ctx: ScaleContext) -> None:
    """A window per year; past years' reports with their snapshots; this year's drafts."""
    # Planner statistics for the tables written so far (ANALYZE, with the sequences moved
    # on): the transaction is not committed, so autovacuum has not seen them, and without
    # statistics the grouped queries over them take seconds instead of milliseconds.
    ctx.writer.reset_sequences()
    rng = random.Random(f"reports-scale-{ctx.today.isoformat()}")
    now = timezone.now()
    this_year = ctx.this_year.year
    years = range(ctx.first_year.year, this_year + 1)
    ReportWindow.objects.bulk_create(
        [ReportWindow(year=y, opens_on=date(y + 1, 6, 1), due_on=date(y + 1, 7, 31)) for y in years]
    )
    ids = [t["id"] for t in ctx.trust_rows]
    trusts = {t.pk: t for t in Trust.objects.filter(pk__in=ids)}
    # What the hourly job would have stored: each past year's last portal count of trainees.
    live = portal_counts(ids)
    TraineeCount.objects.bulk_create(
        [
            TraineeCount(
                trust_id=pk,
                year=y,
                trainees=live.get(pk, 0),
                source=TraineeCount.Source.PORTAL,
                counted_on=date(y + 1, 7, 31),
            )
            for y in years[:-1]
            for pk in ids
        ],
        batch_size=2000,
    )
    region_of = {pk: t.region_id for pk, t in trusts.items()}
    deanery = dict(Membership.objects.filter(role=Role.DEANERY).values_list("region_id", "user_id"))
    clm_ids = {a["user_id"] for rows in ctx.appointments.values() for a in rows}
    names = {
        pk: name or email
        for pk, name, email in User.objects.filter(pk__in=clm_ids).values_list(
            "pk", "name", "email"
        )
    }
    written = 0
    for year in ctx.progress(years[:-1], desc="year-end reports", unit="year"):
        expected = set(
            Trust.objects.open_on(year_bounds(year)[1])
            .filter(pk__in=ids)
            .values_list("pk", flat=True)
        )
        plans = {}
        for t in ctx.trust_rows:
            if t["id"] not in expected:
                continue
            plan = _plan(
                rng,
                ctx.appointments[t["id"]],
                year,
                home=t["ods_code"] == HOME_TRUST,
                last=year == this_year - 1,
                now=now,
            )
            if plan is not None:
                plans[t["id"]] = plan
        contents = contents_for_year(
            year=year,
            trusts=[trusts[pk] for pk in plans],
            submitted={pk: p["submitted_at"] for pk, p in plans.items()},
            today=ctx.today,
        )
        rows = []
        for pk, plan in plans.items():
            content = contents[pk]
            by = plan["clm"]["user_id"]
            reviewer = deanery.get(region_of[pk])
            narratives = _narratives(rng, content)
            overview = _overview(rng, content)
            returned, accepted = plan["returned_at"], plan["accepted_at"]
            last_change = accepted or (
                returned if plan["status"] == ReportStatus.RETURNED else None
            )
            rows.append(
                _row(
                    ctx,
                    pk,
                    year,
                    status=plan["status"],
                    narratives=narratives,
                    overview=overview,
                    snapshot={
                        "content": content,
                        "narratives": narratives,
                        "overview": overview,
                        "submitted_at": plan["submitted_at"].isoformat(),
                        "submitted_by": names[by],
                    },
                    snapshot_entries=content["entries"],
                    submitted_at=plan["submitted_at"],
                    submitted_by_id=by,
                    first_submitted_at=plan["first_submitted_at"],
                    returned_at=returned,
                    returned_by_id=reviewer if returned else None,
                    return_reason=rng.choice(RETURN_REASONS) if returned else "",
                    accepted_at=accepted,
                    accepted_by_id=reviewer if accepted else None,
                    updated_at=last_change or plan["submitted_at"],
                    updated_by_id=reviewer if last_change else by,
                )
            )
        written += ctx.writer.write(YearEndReport, rows)
    drafts = []
    for t in ctx.trust_rows:
        current = _in_post(ctx.appointments[t["id"]], ctx.today)
        if current is None or (t["ods_code"] != HOME_TRUST and rng.random() > DRAFTS):
            continue
        saved = rng.random() < 0.7  # the others were opened, never saved
        narratives = (
            {
                code: {
                    "text": rng.choice(NOTES[code]) if rng.random() < 0.4 else "",
                    "nothing": False,
                }
                for code in Responsibility.values
            }
            if saved
            else {}
        )
        touched = ctx.this_year + timedelta(days=rng.randint(0, (ctx.today - ctx.this_year).days))
        drafts.append(
            _row(
                ctx,
                t["id"],
                this_year,
                narratives=narratives,
                updated_at=min(_moment(rng, touched), now),
                updated_by_id=current["user_id"] if saved else None,
            )
        )
    written += ctx.writer.write(YearEndReport, drafts)
    ctx.counts["year-end reports"] = written


def stage_regional_snapshots(ctx: ScaleContext) -> None:
    """Every year's regional figures, as the hourly and nightly jobs store them."""
    years = list(range(ctx.first_year.year, ctx.this_year.year + 1))
    for year in ctx.progress(years, desc="regional figures", unit="year"):
        began = clock.perf_counter()
        regional_snapshot(year=year, refresh=True)
        sys.stderr.write(
            f"    regional figures {year_label(year)}: {clock.perf_counter() - began:.1f} s\n"
        )
    ctx.counts["regional snapshots"] = len(years)


def stages() -> list[tuple[str, object]]:
    return [
        ("RK9's big year", stage_home_trust_year),
        ("year-end reports", stage_reports),
        ("regional figures", stage_regional_snapshots),
    ]
