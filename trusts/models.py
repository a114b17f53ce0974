"""The organisation and the people in it: region, Trusts, sites, users, roles, invitations."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta
from functools import cached_property

from django.contrib.auth.models import AbstractUser, BaseUserManager
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from simple_history.models import HistoricalRecords


class Role(models.TextChoices):
    TRAINEE = "trainee", "Trainee"
    SUPERVISOR = "supervisor", "Educational supervisor"
    CLM = "clm", "Clinical Leadership Mentor"
    TRUST_ADMIN = "trust_admin", "Trust administrator"
    DEANERY = "deanery", "Deanery staff"


def a_role(role: str) -> str:
    """The role in a sentence: 'a trainee', 'an educational supervisor'."""
    label = Role(role).label.lower()
    return f"{'an' if label[0] in 'aeiou' else 'a'} {label}"


TRUST_ROLES = (Role.TRAINEE, Role.SUPERVISOR, Role.CLM, Role.TRUST_ADMIN)
# Which role's home page a person with several roles lands on: the widest view first.
ROLE_PRECEDENCE = (Role.DEANERY, Role.TRUST_ADMIN, Role.CLM, Role.SUPERVISOR, Role.TRAINEE)


class Grade(models.TextChoices):
    F1 = "F1", "F1"
    F2 = "F2", "F2"
    CT1 = "CT1", "CT1"
    CT2 = "CT2", "CT2"
    CT3 = "CT3", "CT3"
    ST1 = "ST1", "ST1"
    ST2 = "ST2", "ST2"
    ST3 = "ST3", "ST3"
    ST4 = "ST4", "ST4"
    ST5 = "ST5", "ST5"
    ST6 = "ST6", "ST6"
    ST7 = "ST7", "ST7"
    ST8 = "ST8", "ST8"
    NON_TRAINING = "non_training", "Non-training grade"


EARLY_GRADES = frozenset({"F1", "F2", "CT1", "CT2", "CT3", "ST1", "ST2", "ST3"})
LATE_GRADES = frozenset({"ST4", "ST5", "ST6", "ST7", "ST8"})


def grade_stage(grade: str) -> str | None:
    """'early' (Foundation to ST3), 'late' (ST4 and above) or None (non-training)."""
    if grade in EARLY_GRADES:
        return "early"
    if grade in LATE_GRADES:
        return "late"
    return None


class Specialty(models.TextChoices):
    SURGICAL = "surgical", "Surgical specialties"
    OPHTHALMOLOGY = "ophthalmology", "Ophthalmology"
    ANAESTHETICS = "anaesthetics", "Anaesthetics"
    MEDICAL = "medical", "Medical specialties"
    EMERGENCY_MEDICINE = "emergency_medicine", "Emergency medicine"
    PAEDIATRICS = "paediatrics", "Paediatrics"
    OBSTETRICS_GYNAECOLOGY = "obstetrics_gynaecology", "Obstetrics and gynaecology"
    PSYCHIATRY = "psychiatry", "Psychiatry"
    RADIOLOGY = "radiology", "Radiology"
    PATHOLOGY = "pathology", "Pathology specialties"
    GENERAL_PRACTICE = "general_practice", "General practice"
    OTHER = "other", "Other"


class LeadershipActivity(models.TextChoices):
    """The surveys' leadership development activities (item suffix after `a_`, DOMAIN.md).

    Opportunity kinds map onto them, and a trainee's interests are chosen from them, so that
    uptake in the portal and answers in the surveys line up.
    """

    QI = "qi", "Quality improvement activity"
    RCA = "rca", "Root cause analysis investigation"
    MENTORING = "mentoring", "Mentoring or coaching"
    COURSE = "course", "A leadership course"
    HUMAN_FACTORS = "human_factors", "Non-technical skills or human factors course"
    QUALIFICATION = "qualification", "A leadership qualification"
    SHADOW_MANAGEMENT = "shadow_management", "Shadowing management colleagues"
    SHADOW_CLINICAL = "shadow_clinical", "Shadowing a clinical leadership colleague"
    MANAGEMENT_ROLE = "management_role", "Management role in the Trust, e.g. rota co-ordinator"
    ONLINE_COURSE = "online_course", "On-line leadership programme or course"
    ONLINE_RESOURCES = "online_resources", "Sign-posted online resources"
    OTHER = "other", "Other"


gmc_number_validator = RegexValidator(
    r"^\d{7}$", "Enter a GMC number of exactly 7 digits, like 1234567."
)


def gmc_number_field(**kwargs) -> models.CharField:
    """The one definition of a GMC number field (profiles add unique/null, invitations blank)."""
    return models.CharField("GMC number", max_length=7, validators=[gmc_number_validator], **kwargs)


ods_code_validator = RegexValidator(
    r"^[A-Z0-9]{3,5}$", "Enter an ODS code of 3 to 5 capital letters or digits, like RK9."
)


class Region(models.Model):
    code = models.CharField(max_length=10, unique=True)
    name = models.CharField(max_length=100)

    def __str__(self) -> str:
        return self.name


def open_on_q(day) -> Q:
    """The condition of `TrustQuerySet.open_on`, to filter or annotate with."""
    return Q(closed_on__isnull=True, is_active=True) | Q(closed_on__isnull=False, closed_on__gt=day)


class TrustQuerySet(models.QuerySet):
    def active(self) -> TrustQuerySet:
        return self.filter(is_active=True)

    def open_on(self, day) -> TrustQuerySet:
        """Trusts that existed on their own on `day`: active ones not yet closed, and closed
        ones that closed after it (a merger ends a Trust's own reporting)."""
        return self.filter(open_on_q(day))


class Trust(models.Model):
    class Kind(models.TextChoices):
        ACUTE = "acute", "Acute"
        MENTAL_HEALTH = "mental_health", "Mental health"
        COMMUNITY = "community", "Community"
        AMBULANCE = "ambulance", "Ambulance"

    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="trusts")
    ods_code = models.CharField(
        "ODS code", max_length=5, unique=True, validators=[ods_code_validator]
    )
    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=20, choices=Kind.choices)
    trainee_count = models.PositiveIntegerField(
        "number of trainees", default=0, help_text="Doctors in training placed in the Trust."
    )
    # Trusts merge and are renamed; an inactive Trust keeps its history.
    is_active = models.BooleanField(default=True)
    closed_on = models.DateField(
        "closed on",
        null=True,
        blank=True,
        help_text="The day the Trust stopped existing on its own (merged or dissolved).",
    )
    merged_into = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="merged_from",
        help_text="The Trust it merged into, which reports for it from then on.",
    )
    history = HistoricalRecords()

    objects = TrustQuerySet.as_manager()

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Site(models.Model):
    trust = models.ForeignKey(Trust, on_delete=models.CASCADE, related_name="sites")
    name = models.CharField(max_length=200)

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["trust", "name"], name="unique_site_name")]

    def __str__(self) -> str:
        return self.name


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create_user(self, email: str, password: str | None, **extra) -> User:
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **extra) -> User:
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra)

    def create_superuser(self, email: str, password: str | None = None, **extra) -> User:
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        return self._create_user(email, password, **extra)

    def supervised_by(self, supervisor: User) -> models.QuerySet:
        """Trainees linked to `supervisor` in a Trust where `supervisor` supervises now."""
        current = Membership.objects.filter(user=supervisor, role=Role.SUPERVISOR).values(
            "trust_id"
        )
        return self.filter(
            trainee_profile__educational_supervisor=supervisor,
            memberships__role=Role.TRAINEE,
            memberships__trust_id__in=current,
        ).distinct()

    def clms_of_placement(self, trainee: User) -> models.QuerySet:
        """The CLMs of the Trust where `trainee` is placed now (none: a vacancy)."""
        placement = Membership.objects.filter(user=trainee, role=Role.TRAINEE).values("trust_id")
        return self.filter(
            memberships__role=Role.CLM, memberships__trust_id__in=placement
        ).distinct()


