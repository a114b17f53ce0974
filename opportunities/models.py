"""Leadership opportunities, applications to them, the waiting list, and the record they leave.

The application's states and the moves between them are in `workflow.py` (one table); the
places an opportunity holds are counted in `Opportunity.places_held`, changed only under a row
lock and bounded by a database constraint, so no code path can over-fill it.
"""

from __future__ import annotations

import hashlib
import secrets
import uuid
from datetime import date

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone

from mentors.models import GPCDomain
from trusts.models import Grade, LeadershipActivity, Region, Site, Trust, User


class Kind(models.TextChoices):
    """The kinds of opportunity named in the programme's sources (DOMAIN.md)."""

    BUDDYING = "buddying", "Buddying with an executive or manager"
    SHADOW_MANAGEMENT = "shadow_management", "Shadowing a manager"
    SHADOW_CLINICAL = "shadow_clinical", "Shadowing a clinical leader"
    QI_PROJECT = "qi_project", "Quality improvement project"
    RCA = "rca", "Root cause analysis or patient safety investigation"
    CHIEF_REGISTRAR = "chief_registrar", "Chief registrar post"
    FELLOWSHIP = "fellowship", "Leadership fellowship"
    COMMITTEE = "committee", "Committee or representative role"
    MANAGEMENT_ROLE = "management_role", "Management role, e.g. rota co-ordinator"
    OBSERVER = "observer", "Observer at a senior team or Board meeting"
    COURSE = "course", "Course, workshop, grand round or forum"
    MENTORING = "mentoring", "Mentoring or coaching"


# Each kind's activity code in the surveys (None: no survey item fits), so that uptake in the
# portal and the surveys' "have completed" answers can be read side by side.
KIND_ACTIVITY: dict[str, str | None] = {
    Kind.BUDDYING: LeadershipActivity.SHADOW_MANAGEMENT,
    Kind.SHADOW_MANAGEMENT: LeadershipActivity.SHADOW_MANAGEMENT,
    Kind.SHADOW_CLINICAL: LeadershipActivity.SHADOW_CLINICAL,
    Kind.QI_PROJECT: LeadershipActivity.QI,
    Kind.RCA: LeadershipActivity.RCA,
    Kind.CHIEF_REGISTRAR: LeadershipActivity.MANAGEMENT_ROLE,
    Kind.FELLOWSHIP: LeadershipActivity.QUALIFICATION,
    Kind.COMMITTEE: LeadershipActivity.MANAGEMENT_ROLE,
    Kind.MANAGEMENT_ROLE: LeadershipActivity.MANAGEMENT_ROLE,
    Kind.OBSERVER: LeadershipActivity.SHADOW_MANAGEMENT,
    Kind.COURSE: LeadershipActivity.COURSE,
    Kind.MENTORING: LeadershipActivity.MENTORING,
}


class Tier(models.TextChoices):
    LITERACY = "literacy", "Leadership literacy"
    WORKPLACE = "workplace", "Learner-driven workplace option"
    SUSTAINED = "sustained", "Sustained track or fellowship"


class OpportunityStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    OPEN = "open", "Open"
    FILLED = "filled", "Filled"
    CLOSED = "closed", "Closed"
    CANCELLED = "cancelled", "Cancelled"


class Booking(models.TextChoices):
    APPLICATION = "application", "By application: the CLM chooses"
    FIRST_COME = "first_come", "First come, first served: a place is taken on applying"


class OpportunityQuerySet(models.QuerySet):
    def published(self) -> OpportunityQuerySet:
        return self.exclude(status=OpportunityStatus.DRAFT)

    def taking_applications(self, today: date | None = None) -> OpportunityQuerySet:
        """Open (or filled, for the waiting list) with the deadline not passed."""
        today = today or timezone.localdate()
        return self.filter(
            Q(deadline__isnull=True) | Q(deadline__gte=today),
            status__in=(OpportunityStatus.OPEN, OpportunityStatus.FILLED),
        )

    def open_to_grade(self, grade: str) -> OpportunityQuerySet:
        """Those with no grade restriction, or listing `grade`."""
        return self.filter(Q(eligible_grades="") | Q(eligible_grades__contains=f",{grade},"))


