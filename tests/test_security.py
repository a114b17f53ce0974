"""Sign-in security: a second factor for wide-reaching roles, lockout, SSO, deploy checks,
cookies and the content security policy."""

import os
import re
import secrets
import subprocess
import sys
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.core.cache import cache
from django.test import Client, override_settings
from django.urls import reverse

from .conftest import client_for
from .factories import PASSWORD, InvitationFactory, UserFactory

BASE_DIR = Path(__file__).resolve().parent.parent
MFA_SETUP = reverse("mfa_activate_totp")


@pytest.fixture(autouse=True)
def fresh_rate_limits():
    # allauth counts failed sign-ins in the cache, which outlives each test's database.
    cache.clear()


def sign_in(client: Client, email: str, password: str = PASSWORD, **extra):
    return client.post(reverse("account_login"), {"login": email, "password": password}, **extra)


# --- A second factor for deanery staff and Trust administrators -----------------------------


@pytest.mark.django_db
class TestRequireMFA:
    @pytest.fixture(autouse=True)
    def mfa_required(self):
        with override_settings(REQUIRE_MFA=True):
            yield

    @pytest.mark.parametrize(
        "url",
        [
            reverse("home"),
            reverse("trusts:people"),
            reverse("trusts:list"),
            reverse("trusts:invitations"),
            reverse("trusts:invite"),
            reverse("trusts:profile"),
        ],
    )
    def test_a_trust_administrator_without_totp_is_sent_to_set_it_up(
        self, world, trust_admin_client, url
    ):
        response = trust_admin_client.get(url)
        assert response.status_code == 302
        assert response["Location"] == MFA_SETUP

    def test_deanery_staff_without_totp_are_sent_to_set_it_up(self, world, deanery_client):
        response = deanery_client.get(reverse("trusts:people"))
        assert response["Location"] == MFA_SETUP

    def test_invitation_actions_are_not_a_way_round_it(
        self, world, trust_admin_client, pending_invitation
    ):
        response = trust_admin_client.post(
            reverse("trusts:revoke_invitation", kwargs={"pk": pending_invitation.pk})
        )
        assert response["Location"] == MFA_SETUP
        pending_invitation.refresh_from_db()
        assert pending_invitation.is_pending

    def test_they_can_still_reach_their_account_pages(self, world, trust_admin_client):
        assert trust_admin_client.get(reverse("account_email")).status_code == 200
        assert trust_admin_client.get(reverse("account_change_password")).status_code == 200

    def test_they_can_still_sign_out(self, world, trust_admin_client):
        response = trust_admin_client.post(reverse("account_logout"))
        assert response.status_code == 302
        assert SESSION_KEY not in trust_admin_client.session

    def test_they_can_still_open_an_invitation_link(self, world, trust_admin_client):
        invitation = InvitationFactory(
            trust=world.other_trust, email=world.trust_admin.email, role="clm"
        )
        url = reverse("trusts:accept_invitation", kwargs={"token": invitation.token})
        assert trust_admin_client.get(url).status_code == 200

    def test_signing_in_leads_to_setting_up_an_authenticator_app(self, world):
        client = Client()
        sign_in(client, world.deanery.email)
        response = client.get(reverse("home"), follow=True)
        # allauth asks for the password again before adding a second factor.
        assert [url for url, _ in response.redirect_chain] == [
            MFA_SETUP,
            f"{reverse('account_reauthenticate')}?next=%2Faccounts%2F2fa%2Ftotp%2Factivate%2F",
        ]
        response = client.post(response.redirect_chain[-1][0], {"password": PASSWORD}, follow=True)
        assert response.redirect_chain[-1][0] == MFA_SETUP
        assert response.status_code == 200
        assert type(response.context["form"]).__name__ == "ActivateTOTPForm"

    def test_a_trainee_is_not_redirected(self, world, trainee_client):
        assert trainee_client.get(reverse("home")).status_code == 200

    def test_a_clm_is_not_redirected(self, world, clm_client):
        assert clm_client.get(reverse("trusts:people")).status_code == 200

    def test_someone_with_totp_set_up_is_not_redirected(self, world):
        TOTP.activate(world.trust_admin, generate_totp_secret())
        response = client_for(world.trust_admin).get(reverse("trusts:people"))
        assert response.status_code == 200

    @override_settings(REQUIRE_MFA=False)
    def test_nobody_is_redirected_when_it_is_switched_off(self, world, deanery_client):
        assert deanery_client.get(reverse("trusts:people")).status_code == 200


# --- Lockout after repeated failures ----------------------------------------------------------


