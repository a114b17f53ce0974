"""Demo opportunities for every Trust: every kind of state, waiting lists, live offers, completed
experiences with confirmed reflections, and Trusts that differ in fair access — in "spreading"
Trusts each experience goes to a different trainee, in "concentrating" ones to the same few.

Written with the ORM rather than the services (no emails), keeping every invariant the
services keep: `places_held` equals the applications holding a place, each application has
its events, reflections of completed ones are confirmed. Deterministic and idempotent: a Trust
that has opportunities is left alone.
"""

from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta

from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from trusts.models import Membership, Role, Trust, User

from .models import (
    HOLDS_PLACE,
    Application,
    ApplicationEvent,
    Notification,
    Opportunity,
    Rating,
    Recommendation,
    Reflection,
    Source,
)
from .models import ApplicationStatus as S

HOME_TRUST = "RK9"
# Trusts whose experiences go to the same few trainees (the others spread them).
CONCENTRATING = {"RA7", "RBA", "REF", "RH8", "RTE"}

# kind, title, tier, GPC domains, description
CATALOGUE = {
    "qi": (
        "qi_project",
        "Sepsis screening QI project",
        "workplace",
        [5, 6],
        "Join the emergency department's sepsis screening project with the QI team: measure, "
        "test one change, and present the run chart at the patient safety group.",
    ),
    "md": (
        "shadow_clinical",
        "Shadow the Medical Director for a day",
        "literacy",
        [5],
        "A day with the Medical Director: the executive meeting, a job planning discussion and "
        "the afternoon's quality committee.",
    ),
    "board": (
        "observer",
        "Observer at the Trust Board (public session)",
        "literacy",
        [5, 1],
        "Sit in on the Board's public session, then twenty minutes with the Chair afterwards.",
    ),
    "course": (
        "course",
        "Leadership essentials workshop",
        "literacy",
        [5, 8],
        "An afternoon workshop: leading a team on shift, feedback, and raising concerns.",
    ),
    "rca": (
        "rca",
        "Patient safety incident investigation",
        "workplace",
        [6, 5],
        "Join an investigation under the Patient Safety Incident Response Framework, with the "
        "patient safety team: interviews, a timeline, and the learning response.",
    ),
    "committee": (
        "committee",
        "Junior doctors' forum representative",
        "workplace",
        [5, 1],
        "Represent your grade at the junior doctors' forum and the guardian of safe working's "
        "meetings for six months.",
    ),
    "rota": (
        "management_role",
        "Rota co-ordinator (medicine)",
        "sustained",
        [5, 2],
        "Co-ordinate the medical registrars' rota with the rota team, two hours a week.",
    ),
    "chief": (
        "chief_registrar",
        "Chief Registrar (two sessions a week)",
        "sustained",
        [5, 6, 8],
        "The Royal College of Physicians' Chief Registrar role: a year of protected time for "
        "service improvement, with the college's development programme.",
    ),
    "mentoring": (
        "mentoring",
        "Peer mentoring programme for new F1s",
        "workplace",
        [5, 8],
        "Mentor two new Foundation doctors through their first rotation, with training and a "
        "monthly supervision group.",
    ),
    "buddy": (
        "buddying",
        "Buddy with the Chief Operating Officer",
        "workplace",
        [5],
        "Three months of monthly meetings with the Chief Operating Officer: flow, escalation "
        "and the winter plan.",
    ),
}
HOSTS = [
    ("Dr Maya Patel", "Medical Director"),
    ("Sarah Okafor", "Chief Operating Officer"),
    ("Dr Tom Hughes", "Associate Medical Director for Quality"),
    ("Jane Whitaker", "Head of Patient Safety"),
]


