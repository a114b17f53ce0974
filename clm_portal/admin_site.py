"""The Django admin behind the portal's own sign-in.

The admin has no sign-in form of its own: /admin/login/ sends people to allauth's, so there is
one sign-in with one lockout (django-axes) and one set of rate limits, and staff and superusers
must have set up TOTP (when settings.REQUIRE_MFA) before the admin lets them in.
"""

from django.contrib import admin
from django.contrib.auth import REDIRECT_FIELD_NAME
from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache

from .middleware import must_set_up_mfa


class PortalAdminSite(admin.AdminSite):
    site_header = "CLM Portal administration"
    site_title = "CLM Portal admin"

    def has_permission(self, request: HttpRequest) -> bool:
        return super().has_permission(request) and not must_set_up_mfa(request.user)

    @method_decorator(never_cache)
    @method_decorator(login_not_required)
    def login(self, request: HttpRequest, extra_context=None) -> HttpResponse:
        next_url = request.GET.get(REDIRECT_FIELD_NAME, "")
        if not url_has_allowed_host_and_scheme(
            next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        ):
            next_url = reverse("admin:index", current_app=self.name)
        user = request.user
        if not user.is_authenticated:
            return redirect_to_login(next_url, reverse("account_login"))
        if must_set_up_mfa(user):
            return redirect("mfa_activate_totp")
        if not super().has_permission(request):
            # Signed in, but not staff: sending them to sign in again would loop.
            raise PermissionDenied
        return redirect(next_url)

    def logout(self, request: HttpRequest, extra_context=None) -> HttpResponse:
        return redirect("account_logout")
