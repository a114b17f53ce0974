"""Reads for opportunities: what each reader may see. Every view reads through these.

- trainees: published opportunities of the Trust they are placed in and region-wide ones of
  its region, plus anything they have applied to; their own applications only;
- educational supervisors: published opportunities of the Trusts where they supervise (and
  the region's), and their current supervisees' applications;
- CLMs and Trust administrators: everything of their Trust(s), and the region's published
  region-wide ones;
- deanery staff: everything.
"""

from __future__ import annotations

from django.db.models import Count, Q, QuerySet

from clm_portal.permissions import TRUST_STAFF, trust_ids_in_scope
from trusts.models import Membership, Role, Trust, User

from .models import (
    Application,
    ApplicationStatus,
    Opportunity,
    OpportunityStatus,
    RecordIssue,
    Reflection,
)


def _region_ids(trust_ids) -> set[int]:
    return set(Trust.objects.filter(pk__in=trust_ids).values_list("region_id", flat=True))


def opportunities_visible_to(*, user: User) -> QuerySet[Opportunity]:
    """Every opportunity `user` may open (drafts only for those who manage them)."""
    qs = Opportunity.objects.select_related("trust", "site", "region")
    if not user.is_authenticated:
        return qs.none()
    if user.has_role(Role.DEANERY):
        return qs
    staff = user.trust_ids_for(*TRUST_STAFF)
    readers = user.trust_ids_for(Role.TRAINEE, Role.SUPERVISOR)
    published = ~Q(status=OpportunityStatus.DRAFT)
    regions = _region_ids(staff | readers)
    condition = Q(trust_id__in=staff) | (
        published & (Q(trust_id__in=readers) | Q(trust__isnull=True, region_id__in=regions))
    )
    if user.has_role(Role.TRAINEE):
        condition |= Q(applications__trainee=user)
    return qs.filter(condition).distinct() if user.has_role(Role.TRAINEE) else qs.filter(condition)


def opportunities_managed_by(*, user: User) -> QuerySet[Opportunity]:
    """The opportunities `user` may edit and decide on: their Trust's; region-wide for the
    deanery."""
    qs = Opportunity.objects.select_related("trust", "site", "region")
    if not user.is_authenticated:
        return qs.none()
    if user.has_role(Role.DEANERY):
        return qs
    return qs.filter(trust_id__in=user.trust_ids_for(*TRUST_STAFF))


def manageable_trusts_for(*, user: User) -> QuerySet[Trust]:
    """The Trusts `user` may post opportunities in."""
    ids = trust_ids_in_scope(user, *TRUST_STAFF)
    qs = Trust.objects.active()
    return qs if ids is None else qs.filter(pk__in=ids)


def applications_visible_to(*, user: User) -> QuerySet[Application]:
    """The applications `user` may see: their own (trainee), their current supervisees'
    (supervisor), their Trust's (staff), all (deanery)."""
    qs = Application.objects.select_related("opportunity__trust", "opportunity__region", "trainee")
    if not user.is_authenticated:
        return qs.none()
    if user.has_role(Role.DEANERY):
        return qs
    condition = Q(trainee=user)
    staff = user.trust_ids_for(*TRUST_STAFF)
    if staff:
        condition |= Q(opportunity__trust_id__in=staff)
        # Region-wide opportunities: the staff see their own Trust's trainees' applications.
        condition |= Q(
            opportunity__trust__isnull=True,
            trainee__memberships__role=Role.TRAINEE,
            trainee__memberships__trust_id__in=staff,
        )
    if user.has_role(Role.SUPERVISOR):
        condition |= Q(trainee__in=User.objects.supervised_by(user).values("pk"))
    return qs.filter(condition).distinct()


def applications_managed_by(*, user: User) -> QuerySet[Application]:
    """The applications `user` decides on: those to opportunities they manage."""
    return Application.objects.select_related(
        "opportunity__trust", "trainee__trainee_profile"
    ).filter(opportunity__in=opportunities_managed_by(user=user).values("pk"))