class User(AbstractUser):
    """A person who signs in with their email address; what they may do comes from memberships."""

    username = None
    first_name = None
    last_name = None
    name = models.CharField("full name", max_length=150)
    email = models.EmailField("email address", unique=True)
    # Passwords and sign-in times are not history worth keeping.
    history = HistoricalRecords(excluded_fields=["password", "last_login"])

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["name"]

    objects = UserManager()

    class Meta:
        ordering = ["name", "email"]

    def __str__(self) -> str:
        return self.name or self.email

    def get_full_name(self) -> str:
        return self.name

    def get_short_name(self) -> str:
        return self.name.split(" ")[0] if self.name else self.email

    @cached_property
    def role_memberships(self) -> list[Membership]:
        """This person's memberships, loaded once per request (every permission check uses it)."""
        return list(self.memberships.select_related("trust"))

    def has_role(self, role: str, *, trust_id: int | None = None) -> bool:
        return any(
            m.role == role and (trust_id is None or m.trust_id == trust_id)
            for m in self.role_memberships
        )

    def has_any_role(self, *roles: str) -> bool:
        return any(m.role in roles for m in self.role_memberships)

    def trust_ids_for(self, *roles: str) -> set[int]:
        return {m.trust_id for m in self.role_memberships if m.role in roles and m.trust_id}

    def trusts_for(self, *roles: str) -> list[Trust]:
        seen: dict[int, Trust] = {}
        for m in self.role_memberships:
            if m.role in roles and m.trust_id:
                seen.setdefault(m.trust_id, m.trust)
        return sorted(seen.values(), key=lambda t: t.name)

    @cached_property
    def placement_clms(self) -> list[User]:
        """For a trainee's home page: who their CLM is and how to reach them."""
        return list(User.objects.clms_of_placement(self))

    @cached_property
    def supervised_trainee_count(self) -> int:
        return User.objects.supervised_by(self).count()

    @property
    def roles(self) -> list[str]:
        held = {m.role for m in self.role_memberships}
        return [r for r in ROLE_PRECEDENCE if r in held]

    @property
    def primary_role(self) -> str | None:
        roles = self.roles
        return roles[0] if roles else None


