"""clm_portal.csvimport: reading uploads all-or-nothing, errors named by row and column."""

from io import BytesIO

import pytest
from django import forms
from django.core.exceptions import ValidationError

from clm_portal.csvimport import (
    MAX_ERRORS,
    MAX_UPLOAD_BYTES,
    CSVError,
    CSVImportError,
    form_errors,
    read_csv,
    validation_errors,
)


def upload(text: str | bytes) -> BytesIO:
    return BytesIO(text.encode("utf-8") if isinstance(text, str) else text)


def read(text: str | bytes, **kwargs):
    kwargs.setdefault("required", ["name", "email"])
    kwargs.setdefault("optional", ["note"])
    return read_csv(upload(text), **kwargs)


def problems(text: str | bytes, **kwargs) -> list[str]:
    with pytest.raises(CSVImportError) as caught:
        read(text, **kwargs)
    return [str(e) for e in caught.value.errors]


class TestReadCsv:
    def test_it_numbers_rows_as_a_spreadsheet_does(self):
        rows = read("name,email\nAda,ada@example.com\nBen,ben@example.com\n")
        assert rows == [
            (2, {"name": "Ada", "email": "ada@example.com"}),
            (3, {"name": "Ben", "email": "ben@example.com"}),
        ]

    def test_it_skips_blank_rows_but_keeps_counting_them(self):
        rows = read("name,email\n\n,\nCleo,cleo@example.com\n")
        assert rows == [(4, {"name": "Cleo", "email": "cleo@example.com"})]

    def test_a_quoted_line_break_stays_in_one_row(self):
        rows = read(
            'name,email,note\nAda,ada@example.com,"two\nlines"\nBen,ben@example.com,\n',
            multiline=["note"],
        )
        assert [(n, r["note"]) for n, r in rows] == [(2, "two\nlines"), (3, "")]

    def test_it_strips_spaces_around_names_and_values(self):
        assert read(" name , email \n  Ada ,  ada@example.com \n") == [
            (2, {"name": "Ada", "email": "ada@example.com"})
        ]

    def test_it_fills_short_rows_with_empty_values(self):
        assert read("name,email,note\nAda,ada@example.com\n") == [
            (2, {"name": "Ada", "email": "ada@example.com", "note": ""})
        ]

    def test_it_reads_windows_line_endings(self):
        assert len(read("name,email\r\nAda,ada@example.com\r\nBen,b@example.com\r\n")) == 2

    def test_it_reads_utf8_with_a_byte_order_mark(self):
        rows = read("\ufeffname,email\nZoë,zoe@example.com\n")
        assert rows == [(2, {"name": "Zoë", "email": "zoe@example.com"})]

    def test_it_refuses_text_that_is_not_utf8(self):
        assert problems("name,email\nZoë,zoe@example.com\n".encode("cp1252")) == [
            "The file is not UTF-8 text. Save it as 'CSV UTF-8' and try again."
        ]

    def test_it_refuses_an_empty_file(self):
        assert problems("") == ["The file is empty."]

    def test_it_refuses_a_header_without_rows(self):
        assert problems("name,email\n\n") == ["The file has a header row but no data rows."]

    def test_it_reports_every_header_problem_at_once(self):
        assert problems("name,name,phone,\nAda,Ada,1,\n") == [
            "Row 1: A column has no name in the header row.",
            "Row 1, column email: This column is missing from the header row.",
            "Row 1, column name: This column appears more than once.",
            "Row 1, column phone: Unknown column. Allowed columns: email, name, note.",
        ]

    def test_it_reports_every_row_longer_than_the_header(self):
        assert problems(
            "name,email\nAda,a@example.com,x\nBen,b@example.com\nCy,c@example.com,y,z\n"
        ) == [
            "Row 2: This row has 3 cells but the header has 2 columns.",
            "Row 4: This row has 4 cells but the header has 2 columns.",
        ]

    def test_it_refuses_too_many_rows(self):
        text = "name,email\n" + "".join(f"P{i},p{i}@example.com\n" for i in range(4))
        assert problems(text, max_rows=3) == ["The file has more than 3 rows; split it up."]

    def test_it_refuses_a_file_over_2_mb(self):
        big = b"name,email\n" + b"a" * MAX_UPLOAD_BYTES
        assert problems(big) == ["The file is larger than 2 MB."]

    def test_it_refuses_excels_utf16_unicode_text(self):
        assert problems("name,email\nAda,a@example.com\n".encode("utf-16")) == [
            "The file is not UTF-8 text. Save it as 'CSV UTF-8' and try again."
        ]