class Opportunity(models.Model):
    # A Trust's opportunity, or a region-wide one (trust empty) posted by deanery staff. The
    # region is kept on both so that "my Trust's and my region's" is one filter.
    trust = models.ForeignKey(
        Trust, on_delete=models.PROTECT, null=True, blank=True, related_name="opportunities"
    )
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="opportunities")
    kind = models.CharField(max_length=30, choices=Kind.choices)
    title = models.CharField(max_length=200)
    description = models.TextField()
    host_name = models.CharField("host's name", max_length=150)
    host_role = models.CharField("host's role", max_length=150, blank=True)
    host_email = models.EmailField("host's email address")
    site = models.ForeignKey(
        Site, on_delete=models.SET_NULL, null=True, blank=True, related_name="opportunities"
    )
    gpc_domains = models.ManyToManyField(GPCDomain, blank=True, verbose_name="GPC domains")
    tier = models.CharField(max_length=20, choices=Tier.choices, default=Tier.WORKPLACE)
    # Grade codes between commas (",F1,F2,"), so that "open to F2" is one portable LIKE on
    # SQLite and PostgreSQL alike; empty means every grade. Read it through `grade_list`.
    eligible_grades = models.CharField(max_length=200, blank=True, default="")
    time_commitment = models.CharField(
        max_length=200, help_text="For example: one day; two hours a month for six months."
    )
    flexible_dates = models.BooleanField(
        "dates are flexible", default=False, help_text="Agreed with the trainee."
    )
    starts_on = models.DateField("start date", null=True, blank=True)
    ends_on = models.DateField("end date", null=True, blank=True)
    deadline = models.DateField("application deadline", null=True, blank=True)
    places = models.PositiveSmallIntegerField(
        "number of places", default=1, validators=[MinValueValidator(1), MaxValueValidator(500)]
    )
    # Offered, accepted, completed and did-not-attend applications: changed only by
    # `workflow` with this row locked, and never above `places` (constraint below).
    places_held = models.PositiveSmallIntegerField(default=0, editable=False)
    booking = models.CharField(max_length=20, choices=Booking.choices, default=Booking.APPLICATION)
    status = models.CharField(
        max_length=20, choices=OpportunityStatus.choices, default=OpportunityStatus.DRAFT
    )
    created_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, related_name="opportunities_created"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    published_at = models.DateTimeField(null=True, blank=True)
    # When the reminder before the start went out, so that the daily job sends it once.
    reminded_at = models.DateTimeField(null=True, blank=True, editable=False)

    objects = OpportunityQuerySet.as_manager()

    class Meta:
        ordering = ["deadline", "title"]
        verbose_name_plural = "opportunities"
        indexes = [
            models.Index(fields=["trust", "status", "deadline"], name="opp_trust_status"),
            models.Index(fields=["region", "status", "deadline"], name="opp_region_status"),
            models.Index(fields=["status", "-published_at"], name="opp_status_published"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(places_held__lte=F("places")), name="opportunity_never_overfilled"
            ),
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True)
                | Q(starts_on__isnull=True)
                | Q(ends_on__gte=F("starts_on")),
                name="opportunity_dates_in_order",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_region_wide(self) -> bool:
        return self.trust_id is None

    @property
    def places_left(self) -> int:
        return max(self.places - self.places_held, 0)

    @property
    def activity_code(self) -> str | None:
        return KIND_ACTIVITY.get(self.kind)

    @property
    def grade_list(self) -> list[str]:
        return [code for code in self.eligible_grades.split(",") if code]

    @grade_list.setter
    def grade_list(self, codes) -> None:
        order = list(Grade.values)
        codes = sorted(set(codes), key=lambda c: order.index(c) if c in order else len(order))
        self.eligible_grades = f",{','.join(codes)}," if codes else ""

    def is_open_to(self, grade: str | None) -> bool:
        return not self.eligible_grades or (bool(grade) and f",{grade}," in self.eligible_grades)

    def get_eligible_grades_display(self) -> str:
        if not self.eligible_grades:
            return "All grades"
        labels = dict(Grade.choices)
        return ", ".join(labels.get(code, code) for code in self.grade_list)

    def takes_applications(self, today: date | None = None) -> bool:
        today = today or timezone.localdate()
        return self.status in (OpportunityStatus.OPEN, OpportunityStatus.FILLED) and (
            self.deadline is None or self.deadline >= today
        )


