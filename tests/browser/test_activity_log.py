"""A CLM logs an activity from their home page, finds it in the log and sees the hours change.

Also the pages around the log: the full form ("log another like this"), the time page with its
chart and table, the import page, and the mentor network; each checked with axe.
"""

import re

import pytest
from playwright.sync_api import expect

from mentors.models import Activity

from .a11y import check_a11y
from .journeys import heading, menu, sign_in, url, visit_nav

pytestmark = pytest.mark.browser


@pytest.fixture
def clm(page, live_server, demo_people):
    sign_in(page, live_server, demo_people.clm.email, demo_people.password)
    return demo_people.clm


def week_hours(page):
    return page.get_by_test_id("week-hours")


def test_clm_logs_an_activity_and_sees_it_in_the_log_and_the_hours(page, live_server, clm):
    # The home page: the quick form and this week's hours against the 2-hour allocation.
    expect(week_hours(page)).to_have_text("0 hours of 2 hours")
    check_a11y(page)

    form = page.locator("main form", has=page.get_by_role("button", name="Log activity"))
    form.get_by_label("Responsibility").select_option(
        label="Patient safety, RCA and quality improvement"
    )
    form.get_by_label("Format").select_option(label="Teaching or training session")
    form.get_by_label("Time spent (hours)").fill("1.5")
    form.get_by_label("Trainees reached").fill("12")
    form.get_by_label("Notes (optional)").fill("RCA training for F1s with the governance team.")
    form.get_by_label("Trainees reached").press("Enter")  # keyboard only: Enter submits

    # Back home: the confirmation, and the week's hours now include it.
    expect(page).to_have_url(url(live_server, "/"))
    expect(page.locator("main")).to_contain_text(
        re.compile(r"Logged 1\.5 hours for patient safety, rca and quality improvement on")
    )
    expect(week_hours(page)).to_have_text("1.5 hours of 2 hours")
    expect(page.locator("main")).to_contain_text("That is 0.5 hours under the allocation.")
    check_a11y(page)

    # The log lists it.
    visit_nav(page, "Activity log", "Activity log")
    table = page.get_by_role("table", name="Activity log")
    row = table.locator("tbody tr").first
    expect(row).to_contain_text("Patient safety, RCA and quality improvement")
    expect(row).to_contain_text("Teaching or training session")
    expect(row).to_contain_text("1.5")
    expect(row).to_contain_text("RCA training for F1s")
    assert Activity.objects.filter(logged_by=clm, minutes=90, trainees_reached=12).count() == 1

    # Log another like this: the full form, filled in from that entry.
    row.get_by_role("link", name=re.compile(r"^Log another like this")).click()
    expect(heading(page)).to_have_text("Log an activity")
    expect(page.get_by_label("Responsibility")).to_have_value("safety_qi")
    expect(page.get_by_label("Time spent (hours)")).to_have_value("1.5")
    check_a11y(page)
    page.get_by_label("Time spent (hours)").fill("1")
    page.get_by_role("button", name="Log activity").click()
    expect(heading(page)).to_have_text("Activity log")
    expect(page.get_by_role("table", name="Activity log").locator("tbody tr")).to_have_count(2)
    check_a11y(page)

    # The time page: this week is now over the allocation, said plainly, chart and table.
    page.get_by_role("button", name="Time against allocation").click()
    expect(heading(page)).to_have_text("Time against the allocation")
    expect(week_hours(page)).to_have_text("2.5 hours of 2 hours allocated")
    expect(page.locator("main")).to_contain_text("That is 0.5 hours over the allocation.")
    expect(page.get_by_role("img", name=re.compile("Bar chart of hours"))).to_be_visible()
    safety = page.get_by_role("table", name=re.compile("per responsibility")).get_by_role(
        "row", name=re.compile("Patient safety")
    )
    expect(safety).to_contain_text("2.5")
    expect(safety).to_contain_text("24")
    check_a11y(page)


def test_a_bad_entry_shows_errors_and_saves_nothing(page, clm):
    form = page.locator("main form", has=page.get_by_role("button", name="Log activity"))
    form.get_by_label("Time spent (hours)").fill("25")
    form.get_by_role("button", name="Log activity").click()
    expect(page).to_have_title(re.compile(r"^Error: Log an activity"))
    summary = page.locator(".nhsuk-error-summary")
    expect(summary).to_contain_text("Choose the responsibility this activity was for.")
    expect(summary).to_contain_text("The time spent must be 24 hours or less.")
    check_a11y(page)
    assert not Activity.objects.exists()


def test_clm_edits_an_entry(page, live_server, clm):
    form = page.locator("main form", has=page.get_by_role("button", name="Log activity"))
    form.get_by_label("Responsibility").select_option(value="forum")
    form.get_by_label("Format").select_option(value="forum")
    form.get_by_label("Time spent (hours)").fill("2")
    form.get_by_role("button", name="Log activity").click()
    expect(week_hours(page)).to_have_text("2 hours of 2 hours")

    visit_nav(page, "Activity log", "Activity log")
    page.get_by_role("link", name=re.compile(r"^Change")).first.click()
    expect(heading(page)).to_have_text("Change an entry")
    check_a11y(page)
    page.get_by_label("Time spent (hours)").fill("0.75")
    page.get_by_role("button", name="Save changes").click()
    expect(
        page.get_by_role("table", name="Activity log").locator("tbody tr").first
    ).to_contain_text("0.75")
    page.goto(url(live_server, "/"))
    expect(week_hours(page)).to_have_text("0.75 hours of 2 hours")


def test_clm_opens_the_import_page_and_the_mentor_network(page, clm):
    visit_nav(page, "Activity log", "Activity log")
    page.get_by_role("button", name="Import from CSV").click()
    expect(heading(page)).to_have_text("Import activity from a CSV file")
    check_a11y(page)

    visit_nav(page, "Mentor network", "Mentor network")
    page.get_by_role("button", name="Share a case study").click()
    expect(heading(page)).to_have_text("Share a case study")
    check_a11y(page)
    page.get_by_label("Title").fill("Shadowing the medical director")
    page.get_by_label("Responsibility").select_option(value="buddying")
    page.get_by_label("Trust context").fill("A large acute Trust.")
    page.get_by_label("What was done").fill("A day's shadowing each month.")
    page.get_by_label("What worked, and what did not").fill("Booked a term ahead.")
    page.get_by_role("button", name="Publish").click()
    expect(heading(page)).to_have_text("Shadowing the medical director")
    check_a11y(page)

    menu(page).get_by_role("link", name="Mentor network", exact=True).click()
    page.get_by_label("Search case studies").fill("shadowing")
    page.get_by_role("button", name="Search").click()
    expect(page.locator("main")).to_contain_text("1 result")
    page.get_by_role("link", name="Network days").click()
    expect(page.get_by_role("table", name="Network days")).to_be_visible()
    check_a11y(page)
