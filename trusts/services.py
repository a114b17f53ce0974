"""Writes for people, roles and invitations. Every function checks who is acting."""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

from allauth.account.models import EmailAddress
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone

from clm_portal.csvimport import CSVError, import_rows, read_csv
from clm_portal.emails import send_templated_email
from clm_portal.permissions import invitable_roles, is_deanery, is_trust_admin_of
from clm_portal.queue import enqueue_on_commit

from .forms import InvitationForm
from .models import (
    Invitation,
    Membership,
    Region,
    Role,
    SupervisorProfile,
    TraineeProfile,
    Trust,
    User,
    a_role,
)
from .tasks import invitation_send_task

logger = logging.getLogger(__name__)

INVITATION_COLUMNS = ("name", "email", "role", "grade", "specialty", "gmc_number")
INVITATION_REQUIRED_COLUMNS = ("name", "email", "role")
# The template file's example row, in INVITATION_COLUMNS order.
INVITATION_EXAMPLE = (
    "Dr Sam Example",
    "sam.example@nhs.net",
    "trainee",
    "ST3",
    "medical",
    "7654321",
)


def _as(instance, by: User | None):
    """Record `by` in the audit trail as who made this change (by default: the request's user).

    Services also run outside a request (Celery, commands) or for someone other than the
    signed-in person (accepting an invitation), so they name the actor themselves.
    """
    if by is not None:
        instance._history_user = by
    return instance


def _deanery_region(user: User) -> Region | None:
    return next(
        (m.region for m in user.role_memberships if m.role == Role.DEANERY and m.region_id), None
    )


def _place(trust: Trust | None) -> str:
    return str(trust) if trust else "the region"


def _gmc_number_holders(gmc_number: str):
    """Everyone whose trainee or supervisor profile has this GMC number."""
    return User.objects.filter(
        Q(trainee_profile__gmc_number=gmc_number) | Q(supervisor_profile__gmc_number=gmc_number)
    ).distinct()


def _check_gmc_number_free_for(gmc_number: str, *, user: User) -> None:
    """`user` may hold this number: no one else's profile and no one else's pending invitation."""
    if not gmc_number:
        return
    if _gmc_number_holders(gmc_number).exclude(pk=user.pk).exists():
        raise ValidationError(
            {"gmc_number": "This GMC number belongs to someone else in the portal."}
        )
    if (
        Invitation.objects.pending()
        .filter(gmc_number=gmc_number)
        .exclude(email__iexact=user.email)
        .exists()
    ):
        raise ValidationError(
            {"gmc_number": "This GMC number is in a pending invitation for someone else."}
        )


def _check_not_already_there(*, email: str, role: str, trust: Trust | None, gmc_number: str):
    if Membership.objects.filter(user__email__iexact=email, role=role, trust=trust).exists():
        raise ValidationError({"email": f"{email} is already {a_role(role)} in {_place(trust)}."})
    if Invitation.objects.pending().filter(email__iexact=email, role=role, trust=trust).exists():
        raise ValidationError(
            {"email": f"{email} already has a pending invitation as {a_role(role)} here."}
        )
    if gmc_number:
        if _gmc_number_holders(gmc_number).exclude(email__iexact=email).exists():
            raise ValidationError(
                {"gmc_number": "This GMC number belongs to someone else in the portal."}
            )
        # Two pending invitations with one GMC number: the second to be accepted would fail.
        if (
            Invitation.objects.pending()
            .filter(gmc_number=gmc_number)
            .exclude(email__iexact=email)
            .exists()
        ):
            raise ValidationError(
                {"gmc_number": "This GMC number is in a pending invitation for someone else."}
            )


def _check_trainee_details(*, role: str, grade: str, specialty: str, gmc_number: str) -> None:
    if role != Role.TRAINEE:
        return
    missing = {
        name: f"Enter the trainee's {label}."
        for name, value, label in (
            ("grade", grade, "grade"),
            ("specialty", specialty, "specialty"),
            ("gmc_number", gmc_number, "GMC number"),
        )
        if not value
    }
    if missing:
        raise ValidationError(missing)


# A second identical invitation this soon after the first is a double click, not a wish.
DUPLICATE_WINDOW = timedelta(minutes=2)


