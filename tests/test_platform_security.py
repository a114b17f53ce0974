"""Issue 6, the platform's security fixes: one sign-in for the portal and the admin, the
client's address behind a proxy, no-store on signed-in responses, tokens out of the logs,
sign-in required by default, allauth's emails, and the lockout's wording and lifting."""

import logging
import re
from datetime import timedelta

import pytest
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.core import mail
from django.core.cache import cache
from django.http import HttpResponse
from django.test import Client, RequestFactory, override_settings
from django.urls import path, reverse

from clm_portal.clientip import client_ip
from clm_portal.logredact import RedactPathsFilter, redact
from clm_portal.templatetags.nhsuk import duration_in_words

from .conftest import client_for
from .factories import PASSWORD, UserFactory

MFA_SETUP = reverse("mfa_activate_totp")
LOGIN = reverse("account_login")


@pytest.fixture(autouse=True)
def fresh_rate_limits():
    cache.clear()


def sign_in(client: Client, email: str, password: str = PASSWORD, **extra):
    return client.post(LOGIN, {"login": email, "password": password}, **extra)


def fail(client: Client, email: str, times: int, **extra) -> list:
    return [sign_in(client, email, "not-the-password-2026", **extra) for _ in range(times)]


# --- 1. The admin behind the portal's own sign-in --------------------------------------------


@pytest.fixture
def superuser(db):
    return UserFactory(is_staff=True, is_superuser=True)


@pytest.mark.django_db
class TestAdminSignIn:
    def test_the_admin_login_page_is_not_a_second_sign_in_form(self, client):
        response = client.get("/admin/login/?next=/admin/trusts/user/")
        assert response.status_code == 302
        assert response["Location"] == f"{LOGIN}?next=/admin/trusts/user/"

    def test_an_anonymous_visit_to_the_admin_ends_at_the_portals_sign_in(self, client):
        response = client.get("/admin/", follow=True)
        assert response.redirect_chain[-1][0] == f"{LOGIN}?next=/admin/"
        assert "account/login.html" in [t.name for t in response.templates]

    def test_posting_the_right_password_to_the_admin_login_signs_in_no_one(self, client, superuser):
        response = client.post("/admin/login/", {"username": superuser.email, "password": PASSWORD})
        assert SESSION_KEY not in client.session
        assert response.status_code == 302
        assert response["Location"].startswith(LOGIN)

    def test_the_admin_login_gives_no_password_oracle(self, client, superuser):
        # Before: after five failures wrong passwords got 429 and the right one still signed in.
        attempts = [
            client.post("/admin/login/", {"username": superuser.email, "password": f"wrong-{n}"})
            for n in range(settings.AXES_FAILURE_LIMIT + 1)
        ]
        right = client.post("/admin/login/", {"username": superuser.email, "password": PASSWORD})
        answers = {(r.status_code, r["Location"]) for r in [*attempts, right]}
        assert answers == {(302, f"{LOGIN}?next=/admin/")}
        assert SESSION_KEY not in client.session

    def test_a_superuser_signs_in_to_the_admin_through_the_portals_sign_in(self, superuser):
        client = Client()
        response = client.post(
            f"{LOGIN}?next=/admin/", {"login": superuser.email, "password": PASSWORD}
        )
        assert response["Location"] == "/admin/"
        assert client.get("/admin/").status_code == 200

    def test_the_admins_sign_out_is_the_portals(self, superuser):
        client = client_for(superuser)
        response = client.post("/admin/logout/")
        assert response["Location"] == reverse("account_logout")

    def test_a_signed_in_person_who_is_not_staff_is_refused_not_looped(self, world, clm_client):
        assert clm_client.get("/admin/").status_code == 302
        assert clm_client.get("/admin/login/?next=/admin/").status_code == 403


@pytest.mark.django_db
class TestAdminNeedsASecondFactor:
    @pytest.fixture(autouse=True)
    def mfa_required(self, settings):
        settings.REQUIRE_MFA = True

    def test_a_superuser_without_totp_is_sent_to_set_it_up(self, superuser):
        response = client_for(superuser).get("/admin/")
        assert response.status_code == 302
        assert response["Location"] == MFA_SETUP

    def test_staff_without_totp_cannot_open_an_admin_page(self, db):
        staff = UserFactory(is_staff=True)
        response = client_for(staff).get("/admin/trusts/user/")
        assert response["Location"] == MFA_SETUP

    def test_the_admin_itself_refuses_an_account_without_totp(self, superuser, rf):
        # The admin's own check, in case a page is ever left out of the middleware's reach.
        from django.contrib import admin

        request = rf.get("/admin/")
        request.user = superuser
        assert not admin.site.has_permission(request)
        TOTP.activate(superuser, generate_totp_secret())
        assert admin.site.has_permission(request)

    def test_a_superuser_with_totp_opens_the_admin(self, superuser):
        TOTP.activate(superuser, generate_totp_secret())
        assert client_for(superuser).get("/admin/").status_code == 200