class RowForm(forms.Form):
    name = forms.CharField()
    email = forms.EmailField()

    def clean(self):
        data = super().clean()
        if data.get("name") == "Nobody":
            raise forms.ValidationError("Nobody is not a person.")
        return data


class TestFormErrors:
    def test_a_fields_errors_are_under_its_column(self):
        form = RowForm(data={"name": "", "email": "nope"})
        assert form_errors(7, form) == [
            CSVError(7, "name", "This field is required."),
            CSVError(7, "email", "Enter a valid email address."),
        ]

    def test_errors_about_the_whole_row_have_no_column(self):
        form = RowForm(data={"name": "Nobody", "email": "n@example.com"})
        assert form_errors(3, form) == [CSVError(3, "", "Nobody is not a person.")]


class TestValidationErrors:
    def test_keyed_errors_are_under_their_columns(self):
        error = ValidationError({"email": ["Taken."], "__all__": ["Whole row."]})
        assert validation_errors(5, error) == [
            CSVError(5, "email", "Taken."),
            CSVError(5, "", "Whole row."),
        ]

    def test_plain_errors_are_about_the_whole_row(self):
        assert validation_errors(9, ValidationError(["One.", "Two."])) == [
            CSVError(9, "", "One."),
            CSVError(9, "", "Two."),
        ]


class TestCSVError:
    def test_it_reads_as_row_column_and_message(self):
        assert str(CSVError(4, "email", "Taken.")) == "Row 4, column email: Taken."

    def test_an_error_about_the_whole_file_is_just_the_message(self):
        assert str(CSVError(None, "", "The file is empty.")) == "The file is empty."

    def test_the_import_error_lists_problems_in_file_order(self):
        error = CSVImportError(
            [CSVError(3, "name", "b"), CSVError(2, "role", "c"), CSVError(2, "email", "a")]
        )
        assert [(e.row, e.column) for e in error.errors] == [(2, "email"), (2, "role"), (3, "name")]


class TestBoundedReading:
    """A hostile or broken file cannot make the import hold a worker (issue 6, defect 4)."""

    def test_it_keeps_the_first_hundred_problems_and_counts_the_rest(self):
        bad_rows = "\n".join("a,b,c,d" for _ in range(3000))
        with pytest.raises(CSVImportError) as caught:
            read("name,email\n" + bad_rows + "\n")
        assert len(caught.value.errors) == MAX_ERRORS == 100
        assert caught.value.total == 3000
        assert caught.value.more == 2900

    def test_malformed_rows_count_toward_the_row_limit(self):
        text = "name,email\n" + "a,b,c\n" * 6 + "Ada,ada@example.com\n"
        assert problems(text, max_rows=5) == ["The file has more than 5 rows; split it up."]

    def test_a_quote_never_closed_names_the_row_where_it_opened(self):
        text = 'name,email,note\nAda,ada@example.com,ok\nBen,ben@example.com,"oops\n' + (
            "Cleo,cleo@example.com,fine\n" * 20
        )
        assert problems(text, multiline=["note"]) == [
            'Row 3: A quote (") opened in this row is never closed, so the rest of the file '
            "would be read into one cell. Close the quote or remove it."
        ]

    def test_a_line_break_in_a_column_that_allows_none_is_an_error_at_its_row(self):
        text = (
            'name,email,note\n"Ada,ada@example.com,x\nBen",ben@example.com,\nCleo,c@example.com\n'
        )
        found = problems(text)
        assert len(found) == 1
        assert found[0].startswith("Row 2, column name: This cell runs over several lines")

    def test_the_header_is_read_in_any_case(self):
        assert read("Name,EMAIL,Note\nAda,ada@example.com,hi\n") == [
            (2, {"name": "Ada", "email": "ada@example.com", "note": "hi"})
        ]

    def test_a_header_with_spaces_reads_as_the_column_name(self):
        rows = read(
            "name,email,Trainees reached\nAda,a@example.com,3\n", optional=["trainees_reached"]
        )
        assert rows == [(2, {"name": "Ada", "email": "a@example.com", "trainees_reached": "3"})]


class TestUploadForm:
    def test_it_refuses_a_file_over_2_mb_before_reading_it(self):
        from django.core.files.uploadedfile import SimpleUploadedFile

        from clm_portal.csvimport import CSVUploadForm

        big = SimpleUploadedFile("big.csv", b"x" * (MAX_UPLOAD_BYTES + 1), "text/csv")
        form = CSVUploadForm(data={}, files={"file": big})
        assert not form.is_valid()
        assert form.errors["file"] == ["The file is larger than 2 MB."]