class _Builder:
    def __init__(self, trust: Trust, today: date, trainees: list[User], clm: User | None):
        self.trust, self.today, self.trainees, self.clm = trust, today, trainees, clm
        self.rng = random.Random(f"opportunities-{trust.ods_code}")
        self.now = timezone.now()
        self.count = 0

    def at(self, days: int) -> datetime:
        return timezone.make_aware(datetime.combine(self.today + timedelta(days=days), time(10)))

    def opportunity(self, key: str, *, status="open", places=2, start=30, length=0, **fields):
        kind, title, tier, gpc, description = CATALOGUE[key]
        host, role = HOSTS[self.count % len(HOSTS)]
        self.count += 1
        starts = self.today + timedelta(days=start)
        opportunity = Opportunity.objects.create(
            trust=self.trust,
            region=self.trust.region,
            kind=kind,
            title=title,
            description=description,
            host_name=host,
            host_role=role,
            host_email=f"{host.split()[-1].lower()}.{self.trust.ods_code.lower()}@nhs.example",
            tier=tier,
            time_commitment=fields.pop("time_commitment", "One day"),
            starts_on=starts,
            ends_on=starts + timedelta(days=length),
            deadline=fields.pop("deadline", starts - timedelta(days=7)),
            places=places,
            status=status,
            created_by=self.clm,
            published_at=None if status == "draft" else self.at(start - 40),
            **fields,
        )
        opportunity.gpc_domains.set(gpc)
        return opportunity

    def apply(self, opportunity, trainee, path: list[str], *, source=Source.APPLICATION, reason=""):
        """An application that went through `path` (its states in order), with its events."""
        status = path[-1]
        application = Application.objects.create(
            opportunity=opportunity,
            trainee=trainee,
            source=source,
            statement="I would like to learn how decisions are made here."
            if source == Source.APPLICATION
            else "",
            availability=self.rng.choice(["", "Tuesdays and Thursdays", "Any weekday"]),
            status=status,
            waitlisted_at=self.now - timedelta(days=3) if S.WAITLISTED in path else None,
            offer_expires_at=self.now + timedelta(hours=30) if status == S.OFFERED else None,
            first_timer=not Application.objects.filter(
                trainee=trainee, status=S.COMPLETED
            ).exists(),
            decided_at=self.now - timedelta(days=5) if len(path) > 1 else None,
            completed_at=self.now - timedelta(days=10) if status == S.COMPLETED else None,
        )
        previous = ""
        for i, state in enumerate(path):
            ApplicationEvent.objects.create(
                application=application,
                from_status=previous,
                to_status=state,
                by=trainee
                if state in (S.SUBMITTED, S.ACCEPTED, S.WITHDRAWN, S.DECLINED)
                else self.clm,
                reason=reason if i == len(path) - 1 else "",
                at=self.now - timedelta(days=20 - i * 3),
            )
            previous = state
        Rating.objects.create(
            application=application,
            moment=Rating.Moment.APPLYING,
            leader=self.rng.randint(2, 4),
            lead_change=self.rng.randint(2, 4),
        )
        if status == S.COMPLETED:
            reflection = Reflection.objects.create(
                application=application,
                what_i_did=f"Took part in {opportunity.title.lower()}.",
                what_i_learned="How decisions are made and who to talk to; to speak up early.",
                confirmed_at=self.now - timedelta(days=9),
                confirmed_by=self.clm,
            )
            reflection.gpc_domains.set(opportunity.gpc_domains.all())
            Rating.objects.create(
                application=application,
                moment=Rating.Moment.COMPLETION,
                leader=self.rng.randint(3, 6),
                lead_change=self.rng.randint(3, 6),
            )
        if status in HOLDS_PLACE:
            opportunity.places_held += 1
        return application

    def finish(self, opportunity) -> None:
        if opportunity.status == "open" and opportunity.places_held >= opportunity.places:
            opportunity.status = "filled"
        opportunity.save(update_fields=["places_held", "status"])


