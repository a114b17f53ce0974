"""Demo year-end reports: last training year's cycle finished and this year's under way.

Last year 17 of the 19 Trusts submitted: most were accepted, three are still with the
deanery, two came in after the due date; one was returned to its CLM (which counts as not
submitted), and RA3, whose post fell vacant, never started. This year every Trust has a draft
with some sections written. With them: both windows, one Trust's trainee numbers entered by
the deanery from the HEE census, and the regional figures stored so the dashboards open at once.

Written with the ORM rather than the services (no emails, no report files, past dates), keeping
what the services keep: a submitted report's snapshot is `report_content` as on its submission
day with the words as submitted, and a section says "nothing this year" only where nothing was
logged. Deterministic and idempotent: a Trust's report for a year that exists is left alone.
"""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, time, timedelta

from django.db import transaction
from django.db.models import Count
from django.utils import timezone

from mentors.demo import FEW, MANY, STYLES, VACANT
from mentors.models import Activity, Responsibility, training_year_start
from trusts.demo import DEMO_DOMAIN, HOME_TRUST
from trusts.models import Trust, User

from .content import report_content
from .denominators import portal_counts
from .models import (
    RegionalSnapshot,
    ReportStatus,
    ReportWindow,
    TraineeCount,
    YearEndReport,
)
from .regional import regional_snapshot, year_bounds

# Last year's reports that are not simply accepted (VACANT has none).
AWAITING = {"RD1", "RH5", "RTQ"}  # submitted on time, not yet reviewed by the deanery
LATE = {"RA4", "RBA"}  # submitted after the due date, then accepted
RETURNED = "RNZ"
RETURN_REASON = (
    "Thank you for the report. Please add the induction work you mentioned at the network day "
    "(the talks at the August and December changeovers, and how many trainees came): the "
    "induction section says only that you spoke at induction. Everything else is ready to "
    "accept."
)
# The Trust whose trainee numbers the deanery enters (the portal does not hold them all).
CENSUS = "RA7"
CENSUS_NOTE = "HEE trainee census, October"
CENSUS_GROWTH = 1.03  # this year's census against last year's
# Sections RK9's CLM has written in this year's draft, so the demo CLM can finish it.
HOME_WRITTEN = 3

# What CLMs wrote under each responsibility (the kind of thing the evaluation's activity
# reports describe); {n} is filled with a number from NUMBERS.
SENTENCES = {
    "roles_projects": [
        "Matched {n} trainees to service improvement projects, each with a named lead.",
        "Chief Registrar post advertised to all trainees; shortlisted and interviewed with the "
        "DME.",
        "Supported the junior doctors' committee to set up representative roles, with a "
        "certificate for the year.",
        "Met the leadership fellows monthly to plan projects for the next rotation.",
    ],
    "buddying": [
        "Buddying with executive directors: {n} trainees paired for six months.",
        "Shadowing days with the Medical Director and the Director of Nursing, offered to every "
        "trainee through the portal.",
        "Paired trainees with graduate management trainees; interest was limited, so it will be "
        "advertised at induction next year.",
    ],
    "safety_qi": [
        "QI clinic with the Trust QI lead each rotation; {n} trainee projects registered.",
        "RCA training for trainees with the governance team, and a rota of trainees invited "
        "onto investigations.",
        "Trainee QI prize at the annual poster day, judged with the QI team.",
    ],
    "induction": [
        "Induction talk to F1s on leadership opportunities; {n} attended.",
        "A five-minute slot at each changeover induction, given with a Chief Registrar.",
        "Stand at the August induction with the list of current opportunities.",
    ],
    "specialty_leads": [
        "Met college tutors and clinical directors to find opportunities in each department.",
        "Presented at the medical advisory group; {n} directorates now offer trainees a seat at "
        "their governance meetings.",
        "Visited the outlying sites to meet the specialty tutors there.",
    ],
    "senior_meetings": [
        "Trainee observers at the Trust Board's public session, with a briefing and debrief: "
        "{n} this year.",
        "Chief Registrars attend the divisional governance meetings as participants.",
        "Arranged a trainee seat at the Trust's quality committee.",
    ],
    "workplace_learning": [
        "Designed and ran a leadership essentials afternoon; {n} trainees attended.",
        "A peer-to-peer leadership learning set, meeting monthly.",
        "Circulated the regional leadership course dates to all trainees and supervisors.",
        "One-to-one mentoring conversations on leadership and careers with interested trainees.",
    ],
    "network": [
        "Attended the regional Leadership Mentor network days and shared our induction slides.",
        "Active in the network's WhatsApp group; presented our buddying scheme at the spring day.",
    ],
    "forum": [
        "Grand round on leadership with the Chief Executive; {n} attended.",
        "A leadership item at each educational supervisors' forum.",
        "Junior Doctors' Forum with a leadership and management focus, monthly at lunchtime.",
        "Leadership conversations workshop for supervisors and trainees.",
    ],
}
NUMBERS = {
    "roles_projects": (2, 9),
    "buddying": (2, 7),
    "safety_qi": (4, 24),
    "induction": (18, 60),
    "specialty_leads": (2, 5),
    "senior_meetings": (2, 6),
    "workplace_learning": (8, 30),
    "network": (1, 1),
    "forum": (20, 80),
}
APPROACHES = {
    "few": "Most of my time went on individual trainees: a conversation with each new trainee "
    "about their interests, then a match to a project or a role with a named lead.",
    "many": "With so many trainees I worked mostly through others: educational supervisors, "
    "the Chief Registrars, induction and the forums.",
    "mixed": "A mix of work with individual trainees who asked for it and sessions for groups "
    "at induction and in departments.",
}
NEXT_YEAR = [
    "Next year I want to open the buddying scheme to every trainee by application.",
    "Next year: a leadership slot at every changeover induction, not only August's.",
    "Next year: with the QI team, register every trainee project so none is lost at rotation.",
    "Next year: more at the outlying sites, where trainees see least of what is on offer.",
]


