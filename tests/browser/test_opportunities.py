"""Leadership opportunities in a real browser, with axe on every page visited.

The whole life of a place: a trainee finds an opportunity through the filters and applies,
the CLM offers the place, the trainee accepts, later records a reflection, the CLM confirms
it, and the trainee downloads their record. Also: a supervisor recommends an opportunity, and
a CLM publishes one, matches and invites a trainee, and reads the Trust's fair access.
"""

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from opportunities.models import Application, Opportunity
from opportunities.models import ApplicationStatus as S
from tests.factories import OpportunityFactory

from .a11y import check_a11y
from .journeys import heading, sign_in, sign_out, url, visit_nav

pytestmark = pytest.mark.browser


@pytest.fixture
def opportunities(demo_people):
    trust = demo_people.clm.memberships.get().trust
    start = timezone.localdate() + timedelta(days=30)
    qi = OpportunityFactory(
        trust=trust,
        kind="qi_project",
        title="Sepsis screening QI project",
        places=1,
        starts_on=start,
        ends_on=start + timedelta(days=30),
        deadline=start - timedelta(days=7),
    )
    qi.gpc_domains.set([5, 6])
    OpportunityFactory(trust=trust, kind="observer", title="Observer at the Trust Board")
    return {"qi": qi}


def rate(page: Page, leader: str, change: str) -> None:
    page.get_by_role("group", name="I consider myself a leader").get_by_label(
        leader, exact=True
    ).check()
    page.get_by_role("group", name="I feel confident to lead change in my workplace").get_by_label(
        change, exact=True
    ).check()


def test_from_finding_to_the_record(page: Page, live_server, demo_people, opportunities):
    trainee, clm, password = demo_people.trainee, demo_people.clm, demo_people.password
    qi = opportunities["qi"]

    # The trainee finds it through the filters and applies.
    sign_in(page, live_server, trainee.email, password)
    visit_nav(page, "Opportunities", "Leadership opportunities")
    page.get_by_label("Kind").select_option(label="Quality improvement project")
    page.get_by_role("button", name="Apply filters").click()
    results = page.locator("main ul.nhsuk-list h3")
    expect(results).to_have_count(1)
    expect(results).to_have_text("Sepsis screening QI project")
    check_a11y(page)
    results.get_by_role("link").click()
    expect(heading(page)).to_have_text(qi.title)
    check_a11y(page)
    page.get_by_role("link", name="Apply").click()
    page.get_by_role("button", name="Send application").click()  # empty: errors first
    expect(page.locator(".nhsuk-error-summary")).to_contain_text("why you are interested")
    check_a11y(page)
    page.get_by_label("Why are you interested?").fill("I want to learn how QI works here.")
    rate(page, "3", "2")
    page.get_by_role("button", name="Send application").click()
    expect(page.locator("main")).to_contain_text("Submitted")
    check_a11y(page)
    sign_out(page)

    # The CLM offers the place.
    sign_in(page, live_server, clm.email, password)
    page.goto(url(live_server, f"/opportunities/{qi.pk}/applications/"))
    check_a11y(page)
    page.get_by_role("link", name=f"Decide on {trainee.name}").click()
    expect(heading(page)).to_have_text(trainee.name)
    check_a11y(page)
    page.get_by_label("Offer a place").check()
    page.get_by_role("button", name="Save the decision").click()
    expect(page.locator("main")).to_contain_text("They have been told")
    sign_out(page)

    # The trainee accepts from their home page.
    sign_in(page, live_server, trainee.email, password)
    page.locator("main").get_by_role("link", name=qi.title).first.click()
    page.get_by_role("link", name="Accept the place").click()
    expect(heading(page)).to_have_text("Accept the place?")
    check_a11y(page)
    page.get_by_role("button", name="Accept the place").click()
    expect(page.locator("main")).to_contain_text("You have accepted the place")
    check_a11y(page)

    # It ends; the trainee records what they did.
    Opportunity.objects.filter(pk=qi.pk).update(
        starts_on=timezone.localdate() - timedelta(days=10),
        ends_on=timezone.localdate() - timedelta(days=1),
        deadline=None,
    )
    visit_nav(page, "My record", "My leadership record")
    page.get_by_role("link", name="record what you did").click()
    expect(heading(page)).to_have_text("Record what you did and learned")
    page.get_by_label("What did you do?").fill("Ran two PDSA cycles on sepsis screening.")
    page.get_by_label("What did you learn about leadership?").fill("Bringing the team along.")
    page.get_by_label("6: Patient safety and quality improvement").check()
    rate(page, "5", "4")
    check_a11y(page)
    page.get_by_role("button", name="Send for confirmation").click()
    expect(page.locator("main")).to_contain_text("asked to confirm it")
    sign_out(page)

    # The CLM confirms it.
    sign_in(page, live_server, clm.email, password)
    page.goto(url(live_server, f"/opportunities/{qi.pk}/applications/"))
    page.get_by_role("link", name=f"Confirm {trainee.name}'s experience").click()
    expect(page.locator("main")).to_contain_text("Ran two PDSA cycles")
    check_a11y(page)
    page.get_by_role("button", name="Confirm it").click()
    expect(page.locator("main")).to_contain_text("experience is confirmed")
    sign_out(page)

    # The trainee downloads their record.
    sign_in(page, live_server, trainee.email, password)
    visit_nav(page, "My record", "My leadership record")
    expect(page.locator("main")).to_contain_text("Ran two PDSA cycles")
    with page.expect_download() as download:
        page.get_by_role("link", name="PDF").click()
    with open(download.value.path(), "rb") as pdf:
        assert pdf.read(5) == b"%PDF-"
    assert Application.objects.get(opportunity=qi).status == S.COMPLETED


