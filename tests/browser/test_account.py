"""Account settings from the header, the password pages' error summary, the portal's font,
and a form that posts once however often its button is clicked (issue 6)."""

import re

import pytest
from playwright.sync_api import expect

from .a11y import check_a11y
from .journeys import heading, sign_in, url

pytestmark = pytest.mark.browser


@pytest.fixture
def clm(page, live_server, demo_people):
    sign_in(page, live_server, demo_people.clm.email, demo_people.password)
    return demo_people.clm


def test_account_settings_lead_to_password_two_factor_and_email(page, clm):
    page.get_by_role("navigation", name="Account").get_by_role(
        "link", name="Account settings"
    ).click()
    expect(heading(page)).to_have_text("Account settings")
    check_a11y(page)
    main = page.locator("main")
    for name, path in [
        ("Change your password", "/accounts/password/change/"),
        ("Two-factor authentication", "/accounts/2fa/"),
        ("Email addresses", "/accounts/email/"),
    ]:
        main.get_by_role("link", name=name).click()
        expect(page).to_have_url(re.compile(re.escape(path) + "$"))
        check_a11y(page)
        page.go_back()


def test_a_wrong_current_password_shows_an_error_summary(page, clm, live_server):
    page.goto(url(live_server, "/accounts/password/change/"))
    form = page.locator("main form")
    form.locator('input[name="oldpassword"]').fill("not-my-password")
    form.locator('input[name="password1"]').fill("a-brand-new-password-2026")
    form.locator('input[name="password2"]').fill("a-brand-new-password-2026")
    form.get_by_role("button", name=re.compile("Change password", re.I)).click()
    summary = page.locator(".nhsuk-error-summary")
    expect(summary).to_contain_text("There is a problem")
    expect(summary).to_contain_text("Please type your current password.")
    expect(page).to_have_title(re.compile(r"^Error: "))
    check_a11y(page)


def test_pages_are_set_in_arial(page, live_server, demo_people):
    page.goto(url(live_server, "/"))
    family = page.evaluate("getComputedStyle(document.body).fontFamily")
    assert family.split(",")[0].strip().strip('"') == "Arial", family
    button = page.evaluate(
        "getComputedStyle(document.querySelector('button, .nhsuk-button') || document.body)"
        ".fontFamily"
    )
    assert "Arial" in button, button


COUNT_SUBMITS_TWICE = """() => {
  // Listening on window, after the page's own scripts: count the submits that would go
  // out (not cancelled), and cancel each here so the page stays put for the count.
  let sent = 0;
  window.addEventListener("submit", (event) => {
    if (!event.defaultPrevented) sent += 1;
    event.preventDefault();
  });
  const button = document.querySelector("main form button[type=submit], main form button:not([type])");
  button.click();
  button.click();
  return new Promise((resolve) => setTimeout(() => resolve([sent, button.disabled]), 50));
}"""


def test_a_double_click_submits_the_form_once(page, clm, live_server):
    page.goto(url(live_server, "/accounts/password/change/"))
    sent, disabled = page.evaluate(COUNT_SUBMITS_TWICE)
    assert sent == 1
    assert disabled is True