def _approach(ods: str) -> str:
    weights = STYLES[ods].weights if ods in STYLES else None
    return "few" if weights is FEW else "many" if weights is MANY else "mixed"


def _logged(trust: Trust, year: int) -> dict[str, int]:
    """Entries per responsibility the Trust logged in the training year."""
    start, end = year_bounds(year)
    return dict(
        Activity.objects.filter(trust=trust, date__gte=start, date__lte=end)
        .values("responsibility")
        .annotate(n=Count("pk"))
        .values_list("responsibility", "n")
        .order_by()
    )


def _text(rng: random.Random, code: str) -> str:
    low, high = NUMBERS[code]
    chosen = rng.sample(SENTENCES[code], k=min(2, len(SENTENCES[code])))
    return " ".join(s.format(n=rng.randint(low, high)) for s in chosen)


def _finished(rng: random.Random, logged: dict[str, int]) -> dict:
    """Every section written, or "nothing this year" where nothing was logged under it."""
    return {
        code: (
            {"text": _text(rng, code), "nothing": False}
            if logged.get(code)
            else {"text": "", "nothing": True}
        )
        for code in Responsibility.values
    }


def _draft(rng: random.Random, logged: dict[str, int], written: int) -> dict:
    """`written` sections (among those with work logged so far) written; the rest empty."""
    chosen = set(rng.sample(sorted(logged), k=min(written, len(logged))))
    return {
        code: {"text": _text(rng, code) if code in chosen else "", "nothing": False}
        for code in Responsibility.values
    }


def _overview(rng: random.Random, ods: str, content: dict) -> str:
    hours, allocation = content["hours"], content["allocation_hours"]
    if allocation and hours > allocation:
        time_spent = (
            f"I logged {hours:,.0f} hours against the {allocation:,.0f} the post is funded for; "
            "time remains the main constraint."
        )
    else:
        time_spent = (
            f"I logged {hours:,.0f} hours against the {allocation:,.0f} the post is funded for: "
            "clinical pressures left less time than I wanted."
        )
    return " ".join([APPROACHES[_approach(ods)], time_spent, rng.choice(NEXT_YEAR)])


def _weekday(day: date) -> date:
    """The Friday before a weekend day: reports are submitted and reviewed on weekdays."""
    return day - timedelta(days=max(0, day.weekday() - 4))


def _at(rng: random.Random, day: date) -> datetime:
    return timezone.make_aware(
        datetime.combine(day, time(rng.randint(9, 17), rng.choice([0, 10, 25, 40, 55])))
    )


