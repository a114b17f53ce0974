"""Downloading the log as CSV or XLSX: the filtered rows, safe to open in a spreadsheet."""

import csv
import io

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from clm_portal.csvimport import normalise_column
from mentors.imports import activities_import_csv
from mentors.models import Activity, GPCDomain
from trusts.models import Role

from ..conftest import client_for
from ..factories import ActivityFactory, person
from .conftest import recent_day

DANGEROUS = ["=1+1", "+SUM(A1)", "-2+3", "@cmd", "\tindented", "\rreturn"]


def download(client, fmt: str, **filters):
    return client.get(reverse("mentors:log"), {**filters, "_export": fmt})


def csv_rows(response) -> list[dict[str, str]]:
    text = response.content.decode("utf-8-sig")
    return [
        {normalise_column(k): v for k, v in row.items()}
        for row in csv.DictReader(io.StringIO(text, newline=""))
    ]


def xlsx_sheet(response):
    return openpyxl.load_workbook(io.BytesIO(response.content)).active


def xlsx_rows(response) -> list[dict]:
    rows = list(xlsx_sheet(response).iter_rows(values_only=True))
    header = [normalise_column(name) for name in rows[0]]
    return [dict(zip(header, row, strict=True)) for row in rows[1:]]


@pytest.fixture
def entries(world, appointment, other_appointment):
    """Two of RK9's entries (safety_qi, forum) and one of REF's."""
    return [
        ActivityFactory(
            appointment=appointment,
            date=recent_day(3),
            responsibility="safety_qi",
            minutes=90,
            trainees_reached=4,
            notes="QI clinic",
        ),
        ActivityFactory(
            appointment=appointment,
            date=recent_day(20),
            responsibility="forum",
            minutes=60,
            trainees_reached=25,
            notes="Grand round",
        ),
        ActivityFactory(
            appointment=other_appointment,
            date=recent_day(3),
            responsibility="forum",
            notes="Cornwall forum",
        ),
    ]


@pytest.mark.django_db
class TestCsvExport:
    def test_it_downloads_the_log_as_a_csv_attachment(self, world, entries):
        response = download(client_for(world.clm), "csv")
        assert response["Content-Type"] == "text/csv; charset=utf-8"
        assert response["Content-Disposition"].startswith('attachment; filename="clm-activity-')
        assert response["Content-Disposition"].endswith('.csv"')

    def test_it_has_the_import_columns(self, world, entries):
        response = download(client_for(world.clm), "csv")
        header = response.content.decode("utf-8-sig").splitlines()[0]
        assert header == (
            "Date,Responsibility,Format,Hours,Trainees reached,Trainees,Others engaged,"
            "GPC domains,Notes,Trust"
        )

    def test_a_clm_gets_their_own_trusts_entries_only(self, world, entries):
        rows = csv_rows(download(client_for(world.clm), "csv"))
        assert sorted(r["notes"] for r in rows) == ["Grand round", "QI clinic"]
        assert {r["trust"] for r in rows} == {"RK9"}

    def test_it_respects_the_filters(self, world, entries):
        rows = csv_rows(download(client_for(world.clm), "csv", responsibility="forum"))
        assert [r["notes"] for r in rows] == ["Grand round"]

    def test_it_respects_a_date_filter(self, world, entries):
        rows = csv_rows(
            download(client_for(world.clm), "csv", date_from=recent_day(10).isoformat())
        )
        assert [r["notes"] for r in rows] == ["QI clinic"]

    def test_deanery_staff_get_every_trust_filtered_by_trust(self, world, entries):
        client = client_for(world.deanery)
        assert len(csv_rows(download(client, "csv"))) == 3
        rows = csv_rows(download(client, "csv", trust=world.other_trust.pk))
        assert [r["notes"] for r in rows] == ["Cornwall forum"]

    @pytest.mark.parametrize("text", DANGEROUS)
    def test_it_neutralises_a_cell_a_spreadsheet_would_run_as_a_formula(
        self, world, appointment, text
    ):
        ActivityFactory(appointment=appointment, notes=text)
        (row,) = csv_rows(download(client_for(world.clm), "csv"))
        assert row["notes"] == "'" + text

    def test_it_leaves_ordinary_text_alone(self, world, appointment):
        ActivityFactory(appointment=appointment, notes="Met 3 trainees = good")
        (row,) = csv_rows(download(client_for(world.clm), "csv"))
        assert row["notes"] == "Met 3 trainees = good"

    def test_it_writes_times_and_domains_as_the_import_reads_them(self, world, appointment):
        activity = ActivityFactory(
            appointment=appointment, minutes=75, others_engaged=["supervisors", "qi_team"]
        )
        activity.gpc_domains.set(GPCDomain.objects.filter(number__in=[5, 6]))
        (row,) = csv_rows(download(client_for(world.clm), "csv"))
        assert (row["hours"], row["others_engaged"], row["gpc_domains"]) == (
            "1.25",
            "Educational supervisors; QI and patient safety team",
            "5;6",
        )


