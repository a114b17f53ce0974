"""Writes for people, roles and invitations, against the real database."""

import re
from datetime import date, timedelta

import pytest
from allauth.account.models import EmailAddress
from django.conf import settings
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from trusts.models import (
    Invitation,
    Membership,
    Role,
    SupervisorProfile,
    TraineeProfile,
    User,
    token_digest,
)
from trusts.services import (
    invitation_accept,
    invitation_create,
    invitation_resend,
    invitation_revoke,
    invitation_send,
    invitations_requeue_unsent,
    membership_add,
    membership_remove,
    trainee_placement_update,
)

from ..factories import InvitationFactory, person

TRAINEE = {"grade": "ST3", "specialty": "medical", "gmc_number": "1234567"}


def invite(world, by=None, trust=None, role=Role.TRAINEE, email="new@example.com", **fields):
    if role == Role.TRAINEE:
        fields = {**TRAINEE, **fields}
    return invitation_create(
        invited_by=by or world.trust_admin,
        trust=trust or world.trust,
        name="Nia New",
        email=email,
        role=role,
        **fields,
    )


def error_messages(caught) -> dict[str, list[str]]:
    return caught.value.message_dict


def history_users(model, **filters) -> list:
    return [
        (r.history_type, r.history_user)
        for r in model.history.filter(**filters).order_by("history_date", "history_id")
    ]