def _last_year(
    trust: Trust, year: int, today: date, clm: User, deanery: User | None
) -> YearEndReport:
    """The Trust's report for last year, as far as the cycle got by `today`."""
    ods = trust.ods_code
    rng = random.Random(f"report-{ods}-{year}")
    logged = _logged(trust, year)
    narratives = _finished(rng, logged)
    if ods == RETURNED:  # what the deanery returns it for
        narratives["induction"] = {"text": "Spoke at induction.", "nothing": False}
    report = YearEndReport(trust=trust, year=year, narratives=narratives, updated_by=clm)
    if ods in LATE:
        submitted_on = _weekday(date(year + 1, 8, rng.randint(3, 21)))
    else:
        submitted_on = _weekday(date(year + 1, 7, rng.randint(6, 30)))
    if submitted_on > today:  # seeded early in August: not in yet
        report.save()
        return report
    content = report_content(trust=trust, year=year, today=submitted_on)
    report.overview = _overview(rng, ods, content)
    submitted_at = _at(rng, submitted_on)
    report.snapshot = {
        "content": content,
        "narratives": report.narratives,
        "overview": report.overview,
        "submitted_at": submitted_at.astimezone(UTC).isoformat(),
        "submitted_by": clm.name or clm.email,
    }
    report.snapshot_entries = content["entries"]
    report.status = ReportStatus.SUBMITTED
    report.submitted_at = report.first_submitted_at = submitted_at
    report.submitted_by = clm
    last_moment = submitted_at
    if ods == RETURNED:
        decided_on = _weekday(date(year + 1, 8, rng.randint(4, 20)))
    else:
        later = date(year + 1, 8, 4) + timedelta(days=rng.randint(0, 45))
        decided_on = _weekday(max(later, submitted_on + timedelta(days=9)))
    if ods not in AWAITING and decided_on <= today:
        last_moment = _at(rng, decided_on)
        report.updated_by = deanery
        if ods == RETURNED:
            report.status = ReportStatus.RETURNED
            report.returned_at, report.returned_by = last_moment, deanery
            report.return_reason = RETURN_REASON
        else:
            report.status = ReportStatus.ACCEPTED
            report.accepted_at, report.accepted_by = last_moment, deanery
    report._history_date = last_moment  # the history row is dated when it got there
    report.save()
    return report


def _this_year(trust: Trust, year: int, clm: User) -> YearEndReport:
    """This year's draft: a few sections written so far (none where the post is vacant)."""
    ods = trust.ods_code
    if ods == VACANT:
        return YearEndReport.objects.create(trust=trust, year=year)
    rng = random.Random(f"report-{ods}-{year}")
    written = HOME_WRITTEN if ods == HOME_TRUST else rng.randint(0, 4)
    return YearEndReport.objects.create(
        trust=trust,
        year=year,
        narratives=_draft(rng, _logged(trust, year), written),
        updated_by=clm,
    )


def _windows(last: int, this: int, deanery: User | None) -> None:
    for year in (last, this):
        ReportWindow.objects.get_or_create(
            year=year,
            defaults={
                "opens_on": date(year + 1, 6, 1),
                "due_on": date(year + 1, 7, 31),
                "set_by": deanery,
            },
        )


def _census(trust: Trust, last: int, this: int, today: date, deanery: User | None) -> None:
    """The deanery's trainee numbers for the Trust, from the October census (this year's
    once October is past): at least the trainees the portal holds there."""
    held = portal_counts([trust.pk]).get(trust.pk, 0)
    for year, trainees in (
        (last, trust.trainee_count),
        (this, round(trust.trainee_count * CENSUS_GROWTH)),
    ):
        counted_on = date(year, 10, 31)
        if counted_on > today:
            continue
        TraineeCount.objects.get_or_create(
            trust=trust,
            year=year,
            source=TraineeCount.Source.DEANERY,
            defaults={
                "trainees": max(trainees, held),
                "counted_on": counted_on,
                "entered_by": deanery,
                "note": f"{CENSUS_NOTE} {year}",
            },
        )


@transaction.atomic
def seed_reports(*, today: date, only: list[str] | None = None) -> int:
    """Last year's and this year's reports of the Trusts with demo people (those with ODS
    codes `only`, if given), the windows and the regional figures; returns how many reports
    were added."""
    this = training_year_start(today).year
    last = this - 1
    deanery = User.objects.filter(email=f"deanery@{DEMO_DOMAIN}").first()
    _windows(last, this, deanery)
    trusts = Trust.objects.active().order_by("ods_code")
    if only is not None:
        trusts = trusts.filter(ods_code__in=only)
    clms = {
        u.email: u
        for u in User.objects.filter(
            email__in=[f"clm.{t.ods_code.lower()}@{DEMO_DOMAIN}" for t in trusts]
        )
    }
    existing = set(
        YearEndReport.objects.filter(year__in=(last, this)).values_list("trust_id", "year")
    )
    added = 0
    for trust in trusts:
        clm = clms.get(f"clm.{trust.ods_code.lower()}@{DEMO_DOMAIN}")
        if clm is None:
            continue  # no demo people in this Trust
        if trust.ods_code == CENSUS:
            # Entered before the reports are submitted: their figures use it.
            _census(trust, last, this, today, deanery)
        if trust.ods_code != VACANT and (trust.pk, last) not in existing:
            _last_year(trust, last, today, clm, deanery)
            added += 1
        if (trust.pk, this) not in existing:
            _this_year(trust, this, clm)
            added += 1
    for year in (last, this):
        if added or not RegionalSnapshot.objects.filter(year=year).exists():
            regional_snapshot(year=year, refresh=True)
    return added
