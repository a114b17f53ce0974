"""Writes for opportunities: publishing, applying, deciding, inviting, recommending, and the
record. Each checks who may do it (rules), validates, and changes nothing on error. State
changes of applications go through `workflow.move` (the one table of transitions)."""

from __future__ import annotations

import logging

import rules
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from clm_portal.emails import send_templated_email
from clm_portal.queue import enqueue_on_commit
from trusts.models import Role, Trust, User

from . import notifications
from .models import (
    LIVE,
    Application,
    ApplicationEvent,
    Booking,
    Opportunity,
    OpportunityStatus,
    Rating,
    Recommendation,
    Reflection,
    Source,
)
from .models import ApplicationStatus as S
from .selectors import opportunities_visible_to, placement_of
from .workflow import (
    HOST,
    STAFF,
    SYSTEM,
    TRAINEE,
    lock_opportunity,
    move,
    schedule_fill,
    still_eligible,
)

logger = logging.getLogger(__name__)

# Fields a CLM edits on an opportunity (besides GPC domains and eligible grades).
OPPORTUNITY_FIELDS = (
    "kind",
    "title",
    "description",
    "host_name",
    "host_role",
    "host_email",
    "site",
    "tier",
    "time_commitment",
    "flexible_dates",
    "starts_on",
    "ends_on",
    "deadline",
    "places",
    "booking",
)
# Live commitments at or above this number warn the CLM on the match board and on inviting.
BUSY_THRESHOLD = 3


def _check_manage(by: User, target) -> None:
    if not rules.has_perm("opportunities.manage_opportunity", by, target):
        raise PermissionDenied


# --- Opportunities --------------------------------------------------------------------------


def opportunity_create(
    *, by: User, trust: Trust | None, gpc_domains=(), grades=(), **fields
) -> Opportunity:
    """A new draft in `trust` (None: region-wide, deanery staff only)."""
    if trust is None:
        if not by.has_role(Role.DEANERY):
            raise PermissionDenied
        region = next(m.region for m in by.role_memberships if m.role == Role.DEANERY)
    else:
        _check_manage(by, trust)
        region = trust.region
    opportunity = Opportunity(trust=trust, region=region, created_by=by, **fields)
    opportunity.grade_list = grades
    _check_site(opportunity)
    opportunity.full_clean(exclude=["created_by"])
    with transaction.atomic():
        opportunity.save()
        opportunity.gpc_domains.set(gpc_domains)
    return opportunity


def _check_site(opportunity: Opportunity) -> None:
    if opportunity.site_id and opportunity.site.trust_id != opportunity.trust_id:
        raise ValidationError({"site": "Choose a site of the opportunity's Trust."})


def opportunity_update(
    *, by: User, opportunity: Opportunity, gpc_domains=None, grades=None, **fields
) -> Opportunity:
    """Edit an opportunity. Places cannot drop below those already held; added places (or
    an edit that widens eligibility) are offered to the waiting list after commit."""
    _check_manage(by, opportunity)
    with transaction.atomic():
        locked = lock_opportunity(opportunity.pk)
        if locked.status == OpportunityStatus.CANCELLED:
            raise ValidationError("A cancelled opportunity cannot be changed; copy it instead.")
        for name, value in fields.items():
            setattr(locked, name, value)
        if grades is not None:
            locked.grade_list = grades
        if locked.places < locked.places_held:
            raise ValidationError(
                {
                    "places": f"{locked.places_held} places are already offered or taken: the "
                    f"number of places cannot be less than {locked.places_held}."
                }
            )
        _check_site(locked)
        locked.full_clean(exclude=["created_by"])
        if locked.status == OpportunityStatus.FILLED and locked.places_held < locked.places:
            locked.status = OpportunityStatus.OPEN
        elif locked.status == OpportunityStatus.OPEN and locked.places_held >= locked.places:
            locked.status = OpportunityStatus.FILLED
        locked.save()
        if gpc_domains is not None:
            locked.gpc_domains.set(gpc_domains)
        schedule_fill(locked.pk)
    return locked


def opportunity_copy(*, by: User, opportunity: Opportunity) -> Opportunity:
    """A new draft with the same details (no dates, deadline or applications)."""
    _check_manage(by, opportunity)
    copy = Opportunity(
        trust=opportunity.trust,
        region=opportunity.region,
        created_by=by,
        eligible_grades=opportunity.eligible_grades,
        **{name: getattr(opportunity, name) for name in OPPORTUNITY_FIELDS},
    )
    copy.title = f"{opportunity.title} (copy)"[:200]
    copy.starts_on = copy.ends_on = copy.deadline = None
    with transaction.atomic():
        copy.save()
        copy.gpc_domains.set(opportunity.gpc_domains.all())
    return copy