@pytest.mark.django_db
class TestXlsxExport:
    def test_it_downloads_the_log_as_a_workbook(self, world, entries):
        response = download(client_for(world.clm), "xlsx")
        assert response["Content-Type"] == (
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        )
        assert response["Content-Disposition"].endswith('.xlsx"')
        assert len(xlsx_rows(response)) == 2

    def test_it_respects_the_filters(self, world, entries):
        rows = xlsx_rows(download(client_for(world.clm), "xlsx", responsibility="safety_qi"))
        assert [r["notes"] for r in rows] == ["QI clinic"]

    def test_no_cell_is_a_formula(self, world, appointment):
        for text in DANGEROUS:
            ActivityFactory(appointment=appointment, notes=text)
        sheet = xlsx_sheet(download(client_for(world.clm), "xlsx"))
        assert [c.coordinate for row in sheet.iter_rows() for c in row if c.data_type == "f"] == []

    def test_it_keeps_dangerous_text_behind_an_apostrophe(self, world, appointment):
        for text in DANGEROUS:
            ActivityFactory(appointment=appointment, notes=text)
        notes = [r["notes"] for r in xlsx_rows(download(client_for(world.clm), "xlsx"))]
        # XML reads a carriage return back as a line feed.
        assert sorted(notes) == sorted("'" + text.replace("\r", "\n") for text in DANGEROUS)

    def test_numbers_stay_numbers(self, world, appointment):
        ActivityFactory(appointment=appointment, minutes=90, trainees_reached=12)
        sheet = xlsx_sheet(download(client_for(world.clm), "xlsx"))
        hours, reached = sheet["D2"], sheet["E2"]
        assert (hours.value, hours.data_type, reached.value, reached.data_type) == (
            1.5,
            "n",
            12,
            "n",
        )

    def test_it_survives_control_characters_in_notes(self, world, appointment):
        ActivityFactory(appointment=appointment, notes="Pasted\x01 from a PDF\x0b")
        response = download(client_for(world.clm), "xlsx")
        assert response.status_code == 200
        assert xlsx_rows(response)[0]["notes"] == "Pasted from a PDF"

    def test_a_formula_behind_a_control_character_is_still_neutralised(self, world, appointment):
        ActivityFactory(appointment=appointment, notes='\x01=HYPERLINK("http://x.invalid")')
        cell = xlsx_sheet(download(client_for(world.clm), "xlsx"))["I2"]
        assert (cell.data_type, cell.value) == ("s", '\'=HYPERLINK("http://x.invalid")')


