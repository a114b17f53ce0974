"""Deanery staff sign in and oversee every Trust of the region."""

import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from mentors.models import TrainingYear
from trusts.models import Trust

from ..factories import ActivityFactory, appointment_of
from .a11y import check_a11y
from .journeys import (
    STAFF_NAV,
    expect_home,
    heading,
    open_account_settings,
    open_invite_pages,
    open_person_and_history,
    open_profile,
    open_trust,
    sign_in,
    visit_every_nav_link,
    visit_nav,
)

pytestmark = pytest.mark.browser


@pytest.fixture
def deanery(page, live_server, demo_people):
    sign_in(page, live_server, demo_people.deanery.email, demo_people.password)
    return demo_people.deanery


def test_deanery_home(page, deanery):
    expect_home(
        page,
        deanery,
        "You are signed in as deanery staff for the region.",
        nav=STAFF_NAV,
        not_nav=["My trainees"],
    )
    expect(page.get_by_role("heading", name="The region in figures")).to_be_visible()
    # Only RK9 has demo people here: every other Trust is listed as having no CLM.
    vacant = page.locator(".nhsuk-warning-callout").filter(has_text="Trusts without a CLM")
    expect(vacant.get_by_role("listitem")).to_have_count(Trust.objects.active().count() - 1)


def test_deanery_header_links(page, deanery):
    """Every link in the header opens and passes axe: the menu, then the account links."""
    visit_every_nav_link(page)
    open_profile(page, deanery)
    open_account_settings(page, deanery)


def test_deanery_people_person_and_history(page, deanery, demo_people):
    open_person_and_history(page, demo_people.clm)


def test_deanery_trusts(page, deanery):
    # Deanery staff see every Trust, not only the one with demo people.
    open_trust(page, "Royal Cornwall Hospitals NHS Trust")
    page.get_by_role("link", name="All Trusts").click()
    expect(heading(page)).to_have_text("Trusts")
    rows = page.get_by_role("table", name="Trusts").locator("tbody tr")
    expect(rows).to_have_count(Trust.objects.count())


def test_deanery_invite_upload_and_invitations(page, deanery):
    open_invite_pages(page)


def test_deanery_log_names_trusts(page, live_server, deanery, demo_people):
    appointment = appointment_of(demo_people.clm, demo_people.clm.trusts_for("clm")[0])
    ActivityFactory(appointment=appointment, date=timezone.localdate(), notes="Forum on rotas")
    page.goto(f"{live_server.url}/activity/")
    expect(heading(page)).to_have_text("Activity log")
    row = page.get_by_role("table", name="Activity log").locator("tbody tr").first
    expect(row).to_contain_text("University Hospitals Plymouth NHS Trust (RK9)")
    check_a11y(page)


def test_deanery_closes_a_training_year_after_confirming(page, live_server, deanery):
    page.goto(f"{live_server.url}/training-years/")
    expect(heading(page)).to_have_text("Training years")
    page.get_by_role("link", name=re.compile(r"^Close")).first.click()
    expect(heading(page)).to_have_text(re.compile(r"^Close the \d{4}/\d{2} training year\?$"))
    check_a11y(page)
    assert not TrainingYear.objects.filter(closed_at__isnull=False).exists()
    page.get_by_role("button", name=re.compile(r"^Close \d{4}.\d{2}$")).click()
    expect(heading(page)).to_have_text("Training years")
    expect(page.locator("main")).to_contain_text("training year is closed: entries are locked.")
    check_a11y(page)
    assert TrainingYear.objects.filter(closed_at__isnull=False).count() == 1


def test_deanery_reads_the_regional_dashboard(page, deanery, live_server):
    from reports.regional import INDICATOR_LABELS as INDICATORS

    visit_nav(page, "Reports")
    expect(heading(page)).to_contain_text("Training year")
    table = page.get_by_role("table", name=re.compile(r"^Every Trust"))
    expect(table).to_be_visible()
    # The demo's 19 Trusts, in alphabetical order, with no ranking.
    names = table.locator("tbody th").all_inner_texts()
    assert names == sorted(names) and len(names) == Trust.objects.filter(is_active=True).count()
    for value in INDICATORS:
        page.get_by_label("Funnel plot of", exact=True).select_option(value)
        page.get_by_role("button", name="Show").click()
        expect(page.get_by_role("heading", level=2, name=INDICATORS[value])).to_be_visible()
        check_a11y(page)
    page.get_by_label("Kind of Trust", exact=True).select_option("mental_health")
    page.get_by_role("button", name="Show").click()
    expect(table.locator("tbody tr")).to_have_count(
        Trust.objects.filter(is_active=True, kind="mental_health").count()
    )
    check_a11y(page)
