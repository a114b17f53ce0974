"""Real-browser journeys: chromium driven by Playwright against Django's live server.

Every journey signs in as one of the demo accounts (the ones `make run` prints) through the
real sign-in form, and checks every page it visits with axe-core.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import date

import pytest
from django.conf import settings
from playwright.sync_api import Page, expect

from tests.conftest import need
from trusts import demo, reference
from trusts.models import Role, User

from .a11y import AXE_PATH, axe_available

CHROMIUM = "/usr/bin/chromium"
TRAINING_YEAR_START = date(2026, 8, 1)


def chromium_available() -> bool:
    return os.path.isfile(CHROMIUM) and os.access(CHROMIUM, os.X_OK)


@pytest.fixture(scope="session", autouse=True)
def _browser_services():
    """No chromium or no axe-core: skip the journeys (fail them under REQUIRE_SERVICES=1)."""
    need("chromium", chromium_available(), f"no browser at {CHROMIUM}")
    need("axe-core", axe_available(), f"no {AXE_PATH} (run `npm ci`)")


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    """The system chromium: Playwright cannot download its own browser here."""
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": [
            *browser_type_launch_args.get("args", []),
            "--no-sandbox",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--disable-gpu",
        ],
    }


@pytest.fixture(scope="session")
def base_url():
    """No base URL: the journeys build theirs from `live_server`.

    (This also stands in for pytest-playwright's fallback `base_url`, a fixture defined on a
    plugin object, which pytest 9 warns about.)
    """
    return None


@pytest.fixture
def page(page: Page) -> Page:
    # A failing expectation should fail in seconds, not after Playwright's 30.
    page.set_default_timeout(10_000)
    expect.set_options(timeout=10_000)
    return page


@dataclass(frozen=True)
class Demo:
    """The demo logins of University Hospitals Plymouth (RK9) and the deanery."""

    password: str
    trainee: User
    supervisor: User
    clm: User
    trust_admin: User
    deanery: User


@pytest.fixture
def demo_people(live_server, transactional_db) -> Demo:
    """The region's Trusts, and the demo people of one Trust (RK9), as `make run` seeds them."""
    reference.trusts_load()
    password = settings.DEMO_PASSWORD
    demo.seed_people(password=password, training_year_start=TRAINING_YEAR_START, only=["RK9"])
    emails = {login.role: login.email for login in demo.demo_logins()}
    users = {u.email: u for u in User.objects.filter(email__in=emails.values())}

    def login(role: Role) -> User:
        return users[emails[role.label]]

    return Demo(
        password=password,
        trainee=login(Role.TRAINEE),
        supervisor=login(Role.SUPERVISOR),
        clm=login(Role.CLM),
        trust_admin=login(Role.TRUST_ADMIN),
        deanery=login(Role.DEANERY),
    )
