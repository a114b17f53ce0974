"""The response file (DOMAIN.md): import all-or-nothing with every error named by row and
column, and export in the same format, so that an export imports into a new round unchanged.

Columns: `trust` (ODS code), `role` (`trainee` or `supervisor`), `grade` and `specialty`
(trainees; codes as in DOMAIN.md), then one column per item code of the round's instruments
(Likert 1–6; yes/no 1 or 0). An empty cell is not answered. Column order is free; unknown
columns are an error.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator

from clm_portal.csvimport import MAX_ROWS, CSVError, Problems, read_csv
from trusts.models import Grade, Specialty, Trust

from .analysis import round_items
from .models import ItemKind, Round

RESPONDENT_COLUMNS = ("trust", "role", "grade", "specialty")
REQUIRED_COLUMNS = ("trust", "role")
GRADES = set(Grade.values)
SPECIALTIES = set(Specialty.values)
ANSWERS = {ItemKind.LIKERT: {str(v): v for v in range(1, 7)}, ItemKind.YES_NO: {"1": 1, "0": 0}}
ANSWER_HELP = {
    ItemKind.LIKERT: "use 1 (strongly disagree) to 6 (strongly agree)",
    ItemKind.YES_NO: "use 1 for yes or 0 for no",
}
ROLE_NAMES = {"trainee": "a trainee", "supervisor": "an educational supervisor"}


def item_columns(round_: Round) -> list[str]:
    """The round's item codes in the instruments' order: the trainee's, then the rest."""
    columns: list[str] = []
    for role_items in round_items(round_).values():
        for item in role_items:
            if item.code not in columns:
                columns.append(item.code)
    return columns


def _kinds_by_role(round_: Round) -> dict[str, dict[str, str]]:
    return {
        role: {item.code: item.kind for item in role_items}
        for role, role_items in round_items(round_).items()
    }


def parse_responses(
    round_: Round, upload, *, trusts_from_file: bool = False, max_rows: int = MAX_ROWS
) -> list[dict]:
    """Read and check a response file for `round_`: a list of response fields, or
    CSVImportError naming every problem (nothing is saved by this function).

    With `trusts_from_file` a Trust need only exist (the round is being made from the file);
    otherwise it must be one of the round's Trusts.
    """
    kinds = _kinds_by_role(round_)
    columns = item_columns(round_)
    rows = read_csv(
        upload,
        required=REQUIRED_COLUMNS,
        optional=(*RESPONDENT_COLUMNS[2:], *columns),
        max_rows=max_rows,
    )
    known = {t.ods_code.upper(): t for t in Trust.objects.all()}
    in_round = set(round_.trusts.values_list("pk", flat=True)) if round_.pk else set()
    problems = Problems()
    parsed = []
    for number, row in rows:
        found: list[CSVError] = []
        ods = row.get("trust", "").upper()
        trust = known.get(ods)
        if not ods:
            found.append(CSVError(number, "trust", "Enter the Trust's ODS code, like RK9."))
        elif trust is None:
            found.append(CSVError(number, "trust", f"'{row['trust']}' is not a Trust's ODS code."))
        elif not trusts_from_file and trust.pk not in in_round:
            found.append(CSVError(number, "trust", f"{trust} is not taking part in this round."))
        role = row.get("role", "").lower()
        if role not in kinds:
            found.append(
                CSVError(
                    number,
                    "role",
                    f"'{row.get('role', '')}' is not a role: use trainee or supervisor.",
                )
            )
        grade, specialty = row.get("grade", ""), row.get("specialty", "")
        if role == "supervisor":
            for column, value in (("grade", grade), ("specialty", specialty)):
                if value:
                    found.append(CSVError(number, column, "Leave this empty for a supervisor."))
        else:
            if grade and grade not in GRADES:
                found.append(
                    CSVError(
                        number,
                        "grade",
                        f"'{grade}' is not a grade: use one of {', '.join(Grade.values)}.",
                    )
                )
            if specialty and specialty not in SPECIALTIES:
                found.append(
                    CSVError(
                        number,
                        "specialty",
                        f"'{specialty}' is not a specialty: use one of {', '.join(Specialty.values)}.",
                    )
                )
        answers = {}
        role_kinds = kinds.get(role, {})
        for code in columns:
            value = row.get(code, "")
            if not value or role not in kinds:
                continue
            kind = role_kinds.get(code)
            if kind is None:
                other = "supervisor" if role == "trainee" else "trainee"
                found.append(
                    CSVError(
                        number,
                        code,
                        f"This item is not asked of {ROLE_NAMES[role]} (it is for {ROLE_NAMES[other]}s): leave it empty.",
                    )
                )
                continue
            answer = ANSWERS[kind].get(value)
            if answer is None:
                found.append(
                    CSVError(
                        number,
                        code,
                        f"'{value}' is not an answer: {ANSWER_HELP[kind]}, or leave it empty.",
                    )
                )
                continue
            answers[code] = answer
        if found:
            problems.extend(found)
            continue
        parsed.append(
            {
                "trust": trust,
                "role": role,
                "grade": grade if role == "trainee" else "",
                "specialty": specialty if role == "trainee" else "",
                "answers": answers,
            }
        )
    problems.raise_if_any()
    return parsed


def export_lines(round_: Round) -> Iterator[str]:
    """The round's raw responses as CSV lines (header first), UTF-8 text without a BOM."""
    columns = item_columns(round_)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")

    def line(cells) -> str:
        buffer.seek(0)
        buffer.truncate()
        writer.writerow(cells)
        return buffer.getvalue()

    yield line([*RESPONDENT_COLUMNS, *columns])
    responses = (
        round_.responses.order_by("role", "trust__ods_code", "grade", "specialty", "id")
        .values_list("trust__ods_code", "role", "grade", "specialty", "answers")
        .iterator(chunk_size=2000)
    )
    for ods, role, grade, specialty, answers in responses:
        yield line([ods, role, grade, specialty, *(answers.get(code, "") for code in columns)])
