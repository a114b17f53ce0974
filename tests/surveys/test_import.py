"""The response file: the evaluation's 282 responses give its published percentages; every
refusal names row and column and saves nothing; export then import gives the same results."""

import io
import json
from decimal import ROUND_HALF_UP, Decimal
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from clm_portal.csvimport import CSVImportError
from surveys.analysis import Results
from surveys.models import ExportRecord, Response, Round
from surveys.services import responses_import
from trusts.models import Trust

from ..conftest import client_for
from ..factories import TrustFactory
from .support import EVALUATION, csv_file, make_round

pytestmark = pytest.mark.django_db

# DOMAIN.md: the evaluation's published % agree (trainees n=112, supervisors n=170).
PUBLISHED = {
    "trainee": {
        "t_leader": 78,
        "t_important": 94,
        "t_interested": 83,
        "t_senior": 38,
        "t_discussed_es": 51,
        "t_access": 65,
        "t_support_programme": 67,
        "t_support_trust": 54,
        "t_env_varies": 86,
        "t_need": 92,
        "c_know": 49,
        "c_understand": 31,
        "c_supported": 33,
        "done_qi": 80,
        "interest_qi": 52,
        "done_rca": 12,
        "interest_rca": 40,
        "done_qualification": 8,
        "interest_qualification": 54,
        "done_other": 11,
        "interest_other": 4,
    },
    "supervisor": {
        "e_important": 98,
        "e_all_years": 89,
        "e_senior_only": 26,
        "e_discuss": 82,
        "e_knowledge": 70,
        "e_skills": 74,
        "e_opportunities": 53,
        "e_gpc_ready": 34,
        "c_know": 55,
        "c_understand": 39,
        "c_supported": 40,
        "value_qi": 91,
        "value_rca": 63,
        "value_qualification": 24,
        "u_projects": 93,
        "u_roles": 95,
        "u_fora": 90,
    },
}
SITES = {
    "RK9": (26, 15),
    "RH8": (15, 41),
    "RA7": (25, 25),
    "RVJ": (14, 16),
    "RBZ": (5, 6),
    "RA3": (4, 4),
    "RNZ": (9, 11),
    "RTE": (14, 52),
}


def whole_percent(figure: dict) -> int:
    exact = Decimal(figure["agree"]) * 100 / Decimal(figure["answered"])
    return int(exact.quantize(Decimal(1), rounding=ROUND_HALF_UP))


@pytest.fixture
def trusts(db):
    return [TrustFactory(ods_code=ods) for ods in SITES]


def summary(slug: str) -> dict:
    out = StringIO()
    call_command("survey_summary", slug, "--json", stdout=out)
    return json.loads(out.getvalue())


def test_the_evaluations_responses_give_its_published_percentages(trusts):
    out = StringIO()
    call_command(
        "import_survey_responses",
        "evaluation-2019",
        str(EVALUATION),
        "--create-round",
        "Evaluation 2019",
        stdout=out,
    )
    assert "Imported 282 responses" in out.getvalue()
    got = summary("evaluation-2019")
    assert got["n"] == {"trainee": 112, "supervisor": 170}
    for role, items in PUBLISHED.items():
        for code, percent in items.items():
            assert whole_percent(got["by_role"][role][code]) == percent, (role, code)
    # The published breakdown by stage: "I consider myself a leader" 70% early, 87% late.
    assert whole_percent(got["by_stage"]["early"]["items"]["t_leader"]) == 70
    assert whole_percent(got["by_stage"]["late"]["items"]["t_leader"]) == 87
    assert whole_percent(got["by_stage"]["early"]["items"]["t_senior"]) == 37
    assert whole_percent(got["by_stage"]["late"]["items"]["t_senior"]) == 39
    # Returns per site, where shown; the sites of 10 or fewer are hidden.
    for ods, (trainees, supervisors) in SITES.items():
        for role, n in (("trainee", trainees), ("supervisor", supervisors)):
            group = got["by_trust"][ods][role]
            if n <= 10:
                assert group["suppressed"] and group["n"] is None
            elif not group["suppressed"]:
                assert group["n"] == n
    round_ = Round.objects.get(slug="evaluation-2019")
    assert set(round_.trusts.values_list("ods_code", flat=True)) == set(SITES)
    assert round_.published_at is not None


def refused(round_, text: str, **kwargs) -> list[tuple]:
    with pytest.raises(CSVImportError) as caught:
        responses_import(by=None, round_=round_, upload=csv_file(text, **kwargs))
    assert not Response.objects.exists()
    assert Round.objects.get(pk=round_.pk).published_at is None
    return [(e.row, e.column, e.message) for e in caught.value.errors]


@pytest.fixture
def round_(trusts):
    return make_round(Trust.objects.filter(ods_code__in=["RK9", "RH8"]))


def test_an_unknown_column_is_refused_naming_it(round_):
    errors = refused(round_, "trust,role,t_leader,favourite_colour\r\nRK9,trainee,4,blue\r\n")
    assert errors[0][:2] == (1, "favourite_colour") and "Unknown column" in errors[0][2]


