"""The people-and-roles findings of the foundation review (issue 6): stale and wide views, the
GMC number rule on the profile page, double submission, hashed invitation tokens, failed
sends, odd query values and undoing a role removal."""

import re
from datetime import date, timedelta
from smtplib import SMTPException
from unittest import mock

import pytest
import time_machine
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from trusts import services
from trusts.adapters import SESSION_KEY
from trusts.models import Invitation, Membership, Role, TraineeProfile, User, token_digest
from trusts.selectors import person_history, trainees_supervised_by
from trusts.services import (
    invitation_accept,
    invitation_create,
    invitation_resend,
    membership_add,
    membership_remove,
    membership_restore,
    profile_update,
)
from trusts.tasks import invitation_send_task

from ..conftest import client_for
from ..factories import InvitationFactory

TRAINEE = {"grade": "ST3", "specialty": "medical", "gmc_number": "1234567"}


def page(response) -> str:
    return response.content.decode()


def emailed_token(message) -> str:
    [token] = re.findall(r"/invitations/accept/([^/\s]+)/", message.body)
    return token


def invite(world, **fields) -> Invitation:
    return invitation_create(
        invited_by=world.trust_admin,
        trust=world.trust,
        name="Nia New",
        email="nia@example.com",
        role=Role.TRAINEE,
        **{**TRAINEE, **fields},
    )


@pytest.mark.django_db
class TestMyTraineesAfterARoleIsRemoved:
    @pytest.fixture
    def two_trust_supervisor(self, world):
        """The world's supervisor also supervises in the other Trust."""
        membership_add(user=world.supervisor, role=Role.SUPERVISOR, trust=world.other_trust)
        return world.supervisor

    def test_a_link_left_from_a_removed_role_shows_no_trainee(self, world, two_trust_supervisor):
        # The role goes without the service (as an old removal did): the link is left behind.
        Membership.objects.get(user=world.supervisor, trust=world.trust).delete()
        world.supervisor.__dict__.pop("role_memberships", None)
        assert list(trainees_supervised_by(user=world.supervisor)) == []
        response = client_for(world.supervisor).get(reverse("trusts:my_trainees"))
        assert "Tara Trainee" not in page(response)

    def test_removing_the_role_unlinks_that_trusts_trainees_in_the_history(
        self, world, two_trust_supervisor
    ):
        membership = Membership.objects.get(user=world.supervisor, trust=world.trust)
        membership_remove(membership=membership, by=world.trust_admin)
        profile = TraineeProfile.objects.get(user=world.trainee)
        assert profile.educational_supervisor is None
        assert profile.history.first().history_user == world.trust_admin

    def test_a_current_supervisor_still_sees_their_trainee(self, world):
        assert list(trainees_supervised_by(user=world.supervisor)) == [world.trainee]


@pytest.mark.django_db
class TestPersonHistoryAcrossTrusts:
    def test_a_clm_does_not_see_what_changed_before_the_person_joined_their_trust(self, world):
        mover = world.other_trainee
        with time_machine.travel(timezone.now() - timedelta(days=30)):
            profile = mover.trainee_profile
            profile.gmc_number = "7000001"
            profile.save()
            mover.name = "Omar Formername"
            mover.save()
        with time_machine.travel(timezone.now() + timedelta(hours=1)):
            membership_add(user=mover, role=Role.TRAINEE, trust=world.trust, by=world.trust_admin)
        entries = person_history(person=mover, viewer=world.clm)
        assert [e.what for e in entries] == [
            "Role: Trainee, University Hospitals Plymouth NHS Trust"
        ]
        text = page(
            client_for(world.clm).get(reverse("trusts:person_history", kwargs={"pk": mover.pk}))
        )
        assert "Othertrainee" not in text  # the name they had in the other Trust
        assert "7000001" not in text
        assert "Royal Cornwall" not in text

    def test_deanery_staff_still_see_the_whole_history(self, world):
        mover = world.other_trainee
        mover.name = "Omar Renamed"
        mover.save()
        membership_add(user=mover, role=Role.TRAINEE, trust=world.trust)
        whats = {e.what for e in person_history(person=mover, viewer=world.deanery)}
        assert "Account" in whats
        assert "Role: Trainee, Royal Cornwall Hospitals NHS Trust" in whats


