"""allauth adapters: the portal is by invitation, whether by password or through SSO."""

from types import SimpleNamespace
from urllib.parse import urlsplit, urlunsplit

from allauth.account.adapter import DefaultAccountAdapter
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.http import Http404

from clm_portal.clientip import client_ip

from .models import Invitation
from .services import invitation_accept

# The session holds the digest of the invitation's token, never the token itself.
SESSION_KEY = "invitation_digest"


def invitation_in_session(request) -> Invitation | None:
    digest = request.session.get(SESSION_KEY) if request else None
    if not digest:
        return None
    return Invitation.objects.pending().filter(token_digest=digest).first()


def on_site_url(url: str) -> str:
    """`url` with the scheme and host of settings.SITE_URL, whatever host the request named.

    A request's Host header is the client's to choose; a link in an email must lead to the
    portal itself.
    """
    site = urlsplit(settings.SITE_URL)
    parts = urlsplit(url)
    return urlunsplit((site.scheme, site.netloc, parts.path, parts.query, parts.fragment))


class AccountAdapter(DefaultAccountAdapter):
    def is_open_for_signup(self, request) -> bool:
        # Accounts are made by accepting an invitation (trusts.views.accept_invitation).
        return False

    def get_client_ip(self, request) -> str:
        # The same address as the lockout's, behind settings.TRUSTED_PROXY_COUNT proxies.
        ip = client_ip(request)
        if not ip:
            raise PermissionDenied("Unable to determine client IP address")
        return ip

    def get_reset_password_from_key_url(self, key: str) -> str:
        return on_site_url(super().get_reset_password_from_key_url(key))

    def get_email_confirmation_url(self, request, emailconfirmation) -> str:
        return on_site_url(super().get_email_confirmation_url(request, emailconfirmation))

    def send_mail(self, template_prefix: str, email: str, context: dict) -> None:
        # allauth's templates name `current_site`: the portal, not the server's address.
        site = SimpleNamespace(name="CLM Portal", domain=urlsplit(settings.SITE_URL).netloc)
        super().send_mail(
            template_prefix,
            email,
            {**context, "current_site": site, "site_url": settings.SITE_URL},
        )


class SocialAccountAdapter(DefaultSocialAccountAdapter):
    """Sign-in through the organisation's identity provider.

    Someone who already has an account signs in and is matched by verified email. Someone
    new may only sign up this way while holding an invitation for the same address.
    """

    def get_app(self, request, provider, client_id=None):
        # A provider's URLs exist whether or not it is configured: unconfigured is not found.
        from allauth.socialaccount.models import SocialApp

        try:
            return super().get_app(request, provider, client_id=client_id)
        except SocialApp.DoesNotExist:
            raise Http404("Sign-in through this provider is not set up.") from None

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
        user = super().save_user(request, sociallogin, form)
        invitation = invitation_in_session(request)
        if invitation and invitation.email.lower() == user.email.lower():
            invitation_accept(invitation=invitation, user=user)
            request.session.pop(SESSION_KEY, None)
        return user


def axes_username(request, credentials: dict | None = None) -> str | None:
    """The address someone tried to sign in with, for django-axes' username+address lockout.

    allauth authenticates with `email=…`, not the form's `login` field that axes reads.
    """
    credentials = credentials or {}
    value = credentials.get("email") or credentials.get("login")
    if value is None and request is not None:
        value = getattr(request, "POST", {}).get("login")
    return value.strip().lower() if isinstance(value, str) else value
