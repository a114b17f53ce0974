"""Confidentiality: no hidden group's counts can be worked out from what is published, no code
path joins a response to a person, and no page shows one response.

The property test draws random rounds, publishes them, and reads back everything a reader could
download (the summary JSON, the CSV and the XLSX). Each published count is a sum over the
finest cells (role × Trust × grade × specialty); a hidden group's count can be derived by
subtraction exactly when its cell-indicator vector lies in the span of the published ones,
which exact linear algebra over the rationals decides.
"""

from __future__ import annotations

import csv
import io
import itertools
from fractions import Fraction

import pytest
from django.db import models
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook

from surveys.analysis import GRADE_GROUP_OF, GRADE_GROUPS, SPECIALTIES, STAGES, Results, publish
from surveys.models import Participation, Response, Round
from surveys.published import results_csv, results_xlsx
from trusts.models import User

from ..conftest import client_for
from ..factories import TrustFactory
from .support import add_responses, make_round

TRUSTS = ("T1", "T2", "T3", "T4")
# One grade of every published grade group, and every specialty, so that the cells below are
# the whole space a reader must consider (a group with no cell here would pass for known empty).
GRADES = ("F1", "CT1", "ST3", "ST4", "ST5", "ST6", "ST7", "non_training", "")
SPECS = tuple(code for code, _ in SPECIALTIES)
# The people drawn come from a few of them, so that small groups are common.
DRAWN_GRADES = ("F1", "ST3", "ST5", "non_training", "")
DRAWN_SPECS = ("medical", "surgical", "")
ROLES = ("trainee", "supervisor")
ITEM = "c_know"  # asked of both roles
CELLS = [
    (role, t, g if role == "trainee" else "", s if role == "trainee" else "")
    for role in ROLES
    for t in TRUSTS
    for g in GRADES
    for s in SPECS
    if role == "trainee" or (g == "" and s == "")
]
STAGE_OF_GROUP = {key: stage for key, _, _, stage in GRADE_GROUPS}


def _members(role: str, breakdown: str, group: str):
    """The finest cells in a published group (by its key or label, as the files name it)."""

    def test(cell):
        c_role, trust, grade, spec = cell
        if c_role != role:
            return False
        if breakdown == "region":
            return True
        if breakdown == "trust":
            return trust == group
        grade_group = GRADE_GROUP_OF.get(grade, "grade_not_given")
        if breakdown == "stage":
            return STAGE_OF_GROUP[grade_group] == {label: key for key, label in STAGES}[group]
        if breakdown == "grade":
            return (
                grade_group
                == {
                    label: key
                    for key, _, label in ((k, None, lbl) for k, lbl, _, _ in GRADE_GROUPS)
                }[group]
            )
        if breakdown == "specialty":
            return spec == {label: code for code, label in SPECIALTIES}[group]
        raise AssertionError(breakdown)

    return tuple(1 if test(cell) else 0 for cell in CELLS)


class Span:
    """Row-reduced published vectors: is a vector a linear combination of them?

    Cells inside a group published as empty are known to be zero, so their columns are dropped
    first (exactly equivalent, and it keeps the matrices small)."""

    def __init__(self, known_zero: set[int]):
        self.keep = [i for i in range(len(CELLS)) if i not in known_zero]
        self.rows: list[tuple[int, list[Fraction]]] = []  # (pivot, row)

    def _reduce(self, vector) -> list[Fraction]:
        v = [Fraction(vector[i]) for i in self.keep]
        for pivot, row in self.rows:
            if v[pivot]:
                factor = v[pivot] / row[pivot]
                v = [a - factor * b for a, b in zip(v, row, strict=True)]
        return v

    def add(self, vector) -> None:
        v = self._reduce(vector)
        pivot = next((i for i, x in enumerate(v) if x), None)
        if pivot is not None:
            self.rows.append((pivot, v))

    def implied_empty(self, vector) -> bool:
        """Every cell of the group lies in a group published as empty: the group is known to
        be empty from a published zero directly (no one in it agreed, say), not by subtraction."""
        return not any(vector[i] for i in self.keep)

    def contains(self, vector) -> bool:
        return not any(self._reduce(vector))


