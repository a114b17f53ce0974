"""Importing activity from a CSV file: every row or none, every problem by row and column."""

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from clm_portal.csvimport import CSVImportError
from mentors.imports import activities_import_csv
from mentors.models import Activity
from trusts.models import Role

from ..conftest import client_for
from ..factories import ActivityFactory, person
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
        assert "&#x27;golf&#x27; is not a responsibility." in page
        assert not Activity.objects.exists()


@pytest.mark.django_db
class TestWhatTheImportAccepts:
    def test_it_accepts_the_labels_shown_on_screen_in_any_case(self, world, appointment):
        do_import(
            world,
            "Date,Responsibility,FORMAT,Hours,Others engaged",
            "2025-01-13,Buddying and shadowing,one-to-one MENTORING,1,Educational supervisors",
            "2025-01-14,BUDDYING,Meeting,1:30,QI_TEAM; managers and executives",
        )
        first, second = Activity.objects.order_by("date")
        assert (first.responsibility, first.format, first.others_engaged) == (
            "buddying",
            "mentoring",
            ["supervisors"],
        )
        assert (second.responsibility, second.format, second.minutes) == ("buddying", "meeting", 90)
        assert second.others_engaged == ["qi_team", "managers"]

    def test_an_unknown_label_names_the_accepted_labels(self, world, appointment):
        [(row, column, message)] = import_errors(
            world, "date,responsibility,format,hours", "2025-01-13,Golf,meeting,1"
        )
        assert (row, column) == (2, "responsibility")
        assert "Buddying and shadowing" in message

    def test_it_links_named_trainees_by_name_or_email(self, world, appointment):
        other = person(Role.TRAINEE, world.trust, name="Omar Other")
        do_import(
            world,
            "date,responsibility,format,hours,trainees",
            f"2025-01-13,buddying,meeting,1,tara trainee; {other.email.upper()}",
        )
        activity = Activity.objects.get()
        assert set(activity.trainees.all()) == {world.trainee, other}
        assert activity.trainees_reached == 2

    def test_an_unknown_trainee_is_an_error_at_its_row_and_column(self, world, appointment):
        [(row, column, message)] = import_errors(
            world,
            "date,responsibility,format,hours,trainees",
            "2025-01-13,buddying,meeting,1,Tara Trainee",
            f"2025-01-14,buddying,meeting,1,{world.other_trainee.name}",
        )
        assert (row, column) == (3, "trainees")
        assert "is not a trainee of your Trust" in message
        assert not Activity.objects.exists()

    def test_an_ambiguous_trainee_name_asks_for_the_email(self, world, appointment):
        person(Role.TRAINEE, world.trust, name="Tara Trainee")
        [(row, column, message)] = import_errors(
            world,
            "date,responsibility,format,hours,trainees",
            "2025-01-13,buddying,meeting,1,Tara Trainee",
        )
        assert (row, column) == (2, "trainees")
        assert "use their email instead" in message


@pytest.mark.django_db
class TestImportingAgain:
    """Re-importing an export must not silently duplicate entries: such rows are skipped."""

    def test_rows_already_in_the_log_are_skipped_and_counted(self, world, appointment):
        first = do_import(world, HEADER, *GOOD_ROWS)
        again = do_import(world, HEADER, *GOOD_ROWS, "2025-01-21,forum,forum,1,0,,,New one")
        assert (first.created, first.already_logged) == (3, 0)
        assert (again.created, again.already_logged, again.repeated) == (1, 3, 0)
        assert Activity.objects.count() == 4
        assert again.message == (
            "Imported 1 entry. 3 rows were already in your log and were skipped."
        )

    def test_a_row_repeated_in_the_file_is_skipped_and_counted(self, world, appointment):
        result = do_import(world, HEADER, GOOD_ROWS[0], GOOD_ROWS[0])
        assert (result.created, result.repeated) == (1, 1)
        assert Activity.objects.count() == 1

    def test_an_entry_differing_in_time_is_not_a_repeat(self, world, appointment):
        ActivityFactory(
            appointment=appointment,
            date=date(2025, 1, 13),
            responsibility="safety_qi",
            format="meeting",
            minutes=60,
            notes="QI clinic with the Trust QI lead",
        )
        assert do_import(world, HEADER, GOOD_ROWS[0]).created == 1

    def test_the_view_says_how_many_rows_were_skipped(self, world, appointment):
        do_import(world, HEADER, *GOOD_ROWS)
        response = client_for(world.clm).post(
            reverse("mentors:import"), {"file": csv_file(HEADER, *GOOD_ROWS)}, follow=True
        )
        assert "3 rows were already in your log and were skipped." in response.content.decode()
        assert Activity.objects.count() == 3


@pytest.mark.django_db
class TestImportAtScale:
    def test_the_number_of_queries_does_not_grow_with_the_rows(
        self, world, appointment, django_assert_max_num_queries
    ):
        rows = [
            f"2025-0{1 + n % 6}-{1 + n % 28:02d},safety_qi,meeting,1,2,qi_team,5;6,Entry {n}"
            for n in range(400)
        ]
        with django_assert_max_num_queries(25):
            result = do_import(world, HEADER, *rows)
        assert result.created == 400
        assert Activity.objects.count() == 400
        assert Activity.gpc_domains.through.objects.count() == 800

    def test_a_file_of_malformed_rows_gives_a_short_page(self, world, appointment):
        bad = ["x,y,z,1,2,3,4,5,6,7,8,9"] * 3000
        response = client_for(world.clm).post(
            reverse("mentors:import"), {"file": csv_file(HEADER, *bad)}
        )
        page = response.content.decode()
        assert response.status_code == 400
        assert "The file has 3000 problems. Nothing was saved." in page
        assert "and 2900 more problems." in page
        assert len(page) < 200_000

    def test_malformed_rows_count_toward_the_5000_row_limit(self, world, appointment):
        response = client_for(world.clm).post(
            reverse("mentors:import"),
            {"file": csv_file(HEADER, *(["a,b,c,d,e,f,g,h,i,j,k"] * 5001))},
        )
        assert response.status_code == 400
        assert "The file has more than 5000 rows; split it up." in response.content.decode()

    def test_an_unterminated_quote_names_the_row_it_opened_in(self, world, appointment):
        lines = [HEADER, GOOD_ROWS[0], '2025-01-14,forum,forum,1,0,,,"Forgot to close'] + [
            GOOD_ROWS[1]
        ] * 20
        [(row, column, message)] = import_errors(world, *lines)
        assert (row, column) == (3, "")
        assert "never closed" in message


@pytest.mark.django_db
class TestTemplate:
    def test_the_template_imports_as_it_is(self, world, appointment):
        response = client_for(world.clm).get(reverse("mentors:import_template"))
        assert response["Content-Disposition"] == 'attachment; filename="clm-activity-template.csv"'
        text = response.content.decode("utf-8-sig")
        header = text.splitlines()[0]
        assert header.startswith("Date,Responsibility,Format,Hours")
        upload = SimpleUploadedFile("t.csv", response.content, content_type="text/csv")
        result = activities_import_csv(by=world.clm, trust=world.trust, upload=upload)
        assert result.created == 1

    def test_the_upload_page_links_to_it(self, world, appointment):
        page = client_for(world.clm).get(reverse("mentors:import")).content.decode()
        assert reverse("mentors:import_template") in page
