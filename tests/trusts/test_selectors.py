"""Reads for Trusts and people: each reader sees their own Trust's rows, deanery staff all."""

import pytest

from trusts.models import Grade, Membership, Role, TraineeProfile
from trusts.selectors import (
    invitations_visible_to,
    memberships_in_scope,
    people_visible_to,
    person_history,
    supervisors_in_trust,
    trainees_supervised_by,
    trusts_visible_to,
)
from trusts.services import membership_add, membership_remove

from ..factories import InvitationFactory, MembershipFactory, UserFactory, person


def emails(users) -> set[str]:
    return {u.email for u in users}


@pytest.mark.django_db
class TestPeopleVisibleTo:
    def test_a_clm_sees_only_their_trusts_people(self, world):
        assert emails(people_visible_to(user=world.clm)) == emails(
            [world.trainee, world.supervisor, world.clm, world.trust_admin]
        )

    def test_a_trust_administrator_sees_only_their_trusts_people(self, world):
        assert emails(people_visible_to(user=world.other_admin)) == emails(
            [world.other_clm, world.other_admin, world.other_trainee]
        )

    def test_deanery_staff_see_everyone(self, world):
        assert emails(people_visible_to(user=world.deanery)) == emails(
            [
                world.trainee,
                world.supervisor,
                world.clm,
                world.trust_admin,
                world.deanery,
                world.other_clm,
                world.other_admin,
                world.other_trainee,
            ]
        )

    def test_a_trainee_or_supervisor_sees_no_one(self, world):
        assert list(people_visible_to(user=world.trainee)) == []
        assert list(people_visible_to(user=world.supervisor)) == []

    def test_a_person_with_two_roles_in_the_trust_appears_once(self, world):
        MembershipFactory(user=world.supervisor, role=Role.CLM, trust=world.trust)
        visible = list(people_visible_to(user=world.trust_admin))
        assert [p.email for p in visible].count(world.supervisor.email) == 1

    def test_a_clm_sees_only_the_roles_held_in_their_own_trust(self, world):
        MembershipFactory(user=world.supervisor, role=Role.CLM, trust=world.other_trust)
        seen = people_visible_to(user=world.clm).get(pk=world.supervisor.pk)
        assert [(m.role, m.trust) for m in seen.scoped_memberships] == [
            (Role.SUPERVISOR, world.trust)
        ]

    def test_deanery_staff_see_every_role(self, world):
        MembershipFactory(user=world.supervisor, role=Role.CLM, trust=world.other_trust)
        seen = people_visible_to(user=world.deanery).get(pk=world.supervisor.pk)
        assert sorted((m.role, m.trust.ods_code) for m in seen.scoped_memberships) == [
            (Role.CLM, "REF"),
            (Role.SUPERVISOR, "RK9"),
        ]

    def test_a_trainee_who_moved_trust_leaves_the_old_trusts_list(self, world):
        membership_add(user=world.trainee, role=Role.TRAINEE, trust=world.other_trust)
        assert world.trainee not in people_visible_to(user=world.clm)
        assert world.trainee in people_visible_to(user=world.other_clm)


@pytest.mark.django_db
class TestMembershipsInScope:
    def test_a_trust_administrator_gets_their_trusts_memberships(self, world):
        trusts = {m.trust for m in memberships_in_scope(user=world.trust_admin)}
        assert trusts == {world.trust}

    def test_deanery_staff_get_every_membership(self, world):
        assert memberships_in_scope(user=world.deanery).count() == Membership.objects.count()


@pytest.mark.django_db
class TestInvitationsVisibleTo:
    def test_a_clm_sees_their_trusts_invitations_only(self, world):
        ours = InvitationFactory(trust=world.trust)
        InvitationFactory(trust=world.other_trust)
        assert list(invitations_visible_to(user=world.clm)) == [ours]

    def test_deanery_staff_see_every_invitation_including_the_regions(self, world):
        InvitationFactory(trust=world.trust)
        InvitationFactory(trust=world.other_trust)
        InvitationFactory(trust=None, role=Role.DEANERY, grade="", specialty="", gmc_number="")
        assert invitations_visible_to(user=world.deanery).count() == 3

    def test_a_trust_administrator_does_not_see_region_invitations(self, world):
        InvitationFactory(trust=None, role=Role.DEANERY, grade="", specialty="", gmc_number="")
        assert list(invitations_visible_to(user=world.trust_admin)) == []