@pytest.mark.django_db
class TestInvitationCreate:
    def test_it_makes_a_pending_invitation_to_the_trust(self, world):
        invitation = invite(world)
        assert invitation.is_pending
        assert (invitation.trust, invitation.role, invitation.invited_by) == (
            world.trust,
            Role.TRAINEE,
            world.trust_admin,
        )
        assert invitation.expires_at - timezone.now() > timedelta(days=13)

    def test_it_stores_the_address_in_lower_case(self, world):
        assert invite(world, email="  Nia.New@Example.COM ").email == "nia.new@example.com"

    def test_it_emails_the_invitee_a_link_to_accept(
        self, world, django_capture_on_commit_callbacks
    ):
        with django_capture_on_commit_callbacks(execute=True):
            invitation = invite(world)
        [message] = mail.outbox
        [token] = re.findall(r"/invitations/accept/([^/]+)/", message.body)
        accept_url = settings.SITE_URL + reverse(
            "trusts:accept_invitation", kwargs={"token": token}
        )
        invitation.refresh_from_db()
        assert invitation.token_digest == token_digest(token)
        assert message.to == ["new@example.com"]
        assert message.subject == "You are invited to the CLM Portal as trainee"
        assert accept_url in message.body
        assert "University Hospitals Plymouth NHS Trust" in message.body
        assert "Alex Admin has invited you" in message.body
        html, mimetype = message.alternatives[0]
        assert mimetype == "text/html"
        assert f'href="{accept_url}"' in html

    def test_it_marks_the_invitation_sent(self, world, django_capture_on_commit_callbacks):
        with django_capture_on_commit_callbacks(execute=True):
            invitation = invite(world)
        invitation.refresh_from_db()
        assert invitation.sent_at is not None

    def test_it_sends_nothing_before_the_transaction_commits(
        self, world, django_capture_on_commit_callbacks
    ):
        with django_capture_on_commit_callbacks() as callbacks:
            invite(world)
        assert len(callbacks) == 1
        assert mail.outbox == []

    def test_another_trusts_clm_is_refused(self, world):
        with pytest.raises(PermissionDenied):
            invite(world, by=world.other_clm)
        assert not Invitation.objects.exists()

    def test_a_clm_cannot_invite_a_trust_administrator(self, world):
        with pytest.raises(PermissionDenied, match="You cannot invite a trust administrator"):
            invite(world, by=world.clm, role=Role.TRUST_ADMIN)

    def test_a_clm_cannot_invite_another_clm(self, world):
        with pytest.raises(PermissionDenied):
            invite(world, by=world.clm, role=Role.CLM)

    def test_a_clm_can_invite_a_supervisor(self, world):
        assert invite(world, by=world.clm, role=Role.SUPERVISOR).role == Role.SUPERVISOR

    def test_a_trust_administrator_can_invite_a_clm(self, world):
        assert invite(world, role=Role.CLM).role == Role.CLM

    def test_a_trainee_cannot_invite_anyone(self, world):
        with pytest.raises(PermissionDenied):
            invite(world, by=world.trainee, role=Role.SUPERVISOR)

    def test_deanery_staff_invite_deanery_staff_to_the_region(self, world):
        invitation = invitation_create(
            invited_by=world.deanery,
            trust=None,
            name="Dee",
            email="dee@example.com",
            role=Role.DEANERY,
        )
        assert (invitation.trust, invitation.region.code) == (None, "SW")

    def test_a_trust_administrator_cannot_invite_deanery_staff(self, world):
        with pytest.raises(PermissionDenied):
            invitation_create(
                invited_by=world.trust_admin,
                trust=None,
                name="Dee",
                email="dee@example.com",
                role=Role.DEANERY,
            )

    def test_it_refuses_someone_already_in_that_role_in_the_trust(self, world):
        with pytest.raises(ValidationError) as caught:
            invite(world, email=world.trainee.email.upper())
        assert error_messages(caught) == {
            "email": [
                f"{world.trainee.email} is already a trainee in "
                "University Hospitals Plymouth NHS Trust."
            ]
        }

    def test_it_allows_someone_in_the_trust_to_be_invited_to_another_role(self, world):
        assert invite(world, email=world.trainee.email, role=Role.SUPERVISOR).is_pending

    def test_it_refuses_a_second_pending_invitation(self, world):
        invite(world)
        with pytest.raises(ValidationError) as caught:
            invite(world, gmc_number="7654321")
        assert error_messages(caught) == {
            "email": ["new@example.com already has a pending invitation as a trainee here."]
        }

    def test_it_allows_a_new_invitation_once_the_last_was_withdrawn(self, world):
        first = invite(world)
        invitation_revoke(invitation=first, by=world.trust_admin)
        assert invite(world).pk != first.pk

    def test_it_refuses_a_gmc_number_that_belongs_to_someone_else(self, world):
        with pytest.raises(ValidationError) as caught:
            invite(world, gmc_number=world.other_trainee.trainee_profile.gmc_number)
        assert error_messages(caught) == {
            "gmc_number": ["This GMC number belongs to someone else in the portal."]
        }

    def test_it_refuses_a_gmc_number_in_someone_elses_pending_invitation(self, world):
        invite(world, email="first@example.com")
        with pytest.raises(ValidationError) as caught:
            invite(world, email="second@example.com")
        assert error_messages(caught) == {
            "gmc_number": ["This GMC number is in a pending invitation for someone else."]
        }

    def test_a_trainee_needs_a_grade_specialty_and_gmc_number(self, world):
        with pytest.raises(ValidationError) as caught:
            invite(world, grade="", specialty="", gmc_number="")
        assert error_messages(caught) == {
            "grade": ["Enter the trainee's grade."],
            "specialty": ["Enter the trainee's specialty."],
            "gmc_number": ["Enter the trainee's GMC number."],
        }

    def test_it_refuses_a_malformed_gmc_number(self, world):
        with pytest.raises(ValidationError) as caught:
            invite(world, gmc_number="12AB")
        assert "gmc_number" in error_messages(caught)

    def test_it_keeps_trainee_details_off_other_roles(self, world):
        invitation = invite(world, role=Role.CLM, **TRAINEE)
        assert (invitation.grade, invitation.specialty, invitation.gmc_number) == ("", "", "")


@pytest.mark.django_db
class TestInvitationSend:
    def test_it_sends_once_when_run_twice(self, pending_invitation):
        assert invitation_send(invitation_id=pending_invitation.pk) is True
        assert invitation_send(invitation_id=pending_invitation.pk) is False
        assert len(mail.outbox) == 1

    def test_it_does_not_send_a_withdrawn_invitation(self, pending_invitation):
        Invitation.objects.filter(pk=pending_invitation.pk).update(revoked_at=timezone.now())
        assert invitation_send(invitation_id=pending_invitation.pk) is False
        assert mail.outbox == []

    def test_it_does_not_send_an_expired_invitation(self, pending_invitation):
        Invitation.objects.filter(pk=pending_invitation.pk).update(
            expires_at=timezone.now() - timedelta(minutes=1)
        )
        assert invitation_send(invitation_id=pending_invitation.pk) is False
        assert mail.outbox == []

    def test_it_ignores_an_invitation_that_no_longer_exists(self, db):
        assert invitation_send(invitation_id=987654) is False