def test_a_supervisor_recommends_an_opportunity(
    page: Page, live_server, demo_people, opportunities
):
    supervisor, trainee = demo_people.supervisor, demo_people.trainee
    sign_in(page, live_server, supervisor.email, demo_people.password)
    expect(page.locator("main")).to_contain_text("Your trainees' applications")
    check_a11y(page)
    visit_nav(page, "Opportunities", "Leadership opportunities")
    page.get_by_role("link", name="Sepsis screening QI project").click()
    page.get_by_role("link", name="Recommend this to one of your trainees").click()
    check_a11y(page)
    page.get_by_label("Which of your trainees?").select_option(label=trainee.name)
    page.get_by_label("A note for them (optional)").fill("Good for your portfolio.")
    page.get_by_role("button", name="Recommend").click()
    expect(page.locator("main")).to_contain_text(f"Recommended to {trainee.name}")
    check_a11y(page)
    assert trainee.notifications.filter(kind="recommendation").exists()


def test_a_clm_publishes_matches_invites_and_reads_fair_access(
    page: Page, live_server, demo_people
):
    clm, password = demo_people.clm, demo_people.password
    sign_in(page, live_server, clm.email, password)
    page.goto(url(live_server, "/opportunities/manage/"))
    check_a11y(page)
    page.get_by_role("link", name="Add an opportunity").click()
    check_a11y(page)
    form = page.locator("main form")
    form.get_by_label("Kind").select_option(label="Shadowing a clinical leader")
    form.get_by_label("Title").fill("Shadow the Medical Director for a day")
    form.get_by_label("Description").fill("A day with the Medical Director.")
    form.get_by_label("Host's name").fill("Dr Maya Patel")
    form.get_by_label("Host's email address").fill("maya.patel@nhs.example")
    form.get_by_label("Time commitment").fill("One day")
    start = timezone.localdate() + timedelta(days=30)
    form.get_by_label("Start date").fill(start.isoformat())
    form.get_by_label("End date").fill(start.isoformat())
    form.get_by_label("Number of places").fill("1")
    page.get_by_role("button", name="Save as a draft").click()
    expect(page.locator("main")).to_contain_text("Saved as a draft")
    check_a11y(page)
    page.get_by_role("button", name="Publish").click()
    expect(page.locator("main")).to_contain_text("Published")
    page.get_by_role("link", name="Match and invite trainees").click()
    expect(heading(page)).to_have_text("Match trainees")
    check_a11y(page)
    page.get_by_role("link", name=re.compile(f"^Invite {demo_people.trainee.name}")).click()
    check_a11y(page)
    page.get_by_role("button", name=f"Invite {demo_people.trainee.name}").click()
    expect(page.locator("main")).to_contain_text("is invited")
    check_a11y(page)
    page.goto(url(live_server, "/opportunities/fair-access/"))
    expect(heading(page)).to_contain_text("Fair access")
    check_a11y(page)