# status -> the statuses an opportunity may be moved to by its staff.
OPPORTUNITY_MOVES = {
    OpportunityStatus.DRAFT: (OpportunityStatus.OPEN, OpportunityStatus.CANCELLED),
    OpportunityStatus.OPEN: (OpportunityStatus.CLOSED, OpportunityStatus.CANCELLED),
    OpportunityStatus.FILLED: (OpportunityStatus.CLOSED, OpportunityStatus.CANCELLED),
    OpportunityStatus.CLOSED: (OpportunityStatus.OPEN, OpportunityStatus.CANCELLED),
    OpportunityStatus.CANCELLED: (),
}


def opportunity_set_status(
    *, by: User, opportunity: Opportunity, status: str, reason: str = ""
) -> Opportunity:
    """Publish (draft → open), close, re-open or cancel. Cancelling ends every live
    application: places taken are cancelled by the host, the rest are unsuccessful."""
    _check_manage(by, opportunity)
    with transaction.atomic():
        locked = lock_opportunity(opportunity.pk)
        if status not in OPPORTUNITY_MOVES[locked.status]:
            raise ValidationError(
                f"A {locked.get_status_display().lower()} opportunity cannot be "
                f"{OpportunityStatus(status).label.lower()}."
            )
        if status == OpportunityStatus.OPEN and locked.published_at is None:
            locked.published_at = timezone.now()
        if status == OpportunityStatus.CANCELLED:
            why = reason.strip() or "The opportunity was cancelled."
            for application in locked.applications.filter(status__in=LIVE):
                to = S.CANCELLED_BY_HOST if application.status == S.ACCEPTED else S.UNSUCCESSFUL
                application = move(
                    application, to, actor=STAFF, by=by, reason=why, opportunity=locked
                )
                notifications.notify_decision(application)
        locked.status = status
        if status == OpportunityStatus.OPEN and locked.places_held >= locked.places:
            locked.status = OpportunityStatus.FILLED
        locked.save(update_fields=["status", "published_at", "updated_at"])
        if locked.status == OpportunityStatus.OPEN:
            schedule_fill(locked.pk)
    return locked


# --- Applying ---------------------------------------------------------------------------------


def _check_rating(leader, lead_change) -> None:
    for name, value in (("leader", leader), ("lead_change", lead_change)):
        if value is None or not 1 <= int(value) <= 6:
            raise ValidationError({name: "Choose an answer from 1 to 6."})


def application_submit(
    *,
    trainee: User,
    opportunity: Opportunity,
    statement: str = "",
    availability: str = "",
    leader: int,
    lead_change: int,
) -> Application:
    """Apply (one application per trainee per opportunity). For first-come opportunities a
    free place is taken at once, else the trainee joins the waiting list."""
    if not rules.has_perm("opportunities.apply", trainee):
        raise PermissionDenied
    if not opportunities_visible_to(user=trainee).filter(pk=opportunity.pk).exists():
        raise PermissionDenied
    _check_rating(leader, lead_change)
    profile = getattr(trainee, "trainee_profile", None)
    if not opportunity.takes_applications():
        raise ValidationError("This opportunity is not taking applications.")
    if not opportunity.is_open_to(profile.grade if profile else None):
        raise ValidationError(
            f"This opportunity is open to {opportunity.get_eligible_grades_display()} only."
        )
    if opportunity.booking == Booking.APPLICATION and not statement.strip():
        raise ValidationError({"statement": "Say in a few sentences why you are interested."})
    first_timer = not Application.objects.filter(trainee=trainee, status=S.COMPLETED).exists()
    try:
        with transaction.atomic():
            locked = lock_opportunity(opportunity.pk)
            if not locked.takes_applications():
                raise ValidationError("This opportunity is not taking applications.")
            application = Application.objects.create(
                opportunity=locked,
                trainee=trainee,
                statement=statement.strip(),
                availability=availability.strip(),
                first_timer=first_timer,
            )
            ApplicationEvent.objects.create(
                application=application, to_status=S.SUBMITTED, by=trainee
            )
            Rating.objects.create(
                application=application,
                moment=Rating.Moment.APPLYING,
                leader=leader,
                lead_change=lead_change,
            )
            if locked.booking == Booking.FIRST_COME:
                if locked.places_held < locked.places:
                    application = move(application, S.OFFERED, actor=SYSTEM, opportunity=locked)
                    application = move(
                        application, S.ACCEPTED, actor=TRAINEE, by=trainee, opportunity=locked
                    )
                else:
                    application = move(application, S.WAITLISTED, actor=SYSTEM, opportunity=locked)
                    notifications.notify_decision(application)
            notifications.notify_application_received(application)
    except IntegrityError as error:
        if (
            "one_application_per_opportunity" in str(error)
            or Application.objects.filter(opportunity=opportunity, trainee=trainee).exists()
        ):
            raise ValidationError("You have already applied for this opportunity.") from error
        raise
    return application


