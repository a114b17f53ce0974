"""Reads for the portal's own pages (the staff home page), through the reader's scope."""

from __future__ import annotations

from django.db.models import Count, Q

from trusts.models import TRUST_ROLES, Invitation, Membership, Role, Trust, User

from .permissions import TRUST_STAFF, trust_ids_in_scope


def staff_summary(*, user: User) -> dict:
    """Head counts by role, pending invitations and vacancies in the Trusts `user` oversees."""
    ids = trust_ids_in_scope(user, *TRUST_STAFF)
    memberships = Membership.objects.all()
    invitations = Invitation.objects.pending()
    trusts = Trust.objects.active()
    if ids is not None:
        memberships = memberships.filter(trust_id__in=ids)
        invitations = invitations.filter(trust_id__in=ids)
        trusts = trusts.filter(pk__in=ids)
    counts = memberships.aggregate(**{r: Count("id", filter=Q(role=r)) for r in TRUST_ROLES})
    return {
        "counts": counts,
        "pending_invitations": invitations.count(),
        "trusts": trusts,
        "vacant_trusts": trusts.exclude(memberships__role=Role.CLM),
    }
