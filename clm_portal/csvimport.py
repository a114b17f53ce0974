"""Reading uploaded CSV files all-or-nothing, with every error named by row and column.

Rows are numbered as a spreadsheet shows them: the header is row 1, the first data row is 2.
Each data row is validated by a Django form whose field names are the CSV's column names,
so a field's errors are that column's errors.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TypeVar

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import transaction

MAX_UPLOAD_BYTES = 2 * 1024 * 1024
T = TypeVar("T")
MAX_ROWS = 5000


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


class CSVImportError(Exception):
    """The upload was refused; nothing was saved. `errors` lists every problem found."""

    def __init__(self, errors: list[CSVError]):
        self.errors = sorted(errors, key=lambda e: (e.row or 0, e.column))
        super().__init__(f"{len(errors)} problem(s) in the file")


def read_csv(
    upload,
    *,
    required: Iterable[str],
    optional: Iterable[str] = (),
    max_rows: int = MAX_ROWS,
) -> list[tuple[int, dict[str, str]]]:
    """Parse an uploaded file into (row number, {column: stripped value}) pairs.

    Raises CSVImportError for a file that is not UTF-8 CSV, misses a required column, has an
    unknown or repeated column, a row longer than the header, or too many rows. Blank rows
    are skipped.
    """
    required = list(required)
    known = set(required) | set(optional)
    raw = upload.read(MAX_UPLOAD_BYTES + 1)
    if len(raw) > MAX_UPLOAD_BYTES:
        raise CSVImportError([CSVError(None, "", "The file is larger than 2 MB.")])
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise CSVImportError(
            [
                CSVError(
                    None, "", "The file is not UTF-8 text. Save it as 'CSV UTF-8' and try again."
                )
            ]
        ) from exc
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader)
    except StopIteration:
        raise CSVImportError([CSVError(None, "", "The file is empty.")]) from None
    except csv.Error as exc:
        raise CSVImportError([CSVError(1, "", f"This is not a readable CSV row ({exc}).")]) from exc
    header = [h.strip() for h in header]

    errors: list[CSVError] = []
    seen: set[str] = set()
    for name in header:
        if not name:
            errors.append(CSVError(1, "", "A column has no name in the header row."))
        elif name in seen:
            errors.append(CSVError(1, name, "This column appears more than once."))
        elif name not in known:
            errors.append(
                CSVError(1, name, f"Unknown column. Allowed columns: {', '.join(sorted(known))}.")
            )
        seen.add(name)
    for name in required:
        if name not in seen:
            errors.append(CSVError(1, name, "This column is missing from the header row."))
    if errors:
        raise CSVImportError(errors)

    rows: list[tuple[int, dict[str, str]]] = []
    try:
        for number, cells in enumerate(reader, start=2):
            if not any(c.strip() for c in cells):
                continue
            if len(cells) > len(header):
                errors.append(
                    CSVError(
                        number,
                        "",
                        f"This row has {len(cells)} cells but the header has "
                        f"{len(header)} columns.",
                    )
                )
                continue
            cells = cells + [""] * (len(header) - len(cells))
            rows.append(
                (number, {name: value.strip() for name, value in zip(header, cells, strict=True)})
            )
            if len(rows) > max_rows:
                raise CSVImportError(
                    [CSVError(None, "", f"The file has more than {max_rows} rows; split it up.")]
                )
    except csv.Error as exc:
        errors.append(CSVError(reader.line_num, "", f"This is not a readable CSV row ({exc})."))
    if errors:
        raise CSVImportError(errors)
    if not rows:
        raise CSVImportError([CSVError(None, "", "The file has a header row but no data rows.")])
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
    """Create one object per row, or none: any problem raises CSVImportError listing them all.

    Each row is validated by `make_form(row)` and, if valid, by `check(number, form)` (for
    rules across rows, like duplicates). Then every valid row is created by `create(form)`
    in one transaction, each in a savepoint, so that problems only the service finds (a
    closed year, an existing member) are listed too; any problem rolls everything back.
    """
    errors: list[CSVError] = []
    valid: list[tuple[int, forms.BaseForm]] = []
    for number, data in rows:
        form = make_form(data)
        if not form.is_valid():
            errors.extend(form_errors(number, form))
        elif problems := (check(number, form) if check else []):
            errors.extend(problems)
        else:
            valid.append((number, form))
    created: list[T] = []
    with transaction.atomic():
        for number, form in valid:
            try:
                with transaction.atomic():
                    created.append(create(form))
            except ValidationError as error:
                errors.extend(validation_errors(number, error, columns))
        if errors:
            # Leaving the block by exception rolls back every row created above, and any
            # task queued on commit with it.
            raise CSVImportError(errors)
    return created
