"""Reading uploaded CSV files all-or-nothing, with every error named by row and column.

Rows are numbered as a spreadsheet shows them: the header is row 1, the first data row is 2
(a cell spanning several lines is still one row). Each data row is validated by a Django form
whose field names are the CSV's column names, so a field's errors are that column's errors.

An upload is bounded: at most 2 MB, at most `MAX_ROWS` data rows (every non-blank row counts,
readable or not), and at most `MAX_ERRORS` problems are kept in detail; the rest are counted.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import TypeVar

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import transaction
from django.http import HttpRequest, HttpResponse

MAX_UPLOAD_BYTES = 2 * 1024 * 1024
MAX_ROWS = 5000
MAX_ERRORS = 100
T = TypeVar("T")


@dataclass(frozen=True)
class CSVError:
    row: int | None  # None: the file as a whole
    column: str  # "" when the error is about the whole row or file
    message: str

    def __str__(self) -> str:
        where = []
        if self.row is not None:
            where.append(f"Row {self.row}")
        if self.column:
            where.append(f"column {self.column}")
        prefix = ", ".join(where)
        return f"{prefix}: {self.message}" if prefix else self.message


class Problems:
    """Errors found so far: the first `limit` kept in detail, every one counted."""

    def __init__(self, limit: int = MAX_ERRORS):
        self.limit = limit
        self.kept: list[CSVError] = []
        self.total = 0

    def add(self, *errors: CSVError) -> None:
        for error in errors:
            self.total += 1
            if len(self.kept) < self.limit:
                self.kept.append(error)

    def extend(self, errors: Iterable[CSVError]) -> None:
        self.add(*errors)

    def __bool__(self) -> bool:
        return self.total > 0

    def raise_if_any(self) -> None:
        if self.total:
            raise CSVImportError(self.kept, total=self.total)


class CSVImportError(Exception):
    """The upload was refused; nothing was saved.

    `errors` holds at most `MAX_ERRORS` problems in row order; `total` counts them all and
    `more` is how many are not listed.
    """

    def __init__(self, errors: list[CSVError], *, total: int | None = None):
        shown = sorted(errors, key=lambda e: (e.row or 0, e.column))[:MAX_ERRORS]
        self.errors = shown
        self.total = max(total or 0, len(errors))
        self.more = self.total - len(shown)
        super().__init__(f"{self.total} problem(s) in the file")


def _file_error(message: str, row: int | None = None) -> CSVImportError:
    return CSVImportError([CSVError(row, "", message)])


def normalise_column(name: str) -> str:
    """A header cell as a column name: "Trainees reached" and "TRAINEES_REACHED" alike."""
    return "_".join(name.strip().lower().replace("-", " ").split())


def _decode(upload) -> str:
    raw = upload.read(MAX_UPLOAD_BYTES + 1)
    if len(raw) > MAX_UPLOAD_BYTES:
        raise _file_error("The file is larger than 2 MB.")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise _file_error(
            "The file is not UTF-8 text. Save it as 'CSV UTF-8' and try again."
        ) from exc


def _records(text: str) -> Iterator[tuple[int, list[str]]]:
    """(row number, cells) for each record. A quote left open is an error naming its row."""
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    number = 0
    while True:
        number += 1
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            if "end of data" in str(exc):
                raise _file_error(
                    'A quote (") opened in this row is never closed, so the rest of the file '
                    "would be read into one cell. Close the quote or remove it.",
                    row=number,
                ) from exc
            raise _file_error(f"This is not a readable CSV row ({exc}).", row=number) from exc
        yield number, cells


def _check_header(cells: list[str], required: list[str], known: set[str]) -> list[str]:
    header = [normalise_column(c) for c in cells]
    problems = Problems()
    seen: set[str] = set()
    for name in header:
        if not name:
            problems.add(CSVError(1, "", "A column has no name in the header row."))
        elif name in seen:
            problems.add(CSVError(1, name, "This column appears more than once."))
        elif name not in known:
            allowed = ", ".join(sorted(known))
            problems.add(CSVError(1, name, f"Unknown column. Allowed columns: {allowed}."))
        seen.add(name)
    for name in required:
        if name not in seen:
            problems.add(CSVError(1, name, "This column is missing from the header row."))
    problems.raise_if_any()
    return header


def _row_problems(number: int, cells: list[str], header: list[str], multiline: set[str]):
    if len(cells) > len(header):
        return [
            CSVError(
                number,
                "",
                f"This row has {len(cells)} cells but the header has {len(header)} columns.",
            )
        ]
    return [
        CSVError(
            number,
            name,
            'This cell runs over several lines: a quote (") opened in it is probably not '
            "closed where you meant. Close the quote or remove it.",
        )
        for name, value in zip(header, cells, strict=False)
        if name not in multiline and ("\n" in value or "\r" in value)
    ]


def read_csv(
    upload,
    *,
    required: Iterable[str],
    optional: Iterable[str] = (),
    multiline: Iterable[str] = (),
    max_rows: int = MAX_ROWS,
) -> list[tuple[int, dict[str, str]]]:
    """Parse an uploaded file into (row number, {column: stripped value}) pairs.

    Column names are matched in any case. Raises CSVImportError for a file that is not UTF-8
    CSV, misses a required column, has an unknown or repeated column, a row longer than the
    header, a quote left open, a line break in a column not in `multiline`, or more than
    `max_rows` non-blank rows (counted whether readable or not). Blank rows are skipped.
    """
    required = list(required)
    known = set(required) | set(optional)
    records = _records(_decode(upload))
    first = next(records, None)
    if first is None:
        raise _file_error("The file is empty.")
    header = _check_header(first[1], required, known)
    multiline = set(multiline)
    problems = Problems()
    rows: list[tuple[int, dict[str, str]]] = []
    counted = 0
    for number, cells in records:
        if not any(c.strip() for c in cells):
            continue
        counted += 1
        if counted > max_rows:
            raise _file_error(f"The file has more than {max_rows} rows; split it up.")
        if found := _row_problems(number, cells, header, multiline):
            problems.extend(found)
            continue
        cells = cells + [""] * (len(header) - len(cells))
        rows.append((number, {n: v.strip() for n, v in zip(header, cells, strict=True)}))
    problems.raise_if_any()
    if not rows:
        raise _file_error("The file has a header row but no data rows.")
    return rows


def form_errors(row: int, form: forms.BaseForm) -> list[CSVError]:
    """A row form's errors as CSV errors, each field's under its column."""
    return [
        CSVError(row, "" if field == NON_FIELD_ERRORS else field, message)
        for field, messages in form.errors.items()
        for message in messages
    ]


def validation_errors(
    row: int, error: ValidationError, columns: dict[str, str] | None = None
) -> list[CSVError]:
    """A service's ValidationError as CSV errors, keyed fields under their columns.

    `columns` renames a service's field to the CSV column it came from (minutes → hours).
    """
    columns = columns or {}
    if hasattr(error, "error_dict"):
        return [
            CSVError(row, "" if field == NON_FIELD_ERRORS else columns.get(field, field), message)
            for field, messages in error.message_dict.items()
            for message in messages
        ]
    return [CSVError(row, "", message) for message in error.messages]


def import_rows(
    rows: list[tuple[int, dict[str, str]]],
    *,
    make_form: Callable[[dict[str, str]], forms.BaseForm],
    create: Callable[[forms.BaseForm], T],
    check: Callable[[int, forms.BaseForm], list[CSVError]] | None = None,
    columns: dict[str, str] | None = None,
) -> list[T]:
    """Create one object per row, or none: any problem raises CSVImportError listing them.

    Each row is validated by `make_form(row)` and, if valid, by `check(number, form)` (for
    rules across rows, like duplicates). Then every valid row is created by `create(form)`
    in one transaction, each in a savepoint, so that problems only the service finds (a
    closed year, an existing member) are listed too; any problem rolls everything back.
    For per-row services (invitations, which send email); bulk imports validate in memory.
    """
    problems = Problems()
    valid: list[tuple[int, forms.BaseForm]] = []
    for number, data in rows:
        form = make_form(data)
        if not form.is_valid():
            problems.extend(form_errors(number, form))
        elif found := (check(number, form) if check else []):
            problems.extend(found)
        else:
            valid.append((number, form))
    problems.raise_if_any()
    created: list[T] = []
    with transaction.atomic():
        for number, form in valid:
            try:
                with transaction.atomic():
                    created.append(create(form))
            except ValidationError as error:
                problems.extend(validation_errors(number, error, columns))
        # Leaving the block by exception rolls back every row created above, and any task
        # queued on commit with it.
        problems.raise_if_any()
    return created


# --- Uploading, in views ------------------------------------------------------------------------


class CSVUploadForm(forms.Form):
    """The one upload form: a CSV file of at most 2 MB (checked before anything is read)."""

    file = forms.FileField(label="Upload a CSV file", help_text="Save as 'CSV UTF-8'; up to 2 MB.")

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError("The file is larger than 2 MB.")
        return upload


@dataclass
class Upload:
    """What a view needs after handling an upload: the form, the result or the refusal."""

    form: CSVUploadForm
    result: object = None
    refused: CSVImportError | None = None

    @property
    def done(self) -> bool:
        return self.result is not None

    def context(self) -> dict:
        return {"form": self.form, "csv_refused": self.refused}

    @property
    def status(self) -> int:
        return 400 if self.refused or self.form.errors else 200


def handle_upload(request: HttpRequest, run: Callable[[object], T]) -> Upload:
    """Validate the upload form and, on a valid POST, call `run(file)`.

    A CSVImportError becomes `refused` for the shared error template
    (templates/includes/csv_errors.html); anything else `run` raises propagates.
    """
    form = CSVUploadForm(request.POST or None, request.FILES or None)
    upload = Upload(form)
    if request.method == "POST" and form.is_valid():
        try:
            upload.result = run(form.cleaned_data["file"])
        except CSVImportError as error:
            upload.refused = error
    return upload


def template_response(filename: str, header: Iterable[str], *examples: Iterable) -> HttpResponse:
    """A CSV template to download: the header row and example rows, UTF-8 with a BOM."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(header)
    for row in examples:
        writer.writerow(row)
    response = HttpResponse("\ufeff" + buffer.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
