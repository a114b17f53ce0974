"""A Trust administrator invites a new trainee, who accepts and lands on their home page."""

import re
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Page, expect

from trusts.models import Invitation, User, token_digest

from .a11y import check_a11y
from .journeys import TRAINEE_NAV, TRUST_NAME, expect_home, heading, sign_in, sign_out, url

pytestmark = pytest.mark.browser

INVITEE = {
    "name": "Morgan Newcombe",
    "email": "morgan.newcombe@example.com",
    "grade": "ST2",
    "specialty": "Paediatrics",
    "gmc_number": "7654321",
}
NEW_PASSWORD = "a-brand-new-passphrase-2026"


def open_invite_form(page: Page) -> None:
    page.locator("main").get_by_role("button", name="Invite someone").click()
    expect(heading(page)).to_have_text("Invite someone")
    expect(page.locator("main .nhsuk-caption-l")).to_have_text(TRUST_NAME)
    check_a11y(page)


def test_empty_invitation_shows_an_accessible_error_summary(page, live_server, demo_people):
    sign_in(page, live_server, demo_people.trust_admin.email, demo_people.password)
    open_invite_form(page)

    page.get_by_role("button", name="Send invitation").click()

    expect(page).to_have_title(re.compile(r"^Error: Invite someone – CLM Portal"))
    summary = page.locator(".nhsuk-error-summary")
    expect(summary.get_by_role("heading", name="There is a problem")).to_be_visible()
    # The NHS.UK error summary takes focus, so a screen reader announces it at once.
    expect(summary).to_be_focused()
    links = summary.get_by_role("link")
    expect(links).to_have_count(3)  # name, email and role are required
    # Each message is shown at its field too, and the field is marked as in error.
    name_input = page.get_by_label("Full name")
    expect(name_input).to_have_class(re.compile(r"nhsuk-input--error"))
    expect(page.locator("#id_name_error")).to_contain_text("This field is required.")
    expect(page.get_by_role("group", name="Role")).to_be_visible()
    check_a11y(page)

    # The summary's links go to their fields.
    links.first.click()
    expect(name_input).to_be_focused()
    expect(page.locator("#id_role_0")).to_be_attached()
    summary.get_by_role("link").nth(2).click()
    expect(page.locator("#id_role_0")).to_be_focused()
    assert not Invitation.objects.exists()


def test_trust_admin_invites_a_trainee_who_accepts(page, live_server, demo_people, mailoutbox):
    admin = demo_people.trust_admin
    sign_in(page, live_server, admin.email, demo_people.password)
    open_invite_form(page)

    page.get_by_label("Full name").fill(INVITEE["name"])
    page.get_by_label("Email address").fill(INVITEE["email"])
    page.get_by_role("group", name="Role").get_by_label("Trainee", exact=True).check()
    page.get_by_label("Grade").select_option(INVITEE["grade"])
    page.get_by_label("Specialty").select_option(label=INVITEE["specialty"])
    page.get_by_label("GMC number").fill(INVITEE["gmc_number"])
    page.get_by_role("button", name="Send invitation").click()

    expect(heading(page)).to_have_text("Invitations")
    expect(page.locator("main [role=status]")).to_contain_text(
        f"Invitation sent to {INVITEE['email']}. It is valid for 14 days."
    )
    row = (
        page.get_by_role("table", name="Invitations")
        .locator("tbody tr")
        .filter(has_text=INVITEE["email"])
    )
    expect(row).to_contain_text(INVITEE["name"])
    expect(row).to_contain_text("Pending")
    check_a11y(page)

    # The email went out (the task runs eagerly, in the live server's thread).
    invitation = Invitation.objects.get(email=INVITEE["email"])
    assert (invitation.role, invitation.trust.ods_code) == ("trainee", "RK9")
    assert (invitation.grade, invitation.gmc_number) == ("ST2", "7654321")
    assert invitation.invited_by == admin
    assert [m.to for m in mailoutbox] == [[INVITEE["email"]]]
    link = re.search(r"https?://\S+/invitations/accept/\S+/", mailoutbox[0].body).group(0)
    # Only the digest of the link's token is kept.
    token = urlsplit(link).path.split("/")[-2]
    assert invitation.token_digest == token_digest(token)

    sign_out(page)
    check_a11y(page)

    # The invitee opens the link (on the live server rather than SITE_URL's host).
    page.goto(url(live_server, urlsplit(link).path))
    expect(heading(page)).to_have_text("Set up your account")
    expect(page.locator("main .nhsuk-caption-l")).to_have_text(f"Invitation: trainee, {TRUST_NAME}")
    expect(page.locator("main")).to_contain_text(f"You will sign in with {INVITEE['email']}.")
    expect(page.get_by_label("Full name")).to_have_value(INVITEE["name"])
    check_a11y(page)

    page.get_by_label("Create a password").fill(NEW_PASSWORD)
    page.get_by_label("Confirm the password").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Create account").click()

    expect(page).to_have_url(url(live_server, "/"))
    trainee = User.objects.get(email=INVITEE["email"])
    expect(page.locator("main [role=status]")).to_contain_text(
        "Welcome to the CLM Portal. Your account is ready."
    )
    expect_home(
        page,
        trainee,
        f"You are signed in as trainee at {TRUST_NAME}.",
        nav=TRAINEE_NAV,
        not_nav=["People", "Trusts"],
    )
    details = page.locator("main dl.nhsuk-summary-list")
    expect(details).to_contain_text("ST2, Paediatrics")
    invitation.refresh_from_db()
    assert invitation.status == Invitation.Status.ACCEPTED

    # The link is spent: opening it again says so.
    sign_out(page)
    page.goto(url(live_server, urlsplit(link).path))
    expect(heading(page)).to_have_text("This invitation cannot be used")
    check_a11y(page)