class MembershipQuerySet(models.QuerySet):
    def for_trust(self, trust: Trust) -> MembershipQuerySet:
        return self.filter(trust=trust)

    def with_role(self, *roles: str) -> MembershipQuerySet:
        return self.filter(role__in=roles)


class Membership(models.Model):
    """A person's role in one Trust, or in the whole region for deanery staff.

    For a trainee the membership is their current placement, and its dates are the
    placement's dates.
    """

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=20, choices=Role.choices)
    trust = models.ForeignKey(
        Trust, on_delete=models.PROTECT, null=True, blank=True, related_name="memberships"
    )
    region = models.ForeignKey(
        Region, on_delete=models.PROTECT, null=True, blank=True, related_name="memberships"
    )
    starts_on = models.DateField("from", null=True, blank=True)
    ends_on = models.DateField("to", null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    objects = MembershipQuerySet.as_manager()

    class Meta:
        ordering = ["role", "trust__name"]
        constraints = [
            models.UniqueConstraint(fields=["user", "role", "trust"], name="unique_membership"),
            models.UniqueConstraint(
                fields=["user"],
                condition=Q(role="trainee"),
                name="one_placement_per_trainee",
            ),
            models.CheckConstraint(
                condition=(Q(role="deanery", trust__isnull=True, region__isnull=False))
                | (~Q(role="deanery") & Q(trust__isnull=False, region__isnull=True)),
                name="membership_scope",
            ),
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True)
                | Q(starts_on__isnull=True)
                | Q(ends_on__gte=models.F("starts_on")),
                name="membership_dates_in_order",
            ),
        ]

    def __str__(self) -> str:
        where = self.trust or self.region
        return f"{self.user} — {self.get_role_display()}, {where}"


class TraineeProfile(models.Model):
    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="trainee_profile")
    grade = models.CharField(max_length=20, choices=Grade.choices)
    specialty = models.CharField(max_length=30, choices=Specialty.choices)
    gmc_number = gmc_number_field(unique=True, null=True, blank=True)
    educational_supervisor = models.ForeignKey(
        User,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="supervisees",
    )
    # What the trainee would like to try: codes of LeadershipActivity. Suggestions use them.
    interests = models.JSONField(
        "leadership interests",
        default=list,
        blank=True,
        help_text="Kinds of leadership experience you would like to try.",
    )
    history = HistoricalRecords()

    def __str__(self) -> str:
        return f"Trainee profile of {self.user}"

    @property
    def stage(self) -> str | None:
        return grade_stage(self.grade)


