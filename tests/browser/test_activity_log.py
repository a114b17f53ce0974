"""A CLM logs an activity from their home page, finds it in the log and sees the hours change.

Also the pages around the log: the full form ("log another like this"), the time page with its
chart and table, the import page, and the mentor network; each checked with axe.
"""

import re

import pytest
from playwright.sync_api import expect

from mentors.models import Activity, Appointment

from .a11y import check_a11y
from .conftest import TRAINING_YEAR_START
from .journeys import heading, menu, sign_in, url, visit_nav

pytestmark = pytest.mark.browser


@pytest.fixture
def clm(page, live_server, demo_people):
    # Giving the CLM role starts an appointment today; from the training year's start instead,
    # so that this week's allocation is the full 2 hours whatever day the tests run on.
    Appointment.objects.filter(user=demo_people.clm).update(starts_on=TRAINING_YEAR_START)
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
    expect(
        page.get_by_role("img", name=re.compile("Bar chart of the hours logged each week"))
    ).to_be_visible()
    safety = page.get_by_role("table", name=re.compile("per responsibility")).get_by_role(
        "row", name=re.compile("Patient safety")
    )
    expect(safety).to_contain_text("2.5")
    expect(safety).to_contain_text("24")
    check_a11y(page)


def test_a_bad_quick_entry_keeps_its_errors_on_the_home_page(page, clm):
    form = page.locator("main form", has=page.get_by_role("button", name="Log activity"))
    form.get_by_label("Notes (optional)").fill("Grand round")
    form.get_by_label("Time spent (hours)").fill("25")
    form.get_by_role("button", name="Log activity").click()
    # Still the home page (not the long form), with an error summary and what was typed.
    expect(page).to_have_title(re.compile(r"^Error: Home"))
    expect(heading(page)).to_have_text(f"Hello, {clm.get_short_name()}")
    summary = page.locator(".nhsuk-error-summary")
    expect(summary).to_contain_text("Choose the responsibility this activity was for.")
    expect(summary).to_contain_text("The time spent must be 24 hours or less.")
    expect(form.get_by_label("Notes (optional)")).to_have_value("Grand round")
    expect(page.get_by_label("GPC domains (optional)")).to_have_count(0)
    check_a11y(page)
    assert not Activity.objects.exists()


def test_the_quick_form_by_keyboard(page, live_server, clm):
    """Tab from the date reaches the responsibility in one step; the form is keyboard-only."""
    form = page.locator("main form", has=page.get_by_role("button", name="Log activity"))
    date = form.get_by_label("Date")
    date.focus()
    page.keyboard.press("Tab")
    expect(form.get_by_label("Responsibility")).to_be_focused()
    page.keyboard.press("Shift+Tab")
    expect(date).to_be_focused()
    page.keyboard.press("Tab")
    form.get_by_label("Responsibility").select_option(value="forum")
    page.keyboard.press("Tab")
    expect(form.get_by_label("Format")).to_be_focused()
    form.get_by_label("Format").select_option(value="forum")
    page.keyboard.press("Tab")
    expect(form.get_by_label("Time spent (hours)")).to_be_focused()
    page.keyboard.type("1:30")
    page.keyboard.press("Enter")
    expect(page).to_have_url(url(live_server, "/"))
    expect(week_hours(page)).to_have_text("1.5 hours of 2 hours")
    assert Activity.objects.get().minutes == 90

    # "Log another like this" now shows, after the form: Tab still goes date → responsibility.
    expect(page.get_by_role("link", name="Log another like this")).to_be_visible()
    date.focus()
    page.keyboard.press("Tab")
    expect(form.get_by_label("Responsibility")).to_be_focused()
    check_a11y(page)


def test_a_large_entry_is_confirmed_before_it_is_saved(page, clm):
    form = page.locator("main form", has=page.get_by_role("button", name="Log activity"))
    form.get_by_label("Responsibility").select_option(value="forum")
    form.get_by_label("Format").select_option(value="forum")
    form.get_by_label("Time spent (hours)").fill("15")
    form.get_by_role("button", name="Log activity").click()
    expect(page.locator(".nhsuk-error-summary")).to_contain_text("15 hours is far above")
    check_a11y(page)
    assert not Activity.objects.exists()
    page.get_by_label("Yes, 15 hours is right").check()
    page.get_by_role("button", name="Log activity").click()
    expect(week_hours(page)).to_have_text("15 hours of 2 hours")
    assert Activity.objects.get().minutes == 900


def test_named_trainees_are_found_by_typing(page, live_server, clm, demo_people):
    page.goto(url(live_server, "/activity/new/"))
    group = page.get_by_role("group", name="Named trainees (optional)")
    boxes = group.get_by_role("checkbox")
    total = boxes.count()
    assert total >= 1
    search = group.get_by_label("Find a trainee by name")
    expect(search).to_be_visible()
    search.fill(demo_people.trainee.name.split()[-1])
    expect(group.get_by_role("checkbox", name=demo_people.trainee.name)).to_be_visible()
    visible = [b for b in boxes.all() if b.is_visible()]
    assert 1 <= len(visible) <= total
    expect(group.get_by_role("status")).to_contain_text(f"of {total} trainees shown")
    check_a11y(page)
    search.fill("zzzz-nobody")
    expect(group.get_by_role("checkbox", name=demo_people.trainee.name)).to_be_hidden()


def test_the_log_on_a_phone(page, live_server, clm):
    """At 390 px each entry stacks as a list of "heading value" lines: nothing scrolls sideways."""
    form = page.locator("main form", has=page.get_by_role("button", name="Log activity"))
    form.get_by_label("Responsibility").select_option(value="forum")
    form.get_by_label("Format").select_option(value="forum")
    form.get_by_label("Time spent (hours)").fill("45 min")
    form.get_by_label("Notes (optional)").fill("Junior doctors' forum on rota gaps and escalation.")
    form.get_by_role("button", name="Log activity").click()
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(url(live_server, "/activity/"))
    expect(heading(page)).to_have_text("Activity log")
    row = page.get_by_role("table", name="Activity log").locator("tbody tr").first
    expect(row).to_contain_text("Hours 0.75")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    # The table itself fits: its region has nothing hidden off to the side.
    region = page.get_by_role("region", name="Activity log")
    assert region.evaluate("el => el.scrollWidth <= el.clientWidth"), "the log scrolls sideways"
    change = row.get_by_role("link", name=re.compile("^Change"))
    change.scroll_into_view_if_needed()
    box = change.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= 390, box
    check_a11y(page)


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


def test_the_time_page_on_a_phone(page, live_server, clm):
    """The weekly chart (hours against the allocation line, one axis) fits 390 px."""
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(url(live_server, "/activity/time/"))
    expect(heading(page)).to_have_text("Time against the allocation")
    chart = page.get_by_role("img", name=re.compile("Bar chart of the hours logged each week"))
    expect(chart).to_be_visible()
    box = chart.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= 390, box
    assert box["height"] <= 320, box
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    expect(page.locator("main")).to_contain_text("Training year so far")
    check_a11y(page)
