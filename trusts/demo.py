"""Demo people for every Trust: a CLM, an administrator, supervisors and trainees.

Deterministic (seeded by ODS code) and idempotent: accounts that exist are left alone.
The named demo logins share one password; everyone else cannot sign in.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date

from allauth.account.models import EmailAddress
from django.contrib.auth.hashers import make_password
from django.db import transaction

from .models import Membership, Region, Role, SupervisorProfile, TraineeProfile, Trust, User

DEMO_DOMAIN = "example.com"
HOME_TRUST = "RK9"  # the Trust whose demo logins are printed for each role

FIRST_NAMES = (
    "Amara Ben Chloe Dev Ella Femi Grace Harry Isla Jack Kiran Lily Mohammed Niamh Oliver "
    "Priya Quinn Rosa Sam Tara Usman Vera Will Xena Yusuf Zara Aled Bethan Callum Dylan "
    "Eleri Finn Gwen Hamza Ines Jamal Kate Luca Maya Nia"
).split()
SURNAMES = (
    "Adeyemi Baker Chen Davies Evans Fraser Green Hughes Iqbal Jones Khan Lewis Morgan "
    "Nash Owen Patel Quirke Roberts Shah Taylor Underwood Vaughan Walsh Xu Young Zielinski "
    "Abbott Bryant Carter Doyle Ellis Foster Gill Hart Irving James Kelly Lloyd Moss Nolan"
).split()

# Grades weighted like the evaluation's respondents (Foundation 7, CT/ST1-2 33, ST3 16, ...).
GRADE_WEIGHTS = {
    "F1": 4,
    "F2": 4,
    "CT1": 12,
    "CT2": 10,
    "ST1": 6,
    "ST2": 5,
    "ST3": 16,
    "ST4": 10,
    "ST5": 10,
    "ST6": 13,
    "ST7": 9,
    "ST8": 3,
    "non_training": 11,
}
ACUTE_SPECIALTIES = {
    "surgical": 12,
    "ophthalmology": 2,
    "anaesthetics": 12,
    "medical": 26,
    "emergency_medicine": 7,
    "paediatrics": 8,
    "obstetrics_gynaecology": 4,
    "radiology": 4,
    "pathology": 3,
    "general_practice": 9,
    "other": 5,
}
MENTAL_HEALTH_SPECIALTIES = {"psychiatry": 20, "general_practice": 3, "other": 1}


@dataclass(frozen=True)
class DemoLogin:
    role: str
    email: str
    trust: str


def demo_logins() -> list[DemoLogin]:
    """The accounts printed by `make run`, one per role."""
    ods = HOME_TRUST.lower()
    return [
        DemoLogin(Role.TRAINEE.label, f"trainee.{ods}@{DEMO_DOMAIN}", HOME_TRUST),
        DemoLogin(Role.SUPERVISOR.label, f"supervisor.{ods}@{DEMO_DOMAIN}", HOME_TRUST),
        DemoLogin(Role.CLM.label, f"clm.{ods}@{DEMO_DOMAIN}", HOME_TRUST),
        DemoLogin(Role.TRUST_ADMIN.label, f"admin.{ods}@{DEMO_DOMAIN}", HOME_TRUST),
        DemoLogin(Role.DEANERY.label, f"deanery@{DEMO_DOMAIN}", "region"),
    ]


def _weighted(rng: random.Random, weights: dict[str, int]) -> str:
    return rng.choices(list(weights), weights=list(weights.values()))[0]


class _Seeder:
    def __init__(self, password: str):
        self.password_hash = make_password(password)
        self.unusable = make_password(None)
        self.existing = set(User.objects.values_list("email", flat=True))
        self.created = 0
        self.gmc_taken = set(
            TraineeProfile.objects.exclude(gmc_number=None).values_list("gmc_number", flat=True)
        ) | set(
            SupervisorProfile.objects.exclude(gmc_number=None).values_list("gmc_number", flat=True)
        )
        self.gmc_seq = 7000000

    def user(self, email: str, name: str, *, can_sign_in: bool) -> User:
        if email in self.existing:
            return User.objects.get(email=email)
        user = User(email=email, name=name)
        user.password = self.password_hash if can_sign_in else self.unusable
        user.save()
        EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
        self.existing.add(email)
        self.created += 1
        return user

    def gmc(self) -> str:
        while str(self.gmc_seq) in self.gmc_taken:
            self.gmc_seq += 1
        self.gmc_taken.add(str(self.gmc_seq))
        return str(self.gmc_seq)


def _trust_people(seeder: _Seeder, trust: Trust, training_year_start: date) -> None:
    ods = trust.ods_code.lower()
    if f"clm.{ods}@{DEMO_DOMAIN}" in seeder.existing:
        return  # seeded before: re-running only fills in Trusts added since
    rng = random.Random(trust.ods_code)
    named = trust.ods_code == HOME_TRUST

    def person(local: str, *, can_sign_in: bool = False) -> User:
        name = f"{rng.choice(FIRST_NAMES)} {rng.choice(SURNAMES)}"
        return seeder.user(f"{local}@{DEMO_DOMAIN}", name, can_sign_in=can_sign_in)

    clm = person(f"clm.{ods}", can_sign_in=True)
    Membership.objects.get_or_create(user=clm, role=Role.CLM, trust=trust)
    SupervisorProfile.objects.get_or_create(user=clm, defaults={"gmc_number": seeder.gmc()})
    admin = person(f"admin.{ods}", can_sign_in=named)
    Membership.objects.get_or_create(user=admin, role=Role.TRUST_ADMIN, trust=trust)

    specialties = (
        MENTAL_HEALTH_SPECIALTIES if trust.kind == Trust.Kind.MENTAL_HEALTH else ACUTE_SPECIALTIES
    )
    supervisors = []
    for i in range(max(3, trust.trainee_count // 40)):
        local = f"supervisor.{ods}" if i == 0 else f"supervisor{i}.{ods}"
        sup = person(local, can_sign_in=named and i == 0)
        Membership.objects.get_or_create(user=sup, role=Role.SUPERVISOR, trust=trust)
        SupervisorProfile.objects.get_or_create(
            user=sup,
            defaults={"gmc_number": seeder.gmc(), "specialty": _weighted(rng, specialties)},
        )
        supervisors.append(sup)

    for i in range(max(8, trust.trainee_count // 15)):
        local = f"trainee.{ods}" if i == 0 else f"trainee{i}.{ods}"
        trainee = person(local, can_sign_in=named and i == 0)
        grade = "ST3" if (named and i == 0) else _weighted(rng, GRADE_WEIGHTS)
        # Most rotations start in August, some in December; all end with the training year.
        starts = rng.choice([training_year_start] * 3 + [date(training_year_start.year, 12, 1)])
        ends = date(training_year_start.year + 1, 7, 31)
        Membership.objects.get_or_create(
            user=trainee,
            role=Role.TRAINEE,
            defaults={"trust": trust, "starts_on": starts, "ends_on": ends},
        )
        TraineeProfile.objects.get_or_create(
            user=trainee,
            defaults={
                "grade": grade,
                "specialty": _weighted(rng, specialties),
                "gmc_number": seeder.gmc(),
                "educational_supervisor": supervisors[i % len(supervisors)],
            },
        )


@transaction.atomic
def seed_people(*, password: str, training_year_start: date, only: list[str] | None = None) -> int:
    """Create the demo people (in the Trusts with ODS codes `only`, if given).

    Returns how many accounts were added.
    """
    seeder = _Seeder(password)
    region = Region.objects.get(code="SW")
    deanery = seeder.user(f"deanery@{DEMO_DOMAIN}", "Dana Whitfield", can_sign_in=True)
    Membership.objects.get_or_create(user=deanery, role=Role.DEANERY, defaults={"region": region})
    trusts = Trust.objects.active().order_by("ods_code")
    if only is not None:
        trusts = trusts.filter(ods_code__in=only)
    for trust in trusts:
        _trust_people(seeder, trust, training_year_start)
    return seeder.created