@pytest.mark.django_db
class TestInvitationsRequeueUnsent:
    def _made(self, invitation, minutes_ago):
        Invitation.objects.filter(pk=invitation.pk).update(
            created_at=timezone.now() - timedelta(minutes=minutes_ago)
        )
        return invitation

    def test_it_sends_pending_unsent_invitations_older_than_two_minutes(self, world):
        stale = self._made(InvitationFactory(trust=world.trust), minutes_ago=3)
        assert invitations_requeue_unsent() == 1
        assert [m.to for m in mail.outbox] == [[stale.email]]
        stale.refresh_from_db()
        assert stale.sent_at is not None

    def test_it_leaves_invitations_made_in_the_last_two_minutes(self, world):
        self._made(InvitationFactory(trust=world.trust), minutes_ago=1)
        assert invitations_requeue_unsent() == 0
        assert mail.outbox == []

    def test_it_leaves_sent_withdrawn_accepted_and_expired_invitations(self, world):
        now = timezone.now()
        for fields in (
            {"sent_at": now},
            {"revoked_at": now},
            {"accepted_at": now},
            {"expires_at": now - timedelta(days=1)},
        ):
            self._made(InvitationFactory(trust=world.trust, **fields), minutes_ago=30)
        assert invitations_requeue_unsent() == 0
        assert mail.outbox == []


@pytest.mark.django_db
class TestInvitationResend:
    def test_it_sends_the_invitation_again_valid_for_14_more_days(
        self, world, pending_invitation, django_capture_on_commit_callbacks
    ):
        Invitation.objects.filter(pk=pending_invitation.pk).update(
            sent_at=timezone.now() - timedelta(days=10),
            expires_at=timezone.now() + timedelta(days=4),
        )
        pending_invitation.refresh_from_db()
        with django_capture_on_commit_callbacks(execute=True):
            invitation_resend(invitation=pending_invitation, by=world.clm)
        pending_invitation.refresh_from_db()
        assert pending_invitation.expires_at - timezone.now() > timedelta(days=13)
        assert [m.to for m in mail.outbox] == [[pending_invitation.email]]

    def test_it_revives_an_expired_invitation(
        self, world, pending_invitation, django_capture_on_commit_callbacks
    ):
        Invitation.objects.filter(pk=pending_invitation.pk).update(
            sent_at=timezone.now() - timedelta(days=20),
            expires_at=timezone.now() - timedelta(days=6),
        )
        pending_invitation.refresh_from_db()
        with django_capture_on_commit_callbacks(execute=True):
            invitation_resend(invitation=pending_invitation, by=world.trust_admin)
        pending_invitation.refresh_from_db()
        assert pending_invitation.is_pending
        assert len(mail.outbox) == 1

    def test_it_refuses_an_accepted_invitation(self, world, pending_invitation):
        pending_invitation.accepted_at = timezone.now()
        pending_invitation.save()
        with pytest.raises(ValidationError) as caught:
            invitation_resend(invitation=pending_invitation, by=world.trust_admin)
        assert caught.value.messages == ["This invitation was accepted."]

    def test_it_refuses_a_withdrawn_invitation(self, world, pending_invitation):
        invitation_revoke(invitation=pending_invitation, by=world.trust_admin)
        with pytest.raises(ValidationError) as caught:
            invitation_resend(invitation=pending_invitation, by=world.trust_admin)
        assert caught.value.messages == ["This invitation was revoked."]

    def test_another_trusts_administrator_is_refused(self, world, pending_invitation):
        with pytest.raises(PermissionDenied):
            invitation_resend(invitation=pending_invitation, by=world.other_admin)

    def test_a_clm_cannot_resend_a_trust_administrators_invitation(self, world):
        invitation = InvitationFactory(trust=world.trust, role=Role.TRUST_ADMIN)
        with pytest.raises(PermissionDenied):
            invitation_resend(invitation=invitation, by=world.clm)

    def test_deanery_staff_can_resend_any_trusts_invitation(self, world, pending_invitation):
        assert invitation_resend(invitation=pending_invitation, by=world.deanery).is_pending


