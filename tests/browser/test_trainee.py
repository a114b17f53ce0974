"""A trainee signs in and finds their placement, their profile and their account settings."""

import pytest
from playwright.sync_api import expect

from .a11y import check_a11y
from .journeys import (
    TRAINEE_NAV,
    TRUST_NAME,
    expect_home,
    open_account_settings,
    open_profile,
    sign_in,
    visit_every_nav_link,
)

pytestmark = pytest.mark.browser


@pytest.fixture
def trainee(page, live_server, demo_people):
    sign_in(page, live_server, demo_people.trainee.email, demo_people.password)
    return demo_people.trainee


def test_trainee_home_shows_their_placement_and_training(page, trainee):
    expect_home(
        page,
        trainee,
        f"You are signed in as trainee at {TRUST_NAME}.",
        nav=TRAINEE_NAV,
        not_nav=["My trainees", "People", "Trusts"],
    )
    details = page.locator("main dl.nhsuk-summary-list")
    expect(details).to_contain_text(TRUST_NAME)
    expect(details).to_contain_text("to 31 Jul 2027")
    expect(details).to_contain_text("ST3")
    expect(details).to_contain_text(trainee.trainee_profile.educational_supervisor.name)


def test_trainee_header_links(page, trainee):
    """Every link in the header opens and passes axe: the menu, then the account links."""
    visit_every_nav_link(page)
    open_profile(page, trainee)
    # A trainee's profile asks for their training as well as their name.
    expect(page.get_by_role("heading", name="Training", exact=True)).to_be_visible()
    expect(page.get_by_label("GMC number")).to_have_value(trainee.trainee_profile.gmc_number)
    expect(page.locator("main")).to_contain_text(f"Trainee, {TRUST_NAME}")
    open_account_settings(page, trainee)


def test_trainee_sees_who_their_clm_is_and_how_to_reach_them(page, trainee, demo_people):
    clm = page.locator("main dl.nhsuk-summary-list .nhsuk-summary-list__row").filter(
        has_text="Your Clinical Leadership Mentor"
    )
    expect(clm).to_contain_text(demo_people.clm.name)
    expect(clm.get_by_role("link", name=demo_people.clm.email)).to_have_attribute(
        "href", f"mailto:{demo_people.clm.email}"
    )
    check_a11y(page)
