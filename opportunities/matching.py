"""The match board: the trainees a CLM might invite to an opportunity, fewest experiences first.

Trainees placed in the opportunity's Trust (the region's, for a region-wide one) whose grade is
eligible, and who have no application to it past the deciding stage. Each comes with their
confirmed experiences and their live commitments (applications in play, offers and places
held), so that places spread across trainees rather than go to those already known. Two
queries for a page, however many trainees and applications there are.
"""

from __future__ import annotations

from django.db.models import Count, OuterRef, Prefetch, Q, QuerySet, Subquery

from trusts.models import Role, User

from .models import LIVE, Application, ApplicationStatus, Opportunity
from .services import BUSY_THRESHOLD

OPEN_TO_INVITE = (
    ApplicationStatus.SUBMITTED,
    ApplicationStatus.SHORTLISTED,
    ApplicationStatus.WAITLISTED,
)


def match_candidates(opportunity: Opportunity) -> QuerySet[User]:
    """The board's trainees, annotated `experiences`, `commitments` and `application_status`
    (their application to this opportunity, if any); fewest experiences first, then name."""
    placed = Q(memberships__role=Role.TRAINEE)
    if opportunity.trust_id:
        placed &= Q(memberships__trust_id=opportunity.trust_id)
    else:
        placed &= Q(memberships__trust__region_id=opportunity.region_id)
    qs = User.objects.filter(placed, is_active=True)
    if opportunity.grade_list:
        qs = qs.filter(trainee_profile__grade__in=opportunity.grade_list)
    decided = Application.objects.filter(opportunity=opportunity).exclude(status__in=OPEN_TO_INVITE)
    own = Application.objects.filter(opportunity=opportunity, trainee=OuterRef("pk"))
    return (
        qs.exclude(pk__in=decided.values("trainee_id"))
        .select_related("trainee_profile")
        .annotate(
            experiences=Count(
                "applications",
                filter=Q(applications__status=ApplicationStatus.COMPLETED),
                distinct=True,
            ),
            commitments=Count(
                "applications", filter=Q(applications__status__in=LIVE), distinct=True
            ),
            application_status=Subquery(own.values("status")[:1]),
            application_id=Subquery(own.values("pk")[:1]),
        )
        .prefetch_related(
            Prefetch(
                "applications",
                queryset=Application.objects.filter(status__in=LIVE)
                .select_related("opportunity")
                .order_by("-updated_at"),
                to_attr="live_applications",
            )
        )
        .order_by("experiences", "name", "pk")
    )


def is_busy(trainee: User) -> bool:
    return getattr(trainee, "commitments", 0) >= BUSY_THRESHOLD
