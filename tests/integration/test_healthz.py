"""GET /healthz checks the database, and Redis when the portal is configured with one.

clm_portal/urls.py builds its list of checks when it is imported, from settings.REDIS_URL.
To test that code as it is, whatever REDIS_URL this test run has, each test executes a fresh
copy of clm_portal/urls.py under its own module name with REDIS_URL overridden, and serves
requests from that copy (ROOT_URLCONF).
"""

import importlib.util
import sys
import time
import uuid

import pytest
from django.test import override_settings

import clm_portal.urls

from .support import refusing_broker

pytestmark = pytest.mark.integration


@pytest.fixture
def urlconf_with_redis(monkeypatch):
    """Serve requests from a copy of clm_portal/urls.py imported with REDIS_URL set to a URL.

    REDIS_URL stays overridden for the test: the Redis check's client reads it per request.
    """
    enabled: list[override_settings] = []

    def enable(overrides: override_settings) -> None:
        overrides.enable()
        enabled.append(overrides)

    def load(redis_url: str):
        name = f"clm_portal._urls_for_test_{uuid.uuid4().hex}"
        spec = importlib.util.spec_from_file_location(name, clm_portal.urls.__file__)
        module = importlib.util.module_from_spec(spec)
        monkeypatch.setitem(sys.modules, name, module)
        enable(override_settings(REDIS_URL=redis_url))
        spec.loader.exec_module(module)  # reads settings.REDIS_URL, as the real import does
        enable(override_settings(ROOT_URLCONF=name))  # which also clears the URL caches
        return module

    yield load
    for overrides in reversed(enabled):
        overrides.disable()


def checks(response) -> dict:
    return response.json()


def test_healthz_reports_the_database_and_redis_healthy(db, client, redis_url, urlconf_with_redis):
    urlconf_with_redis(redis_url)

    response = client.get("/healthz?format=json")

    assert checks(response) == {"Database": "working", "Redis": "working"}, response.content
    assert response.status_code == 200


def test_healthz_reports_redis_down_quickly(db, client, urlconf_with_redis):
    with refusing_broker() as url:
        urlconf_with_redis(url)
        started = time.monotonic()
        response = client.get("/healthz?format=json")
        elapsed = time.monotonic() - started

    assert response.status_code == 500
    assert checks(response) == {"Database": "working", "Redis": "unavailable"}
    assert elapsed < 5, f"/healthz took {elapsed:.1f} s with Redis down"


@pytest.mark.parametrize(
    "query, accept",
    [
        ("?format=json", ""),
        ("?format=text", ""),
        ("", "text/html"),
        ("", "*/*"),
        ("?format=rss", ""),
    ],
)
def test_healthz_names_no_host_or_error_to_anyone(db, client, urlconf_with_redis, query, accept):
    # Before: the Redis check's name and error carried the host, port and connection error.
    with refusing_broker() as url:
        urlconf_with_redis(url)
        response = client.get(f"/healthz{query}", HTTP_ACCEPT=accept)
    body = response.content.decode()
    port = url.rsplit(":", 1)[1].split("/")[0]
    assert response.status_code == 500
    for detail in ("127.0.0.1", port, "redis://", "Error", "refused"):
        assert detail not in body, body
    assert "unavailable" in body