@pytest.mark.django_db
class TestInvitationRevoke:
    def test_it_stops_the_invitation_being_used(self, world, pending_invitation):
        invitation_revoke(invitation=pending_invitation, by=world.clm)
        pending_invitation.refresh_from_db()
        assert pending_invitation.status == Invitation.Status.REVOKED
        with pytest.raises(ValidationError):
            invitation_accept(invitation=pending_invitation, password="a-new-password-2026")

    def test_it_refuses_an_invitation_that_is_not_pending(self, world, pending_invitation):
        invitation_revoke(invitation=pending_invitation, by=world.clm)
        with pytest.raises(ValidationError) as caught:
            invitation_revoke(invitation=pending_invitation, by=world.clm)
        assert caught.value.messages == ["Only a pending invitation can be withdrawn."]

    def test_another_trusts_clm_is_refused(self, world, pending_invitation):
        with pytest.raises(PermissionDenied):
            invitation_revoke(invitation=pending_invitation, by=world.other_clm)
        pending_invitation.refresh_from_db()
        assert pending_invitation.is_pending

    def test_a_clm_cannot_withdraw_a_trust_administrators_invitation(self, world):
        invitation = InvitationFactory(trust=world.trust, role=Role.TRUST_ADMIN)
        with pytest.raises(PermissionDenied):
            invitation_revoke(invitation=invitation, by=world.clm)