@pytest.mark.django_db
class TestRoundTrip:
    def test_the_exported_csv_imports_into_an_empty_log(self, world, appointment):
        logged = [
            ActivityFactory(
                appointment=appointment,
                date=recent_day(1),
                minutes=20,
                responsibility="buddying",
                format="mentoring",
                trainees_reached=1,
                others_engaged=["managers"],
                notes="Buddying, with the COO",
            ),
            ActivityFactory(
                appointment=appointment,
                date=recent_day(8),
                minutes=150,
                responsibility="induction",
                format="induction_talk",
                trainees_reached=45,
                notes="Induction talk\nsecond line",
            ),
            ActivityFactory(
                appointment=appointment,
                date=recent_day(15),
                minutes=45,
                responsibility="network",
                format="network_day",
                trainees_reached=0,
                notes="Café ☕ network",
            ),
        ]
        logged[0].gpc_domains.set(GPCDomain.objects.filter(number__in=[5, 8]))
        logged[0].trainees.set([world.trainee])
        logged[1].trainees.set([world.trainee, person(Role.TRAINEE, world.trust, name="Ada Lo")])

        def snapshot():
            return sorted(
                (
                    a.date,
                    a.responsibility,
                    a.format,
                    a.minutes,
                    a.trainees_reached,
                    a.others_engaged,
                    sorted(d.number for d in a.gpc_domains.all()),
                    sorted(t.pk for t in a.trainees.all()),
                    a.notes,
                )
                for a in Activity.objects.all()
            )

        before = snapshot()
        exported = download(client_for(world.clm), "csv").content
        Activity.objects.all().delete()

        activities_import_csv(
            by=world.clm,
            trust=world.trust,
            upload=SimpleUploadedFile("log.csv", exported, content_type="text/csv"),
        )
        assert snapshot() == before

    def test_neutralised_notes_come_back_as_they_were(self, world, appointment):
        ActivityFactory(appointment=appointment, date=recent_day(2), notes="- follow up with DME")
        exported = download(client_for(world.clm), "csv").content
        Activity.objects.all().delete()
        activities_import_csv(
            by=world.clm,
            trust=world.trust,
            upload=SimpleUploadedFile("log.csv", exported, content_type="text/csv"),
        )
        assert Activity.objects.get().notes == "- follow up with DME"

    def test_a_days_worth_of_minutes_survives_the_round_trip(self, world, appointment):
        for minutes in (1, 7, 13, 59, 61, 1439):
            ActivityFactory(appointment=appointment, date=recent_day(2), minutes=minutes)
        exported = download(client_for(world.clm), "csv").content
        Activity.objects.all().delete()
        activities_import_csv(
            by=world.clm,
            trust=world.trust,
            upload=SimpleUploadedFile("log.csv", exported, content_type="text/csv"),
        )
        assert sorted(Activity.objects.values_list("minutes", flat=True)) == [
            1,
            7,
            13,
            59,
            61,
            1439,
        ]


@pytest.mark.django_db
class TestReadableExport:
    """Exports carry labels, real dates, a named sheet and the named trainees."""

    def test_the_csv_carries_the_labels_shown_on_screen(self, world, appointment):
        activity = ActivityFactory(
            appointment=appointment,
            responsibility="buddying",
            format="mentoring",
            others_engaged=["managers"],
        )
        activity.trainees.set([world.trainee])
        (row,) = csv_rows(download(client_for(world.clm), "csv"))
        assert (row["responsibility"], row["format"], row["others_engaged"], row["trainees"]) == (
            "Buddying and shadowing",
            "One-to-one mentoring",
            "Managers and executives",
            "Tara Trainee",
        )

    def test_the_workbook_has_a_named_sheet_and_real_dates(self, world, appointment):
        ActivityFactory(appointment=appointment, date=recent_day(4))
        workbook = openpyxl.load_workbook(
            io.BytesIO(download(client_for(world.clm), "xlsx").content)
        )
        assert workbook.sheetnames == ["Activity log"]
        cell = workbook["Activity log"]["A2"]
        assert cell.is_date
        assert cell.value.date() == recent_day(4)

    def test_an_exported_log_imported_again_adds_nothing(self, world, appointment):
        for days in (1, 2, 3):
            ActivityFactory(appointment=appointment, date=recent_day(days), notes=f"Day {days}")
        exported = download(client_for(world.clm), "csv").content
        result = activities_import_csv(
            by=world.clm,
            trust=world.trust,
            upload=SimpleUploadedFile("log.csv", exported, content_type="text/csv"),
        )
        assert (result.created, result.already_logged) == (0, 3)
        assert Activity.objects.count() == 3
