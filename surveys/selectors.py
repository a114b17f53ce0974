"""Reads: which rounds a person sees, answers, and which Trusts' figures they may read."""

from __future__ import annotations

from django.db.models import Exists, OuterRef, QuerySet
from django.utils import timezone

from clm_portal.permissions import TRUST_STAFF, trust_ids_in_scope
from trusts.models import Role, Trust, User

from .models import Participation, Round

RESPONDENTS = (Role.TRAINEE, Role.SUPERVISOR)


def rounds_visible_to(*, user: User) -> QuerySet[Round]:
    """Deanery staff: every round. Anyone else: rounds their Trust takes part in."""
    if not user.is_authenticated:
        return Round.objects.none()
    if user.has_role(Role.DEANERY):
        return Round.objects.defer("results")
    trust_ids = user.trust_ids_for(*TRUST_STAFF, *RESPONDENTS)
    return Round.objects.filter(trusts__in=trust_ids).distinct().defer("results")


def trust_ids_for_results(*, user: User) -> set[int] | None:
    """The Trusts whose own figures `user` may read (None: every Trust). Trainees and
    supervisors read the regional figures only."""
    return trust_ids_in_scope(user, *TRUST_STAFF)


def rounds_to_answer(*, user: User) -> list[tuple[Round, Trust, str]]:
    """Open rounds the person can answer (round, their Trust, their role), once per round."""
    today = timezone.localdate()
    answered = Participation.objects.filter(user=user, round=OuterRef("pk"))
    found = []
    memberships = [m for m in user.role_memberships if m.role in RESPONDENTS and m.trust_id]
    if not memberships:
        return []
    rounds = (
        Round.objects.open_on(today)
        .filter(trusts__in=[m.trust_id for m in memberships])
        .exclude(Exists(answered))
        .prefetch_related("trusts")
        .distinct()
        .order_by("closes_on")
    )
    for round_ in rounds:
        taking_part = {t.pk: t for t in round_.trusts.all()}
        for membership in sorted(memberships, key=lambda m: m.role != Role.TRAINEE):
            if membership.trust_id in taking_part:
                found.append((round_, taking_part[membership.trust_id], membership.role))
                break
    return found


def trust_codes_for_results(*, user: User) -> set[str] | None:
    """The ODS codes of the Trusts whose own figures `user` may read (None: every Trust)."""
    scope = trust_ids_for_results(user=user)
    if scope is None:
        return None
    if not scope:
        return set()
    return set(Trust.objects.filter(pk__in=scope).values_list("ods_code", flat=True))