class SupervisorProfile(models.Model):
    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="supervisor_profile")
    gmc_number = gmc_number_field(unique=True, null=True, blank=True)
    specialty = models.CharField(max_length=30, choices=Specialty.choices, blank=True)
    opportunity_digest = models.BooleanField(
        "weekly opportunities email",
        default=True,
        help_text="A Monday email listing new opportunities open to your trainees' grades.",
    )
    history = HistoricalRecords()

    def __str__(self) -> str:
        return f"Supervisor profile of {self.user}"


def _new_token() -> str:
    # Kept for migration 0001, which named it as the old plain-text token's default.
    return secrets.token_urlsafe(32)


def token_digest(token: str) -> str:
    """What the database keeps of an invitation link's token: its SHA-256, never the token."""
    return hashlib.sha256(token.encode()).hexdigest()


def _invitation_expiry():
    return timezone.now() + timedelta(days=14)


class InvitationQuerySet(models.QuerySet):
    def pending(self) -> InvitationQuerySet:
        return self.filter(
            accepted_at__isnull=True, revoked_at__isnull=True, expires_at__gt=timezone.now()
        )

    def unsent(self) -> InvitationQuerySet:
        return self.pending().filter(sent_at__isnull=True)


class Invitation(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        ACCEPTED = "accepted", "Accepted"
        REVOKED = "revoked", "Revoked"
        EXPIRED = "expired", "Expired"

    # The link's token is minted when the email is sent and only its digest is kept, so a
    # copy of the database (or a backup) holds no working invitation link.
    # NULL, not "", until sent: many unsent invitations and one unique digest each.
    token_digest = models.CharField(  # noqa: DJ001
        max_length=64, unique=True, null=True, editable=False
    )
    email = models.EmailField("email address")
    name = models.CharField("full name", max_length=150)
    role = models.CharField(max_length=20, choices=Role.choices)
    trust = models.ForeignKey(
        Trust, on_delete=models.CASCADE, null=True, blank=True, related_name="invitations"
    )
    region = models.ForeignKey(
        Region, on_delete=models.CASCADE, null=True, blank=True, related_name="invitations"
    )
    grade = models.CharField(max_length=20, choices=Grade.choices, blank=True)
    specialty = models.CharField(max_length=30, choices=Specialty.choices, blank=True)
    gmc_number = gmc_number_field(blank=True)
    invited_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, related_name="invitations_sent"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(default=_invitation_expiry)
    sent_at = models.DateTimeField(null=True, blank=True)
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    revoked_at = models.DateTimeField(null=True, blank=True)
    # Each attempt to email the invitation, so a failing address shows instead of "Pending".
    send_attempts = models.PositiveSmallIntegerField(default=0)
    last_send_error = models.CharField(max_length=500, blank=True)
    last_attempt_at = models.DateTimeField(null=True, blank=True)
    history = HistoricalRecords(
        excluded_fields=["token_digest", "send_attempts", "last_send_error", "last_attempt_at"]
    )

    objects = InvitationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"Invitation for {self.email} as {self.get_role_display()}"

    @property
    def status(self) -> str:
        if self.accepted_at:
            return self.Status.ACCEPTED
        if self.revoked_at:
            return self.Status.REVOKED
        if self.expires_at <= timezone.now():
            return self.Status.EXPIRED
        return self.Status.PENDING

    def get_status_display(self) -> str:
        return self.Status(self.status).label

    @property
    def is_pending(self) -> bool:
        return self.status == self.Status.PENDING

    @property
    def send_failing(self) -> bool:
        """Pending, never sent, and at least one attempt to send it failed."""
        return self.is_pending and self.sent_at is None and self.send_attempts > 0

    def new_token(self) -> str:
        """Mint a link token, keep its digest (unsaved) and return the token for the email."""
        self.token = secrets.token_urlsafe(32)
        self.token_digest = token_digest(self.token)
        return self.token