def _recent_duplicate(*, invited_by: User, **details) -> Invitation | None:
    """A pending invitation with the same details from the same person, made moments ago."""
    return (
        Invitation.objects.pending()
        .filter(
            invited_by=invited_by,
            created_at__gte=timezone.now() - DUPLICATE_WINDOW,
            **details,
        )
        .first()
    )


@transaction.atomic
def invitation_create(
    *,
    invited_by: User,
    trust: Trust | None,
    name: str,
    email: str,
    role: str,
    grade: str = "",
    specialty: str = "",
    gmc_number: str = "",
) -> Invitation:
    """Invite one person to a role in `trust` (None: deanery staff for the region).

    The same invitation asked for again moments later (a double click) returns the first.
    """
    if role not in invitable_roles(invited_by, trust):
        raise PermissionDenied(f"You cannot invite {a_role(role)} there.")
    email = email.strip().lower()
    # One inviter's invitations one at a time, so a double click's second request waits for
    # the first to commit and then finds it.
    User.objects.select_for_update().filter(pk=invited_by.pk).first()
    duplicate = _recent_duplicate(
        invited_by=invited_by,
        email=email,
        name=name.strip(),
        role=role,
        trust=trust,
        grade=grade if role == Role.TRAINEE else "",
        specialty=specialty if role in (Role.TRAINEE, Role.SUPERVISOR) else "",
        gmc_number=gmc_number if role in (Role.TRAINEE, Role.SUPERVISOR) else "",
    )
    if duplicate is not None:
        return duplicate
    _check_trainee_details(role=role, grade=grade, specialty=specialty, gmc_number=gmc_number)
    _check_not_already_there(email=email, role=role, trust=trust, gmc_number=gmc_number)
    invitation = Invitation(
        email=email,
        name=name.strip(),
        role=role,
        trust=trust,
        region=None if trust else _deanery_region(invited_by),
        grade=grade if role == Role.TRAINEE else "",
        specialty=specialty if role in (Role.TRAINEE, Role.SUPERVISOR) else "",
        gmc_number=gmc_number if role in (Role.TRAINEE, Role.SUPERVISOR) else "",
        invited_by=invited_by,
    )
    invitation.full_clean()
    _as(invitation, invited_by).save()
    enqueue_on_commit(invitation_send_task, invitation_id=invitation.pk)
    return invitation


def _role_as_code(data: dict[str, str]) -> dict[str, str]:
    """A CSV row's role as its code: "Educational supervisor", "SUPERVISOR" → supervisor."""
    wanted = " ".join(data.get("role", "").lower().replace("_", " ").split())
    for code, label in Role.choices:
        if wanted in (code.replace("_", " "), str(label).lower()):
            return {**data, "role": code}
    return data


def invitations_import_csv(*, invited_by: User, trust: Trust, upload) -> list[Invitation]:
    """Invite everyone in a CSV file, or no one: any bad row raises CSVImportError."""
    roles = invitable_roles(invited_by, trust)
    if not roles:
        raise PermissionDenied("You cannot invite people to this Trust.")
    rows = read_csv(upload, required=INVITATION_REQUIRED_COLUMNS, optional=INVITATION_COLUMNS)
    first_row_of: dict[tuple[str, str], int] = {}

    def no_repeats(number: int, form: InvitationForm) -> list[CSVError]:
        key = (form.cleaned_data["email"], form.cleaned_data["role"])
        if key in first_row_of:
            return [
                CSVError(number, "email", f"Repeats row {first_row_of[key]} (same email and role).")
            ]
        first_row_of[key] = number
        return []

    return import_rows(
        rows,
        make_form=lambda data: InvitationForm(data=_role_as_code(data), roles=roles),
        check=no_repeats,
        create=lambda form: invitation_create(
            invited_by=invited_by, trust=trust, **form.cleaned_data
        ),
    )


def _send_invitation_email(invitation: Invitation, *, token: str) -> None:
    context = {
        "invitation": invitation,
        "accept_url": settings.SITE_URL
        + reverse("trusts:accept_invitation", kwargs={"token": token}),
        "place": _place(invitation.trust),
    }
    send_templated_email("invitation", context, to=[invitation.email])


