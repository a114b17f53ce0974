"""A Trust administrator signs in and manages the people of their Trust."""

import pytest
from playwright.sync_api import expect

from .journeys import (
    STAFF_NAV,
    TRUST_NAME,
    expect_home,
    open_account_settings,
    open_invite_pages,
    open_person_and_history,
    open_profile,
    open_trust,
    sign_in,
    visit_every_nav_link,
)

pytestmark = pytest.mark.browser


@pytest.fixture
def admin(page, live_server, demo_people):
    sign_in(page, live_server, demo_people.trust_admin.email, demo_people.password)
    return demo_people.trust_admin


def test_trust_admin_home(page, admin):
    expect_home(
        page,
        admin,
        f"You are signed in as trust administrator at {TRUST_NAME}.",
        nav=STAFF_NAV,
        not_nav=["My trainees"],
    )
    expect(page.locator("main").get_by_role("button", name="Invite someone")).to_be_visible()
    expect(page.get_by_role("table", name="People by role")).to_be_visible()


def test_trust_admin_header_links(page, admin):
    """Every link in the header opens and passes axe: the menu, then the account links."""
    visit_every_nav_link(page)
    open_profile(page, admin)
    open_account_settings(page, admin)


def test_trust_admin_people_person_and_history(page, admin, demo_people):
    open_person_and_history(page, demo_people.trainee)
    expect(page.get_by_role("table", name="Changes").locator("tbody tr").first).to_be_visible()


def test_trust_admin_trusts(page, admin):
    open_trust(page)


def test_trust_admin_invite_upload_and_invitations(page, admin):
    open_invite_pages(page)
    page.locator("main").get_by_role("button", name="Invite someone").click()
    roles = page.get_by_role("group", name="Role").get_by_role("radio")
    expect(roles).to_have_count(4)
