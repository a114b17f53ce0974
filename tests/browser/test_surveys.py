"""Surveys in a real browser, with axe on every page visited.

A supervisor with no account answers on a Trust's open link; a signed-in trainee answers from
their home page, once; deanery staff close a round, read its published figures (a small Trust
hidden) and download them as CSV.
"""

import csv
import importlib
import io
import re
from datetime import timedelta

import pytest
from django.apps import apps
from django.utils import timezone
from playwright.sync_api import Page, expect

from surveys import services
from surveys.models import Instrument, Participation, Response
from trusts.models import Trust

from .a11y import check_a11y
from .journeys import TRUST_NAME, heading, sign_in, url, visit_nav

pytestmark = pytest.mark.browser

ROUND_NAME = "Leadership survey 2026"


@pytest.fixture
def instruments(transactional_db):
    """The instruments the migration loads (a transactional test's flush removes them)."""
    if not Instrument.objects.exists():
        importlib.import_module("surveys.migrations.0002_instruments").load(apps, None)


@pytest.fixture
def survey_round(demo_people, instruments):
    """An open round for the demo people's Trust (RK9) and two other Trusts of the region."""
    rk9 = Trust.objects.get(ods_code="RK9")
    others = list(Trust.objects.exclude(pk=rk9.pk).order_by("name")[:2])
    today = timezone.localdate()
    return services.round_create(
        by=None,
        name=ROUND_NAME,
        opens_on=today - timedelta(days=1),
        closes_on=today + timedelta(days=30),
        trusts=[rk9, *others],
    )


def answer(page: Page, item: str, choice: str) -> None:
    page.get_by_role("group", name=item, exact=True).get_by_label(choice, exact=True).check()


def save_and_continue(page: Page, section: str, page_number: int, page_count: int) -> None:
    """On a section's page: it is the expected one and passes axe; then on to the next."""
    expect(heading(page)).to_contain_text(section)
    expect(heading(page)).to_contain_text(f"page {page_number} of {page_count}")
    check_a11y(page)
    page.get_by_role("button", name="Save and continue").click()


def send_and_thank(page: Page) -> None:
    expect(heading(page)).to_contain_text("Check your answers before sending them")
    check_a11y(page)
    page.get_by_role("button", name="Send my answers").click()
    expect(heading(page)).to_have_text("Thank you: your answers have been sent")
    expect(page).to_have_url(re.compile(r"/surveys/thanks/$"))
    check_a11y(page)


def test_a_supervisor_answers_on_the_trusts_open_link(page: Page, live_server, survey_round):
    trust = Trust.objects.get(ods_code="RK9")
    link = services.open_link_for(round_=survey_round, trust=trust)

    page.goto(url(live_server, f"/surveys/link/{link.token}/"))
    expect(heading(page)).to_contain_text("About you")
    expect(heading(page)).to_contain_text(f"{ROUND_NAME}, {TRUST_NAME}")
    check_a11y(page)
    page.get_by_role("button", name="Continue").click()  # no role chosen: an error first
    expect(page.locator(".nhsuk-error-summary")).to_contain_text(
        "Choose whether you are a trainee or an educational supervisor."
    )
    check_a11y(page)
    page.get_by_role("group", name="Are you a trainee or an educational supervisor?").get_by_label(
        "Educational supervisor", exact=True
    ).check()
    page.get_by_role("button", name="Continue").click()

    answer(page, "I discuss leadership with trainees", "Agree")
    answer(page, "Leadership is an important element of medical training", "Strongly agree")
    save_and_continue(page, "Leadership in your work", 2, 6)
    answer(page, "I know who the Clinical Leadership Mentor at the Trust is", "Slightly agree")
    save_and_continue(page, "The Clinical Leadership Mentor", 3, 6)
    answer(page, "Quality improvement activity: I would value this for trainees", "Yes")
    answer(page, "Root cause analysis investigation: I would value this for trainees", "No")
    save_and_continue(page, "Leadership development activities", 4, 6)
    answer(
        page,
        "How useful is it for the CLM to: identify suitable leadership projects for trainees",
        "Agree",
    )
    save_and_continue(page, "How useful the CLM's roles are", 5, 6)

    main = page.locator("main")
    expect(main).to_contain_text("Educational supervisor")
    row = main.locator(".nhsuk-summary-list__row").filter(
        has_text="Leadership is an important element of medical training"
    )
    expect(row.locator("dd")).to_have_text("Strongly agree")
    row = main.locator(".nhsuk-summary-list__row").filter(has_text="I discuss leadership")
    expect(row.locator("dd")).to_have_text("Agree")
    row = main.locator(".nhsuk-summary-list__row").filter(has_text="I have the knowledge")
    expect(row.locator("dd")).to_have_text("Not answered")
    send_and_thank(page)

    response = Response.objects.get(round=survey_round)
    assert response.role == "supervisor"
    assert response.channel == "trust_link"
    assert response.trust == trust
    assert response.answers == {
        "e_discuss": 5,
        "e_important": 6,
        "c_know": 4,
        "value_qi": 1,
        "value_rca": 0,
        "u_projects": 5,
    }
    assert not Participation.objects.exists()


