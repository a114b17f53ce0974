"""The year-end report cycle in the browser, with a real Celery worker on Redis making the
files: the CLM writes and submits the report, the deanery returns it with a reason, the CLM
resubmits, the deanery accepts, then makes the regional compendium, watches it finish and
downloads it. And the CLM's Trust dashboard. axe-core on every page."""

import re
from datetime import date

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from mentors.models import Responsibility, training_year_start
from reports.models import Generation, ReportWindow, YearEndReport
from tests.integration.conftest import celery_worker_on_redis, redis_url  # noqa: F401
from trusts.models import Trust

from ..factories import ActivityFactory, appointment_of
from .a11y import check_a11y
from .journeys import heading, sign_in, sign_out, url, visit_nav

pytestmark = pytest.mark.browser
TRUST = "University Hospitals Plymouth NHS Trust"


@pytest.fixture
def last_year(demo_people) -> int:
    """Last training year: the CLM in post all through it, activity logged, the window open."""
    year = training_year_start(timezone.localdate()).year - 1
    trust = Trust.objects.get(ods_code="RK9")
    appointment = appointment_of(demo_people.clm, trust, starts_on=date(year, 8, 1))
    for day, responsibility, minutes in (
        (date(year, 9, 3), "induction", 60),
        (date(year, 10, 8), "safety_qi", 90),
        (date(year, 11, 12), "safety_qi", 120),
    ):
        ActivityFactory(
            appointment=appointment, date=day, responsibility=responsibility, minutes=minutes
        )
    ReportWindow.objects.create(
        year=year, opens_on=date(year + 1, 6, 1), due_on=date(year + 1, 7, 31)
    )
    return year


def _label(year: int) -> str:
    return f"{year}/{(year + 1) % 100:02d}"


def _write(page: Page, words: dict[str, str]) -> None:
    """On the report's form: the given sections' words, "nothing this year" for the rest."""
    for code, label in Responsibility.choices:
        section = page.locator("fieldset").filter(
            has=page.get_by_role("heading", name=re.compile(re.escape(str(label))))
        )
        box = section.get_by_role("checkbox")
        if code in words:
            if box.is_checked():
                box.uncheck()
            section.get_by_role("textbox").fill(words[code])
        elif not box.is_checked() and not section.get_by_role("textbox").input_value():
            box.check()


