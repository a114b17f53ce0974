"""The programme's surveys: instruments (items as data), rounds, and anonymous responses.

Confidentiality is in the schema: a `Response` has no foreign key to a person, no time finer
than its round, and a random identifier; `Participation` (person, round) is kept apart and only
stops a second answer. Results are aggregates stored when a round is published (`Round.results`),
so no one can learn one person's answers by watching the figures change.
"""

from __future__ import annotations

import hashlib
import secrets
import uuid

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.utils import timezone

from trusts.models import Role, Trust, User

RESPONDENT_ROLES = ((Role.TRAINEE, "Trainee"), (Role.SUPERVISOR, "Educational supervisor"))
DEFAULT_THRESHOLD = 10


class Section(models.TextChoices):
    LEADERSHIP = "leadership", "Leadership in your work"
    MENTOR = "mentor", "The Clinical Leadership Mentor"
    ACTIVITIES = "activities", "Leadership development activities"
    USEFULNESS = "usefulness", "How useful the CLM's roles are"


class ItemKind(models.TextChoices):
    LIKERT = "likert", "Agreement, 1 (strongly disagree) to 6 (strongly agree)"
    YES_NO = "yes_no", "Yes or no"


LIKERT_CHOICES = (
    (1, "Strongly disagree"),
    (2, "Disagree"),
    (3, "Slightly disagree"),
    (4, "Slightly agree"),
    (5, "Agree"),
    (6, "Strongly agree"),
)
YES_NO_CHOICES = ((1, "Yes"), (0, "No"))
# "% agree": answers 4–6 over answers given; for yes/no items the share of yeses.
AGREE_FROM = {ItemKind.LIKERT: 4, ItemKind.YES_NO: 1}


class Instrument(models.Model):
    """One role's questionnaire. Locked once a round using it has responses: a later round
    with other items uses a new version (admin action "Make a new version")."""

    role = models.CharField(max_length=20, choices=RESPONDENT_ROLES)
    version = models.PositiveSmallIntegerField(default=1)
    name = models.CharField(max_length=200)

    class Meta:
        ordering = ["role", "version"]
        constraints = [
            models.UniqueConstraint(fields=["role", "version"], name="instrument_role_version")
        ]

    def __str__(self) -> str:
        return f"{self.name} (version {self.version})"

    @property
    def is_locked(self) -> bool:
        return Response.objects.filter(round__instruments=self, role=self.role).exists()


item_code_validator = RegexValidator(
    r"^[a-z][a-z0-9_]{1,59}$", "Use lower-case letters, digits and _, like t_leader."
)


class Item(models.Model):
    """A question. An item whose wording changes is a new item (a new code or a new version
    of the instrument): trends run only across items with the same code and wording."""

    instrument = models.ForeignKey(Instrument, on_delete=models.CASCADE, related_name="items")
    code = models.CharField(max_length=60, validators=[item_code_validator])
    text = models.CharField(max_length=300)
    kind = models.CharField(max_length=10, choices=ItemKind.choices, default=ItemKind.LIKERT)
    section = models.CharField(max_length=20, choices=Section.choices)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["instrument", "position", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["instrument", "code"], name="item_code_per_instrument")
        ]

    def __str__(self) -> str:
        return f"{self.code}: {self.text}"

    def clean(self) -> None:
        if self.instrument_id and self.instrument.is_locked:
            raise ValidationError(
                "This instrument has responses, so its items cannot change. "
                "Make a new version of it for later rounds."
            )

    @property
    def agree_from(self) -> int:
        return AGREE_FROM[self.kind]


class RoundQuerySet(models.QuerySet):
    def open_on(self, day) -> RoundQuerySet:
        return self.filter(closed_at__isnull=True, opens_on__lte=day, closes_on__gte=day)

    def published(self) -> RoundQuerySet:
        return self.filter(published_at__isnull=False)