@pytest.mark.django_db
class TestProfileUpdate:
    def test_a_supervisor_cannot_take_a_trainees_gmc_number(self, world):
        world.trainee.trainee_profile.gmc_number = "1111111"
        world.trainee.trainee_profile.save()
        with pytest.raises(services.ValidationError) as caught:
            profile_update(
                user=world.supervisor,
                by=world.supervisor,
                name="Sam Supervisor",
                supervisor={"specialty": "medical", "gmc_number": "1111111"},
            )
        assert caught.value.message_dict == {
            "gmc_number": ["This GMC number belongs to someone else in the portal."]
        }

    def test_nobody_can_take_the_number_of_a_pending_invitation(self, world):
        invite(world, gmc_number="2222222")
        with pytest.raises(services.ValidationError):
            profile_update(
                user=world.trainee,
                by=world.trainee,
                name="Tara Trainee",
                trainee={"grade": "ST3", "specialty": "medical", "gmc_number": "2222222"},
            )
        assert TraineeProfile.objects.get(user=world.trainee).gmc_number != "2222222"

    def test_nobody_changes_someone_elses_profile(self, world):
        with pytest.raises(services.PermissionDenied):
            profile_update(user=world.trainee, by=world.clm, name="Someone Else")

    def test_the_form_shows_the_error_and_saves_nothing(self, world):
        world.trainee.trainee_profile.gmc_number = "3333333"
        world.trainee.trainee_profile.save()
        response = client_for(world.supervisor).post(
            reverse("trusts:profile"),
            {
                "account-name": "Sam Renamed",
                "supervisor-specialty": "medical",
                "supervisor-gmc_number": "3333333",
            },
        )
        assert response.status_code == 200
        assert "This GMC number belongs to someone else in the portal." in page(response)
        world.supervisor.refresh_from_db()
        assert world.supervisor.name == "Sam Supervisor"
        assert world.supervisor.supervisor_profile.gmc_number != "3333333"

    def test_a_free_number_is_saved_with_who_changed_it(self, world):
        response = client_for(world.supervisor).post(
            reverse("trusts:profile"),
            {
                "account-name": "Sam Supervisor",
                "supervisor-specialty": "medical",
                "supervisor-gmc_number": "4444444",
            },
        )
        assert response.status_code == 302
        profile = world.supervisor.supervisor_profile
        profile.refresh_from_db()
        assert profile.gmc_number == "4444444"
        assert profile.history.first().history_user == world.supervisor


@pytest.mark.django_db
class TestDoubleSubmission:
    def test_the_same_invitation_twice_in_a_row_is_one_invitation(self, world):
        first = invite(world)
        assert invite(world) == first
        assert Invitation.objects.count() == 1

    def test_a_double_click_on_invite_gives_one_invitation_and_no_error(
        self, world, trust_admin_client, django_capture_on_commit_callbacks
    ):
        data = {"name": "Nia New", "email": "nia@example.com", "role": Role.TRAINEE, **TRAINEE}
        url = reverse("trusts:invite") + "?trust=RK9"
        with django_capture_on_commit_callbacks(execute=True):
            first = trust_admin_client.post(url, data)
            second = trust_admin_client.post(url, data)
        assert (first.status_code, second.status_code) == (302, 302)
        assert Invitation.objects.count() == 1
        assert len(mail.outbox) == 1

    def test_the_same_invitation_later_is_refused_as_before(self, world):
        invite(world)
        with time_machine.travel(timezone.now() + timedelta(minutes=10)):
            with pytest.raises(services.ValidationError):
                invite(world)

    def test_two_invitations_for_one_new_address_accepted_at_once_do_not_500(self, world):
        first = InvitationFactory(email="twice@example.com", trust=world.trust, role="supervisor")
        second = InvitationFactory(
            email="twice@example.com", trust=world.other_trust, role="supervisor"
        )
        invitation_accept(invitation=first, name="Twice", password="Correct-Horse-2026-x")
        # The second request looked for an account before the first one's was committed.
        with (
            mock.patch("trusts.views.account_for_email", return_value=None),
            mock.patch.object(services, "_existing_account", return_value=None),
        ):
            response = client_for(None).post(
                reverse("trusts:accept_invitation", kwargs={"token": second.token}),
                {
                    "name": "Twice",
                    "password1": "Correct-Horse-2026-x",
                    "password2": "Correct-Horse-2026-x",
                },
            )
        assert response.status_code == 200
        assert "An account for this email address was created a moment ago" in page(response)
        assert User.objects.filter(email="twice@example.com").count() == 1
        assert Invitation.objects.get(pk=second.pk).accepted_at is None