def test_a_report_is_written_submitted_returned_resubmitted_accepted_and_compiled(
    page: Page,
    live_server,
    demo_people,
    last_year,
    celery_worker_on_redis,  # noqa: F811
):
    label = _label(last_year)
    # The CLM: the Trust dashboard, then the report.
    sign_in(page, live_server, demo_people.clm.email, demo_people.password)
    visit_nav(page, "Reports", re.compile("The Trust.s figures over the years$"))
    page.get_by_role("link", name=f"Year-end report {label}").click()
    expect(heading(page)).to_contain_text(f"Year-end report {label}")
    expect(page.locator("main")).to_contain_text("Not started")
    check_a11y(page)
    page.get_by_role("link", name="Write the report").click()
    expect(heading(page)).to_contain_text(f"Write the year-end report {label}")
    qi = page.locator("fieldset").filter(has_text="Patient safety, RCA and quality improvement")
    expect(qi).to_contain_text("Logged this year: 2 activities, 3.5 hours")
    check_a11y(page)
    # "Nothing" over logged work is refused at the preview, with the reason.
    _write(page, {"safety_qi": "Two QI clinics with the Trust's QI lead."})
    page.get_by_role("button", name="Save and preview").click()
    expect(heading(page)).to_contain_text("Check the year-end report")
    expect(page.get_by_role("alert")).to_contain_text("1 activities are logged against it")
    check_a11y(page)
    page.get_by_role("link", name="Change the report").click()
    _write(page, {"induction": "Talk to the new F1s on leadership opportunities."})
    page.get_by_role("button", name="Save and preview").click()
    expect(page.locator("main")).to_contain_text("Talk to the new F1s")
    check_a11y(page)
    page.get_by_role("button", name="Submit the report to the deanery").click()
    expect(page.locator("main")).to_contain_text("Submitted to the deanery")
    expect(page.locator("main")).to_contain_text("This is the report as it was submitted")
    check_a11y(page)
    sign_out(page)

    # The deanery returns it with a reason.
    sign_in(page, live_server, demo_people.deanery.email, demo_people.password)
    page.goto(url(live_server, f"/reports/year-end/{last_year}/"))
    expect(page.locator("#submitted-count")).to_contain_text(
        f"1 of {Trust.objects.open_on(date(last_year + 1, 7, 31)).count()}"
    )
    check_a11y(page)
    page.get_by_role("link", name=TRUST, exact=True).click()
    page.get_by_role("link", name="Return it to the CLM").click()
    expect(heading(page)).to_contain_text("Return the report to the CLM")
    check_a11y(page)
    page.get_by_role("button", name="Return the report").click()
    expect(page.locator(".nhsuk-error-summary")).to_contain_text("Say why the report is returned")
    check_a11y(page)
    page.get_by_label("Why is it being returned?").fill("Please add the induction numbers.")
    page.get_by_role("button", name="Return the report").click()
    expect(page.locator("main")).to_contain_text(f"Returned to {TRUST}")
    check_a11y(page)
    sign_out(page)

    # The CLM sees why, changes it and submits again.
    sign_in(page, live_server, demo_people.clm.email, demo_people.password)
    page.goto(url(live_server, f"/reports/year-end/{last_year}/RK9/"))
    expect(page.locator(".nhsuk-warning-callout")).to_contain_text(
        "Please add the induction numbers."
    )
    check_a11y(page)
    page.get_by_role("link", name="Change the report").click()
    _write(page, {"induction": "Talk to 40 new F1s on leadership opportunities."})
    page.get_by_role("button", name="Save and preview").click()
    page.get_by_role("button", name="Submit the report to the deanery").click()
    expect(page.locator("main")).to_contain_text("Submitted to the deanery")
    sign_out(page)

    # The deanery accepts it, then makes the compendium and downloads it.
    sign_in(page, live_server, demo_people.deanery.email, demo_people.password)
    page.goto(url(live_server, f"/reports/year-end/{last_year}/RK9/"))
    expect(page.locator("main")).to_contain_text("Talk to 40 new F1s")
    page.get_by_role("button", name="Accept the report").click()
    expect(page.locator("main")).to_contain_text("report is accepted")
    assert YearEndReport.objects.get().status == "accepted"
    compendium = page.locator(".nhsuk-card").filter(has_text="The regional compendium")
    compendium.get_by_role("button", name="Make the PDF and spreadsheet").click()
    expect(page.locator("main")).to_contain_text("is being made")
    check_a11y(page)  # queued or running, as the worker takes it
    # The page watches the worker and shows the files once they are made.
    done = page.locator(".nhsuk-card").filter(has_text="The regional compendium")
    expect(done.get_by_text("Done", exact=True)).to_be_visible(timeout=60_000)
    check_a11y(page)
    with page.expect_download() as download:
        done.get_by_role("link", name=f"Download region-{last_year}.pdf").click()
    assert download.value.suggested_filename == f"region-{last_year}.pdf"
    with open(download.value.path(), "rb") as f:
        assert f.read(5) == b"%PDF-"
    assert not celery_worker_on_redis, celery_worker_on_redis
    assert Generation.objects.get(kind="region").status == Generation.Status.DONE


def test_the_clm_reads_the_trusts_figures_over_the_years(
    page: Page, live_server, demo_people, last_year
):
    sign_in(page, live_server, demo_people.clm.email, demo_people.password)
    visit_nav(page, "Reports", re.compile("The Trust.s figures over the years$"))
    main = page.locator("main")
    expect(main).to_contain_text("Median acute Trust")
    table = page.get_by_role("table", name=re.compile("CLM activity by responsibility"))
    expect(table.locator("tbody tr")).to_have_count(9)
    check_a11y(page)
    page.get_by_label("Training year in detail").select_option(str(last_year))
    page.get_by_role("button", name="Show").click()
    expect(main).to_contain_text(f"{_label(last_year)} in detail")
    qi = (
        page.get_by_role("table", name=re.compile("CLM activity by responsibility"))
        .locator("tr")
        .filter(has_text="Patient safety")
    )
    expect(qi.locator("td").first).to_have_text("2")
    check_a11y(page)
