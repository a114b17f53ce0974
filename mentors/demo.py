"""Demo CLM activity: last training year (closed) and this one so far, for every Trust.

Varied as the evaluation found: some CLMs work with "the few" (one-to-one mentoring, matching
trainees to projects), others with "the many" (induction talks, forums, supervisor sessions);
hours range from under to well over the 2-hour allocation; two CLMs hardly log; one Trust's
post fell vacant at the end of last year. Deterministic and idempotent.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db import transaction
from django.utils import timezone

from trusts.models import Membership, Role, Trust, User

from .models import (
    Activity,
    ActivityFormat,
    Appointment,
    CaseStudy,
    NetworkDay,
    TrainingYear,
    training_year_start,
)


@dataclass(frozen=True)
class Style:
    weekly_hours: float  # typical hours logged a week
    reach: tuple[int, int]  # trainees reached per activity
    weights: dict[str, int]  # responsibility weights


FEW = {
    "roles_projects": 6,
    "buddying": 4,
    "safety_qi": 3,
    "workplace_learning": 5,
    "specialty_leads": 2,
    "senior_meetings": 2,
    "induction": 1,
    "network": 1,
    "forum": 1,
}
MANY = {
    "induction": 4,
    "forum": 5,
    "workplace_learning": 5,
    "safety_qi": 4,
    "specialty_leads": 3,
    "roles_projects": 2,
    "senior_meetings": 1,
    "buddying": 1,
    "network": 1,
}
MIXED = {
    "roles_projects": 3,
    "buddying": 2,
    "safety_qi": 4,
    "induction": 2,
    "specialty_leads": 3,
    "senior_meetings": 2,
    "workplace_learning": 3,
    "network": 1,
    "forum": 2,
}

STYLES = {
    # The many: large acute Trusts working through supervisors and events.
    "RA7": Style(4.5, (8, 60), MANY),
    "RVJ": Style(3.5, (6, 45), MANY),
    "RK9": Style(3.0, (5, 40), MANY),
    "RTE": Style(2.5, (5, 35), MANY),
    "RH8": Style(2.0, (4, 30), MANY),
    # The few: smaller and mental health Trusts, individual trainees.
    "RJ8": Style(1.5, (1, 2), FEW),
    "RH5": Style(1.5, (1, 3), FEW),
    "RTQ": Style(2.0, (1, 3), FEW),
    "RWV": Style(2.5, (1, 4), FEW),
    "RBZ": Style(1.5, (1, 3), FEW),
    "RVN": Style(2.0, (1, 5), FEW),
    # Hardly logged (2 of 19 reports were not received).
    "RA4": Style(0.3, (1, 4), MIXED),
    "RNZ": Style(0.3, (1, 6), MIXED),
}
DEFAULT_STYLE = Style(2.0, (2, 15), MIXED)
VACANT = "RA3"  # the CLM left at the end of last training year
LATE_STARTERS = {"RN3": date(2021, 1, 4), "RBA": date(2023, 9, 1), "RD1": date(2019, 4, 1)}

FORMATS = {
    "roles_projects": ["meeting", "mentoring", "admin"],
    "buddying": ["meeting", "admin", "mentoring"],
    "safety_qi": ["meeting", "teaching", "other"],
    "induction": ["induction_talk"],
    "specialty_leads": ["meeting", "admin"],
    "senior_meetings": ["meeting"],
    "workplace_learning": ["teaching", "mentoring", "admin"],
    "network": ["network_day", "admin"],
    "forum": ["forum", "teaching"],
}
NOTES = {
    "roles_projects": [
        "Matched two trainees to the Trust's discharge-flow project.",
        "Chief Registrar post: shortlisting and interview panel.",
        "Junior doctors' committee: supported the new rota representative.",
        "Met the leadership fellows to plan projects for the next rotation.",
    ],
    "buddying": [
        "Set up buddying with the Director of Operations for an ST5.",
        "Arranged a shadowing day with the Medical Director.",
        "Paired a trainee with a graduate management trainee.",
    ],
    "safety_qi": [
        "QI clinic with the Trust QI lead: project ideas from trainees.",
        "RCA training session for trainees with the governance team.",
        "Judged the trainee QI prize posters.",
    ],
    "induction": [
        "Leadership opportunities talk at August induction.",
        "Stand at the December changeover induction.",
    ],
    "specialty_leads": [
        "Met college tutors about leadership opportunities in departments.",
        "Clinical directors' meeting: opportunities for trainees in service change.",
    ],
    "senior_meetings": [
        "Trainee observer at the Trust Board: briefing and debrief.",
        "Arranged a trainee seat at the divisional governance meeting.",
    ],
    "workplace_learning": [
        "Peer-to-peer leadership learning set.",
        "One-to-one mentoring: career and leadership conversation.",
        "Circulated the regional leadership course dates to all trainees.",
    ],
    "network": ["Regional CLM network day.", "Shared practice on the network group."],
    "forum": [
        "Grand round on leadership with the Chief Executive.",
        "Educational supervisors' forum: discussing leadership with trainees.",
        "Junior Doctors' Forum: leadership and management session.",
    ],
}
OTHERS = {
    "forum": ["supervisors", "consultants"],
    "safety_qi": ["qi_team"],
    "buddying": ["managers"],
    "senior_meetings": ["managers"],
    "induction": ["medical_education"],
    "specialty_leads": ["consultants"],
}

CASE_STUDIES = [
    (
        "RA7",
        "A Junior Doctors' Forum with a leadership focus",
        "forum",
        "A large teaching Trust with over 600 trainees on several sites.",
        "Turned the existing Junior Doctors' Forum into a monthly leadership and management "
        "session: a senior leader talks for 20 minutes, then questions. Trainees choose topics.",
        "Attendance doubled once sessions moved to lunchtime and were recorded. Rotas still stop "
        "some from coming; recordings help.",
    ),
    (
        "RWV",
        "Buddying trainees with executive directors",
        "buddying",
        "A mental health Trust with about 90 trainees spread across the county.",
        "Each interested trainee is paired with an executive director for six months: four "
        "meetings and a day shadowing. Short application, so it is open to everyone.",
        "Executives valued the clinical view. Keeping it open by application, not by invitation, "
        "brought in trainees who were not already known.",
    ),
    (
        "RK9",
        "Leadership opportunities at every induction",
        "induction",
        "An acute Trust with August and December changeovers and many small inductions.",
        "A five-minute slot at each induction, given by the CLM or a Chief Registrar, with one QR "
        "code to the list of current opportunities.",
        "Short and repeated works better than one long talk. Chief Registrars are good messengers.",
    ),
    (
        "RVJ",
        "RCA training for all trainees",
        "safety_qi",
        "An acute Trust where few trainees had taken part in root cause analysis.",
        "With the governance team, a two-hour RCA session at each rotation and a rota of trainees "
        "invited onto real investigations.",
        "Twelve trainees joined investigations in the first year. Timing with rotations matters.",
    ),
    (
        "RJ8",
        "Matching individual trainees to service projects",
        "roles_projects",
        "A small mental health Trust with about 40 trainees: the CLM knows most of them.",
        "A one-to-one conversation with each new trainee about interests, then a match to a live "
        "service improvement project with a named lead.",
        "Works well for 'the few'; it would not scale to a large acute Trust without help from "
        "educational supervisors.",
    ),
    (
        "RTE",
        "Leadership conversations workshop for supervisors",
        "workplace_learning",
        "A two-site acute Trust where supervisors said they lacked confidence to discuss leadership.",
        "A half-day workshop for educational supervisors on talking about leadership with "
        "trainees, using the Generic Professional Capabilities.",
        "Supervisors asked for a short guide to keep; now on the Trust intranet.",
    ),
]


def _last_year_start(today: date) -> date:
    return date(training_year_start(today).year - 1, 8, 1)


def _weeks(start: date, end: date):
    monday = start - timedelta(days=start.weekday())
    while monday <= end:
        yield monday
        monday += timedelta(days=7)


def _appointment(trust: Trust, clm: User, today: date) -> Appointment:
    appointment = Appointment.objects.filter(trust=trust, user=clm).order_by("starts_on").first()
    starts = LATE_STARTERS.get(trust.ods_code, date(2018, 9, 3))
    if appointment is None:
        appointment = Appointment.objects.create(user=clm, trust=trust, starts_on=starts)
    elif appointment.starts_on != starts:
        appointment.starts_on = starts
        appointment.save(update_fields=["starts_on"])
    if trust.ods_code == VACANT and appointment.ends_on is None:
        appointment.ends_on = date(training_year_start(today).year, 7, 31)
        appointment.save(update_fields=["ends_on"])
        Membership.objects.filter(user=clm, role=Role.CLM, trust=trust).delete()
    return appointment


def _trust_activity(trust: Trust, today: date) -> int:
    clm = User.objects.filter(email=f"clm.{trust.ods_code.lower()}@example.com").first()
    if clm is None or Activity.objects.filter(trust=trust).exists():
        return 0
    rng = random.Random(f"activity-{trust.ods_code}")
    style = STYLES.get(trust.ods_code, DEFAULT_STYLE)
    appointment = _appointment(trust, clm, today)
    trainees = list(
        User.objects.filter(memberships__trust=trust, memberships__role=Role.TRAINEE).order_by(
            "email"
        )[:20]
    )
    start = max(_last_year_start(today), appointment.starts_on)
    end = min(today, appointment.ends_on or today)
    responsibilities = list(style.weights)
    weights = list(style.weights.values())
    activities, reached_links = [], []
    for monday in _weeks(start, end):
        if monday.month == 8 and monday.day < 14 or (monday.month == 12 and monday.day > 20):
            continue  # leave and changeover
        budget = max(0.0, rng.gauss(style.weekly_hours, style.weekly_hours * 0.4))
        while budget >= 0.25:
            code = rng.choices(responsibilities, weights=weights)[0]
            minutes = min(int(budget * 60), rng.choice([30, 45, 60, 60, 90, 120, 180]))
            minutes = max(15, minutes - minutes % 15)
            day = monday + timedelta(days=rng.randint(0, 4))
            if day < start or day > end:
                break
            fmt = rng.choice(FORMATS[code])
            low, high = style.reach
            reached = (
                0 if fmt == ActivityFormat.ADMIN or code == "network" else rng.randint(low, high)
            )
            activity = Activity(
                trust=trust,
                appointment=appointment,
                logged_by=clm,
                date=day,
                responsibility=code,
                format=fmt,
                minutes=minutes,
                trainees_reached=reached,
                others_engaged=OTHERS.get(code, []),
                notes=rng.choice(NOTES[code]),
            )
            activities.append(activity)
            if style.weights is FEW and trainees and reached and rng.random() < 0.5:
                reached_links.append((activity, rng.choice(trainees)))
            budget -= minutes / 60
    Activity.objects.bulk_create(activities, batch_size=500)
    # Logged on the day itself, as a CLM would: the year-end report counts entries changed
    # after its submission by these times.
    for activity in activities:
        activity.created_at = activity.updated_at = timezone.make_aware(
            datetime.combine(activity.date, time(17, 0))
        )
    Activity.objects.bulk_update(activities, ["created_at", "updated_at"], batch_size=500)
    Through = Activity.trainees.through
    Through.objects.bulk_create(
        [Through(activity_id=a.pk, user_id=t.pk) for a, t in reached_links], batch_size=500
    )
    Domains = Activity.gpc_domains.through
    domain_rows = []
    for a in activities:
        domain_rows.append(Domains(activity_id=a.pk, gpcdomain_id=5))
        if a.responsibility == "safety_qi":
            domain_rows.append(Domains(activity_id=a.pk, gpcdomain_id=6))
        if a.format in ("teaching", "mentoring"):
            domain_rows.append(Domains(activity_id=a.pk, gpcdomain_id=8))
    Domains.objects.bulk_create(domain_rows, batch_size=1000)
    return len(activities)


def _network(today: date) -> None:
    last_year = _last_year_start(today)
    dates = [
        last_year.replace(month=9, day=18),
        date(last_year.year + 1, 1, 22),
        date(last_year.year + 1, 5, 14),
        training_year_start(today).replace(month=9, day=17),
    ]
    clms = list(User.objects.filter(memberships__role=Role.CLM).order_by("email"))
    rng = random.Random("network")
    for i, day in enumerate(d for d in dates if d <= today):
        network_day, created = NetworkDay.objects.get_or_create(
            date=day,
            title="Leadership Mentor network day",
            defaults={"location": ["Exeter", "Bristol", "Taunton", "Plymouth"][i % 4]},
        )
        if created:
            network_day.attendees.set(rng.sample(clms, k=min(len(clms), rng.randint(11, 16))))


def _case_studies() -> None:
    for ods, title, code, context, done, worked in CASE_STUDIES:
        clm = User.objects.filter(email=f"clm.{ods.lower()}@example.com").first()
        trust = Trust.objects.filter(ods_code=ods).first()
        if clm is None or trust is None:
            continue
        CaseStudy.objects.get_or_create(
            title=title,
            defaults={
                "trust": trust,
                "author": clm,
                "responsibility": code,
                "context": context,
                "what_was_done": done,
                "what_worked": worked,
                "contact": f"{clm.name}, {clm.email}",
            },
        )


@transaction.atomic
def seed_activity(*, today: date, only: list[str] | None = None) -> int:
    """Create the demo activity; returns how many entries were added."""
    trusts = Trust.objects.active().order_by("ods_code")
    if only is not None:
        trusts = trusts.filter(ods_code__in=only)
    added = sum(_trust_activity(trust, today) for trust in trusts)
    last_year, _ = TrainingYear.objects.get_or_create(starts_on=_last_year_start(today))
    if not last_year.is_closed:
        last_year.closed_at = timezone.now()
        last_year.save(update_fields=["closed_at"])
    _network(today)
    _case_studies()
    return added
