"""Importing activity from a CSV file: every row or none, every problem by row and column."""

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from clm_portal.csvimport import CSVImportError
from mentors.models import Activity
from mentors.services import activities_import_csv

from ..conftest import client_for
from .conftest import close_year

HEADER = "date,responsibility,format,hours,trainees_reached,others_engaged,gpc_domains,notes"
GOOD_ROWS = [
    "2025-01-13,safety_qi,meeting,1.5,4,qi_team,5;6,QI clinic with the Trust QI lead",
    "2025-01-15,induction,induction_talk,0.5,40,,5,Talk at the January induction",
    '2025-01-20,forum,forum,2,25,supervisors;consultants,,"Grand round, with the CEO"',
]


def csv_file(*lines: str, bom: bool = False, encoding: str = "utf-8") -> SimpleUploadedFile:
    data = ("\r\n".join(lines) + "\r\n").encode(encoding)
    if bom:
        data = b"\xef\xbb\xbf" + data
    return SimpleUploadedFile("activity.csv", data, content_type="text/csv")


def do_import(world, *lines: str, **kwargs):
    return activities_import_csv(by=world.clm, trust=world.trust, upload=csv_file(*lines, **kwargs))


def import_errors(world, *lines: str) -> list[tuple[int | None, str, str]]:
    with pytest.raises(CSVImportError) as caught:
        do_import(world, *lines)
    return [(e.row, e.column, e.message) for e in caught.value.errors]