def _own(trainee: User, application: Application) -> None:
    if not rules.has_perm("opportunities.act_on_application", trainee, application):
        raise PermissionDenied


def application_accept(*, trainee: User, application: Application) -> Application:
    _own(trainee, application)
    with transaction.atomic():
        locked = Application.objects.select_for_update().get(pk=application.pk)
        if (
            locked.status == S.OFFERED
            and locked.offer_expires_at
            and locked.offer_expires_at <= timezone.now()
        ):
            raise ValidationError(
                "This offer has expired: the place has passed to the next person."
            )
        return move(locked, S.ACCEPTED, actor=TRAINEE, by=trainee)


def application_decline(*, trainee: User, application: Application) -> Application:
    _own(trainee, application)
    return move(application, S.DECLINED, actor=TRAINEE, by=trainee)


def application_withdraw(
    *, trainee: User, application: Application, reason: str = ""
) -> Application:
    _own(trainee, application)
    return move(application, S.WITHDRAWN, actor=TRAINEE, by=trainee, reason=reason)


def application_decide(
    *, by: User, application: Application, to: str, reason: str = ""
) -> Application:
    """A decision by the opportunity's staff: shortlist, offer, waiting list, unsuccessful,
    did not attend, cancel a place. An offer re-checks eligibility."""
    _check_manage(by, application.opportunity)
    if to == S.OFFERED and (why := still_eligible(application)):
        raise ValidationError(f"This trainee cannot be offered a place: {why}")
    if to == S.COMPLETED:
        return reflection_confirm(by=by, application=application)
    application = move(application, to, actor=STAFF, by=by, reason=reason)
    if to == S.OFFERED:
        notifications.notify_offer(application)
    elif to != S.SHORTLISTED:
        notifications.notify_decision(application)
    return application


def live_commitments(trainee: User) -> int:
    """Applications still in play or places held but not completed: the match board's
    warning counts these."""
    return Application.objects.filter(trainee=trainee, status__in=LIVE).count()


def invite(*, by: User, opportunity: Opportunity, trainee: User) -> Application:
    """The CLM offers a named trainee a place (held like any offer). A trainee who already
    applied is offered the place on their application."""
    _check_manage(by, opportunity)
    placement = placement_of(trainee)
    if placement is None or (opportunity.trust_id and placement.trust_id != opportunity.trust_id):
        raise ValidationError("Choose a trainee placed in the opportunity's Trust.")
    profile = getattr(trainee, "trainee_profile", None)
    if not opportunity.is_open_to(profile.grade if profile else None):
        raise ValidationError("This trainee's grade is not eligible for this opportunity.")
    if opportunity.status not in (OpportunityStatus.OPEN, OpportunityStatus.FILLED):
        raise ValidationError("Publish the opportunity before inviting trainees.")
    with transaction.atomic():
        locked = lock_opportunity(opportunity.pk)
        application, created = Application.objects.get_or_create(
            opportunity=locked,
            trainee=trainee,
            defaults={
                "source": Source.INVITATION,
                "first_timer": not Application.objects.filter(
                    trainee=trainee, status=S.COMPLETED
                ).exists(),
            },
        )
        if created:
            ApplicationEvent.objects.create(
                application=application, to_status=S.SUBMITTED, by=by, reason="Invited"
            )
        elif application.status not in (S.SUBMITTED, S.SHORTLISTED, S.WAITLISTED):
            raise ValidationError(
                f"{trainee} already has an application that is "
                f"{application.get_status_display().lower()}."
            )
        application = move(application, S.OFFERED, actor=STAFF, by=by, opportunity=locked)
        notifications.notify_invitation(application)
    return application


def recommend(
    *, by: User, opportunity: Opportunity, trainee: User, note: str = ""
) -> Recommendation:
    """A supervisor recommends an opportunity to one of their current supervisees."""
    if not rules.has_perm("opportunities.recommend", by):
        raise PermissionDenied
    if not User.objects.supervised_by(by).filter(pk=trainee.pk).exists():
        raise ValidationError({"trainee": "Choose one of your trainees."})
    if not opportunities_visible_to(user=trainee).filter(pk=opportunity.pk).exists():
        raise ValidationError({"trainee": "This opportunity is not open to that trainee."})
    with transaction.atomic():
        recommendation, created = Recommendation.objects.get_or_create(
            opportunity=opportunity, trainee=trainee, supervisor=by, defaults={"note": note}
        )
        if not created:
            raise ValidationError({"trainee": f"You have already recommended this to {trainee}."})
        notifications.notify_recommendation(recommendation)
    return recommendation