# --- 2. The client's address behind a reverse proxy ------------------------------------------

PROXY = "10.0.0.2"


def behind_proxy(forwarded_for: str) -> dict:
    return {"REMOTE_ADDR": PROXY, "HTTP_X_FORWARDED_FOR": forwarded_for}


class TestClientAddress:
    rf = RequestFactory()

    @override_settings(TRUSTED_PROXY_COUNT=0)
    def test_without_a_trusted_proxy_the_header_is_ignored(self):
        request = self.rf.get("/", **behind_proxy("203.0.113.5"))
        assert client_ip(request) == PROXY

    @override_settings(TRUSTED_PROXY_COUNT=1)
    def test_behind_one_proxy_the_address_it_received_from_is_the_client(self):
        request = self.rf.get("/", **behind_proxy("203.0.113.5"))
        assert client_ip(request) == "203.0.113.5"

    @override_settings(TRUSTED_PROXY_COUNT=1)
    def test_extra_entries_written_by_the_client_are_ignored(self):
        request = self.rf.get("/", **behind_proxy("198.51.100.7, 203.0.113.5"))
        assert client_ip(request) == "203.0.113.5"

    @override_settings(TRUSTED_PROXY_COUNT=2)
    def test_behind_two_proxies_the_outer_ones_entry_is_the_client(self):
        request = self.rf.get("/", **behind_proxy("1.1.1.1, 203.0.113.5, 10.0.0.1"))
        assert client_ip(request) == "203.0.113.5"

    @override_settings(TRUSTED_PROXY_COUNT=1)
    def test_a_missing_or_garbled_header_falls_back_to_the_connection(self):
        assert client_ip(self.rf.get("/", REMOTE_ADDR=PROXY)) == PROXY
        assert client_ip(self.rf.get("/", **behind_proxy("not-an-address"))) == PROXY


@pytest.mark.django_db
class TestBehindAProxy:
    @pytest.fixture(autouse=True)
    def one_proxy(self, settings):
        settings.TRUSTED_PROXY_COUNT = 1

    def test_one_clients_failures_do_not_lock_another_clients_sign_in(self):
        user = UserFactory()
        fail(Client(), user.email, settings.AXES_FAILURE_LIMIT, **behind_proxy("203.0.113.5"))
        locked = Client()
        sign_in(locked, user.email, **behind_proxy("203.0.113.5"))
        assert SESSION_KEY not in locked.session
        elsewhere = Client()
        response = sign_in(elsewhere, user.email, **behind_proxy("198.51.100.7"))
        assert response.status_code == 302
        assert elsewhere.session[SESSION_KEY] == str(user.pk)

    def test_a_spoofed_forwarded_address_does_not_escape_the_lockout(self):
        user = UserFactory()
        fail(Client(), user.email, settings.AXES_FAILURE_LIMIT, **behind_proxy("203.0.113.5"))
        client = Client()
        sign_in(client, user.email, **behind_proxy("198.51.100.7, 203.0.113.5"))
        assert SESSION_KEY not in client.session

    @override_settings(ACCOUNT_RATE_LIMITS={"login_failed": "3/5m/ip"})
    def test_one_clients_failures_do_not_rate_limit_another(self):
        users = UserFactory.create_batch(4)
        noisy = Client()
        for user in users[:3]:
            fail(noisy, user.email, 1, **behind_proxy("203.0.113.5"))

        def refused(response) -> bool:
            return "Too many failed login attempts" in response.content.decode()

        assert refused(sign_in(noisy, users[3].email, **behind_proxy("203.0.113.5")))
        # Spoofing a left-hand entry does not choose a fresh address.
        assert refused(sign_in(noisy, users[3].email, **behind_proxy("192.0.2.9, 203.0.113.5")))
        assert SESSION_KEY not in noisy.session
        quiet = Client()
        response = sign_in(quiet, users[3].email, **behind_proxy("198.51.100.7"))
        assert response.status_code == 302
        assert quiet.session[SESSION_KEY] == str(users[3].pk)