def _trust_opportunities(trust: Trust, today: date) -> int:
    trainees = list(
        User.objects.filter(memberships__trust=trust, memberships__role=Role.TRAINEE)
        .select_related("trainee_profile")
        .order_by("email")
    )
    if len(trainees) < 6:
        return 0
    clm = User.objects.filter(memberships__trust=trust, memberships__role=Role.CLM).first()
    b = _Builder(trust, today, trainees, clm)
    home = next((t for t in trainees if t.email.startswith("trainee.")), trainees[0])
    others = [t for t in trainees if t.pk != home.pk]
    concentrating = trust.ods_code in CONCENTRATING
    # Who gets the confirmed experiences: the same three, or a different one each time.
    few = others[:3]
    spread = iter(others[3:] * 3)

    def experienced() -> User:
        return b.rng.choice(few) if concentrating else next(spread)

    qi = b.opportunity("qi", places=3, start=30, length=90, time_commitment="Two hours a week")
    b.apply(qi, others[0], [S.SUBMITTED])
    b.apply(qi, others[1], [S.SUBMITTED, S.SHORTLISTED])
    offer = b.apply(qi, home, [S.SUBMITTED, S.OFFERED])  # a live offer for the home trainee
    b.apply(qi, others[2], [S.SUBMITTED, S.OFFERED, S.ACCEPTED])
    b.finish(qi)

    md = b.opportunity("md", places=1, start=21)
    b.apply(md, others[3], [S.SUBMITTED, S.OFFERED, S.ACCEPTED])
    b.apply(md, others[4], [S.SUBMITTED, S.WAITLISTED])
    b.apply(md, others[5], [S.SUBMITTED, S.WAITLISTED])
    b.finish(md)

    board = b.opportunity("board", places=4, start=14, booking="first_come")
    for trainee in others[6:8]:
        b.apply(board, trainee, [S.SUBMITTED, S.OFFERED, S.ACCEPTED])
    b.finish(board)

    course = b.opportunity("course", status="closed", places=8, start=-30)
    used = set()
    for _ in range(4):
        trainee = experienced()
        if trainee.pk in used:
            continue
        used.add(trainee.pk)
        b.apply(course, trainee, [S.SUBMITTED, S.OFFERED, S.ACCEPTED, S.COMPLETED])
    # Ended, accepted, waiting for the home trainee's reflection.
    b.apply(course, home, [S.SUBMITTED, S.OFFERED, S.ACCEPTED])
    absent = next(t for t in others if t.pk not in used)
    b.apply(course, absent, [S.SUBMITTED, S.OFFERED, S.ACCEPTED, S.DID_NOT_ATTEND])
    b.finish(course)

    rca = b.opportunity("rca", status="closed", places=3, start=-75, length=30)
    b.apply(rca, home, [S.SUBMITTED, S.OFFERED, S.ACCEPTED, S.COMPLETED])
    for trainee in {experienced().pk: None for _ in range(3)}:
        b.apply(
            rca,
            User.objects.get(pk=trainee),
            [S.SUBMITTED, S.OFFERED, S.ACCEPTED, S.COMPLETED],
        )
        if rca.places_held >= rca.places:
            break
    b.finish(rca)

    buddy = b.opportunity("buddy", status="closed", places=1, start=-120, length=90)
    b.apply(
        buddy,
        experienced(),
        [S.SUBMITTED, S.OFFERED, S.ACCEPTED, S.COMPLETED],
        source=Source.INVITATION,
    )
    b.finish(buddy)

    b.opportunity("committee", status="draft", places=1, start=60, length=180)

    rota = b.opportunity("rota", status="cancelled", places=1, start=45, length=180)
    b.apply(
        rota,
        others[1],
        [S.SUBMITTED, S.UNSUCCESSFUL],
        reason="The post was withdrawn when the rota team was restructured.",
    )
    b.finish(rota)

    chief = b.opportunity(
        "chief",
        places=1,
        start=200,
        length=365,
        flexible_dates=True,
        time_commitment="Two sessions a week for a year",
        deadline=today + timedelta(days=40),
    )
    chief.grade_list = ["ST4", "ST5", "ST6", "ST7", "ST8"]
    chief.save(update_fields=["eligible_grades"])
    b.apply(chief, others[-1], [S.SUBMITTED])
    b.apply(chief, others[-2], [S.SUBMITTED, S.OFFERED, S.DECLINED])
    b.apply(chief, others[-3], [S.SUBMITTED, S.WITHDRAWN])
    b.finish(chief)

    mentoring = b.opportunity("mentoring", places=2, start=25, length=120)
    b.apply(mentoring, others[-4], [S.OFFERED], source=Source.INVITATION)
    b.apply(mentoring, others[-5], [S.SUBMITTED, S.OFFERED, S.OFFER_EXPIRED])
    b.finish(mentoring)

    supervisor = home.trainee_profile.educational_supervisor
    if supervisor is not None:
        Recommendation.objects.create(
            opportunity=board,
            trainee=home,
            supervisor=supervisor,
            note="A good first look at how the Board works.",
        )
    for subject, kind, link in [
        (
            f"Offer of a place: {qi.title}",
            Notification.Kind.OFFER,
            reverse("opportunities:application", kwargs={"pk": offer.pk}),
        ),
        (
            f"{supervisor} recommends: {board.title}",
            Notification.Kind.RECOMMENDATION,
            reverse("opportunities:detail", kwargs={"pk": board.pk}),
        ),
    ]:
        Notification.objects.create(
            user=home,
            kind=kind,
            subject=subject,
            body=subject + ".",
            link=link,
            email_status=Notification.EmailStatus.SENT,
            emailed_at=b.now,
        )
    return b.count


def _region_wide(today: date) -> int:
    deanery = Membership.objects.filter(role=Role.DEANERY).select_related("region").first()
    if deanery is None or Opportunity.objects.filter(trust__isnull=True).exists():
        return 0
    starts = today + timedelta(days=60)
    opportunity = Opportunity.objects.create(
        trust=None,
        region=deanery.region,
        kind="fellowship",
        title="Regional leadership fellowship",
        description="A year's leadership fellowship with the deanery: a regional project, a "
        "postgraduate certificate and a cohort of fellows from across the South West.",
        host_name="Dana Whitfield",
        host_role="Associate Dean, leadership",
        host_email="leadership.fellowship@nhs.example",
        tier="sustained",
        time_commitment="One day a week for a year",
        starts_on=starts,
        ends_on=starts + timedelta(days=364),
        deadline=today + timedelta(days=30),
        places=6,
        status="open",
        created_by=deanery.user,
        published_at=timezone.now() - timedelta(days=5),
    )
    opportunity.grade_list = ["ST3", "ST4", "ST5", "ST6", "ST7", "ST8"]
    opportunity.save(update_fields=["eligible_grades"])
    opportunity.gpc_domains.set([5, 6, 9])
    return 1


@transaction.atomic
def seed_opportunities(*, today: date, only: list[str] | None = None) -> int:
    """Demo opportunities for every Trust with demo people and none yet; returns how many."""
    trusts = Trust.objects.active().order_by("ods_code")
    if only is not None:
        trusts = trusts.filter(ods_code__in=only)
    added = 0
    for trust in trusts:
        if Opportunity.objects.filter(trust=trust).exists():
            continue
        added += _trust_opportunities(trust, today)
    return added + _region_wide(today)
