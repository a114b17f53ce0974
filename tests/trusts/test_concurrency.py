"""Invitations sent or accepted twice at the same moment (PostgreSQL: real row locks)."""

import threading
from unittest import mock

import pytest
from django.core.exceptions import ValidationError

from trusts import services
from trusts.models import Invitation, Role, User

from ..concurrency import at_once
from ..factories import InvitationFactory


@pytest.mark.django_db(transaction=True)
class TestAtTheSameMoment:
    def test_a_double_click_on_invite_makes_one_invitation(self, postgres, world):
        results = at_once(
            lambda i: services.invitation_create(
                invited_by=world.trust_admin,
                trust=world.trust,
                name="Nia New",
                email="nia@example.com",
                role=Role.SUPERVISOR,
                specialty="medical",
            )
        )
        assert not [r for r in results if isinstance(r, Exception)], results
        assert Invitation.objects.count() == 1
        assert results[0].pk == results[1].pk

    def test_two_invitations_for_one_new_address_accepted_at_once(self, postgres, world):
        invitations = [
            InvitationFactory(email="twice@example.com", trust=trust, role=Role.SUPERVISOR)
            for trust in (world.trust, world.other_trust)
        ]
        # Both look for an account before either has made one: the race, every time.
        both_looked = threading.Barrier(2)
        look = services._existing_account

        def existing_account(email):
            found = look(email)
            both_looked.wait(timeout=10)
            return found

        with mock.patch.object(services, "_existing_account", existing_account):
            results = at_once(
                lambda i: services.invitation_accept(
                    invitation=invitations[i], name="Twice", password="Correct-Horse-2026-x"
                )
            )
        accepted = [r for r in results if isinstance(r, User)]
        refused = [r for r in results if isinstance(r, ValidationError)]
        assert (len(accepted), len(refused)) == (1, 1), results
        assert "was created a moment ago" in refused[0].messages[0]
        assert User.objects.filter(email="twice@example.com").count() == 1