# --- 4. Cache-Control: no-store on signed-in responses ---------------------------------------


@pytest.mark.django_db
class TestNoStore:
    def assert_not_stored(self, response):
        directives = {d.strip() for d in response["Cache-Control"].split(",")}
        assert {"no-store", "private"} <= directives, response["Cache-Control"]

    def test_a_signed_in_page_is_not_stored(self, world, clm_client):
        response = clm_client.get(reverse("trusts:people"))
        assert response.status_code == 200
        self.assert_not_stored(response)

    def test_an_export_is_not_stored(self, world, clm_client):
        response = clm_client.get("/activity/?_export=csv")
        assert response.status_code == 200
        assert response["Content-Type"].startswith("text/csv")
        self.assert_not_stored(response)

    def test_the_public_start_page_may_be_stored(self, db, client):
        assert "no-store" not in client.get(reverse("home")).get("Cache-Control", "")


# --- 6. Tokens out of the logs ---------------------------------------------------------------

TOKEN = "Zq3kS9-secret-token_value"


class TestRedaction:
    def test_a_token_path_is_redacted(self):
        line = f'GET /invitations/accept/{TOKEN}/?x=1 HTTP/1.1" 200'
        assert TOKEN not in redact(line)
        assert "/invitations/accept/[redacted]" in redact(line)

    def test_other_paths_are_left_alone(self):
        assert redact("GET /people/12/ HTTP/1.1") == "GET /people/12/ HTTP/1.1"

    @override_settings(REDACTED_PATH_PREFIXES=["/invitations/accept/", "/reports/download/"])
    def test_more_prefixes_can_be_added_in_settings(self):
        assert "abc" not in redact("/reports/download/abc")

    def test_the_logging_filter_redacts_djangos_request_log(self, rf):
        request = rf.get(f"/invitations/accept/{TOKEN}/")
        record = logging.LogRecord(
            "django.request", logging.WARNING, __file__, 1, "Not Found: %s", (request.path,), None
        )
        record.request = request
        assert RedactPathsFilter().filter(record)
        assert TOKEN not in record.getMessage()
        assert TOKEN not in str(record.request)

    def test_the_filter_is_on_the_log_handler(self):
        handler = settings.LOGGING["handlers"]["stdout"]
        assert "redact_paths" in handler["filters"]

    def test_a_404_for_a_token_path_logs_no_token(self, db, client, capsys):
        # The real logging configuration, as in production.
        from logging.config import dictConfig

        dictConfig({**settings.LOGGING, "root": {"handlers": ["stdout"], "level": "WARNING"}})
        try:
            client.get("/invitations/accept/does-not-exist-secret/x/y/")
            logging.getLogger("django.request").warning(
                "Not Found: %s", f"/invitations/accept/{TOKEN}/"
            )
            out = capsys.readouterr().out
        finally:
            dictConfig(settings.LOGGING)
        assert "/invitations/accept/[redacted]" in out
        assert TOKEN not in out

    def test_gunicorns_access_log_redacts_the_token(self):
        import importlib.util
        from datetime import timedelta as td
        from types import SimpleNamespace

        from gunicorn.config import Config

        spec = importlib.util.spec_from_file_location(
            "gunicorn_conf", settings.BASE_DIR / "gunicorn.conf.py"
        )
        conf = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(conf)
        logger = conf.logger_class(Config())
        environ = {
            "REQUEST_METHOD": "GET",
            "RAW_URI": f"/invitations/accept/{TOKEN}/",
            "PATH_INFO": f"/invitations/accept/{TOKEN}/",
            "QUERY_STRING": "",
            "SERVER_PROTOCOL": "HTTP/1.1",
            "REMOTE_ADDR": "127.0.0.1",
            "HTTP_REFERER": f"https://clm.example/invitations/accept/{TOKEN}/",
        }
        response = SimpleNamespace(status="200 OK", sent=10, headers=[])
        request = SimpleNamespace(headers=[("REFERER", environ["HTTP_REFERER"])])
        atoms = logger.atoms(response, request, environ, td(seconds=0))
        line = logger.cfg.access_log_format % atoms
        assert TOKEN not in line
        assert "/invitations/accept/[redacted]" in line
        assert TOKEN not in str(atoms)


