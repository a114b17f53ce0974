"""Account settings reachable from the header and the profile, and NHS error summaries on the
password pages (issue 6, rough edges)."""

import re

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from .conftest import client_for
from .factories import PASSWORD, UserFactory

SETTINGS_LINKS = {
    reverse("account_change_password"): "Change your password",
    reverse("mfa_index"): "Two-factor authentication",
    reverse("account_email"): "Email addresses",
}


def links(html: str) -> set[tuple[str, str]]:
    return {
        (href, re.sub(r"\s+", " ", text).strip())
        for href, text in re.findall(r'<a [^>]*href="([^"]+)"[^>]*>(.*?)</a>', html, re.S)
    }


@pytest.mark.django_db
class TestAccountSettings:
    def test_the_header_links_to_the_account_settings_page(self, world, clm_client):
        html = clm_client.get(reverse("home")).content.decode()
        assert (reverse("account_settings"), "Account settings") in links(html)

    def test_the_page_links_to_password_two_factor_and_email(self, world, clm_client):
        response = clm_client.get(reverse("account_settings"))
        assert response.status_code == 200
        assert set(SETTINGS_LINKS.items()) <= links(response.content.decode())

    def test_it_says_whether_two_factor_is_set_up(self, world, clm_client):
        assert "(not set up)" in clm_client.get(reverse("account_settings")).content.decode()

    def test_the_profile_page_links_to_them_too(self, world, clm_client):
        html = clm_client.get(reverse("trusts:profile")).content.decode()
        assert set(SETTINGS_LINKS.items()) <= links(html)

    def test_it_needs_sign_in(self, db, client):
        response = client.get(reverse("account_settings"))
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("account_login"))


def error_summary(html: str) -> list[str]:
    summary = re.search(r'<div class="nhsuk-error-summary".*?</ul>', html, re.S)
    assert summary, "no error summary on the page"
    return [
        re.sub(r"<[^>]+>", "", item).strip()
        for item in re.findall(r"<li>(.*?)</li>", summary.group(0), re.S)
    ]


@pytest.mark.django_db
class TestPasswordPagesShowAnErrorSummary:
    def test_setting_a_new_password_with_a_mismatch_lists_the_problem(self):
        user = UserFactory()
        client = Client()
        client.post(reverse("account_reset_password"), {"email": user.email})
        path = re.search(r"https?://[^/\s]+(/accounts/password/reset/key/\S+)", mail.outbox[0].body)
        page = client.get(path.group(1), follow=True)
        form_url = page.redirect_chain[-1][0] if page.redirect_chain else path.group(1)
        assert "Set a new password" in page.content.decode()

        response = client.post(
            form_url, {"password1": "a-brand-new-password-2026", "password2": "something-else-2026"}
        )
        assert response.status_code == 200
        html = response.content.decode()
        assert error_summary(html) == ["You must type the same password each time."]
        assert "<title>Error: " in html

    def test_a_used_reset_link_says_so_in_plain_words(self, db, client):
        response = client.get("/accounts/password/reset/key/1-set-password/")
        assert "This link has expired" in response.content.decode()

    def test_changing_a_password_with_the_wrong_current_one_lists_the_problem(self, db):
        user = UserFactory()
        response = client_for(user).post(
            reverse("account_change_password"),
            {
                "oldpassword": "not-" + PASSWORD,
                "password1": "a-brand-new-password-2026",
                "password2": "a-brand-new-password-2026",
            },
        )
        assert response.status_code == 200
        assert error_summary(response.content.decode()) == ["Please type your current password."]
