"""A Trust administrator signs in and manages the people of their Trust."""

import pytest
from playwright.sync_api import expect

from trusts.models import Membership, Role

from .a11y import check_a11y
from .journeys import (
    STAFF_NAV,
    TRUST_NAME,
    expect_home,
    heading,
    open_account_settings,
    open_invite_pages,
    open_person_and_history,
    open_profile,
    open_trust,
    sign_in,
    url,
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


def test_trust_admin_removes_a_role_after_confirming_and_undoes_it(
    page, live_server, admin, demo_people
):
    supervisor = demo_people.supervisor
    page.goto(url(live_server, f"/people/{supervisor.pk}/"))
    page.get_by_role("link", name="Remove the educational supervisor role").click()
    expect(heading(page)).to_have_text(f"Remove {supervisor.name} as educational supervisor?")
    check_a11y(page)
    page.get_by_role("button", name="Yes, remove this role").click()
    expect(page.locator("main")).to_contain_text(
        f"{supervisor.name} is no longer an educational supervisor here."
    )
    check_a11y(page)
    page.get_by_role("button", name="Undo").click()
    expect(page.locator("main")).to_contain_text(
        f"Undone: {supervisor.name} is an educational supervisor here again."
    )
    expect(page.get_by_role("table", name="Roles")).to_contain_text("Educational supervisor")
    check_a11y(page)
    assert Membership.objects.filter(
        user=supervisor, role=Role.SUPERVISOR, trust__ods_code="RK9"
    ).exists()
