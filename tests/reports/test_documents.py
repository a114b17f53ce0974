"""The report files: a Trust's report and the regional compendium as tagged PDFs and as
workbooks, from what the portal logged; free text escaped in the PDF and never a formula in
the workbook."""

from datetime import timedelta
from io import BytesIO

import pytest
from django.utils import timezone
from openpyxl import load_workbook
from pypdf import PdfReader

from mentors.models import Responsibility, training_year_start
from reports.content import compendium_content, report_content, trust_document
from reports.documents import compendium_pdf, compendium_xlsx, trust_pdf, trust_xlsx
from reports.models import ReportStatus, ReportWindow, YearEndReport
from trusts.models import Role

from ..factories import (
    ActivityFactory,
    CaseStudyFactory,
    OpportunityFactory,
    TrustFactory,
    appointment_of,
    person,
)

pytestmark = pytest.mark.django_db

LABELS = [str(label) for _code, label in Responsibility.choices]
TRUST_SHEETS = ["Summary", "Responsibilities", "Opportunities", "Fair access", "Survey", "Data"]
COMPENDIUM_SHEETS = ["Submissions", "Trusts", "Responsibilities", "Spread", "Case studies", "Data"]
HOSTILE = '=HYPERLINK("http://x","click")'


def pdf_text(pdf: bytes) -> str:
    text = "\n".join(page.extract_text() for page in PdfReader(BytesIO(pdf)).pages)
    return " ".join(text.split())


def structure(pdf: bytes) -> list[tuple[str, str]]:
    """Each element of the PDF's structure tree: its role (/H1, /Figure…) and any alt text."""
    found = []

    def walk(node) -> None:
        node = node.get_object()
        found.append((str(node.get("/S", "")), str(node.get("/Alt", ""))))
        kids = node.get("/K", [])
        for kid in kids if isinstance(kids, list) else [kids]:
            if hasattr(kid, "get_object") and hasattr(kid.get_object(), "get"):
                walk(kid)

    walk(PdfReader(BytesIO(pdf)).trailer["/Root"]["/StructTreeRoot"])
    return found


def formula_cells(xlsx: bytes) -> list[str]:
    workbook = load_workbook(BytesIO(xlsx))
    return [
        f"{sheet.title}!{cell.coordinate}"
        for sheet in workbook
        for row in sheet.iter_rows()
        for cell in row
        if cell.data_type == "f"
    ]


def rows_of(xlsx: bytes, sheet: str) -> list[dict]:
    rows = list(load_workbook(BytesIO(xlsx))[sheet].iter_rows(values_only=True))
    return [dict(zip(rows[0], row, strict=True)) for row in rows[1:]]


@pytest.fixture
def year(world) -> int:
    """RK9's CLM logged 90 minutes of safety/QI work naming a trainee, and a forum."""
    today = timezone.localdate()
    start = training_year_start(today)
    appointment = appointment_of(world.clm, world.trust, starts_on=start)
    safety = ActivityFactory(
        appointment=appointment,
        date=today,
        responsibility="safety_qi",
        minutes=90,
        trainees_reached=10,
    )
    safety.trainees.set([world.trainee])
    ActivityFactory(appointment=appointment, date=today, responsibility="forum", minutes=30)
    return start.year


def draft(world, year: int, narratives: dict, overview: str = "") -> dict:
    report = YearEndReport.objects.create(
        trust=world.trust, year=year, narratives=narratives, overview=overview
    )
    return trust_document(trust=world.trust, year=year, report=report)


def submitted(trust, year: int, by: str = "Chris Mentor") -> YearEndReport:
    now = timezone.now()
    return YearEndReport.objects.create(
        trust=trust,
        year=year,
        status=ReportStatus.SUBMITTED,
        narratives={"forum": {"text": "Monthly forum at lunchtime.", "nothing": False}},
        snapshot={
            "content": report_content(trust=trust, year=year),
            "narratives": {"forum": {"text": "Monthly forum at lunchtime.", "nothing": False}},
            "overview": "",
            "submitted_at": now.isoformat(),
            "submitted_by": by,
        },
        submitted_at=now,
        first_submitted_at=now,
    )