@pytest.mark.django_db
class TestTrustsVisibleTo:
    def test_a_clm_sees_their_own_trust(self, world):
        assert list(trusts_visible_to(user=world.clm)) == [world.trust]

    def test_deanery_staff_see_every_trust(self, world):
        assert set(trusts_visible_to(user=world.deanery)) == {world.trust, world.other_trust}

    def test_a_trainee_sees_no_trust_here(self, world):
        assert list(trusts_visible_to(user=world.trainee)) == []


@pytest.mark.django_db
class TestTraineesSupervisedBy:
    def test_it_lists_the_supervisors_trainees_with_their_placement(self, world):
        [trainee] = trainees_supervised_by(user=world.supervisor)
        assert trainee == world.trainee
        assert [m.trust for m in trainee.placements] == [world.trust]

    def test_it_leaves_out_other_supervisors_trainees(self, world):
        other_supervisor = person(Role.SUPERVISOR, world.trust)
        assert list(trainees_supervised_by(user=other_supervisor)) == []


@pytest.mark.django_db
class TestSupervisorsInTrust:
    def test_it_lists_the_trusts_supervisors_only(self, world):
        person(Role.SUPERVISOR, world.other_trust)
        assert list(supervisors_in_trust(trust=world.trust)) == [world.supervisor]


@pytest.mark.django_db
class TestPersonHistory:
    def test_it_records_a_grade_change_with_old_and_new_values(self, world):
        trainee = person(Role.TRAINEE, world.trust)
        profile = TraineeProfile.objects.get(user=trainee)
        profile.grade = Grade.ST4
        profile._history_user = world.clm
        profile.save()
        [entry] = [e for e in person_history(person=trainee) if e.action == "Changed"]
        assert (entry.what, entry.who, entry.changes) == (
            "Trainee profile",
            world.clm,
            [("Grade", "ST3", "ST4")],
        )

    def test_it_shows_choices_by_their_label(self, world):
        trainee = person(Role.TRAINEE, world.trust)
        profile = TraineeProfile.objects.get(user=trainee)
        profile.specialty = "emergency_medicine"
        profile.save()
        [entry] = [e for e in person_history(person=trainee) if e.action == "Changed"]
        assert entry.changes == [("Specialty", "Medical specialties", "Emergency medicine")]

    def test_it_records_a_role_added_and_removed(self, world):
        membership = membership_add(
            user=world.supervisor, role=Role.CLM, trust=world.trust, by=world.trust_admin
        )
        membership_remove(membership=membership, by=world.deanery)
        entries = [
            (e.action, e.what, e.who)
            for e in person_history(person=world.supervisor)
            if e.what.startswith("Role: Clinical")
        ]
        assert entries == [
            (
                "Deleted",
                "Role: Clinical Leadership Mentor, University Hospitals Plymouth NHS Trust",
                world.deanery,
            ),
            (
                "Created",
                "Role: Clinical Leadership Mentor, University Hospitals Plymouth NHS Trust",
                world.trust_admin,
            ),
        ]

    def test_it_leaves_out_saves_that_changed_nothing(self, world):
        trainee = person(Role.TRAINEE, world.trust)
        TraineeProfile.objects.get(user=trainee).save()
        assert [
            e.action for e in person_history(person=trainee) if e.what == "Trainee profile"
        ] == ["Created"]

    def test_a_clm_sees_the_history_of_roles_in_their_own_trust_only(self, world):
        membership_add(user=world.supervisor, role=Role.CLM, trust=world.other_trust)
        whats = {e.what for e in person_history(person=world.supervisor, viewer=world.clm)}
        assert not any("Royal Cornwall" in what for what in whats)
        assert "Role: Educational supervisor, University Hospitals Plymouth NHS Trust" in whats

    def test_deanery_staff_see_the_history_of_every_role(self, world):
        membership_add(user=world.supervisor, role=Role.CLM, trust=world.other_trust)
        whats = {e.what for e in person_history(person=world.supervisor, viewer=world.deanery)}
        assert "Role: Clinical Leadership Mentor, Royal Cornwall Hospitals NHS Trust" in whats

    def test_it_lists_the_newest_change_first(self, world):
        user = UserFactory()
        user.name = "Renamed"
        user.save()
        assert [e.action for e in person_history(person=user)] == ["Changed", "Created"]

    def test_a_supervisor_since_deleted_is_shown_as_such(self, world):
        world.supervisor.delete()
        changes = [e.changes for e in person_history(person=world.trainee) if e.changes]
        assert changes == [[("Educational supervisor", "(empty)", "(since deleted)")]]
