"""An application's life: the one table of allowed moves, places, and the waiting list.

Every change of an application's state goes through `move()`, which
- refuses a move the table does not allow (`IllegalTransition`), or one that needs a reason
  and has none;
- locks the opportunity's row (SELECT ... FOR UPDATE) and adjusts `places_held` in the same
  transaction, so places are never over-filled; the database's CHECK (places_held <= places)
  is the backstop if code ever got this wrong;
- records an `ApplicationEvent` (who, when, from, to, why).

When a move frees a place, `fill_free_places` runs after the transaction commits (a Celery
task, or in-process in development): the first on the waiting list, in arrival order, who is
still eligible, gets an offer that holds the place for `OFFER_HOLD_HOURS`. A beat sweep
(`tasks.sweep_offers_task`) expires stale offers and fills anything a lost task missed.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from trusts.models import Role, User

from .models import (
    HOLDS_PLACE,
    Application,
    ApplicationEvent,
    Opportunity,
    OpportunityStatus,
)
from .models import ApplicationStatus as S

logger = logging.getLogger(__name__)

# Who may make a move: the trainee themself, the Trust's staff (CLM, administrator, deanery
# for region-wide ones), the portal (expiry, the waiting list), or the opportunity's host
# through their single-use emailed link (confirming a completion only).
TRAINEE, STAFF, SYSTEM, HOST = "trainee", "staff", "system", "host"


@dataclass(frozen=True)
class Move:
    to: str
    by: frozenset[str]
    needs_reason: bool = False
    label: str = ""


def _m(to: str, *by: str, reason: bool = False, label: str = "") -> Move:
    return Move(to, frozenset(by), reason, label)


# The one table of allowed transitions: from state -> the moves out of it.
TRANSITIONS: dict[str, tuple[Move, ...]] = {
    S.SUBMITTED: (
        _m(S.SHORTLISTED, STAFF, label="Shortlist"),
        _m(S.OFFERED, STAFF, SYSTEM, label="Offer a place"),
        _m(S.WAITLISTED, STAFF, SYSTEM, label="Put on the waiting list"),
        _m(S.UNSUCCESSFUL, STAFF, SYSTEM, reason=True, label="Unsuccessful"),
        _m(S.WITHDRAWN, TRAINEE, label="Withdraw"),
    ),
    S.SHORTLISTED: (
        _m(S.OFFERED, STAFF, label="Offer a place"),
        _m(S.WAITLISTED, STAFF, label="Put on the waiting list"),
        _m(S.UNSUCCESSFUL, STAFF, reason=True, label="Unsuccessful"),
        _m(S.WITHDRAWN, TRAINEE, label="Withdraw"),
    ),
    S.WAITLISTED: (
        _m(S.OFFERED, STAFF, SYSTEM, label="Offer a place"),
        _m(S.UNSUCCESSFUL, STAFF, SYSTEM, reason=True, label="Unsuccessful"),
        _m(S.WITHDRAWN, TRAINEE, label="Withdraw"),
    ),
    S.OFFERED: (
        _m(S.ACCEPTED, TRAINEE, label="Accept"),
        _m(S.DECLINED, TRAINEE, label="Decline"),
        _m(S.OFFER_EXPIRED, SYSTEM),
        _m(S.WITHDRAWN, TRAINEE, label="Withdraw"),
        # A decision after an offer: the offer is taken back, with the reason.
        _m(S.UNSUCCESSFUL, STAFF, reason=True, label="Withdraw the offer"),
    ),
    S.ACCEPTED: (
        _m(S.COMPLETED, STAFF, HOST, label="Confirm completion"),
        _m(S.DID_NOT_ATTEND, STAFF, label="Did not attend"),
        _m(S.WITHDRAWN, TRAINEE, label="Withdraw"),
        _m(S.CANCELLED_BY_HOST, STAFF, reason=True, label="Cancel this place"),
    ),
    S.COMPLETED: (),
    S.DECLINED: (),
    S.WITHDRAWN: (),
    S.UNSUCCESSFUL: (),
    S.OFFER_EXPIRED: (),
    S.DID_NOT_ATTEND: (),
    S.CANCELLED_BY_HOST: (),
}

TERMINAL = frozenset(state for state, moves in TRANSITIONS.items() if not moves)


class IllegalTransition(ValidationError):
    """A move the table does not allow (or not for this actor)."""


def allowed_moves(status: str, actor: str) -> list[Move]:
    return [move for move in TRANSITIONS[status] if actor in move.by]


def find_move(status: str, to: str, actor: str) -> Move:
    for move in TRANSITIONS[status]:
        if move.to == to:
            if actor not in move.by:
                break
            return move
    raise IllegalTransition(
        f"An application that is {S(status).label.lower()} cannot become "
        f"{S(to).label.lower()} that way."
    )


def offer_hold() -> timedelta:
    return timedelta(hours=settings.OPPORTUNITY_OFFER_HOLD_HOURS)


def lock_opportunity(pk: int) -> Opportunity:
    return Opportunity.objects.select_for_update().get(pk=pk)


def _sync_filled(opportunity: Opportunity) -> None:
    """Open <-> filled as places are taken and freed (other statuses are left alone)."""
    if (
        opportunity.status == OpportunityStatus.OPEN
        and opportunity.places_held >= opportunity.places
    ):
        opportunity.status = OpportunityStatus.FILLED
    elif (
        opportunity.status == OpportunityStatus.FILLED
        and opportunity.places_held < opportunity.places
    ):
        opportunity.status = OpportunityStatus.OPEN


class NoPlaceFree(ValidationError):
    pass


def move(
    application: Application,
    to: str,
    *,
    actor: str,
    by: User | None = None,
    by_label: str = "",
    reason: str = "",
    opportunity: Opportunity | None = None,
) -> Application:
    """Move `application` to state `to`, in a transaction with its opportunity locked.

    `opportunity`, if given, must already be locked by the caller's transaction.
    Returns the application, re-read under the lock and saved. A freed place is filled after
    commit (`fill_free_places`).
    """
    reason = (reason or "").strip()
    with transaction.atomic():
        opportunity = opportunity or lock_opportunity(application.opportunity_id)
        # Re-read under the lock: the caller's copy may be stale (two tabs, two workers).
        application = Application.objects.select_for_update().get(pk=application.pk)
        application.opportunity = opportunity
        step = find_move(application.status, to, actor)
        if step.needs_reason and not reason:
            raise ValidationError({"reason": "Give a reason: the trainee will see it."})
        was_holding = application.status in HOLDS_PLACE
        will_hold = to in HOLDS_PLACE
        if will_hold and not was_holding:
            if opportunity.places_held >= opportunity.places:
                raise NoPlaceFree(
                    "Every place is taken. Add a place, or put the trainee on the waiting list."
                )
            opportunity.places_held += 1
        elif was_holding and not will_hold:
            opportunity.places_held -= 1
        now = timezone.now()
        from_status = application.status
        application.status = to
        application.offer_expires_at = now + offer_hold() if to == S.OFFERED else None
        if to == S.WAITLISTED:
            application.waitlisted_at = now
        if to in (S.OFFERED, S.UNSUCCESSFUL, S.WAITLISTED) and application.decided_at is None:
            application.decided_at = now
        if to == S.COMPLETED:
            application.completed_at = now
        application.save()
        _sync_filled(opportunity)
        opportunity.save(update_fields=["places_held", "status", "updated_at"])
        ApplicationEvent.objects.create(
            application=application,
            from_status=from_status,
            to_status=to,
            by=by,
            by_label=by_label,
            reason=reason,
            at=now,
        )
        if was_holding and not will_hold:
            schedule_fill(opportunity.pk)
    return application


def schedule_fill(opportunity_id: int) -> None:
    """Fill freed places from the waiting list once this transaction commits."""
    from clm_portal.queue import enqueue_on_commit

    from .tasks import fill_free_places_task

    enqueue_on_commit(fill_free_places_task, opportunity_id=opportunity_id)


def still_eligible(application: Application) -> str:
    """Why the waiting-list applicant can no longer be offered a place ('' if they can)."""
    opportunity = application.opportunity
    trainee = application.trainee
    if not trainee.is_active:
        return "The account is no longer active."
    placement = next((m for m in trainee.memberships.all() if m.role == Role.TRAINEE), None)
    if placement is None:
        return "No longer a trainee in the region."
    if opportunity.trust_id and placement.trust_id != opportunity.trust_id:
        return "Now placed in another Trust."
    if not opportunity.trust_id and placement.trust.region_id != opportunity.region_id:
        return "Now placed outside the region."
    profile = getattr(trainee, "trainee_profile", None)
    if not opportunity.is_open_to(profile.grade if profile else None):
        return "The trainee's grade is no longer eligible."
    return ""


def fill_free_places(opportunity_id: int) -> list[Application]:
    """Offer free places to the waiting list, first come first served; idempotent.

    Runs in its own transaction with the opportunity locked, so two runs at once offer each
    place once. An applicant no longer eligible is marked unsuccessful with the reason, and
    the place goes to the next.
    """
    from .notifications import notify_decision, notify_offer

    offered: list[Application] = []
    with transaction.atomic():
        opportunity = lock_opportunity(opportunity_id)
        if opportunity.status not in (OpportunityStatus.OPEN, OpportunityStatus.FILLED):
            return offered
        waiting = (
            Application.objects.filter(opportunity=opportunity, status=S.WAITLISTED)
            .select_related("trainee__trainee_profile")
            .prefetch_related("trainee__memberships__trust")
            .order_by("waitlisted_at", "pk")
        )
        for application in waiting:
            if opportunity.places_held >= opportunity.places:
                break
            application.opportunity = opportunity
            if why := still_eligible(application):
                move(application, S.UNSUCCESSFUL, actor=SYSTEM, reason=why, opportunity=opportunity)
                notify_decision(application)
                continue
            application = move(application, S.OFFERED, actor=SYSTEM, opportunity=opportunity)
            notify_offer(application, from_waiting_list=True)
            offered.append(application)
    if offered:
        logger.info(
            "Waiting list of opportunity %s: offered %d place(s).", opportunity_id, len(offered)
        )
    return offered


def expire_offers(now=None) -> int:
    """Expire offers past their hold; each freed place passes down the waiting list."""
    from .notifications import notify_offer_expired

    now = now or timezone.now()
    due = list(
        Application.objects.filter(status=S.OFFERED, offer_expires_at__lte=now).values_list(
            "pk", flat=True
        )
    )
    expired = 0
    for pk in due:
        application = Application.objects.get(pk=pk)
        try:
            with transaction.atomic():
                locked = Application.objects.select_for_update().get(pk=pk)
                if locked.status != S.OFFERED or locked.offer_expires_at > now:
                    continue  # accepted or declined meanwhile
                application = move(application, S.OFFER_EXPIRED, actor=SYSTEM)
                notify_offer_expired(application)
                expired += 1
        except IllegalTransition:
            continue
    return expired


def opportunities_to_fill() -> list[int]:
    """Opportunities with a free place and someone waiting: what a lost task left undone."""
    return list(
        Opportunity.objects.filter(
            Q(status=OpportunityStatus.OPEN) | Q(status=OpportunityStatus.FILLED),
            applications__status=S.WAITLISTED,
        )
        .filter(places_held__lt=F("places"))
        .values_list("pk", flat=True)
        .distinct()
    )
