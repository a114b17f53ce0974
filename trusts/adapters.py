"""allauth adapters: the portal is by invitation, whether by password or through SSO."""

from allauth.account.adapter import DefaultAccountAdapter
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter

from .models import Invitation

SESSION_KEY = "invitation_token"


def invitation_in_session(request) -> Invitation | None:
    token = request.session.get(SESSION_KEY) if request else None
    if not token:
        return None
    return Invitation.objects.pending().filter(token=token).first()


class AccountAdapter(DefaultAccountAdapter):
    def is_open_for_signup(self, request) -> bool:
        # Accounts are made by accepting an invitation (trusts.views.accept_invitation).
        return False


class SocialAccountAdapter(DefaultSocialAccountAdapter):
    """Sign-in through the organisation's identity provider.

    Someone who already has an account signs in and is matched by verified email. Someone
    new may only sign up this way while holding an invitation for the same address.
    """

    def is_open_for_signup(self, request, sociallogin) -> bool:
        invitation = invitation_in_session(request)
        email = (sociallogin.user.email or "").lower()
        return invitation is not None and invitation.email.lower() == email

    def populate_user(self, request, sociallogin, data):
        user = super().populate_user(request, sociallogin, data)
        invitation = invitation_in_session(request)
        user.name = (
            data.get("name")
            or " ".join(p for p in (data.get("first_name"), data.get("last_name")) if p)
            or (invitation.name if invitation else "")
        )
        return user

    def save_user(self, request, sociallogin, form=None):
        from .services import invitation_accept

        user = super().save_user(request, sociallogin, form)
        invitation = invitation_in_session(request)
        if invitation and invitation.email.lower() == user.email.lower():
            invitation_accept(invitation=invitation, user=user)
            request.session.pop(SESSION_KEY, None)
        return user