def placement_of(trainee: User) -> Membership | None:
    return next((m for m in trainee.role_memberships if m.role == Role.TRAINEE), None)


def confirmed_experience_count(*, trainee: User) -> int:
    return Application.objects.filter(trainee=trainee, status=ApplicationStatus.COMPLETED).count()


def confirmed_experiences(*, trainee: User) -> QuerySet[Application]:
    """A trainee's confirmed experiences, newest first: their leadership record."""
    return (
        Application.objects.filter(trainee=trainee, status=ApplicationStatus.COMPLETED)
        .select_related("opportunity__trust", "opportunity__site", "reflection")
        .prefetch_related("reflection__gpc_domains", "opportunity__gpc_domains")
        .order_by("-completed_at")
    )


def waiting_list_position(application: Application) -> int | None:
    """1 for the first on the waiting list; None if not waiting."""
    if application.status != ApplicationStatus.WAITLISTED:
        return None
    ahead = Application.objects.filter(
        opportunity_id=application.opportunity_id, status=ApplicationStatus.WAITLISTED
    ).filter(
        Q(waitlisted_at__lt=application.waitlisted_at)
        | Q(waitlisted_at=application.waitlisted_at, pk__lt=application.pk)
    )
    return ahead.count() + 1


def reflection_by_host_token(*, token: str) -> Reflection | None:
    from .models import token_digest

    if not token:
        return None
    return (
        Reflection.objects.select_related("application__opportunity", "application__trainee")
        .filter(host_token_digest=token_digest(token))
        .first()
    )


def unread_notification_count(*, user: User) -> int:
    return user.notifications.filter(read_at__isnull=True).count()


def applicant_counts(opportunities: QuerySet[Opportunity]) -> QuerySet[Opportunity]:
    """Annotate each opportunity with its live applications and its waiting list."""
    return opportunities.annotate(
        applicant_count=Count(
            "applications",
            filter=Q(
                applications__status__in=(
                    ApplicationStatus.SUBMITTED,
                    ApplicationStatus.SHORTLISTED,
                )
            ),
        ),
        waitlist_count=Count(
            "applications", filter=Q(applications__status=ApplicationStatus.WAITLISTED)
        ),
    )


def filter_trusts_for(*, user: User) -> QuerySet[Trust]:
    """The Trusts offered in the opportunity search's Trust filter: every Trust for deanery
    staff, otherwise the Trusts of the reader's roles."""
    if user.has_role(Role.DEANERY):
        return Trust.objects.active()
    return Trust.objects.filter(pk__in=user.trust_ids_for(*Role.values))


def with_waiting_positions(applications: QuerySet[Application]) -> QuerySet[Application]:
    """Annotate `ahead`: how many are before each application on its waiting list (one
    subquery, so a list of applications costs one query)."""
    from django.db.models import OuterRef, Subquery

    ahead = (
        Application.objects.filter(
            opportunity_id=OuterRef("opportunity_id"), status=ApplicationStatus.WAITLISTED
        )
        .filter(
            Q(waitlisted_at__lt=OuterRef("waitlisted_at"))
            | Q(waitlisted_at=OuterRef("waitlisted_at"), pk__lt=OuterRef("pk"))
        )
        .order_by()
        .values("opportunity_id")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return applications.annotate(ahead=Subquery(ahead))


def with_events(applications: QuerySet[Application]) -> QuerySet[Application]:
    """Each application's history (who, when, from, to, why) in one more query."""
    from django.db.models import Prefetch

    from .models import ApplicationEvent

    return applications.prefetch_related(
        Prefetch("events", queryset=ApplicationEvent.objects.select_related("by"))
    )


def record_issue(*, public_id) -> RecordIssue | None:
    """An issued leadership record, with its experiences and whether each still stands."""
    from django.db.models import Prefetch

    return (
        RecordIssue.objects.select_related("trainee")
        .prefetch_related(
            Prefetch(
                "applications",
                queryset=Application.objects.select_related("opportunity__trust", "reflection"),
            )
        )
        .filter(public_id=public_id)
        .first()
    )


def notifications_for(*, user: User):
    return user.notifications.all()