# --- Taking part and the record -----------------------------------------------------------


def reflection_submit(
    *,
    trainee: User,
    application: Application,
    what_i_did: str,
    what_i_learned: str,
    gpc_domains=(),
    leader: int,
    lead_change: int,
) -> Reflection:
    """After the end date, the trainee records what they did and learned; the CLM is told,
    and the host gets a single-use link to confirm it."""
    _own(trainee, application)
    if application.status != S.ACCEPTED:
        raise ValidationError("Only a place you accepted can be recorded.")
    opportunity = application.opportunity
    if opportunity.ends_on and opportunity.ends_on > timezone.localdate():
        raise ValidationError(
            f"You can record this after it ends on {opportunity.ends_on:%-d %B %Y}."
        )
    if not what_i_did.strip() or not what_i_learned.strip():
        raise ValidationError("Say what you did and what you learned.")
    _check_rating(leader, lead_change)
    with transaction.atomic():
        reflection, _ = Reflection.objects.update_or_create(
            application=application,
            defaults={
                "what_i_did": what_i_did.strip(),
                "what_i_learned": what_i_learned.strip(),
                "submitted_at": timezone.now(),
            },
        )
        reflection.gpc_domains.set(gpc_domains)
        Rating.objects.update_or_create(
            application=application,
            moment=Rating.Moment.COMPLETION,
            defaults={"leader": leader, "lead_change": lead_change},
        )
        notifications.notify_reflection(application)
        from .tasks import host_link_email_task

        enqueue_on_commit(host_link_email_task, reflection_id=reflection.pk)
    return reflection


def host_link_send(reflection_id: int) -> bool:
    """Email the host a single-use link to confirm the trainee's reflection. The token is
    minted here and only its digest kept."""
    with transaction.atomic():
        reflection = (
            Reflection.objects.select_for_update()
            .select_related("application__opportunity", "application__trainee")
            .filter(pk=reflection_id, confirmed_at__isnull=True)
            .first()
        )
        if reflection is None or reflection.application.status != S.ACCEPTED:
            return False
        token = reflection.new_host_token()
        reflection.host_link_sent_at = timezone.now()
        reflection.save(update_fields=["host_token_digest", "host_link_sent_at"])
        opportunity = reflection.application.opportunity
        send_templated_email(
            "host_confirmation",
            {
                "opportunity": opportunity,
                "trainee": reflection.application.trainee,
                "reflection": reflection,
                "url": settings.SITE_URL
                + reverse("opportunities:host_confirm", kwargs={"token": token}),
            },
            to=[opportunity.host_email],
        )
    return True


def _confirm(application: Application, *, by: User | None, by_label: str = "") -> Application:
    with transaction.atomic():
        reflection = Reflection.objects.select_for_update().filter(application=application).first()
        if reflection is None:
            raise ValidationError("The trainee has not recorded what they did yet.")
        application = move(
            application,
            S.COMPLETED,
            actor=STAFF if by else HOST,
            by=by,
            by_label=by_label,
        )
        reflection.confirmed_at = timezone.now()
        reflection.confirmed_by = by
        reflection.confirmed_by_host = "" if by else application.opportunity.host_name
        reflection.host_token_digest = None
        reflection.save()
        notifications.notify_confirmed(application)
    return application


def reflection_confirm(*, by: User, application: Application) -> Application:
    """The CLM (or an administrator) confirms the trainee's recorded experience."""
    _check_manage(by, application.opportunity)
    return _confirm(application, by=by)


def host_confirm(*, token: str) -> Application:
    """The host confirms through their emailed link; the link then stops working."""
    from .selectors import reflection_by_host_token

    reflection = reflection_by_host_token(token=token)
    if reflection is None or reflection.application.status != S.ACCEPTED:
        raise ValidationError("This link has already been used or is no longer valid.")
    opportunity = reflection.application.opportunity
    return _confirm(
        reflection.application,
        by=None,
        by_label=f"{opportunity.host_name} (host, through the emailed link)",
    )


def notifications_mark_read(*, user: User, ids=None) -> int:
    qs = user.notifications.filter(read_at__isnull=True)
    if ids is not None:
        qs = qs.filter(pk__in=ids)
    return qs.update(read_at=timezone.now())
