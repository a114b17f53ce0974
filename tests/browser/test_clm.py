"""A Clinical Leadership Mentor signs in and works with the people of their Trust."""

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
def clm(page, live_server, demo_people):
    sign_in(page, live_server, demo_people.clm.email, demo_people.password)
    return demo_people.clm


def test_clm_home(page, clm):
    expect_home(
        page,
        clm,
        f"You are signed in as clinical leadership mentor at {TRUST_NAME}.",
        nav=STAFF_NAV,
        not_nav=["My trainees"],
    )
    expect(page.get_by_role("heading", name=f"{TRUST_NAME} in figures")).to_be_visible()
    expect(page.get_by_role("table", name="People by role")).to_be_visible()


def test_clm_header_links(page, clm):
    """Every link in the header opens and passes axe: the menu, then the account links."""
    visit_every_nav_link(page)
    open_profile(page, clm)
    open_account_settings(page, clm)


def test_clm_people_person_and_history(page, clm, demo_people):
    open_person_and_history(page, demo_people.trainee)


def test_clm_trusts(page, clm):
    open_trust(page)


def test_clm_invite_upload_and_invitations(page, clm):
    open_invite_pages(page)
    # A CLM invites trainees and supervisors; the Trust's own roles are the administrator's.
    page.locator("main").get_by_role("button", name="Invite someone").click()
    roles = page.get_by_role("group", name="Role").get_by_role("radio")
    expect(roles).to_have_count(2)