def invitation_send(*, invitation_id: int) -> bool:
    """Email a pending invitation that has not been sent, with a new link. Sends once.

    The token is minted here, its digest saved and the token emailed in one transaction:
    if the email fails, no digest of an unsent link is kept.
    """
    with transaction.atomic():
        invitation = (
            # Lock the invitation row only: PostgreSQL cannot lock the nullable side of the
            # outer joins that bring in its Trust and inviter.
            Invitation.objects.select_for_update(of=("self",))
            .select_related("trust", "invited_by")
            .filter(pk=invitation_id)
            .first()
        )
        if invitation is None or not invitation.is_pending or invitation.sent_at:
            return False
        token = invitation.new_token()
        invitation.sent_at = invitation.last_attempt_at = timezone.now()
        invitation.send_attempts += 1
        invitation.last_send_error = ""
        invitation.save(
            update_fields=[
                "token_digest",
                "sent_at",
                "last_attempt_at",
                "send_attempts",
                "last_send_error",
            ]
        )
        _send_invitation_email(invitation, token=token)
    logger.info("Invitation %s sent", invitation_id)
    return True


def invitation_send_failed(*, invitation_id: int, error: BaseException) -> None:
    """Record a failed attempt to email an invitation, for the invitations table to show."""
    Invitation.objects.filter(pk=invitation_id, sent_at__isnull=True).update(
        send_attempts=F("send_attempts") + 1,
        last_send_error=(str(error) or type(error).__name__)[:500],
        last_attempt_at=timezone.now(),
    )


def _check_can_manage(*, by: User, invitation: Invitation) -> None:
    if not by.has_perm("trusts.manage_invitation", invitation):
        raise PermissionDenied
    if invitation.role not in invitable_roles(by, invitation.trust):
        raise PermissionDenied


@transaction.atomic
def invitation_resend(*, invitation: Invitation, by: User) -> Invitation:
    """Send a pending or expired invitation again, valid for another 14 days."""
    _check_can_manage(by=by, invitation=invitation)
    if invitation.status in (Invitation.Status.ACCEPTED, Invitation.Status.REVOKED):
        raise ValidationError(f"This invitation was {invitation.get_status_display().lower()}.")
    invitation.expires_at = Invitation._meta.get_field("expires_at").get_default()
    # The old link stops working now; sending mints a new one.
    invitation.sent_at = invitation.token_digest = invitation.last_attempt_at = None
    invitation.send_attempts, invitation.last_send_error = 0, ""
    _as(invitation, by).save(
        update_fields=[
            "expires_at",
            "sent_at",
            "token_digest",
            "last_attempt_at",
            "send_attempts",
            "last_send_error",
        ]
    )
    enqueue_on_commit(invitation_send_task, invitation_id=invitation.pk)
    return invitation


@transaction.atomic
def invitation_revoke(*, invitation: Invitation, by: User) -> Invitation:
    """Withdraw a pending invitation so its link no longer works."""
    _check_can_manage(by=by, invitation=invitation)
    if not invitation.is_pending:
        raise ValidationError("Only a pending invitation can be withdrawn.")
    invitation.revoked_at = timezone.now()
    _as(invitation, by).save(update_fields=["revoked_at"])
    return invitation


def membership_add(
    *,
    user: User,
    role: str,
    trust: Trust | None,
    region: Region | None = None,
    by: User | None = None,
) -> Membership:
    """Give `user` a role; a trainee's new placement replaces their previous one."""
    if role == Role.TRAINEE:
        for old in Membership.objects.filter(user=user, role=Role.TRAINEE).exclude(trust=trust):
            _as(old, by).delete()  # one at a time so the audit trail records each
    membership = Membership.objects.filter(user=user, role=role, trust=trust).first()
    if membership is None:
        membership = Membership(user=user, role=role, trust=trust, region=region)
        _as(membership, by).save()
    user.__dict__.pop("role_memberships", None)
    return membership


def _unlink_supervisor(*, supervisor: User, trust: Trust | None, by: User) -> None:
    """A supervisor who leaves a Trust stops supervising that Trust's trainees."""
    profiles = TraineeProfile.objects.filter(
        educational_supervisor=supervisor,
        user__memberships__role=Role.TRAINEE,
        user__memberships__trust=trust,
    )
    for profile in profiles:  # one at a time so the audit trail records each
        profile.educational_supervisor = None
        _as(profile, by).save()