class TestTrustPdf:
    def test_it_has_a_heading_per_responsibility_with_its_figures_and_words(self, world, year):
        document = draft(
            world,
            year,
            {
                "safety_qi": {"text": "Two trainees joined the sepsis RCA.", "nothing": False},
                "induction": {"text": "", "nothing": True},
            },
        )
        pdf = trust_pdf(document)
        roles = [role for role, _alt in structure(pdf)]
        # Summary, the year in brief, the nine responsibilities, and four sections after them.
        assert (roles.count("/H1"), roles.count("/H2")) == (1, 2 + 9 + 4)
        text = pdf_text(pdf)
        places = [text.index(label) for label in LABELS]
        assert places == sorted(places)
        safety = text[places[2] : places[3]]
        figures = "Activities Hours Named trainees Unnamed contacts " + document["content"]["label"]
        assert f"{figures} 1 1.5 1 10" in safety
        assert "Two trainees joined the sepsis RCA." in safety
        assert "Nothing to report this year." in text[places[3] : places[4]]
        assert "Nothing logged this year." in text[places[0] : places[1]]
        assert "Year-end activity report" in text and world.trust.name in text
        assert "2.0 hours against an allocation of" in text

    def test_a_draft_says_it_is_a_draft(self, world, year):
        text = pdf_text(trust_pdf(trust_document(trust=world.trust, year=year, report=None)))
        assert "DRAFT — not submitted" in text

    def test_a_submitted_report_says_when_and_by_whom(self, world, year):
        report = submitted(world.trust, year)
        text = pdf_text(trust_pdf(trust_document(trust=world.trust, year=year, report=report)))
        assert f"Submitted on {timezone.localdate():%-d %B %Y} by Chris Mentor" in text
        assert "DRAFT" not in text
        assert "Monthly forum at lunchtime." in text

    def test_it_is_a_tagged_pdf_in_english(self, world, year):
        pdf = trust_pdf(trust_document(trust=world.trust, year=year, report=None))
        catalog = PdfReader(BytesIO(pdf)).trailer["/Root"]
        assert catalog["/MarkInfo"]["/Marked"].value is True
        assert "/StructTreeRoot" in catalog
        assert catalog["/Lang"] == "en-GB"

    def test_markup_in_the_clms_words_is_shown_as_text(self, world, year):
        words = "<script>alert(1)</script> and <b>bold</b> & more"
        document = draft(world, year, {"forum": {"text": words, "nothing": False}}, words)
        text = pdf_text(trust_pdf(document))
        assert text.count("<script>alert(1)</script> and <b>bold</b> & more") == 2


class TestTrustXlsx:
    def test_no_cell_is_a_formula_whatever_the_text(self, world, year):
        world.trust.name = "+Trust of formulas"
        world.trust.save()
        world.clm.name = "-Chris Mentor"
        world.clm.save()
        opportunity = OpportunityFactory(trust=world.trust, title="@SUM(A1:A9)")
        ActivityFactory(
            appointment=appointment_of(world.clm, world.trust),
            responsibility="roles_projects",
            opportunity=opportunity,
        )
        document = draft(world, year, {"forum": {"text": HOSTILE, "nothing": False}}, "=1+1")
        xlsx = trust_xlsx(document)
        assert load_workbook(BytesIO(xlsx)).sheetnames == TRUST_SHEETS
        assert formula_cells(xlsx) == []
        sections = {row["Code"]: row for row in rows_of(xlsx, "Responsibilities")}
        assert sections["forum"]["Narrative"] == "'" + HOSTILE
        assert sections["roles_projects"]["Named initiatives"] == "'@SUM(A1:A9)"
        summary = {row["Item"]: row["Value"] for row in rows_of(xlsx, "Summary")}
        assert summary["Trust"] == "'+Trust of formulas"
        assert summary["CLMs in post"] == "'-Chris Mentor"

    def test_the_data_sheet_is_one_row_of_real_numbers(self, world, year):
        xlsx = trust_xlsx(trust_document(trust=world.trust, year=year, report=None))
        (row,) = rows_of(xlsx, "Data")
        assert (row["ods_code"], row["year"], row["status"]) == ("RK9", year, "draft")
        assert (row["entries"], row["hours"]) == (2, 2.0)
        assert (row["safety_qi_activities"], row["safety_qi_hours"]) == (1, 1.5)
        assert row["forum_hours"] == 0.5 and row["induction_activities"] == 0
        assert isinstance(row["allocation_hours"], float) and row["trainees"] == 1
        summary = {r["Item"]: r["Value"] for r in rows_of(xlsx, "Summary")}
        assert summary["Year starts"].date() == training_year_start(timezone.localdate())


