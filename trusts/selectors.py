"""Reads for Trusts and people, always through the reader's scope."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from itertools import chain

from django.db.models import Count, Prefetch, QuerySet
from simple_history.models import DeletedObject

from clm_portal.permissions import TRUST_STAFF, trust_ids_in_scope

from .models import (
    TRUST_ROLES,
    Invitation,
    Membership,
    Role,
    SupervisorProfile,
    TraineeProfile,
    Trust,
    User,
    token_digest,
)


def trusts_visible_to(*, user: User) -> QuerySet[Trust]:
    """Every Trust for deanery staff; their own Trust(s) for a CLM or Trust administrator."""
    qs = Trust.objects.select_related("region")
    ids = trust_ids_in_scope(user, *TRUST_STAFF)
    return qs if ids is None else qs.filter(pk__in=ids)


def memberships_in_scope(*, user: User) -> QuerySet[Membership]:
    qs = Membership.objects.select_related("trust", "region")
    ids = trust_ids_in_scope(user, *TRUST_STAFF)
    return qs if ids is None else qs.filter(trust_id__in=ids)


def people_visible_to(*, user: User) -> QuerySet[User]:
    """People with a role in the reader's Trust(s) (everyone, for deanery staff).

    Each person's memberships are prefetched as `scoped_memberships`, limited to the
    reader's scope: a CLM sees a person's role in their own Trust only.
    """
    ids = trust_ids_in_scope(user, *TRUST_STAFF)
    qs = User.objects.all()
    if ids is not None:
        qs = qs.filter(memberships__trust_id__in=ids).distinct()
    return qs.select_related("trainee_profile", "supervisor_profile").prefetch_related(
        Prefetch(
            "memberships",
            queryset=memberships_in_scope(user=user),
            to_attr="scoped_memberships",
        )
    )


def invitations_visible_to(*, user: User) -> QuerySet[Invitation]:
    qs = Invitation.objects.select_related("trust", "invited_by")
    ids = trust_ids_in_scope(user, *TRUST_STAFF)
    return qs if ids is None else qs.filter(trust_id__in=ids)


def invitations_for_person(*, user: User, person: User) -> QuerySet[Invitation]:
    """The invitations `user` can see that were sent to `person`'s address."""
    return invitations_visible_to(user=user).filter(email__iexact=person.email)


def latest_removal_by(*, user: User, membership_id: int):
    """The audit record of `user` having just removed membership `membership_id`."""
    return (
        Membership.history.filter(id=membership_id, history_type="-", history_user=user)
        .order_by("-history_date")
        .first()
    )


def trusts_with_clms_visible_to(*, user: User) -> QuerySet[Trust]:
    """The reader's Trusts, each with its CLM memberships as `clm_memberships`."""
    return trusts_visible_to(user=user).prefetch_related(
        Prefetch(
            "memberships",
            queryset=Membership.objects.filter(role=Role.CLM).select_related("user"),
            to_attr="clm_memberships",
        )
    )


def trust_role_counts(*, trust: Trust) -> dict[str, int]:
    """How many people hold each role in `trust` (the caller has reached it through scope)."""
    counts = dict(
        Membership.objects.filter(trust=trust)
        .values_list("role")
        .annotate(n=Count("id"))
        .values_list("role", "n")
    )
    return {role: counts.get(role, 0) for role in TRUST_ROLES}


def trust_leads(*, trust: Trust) -> QuerySet[Membership]:
    """The CLMs and administrators of `trust`."""
    return (
        Membership.objects.filter(trust=trust, role__in=TRUST_STAFF)
        .select_related("user")
        .order_by("role", "user__name")
    )


def invitation_by_token(*, token: str) -> Invitation | None:
    """The invitation whose emailed link carries `token` (looked up by digest)."""
    return (
        Invitation.objects.select_related("trust", "region")
        .filter(token_digest=token_digest(token))
        .first()
    )


def account_for_email(*, email: str) -> User | None:
    return User.objects.filter(email__iexact=email).first()