def test_a_likert_answer_out_of_range_is_refused_by_row_and_column(round_):
    errors = refused(round_, "trust,role,t_leader,t_need\r\nRK9,trainee,4,5\r\nRK9,trainee,7,\r\n")
    assert errors == [
        (
            3,
            "t_leader",
            "'7' is not an answer: use 1 (strongly disagree) to 6 (strongly agree), or leave it empty.",
        )
    ]


def test_a_yes_no_answer_must_be_1_or_0(round_):
    errors = refused(round_, "trust,role,done_qi\r\nRK9,trainee,yes\r\n")
    assert errors[0][:2] == (2, "done_qi") and "1 for yes or 0 for no" in errors[0][2]


def test_an_unknown_trust_or_one_not_in_the_round_is_refused(round_):
    TrustFactory(ods_code="RA7")
    errors = refused(
        round_, "trust,role,t_leader\r\nXXX,trainee,4\r\nRA7,trainee,4\r\nRK9,trainee,4\r\n"
    )
    assert [e[:2] for e in errors] == [(2, "trust"), (3, "trust")]
    assert "not a Trust's ODS code" in errors[0][2] and "not taking part" in errors[1][2]


def test_the_other_roles_item_filled_is_refused(round_):
    errors = refused(
        round_,
        "trust,role,t_leader,e_discuss,grade\r\nRK9,trainee,4,5,ST3\r\nRK9,supervisor,4,5,\r\nRK9,supervisor,,5,ST3\r\n",
    )
    assert [e[:2] for e in errors] == [(2, "e_discuss"), (3, "t_leader"), (4, "grade")]
    assert "not asked of a trainee" in errors[0][2]


def test_a_file_not_in_utf8_is_refused_clearly(round_):
    errors = refused(
        round_,
        "trust,role,grade,specialty,t_leader\r\nRK9,trainee,ST3,médical,4\r\n",
        encoding="latin-1",
    )
    assert "not UTF-8" in errors[0][2]


def test_a_utf8_bom_is_accepted(round_):
    count = responses_import(
        by=None,
        round_=round_,
        upload=csv_file("trust,role,t_leader\r\nRK9,trainee,4\r\n", bom=True),
    )
    assert count == 1 and Response.objects.get().answers == {"t_leader": 4}


def test_the_command_names_each_problem_and_imports_nothing(round_, capsys):
    path = "/tmp/clm-survey-bad.csv"
    with open(path, "w", encoding="utf-8") as f:
        f.write("trust,role,t_leader\r\nRK9,trainee,9\r\nRK9,doctor,4\r\n")
    err = StringIO()
    with pytest.raises(CommandError, match="Nothing was imported: 2 problem"):
        call_command("import_survey_responses", round_.slug, path, stderr=err)
    assert "Row 2, column t_leader" in err.getvalue() and "Row 3, column role" in err.getvalue()
    assert not Response.objects.exists()
    with pytest.raises(CommandError, match="No round 'nope'"):
        call_command("import_survey_responses", "nope", path)
    with pytest.raises(CommandError, match="already exists"):
        call_command("import_survey_responses", round_.slug, path, "--create-round", "Again")
    with pytest.raises(CommandError, match="Nothing was imported"):
        call_command("import_survey_responses", "fresh", path, "--create-round", "Fresh")
    assert not Round.objects.filter(slug="fresh").exists()


def test_export_then_import_into_a_new_round_gives_identical_results(trusts, world):
    call_command(
        "import_survey_responses",
        "original",
        str(EVALUATION),
        "--create-round",
        "Original",
        stdout=StringIO(),
    )
    response = client_for(world.deanery).get(reverse("surveys:export", args=["original"]))
    assert response.status_code == 200
    exported = b"".join(response.streaming_content)
    assert exported.decode().count("\r\n") == 283
    # Every raw export is in the audit log.
    record = ExportRecord.objects.get()
    assert record.by == world.deanery and record.rows == 282 and record.round.slug == "original"
    path = "/tmp/clm-survey-roundtrip.csv"
    with open(path, "wb") as f:
        f.write(exported)
    call_command(
        "import_survey_responses", "copy", path, "--create-round", "Copy", stdout=StringIO()
    )
    before, after = summary("original"), summary("copy")
    before.pop("round"), after.pop("round")
    assert before == after
    assert Results(Round.objects.get(slug="copy")).summary()["n"] == {
        "trainee": 112,
        "supervisor": 170,
    }


def test_importing_in_the_browser_shows_each_problem_and_saves_nothing(round_, world):
    client = client_for(world.deanery)
    url = reverse("surveys:import", args=[round_.slug])
    bad = io.BytesIO(b"trust,role,t_leader\r\nRK9,trainee,0\r\n")
    bad.name = "bad.csv"
    response = client.post(url, {"file": bad})
    assert response.status_code == 400
    assert b"Nothing was saved" in response.content and b"t_leader" in response.content
    assert not Response.objects.exists()
    good = io.BytesIO(b"trust,role,t_leader\r\nRK9,trainee,5\r\n")
    good.name = "good.csv"
    response = client.post(url, {"file": good})
    assert response.status_code == 302 and Response.objects.count() == 1
