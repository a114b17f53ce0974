"""The people-and-roles pages through django.test.Client: scoping, forms, the audit trail."""

import re
from datetime import date, timedelta

import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth import SESSION_KEY
from django.core import mail
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

from ..conftest import client_for
from ..factories import InvitationFactory, MembershipFactory, TrustFactory, person

NEW_PASSWORD = "Correct-Horse-Battery-2026"


def page(response) -> str:
    return response.content.decode()


def messages_of(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


def make_people(world, count: int) -> None:
    """`count` more people in the first Trust, half trainees, each also a CLM elsewhere."""
    for i in range(count):
        someone = person(Role.TRAINEE if i % 2 else Role.SUPERVISOR, world.trust)
        if i % 2:
            TraineeProfile.objects.filter(user=someone).update(
                educational_supervisor=world.supervisor
            )
        MembershipFactory(user=someone, role=Role.CLM, trust=TrustFactory())
        InvitationFactory(trust=world.trust, invited_by=world.clm)


# --- People ---------------------------------------------------------------------------------


@pytest.mark.django_db
class TestPeople:
    url = reverse("trusts:people")

    def test_a_clm_sees_their_trusts_people_only(self, world, clm_client):
        listed = {p.email for p in clm_client.get(self.url).context["table"].data}
        assert world.trainee.email in listed
        assert world.other_trainee.email not in listed

    def test_deanery_staff_see_both_trusts(self, world, deanery_client):
        listed = {p.email for p in deanery_client.get(self.url).context["table"].data}
        assert {world.trainee.email, world.other_trainee.email} <= listed

    def test_the_roles_column_shows_only_roles_in_the_readers_trust(self, world, clm_client):
        MembershipFactory(user=world.supervisor, role=Role.CLM, trust=world.other_trust)
        html = page(clm_client.get(self.url, {"q": world.supervisor.email}))
        assert "Educational supervisor, University Hospitals Plymouth NHS Trust" in html
        assert "Royal Cornwall" not in html

    def test_it_filters_by_role_within_the_readers_trust(self, world, clm_client):
        response = clm_client.get(self.url, {"role": Role.TRAINEE})
        assert [p.email for p in response.context["table"].data] == [world.trainee.email]

    def test_it_finds_people_by_name_or_email(self, world, clm_client):
        response = clm_client.get(self.url, {"q": "tara"})
        assert [p.email for p in response.context["table"].data] == [world.trainee.email]

    @pytest.mark.parametrize("count", [5, 100])
    def test_a_clm_page_runs_a_fixed_number_of_queries(
        self, world, count, django_assert_max_num_queries
    ):
        make_people(world, count)
        client = client_for(world.clm)
        with django_assert_max_num_queries(9):
            response = client.get(self.url)
        assert response.status_code == 200

    @pytest.mark.parametrize("count", [5, 100])
    def test_the_deanery_page_runs_a_fixed_number_of_queries(
        self, world, count, django_assert_max_num_queries
    ):
        make_people(world, count)
        client = client_for(world.deanery)
        with django_assert_max_num_queries(10):
            response = client.get(self.url, {"role": Role.TRAINEE})
        assert response.status_code == 200


@pytest.mark.django_db
class TestPerson:
    def url(self, user) -> str:
        return reverse("trusts:person", kwargs={"pk": user.pk})

    def test_it_shows_the_trainees_details(self, world, clm_client):
        html = page(clm_client.get(self.url(world.trainee)))
        assert world.trainee.trainee_profile.gmc_number in html
        assert "Sam Supervisor" in html

    def test_a_clm_sees_only_the_roles_held_in_their_trust(self, world, clm_client):
        MembershipFactory(user=world.supervisor, role=Role.CLM, trust=world.other_trust)
        response = clm_client.get(self.url(world.supervisor))
        assert [(m.role, m.trust) for m in response.context["memberships"]] == [
            (Role.SUPERVISOR, world.trust)
        ]
        assert "Royal Cornwall" not in page(response)

    def test_another_trusts_person_is_404(self, world, other_trust_clm_client):
        assert other_trust_clm_client.get(self.url(world.trainee)).status_code == 404

    def test_a_clm_may_change_the_placement_but_not_remove_roles(self, world, clm_client):
        response = clm_client.get(self.url(world.trainee))
        assert response.context["can_edit_placement"] is True
        assert response.context["removable"] == set()

    def test_a_trust_administrator_may_remove_roles(self, world, trust_admin_client):
        response = trust_admin_client.get(self.url(world.trainee))
        assert response.context["removable"] == {world.trainee.memberships.get().pk}

    def test_deanery_staff_read_but_do_not_change_the_placement(self, world, deanery_client):
        assert deanery_client.get(self.url(world.trainee)).context["can_edit_placement"] is False


@pytest.mark.django_db
class TestPersonHistory:
    def rows(self, client, user) -> list[list[str]]:
        """The history table's rows as [when, who, what, change] cell texts."""
        response = client.get(reverse("trusts:person_history", kwargs={"pk": user.pk}))
        assert response.status_code == 200
        body = page(response).split('<tbody class="nhsuk-table__body">')[1].split("</tbody>")[0]
        return [
            [
                " ".join(re.sub(r"<[^>]+>", " ", cell).split())
                for cell in re.findall(r'<td class="nhsuk-table__cell"[^>]*>(.*?)</td>', row, re.S)
            ]
            for row in body.split('<tr class="nhsuk-table__row">')[1:]
        ]

    def row_with(self, rows, text: str) -> list[str]:
        [row] = [r for r in rows if any(text in cell for cell in r)]
        return row

    def test_it_shows_who_changed_a_trainees_grade_from_what_to_what(
        self, world, trainee_client, clm_client
    ):
        trainee_client.post(reverse("trusts:profile"), profile_data(world.trainee, grade="ST4"))
        _, who, what, change = self.row_with(
            self.rows(clm_client, world.trainee), "Grade: ST3 → ST4"
        )
        assert (who, what, change) == (
            "Tara Trainee",
            "Trainee profile",
            "Changed Grade: ST3 → ST4",
        )

    def test_it_shows_who_removed_a_role(self, world, trust_admin_client, deanery_client):
        membership = world.supervisor.memberships.get()
        trust_admin_client.post(reverse("trusts:remove_membership", kwargs={"pk": membership.pk}))
        _, who, what, change = self.row_with(self.rows(deanery_client, world.supervisor), "Deleted")
        assert (who, what, change) == (
            "Alex Admin",
            "Role: Educational supervisor, University Hospitals Plymouth NHS Trust",
            "Deleted",
        )

    def test_it_shows_who_gave_a_role_by_invitation(self, world, clm_client):
        invitation = InvitationFactory(
            trust=world.trust, role=Role.SUPERVISOR, invited_by=world.clm, email="sue@example.com"
        )
        client_for(None).post(
            reverse("trusts:accept_invitation", kwargs={"token": invitation.token}),
            accept_data("Sue Smith"),
        )
        rows = self.rows(clm_client, User.objects.get(email="sue@example.com"))
        _, who, _, change = self.row_with(rows, "Role: Educational supervisor")
        assert (who, change) == ("Chris Mentor", "Created")

    def test_it_shows_the_placement_edit_with_old_and_new_values(
        self, world, clm_client, trust_admin_client
    ):
        clm_client.post(
            reverse("trusts:edit_placement", kwargs={"pk": world.trainee.pk}),
            {"starts_on": "2026-08-05", "ends_on": "2027-08-03", "educational_supervisor": ""},
        )
        rows = self.rows(trust_admin_client, world.trainee)
        _, who, what, change = self.row_with(rows, "From: (empty) → 2026-08-05")
        assert (who, what) == (
            "Chris Mentor",
            "Role: Trainee, University Hospitals Plymouth NHS Trust",
        )
        assert "To: (empty) → 2027-08-03" in change
        _, who, _, change = self.row_with(rows, "Educational supervisor: Sam Supervisor → (empty)")
        assert who == "Chris Mentor"

    def test_it_dates_each_change(self, world, clm_client):
        today = timezone.localtime().strftime("%-d %b %Y")
        whens = [when for when, *_ in self.rows(clm_client, world.trainee)]
        assert whens
        assert all(re.fullmatch(rf"{today}, \d\d:\d\d", when) for when in whens)

    def test_a_clm_does_not_see_roles_in_other_trusts(self, world, clm_client):
        MembershipFactory(user=world.supervisor, role=Role.CLM, trust=world.other_trust)
        whats = {what for _, _, what, _ in self.rows(clm_client, world.supervisor)}
        assert whats == {
            "Account",
            "Supervisor profile",
            "Role: Educational supervisor, University Hospitals Plymouth NHS Trust",
        }

    def test_another_trusts_person_is_404(self, world, other_trust_clm_client):
        url = reverse("trusts:person_history", kwargs={"pk": world.trainee.pk})
        assert other_trust_clm_client.get(url).status_code == 404


# --- Placement --------------------------------------------------------------------------------


@pytest.mark.django_db
class TestEditPlacement:
    def url(self, world) -> str:
        return reverse("trusts:edit_placement", kwargs={"pk": world.trainee.pk})

    def placement(self, world) -> Membership:
        return world.trainee.memberships.get()

    def test_a_clm_sets_the_dates_and_the_educational_supervisor(self, world, clm_client):
        new_supervisor = person(Role.SUPERVISOR, world.trust, name="Nell Newsupervisor")
        response = clm_client.post(
            self.url(world),
            {
                "starts_on": "2026-08-05",
                "ends_on": "2027-08-03",
                "educational_supervisor": new_supervisor.pk,
            },
        )
        assert response.status_code == 302
        assert response["Location"] == reverse("trusts:person", kwargs={"pk": world.trainee.pk})
        placement = self.placement(world)
        assert (placement.starts_on, placement.ends_on) == (date(2026, 8, 5), date(2027, 8, 3))
        assert TraineeProfile.objects.get(user=world.trainee).educational_supervisor == (
            new_supervisor
        )

    def test_it_offers_the_trusts_supervisors_only(self, world, clm_client):
        person(Role.SUPERVISOR, world.other_trust)
        form = clm_client.get(self.url(world)).context["form"]
        assert list(form.fields["educational_supervisor"].queryset) == [world.supervisor]

    def test_an_end_before_the_start_is_an_error_and_saves_nothing(self, world, clm_client):
        response = clm_client.post(
            self.url(world),
            {"starts_on": "2027-08-01", "ends_on": "2027-07-31", "educational_supervisor": ""},
        )
        assert response.status_code == 200
        assert response.context["form"].errors == {
            "ends_on": ["The placement must end after it starts."]
        }
        assert self.placement(world).starts_on is None
        assert TraineeProfile.objects.get(user=world.trainee).educational_supervisor == (
            world.supervisor
        )

    def test_a_supervisor_from_another_trust_is_refused(self, world, clm_client):
        elsewhere = person(Role.SUPERVISOR, world.other_trust)
        response = clm_client.post(
            self.url(world),
            {"starts_on": "2026-08-05", "ends_on": "", "educational_supervisor": elsewhere.pk},
        )
        assert response.status_code == 200
        assert "educational_supervisor" in response.context["form"].errors
        assert self.placement(world).starts_on is None
        assert TraineeProfile.objects.get(user=world.trainee).educational_supervisor == (
            world.supervisor
        )

    def test_another_trusts_clm_gets_404(self, world, other_trust_clm_client):
        assert other_trust_clm_client.get(self.url(world)).status_code == 404

    def test_someone_without_a_placement_cannot_be_given_one(self, world, clm_client):
        url = reverse("trusts:edit_placement", kwargs={"pk": world.supervisor.pk})
        assert clm_client.get(url).status_code == 403


# --- Memberships ------------------------------------------------------------------------------


@pytest.mark.django_db
class TestRemoveMembership:
    def url(self, membership) -> str:
        return reverse("trusts:remove_membership", kwargs={"pk": membership.pk})

    def test_a_trust_administrator_removes_a_role(self, world, trust_admin_client):
        MembershipFactory(user=world.supervisor, role=Role.CLM, trust=world.trust)
        supervising = world.supervisor.memberships.get(role=Role.SUPERVISOR)
        response = trust_admin_client.post(self.url(supervising), follow=True)
        assert not Membership.objects.filter(pk=supervising.pk).exists()
        assert response.redirect_chain[-1][0] == reverse(
            "trusts:person", kwargs={"pk": world.supervisor.pk}
        )
        assert messages_of(response) == [
            "Sam Supervisor is no longer an educational supervisor here."
        ]

    def test_removing_their_last_role_here_returns_to_the_people_list(
        self, world, trust_admin_client
    ):
        response = trust_admin_client.post(self.url(world.supervisor.memberships.get()))
        assert response["Location"] == reverse("trusts:people")

    def test_another_trusts_membership_is_404(self, world, trust_admin_client):
        response = trust_admin_client.post(self.url(world.other_clm.memberships.get()))
        assert response.status_code == 404
        assert world.other_clm.memberships.exists()

    def test_an_administrator_cannot_remove_their_own_role(self, world, trust_admin_client):
        response = trust_admin_client.post(
            self.url(world.trust_admin.memberships.get()), follow=True
        )
        assert messages_of(response) == ["You cannot remove your own administrator role."]
        assert world.trust_admin.memberships.exists()


# --- Invitations ------------------------------------------------------------------------------


def invite_data(**fields) -> dict:
    return {
        "name": "Nia New",
        "email": "nia@example.com",
        "role": Role.TRAINEE,
        "grade": "CT1",
        "specialty": "medical",
        "gmc_number": "7123456",
        **fields,
    }


@pytest.mark.django_db
class TestInvite:
    url = reverse("trusts:invite")

    def test_a_clm_invites_a_trainee_who_gets_an_email(
        self, world, clm_client, django_capture_on_commit_callbacks
    ):
        with django_capture_on_commit_callbacks(execute=True):
            response = clm_client.post(self.url, invite_data())
        assert response.status_code == 302
        invitation = Invitation.objects.get()
        assert (invitation.email, invitation.trust, invitation.invited_by) == (
            "nia@example.com",
            world.trust,
            world.clm,
        )
        assert [m.to for m in mail.outbox] == [["nia@example.com"]]
        [token] = re.findall(r"/invitations/accept/([^/\s]+)/", mail.outbox[0].body)
        assert invitation.token_digest == token_digest(token)
        assert token not in invitation.token_digest

    def test_a_clm_is_offered_trainee_and_supervisor_only(self, world, clm_client):
        form = clm_client.get(self.url).context["form"]
        assert [value for value, _ in form.fields["role"].choices] == [
            Role.TRAINEE,
            Role.SUPERVISOR,
        ]

    def test_a_clm_cannot_invite_a_trust_administrator(self, world, clm_client):
        response = clm_client.post(self.url, invite_data(role=Role.TRUST_ADMIN))
        assert response.status_code == 200
        assert response.context["form"].errors["role"] == [
            "'trust_admin' is not a role you can invite here."
        ]
        assert not Invitation.objects.exists()

    def test_a_trust_administrator_can_invite_a_clm(self, world, trust_admin_client):
        trust_admin_client.post(self.url, invite_data(role=Role.CLM))
        assert Invitation.objects.get().role == Role.CLM

    def test_someone_already_in_the_role_is_an_error_on_the_email(self, world, clm_client):
        response = clm_client.post(self.url, invite_data(email=world.trainee.email))
        assert response.context["form"].errors["email"] == [
            f"{world.trainee.email} is already a trainee in University Hospitals Plymouth NHS Trust."
        ]
        assert not Invitation.objects.exists()

    def test_a_trainee_needs_a_gmc_number(self, world, clm_client):
        response = clm_client.post(self.url, invite_data(gmc_number=""))
        assert response.context["form"].errors["gmc_number"] == ["Enter the trainee's GMC number."]

    def test_deanery_staff_choose_where_to_invite_to(self, world, deanery_client):
        response = deanery_client.get(self.url)
        assert response.templates[0].name == "trusts/choose_trust.html"
        assert response.context["allow_region"] is True

    def test_deanery_staff_invite_deanery_staff_to_the_region(self, world, deanery_client):
        deanery_client.post(
            f"{self.url}?trust=region",
            {"name": "Dee", "email": "dee@example.com", "role": "deanery"},
        )
        invitation = Invitation.objects.get()
        assert (invitation.role, invitation.trust, invitation.region.code) == (
            Role.DEANERY,
            None,
            "SW",
        )

    def test_a_clm_cannot_invite_to_the_region(self, world, clm_client):
        response = clm_client.post(
            f"{self.url}?trust=region",
            {"name": "Dee", "email": "dee@example.com", "role": "deanery"},
        )
        assert response.status_code == 404
        assert not Invitation.objects.exists()


@pytest.mark.django_db
class TestInvitations:
    url = reverse("trusts:invitations")

    def test_a_clm_sees_their_trusts_invitations_only(self, world, clm_client):
        ours = InvitationFactory(trust=world.trust)
        InvitationFactory(trust=world.other_trust)
        assert list(clm_client.get(self.url).context["table"].data) == [ours]

    def test_it_shows_each_invitations_status(self, world, clm_client):
        InvitationFactory(trust=world.trust, revoked_at=timezone.now())
        InvitationFactory(trust=world.trust, expires_at=timezone.now() - timedelta(days=1))
        html = page(clm_client.get(self.url))
        assert 'nhsuk-tag--grey">Revoked' in html
        assert 'nhsuk-tag--orange">Expired' in html

    @pytest.mark.parametrize("count", [5, 100])
    def test_it_runs_a_fixed_number_of_queries(self, world, count, django_assert_max_num_queries):
        make_people(world, count)
        client = client_for(world.trust_admin)
        with django_assert_max_num_queries(8):
            response = client.get(self.url)
        assert response.status_code == 200


@pytest.mark.django_db
class TestTrustList:
    url = reverse("trusts:list")

    def test_a_clm_sees_their_own_trust(self, world, clm_client):
        assert list(clm_client.get(self.url).context["table"].data) == [world.trust]

    def test_a_trust_without_a_clm_shows_as_vacant(self, world, deanery_client):
        TrustFactory(ods_code="RA9", name="Torbay and South Devon NHS Foundation Trust")
        html = page(deanery_client.get(self.url))
        assert "Vacant" in html
        assert "Chris Mentor" in html

    @pytest.mark.parametrize("count", [5, 100])
    def test_it_runs_a_fixed_number_of_queries(self, world, count, django_assert_max_num_queries):
        make_people(world, count)
        client = client_for(world.deanery)
        with django_assert_max_num_queries(9):
            response = client.get(self.url)
        assert response.status_code == 200


@pytest.mark.django_db
class TestTrustDetail:
    def test_it_counts_the_trusts_people_by_role(self, world, clm_client):
        response = clm_client.get(reverse("trusts:detail", kwargs={"ods_code": "RK9"}))
        assert response.context["role_counts"] == [
            ("Trainee", 1),
            ("Educational supervisor", 1),
            ("Clinical Leadership Mentor", 1),
            ("Trust administrator", 1),
        ]

    def test_another_trust_is_404(self, world, clm_client):
        assert (
            clm_client.get(reverse("trusts:detail", kwargs={"ods_code": "REF"})).status_code == 404
        )


@pytest.mark.django_db
class TestResendInvitation:
    def url(self, invitation) -> str:
        return reverse("trusts:resend_invitation", kwargs={"pk": invitation.pk})

    def test_it_sends_the_invitation_again(
        self, world, pending_invitation, clm_client, django_capture_on_commit_callbacks
    ):
        with django_capture_on_commit_callbacks(execute=True):
            response = clm_client.post(self.url(pending_invitation), follow=True)
        assert messages_of(response) == [f"Invitation sent again to {pending_invitation.email}."]
        assert [m.to for m in mail.outbox] == [[pending_invitation.email]]

    def test_an_accepted_invitation_is_not_sent_again(self, world, clm_client):
        invitation = InvitationFactory(trust=world.trust, accepted_at=timezone.now())
        response = clm_client.post(self.url(invitation), follow=True)
        assert messages_of(response) == ["This invitation was accepted."]
        assert mail.outbox == []

    def test_another_trusts_invitation_is_404(
        self, world, pending_invitation, other_trust_admin_client
    ):
        response = other_trust_admin_client.post(self.url(pending_invitation))
        assert response.status_code == 404


@pytest.mark.django_db
class TestRevokeInvitation:
    def url(self, invitation) -> str:
        return reverse("trusts:revoke_invitation", kwargs={"pk": invitation.pk})

    def test_it_withdraws_the_invitation(self, world, pending_invitation, trust_admin_client):
        response = trust_admin_client.post(self.url(pending_invitation), follow=True)
        assert messages_of(response) == [f"Invitation for {pending_invitation.email} withdrawn."]
        pending_invitation.refresh_from_db()
        assert pending_invitation.status == Invitation.Status.REVOKED

    def test_another_trusts_invitation_is_404(
        self, world, pending_invitation, other_trust_clm_client
    ):
        assert other_trust_clm_client.post(self.url(pending_invitation)).status_code == 404
        pending_invitation.refresh_from_db()
        assert pending_invitation.is_pending

    def test_a_clm_cannot_withdraw_a_trust_administrators_invitation(self, world, clm_client):
        invitation = InvitationFactory(trust=world.trust, role=Role.TRUST_ADMIN)
        assert clm_client.post(self.url(invitation)).status_code == 403


# --- Accepting an invitation --------------------------------------------------------------------


def accept_data(name="Nia Newcomer", password=NEW_PASSWORD, confirm=None) -> dict:
    return {"name": name, "password1": password, "password2": confirm or password}


@pytest.mark.django_db
class TestAcceptInvitation:
    def url(self, invitation) -> str:
        return reverse("trusts:accept_invitation", kwargs={"token": invitation.token})

    def test_it_asks_a_new_person_for_a_password(self, pending_invitation, client):
        response = client.get(self.url(pending_invitation))
        assert response.status_code == 200
        assert response.context["form"].initial == {"name": pending_invitation.name}

    def test_a_new_person_gets_an_account_and_is_signed_in(self, world, pending_invitation, client):
        response = client.post(self.url(pending_invitation), accept_data())
        assert response.status_code == 302
        assert response["Location"] == reverse("home")
        user = User.objects.get(email=pending_invitation.email)
        assert client.session[SESSION_KEY] == str(user.pk)
        assert user.name == "Nia Newcomer"
        assert user.memberships.get().trust == world.trust
        assert TraineeProfile.objects.get(user=user).gmc_number == pending_invitation.gmc_number
        assert EmailAddress.objects.get(user=user).verified is True

    def test_the_new_person_can_then_sign_in_with_their_password(self, pending_invitation, client):
        client.post(self.url(pending_invitation), accept_data())
        client.logout()
        response = client.post(
            reverse("account_login"),
            {"login": pending_invitation.email, "password": NEW_PASSWORD},
        )
        assert response.status_code == 302
        assert response["Location"] == reverse("home")

    def test_passwords_that_differ_are_an_error(self, pending_invitation, client):
        response = client.post(
            self.url(pending_invitation), accept_data(confirm="Something-Else-2026")
        )
        assert response.context["form"].errors == {"password2": ["The passwords do not match."]}
        assert not User.objects.filter(email=pending_invitation.email).exists()

    def test_a_common_password_is_refused(self, pending_invitation, client):
        response = client.post(self.url(pending_invitation), accept_data(password="password123"))
        assert "password1" in response.context["form"].errors
        assert not User.objects.filter(email=pending_invitation.email).exists()

    def test_an_accepted_link_cannot_be_used_again(self, pending_invitation, client):
        client.post(self.url(pending_invitation), accept_data())
        response = client_for(None).get(self.url(pending_invitation))
        assert response.status_code == 410
        assert "This invitation cannot be used" in page(response)
        assert "already been accepted" in page(response)

    def test_an_expired_link_cannot_be_used(self, pending_invitation, client):
        Invitation.objects.filter(pk=pending_invitation.pk).update(
            expires_at=timezone.now() - timedelta(seconds=1)
        )
        response = client.post(self.url(pending_invitation), accept_data())
        assert response.status_code == 410
        assert "It has expired" in page(response)
        assert not User.objects.filter(email=pending_invitation.email).exists()

    def test_a_withdrawn_link_cannot_be_used(self, world, pending_invitation, client):
        pending_invitation.revoked_at = timezone.now()
        pending_invitation.save()
        response = client.get(self.url(pending_invitation))
        assert response.status_code == 410
        assert "It was withdrawn" in page(response)

    def test_an_unknown_link_is_404(self, db, client):
        response = client.get(reverse("trusts:accept_invitation", kwargs={"token": "nope"}))
        assert response.status_code == 404

    def test_someone_with_an_account_is_asked_to_sign_in(self, world, client):
        invitation = InvitationFactory(
            trust=world.trust, role=Role.CLM, email=world.supervisor.email
        )
        response = client.get(self.url(invitation))
        assert response.templates[0].name == "trusts/accept_sign_in.html"
        assert response.context["login_url"] == (
            f"{reverse('account_login')}?next={self.url(invitation)}"
        )
        assert not world.supervisor.memberships.filter(role=Role.CLM).exists()

    def test_someone_with_an_account_accepts_once_signed_in(self, world, supervisor_client):
        invitation = InvitationFactory(
            trust=world.trust, role=Role.CLM, email=world.supervisor.email
        )
        assert supervisor_client.get(self.url(invitation)).templates[0].name == (
            "trusts/accept_existing.html"
        )
        response = supervisor_client.post(self.url(invitation))
        assert response["Location"] == reverse("home")
        assert world.supervisor.memberships.filter(role=Role.CLM, trust=world.trust).exists()

    def test_someone_signed_in_as_another_person_is_refused(self, pending_invitation, clm_client):
        response = clm_client.post(self.url(pending_invitation), accept_data())
        assert response.status_code == 403
        assert not User.objects.filter(email=pending_invitation.email).exists()

    def test_someone_signed_in_as_another_person_is_refused_an_existing_accounts_link(
        self, world, clm_client
    ):
        invitation = InvitationFactory(
            trust=world.trust, role=Role.CLM, email=world.supervisor.email
        )
        response = clm_client.post(self.url(invitation))
        assert response.status_code == 403
        assert "This invitation is for someone else" in page(response)
        assert not world.supervisor.memberships.filter(role=Role.CLM).exists()

    def test_a_gmc_number_taken_since_the_invitation_is_an_error_not_a_crash(
        self, world, pending_invitation, client
    ):
        SupervisorProfile.objects.filter(user=world.supervisor).update(
            gmc_number=pending_invitation.gmc_number
        )
        response = client.post(self.url(pending_invitation), accept_data())
        assert response.status_code == 200
        assert "now belongs to someone else" in page(response)
        assert not User.objects.filter(email=pending_invitation.email).exists()


# --- The signed-in person's own pages ---------------------------------------------------------


def profile_data(user, **trainee) -> dict:
    profile = TraineeProfile.objects.get(user=user)
    fields = {
        "grade": profile.grade,
        "specialty": profile.specialty,
        "gmc_number": profile.gmc_number,
        **trainee,
    }
    return {"account-name": user.name, **{f"trainee-{k}": v for k, v in fields.items()}}


@pytest.mark.django_db
class TestProfile:
    url = reverse("trusts:profile")

    def test_a_trainee_updates_their_grade(self, world, trainee_client):
        response = trainee_client.post(
            self.url, profile_data(world.trainee, grade="ST4"), follow=True
        )
        assert TraineeProfile.objects.get(user=world.trainee).grade == "ST4"
        assert messages_of(response) == ["Your details are saved."]

    def test_an_invalid_gmc_number_is_an_error_and_saves_nothing(self, world, trainee_client):
        data = profile_data(world.trainee, grade="ST4", gmc_number="12345")
        data["account-name"] = "Tara Renamed"
        response = trainee_client.post(self.url, data)
        assert response.status_code == 200
        assert response.context["forms"]["trainee"].errors == {
            "gmc_number": ["Enter a GMC number of exactly 7 digits, like 1234567."]
        }
        assert "Error: Your profile" in page(response)
        profile = TraineeProfile.objects.get(user=world.trainee)
        assert (profile.grade, profile.gmc_number) == (
            "ST3",
            world.trainee.trainee_profile.gmc_number,
        )
        world.trainee.refresh_from_db()
        assert world.trainee.name == "Tara Trainee"

    def test_someone_elses_gmc_number_is_an_error(self, world, trainee_client):
        taken = world.other_trainee.trainee_profile.gmc_number
        response = trainee_client.post(self.url, profile_data(world.trainee, gmc_number=taken))
        assert "gmc_number" in response.context["forms"]["trainee"].errors

    def test_a_supervisor_updates_their_specialty(self, world, supervisor_client):
        supervisor_client.post(
            self.url,
            {
                "account-name": "Sam Supervisor",
                "supervisor-specialty": "surgical",
                "supervisor-gmc_number": "",
            },
        )
        assert SupervisorProfile.objects.get(user=world.supervisor).specialty == "surgical"

    def test_someone_without_a_profile_changes_only_their_name(self, world, clm_client):
        response = clm_client.post(self.url, {"account-name": "Chris Renamed"})
        assert response.status_code == 302
        world.clm.refresh_from_db()
        assert world.clm.name == "Chris Renamed"


@pytest.mark.django_db
class TestMyTrainees:
    def test_a_supervisor_sees_the_trainees_they_supervise(self, world, supervisor_client):
        response = supervisor_client.get(reverse("trusts:my_trainees"))
        assert list(response.context["trainees"]) == [world.trainee]
