"""The portal's one permission layer: predicates about people, roles and Trusts.

Three places use it (STYLE.md): `role_required` gates a view, the `*_visible_to` selectors
filter rows with `trust_ids_in_scope`, and services check `rules` permissions on an object.
A CLM or Trust administrator acts on their own Trust only; deanery staff read the whole region.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

import rules
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied

from trusts.models import TRUST_ROLES, Role, Trust

TRUST_STAFF = (Role.CLM, Role.TRUST_ADMIN)
# Everyone who reads Trust data: a Trust's CLM and administrators, and deanery staff.
STAFF_AND_DEANERY = (*TRUST_STAFF, Role.DEANERY)


def trust_id_of(obj) -> int | None:
    """The Trust an object belongs to: a Trust itself, or anything with a `trust_id`."""
    if obj is None:
        return None
    if isinstance(obj, Trust):
        return obj.pk
    return getattr(obj, "trust_id", None)


def trust_ids_in_scope(user, *roles: str) -> set[int] | None:
    """The Trusts whose rows `user` may see through `roles`; None means every Trust (deanery)."""
    if not user.is_authenticated:
        return set()
    if user.has_role(Role.DEANERY):
        return None
    return user.trust_ids_for(*roles)


@rules.predicate
def is_deanery(user) -> bool:
    return user.is_authenticated and user.has_role(Role.DEANERY)


@rules.predicate
def is_trust_admin_of(user, obj) -> bool:
    tid = trust_id_of(obj)
    return (
        user.is_authenticated and tid is not None and user.has_role(Role.TRUST_ADMIN, trust_id=tid)
    )


@rules.predicate
def is_clm_of(user, obj) -> bool:
    tid = trust_id_of(obj)
    return user.is_authenticated and tid is not None and user.has_role(Role.CLM, trust_id=tid)


@rules.predicate
def is_trust_staff(user) -> bool:
    return user.is_authenticated and user.has_any_role(*TRUST_STAFF)


@rules.predicate
def is_self(user, obj) -> bool:
    return user.is_authenticated and obj is not None and obj.pk == user.pk


# Trusts and people: their rules are in trusts/rules.py, built on the predicates above.


def invitable_roles(user, trust: Trust | None) -> list[str]:
    """The roles `user` may invite people to in `trust` (None: region-wide deanery roles)."""
    if is_deanery(user):
        return [Role.DEANERY] if trust is None else list(TRUST_ROLES)
    if trust is None:
        return []
    if is_trust_admin_of(user, trust):
        return list(TRUST_ROLES)
    if is_clm_of(user, trust):
        # A CLM brings in the people they work with; Trust roles are the administrator's call.
        return [Role.TRAINEE, Role.SUPERVISOR]
    return []


def role_required(*roles: str) -> Callable:
    """Gate a view: sign-in required (else redirect), then one of `roles` (else 403)."""

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        @login_required
        def wrapper(request, *args, **kwargs):
            if not request.user.has_any_role(*roles):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        wrapper.required_roles = roles
        return wrapper

    return decorator


# --- The CLM activity log (mentors) ----------------------------------------------------------
# Its rules are in mentors/rules.py, built on the shared predicates above.