class ApplicationStatus(models.TextChoices):
    SUBMITTED = "submitted", "Submitted"
    SHORTLISTED = "shortlisted", "Shortlisted"
    WAITLISTED = "waitlisted", "On the waiting list"
    OFFERED = "offered", "Offered a place"
    ACCEPTED = "accepted", "Accepted"
    COMPLETED = "completed", "Completed"
    DECLINED = "declined", "Declined"
    WITHDRAWN = "withdrawn", "Withdrawn"
    UNSUCCESSFUL = "unsuccessful", "Unsuccessful"
    OFFER_EXPIRED = "offer_expired", "Offer expired"
    DID_NOT_ATTEND = "did_not_attend", "Did not attend"
    CANCELLED_BY_HOST = "cancelled_by_host", "Cancelled by the host"


# The states in which an application holds one of the opportunity's places.
HOLDS_PLACE = frozenset(
    {
        ApplicationStatus.OFFERED,
        ApplicationStatus.ACCEPTED,
        ApplicationStatus.COMPLETED,
        ApplicationStatus.DID_NOT_ATTEND,
    }
)
# Still in play: counted as a trainee's live commitments on the match board.
LIVE = frozenset(
    {
        ApplicationStatus.SUBMITTED,
        ApplicationStatus.SHORTLISTED,
        ApplicationStatus.WAITLISTED,
        ApplicationStatus.OFFERED,
        ApplicationStatus.ACCEPTED,
    }
)


class Source(models.TextChoices):
    APPLICATION = "application", "Applied"
    INVITATION = "invitation", "Invited by the CLM"


class Application(models.Model):
    opportunity = models.ForeignKey(
        Opportunity, on_delete=models.CASCADE, related_name="applications"
    )
    trainee = models.ForeignKey(User, on_delete=models.PROTECT, related_name="applications")
    source = models.CharField(max_length=20, choices=Source.choices, default=Source.APPLICATION)
    statement = models.TextField(
        "why you are interested", blank=True, help_text="A few sentences are enough."
    )
    availability = models.CharField(
        max_length=300, blank=True, help_text="Days, sites or rota patterns that suit you."
    )
    status = models.CharField(
        max_length=20, choices=ApplicationStatus.choices, default=ApplicationStatus.SUBMITTED
    )
    # The waiting list's order: when the application joined it (then its id).
    waitlisted_at = models.DateTimeField(null=True, blank=True)
    offer_expires_at = models.DateTimeField(null=True, blank=True)
    # Whether the trainee had a confirmed experience before this application; fair-access
    # figures compare offer rates of first-timers and of trainees already placed.
    first_timer = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["opportunity", "trainee"], name="one_application_per_opportunity"
            ),
        ]
        indexes = [
            models.Index(fields=["opportunity", "status", "waitlisted_at"], name="app_waitlist"),
            models.Index(fields=["trainee", "status"], name="app_trainee_status"),
            models.Index(fields=["status", "offer_expires_at"], name="app_offer_expiry"),
        ]

    def __str__(self) -> str:
        return f"{self.trainee} for {self.opportunity}"

    @property
    def holds_place(self) -> bool:
        return self.status in HOLDS_PLACE


