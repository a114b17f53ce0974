"""Steps the journeys share: signing in, the home page, the header, the staff pages.

Each step asserts what the person sees and runs axe on every page it lands on.
"""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from trusts.models import User

from .a11y import check_a11y

TRUST_NAME = "University Hospitals Plymouth NHS Trust"
# The foundation's header links, by role; the parts of later issues add their own.
TRAINEE_NAV = ["Home"]
SUPERVISOR_NAV = ["Home", "My trainees"]
STAFF_NAV = ["Home", "People", "Trusts"]


def url(live_server, path: str) -> str:
    return f"{live_server.url}{path}"


def heading(page: Page):
    return page.get_by_role("heading", level=1)


def menu(page: Page):
    return page.get_by_role("navigation", name="Menu")


def sign_in(page: Page, live_server, email: str, password: str) -> None:
    """Through the real sign-in form, checking it too; ends on the home page."""
    page.goto(url(live_server, "/accounts/login/"))
    expect(heading(page)).to_have_text("Sign in")
    check_a11y(page)
    form = page.locator("main form")
    form.locator('input[name="login"]').fill(email)
    form.locator('input[name="password"]').fill(password)
    form.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(url(live_server, "/"))


def sign_out(page: Page) -> None:
    page.get_by_role("navigation", name="Account").get_by_role("button", name="Sign out").click()
    expect(heading(page)).to_have_text("CLM Portal")
    expect(page.get_by_role("navigation", name="Account")).to_contain_text("Sign in")


def nav_labels(page: Page) -> list[str]:
    """The header's navigation links, in order."""
    links = menu(page).locator("a.nhsuk-header__navigation-link")
    return [text.strip() for text in links.all_inner_texts()]


def expect_home(
    page: Page, user: User, role_sentence: str, *, nav: list[str], not_nav: list[str]
) -> None:
    """The home page greets `user` by first name, names their role and offers their parts.

    `nav` must be in the header, in that order, and `not_nav` must not: the parts of later
    issues join the header as their pages land, so it is not compared as a whole.
    """
    expect(page).to_have_title(re.compile(r"^Home – CLM Portal"))
    expect(heading(page)).to_have_text(f"Hello, {user.get_short_name()}")
    expect(page.locator("main")).to_contain_text(role_sentence)
    labels = nav_labels(page)
    assert labels[0] == "Home", labels
    assert [label for label in labels if label in nav] == nav, labels
    assert not set(labels) & set(not_nav), labels
    expect(menu(page).get_by_role("link", name="Home", exact=True)).to_have_attribute(
        "aria-current", "page"
    )
    account = page.get_by_role("navigation", name="Account")
    expect(account.get_by_role("link", name=str(user))).to_have_attribute("href", "/profile/")
    expect(account.get_by_role("link", name="Account settings")).to_be_visible()
    expect(account.get_by_role("button", name="Sign out")).to_be_visible()
    check_a11y(page)


def visit_nav(page: Page, label: str, title: str | re.Pattern | None = None) -> None:
    """Follow a header link: its page opens, marked current in the header, and passes axe."""
    menu(page).get_by_role("link", name=label, exact=True).click()
    if title is None:
        expect(heading(page)).to_be_visible()
    else:
        expect(heading(page)).to_have_text(title)
    expect(menu(page).locator('[aria-current="page"]')).to_have_text(label)
    check_a11y(page)


def visit_every_nav_link(page: Page) -> list[str]:
    """Every page the header offers this person opens, and passes axe. Returns the labels."""
    labels = nav_labels(page)
    for label in labels[1:]:
        visit_nav(page, label)
    return labels


def open_profile(page: Page, user: User) -> None:
    """The header's account link, named after the person: their own profile."""
    account = page.get_by_role("navigation", name="Account")
    account.get_by_role("link", name=str(user)).click()
    expect(page).to_have_title(re.compile(r"^Your profile – CLM Portal"))
    expect(heading(page)).to_have_text("Your profile")
    expect(page.locator("main form").get_by_label("Full name")).to_have_value(user.name)
    check_a11y(page)