@pytest.mark.django_db
class TestInvitationTokens:
    def test_the_database_keeps_only_the_digest_of_the_emailed_token(
        self, world, django_capture_on_commit_callbacks
    ):
        with django_capture_on_commit_callbacks(execute=True):
            invitation = invite(world)
        token = emailed_token(mail.outbox[0])
        invitation.refresh_from_db()
        assert invitation.token_digest == token_digest(token)
        assert not Invitation.objects.filter(token_digest=token).exists()

    def test_the_emailed_link_opens_the_invitation(self, world, django_capture_on_commit_callbacks):
        with django_capture_on_commit_callbacks(execute=True):
            invite(world)
        client = client_for(None)
        response = client.get(
            reverse("trusts:accept_invitation", kwargs={"token": emailed_token(mail.outbox[0])})
        )
        assert response.status_code == 200
        assert client.session[SESSION_KEY] == Invitation.objects.get().token_digest

    def test_resending_mints_a_new_link_and_the_old_one_stops_working(
        self, world, django_capture_on_commit_callbacks
    ):
        with django_capture_on_commit_callbacks(execute=True):
            invitation = invite(world)
        with django_capture_on_commit_callbacks(execute=True):
            invitation_resend(invitation=invitation, by=world.trust_admin)
        old, new = (emailed_token(m) for m in mail.outbox)
        assert old != new
        client = client_for(None)
        url = lambda t: reverse("trusts:accept_invitation", kwargs={"token": t})  # noqa: E731
        assert client.get(url(old)).status_code == 404
        assert client.get(url(new)).status_code == 200

    def test_the_accept_page_is_public_under_login_required_middleware(self, world, settings):
        settings.MIDDLEWARE = [
            *settings.MIDDLEWARE,
            "django.contrib.auth.middleware.LoginRequiredMiddleware",
        ]
        invitation = InvitationFactory(trust=world.trust)
        response = client_for(None).get(
            reverse("trusts:accept_invitation", kwargs={"token": invitation.token})
        )
        assert response.status_code == 200


@pytest.mark.django_db
class TestFailedSends:
    def test_each_failure_is_recorded_before_the_retry(self, world, trust_admin_client):
        invitation = InvitationFactory(trust=world.trust, invited_by=world.trust_admin)
        Invitation.objects.filter(pk=invitation.pk).update(token_digest=None)
        with mock.patch(
            "trusts.services.send_templated_email", side_effect=SMTPException("550 mailbox full")
        ):
            for _ in range(3):
                with pytest.raises(SMTPException):
                    invitation_send_task.run(invitation_id=invitation.pk)
        invitation.refresh_from_db()
        assert (invitation.send_attempts, invitation.sent_at, invitation.token_digest) == (
            3,
            None,
            None,
        )
        text = page(trust_admin_client.get(reverse("trusts:invitations")))
        assert "Not sent yet" in text
        assert "3 attempts, last error: 550 mailbox full" in text

    def test_the_person_page_shows_the_failure(self, world, trust_admin_client):
        invitation = InvitationFactory(email=world.trainee.email, trust=world.trust)
        Invitation.objects.filter(pk=invitation.pk).update(
            send_attempts=2, last_send_error="Connection refused", sent_at=None
        )
        text = page(
            trust_admin_client.get(reverse("trusts:person", kwargs={"pk": world.trainee.pk}))
        )
        assert "not sent yet: 2 attempts, last error: Connection refused" in text


ODD = "²"