def _same(cell) -> str:
    """A cell as text, numbers alike whichever file they came from (0 and 0.0)."""
    if cell is None:
        return ""
    try:
        return repr(float(cell))
    except ValueError:
        return str(cell)


def published_facts(results: Results):
    """{family: {indicator vector: value}} from the JSON, CSV and XLSX, and the hidden groups."""
    facts = {"n": {}, "answered": {}, "agree": {}}
    hidden: list[tuple[str, tuple]] = []

    def publish_fact(family, vector, value):
        assert facts[family].setdefault(vector, value) == value  # the files agree
        facts[family][vector] = value

    summary = results.summary()
    for role in ROLES:
        region = _members(role, "region", "")
        publish_fact("n", region, summary["n"][role])
        if ITEM in summary["by_role"][role]:
            publish_fact("answered", region, summary["by_role"][role][ITEM]["answered"])
            publish_fact("agree", region, summary["by_role"][role][ITEM]["agree"])
        for ods, roles in summary["by_trust"].items():
            group, vector = roles[role], _members(role, "trust", ods)
            if group["n"] is None:
                hidden.append(("n", vector))
            else:
                publish_fact("n", vector, group["n"])
            if ITEM in group["items"]:
                publish_fact("answered", vector, group["items"][ITEM]["answered"])
                publish_fact("agree", vector, group["items"][ITEM]["agree"])
            else:
                hidden.append(("answered", vector))
    text = results_csv(results, None).lstrip("\ufeff")
    rows = list(csv.reader(io.StringIO(text)))
    header, body = rows[0], rows[1:]
    book = load_workbook(io.BytesIO(results_xlsx(results, None)))
    from_sheets = [
        tuple(_same(c) for c in row)
        for sheet in book.worksheets
        for row in list(sheet.iter_rows(values_only=True))[1:]
    ]
    assert sorted(from_sheets) == sorted(tuple(_same(c) for c in row) for row in body)
    assert not any(
        cell.data_type == "f"
        for sheet in book.worksheets
        for row in sheet.iter_rows()
        for cell in row
    )
    for row in body:
        record = dict(zip(header, row, strict=True))
        vector = _members(record["role"], record["breakdown"], record["group"])
        if record["responses"].isdigit():
            publish_fact("n", vector, int(record["responses"]))
        else:
            hidden.append(("n", vector))
        if record["item_code"] == ITEM:
            publish_fact("answered", vector, int(record["answered"]))
            publish_fact("agree", vector, int(record["agree"]))
        elif not record["item_code"] or record["item_code"] != ITEM:
            hidden.append(("answered", vector))
    # A group published with no responses holds no answers either.
    for vector, value in list(facts["n"].items()):
        if value == 0:
            publish_fact("answered", vector, 0)
            publish_fact("agree", vector, 0)
    return facts, hidden


respondent = st.tuples(
    st.sampled_from(ROLES),
    st.sampled_from(TRUSTS),
    st.sampled_from(DRAWN_GRADES),
    st.sampled_from(DRAWN_SPECS),
    st.sampled_from([None, 1, 2, 3, 4, 5, 6]),  # None: not answered
)