class ApplicationEvent(models.Model):
    """Every change of an application's state: who, when, from what to what, and why."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="events")
    from_status = models.CharField(max_length=20, choices=ApplicationStatus.choices, blank=True)
    to_status = models.CharField(max_length=20, choices=ApplicationStatus.choices)
    # Empty when the portal itself acted (an offer expiring, the waiting list moving on) or
    # the host confirmed through their emailed link.
    by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    by_label = models.CharField(max_length=150, blank=True)
    reason = models.TextField(blank=True)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.from_status or 'new'} → {self.to_status}"

    @property
    def actor(self) -> str:
        if self.by_id:
            return str(self.by)
        return self.by_label or "The portal"


class Reflection(models.Model):
    """What the trainee did and learned, and who confirmed it: the portfolio evidence."""

    application = models.OneToOneField(
        Application, on_delete=models.CASCADE, related_name="reflection"
    )
    what_i_did = models.TextField("what you did")
    what_i_learned = models.TextField("what you learned")
    gpc_domains = models.ManyToManyField(GPCDomain, blank=True, verbose_name="GPC domains")
    submitted_at = models.DateTimeField(default=timezone.now)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    confirmed_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # Set when the host confirmed through the emailed link: their name as on the opportunity.
    confirmed_by_host = models.CharField(max_length=150, blank=True)
    # The host's single-use link: only its SHA-256 is kept; used up on confirmation.
    host_token_digest = models.CharField(  # noqa: DJ001
        max_length=64, unique=True, null=True, blank=True, editable=False
    )
    host_link_sent_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"Reflection on {self.application}"

    @property
    def is_confirmed(self) -> bool:
        return self.confirmed_at is not None

    def new_host_token(self) -> str:
        token = secrets.token_urlsafe(32)
        self.host_token_digest = hashlib.sha256(token.encode()).hexdigest()
        return token


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class Rating(models.Model):
    """A trainee's answers to the two self-rating items, when applying and at completion.

    No page shows a row: only paired changes per kind, over more than ten trainees
    (`selectors.rating_changes`). There is no admin for this model and no export of it.
    """

    class Moment(models.TextChoices):
        APPLYING = "applying", "When applying"
        COMPLETION = "completion", "At completion"

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="+")
    moment = models.CharField(max_length=20, choices=Moment.choices)
    # "I consider myself a leader" and "I feel confident to lead change in my workplace", 1-6.
    leader = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(1), MaxValueValidator(6)]
    )
    lead_change = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(1), MaxValueValidator(6)]
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["application", "moment"], name="one_rating_per_moment"),
            models.CheckConstraint(
                condition=Q(leader__gte=1, leader__lte=6, lead_change__gte=1, lead_change__lte=6),
                name="rating_on_scale",
            ),
        ]

    def __str__(self) -> str:
        return "A self-rating"


class Recommendation(models.Model):
    """An educational supervisor suggesting an opportunity to one of their supervisees."""

    opportunity = models.ForeignKey(
        Opportunity, on_delete=models.CASCADE, related_name="recommendations"
    )
    trainee = models.ForeignKey(User, on_delete=models.CASCADE, related_name="recommendations")
    supervisor = models.ForeignKey(User, on_delete=models.CASCADE, related_name="+")
    note = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["opportunity", "trainee", "supervisor"], name="one_recommendation"
            )
        ]

    def __str__(self) -> str:
        return f"{self.supervisor} recommends {self.opportunity} to {self.trainee}"


class RecordIssue(models.Model):
    """One download of a trainee's leadership record: the PDF's verification link finds it,
    and shows whether each experience it listed still stands."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    trainee = models.ForeignKey(User, on_delete=models.CASCADE, related_name="record_issues")
    applications = models.ManyToManyField(Application, related_name="+")
    issued_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-issued_at"]

    def __str__(self) -> str:
        return f"Leadership record of {self.trainee}, {self.issued_at:%d %b %Y}"


class Notification(models.Model):
    """A message to one person: listed in the portal, and emailed through Celery."""

    class Kind(models.TextChoices):
        APPLICATION_RECEIVED = "application_received", "Application received"
        DECISION = "decision", "Decision on an application"
        OFFER = "offer", "Offer of a place"
        INVITATION = "invitation", "Invitation to an opportunity"
        RECOMMENDATION = "recommendation", "Recommendation from a supervisor"
        REMINDER = "reminder", "Reminder before the start"
        UNDECIDED = "undecided", "Applications waiting for a decision"
        REFLECTION = "reflection", "Reflection to confirm"
        CONFIRMED = "confirmed", "Experience confirmed"
        DIGEST = "digest", "New opportunities for your trainees"

    class EmailStatus(models.TextChoices):
        PENDING = "pending", "Not sent yet"
        SENT = "sent", "Sent"
        FAILED = "failed", "Failed"
        NOT_EMAILED = "not_emailed", "Not emailed"

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="notifications")
    kind = models.CharField(max_length=30, choices=Kind.choices)
    subject = models.CharField(max_length=200)
    body = models.TextField()
    # A portal path (reversed when the notification was made) the message links to.
    link = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)
    email_status = models.CharField(
        max_length=20, choices=EmailStatus.choices, default=EmailStatus.PENDING
    )
    email_attempts = models.PositiveSmallIntegerField(default=0)
    email_error = models.CharField(max_length=500, blank=True)
    emailed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["user", "read_at"], name="notification_unread"),
            models.Index(fields=["email_status", "created_at"], name="notification_email_due"),
        ]

    def __str__(self) -> str:
        return self.subject


class FairAccessSnapshot(models.Model):
    """Every Trust's fair-access coverage and the region's self-rating change for a training
    year, computed by a Celery beat job (hourly) because the live query over every Trust is too
    slow for a page at national scale; the page shows when it was computed."""

    year = models.DateField(unique=True, help_text="1 August of the training year.")
    computed_at = models.DateTimeField()
    rows = models.JSONField(default=list)
    changes = models.JSONField(default=list)

    class Meta:
        ordering = ["-year"]

    def __str__(self) -> str:
        return f"Fair access {self.year:%Y}, computed {self.computed_at:%d %b %Y %H:%M}"
