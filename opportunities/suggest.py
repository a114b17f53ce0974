"""'Suggested for you': open opportunities ranked for one trainee, each with its reasons.

Candidates are the opportunities the trainee may apply for now: visible to them (their
Trust's and their region's), taking applications (open or on a waiting list, deadline not
passed), open to their grade, and not already applied for. Each earns points, and every point
comes with the sentence the trainee sees:

| reason                                             | points |
|----------------------------------------------------|--------|
| matches an interest on their profile               | 4      |
| a kind they have not done yet                      | 3      |
| in their own Trust (region-wide ones: 1)           | 2      |
| a first step (leadership literacy or workplace) for a trainee with no experience yet | 2 |
| fits within their current placement                | 1      |
| places left (not only a waiting list)              | 1      |
| closes within 14 days                              | 1      |

Ties go to the earlier deadline, then the newer opportunity. Three queries, however many
opportunities there are (the region of the trainee's Trust, the candidates and the kinds done;
the profile and the placement come with the user).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from django.utils import timezone

from trusts.models import LeadershipActivity, User

from .models import Application, ApplicationStatus, Opportunity, Tier
from .selectors import opportunities_visible_to, placement_of

INTEREST, NEW_KIND, OWN_TRUST, REGION, FIRST_STEP, FITS, PLACES, CLOSING = 4, 3, 2, 1, 2, 1, 1, 1
# How many candidates are scored: the soonest-closing, so the query stays cheap at any size.
CANDIDATES = 300


@dataclass
class Suggestion:
    opportunity: Opportunity
    score: int = 0
    reasons: list[str] = field(default_factory=list)

    def add(self, points: int, reason: str) -> None:
        self.score += points
        self.reasons.append(reason)


def suggestions_for(trainee: User, *, limit: int = 5) -> list[Suggestion]:
    profile = getattr(trainee, "trainee_profile", None)
    if profile is None:
        return []
    today = timezone.localdate()
    placement = placement_of(trainee)
    candidates = (
        opportunities_visible_to(user=trainee)
        .taking_applications(today)
        .open_to_grade(profile.grade)
        .exclude(applications__trainee=trainee)
        .select_related("trust", "site")
        .order_by("deadline", "-published_at", "pk")[:CANDIDATES]
    )
    done = Application.objects.filter(trainee=trainee, status=ApplicationStatus.COMPLETED)
    kinds_done = set(done.values_list("opportunity__kind", flat=True))
    experienced = bool(kinds_done)
    interests = set(profile.interests or [])
    labels = dict(LeadershipActivity.choices)
    scored = []
    for opportunity in candidates:
        s = Suggestion(opportunity)
        code = opportunity.activity_code
        if code in interests:
            s.add(INTEREST, f"You are interested in: {labels[code].lower()}.")
        if opportunity.kind not in kinds_done:
            s.add(NEW_KIND, "A kind of experience you have not had yet.")
        if opportunity.trust_id and placement and opportunity.trust_id == placement.trust_id:
            s.add(OWN_TRUST, f"In your Trust, {opportunity.trust.name}.")
        elif opportunity.trust_id is None:
            s.add(REGION, "Open to trainees across the region.")
        if not experienced and opportunity.tier in (Tier.LITERACY, Tier.WORKPLACE):
            s.add(FIRST_STEP, "A good first step: you have no confirmed experience yet.")
        if (
            placement
            and placement.ends_on
            and (
                opportunity.flexible_dates
                or opportunity.ends_on is None
                or opportunity.ends_on <= placement.ends_on
            )
        ):
            s.add(FITS, "It fits within your current placement.")
        if opportunity.places_left:
            s.add(
                PLACES,
                f"{opportunity.places_left} place{'s' if opportunity.places_left != 1 else ''} left.",
            )
        if opportunity.deadline and opportunity.deadline <= today + timedelta(days=14):
            s.add(CLOSING, f"Closes soon: {opportunity.deadline:%-d %B}.")
        if not s.reasons:
            s.add(0, "Open to your grade in your region.")
        scored.append(s)
    scored.sort(
        key=lambda s: (
            -s.score,
            s.opportunity.deadline or today + timedelta(days=3650),
            -(s.opportunity.published_at.timestamp() if s.opportunity.published_at else 0),
            s.opportunity.pk,
        )
    )
    return scored[:limit]