@pytest.mark.django_db
class TestActivitiesImportCsv:
    def test_it_logs_every_row(self, world, appointment):
        do_import(world, HEADER, *GOOD_ROWS)
        assert sorted(
            (a.date, a.responsibility, a.format, a.minutes, a.trainees_reached)
            for a in Activity.objects.all()
        ) == [
            (date(2025, 1, 13), "safety_qi", "meeting", 90, 4),
            (date(2025, 1, 15), "induction", "induction_talk", 30, 40),
            (date(2025, 1, 20), "forum", "forum", 120, 25),
        ]

    def test_it_reads_the_optional_columns(self, world, appointment):
        do_import(world, HEADER, GOOD_ROWS[0], GOOD_ROWS[2])
        qi, forum = Activity.objects.order_by("date")
        assert qi.others_engaged == ["qi_team"]
        assert sorted(d.number for d in qi.gpc_domains.all()) == [5, 6]
        assert forum.others_engaged == ["supervisors", "consultants"]
        assert forum.notes == "Grand round, with the CEO"

    def test_it_logs_the_rows_for_the_importing_clm_and_trust(self, world, appointment):
        do_import(world, HEADER, GOOD_ROWS[0])
        activity = Activity.objects.get()
        assert (activity.trust, activity.logged_by, activity.appointment) == (
            world.trust,
            world.clm,
            appointment,
        )

    def test_it_needs_only_the_required_columns_in_any_order(self, world, appointment):
        do_import(world, "hours,format,responsibility,date", "1,meeting,buddying,2025-02-03")
        assert Activity.objects.get().trainees_reached == 0

    def test_it_accepts_dd_mm_yyyy_dates(self, world, appointment):
        do_import(world, "date,responsibility,format,hours", "03/02/2025,buddying,meeting,1")
        assert Activity.objects.get().date == date(2025, 2, 3)

    def test_it_reads_utf8_with_a_byte_order_mark(self, world, appointment):
        do_import(world, HEADER, "2025-01-13,forum,forum,1,3,,,Café à midi", bom=True)
        assert Activity.objects.get().notes == "Café à midi"

    def test_a_trust_column_with_the_own_trust_is_accepted(self, world, appointment):
        do_import(world, "date,responsibility,format,hours,trust", "2025-01-13,forum,forum,1,rk9")
        assert Activity.objects.count() == 1

    def test_one_bad_row_saves_nothing(self, world, appointment):
        with pytest.raises(CSVImportError):
            do_import(world, HEADER, GOOD_ROWS[0], "2025-01-14,golf,meeting,1,0,,,", GOOD_ROWS[1])
        assert not Activity.objects.exists()

    def test_it_names_the_row_and_column_counting_the_header_as_row_1(self, world, appointment):
        assert import_errors(
            world, HEADER, GOOD_ROWS[0], "2025-01-14,safety_qi,meeting,0,0,,,"
        ) == [(3, "hours", "The time spent must be more than 0 hours.")]

    def test_it_lists_every_problem(self, world, appointment):
        errors = import_errors(
            world,
            HEADER,
            "2025-01-14,golf,meeting,1,0,,,",
            GOOD_ROWS[0],
            "14 Jan 2025,forum,chat,25,0,,10,",
        )
        assert [(row, column) for row, column, _ in errors] == [
            (2, "responsibility"),
            (4, "date"),
            (4, "format"),
            (4, "gpc_domains"),
            (4, "hours"),
        ]

    def test_it_lists_a_closed_year_alongside_a_badly_formed_row(self, world, appointment):
        close_year(date(2024, 8, 1))
        errors = import_errors(
            world,
            "date,responsibility,format,hours",
            "2025-08-04,golf,forum,1",
            "2025-07-31,forum,forum,1",
        )
        assert [(row, column) for row, column, _ in errors] == [(2, "responsibility"), (3, "date")]
        assert not Activity.objects.exists()

    def test_it_names_an_unknown_column(self, world, appointment):
        errors = import_errors(world, HEADER + ",mood", GOOD_ROWS[0] + ",happy")
        assert [(row, column) for row, column, _ in errors] == [(1, "mood")]
        assert errors[0][2].startswith("Unknown column.")

    def test_it_names_a_missing_required_column(self, world, appointment):
        assert import_errors(world, "date,responsibility,format", "2025-01-14,forum,forum") == [
            (1, "hours", "This column is missing from the header row.")
        ]

    def test_it_refuses_a_row_in_a_closed_training_year(self, world, appointment):
        close_year(date(2024, 8, 1))
        assert import_errors(
            world,
            "date,responsibility,format,hours",
            "2025-08-04,forum,forum,1",
            "2025-07-31,forum,forum,1",
        ) == [(3, "date", "The 2024/25 training year is closed: its entries are locked.")]
        assert not Activity.objects.exists()

    def test_it_refuses_a_row_before_the_appointment(self, world, appointment):
        errors = import_errors(
            world,
            "date,responsibility,format,hours",
            "2025-01-14,forum,forum,1",
            "2024-08-02,forum,forum,1",
        )
        assert [(row, column) for row, column, _ in errors] == [(3, "date")]
        assert "within your CLM appointment" in errors[0][2]
        assert not Activity.objects.exists()

    def test_it_refuses_a_row_for_another_trust(self, world, appointment):
        assert import_errors(
            world, "date,responsibility,format,hours,trust", "2025-01-14,forum,forum,1,REF"
        ) == [(2, "trust", "This row is for REF, but you are importing into RK9.")]

    def test_it_refuses_a_future_date(self, world, appointment):
        errors = import_errors(
            world, "date,responsibility,format,hours", "2099-01-14,forum,forum,1"
        )
        assert errors == [(2, "date", "The date cannot be in the future.")]

    def test_it_refuses_a_file_that_is_not_utf8(self, world, appointment):
        with pytest.raises(CSVImportError) as caught:
            do_import(world, HEADER, "2025-01-13,forum,forum,1,3,,,Café", encoding="latin-1")
        assert "not UTF-8" in str(caught.value.errors[0])

    def test_it_refuses_the_trust_administrator(self, world, appointment):
        with pytest.raises(PermissionDenied):
            activities_import_csv(
                by=world.trust_admin, trust=world.trust, upload=csv_file(HEADER, *GOOD_ROWS)
            )


@pytest.mark.django_db
class TestImportView:
    def test_it_imports_and_returns_to_the_log(self, world, appointment):
        response = client_for(world.clm).post(
            reverse("mentors:import"), {"file": csv_file(HEADER, *GOOD_ROWS)}, follow=True
        )
        assert response.redirect_chain[-1][0] == reverse("mentors:log")
        assert "Imported 3 entries." in response.content.decode()
        assert Activity.objects.count() == 3

    def test_it_lists_the_problems_by_row_and_column(self, world, appointment):
        response = client_for(world.clm).post(
            reverse("mentors:import"),
            {"file": csv_file(HEADER, GOOD_ROWS[0], "2025-01-14,golf,meeting,1,0,,,")},
        )
        page = response.content.decode()
        assert response.status_code == 400
        assert "The file has 1 problem. Nothing was saved." in page
        assert "&#x27;golf&#x27; is not a responsibility code." in page
        assert not Activity.objects.exists()