@pytest.mark.django_db
class TestOddQueryValues:
    @pytest.mark.parametrize(
        "name, query",
        [
            ("trusts:people", {"page": ODD}),
            ("trusts:people", {"role": ODD}),
            ("trusts:people", {"trust": ODD}),
            ("trusts:people", {"sort": ODD, "per_page": ODD}),
            ("trusts:list", {"page": ODD, "sort": ODD}),
            ("trusts:invitations", {"page": ODD, "sort": ODD}),
            ("trusts:invite", {"trust": ODD}),
            ("trusts:invite_upload", {"trust": ODD}),
        ],
    )
    def test_it_never_500s(self, deanery_client, name, query):
        response = deanery_client.get(reverse(name), query)
        assert response.status_code in (200, 400, 404)


@pytest.mark.django_db
class TestRemoveARoleAndUndo:
    def membership(self, world):
        return world.supervisor.memberships.get(trust=world.trust)

    def test_get_asks_for_confirmation_and_removes_nothing(self, world, trust_admin_client):
        membership = self.membership(world)
        response = trust_admin_client.get(
            reverse("trusts:remove_membership", kwargs={"pk": membership.pk})
        )
        assert response.status_code == 200
        assert "Yes, remove this role" in page(response)
        assert Membership.objects.filter(pk=membership.pk).exists()

    def test_undo_restores_the_same_role_with_its_dates(self, world, trust_admin_client):
        membership = self.membership(world)
        Membership.objects.filter(pk=membership.pk).update(
            starts_on=date(2025, 8, 6), ends_on=date(2026, 8, 5)
        )
        response = trust_admin_client.post(
            reverse("trusts:remove_membership", kwargs={"pk": membership.pk}), follow=True
        )
        assert "Undo" in page(response)
        [removal] = Membership.history.filter(id=membership.pk, history_type="-")
        trust_admin_client.post(
            reverse("trusts:restore_membership", kwargs={"removal_id": removal.history_id})
        )
        restored = Membership.objects.get(user=world.supervisor, trust=world.trust)
        assert (restored.role, restored.starts_on, restored.ends_on) == (
            Role.SUPERVISOR,
            date(2025, 8, 6),
            date(2026, 8, 5),
        )
        last = restored.history.first()
        assert (last.history_user, last.history_change_reason) == (
            world.trust_admin,
            "Removal undone",
        )

    def test_only_the_administrator_who_removed_it_can_undo(self, world):
        membership_remove(membership=self.membership(world), by=world.trust_admin)
        [removal] = Membership.history.filter(history_type="-")
        with pytest.raises(services.ValidationError):
            membership_restore(removal_id=removal.history_id, by=world.deanery)

    def test_undo_expires_after_15_minutes(self, world):
        membership_remove(membership=self.membership(world), by=world.trust_admin)
        [removal] = Membership.history.filter(history_type="-")
        with time_machine.travel(timezone.now() + timedelta(minutes=16)):
            with pytest.raises(services.ValidationError):
                membership_restore(removal_id=removal.history_id, by=world.trust_admin)


@pytest.mark.django_db
class TestWhatPeopleSee:
    def test_a_trainee_sees_their_clm_and_how_to_reach_them(self, world, trainee_client):
        text = page(trainee_client.get(reverse("home")))
        assert "Chris Mentor" in text
        assert f"mailto:{world.clm.email}" in text

    def test_a_trainee_is_told_of_a_vacancy(self, world, trainee_client):
        Membership.objects.filter(role=Role.CLM, trust=world.trust).delete()
        text = page(trainee_client.get(reverse("home")))
        assert "Your Trust has no CLM at the moment" in text

    def test_a_supervisor_sees_their_trainees_details(self, world, supervisor_client):
        Membership.objects.filter(user=world.trainee).update(starts_on=date(2025, 8, 6))
        text = page(supervisor_client.get(reverse("trusts:my_trainees")))
        assert world.trainee.email in text
        assert "ST3" in text
        assert "6 Aug 2025" in text

    def test_deanery_tables_show_trust_names(self, world, deanery_client):
        InvitationFactory(trust=world.other_trust)
        assert "Royal Cornwall Hospitals NHS Trust" in page(
            deanery_client.get(reverse("trusts:invitations"))
        )
        assert "Royal Cornwall Hospitals NHS Trust" in page(
            deanery_client.get(reverse("trusts:people"))
        )