# --- 7. Sign-in required unless a view says otherwise ----------------------------------------


def undecorated_view(request):
    return HttpResponse("secret")


urlpatterns = [
    path("forgotten/", undecorated_view),
    path("accounts/login/", undecorated_view, name="account_login"),
]


@pytest.mark.django_db
class TestSignInRequiredByDefault:
    def test_a_view_without_any_decorator_requires_sign_in(self, client):
        with override_settings(ROOT_URLCONF=__name__):
            response = client.get("/forgotten/")
        assert response.status_code == 302
        assert response["Location"] == "/accounts/login/?next=/forgotten/"

    @pytest.mark.parametrize(
        "url",
        [
            reverse("home"),
            reverse("privacy"),
            reverse("accessibility"),
            reverse("account_login"),
            reverse("account_reset_password"),
        ],
    )
    def test_the_public_pages_stay_public(self, client, url):
        assert client.get(url).status_code == 200


# --- 9. allauth's emails lead to SITE_URL and name the portal --------------------------------


@pytest.mark.django_db
class TestAccountEmails:
    @pytest.fixture(autouse=True)
    def site(self, settings):
        settings.SITE_URL = "https://clm.example.nhs.uk"
        settings.ALLOWED_HOSTS = ["testserver", "attacker.example"]

    def test_the_password_reset_link_uses_site_url_not_the_request_host(self):
        user = UserFactory()
        Client().post(
            reverse("account_reset_password"), {"email": user.email}, HTTP_HOST="attacker.example"
        )
        [message] = mail.outbox
        links = re.findall(r"https?://\S+", message.body)
        reset = [link for link in links if "/password/reset/key/" in link]
        assert reset and reset[0].startswith(
            "https://clm.example.nhs.uk/accounts/password/reset/key/"
        )
        assert "attacker.example" not in message.body

    def test_the_password_reset_email_names_the_portal_not_the_server(self):
        user = UserFactory()
        Client().post(reverse("account_reset_password"), {"email": user.email})
        [message] = mail.outbox
        assert "CLM Portal" in message.body
        assert "[CLM Portal]" in message.subject
        assert "testserver" not in message.body
        assert "example.com" not in message.body

    def test_the_email_confirmation_link_uses_site_url(self):
        user = UserFactory()
        client = client_for(user)
        client.post(
            reverse("account_email"),
            {"action_add": "", "email": "new.address@example.org"},
            HTTP_HOST="attacker.example",
        )
        [message] = mail.outbox
        assert "https://clm.example.nhs.uk/accounts/confirm-email/" in message.body
        assert "attacker.example" not in message.body


# --- 10. The lockout: in words, and lifted by a password reset -------------------------------


class TestDurationInWords:
    @pytest.mark.parametrize(
        "delta, words",
        [
            (timedelta(minutes=15), "15 minutes"),
            (timedelta(minutes=1), "1 minute"),
            (timedelta(hours=1), "1 hour"),
            (timedelta(minutes=90), "1 hour 30 minutes"),
            (timedelta(hours=2), "2 hours"),
        ],
    )
    def test_it_says_the_duration_as_people_do(self, delta, words):
        assert duration_in_words(delta) == words


@pytest.mark.django_db
class TestLockoutPage:
    def test_the_lockout_page_says_15_minutes(self):
        user = UserFactory()
        client = Client()
        fail(client, user.email, settings.AXES_FAILURE_LIMIT)
        html = sign_in(client, user.email).content.decode()
        assert "locked for 15 minutes" in html
        assert "PT15M" not in html

    def test_a_password_reset_lifts_the_lockout(self):
        user = UserFactory()
        client = Client()
        fail(client, user.email, settings.AXES_FAILURE_LIMIT)
        sign_in(client, user.email)
        assert SESSION_KEY not in client.session

        client.post(reverse("account_reset_password"), {"email": user.email})
        link = re.search(r"https?://[^/\s]+(/accounts/password/reset/key/\S+)", mail.outbox[0].body)
        form_page = client.get(link.group(1), follow=True)
        new_password = "a-brand-new-password-2026"
        response = client.post(
            form_page.redirect_chain[-1][0] if form_page.redirect_chain else link.group(1),
            {"password1": new_password, "password2": new_password},
        )
        assert response.status_code == 302

        response = sign_in(client, user.email, new_password)
        assert response.status_code == 302
        assert client.session[SESSION_KEY] == str(user.pk)