@pytest.mark.django_db
class TestLockout:
    def fail(self, client: Client, email: str, times: int, **extra) -> None:
        for _ in range(times):
            sign_in(client, email, "not-the-password-2026", **extra)
            assert SESSION_KEY not in client.session

    def test_fewer_failures_than_the_limit_do_not_lock(self, db):
        user = UserFactory()
        client = Client()
        self.fail(client, user.email, settings.AXES_FAILURE_LIMIT - 1)
        response = sign_in(client, user.email)
        assert response.status_code == 302
        assert client.session[SESSION_KEY] == str(user.pk)

    def test_signing_in_clears_earlier_failures(self, db):
        user = UserFactory()
        client = Client()
        self.fail(client, user.email, settings.AXES_FAILURE_LIMIT - 1)
        sign_in(client, user.email)
        client.logout()
        self.fail(client, user.email, settings.AXES_FAILURE_LIMIT - 1)
        response = sign_in(client, user.email)
        assert response.status_code == 302
        assert client.session[SESSION_KEY] == str(user.pk)

    def test_the_right_password_is_refused_after_the_failure_limit(self, db):
        user = UserFactory()
        client = Client()
        self.fail(client, user.email, settings.AXES_FAILURE_LIMIT)
        response = sign_in(client, user.email)
        assert SESSION_KEY not in client.session
        assert "account/lockout.html" in [t.name for t in response.templates]
        assert "Too many failed sign-in attempts" in response.content.decode()

    def test_the_lockout_is_for_that_person_only(self, db):
        locked, colleague = UserFactory(), UserFactory()
        self.fail(Client(), locked.email, settings.AXES_FAILURE_LIMIT)
        client = Client()
        response = sign_in(client, colleague.email)
        assert response.status_code == 302
        assert client.session[SESSION_KEY] == str(colleague.pk)

    def test_the_lockout_is_for_that_address_only(self, db):
        user = UserFactory()
        self.fail(Client(), user.email, settings.AXES_FAILURE_LIMIT, REMOTE_ADDR="10.1.1.1")
        client = Client()
        response = sign_in(client, user.email, REMOTE_ADDR="10.2.2.2")
        assert response.status_code == 302
        assert client.session[SESSION_KEY] == str(user.pk)

    def test_the_lockout_ignores_the_case_of_the_address(self, db):
        user = UserFactory(email="mixed.case@example.com")
        client = Client()
        self.fail(client, "Mixed.Case@Example.com", settings.AXES_FAILURE_LIMIT)
        response = sign_in(client, user.email)
        assert "account/lockout.html" in [t.name for t in response.templates]


# --- Sign-in through the organisation's identity provider -------------------------------------

MICROSOFT = {
    "microsoft": {
        "TENANT": "0a1b2c3d-nhs-tenant",
        "VERIFIED_EMAIL": ["nhs.net"],
        "APPS": [{"name": "NHSmail", "client_id": "portal-client-id", "secret": "portal-secret"}],
    }
}


@pytest.mark.django_db
class TestSingleSignOn:
    @override_settings(SOCIALACCOUNT_PROVIDERS=MICROSOFT)
    def test_the_sign_in_page_offers_the_configured_provider(self, client):
        html = client.get(reverse("account_login")).content.decode()
        link = re.search(r'<a [^>]*href="([^"]+)"[^>]*>Sign in with ([^<]+)</a>', html)
        assert link is not None
        assert link.group(1) == reverse("microsoft_login") + "?process=login"
        assert link.group(2).strip() == "NHSmail"

    @override_settings(SOCIALACCOUNT_PROVIDERS=MICROSOFT)
    def test_starting_sso_sends_the_browser_to_the_tenants_authorize_page(self, client):
        response = client.post(reverse("microsoft_login"))
        assert response.status_code == 302
        location = urlsplit(response["Location"])
        assert (location.scheme, location.netloc, location.path) == (
            "https",
            "login.microsoftonline.com",
            "/0a1b2c3d-nhs-tenant/oauth2/v2.0/authorize",
        )
        query = parse_qs(location.query)
        assert query["client_id"] == ["portal-client-id"]
        assert query["redirect_uri"][0].endswith(reverse("microsoft_callback"))
        assert query["state"]

    @override_settings(SOCIALACCOUNT_PROVIDERS=MICROSOFT)
    def test_a_plain_link_does_not_start_sso(self, client):
        # A GET only shows a button: a third-party page cannot start a sign-in by linking.
        response = client.get(reverse("microsoft_login"))
        assert response.status_code == 200

    @override_settings(SOCIALACCOUNT_PROVIDERS={})
    def test_an_unconfigured_providers_url_is_not_found(self, client):
        assert client.post(reverse("microsoft_login")).status_code == 404

    @override_settings(SOCIALACCOUNT_PROVIDERS=MICROSOFT)
    def test_addresses_in_the_configured_domains_count_as_verified(self, rf):
        # So someone who already has an account is signed in to it through NHSmail.
        from allauth.socialaccount.adapter import get_adapter

        adapter = get_adapter()
        provider = adapter.get_provider(rf.get("/"), "microsoft")
        assert adapter.is_email_verified(provider, "someone@nhs.net")
        assert not adapter.is_email_verified(provider, "someone@gmail.com")

    @override_settings(SOCIALACCOUNT_PROVIDERS={})
    def test_no_provider_is_offered_when_none_is_configured(self, client):
        html = client.get(reverse("account_login")).content.decode()
        assert "Or sign in with your organisation" not in html
        assert reverse("microsoft_login") not in html


