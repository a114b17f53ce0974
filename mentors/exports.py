"""The activity log as CSV or XLSX: readable labels, real dates, in columns the import reads back.

Any text cell that a spreadsheet would run as a formula (starting with = + - @ tab or CR) gets
a leading apostrophe, in both formats; the import takes it off again.
"""

import csv
import io

from django.http import HttpResponse
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from .imports import ACTIVITY_HEADERS, FORMULA_STARTS
from .models import Stakeholder

CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
SHEET_TITLE = "Activity log"
STAKEHOLDER_LABELS = dict(Stakeholder.choices)


# One download holds at most this many entries (a year of a large region); more must be
# narrowed with the log's filters first.
MAX_EXPORT_ROWS = 50_000


def safe_cell(value):
    """Neutralise text that a spreadsheet would run as a formula (OWASP CSV injection)."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def xlsx_cell(value):
    """A worksheet refuses control characters (pasted from a PDF, say): leave them out."""
    if isinstance(value, str):
        return ILLEGAL_CHARACTERS_RE.sub("", value)
    return value


def activity_row(a) -> list:
    """One entry in the export's columns (ACTIVITY_HEADERS), values as people read them."""
    return [
        a.date,
        a.get_responsibility_display(),
        a.get_format_display(),
        float(a.hours),
        a.trainees_reached,
        "; ".join(t.name or t.email for t in a.trainees.all()),
        "; ".join(str(STAKEHOLDER_LABELS.get(code, code)) for code in a.others_engaged),
        ";".join(str(d.number) for d in a.gpc_domains.all()),
        a.notes,
        a.trust.ods_code,
    ]


def _rows(activities):
    return (activity_row(a) for a in activities.prefetch_related("trainees", "gpc_domains"))


def activities_csv(activities) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(ACTIVITY_HEADERS)
    for row in _rows(activities):
        row[0] = row[0].isoformat()
        writer.writerow([safe_cell(c) for c in row])
    return "\ufeff" + buffer.getvalue()  # the BOM: so Excel opens UTF-8 correctly


def activities_xlsx(activities) -> bytes:
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(SHEET_TITLE)
    sheet.append(ACTIVITY_HEADERS)
    for row in _rows(activities):
        day = WriteOnlyCell(sheet, value=row[0])
        day.number_format = "yyyy-mm-dd"
        # xlsx_cell before safe_cell: "\x01=1+1" would otherwise become a formula.
        sheet.append([day, *(safe_cell(xlsx_cell(c)) for c in row[1:])])
    stream = io.BytesIO()
    workbook.save(stream)
    return stream.getvalue()


def export_response(activities, fmt: str, filename: str) -> HttpResponse:
    body = activities_csv(activities) if fmt == "csv" else activities_xlsx(activities)
    response = HttpResponse(body, content_type=CONTENT_TYPES[fmt])
    response["Content-Disposition"] = f'attachment; filename="{filename}.{fmt}"'
    return response
