"""An educational supervisor signs in and finds the trainees they supervise."""

import pytest
from playwright.sync_api import expect

from trusts.models import User

from .a11y import check_a11y
from .journeys import (
    SUPERVISOR_NAV,
    TRUST_NAME,
    expect_home,
    open_account_settings,
    open_profile,
    sign_in,
    visit_every_nav_link,
    visit_nav,
)

pytestmark = pytest.mark.browser


@pytest.fixture
def supervisor(page, live_server, demo_people):
    sign_in(page, live_server, demo_people.supervisor.email, demo_people.password)
    return demo_people.supervisor


def supervisees_of(supervisor: User) -> list[User]:
    return list(User.objects.filter(trainee_profile__educational_supervisor=supervisor))


def test_supervisor_home(page, supervisor, demo_people):
    supervisees = supervisees_of(supervisor)
    assert demo_people.trainee in supervisees
    expect_home(
        page,
        supervisor,
        f"You are signed in as educational supervisor at {TRUST_NAME}.",
        nav=SUPERVISOR_NAV,
        not_nav=["People", "Trusts"],
    )
    expect(page.locator("main")).to_contain_text(
        f"You are educational supervisor for {len(supervisees)} trainees."
    )


def test_supervisor_my_trainees(page, supervisor):
    supervisees = supervisees_of(supervisor)
    visit_nav(page, "My trainees", "My trainees")
    rows = page.get_by_role("table", name="Trainees you supervise").locator("tbody tr")
    expect(rows).to_have_count(len(supervisees))
    for trainee in supervisees:
        expect(rows.filter(has_text=trainee.name)).to_have_count(1)


def test_supervisor_header_links(page, supervisor):
    """Every link in the header opens and passes axe: the menu, then the account links."""
    visit_every_nav_link(page)
    open_profile(page, supervisor)
    expect(page.get_by_role("heading", name="As educational supervisor")).to_be_visible()
    open_account_settings(page, supervisor)


def test_supervisor_sees_their_trainees_details(page, supervisor, demo_people):
    visit_nav(page, "My trainees", "My trainees")
    trainee = demo_people.trainee
    row = (
        page.get_by_role("table", name="Trainees you supervise")
        .locator("tbody tr")
        .filter(has_text=trainee.name)
    )
    expect(row).to_contain_text(trainee.trainee_profile.get_grade_display())
    expect(row).to_contain_text(trainee.trainee_profile.get_specialty_display())
    expect(row).to_contain_text("31 Jul 2027")
    expect(row.get_by_role("link", name=trainee.email)).to_be_visible()
    check_a11y(page)