@transaction.atomic
def membership_remove(*, membership: Membership, by: User) -> None:
    """Take a role away (a Trust administrator in their Trust, or deanery staff)."""
    if not (is_deanery(by) or is_trust_admin_of(by, membership)):
        raise PermissionDenied
    if membership.user_id == by.pk and membership.role in (Role.TRUST_ADMIN, Role.DEANERY):
        raise ValidationError("You cannot remove your own administrator role.")
    if membership.role == Role.SUPERVISOR:
        _unlink_supervisor(supervisor=membership.user, trust=membership.trust, by=by)
    _as(membership, by).delete()


UNDO_WINDOW = timedelta(minutes=15)


@transaction.atomic
def membership_restore(*, removal_id: int, by: User) -> Membership:
    """Undo a role removal `by` made in the last 15 minutes: the same role, Trust and dates."""
    removal = (
        Membership.history.filter(history_id=removal_id, history_type="-", history_user=by)
        .filter(history_date__gte=timezone.now() - UNDO_WINDOW)
        .first()
    )
    if removal is None:
        raise ValidationError("This removal can no longer be undone.")
    restored = Membership(
        user_id=removal.user_id,
        role=removal.role,
        trust_id=removal.trust_id,
        region_id=removal.region_id,
        starts_on=removal.starts_on,
        ends_on=removal.ends_on,
    )
    if not (is_deanery(by) or is_trust_admin_of(by, restored)):
        raise PermissionDenied
    taken = Membership.objects.filter(user_id=removal.user_id, role=removal.role)
    if removal.role == Role.TRAINEE:
        taken = taken.exclude(trust_id=None)  # a trainee has one placement at a time
    else:
        taken = taken.filter(trust_id=removal.trust_id)
    if taken.exists():
        raise ValidationError("This role cannot be restored: the person has it again already.")
    restored._change_reason = "Removal undone"
    _as(restored, by).save()
    return restored


def _existing_account(email: str) -> User | None:
    return User.objects.filter(email__iexact=email).first()


def _locked_pending(invitation: Invitation) -> Invitation:
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if not invitation.is_pending:
        raise ValidationError("This invitation has been used, has expired or was withdrawn.")
    return invitation


def _new_account(*, invitation: Invitation, name: str, password: str | None, by) -> User:
    account = User(
        email=User.objects.normalize_email(invitation.email).lower(),
        name=(name or invitation.name).strip(),
    )
    account.set_password(password)
    try:
        with transaction.atomic():
            _as(account, by).save()
    except IntegrityError:
        # Another invitation for this address was accepted at the same moment.
        raise ValidationError(
            "An account for this email address was created a moment ago. "
            "Sign in with it, then open this invitation's link again."
        ) from None
    return account


def _apply_trainee_details(*, account: User, invitation: Invitation, by: User) -> None:
    profile = TraineeProfile.objects.filter(user=account).first() or TraineeProfile(user=account)
    profile.grade = invitation.grade
    profile.specialty = invitation.specialty
    profile.gmc_number = invitation.gmc_number or None
    # A supervisor from the previous placement's Trust does not follow the trainee.
    if (
        profile.educational_supervisor_id
        and not Membership.objects.filter(
            user_id=profile.educational_supervisor_id,
            role=Role.SUPERVISOR,
            trust=invitation.trust,
        ).exists()
    ):
        profile.educational_supervisor = None
    _as(profile, by).save()


def _apply_supervisor_details(*, account: User, invitation: Invitation, by: User) -> None:
    profile = SupervisorProfile.objects.filter(user=account).first() or SupervisorProfile(
        user=account
    )
    profile.specialty = invitation.specialty or profile.specialty
    profile.gmc_number = invitation.gmc_number or profile.gmc_number
    _as(profile, by).save()


@transaction.atomic
def invitation_accept(
    *,
    invitation: Invitation,
    user: User | None = None,
    name: str = "",
    password: str | None = None,
) -> User:
    """Turn a pending invitation into an account (new or existing) with its role.

    `user` is the signed-in person when the invited address already has an account.
    """
    invitation = _locked_pending(invitation)
    existing = _existing_account(invitation.email)
    if existing and (user is None or user.pk != existing.pk):
        raise PermissionDenied("Sign in as the invited person to accept this invitation.")
    if invitation.role in (Role.TRAINEE, Role.SUPERVISOR):
        _check_gmc_number_free(invitation.gmc_number, account=existing)
    # The audit trail shows whoever sent the invitation as having given the role.
    by = invitation.invited_by
    account = existing or _new_account(invitation=invitation, name=name, password=password, by=by)
    by = by or account
    _verify_address(account, invitation.email)
    membership_add(
        user=account, role=invitation.role, trust=invitation.trust, region=invitation.region, by=by
    )
    if invitation.role == Role.TRAINEE:
        _apply_trainee_details(account=account, invitation=invitation, by=by)
    elif invitation.role == Role.SUPERVISOR:
        _apply_supervisor_details(account=account, invitation=invitation, by=by)
    invitation.accepted_at = timezone.now()
    invitation.accepted_by = account
    invitation.save(update_fields=["accepted_at", "accepted_by"])
    return account