def open_account_settings(page: Page, user: User) -> None:
    """The header's "Account settings": links to password, two-factor and email addresses."""
    account = page.get_by_role("navigation", name="Account")
    account.get_by_role("link", name="Account settings").click()
    expect(page).to_have_url(re.compile(r"/accounts/settings/$"))
    expect(page.locator("main")).to_contain_text(user.email)
    check_a11y(page)


# --- Staff: CLM, Trust administrator and deanery -------------------------------------------


def open_person_and_history(page: Page, person: User) -> None:
    """From People: find `person` with the filter, open their page, then its history."""
    visit_nav(page, "People", "People")
    page.get_by_label("Name or email").fill(person.email)
    page.get_by_role("button", name="Filter").click()
    expect(page).to_have_url(re.compile(r"\?q="))
    table = page.get_by_role("table", name="People")
    expect(table.locator("tbody tr")).to_have_count(1)
    check_a11y(page)

    table.get_by_role("link", name=person.name).click()
    expect(heading(page)).to_have_text(person.name)
    expect(page.locator("a.nhsuk-back-link")).to_have_text("People")
    expect(page.locator("main")).to_contain_text(person.email)
    expect(menu(page).locator('[aria-current="page"]')).to_have_text("People")
    check_a11y(page)

    page.get_by_role("link", name=re.compile(r"^See the history of changes")).click()
    expect(heading(page)).to_have_text("History of changes")
    expect(page.locator("main .nhsuk-caption-l")).to_have_text(person.name)
    expect(page.locator("a.nhsuk-back-link")).to_have_text(person.name)
    check_a11y(page)


def open_trust(page: Page, trust_name: str = TRUST_NAME) -> None:
    """From Trusts: the list, then one Trust's page."""
    visit_nav(page, "Trusts", "Trusts")
    page.get_by_role("table", name="Trusts").get_by_role("link", name=trust_name).click()
    expect(heading(page)).to_have_text(trust_name)
    expect(menu(page).locator('[aria-current="page"]')).to_have_text("Trusts")
    check_a11y(page)


CHOOSE_TRUST = "Where are you inviting people to?"


def choose_trust_if_asked(page: Page, trust_name: str, then: str) -> None:
    """Deanery staff, who oversee every Trust, first choose where to invite people to."""
    expect(heading(page)).to_have_text(
        re.compile(f"^({re.escape(then)}|{re.escape(CHOOSE_TRUST)})$")
    )
    if heading(page).inner_text() == CHOOSE_TRUST:
        check_a11y(page)
        page.locator("main").get_by_role("link", name=trust_name).click()
    expect(heading(page)).to_have_text(then)


def open_invite_pages(page: Page, trust_name: str = TRUST_NAME) -> None:
    """From People: the invite form, the CSV upload page and the list of invitations."""
    visit_nav(page, "People", "People")
    page.get_by_role("button", name="Invite someone").click()
    choose_trust_if_asked(page, trust_name, "Invite someone")
    expect(page.locator("main .nhsuk-caption-l")).to_have_text(trust_name)
    expect(page.locator("a.nhsuk-back-link")).to_have_text("People")
    check_a11y(page)

    page.get_by_role("link", name="upload a CSV file").click()
    choose_trust_if_asked(page, trust_name, "Invite from a CSV file")
    expect(page.locator("main .nhsuk-caption-l")).to_have_text(trust_name)
    expect(page.get_by_label("Upload a CSV file")).to_be_attached()
    check_a11y(page)

    visit_nav(page, "People", "People")
    page.get_by_role("button", name="Invitations").click()
    expect(heading(page)).to_have_text("Invitations")
    expect(page.get_by_role("table", name="Invitations")).to_be_visible()
    check_a11y(page)