def trainees_supervised_by(*, user: User) -> QuerySet[User]:
    """The trainees `user` supervises in a Trust where `user` is a supervisor now.

    A link left from a supervisor role since removed shows nothing.
    """
    return (
        User.objects.supervised_by(user)
        .select_related("trainee_profile")
        .prefetch_related(
            Prefetch(
                "memberships",
                queryset=Membership.objects.filter(role=Role.TRAINEE).select_related("trust"),
                to_attr="placements",
            )
        )
    )


def supervisors_in_trust(*, trust: Trust) -> QuerySet[User]:
    return User.objects.filter(memberships__trust=trust, memberships__role=Role.SUPERVISOR)


@dataclass
class HistoryEntry:
    when: datetime
    who: User | None
    what: str
    action: str  # Created, Changed, Deleted
    changes: list[tuple[str, str, str]] = field(default_factory=list)


_ACTIONS = {"+": "Created", "~": "Changed", "-": "Deleted"}


def _entries(records, describe) -> list[HistoryEntry]:
    """Turn one model's history records (any order) into entries with field-level changes."""
    by_object: dict[int, list] = {}
    for record in records:
        by_object.setdefault(record.id, []).append(record)
    entries = []
    for versions in by_object.values():
        versions.sort(key=lambda r: (r.history_date, r.history_id))
        previous = None
        for record in versions:
            changes = []
            if previous is not None and record.history_type == "~":
                delta = record.diff_against(previous, foreign_keys_are_objs=True)
                for change in delta.changes:
                    model_field = record.instance_type._meta.get_field(change.field)
                    changes.append(
                        (
                            str(model_field.verbose_name).capitalize(),
                            _show(change.old, model_field),
                            _show(change.new, model_field),
                        )
                    )
                if not changes:
                    previous = record
                    continue
            entries.append(
                HistoryEntry(
                    when=record.history_date,
                    who=record.history_user,
                    what=describe(record),
                    action=_ACTIONS[record.history_type],
                    changes=changes,
                )
            )
            previous = record
    return entries


def _show(value, model_field) -> str:
    if isinstance(value, DeletedObject):
        # An empty foreign key comes back as a "deleted" object with no primary key.
        return "(empty)" if value.pk is None else "(since deleted)"
    if value in (None, ""):
        return "(empty)"
    if model_field.choices:
        return str(dict(model_field.flatchoices).get(value, value))
    return str(value)


def person_history(*, person: User, viewer: User | None = None) -> list[HistoryEntry]:
    """Who changed what about a person, newest first: account, roles and profiles.

    With a `viewer`, roles are limited to the viewer's scope as on the person page: a CLM
    sees the roles held in their own Trust only.
    """
    roles = dict(Role.choices)
    users = User.history.filter(id=person.pk).select_related("history_user")
    memberships = Membership.history.filter(user_id=person.pk).select_related(
        "history_user", "trust"
    )
    trainee = TraineeProfile.history.filter(user_id=person.pk).select_related("history_user")
    supervisor = SupervisorProfile.history.filter(user_id=person.pk).select_related("history_user")
    ids = None if viewer is None else trust_ids_in_scope(viewer, *TRUST_STAFF)
    if ids is not None:
        memberships = memberships.filter(trust_id__in=ids)
        # What happened before the person came to the reader's Trust is that other Trust's.
        joined = min(
            Membership.objects.filter(user=person, trust_id__in=ids).values_list(
                "created_at", flat=True
            ),
            default=None,
        )
        if joined is not None:
            # Accepting an invitation saves the account a moment before the role.
            joined -= timedelta(seconds=5)
        if joined is None:
            users, trainee, supervisor = users.none(), trainee.none(), supervisor.none()
        else:
            users = users.filter(history_date__gte=joined)
            trainee = trainee.filter(history_date__gte=joined)
            supervisor = supervisor.filter(history_date__gte=joined)
    entries = chain(
        _entries(users, lambda r: "Account"),
        _entries(
            memberships,
            lambda r: (
                f"Role: {roles.get(r.role, r.role)}"
                + (f", {r.trust}" if r.trust_id else ", the region")
            ),
        ),
        _entries(trainee, lambda r: "Trainee profile"),
        _entries(supervisor, lambda r: "Supervisor profile"),
    )
    return sorted(entries, key=lambda e: e.when, reverse=True)