class Round(models.Model):
    class State(models.TextChoices):
        SCHEDULED = "scheduled", "Not open yet"
        OPEN = "open", "Open"
        CLOSED = "closed", "Closed"

    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=80, unique=True)
    year = models.PositiveSmallIntegerField(
        help_text="The training year's first calendar year: 2025 means August 2025 to July 2026.",
        validators=[MinValueValidator(2015), MaxValueValidator(2100)],
    )
    instruments = models.ManyToManyField(Instrument, related_name="rounds")
    trusts = models.ManyToManyField(Trust, related_name="survey_rounds")
    opens_on = models.DateField()
    closes_on = models.DateField()
    threshold = models.PositiveSmallIntegerField(
        default=DEFAULT_THRESHOLD,
        validators=[MinValueValidator(1), MaxValueValidator(100)],
        help_text="A group's figures are shown only when it has more responses than this.",
    )
    closed_at = models.DateTimeField(null=True, blank=True)
    # The aggregate figures as published (see analysis.publish): counts per role, Trust,
    # grade and specialty, never a response. Empty until the round closes or is imported.
    published_at = models.DateTimeField(null=True, blank=True)
    results = models.JSONField(default=dict, blank=True, editable=False)
    created_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = RoundQuerySet.as_manager()

    class Meta:
        ordering = ["-year", "-opens_on", "name"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(closes_on__gte=models.F("opens_on")),
                name="round_closes_after_opening",
            )
        ]

    def __str__(self) -> str:
        return self.name

    def state_on(self, day) -> str:
        if self.closed_at or day > self.closes_on:
            return self.State.CLOSED
        if day < self.opens_on:
            return self.State.SCHEDULED
        return self.State.OPEN

    @property
    def state(self) -> str:
        return self.state_on(timezone.localdate())

    @property
    def is_open(self) -> bool:
        return self.state == self.State.OPEN

    def get_state_display(self) -> str:
        return self.State(self.state).label


class Channel(models.TextChoices):
    HOME = "home", "Signed in, from the home page"
    TRUST_LINK = "trust_link", "The Trust's open link"
    PERSONAL_LINK = "personal_link", "A single-use link"
    IMPORT = "import", "Imported from a file"


class Response(models.Model):
    """One person's answers, with nothing that says who they are. `answers` maps item codes to
    1–6 (Likert) or 1/0 (yes/no); an item left blank is not in it."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="responses")
    trust = models.ForeignKey(Trust, on_delete=models.PROTECT, related_name="+")
    role = models.CharField(max_length=20, choices=RESPONDENT_ROLES)
    grade = models.CharField(max_length=20, blank=True)
    specialty = models.CharField(max_length=30, blank=True)
    channel = models.CharField(max_length=20, choices=Channel.choices)
    answers = models.JSONField(default=dict)

    class Meta:
        indexes = [models.Index(fields=["round", "role", "trust"], name="response_round_role")]

    def __str__(self) -> str:
        return "A survey response"


class Participation(models.Model):
    """That a person has answered a round (signed in): it stops a second answer and is never
    joined to the answers."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="survey_participations")
    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="participations")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "round"], name="one_answer_per_round")
        ]

    def __str__(self) -> str:
        return f"{self.user} answered {self.round}"


def new_link_token() -> str:
    return secrets.token_urlsafe(24)


def link_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class SurveyLink(models.Model):
    """A link to answer without an account. A Trust's open link is shown to its staff to pass
    on; a single-use link is emailed to one person (the address is not kept) and is used up
    when submitted. A partial answer on a single-use link is kept on the link to resume."""

    class Kind(models.TextChoices):
        OPEN = "open", "Open link for the Trust"
        PERSONAL = "personal", "Single-use link"

    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="links")
    trust = models.ForeignKey(Trust, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    role = models.CharField(max_length=20, choices=RESPONDENT_ROLES, blank=True)
    # Open links keep their token to be shown again; single-use links only its digest.
    token = models.CharField(max_length=64, blank=True)
    token_digest = models.CharField(max_length=64, unique=True)
    used = models.BooleanField(default=False)
    draft = models.JSONField(default=dict, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["round", "trust"],
                condition=models.Q(kind="open"),
                name="one_open_link_per_trust",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} for {self.trust}"


class ExportRecord(models.Model):
    """The audit record of a raw-response export: who, when, which round, how many rows."""

    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="exports")
    by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(default=timezone.now)
    rows = models.PositiveIntegerField()

    class Meta:
        ordering = ["-at"]

    def __str__(self) -> str:
        return f"Raw export of {self.round} by {self.by} ({self.rows} responses)"
