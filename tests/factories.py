import factory
from allauth.account.models import EmailAddress
from django.utils import timezone
from factory.django import DjangoModelFactory

from trusts.models import (
    Invitation,
    Membership,
    Region,
    Role,
    Site,
    SupervisorProfile,
    TraineeProfile,
    Trust,
    User,
)

PASSWORD = "a-test-password-2026"


class RegionFactory(DjangoModelFactory):
    class Meta:
        model = Region
        django_get_or_create = ("code",)

    code = "SW"
    name = "NHS South West"


class TrustFactory(DjangoModelFactory):
    class Meta:
        model = Trust
        django_get_or_create = ("ods_code",)

    region = factory.SubFactory(RegionFactory)
    ods_code = factory.Sequence(lambda n: f"T{n:02d}")
    name = factory.LazyAttribute(lambda o: f"Trust {o.ods_code} NHS Foundation Trust")
    kind = Trust.Kind.ACUTE
    trainee_count = 100


class SiteFactory(DjangoModelFactory):
    class Meta:
        model = Site

    trust = factory.SubFactory(TrustFactory)
    name = factory.Sequence(lambda n: f"Site {n}")


class UserFactory(DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@example.com")
    name = factory.Sequence(lambda n: f"Person {n}")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def verified(obj, create, extracted, **kwargs):
        if create:
            obj.save()
            EmailAddress.objects.create(user=obj, email=obj.email, verified=True, primary=True)


class MembershipFactory(DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    role = Role.TRAINEE
    trust = factory.SubFactory(TrustFactory)


class TraineeProfileFactory(DjangoModelFactory):
    class Meta:
        model = TraineeProfile

    user = factory.SubFactory(UserFactory)
    grade = "ST3"
    specialty = "medical"
    gmc_number = factory.Sequence(lambda n: f"{6000000 + n}")


class SupervisorProfileFactory(DjangoModelFactory):
    class Meta:
        model = SupervisorProfile

    user = factory.SubFactory(UserFactory)
    specialty = "medical"


class InvitationFactory(DjangoModelFactory):
    class Meta:
        model = Invitation

    email = factory.Sequence(lambda n: f"invitee{n}@example.com")
    name = factory.Sequence(lambda n: f"Invitee {n}")
    role = Role.TRAINEE
    trust = factory.SubFactory(TrustFactory)
    grade = "F2"
    specialty = "medical"
    gmc_number = factory.Sequence(lambda n: f"{5000000 + n}")

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        # As if its email had gone out: a link token on `.token`, its digest in the database.
        invitation = model_class(*args, **kwargs)
        invitation.new_token()
        invitation.save()
        return invitation


def person(role: str, trust: Trust | None = None, **user_fields) -> User:
    """A user holding `role` in `trust` (deanery: the region), with the matching profile."""
    user = UserFactory(**user_fields)
    if role == Role.DEANERY:
        MembershipFactory(user=user, role=role, trust=None, region=RegionFactory())
    else:
        MembershipFactory(user=user, role=role, trust=trust)
    if role == Role.TRAINEE:
        TraineeProfileFactory(user=user)
    elif role == Role.SUPERVISOR:
        SupervisorProfileFactory(user=user)
    return user


# --- mentors ---------------------------------------------------------------------------------


def appointment_of(user: User, trust: Trust, **fields):
    """The CLM's appointment (giving the CLM role starts one today), adjusted by `fields`."""
    from mentors.models import Appointment

    appointment = Appointment.objects.filter(user=user, trust=trust).first()
    if appointment is None:
        appointment = Appointment.objects.create(user=user, trust=trust, **fields)
    elif fields:
        for name, value in fields.items():
            setattr(appointment, name, value)
        appointment.save()
    return appointment


class ActivityFactory(DjangoModelFactory):
    class Meta:
        model = "mentors.Activity"

    trust = factory.LazyAttribute(lambda o: o.appointment.trust)
    logged_by = factory.LazyAttribute(lambda o: o.appointment.user)
    date = factory.LazyFunction(timezone.localdate)
    responsibility = "safety_qi"
    format = "meeting"
    minutes = 60
    trainees_reached = 3


class CaseStudyFactory(DjangoModelFactory):
    class Meta:
        model = "mentors.CaseStudy"

    title = factory.Sequence(lambda n: f"Case study {n}")
    responsibility = "forum"
    context = "A large acute Trust."
    what_was_done = "A monthly forum."
    what_worked = "Lunchtime sessions."
    contact = "someone@example.com"


class NetworkDayFactory(DjangoModelFactory):
    class Meta:
        model = "mentors.NetworkDay"

    date = factory.LazyFunction(timezone.localdate)
    title = "Leadership Mentor network day"
    location = "Exeter"


# --- opportunities -------------------------------------------------------------------------


class OpportunityFactory(DjangoModelFactory):
    """An open opportunity of a Trust (pass trust=None, region=... for a region-wide one)."""

    class Meta:
        model = "opportunities.Opportunity"

    trust = factory.SubFactory(TrustFactory)
    region = factory.LazyAttribute(lambda o: o.trust.region if o.trust else RegionFactory())
    kind = "qi_project"
    title = factory.Sequence(lambda n: f"Sepsis audit QI project {n}")
    description = "Join the Trust's sepsis quality improvement project."
    host_name = "Dr Hannah Host"
    host_role = "Associate Medical Director for Quality"
    host_email = factory.Sequence(lambda n: f"host{n}@nhs.example")
    time_commitment = "Two hours a month for six months"
    places = 1
    status = "open"
    published_at = factory.LazyFunction(timezone.now)


def apply_for(opportunity, trainee, **fields):
    """An application through the service, as a trainee would make it."""
    from opportunities.services import application_submit

    fields.setdefault("statement", "I would like to learn how QI works here.")
    fields.setdefault("leader", 3)
    fields.setdefault("lead_change", 3)
    return application_submit(trainee=trainee, opportunity=opportunity, **fields)
