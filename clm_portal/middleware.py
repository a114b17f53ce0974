from django.conf import settings
from django.contrib import messages
from django.shortcuts import redirect
from django.urls import reverse

# Pages a person must still reach before their second factor is set up.
# Only the invitation link itself: the invitations list and its actions are staff pages.
_OPEN_PREFIXES = ("/accounts/", "/static/", "/healthz", "/privacy/", "/invitations/accept/")


class RequireMFAMiddleware:
    """Send deanery staff and Trust administrators to set up TOTP before anything else.

    Both roles see people across a Trust or the region, so a password alone is not enough.
    On whenever DEBUG is off (settings.REQUIRE_MFA).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if self._must_set_up(request):
            messages.info(
                request,
                "Your role needs two-factor authentication. Set up an authenticator app to continue.",
            )
            return redirect(reverse("mfa_activate_totp"))
        return self.get_response(request)

    @staticmethod
    def _must_set_up(request) -> bool:
        if not settings.REQUIRE_MFA or request.path.startswith(_OPEN_PREFIXES):
            return False
        user = request.user
        if not user.is_authenticated or not user.has_any_role(*settings.REQUIRE_MFA_ROLES):
            return False
        from allauth.mfa.utils import is_mfa_enabled

        return not is_mfa_enabled(user)