def _check_gmc_number_free(gmc_number: str, *, account: User | None) -> None:
    if not gmc_number:
        return
    owners = _gmc_number_holders(gmc_number)
    if account is not None:
        owners = owners.exclude(pk=account.pk)
    if owners.exists():
        raise ValidationError(
            "The GMC number in this invitation now belongs to someone else in the portal. "
            "Ask whoever invited you to send a corrected invitation."
        )


def _update_fields(instance, values: dict[str, Any]) -> bool:
    changed = False
    for name, value in values.items():
        if getattr(instance, name) != value:
            setattr(instance, name, value)
            changed = True
    return changed


@transaction.atomic
def profile_update(
    *,
    user: User,
    by: User,
    name: str,
    trainee: dict[str, Any] | None = None,
    supervisor: dict[str, Any] | None = None,
) -> User:
    """A person changes their own name and profile details; GMC numbers stay one person's."""
    if by.pk != user.pk:
        raise PermissionDenied
    user = User.objects.select_for_update().get(pk=user.pk)
    changes = []
    for model, values in ((TraineeProfile, trainee), (SupervisorProfile, supervisor)):
        if values is None:
            continue
        profile = model.objects.select_for_update().get(user=user)
        gmc_number = values.get("gmc_number") or None
        if gmc_number and gmc_number != profile.gmc_number:
            _check_gmc_number_free_for(gmc_number, user=user)
        if _update_fields(profile, {**values, "gmc_number": gmc_number}):
            changes.append(profile)
    if _update_fields(user, {"name": name.strip()}):
        changes.append(user)
    for instance in changes:
        instance.full_clean()
        _as(instance, by).save()
    return user


def _verify_address(account: User, email: str) -> None:
    """Following the emailed link proves the address; an existing primary address stays so."""
    address = EmailAddress.objects.filter(user=account, email__iexact=email).first()
    if address is None:
        EmailAddress.objects.create(
            user=account,
            email=email,
            verified=True,
            primary=not account.emailaddress_set.filter(primary=True).exists(),
        )
    elif not address.verified:
        address.verified = True
        address.save(update_fields=["verified"])


def invitations_requeue_unsent() -> int:
    """Queue every pending invitation whose email was never sent (the broker was down)."""
    stale = timezone.now() - timedelta(minutes=2)
    ids = list(
        Invitation.objects.unsent().filter(created_at__lt=stale).values_list("pk", flat=True)
    )
    for pk in ids:
        invitation_send_task.delay(invitation_id=pk)
    return len(ids)


@transaction.atomic
def trainee_placement_update(
    *,
    membership: Membership,
    by: User,
    starts_on,
    ends_on,
    educational_supervisor: User | None,
) -> Membership:
    """Set a trainee's placement dates and educational supervisor (their Trust's CLM or admin)."""
    if membership.role != Role.TRAINEE:
        raise ValidationError("Only a trainee has a placement.")
    if not by.has_perm("trusts.edit_placement", membership):
        raise PermissionDenied
    if starts_on and ends_on and ends_on < starts_on:
        raise ValidationError({"ends_on": "The placement must end after it starts."})
    if (
        educational_supervisor is not None
        and not educational_supervisor.memberships.filter(
            role=Role.SUPERVISOR, trust_id=membership.trust_id
        ).exists()
    ):
        raise ValidationError("The educational supervisor must be a supervisor in the same Trust.")
    membership.starts_on, membership.ends_on = starts_on, ends_on
    membership.full_clean()
    _as(membership, by).save()
    profile = membership.user.trainee_profile
    if profile.educational_supervisor_id != getattr(educational_supervisor, "pk", None):
        profile.educational_supervisor = educational_supervisor
        _as(profile, by).save()
    return membership
