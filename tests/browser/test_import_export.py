"""A CLM moves their log in and out as CSV: template, a refused file, a fixed one, the export.

Every page visited is checked with axe.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from playwright.sync_api import expect

from mentors.models import Activity

from .a11y import check_a11y
from .journeys import heading, sign_in, visit_nav

pytestmark = pytest.mark.browser


@pytest.fixture
def clm(page, live_server, demo_people):
    sign_in(page, live_server, demo_people.clm.email, demo_people.password)
    return demo_people.clm


def download_text(page, link) -> str:
    with page.expect_download() as caught:
        link.click()
    return Path(caught.value.path()).read_text(encoding="utf-8-sig")


def as_file(rows: list[list[str]]) -> dict:
    buffer = io.StringIO()
    csv.writer(buffer).writerows(rows)
    return {"name": "activity.csv", "mimeType": "text/csv", "buffer": buffer.getvalue().encode()}


def upload(page, rows: list[list[str]]) -> None:
    page.locator("main input[type=file]").set_input_files(as_file(rows))
    page.get_by_role("button", name="Upload and import").click()


def test_a_clm_imports_from_the_template_fixes_an_error_and_exports(page, clm):
    visit_nav(page, "Activity log", "Activity log")
    before = Activity.objects.filter(logged_by=clm).count()
    page.get_by_role("button", name="Import from CSV").click()
    expect(heading(page)).to_have_text("Import activity from a CSV file")
    check_a11y(page)

    template = download_text(page, page.get_by_role("link", name="Download a template CSV file"))
    header, example = list(csv.reader(io.StringIO(template)))
    assert header[:4] == ["Date", "Responsibility", "Format", "Hours"]
    mistake = [*example]
    mistake[header.index("Responsibility")] = "Golf"
    mistake[header.index("Notes")] = "A second entry"

    upload(page, [header, example, mistake])
    summary = page.locator(".nhsuk-error-summary")
    expect(summary).to_contain_text("The file has 1 problem. Nothing was saved.")
    row = summary.get_by_role("row").filter(has_text="Golf")
    expect(row.get_by_role("cell").nth(0)).to_have_text("3")
    expect(row.get_by_role("cell").nth(1)).to_have_text("responsibility")
    check_a11y(page)
    assert Activity.objects.filter(logged_by=clm).count() == before

    mistake[header.index("Responsibility")] = "BUDDYING"
    upload(page, [header, example, mistake])
    expect(heading(page)).to_have_text("Activity log")
    expect(page.locator("main")).to_contain_text("Imported 2 entries.")
    check_a11y(page)
    assert Activity.objects.filter(logged_by=clm).count() == before + 2

    exported = download_text(page, page.get_by_role("link", name="CSV", exact=True))
    rows = list(csv.DictReader(io.StringIO(exported)))
    assert {r["Notes"] for r in rows} >= {example[header.index("Notes")], "A second entry"}
    assert "Buddying and shadowing" in {r["Responsibility"] for r in rows}

    page.get_by_role("button", name="Import from CSV").click()
    upload(page, [header, example, mistake])
    expect(page.locator("main")).to_contain_text(
        "Imported 0 entries. 2 rows were already in your log and were skipped."
    )
    check_a11y(page)
    assert Activity.objects.filter(logged_by=clm).count() == before + 2