@pytest.mark.django_db
class TestInvitationAccept:
    def accept(self, invitation, **kwargs):
        kwargs.setdefault("password", "a-new-password-2026")
        return invitation_accept(invitation=invitation, **kwargs)

    def test_it_creates_an_account_that_signs_in_with_the_chosen_password(self, pending_invitation):
        user = self.accept(pending_invitation, name="Nia Newcomer")
        assert (user.email, user.name) == (pending_invitation.email, "Nia Newcomer")
        assert user.check_password("a-new-password-2026")

    def test_it_uses_the_invited_name_when_none_is_given(self, pending_invitation):
        assert self.accept(pending_invitation).name == pending_invitation.name

    def test_it_verifies_the_email_address(self, pending_invitation):
        user = self.accept(pending_invitation)
        address = EmailAddress.objects.get(user=user)
        assert (address.email, address.verified, address.primary) == (
            pending_invitation.email,
            True,
            True,
        )

    def test_it_gives_the_role_in_the_trust(self, world, pending_invitation):
        user = self.accept(pending_invitation)
        assert [(m.role, m.trust) for m in user.memberships.all()] == [(Role.TRAINEE, world.trust)]

    def test_it_creates_the_trainee_profile_from_the_invitation(self, world):
        invitation = InvitationFactory(
            trust=world.trust, grade="CT2", specialty="psychiatry", gmc_number="7012345"
        )
        profile = self.accept(invitation).trainee_profile
        assert (profile.grade, profile.specialty, profile.gmc_number) == (
            "CT2",
            "psychiatry",
            "7012345",
        )

    def test_it_creates_the_supervisor_profile_from_the_invitation(self, world):
        invitation = InvitationFactory(
            trust=world.trust,
            role=Role.SUPERVISOR,
            grade="",
            specialty="surgical",
            gmc_number="7012345",
        )
        user = self.accept(invitation)
        assert (user.supervisor_profile.specialty, user.supervisor_profile.gmc_number) == (
            "surgical",
            "7012345",
        )
        assert not TraineeProfile.objects.filter(user=user).exists()

    def test_it_makes_deanery_staff_members_of_the_region(self, world):
        invitation = InvitationFactory(
            trust=None,
            region=world.deanery.memberships.get().region,
            role=Role.DEANERY,
            grade="",
            specialty="",
            gmc_number="",
        )
        user = self.accept(invitation)
        membership = user.memberships.get()
        assert (membership.role, membership.trust, membership.region.code) == (
            Role.DEANERY,
            None,
            "SW",
        )

    def test_it_marks_the_invitation_accepted_by_the_account(self, pending_invitation):
        user = self.accept(pending_invitation)
        pending_invitation.refresh_from_db()
        assert pending_invitation.status == Invitation.Status.ACCEPTED
        assert pending_invitation.accepted_by == user

    def test_accepting_twice_fails(self, pending_invitation):
        self.accept(pending_invitation)
        with pytest.raises(ValidationError) as caught:
            self.accept(pending_invitation)
        assert caught.value.messages == [
            "This invitation has been used, has expired or was withdrawn."
        ]
        assert User.objects.filter(email=pending_invitation.email).count() == 1

    def test_an_expired_invitation_cannot_be_accepted(self, pending_invitation):
        Invitation.objects.filter(pk=pending_invitation.pk).update(expires_at=timezone.now())
        with pytest.raises(ValidationError):
            self.accept(pending_invitation)
        assert not User.objects.filter(email=pending_invitation.email).exists()

    def test_an_existing_account_must_be_signed_in_to_accept(self, world):
        invitation = InvitationFactory(trust=world.trust, email=world.supervisor.email)
        with pytest.raises(PermissionDenied):
            self.accept(invitation)
        assert not world.supervisor.memberships.filter(role=Role.TRAINEE).exists()

    def test_someone_else_cannot_accept_for_an_existing_account(self, world):
        invitation = InvitationFactory(trust=world.trust, email=world.supervisor.email)
        with pytest.raises(PermissionDenied):
            self.accept(invitation, user=world.clm)

    def test_an_existing_account_gains_the_new_role(self, world):
        invitation = InvitationFactory(
            trust=world.trust, role=Role.CLM, email=world.supervisor.email.upper()
        )
        user = invitation_accept(invitation=invitation, user=world.supervisor)
        assert user == world.supervisor
        assert sorted(m.role for m in user.memberships.all()) == [Role.CLM, Role.SUPERVISOR]

    def test_an_existing_account_keeps_its_password_and_primary_address(self, world):
        invitation = InvitationFactory(
            trust=world.other_trust, role=Role.SUPERVISOR, email=world.supervisor.email
        )
        invitation_accept(invitation=invitation, user=world.supervisor, password="ignored-123456")
        world.supervisor.refresh_from_db()
        address = EmailAddress.objects.get(user=world.supervisor)
        assert (address.verified, address.primary) == (True, True)
        assert not world.supervisor.check_password("ignored-123456")

    def test_a_trainees_new_placement_replaces_the_old_one(self, world):
        invitation = InvitationFactory(
            trust=world.other_trust,
            email=world.trainee.email,
            gmc_number=world.trainee.trainee_profile.gmc_number,
        )
        invitation_accept(invitation=invitation, user=world.trainee)
        assert [(m.role, m.trust) for m in world.trainee.memberships.all()] == [
            (Role.TRAINEE, world.other_trust)
        ]
        assert TraineeProfile.objects.get(user=world.trainee).grade == invitation.grade

    def test_a_moving_trainee_leaves_their_old_trusts_supervisor_behind(self, world):
        invitation = InvitationFactory(
            trust=world.other_trust,
            email=world.trainee.email,
            gmc_number=world.trainee.trainee_profile.gmc_number,
        )
        invitation_accept(invitation=invitation, user=world.trainee)
        assert TraineeProfile.objects.get(user=world.trainee).educational_supervisor is None

    def test_a_gmc_number_taken_since_the_invitation_is_refused(self, world, pending_invitation):
        SupervisorProfile.objects.filter(user=world.supervisor).update(
            gmc_number=pending_invitation.gmc_number
        )
        with pytest.raises(ValidationError, match="now belongs to someone else"):
            self.accept(pending_invitation)
        assert not User.objects.filter(email=pending_invitation.email).exists()

    def test_the_audit_trail_shows_the_inviter_giving_the_role(self, world, pending_invitation):
        user = self.accept(pending_invitation)
        assert history_users(Membership, user_id=user.pk) == [("+", world.trust_admin)]
        assert history_users(TraineeProfile, user_id=user.pk) == [("+", world.trust_admin)]


@pytest.mark.django_db
class TestMembershipAdd:
    def test_it_does_not_duplicate_a_role_already_held(self, world):
        membership = membership_add(user=world.clm, role=Role.CLM, trust=world.trust)
        assert world.clm.memberships.get() == membership

    def test_it_records_who_added_the_role(self, world):
        membership_add(user=world.supervisor, role=Role.CLM, trust=world.trust, by=world.deanery)
        assert history_users(Membership, user_id=world.supervisor.pk, role=Role.CLM) == [
            ("+", world.deanery)
        ]


