from django.conf import settings
from django.contrib import messages
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.cache import add_never_cache_headers, patch_cache_control

# Pages a person must still reach before their second factor is set up.
# Only the invitation link itself: the invitations list and its actions are staff pages.
_OPEN_PREFIXES = ("/accounts/", "/static/", "/healthz", "/privacy/", "/invitations/accept/")


def must_set_up_mfa(user) -> bool:
    """Whether this signed-in account must set up TOTP before using the portal or the admin.

    Deanery staff and Trust administrators see people across a Trust or the region, and staff
    and superusers can change anything in the admin: a password alone is not enough.
    """
    if not settings.REQUIRE_MFA or not user.is_authenticated:
        return False
    if not (user.is_staff or user.is_superuser or user.has_any_role(*settings.REQUIRE_MFA_ROLES)):
        return False
    from allauth.mfa.utils import is_mfa_enabled

    return not is_mfa_enabled(user)


class RequireMFAMiddleware:
    """Send deanery staff, Trust administrators, staff and superusers to set up TOTP first.

    On whenever DEBUG is off (settings.REQUIRE_MFA).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not request.path.startswith(_OPEN_PREFIXES) and must_set_up_mfa(request.user):
            messages.info(
                request,
                "Your role needs two-factor authentication. Set up an authenticator app to continue.",
            )
            return redirect(reverse("mfa_activate_totp"))
        return self.get_response(request)


class NoStoreForSignedInMiddleware:
    """`Cache-Control: no-store, private` on every response to a signed-in person.

    Pages and exports hold people's details: no browser or shared cache may keep a copy
    (a shared computer's back button, a proxy). Static files are served before this runs.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            add_never_cache_headers(response)
            patch_cache_control(response, private=True, no_store=True)
        return response
