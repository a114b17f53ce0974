"""With Redis down (connections refused) or stuck (accepting connections, never answering),
people still sign in, pages render, and nothing holds a request for seconds (issue 6).

Neither case touches the shared Redis: "down" is a closed local port and "stuck" a local
listener that never replies (tests/integration/support.py). The cache is the production one
(clm_portal.cache.FailOpenRedisCache) pointed at that address, and tasks are published for real
(not eagerly) to it, so the publish breaker in clm_portal.queue is what keeps requests quick.
"""

import logging
import time

import pytest
from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client, override_settings
from django.urls import reverse

from tests.conftest import client_for, need
from tests.factories import PASSWORD, TrustFactory, UserFactory, person
from trusts.models import Invitation, Role

from .support import celery_configured, refusing_broker, silent_broker, unique_queue_name

pytestmark = pytest.mark.integration

# Per request, and for the whole 20-row upload (before: 30 s and a 500 with Redis paused).
REQUEST_BUDGET = 2.0
UPLOAD_BUDGET = 3.0


def production_cache_settings(url: str) -> dict:
    from clm_portal import settings as production

    # The production settings module chose its cache from REDIS_URL at import; rebuild the
    # same entry here for `url` (settings_test swaps in a local-memory cache).
    return {
        "default": {
            "BACKEND": "clm_portal.cache.FailOpenRedisCache",
            "LOCATION": url,
            "OPTIONS": production.CACHES["default"].get(
                "OPTIONS", {"socket_timeout": 0.25, "socket_connect_timeout": 0.25}
            ),
        }
    }


@pytest.fixture(
    params=[
        pytest.param(refusing_broker, id="redis-down"),
        pytest.param(silent_broker, id="redis-stuck"),
    ]
)
def broken_redis(request, transactional_db):
    with request.param() as url:
        with override_settings(CACHES=production_cache_settings(url)):
            with celery_configured(broker_url=url, queue=unique_queue_name()):
                yield url


def timed(call):
    started = time.monotonic()
    response = call()
    return response, time.monotonic() - started


class TestWithRedisDownOrStuck:
    def test_the_cache_in_use_is_the_fail_open_redis_cache(self, broken_redis):
        from django.core.cache import caches

        assert type(caches["default"]).__name__ == "FailOpenRedisCache"

    def test_signing_in_works(self, broken_redis, caplog):
        user = UserFactory()
        client = Client()
        with caplog.at_level(logging.WARNING, logger="clm_portal.cache"):
            response, elapsed = timed(
                lambda: client.post(
                    reverse("account_login"), {"login": user.email, "password": PASSWORD}
                )
            )
        assert response.status_code == 302
        assert client.session[SESSION_KEY] == str(user.pk)
        assert elapsed < REQUEST_BUDGET, f"Signing in took {elapsed:.1f} s"
        assert "Cache unavailable" in caplog.text

    def test_the_lockout_still_holds(self, broken_redis):
        # django-axes keeps its counts in the database, not in Redis.
        user = UserFactory()
        client = Client()
        for _ in range(settings.AXES_FAILURE_LIMIT):
            client.post(reverse("account_login"), {"login": user.email, "password": "wrong-2026"})
        client.post(reverse("account_login"), {"login": user.email, "password": PASSWORD})
        assert SESSION_KEY not in client.session

    def test_pages_render(self, broken_redis):
        trust = TrustFactory(ods_code="RK9")
        clm = person(Role.CLM, trust)
        admin = person(Role.TRUST_ADMIN, trust)
        for user, url in [
            (clm, reverse("home")),
            (clm, reverse("mentors:log")),
            (clm, reverse("trusts:people")),
            (admin, reverse("trusts:invitations")),
            (admin, reverse("trusts:profile")),
            (None, reverse("account_login")),
            (None, reverse("home")),
        ]:
            client = client_for(user)
            response, elapsed = timed(lambda c=client, u=url: c.get(u))
            assert response.status_code == 200, url
            assert elapsed < REQUEST_BUDGET, f"{url} took {elapsed:.1f} s"

    def test_a_twenty_row_invitation_upload_is_quick_and_saves_everyone(self, broken_redis, caplog):
        trust = TrustFactory(ods_code="RK9")
        admin = person(Role.TRUST_ADMIN, trust)
        rows = ["name,email,role"] + [
            f"Person {n},person.{n}@example.com,supervisor" for n in range(20)
        ]
        upload = SimpleUploadedFile(
            "people.csv", ("\r\n".join(rows) + "\r\n").encode(), content_type="text/csv"
        )
        client = client_for(admin)
        response, elapsed = timed(
            lambda: client.post(reverse("trusts:invite_upload"), {"file": upload})
        )
        assert response.status_code == 302, response.content[:500]
        assert Invitation.objects.filter(trust=trust).count() == 20
        assert elapsed < UPLOAD_BUDGET, f"The upload took {elapsed:.1f} s"
        # Left to the sweeper, which re-queues invitations whose email was never sent.
        assert Invitation.objects.unsent().filter(trust=trust).count() == 20


class TestWithRedisWorking:
    def test_the_fail_open_cache_still_counts_rate_limits(self, transactional_db):
        from .support import redis_answers, redis_url_for_tests

        url = redis_url_for_tests()
        ok, why = redis_answers(url)
        need("Redis", ok, why)
        with override_settings(
            CACHES=production_cache_settings(url),
            ACCOUNT_RATE_LIMITS={"login_failed": "2/5m/ip"},
        ):
            cache.clear()
            users = UserFactory.create_batch(3)
            client = Client()
            for user in users[:2]:
                client.post(
                    reverse("account_login"), {"login": user.email, "password": "wrong-2026"}
                )
            response = client.post(
                reverse("account_login"), {"login": users[2].email, "password": PASSWORD}
            )
            cache.clear()
        assert "Too many failed login attempts" in response.content.decode()
        assert SESSION_KEY not in client.session