@pytest.mark.django_db
class TestMembershipRemove:
    def test_a_trust_administrator_removes_a_role_in_their_trust(self, world):
        membership_remove(membership=world.supervisor.memberships.get(), by=world.trust_admin)
        assert not world.supervisor.memberships.exists()

    def test_it_records_who_removed_the_role_and_when(self, world):
        membership = world.supervisor.memberships.get()
        pk, before = membership.pk, timezone.now()
        membership_remove(membership=membership, by=world.trust_admin)
        record = Membership.history.get(id=pk, history_type="-")
        assert record.history_user == world.trust_admin
        assert record.history_date >= before

    def test_a_clm_cannot_remove_a_role(self, world):
        with pytest.raises(PermissionDenied):
            membership_remove(membership=world.supervisor.memberships.get(), by=world.clm)
        assert world.supervisor.memberships.exists()

    def test_another_trusts_administrator_cannot_remove_a_role(self, world):
        with pytest.raises(PermissionDenied):
            membership_remove(membership=world.supervisor.memberships.get(), by=world.other_admin)

    def test_deanery_staff_can_remove_any_trusts_role(self, world):
        membership_remove(membership=world.other_clm.memberships.get(), by=world.deanery)
        assert not world.other_clm.memberships.exists()

    def test_nobody_removes_their_own_administrator_role(self, world):
        with pytest.raises(ValidationError, match="your own administrator role"):
            membership_remove(membership=world.trust_admin.memberships.get(), by=world.trust_admin)
        assert world.trust_admin.memberships.exists()


@pytest.mark.django_db
class TestTraineePlacementUpdate:
    def update(self, world, by=None, **changes):
        fields = {
            "starts_on": date(2026, 8, 5),
            "ends_on": date(2027, 8, 3),
            "educational_supervisor": world.supervisor,
        }
        return trainee_placement_update(
            membership=world.trainee.memberships.get(), by=by or world.clm, **{**fields, **changes}
        )

    def test_it_sets_the_dates_and_the_educational_supervisor(self, world):
        other_supervisor = person(Role.SUPERVISOR, world.trust)
        self.update(world, educational_supervisor=other_supervisor)
        placement = world.trainee.memberships.get()
        assert (placement.starts_on, placement.ends_on) == (date(2026, 8, 5), date(2027, 8, 3))
        assert TraineeProfile.objects.get(user=world.trainee).educational_supervisor == (
            other_supervisor
        )

    def test_a_trust_administrator_can_change_it(self, world):
        self.update(world, by=world.trust_admin, educational_supervisor=None)
        assert TraineeProfile.objects.get(user=world.trainee).educational_supervisor is None

    def test_an_end_before_the_start_is_refused(self, world):
        with pytest.raises(ValidationError) as caught:
            self.update(world, starts_on=date(2027, 8, 1), ends_on=date(2027, 7, 31))
        assert caught.value.message_dict == {"ends_on": ["The placement must end after it starts."]}
        assert world.trainee.memberships.get().starts_on is None

    def test_a_supervisor_from_another_trust_is_refused(self, world):
        elsewhere = person(Role.SUPERVISOR, world.other_trust)
        with pytest.raises(ValidationError, match="must be a supervisor in the same Trust"):
            self.update(world, educational_supervisor=elsewhere)
        assert TraineeProfile.objects.get(user=world.trainee).educational_supervisor == (
            world.supervisor
        )

    def test_another_trusts_clm_is_refused(self, world):
        with pytest.raises(PermissionDenied):
            self.update(world, by=world.other_clm)

    def test_deanery_staff_cannot_change_it(self, world):
        with pytest.raises(PermissionDenied):
            self.update(world, by=world.deanery)

    def test_only_a_trainee_has_a_placement(self, world):
        with pytest.raises(ValidationError, match="Only a trainee has a placement"):
            trainee_placement_update(
                membership=world.supervisor.memberships.get(),
                by=world.clm,
                starts_on=None,
                ends_on=None,
                educational_supervisor=None,
            )

    def test_it_records_who_changed_the_placement(self, world):
        self.update(world, educational_supervisor=None)
        placement = world.trainee.memberships.get()
        assert history_users(Membership, id=placement.pk)[-1] == ("~", world.clm)
        assert history_users(TraineeProfile, user_id=world.trainee.pk)[-1] == ("~", world.clm)