# --- The production settings ------------------------------------------------------------------


def manage(*args: str, **env: str) -> subprocess.CompletedProcess:
    # A clean environment: the test run's own DJANGO_* values must not leak in.
    base = {k: v for k, v in os.environ.items() if k in ("PATH", "HOME", "LANG", "SYSTEMROOT")}
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=BASE_DIR,
        env={**base, "DJANGO_SETTINGS_MODULE": "clm_portal.settings", **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


class TestDeployChecks:
    def test_the_production_settings_pass_check_deploy(self):
        result = manage(
            "check",
            "--deploy",
            "--fail-level",
            "WARNING",
            DJANGO_DEBUG="false",
            DJANGO_SECRET_KEY=secrets.token_urlsafe(50),
            DJANGO_ALLOWED_HOSTS="clm.example.nhs.uk",
        )
        assert result.returncode == 0, result.stdout + result.stderr
        assert "no issues" in result.stdout

    def test_production_refuses_to_start_without_a_secret_key(self):
        result = manage("check", DJANGO_DEBUG="false", DJANGO_ALLOWED_HOSTS="clm.example.nhs.uk")
        assert result.returncode != 0
        assert "Set DJANGO_SECRET_KEY" in result.stderr


# --- Cookies and the content security policy --------------------------------------------------


@pytest.mark.django_db
class TestCookiesAndCSP:
    def test_the_portal_sets_no_cookie_but_the_session_and_csrf_ones(self, world):
        client = Client()
        responses = [client.get(reverse("home")), client.get(reverse("account_login"))]
        responses.append(sign_in(client, world.clm.email))
        for url in (reverse("home"), reverse("trusts:people"), reverse("trusts:profile")):
            responses.append(client.get(url))
        responses.append(client.post(reverse("trusts:profile"), {"account-name": "Chris Mentor"}))
        responses.append(client.get(reverse("trusts:profile")))
        names = {name for r in responses for name in r.cookies}
        assert names <= {"sessionid", "csrftoken"}
        assert "sessionid" in names

    def test_the_session_cookie_is_http_only_and_same_site(self, world):
        client = Client()
        response = sign_in(client, world.clm.email)
        cookie = response.cookies["sessionid"]
        assert cookie["httponly"] is True
        assert cookie["samesite"] == "Lax"

    def test_the_csrf_cookie_is_http_only(self, db, client):
        cookie = client.get(reverse("account_login")).cookies["csrftoken"]
        assert cookie["httponly"] is True

    def test_every_page_has_a_csp_with_a_nonce_and_no_unsafe_inline(self, world, clm_client):
        response = clm_client.get(reverse("trusts:people"))
        policy = response["Content-Security-Policy"]
        nonce = re.search(r"script-src [^;]*'nonce-([^']+)'", policy)
        assert nonce is not None
        assert "unsafe-inline" not in policy
        assert "unsafe-eval" not in policy
        scripts = re.findall(r"<script[^>]*>", response.content.decode())
        assert scripts
        assert all(f'nonce="{nonce.group(1)}"' in tag for tag in scripts)

    def test_the_nonce_changes_with_every_response(self, db, client):
        policies = {client.get(reverse("home"))["Content-Security-Policy"] for _ in range(2)}
        assert len(policies) == 2

    def test_no_one_can_frame_the_portal(self, db, client):
        response = client.get(reverse("home"))
        assert "frame-ancestors 'none'" in response["Content-Security-Policy"]
        assert response["X-Frame-Options"] == "DENY"