@pytest.mark.django_db
@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(people=st.lists(respondent, max_size=70), threshold=st.sampled_from([2, 3, 5, 10]))
def test_no_hidden_count_can_be_derived_from_everything_published(people, threshold):
    Round.objects.all().delete()  # the examples share one test's database
    trusts = [TrustFactory(ods_code=ods) for ods in TRUSTS]
    round_ = make_round(trusts, name="Property", threshold=threshold)
    by_ods = {t.ods_code: t for t in trusts}
    Response.objects.bulk_create(
        Response(
            round=round_,
            trust=by_ods[ods],
            role=role,
            grade=grade if role == "trainee" else "",
            specialty=spec if role == "trainee" else "",
            channel="import",
            answers={} if answer is None else {ITEM: answer},
        )
        for role, ods, grade, spec, answer in people
    )
    results = Results(publish(round_))
    facts, hidden = published_facts(results)
    truth = {
        "n": lambda vec: sum(1 for p in people if _in(p, vec)),
        "answered": lambda vec: sum(1 for p in people if _in(p, vec) and p[4] is not None),
    }
    for family in ("n", "answered", "agree"):
        for vector, value in facts[family].items():
            if family != "agree":
                assert truth[family](vector) == value  # published figures are true
    spans = {}
    for family in ("n", "answered", "agree"):
        known_zero = {
            i
            for vector, value in facts[family].items()
            if value == 0
            for i, x in enumerate(vector)
            if x
        }
        spans[family] = Span(known_zero)
        for vector, value in facts[family].items():
            if value:
                spans[family].add(vector)
    for family, vector in hidden:
        if vector in facts[family]:
            continue  # hidden in one place but published in another would fail above
        if truth[family](vector) == 0:
            continue  # knowing a group is empty reveals no one's answer
        assert not spans[family].contains(vector), f"hidden {family} of {vector} is derivable"
        if family == "answered" and not spans["agree"].implied_empty(vector):
            assert not spans["agree"].contains(vector), f"hidden agree of {vector} is derivable"


def _in(person, vector) -> bool:
    role, ods, grade, spec, _ = person
    cell = (role, ods, grade if role == "trainee" else "", spec if role == "trainee" else "")
    return bool(vector[CELLS.index(cell)])


def test_a_response_has_no_link_to_a_person_and_no_time():
    fields = {f.name: f for f in Response._meta.get_fields()}
    assert set(fields) == {
        "id",
        "round",
        "trust",
        "role",
        "grade",
        "specialty",
        "channel",
        "answers",
    }
    for field in fields.values():
        assert not isinstance(field, models.DateField | models.DateTimeField | models.TimeField)
        if field.is_relation:
            assert field.related_model is not User and field.related_model is not Participation
    assert isinstance(fields["id"], models.UUIDField)  # random: no order to match
    participation = {f.name for f in Participation._meta.get_fields()}
    assert participation == {"id", "user", "round"}
    # Nothing relates to a response either (a reverse relation would show up here).
    assert not [f for f in Response._meta.related_objects]


def test_no_code_path_joins_responses_to_people():
    """No query in the surveys app reaches from responses to people or participation."""
    from pathlib import Path

    import surveys

    root = Path(surveys.__file__).parent
    for path in itertools.chain(root.glob("*.py"), root.glob("*/*.py")):
        text = path.read_text()
        for forbidden in (
            "responses__round__participations",
            "round__participations",
            "participations__user__",
        ):
            assert forbidden not in text, f"{path}: {forbidden}"


@pytest.mark.django_db
def test_no_page_shows_an_individual_response(world):
    round_ = make_round([world.trust], name="Tiny")
    add_responses(
        round_,
        world.trust,
        "trainee",
        [{"t_leader": 6, "t_need": 1}],
        grade="ST5",
        specialty="medical",
    )
    add_responses(round_, world.trust, "supervisor", [{"e_discuss": 2}] * 12)
    publish(round_)
    client = client_for(world.deanery)
    pages = [
        reverse("surveys:results", args=[round_.slug]) + f"?role=trainee&item={code}"
        for code in ("t_leader", "t_need")
    ] + [
        reverse("surveys:results_csv", args=[round_.slug]),
        reverse("surveys:round", args=[round_.slug]),
    ]
    for url in pages:
        content = client.get(url).content.decode()
        assert "Strongly agree" not in content
        # One trainee: no item figure of theirs appears anywhere.
        assert "t_leader,I consider" not in content
        assert "100.0%" not in content and ",1,1," not in content
    page = client.get(pages[0]).content.decode()
    assert "Fewer than 11 answered" in page