@pytest.fixture
def region(world, year) -> dict:
    """Two active Trusts with awkward names, a closed one, RK9 submitted on time."""
    today = timezone.localdate()
    ReportWindow.objects.create(
        year=year, opens_on=today - timedelta(days=5), due_on=today + timedelta(days=5)
    )
    world.other_trust.name = "=<b>Royal</b> Cornwall"
    world.other_trust.save()
    TrustFactory(ods_code="RZZ", name="Gone Hospitals NHS Trust", is_active=False)
    person(Role.TRAINEE, world.trust)
    submitted(world.trust, year)
    CaseStudyFactory(
        trust=world.trust, author=world.clm, title="-Lunchtime forum", responsibility="forum"
    )
    return compendium_content(year=year)


class TestCompendium:
    def test_the_pdf_lists_every_trust_with_the_count_and_funnel_plots(self, world, region):
        pdf = compendium_pdf(region)
        text = pdf_text(pdf)
        assert f"Regional compendium {region['label']}" in text
        assert "1 of 2 expected Trusts submitted, 1 on time." in text
        assert world.trust.name in text
        assert "=<b>Royal</b> Cornwall" in text  # escaped, as written
        # One funnel plot for reach and one for floor coverage (no survey this year), each a
        # figure with its alternative text.
        assert text.count("Dashed: 95% limits") == 2
        alts = [alt.split(";")[0] for role, alt in structure(pdf) if role == "/Figure"]
        assert alts == [
            "Funnel plot of reach by Trust against its denominator",
            "Funnel plot of floor coverage by Trust against its denominator",
        ]
        assert "Floor coverage: trainees with a confirmed experience" in text
        assert "-Lunchtime forum" in text

    def test_the_workbook_has_its_sheets_a_data_row_per_active_trust_and_no_formula(self, region):
        xlsx = compendium_xlsx(region)
        assert load_workbook(BytesIO(xlsx)).sheetnames == COMPENDIUM_SHEETS
        assert formula_cells(xlsx) == []
        data = {row["ods_code"]: row for row in rows_of(xlsx, "Data")}
        assert sorted(data) == ["REF", "RK9"]
        assert data["RK9"]["status"] == "submitted"
        assert (data["RK9"]["safety_qi_activities"], data["RK9"]["safety_qi_hours"]) == (1, 1.5)
        assert data["RK9"]["reach_numerator"] == 1 and data["RK9"]["reach_denominator"] == 2
        assert data["REF"]["trust"] == "'=<b>Royal</b> Cornwall"
        heat = {row["ODS code"]: row for row in rows_of(xlsx, "Responsibilities")}
        assert heat["RK9"][LABELS[2]] == 1 and heat["REF"]["All"] == 0
        (study,) = rows_of(xlsx, "Case studies")
        assert study["Title"] == "'-Lunchtime forum"
        on_time = {row["ODS code"]: row["On time"] for row in rows_of(xlsx, "Submissions")}
        assert on_time == {"RK9": True, "REF": None}