def test_a_trainee_answers_from_their_home_page_once(
    page: Page, live_server, demo_people, survey_round
):
    trainee = demo_people.trainee
    sign_in(page, live_server, trainee.email, demo_people.password)
    offer = page.locator("main .nhsuk-inset-text").filter(has_text=ROUND_NAME)
    expect(offer).to_contain_text("your answers are anonymous")
    check_a11y(page)
    offer.get_by_role("link", name="Answer the survey").click()

    expect(heading(page)).to_contain_text("About you")
    expect(page.locator("main")).to_contain_text("You are answering as: trainee.")
    check_a11y(page)
    page.get_by_role("button", name="Continue").click()

    answer(page, "I consider myself a leader", "Slightly agree")
    answer(page, "I feel supported by the Trust in my leadership development", "Disagree")
    save_and_continue(page, "Leadership in your work", 2, 5)
    answer(page, "I understand the clinical leadership mentor role", "Strongly agree")
    save_and_continue(page, "The Clinical Leadership Mentor", 3, 5)
    answer(page, "Quality improvement activity: I have completed this", "Yes")
    save_and_continue(page, "Leadership development activities", 4, 5)
    expect(page.locator("main")).to_contain_text("Trainee")
    send_and_thank(page)

    page.get_by_role("link", name="Go to your home page").click()
    expect(page).to_have_url(url(live_server, "/"))
    expect(page.locator("main")).not_to_contain_text(ROUND_NAME)
    expect(page.locator("main").get_by_role("link", name="Answer the survey")).to_have_count(0)
    check_a11y(page)

    # A second answer is refused.
    page.goto(url(live_server, f"/surveys/{survey_round.slug}/answer/about/"))
    expect(heading(page)).to_have_text("You have answered this survey")
    check_a11y(page)

    assert Participation.objects.filter(user=trainee, round=survey_round).count() == 1
    response = Response.objects.get(round=survey_round)
    assert response.channel == "home"
    assert response.role == "trainee"
    assert response.answers == {
        "t_leader": 4,
        "t_support_trust": 2,
        "c_understand": 6,
        "done_qi": 1,
    }


def test_the_deanery_closes_a_round_and_reads_its_results(
    page: Page, live_server, demo_people, survey_round
):
    rk9 = Trust.objects.get(ods_code="RK9")
    small, smaller = survey_round.trusts.exclude(pk=rk9.pk).order_by("name")
    # RK9 has 12 responses, the other two 3 and 4: both hidden, so neither can be worked out
    # from the region's total. Answers are mixed so the hidden pair is neither all agree nor
    # all disagree.
    seeded = [(rk9, v) for v in [5] * 9 + [2] * 3]
    seeded += [(small, v) for v in (5, 2, 5)] + [(smaller, v) for v in (5, 2, 2, 6)]
    for trust, value in seeded:
        Response.objects.create(
            round=survey_round,
            trust=trust,
            role="supervisor",
            channel="import",
            answers={"e_discuss": value, "value_qi": 1 if value > 3 else 0},
        )

    sign_in(page, live_server, demo_people.deanery.email, demo_people.password)
    visit_nav(page, "Surveys", "Surveys")
    page.get_by_role("table").get_by_role("link", name=ROUND_NAME).click()
    expect(heading(page)).to_have_text(ROUND_NAME)
    expect(page.locator("main")).to_contain_text("Trainees 0, educational supervisors 19")
    check_a11y(page)

    page.get_by_role("button", name="Close the round and publish its results").click()
    expect(page).to_have_url(url(live_server, f"/surveys/{survey_round.slug}/results/"))
    expect(heading(page)).to_contain_text(ROUND_NAME)
    main = page.locator("main")
    expect(main).to_contain_text("is closed and its results are published")
    expect(main).to_contain_text("Trainees 0, educational supervisors 19 responses")
    # The region: 13 of 19 agree that they discuss leadership with trainees.
    region = main.locator("table").first
    row = region.locator("tr").filter(has_text="(e_discuss)")
    expect(row.locator("td")).to_have_text(["19", "13", "68.4%", re.compile(r"–")])
    # By Trust: RK9's figures, the two small Trusts hidden.
    by_trust = page.get_by_role("table", name="By Trust")
    expect(by_trust.locator("tr").filter(has_text=rk9.name).locator("td").first).to_have_text("12")
    for trust in (small, smaller):
        expect(by_trust.locator("tr").filter(has_text=trust.name)).to_contain_text(
            "Fewer than 11 responses"
        )
    check_a11y(page)

    with page.expect_download() as download:
        main.get_by_role("link", name="CSV").click()
    assert download.value.suggested_filename == f"{survey_round.slug}-results.csv"
    with open(download.value.path(), encoding="utf-8-sig") as f:
        rows = list(csv.DictReader(io.StringIO(f.read())))
    region_row = next(
        r
        for r in rows
        if r["breakdown"] == "region"
        and r["role"] == "supervisor"
        and r["item_code"] == "e_discuss"
    )
    assert (region_row["responses"], region_row["answered"], region_row["agree"]) == (
        "19",
        "19",
        "13",
    )
    assert region_row["percent_agree"] == "68.4"
    trust_rows = {
        r["group"]: r for r in rows if r["breakdown"] == "trust" and r["role"] == "supervisor"
    }
    assert trust_rows[small.ods_code]["responses"] == "fewer than 11"
    assert trust_rows[small.ods_code]["item_code"] == ""
    assert trust_rows[rk9.ods_code]["responses"] == "12"
