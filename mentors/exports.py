"""The activity log as CSV or XLSX, in the same columns the import reads."""

import tablib
from django.http import HttpResponse
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from .forms import ACTIVITY_COLUMNS, FORMULA_STARTS

CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


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


def activities_dataset(activities, fmt: str = "csv") -> tablib.Dataset:
    dataset = tablib.Dataset(headers=list(ACTIVITY_COLUMNS))
    for a in activities:
        row = {
            "date": a.date.isoformat(),
            "responsibility": a.responsibility,
            "format": a.format,
            "hours": float(a.hours),
            "trainees_reached": a.trainees_reached,
            "others_engaged": ";".join(a.others_engaged),
            "gpc_domains": ";".join(str(d.number) for d in a.gpc_domains.all()),
            "notes": a.notes,
            "trust": a.trust.ods_code,
        }
        cells = [row[c] for c in ACTIVITY_COLUMNS]
        if fmt == "xlsx":
            cells = [xlsx_cell(c) for c in cells]  # before safe_cell: "\x01=1+1" is a formula
        dataset.append([safe_cell(c) for c in cells])
    return dataset


def export_response(activities, fmt: str, filename: str) -> HttpResponse:
    dataset = activities_dataset(activities, fmt)
    body = dataset.export(fmt)
    if fmt == "csv":
        body = "\ufeff" + body  # so Excel opens the UTF-8 file correctly
    response = HttpResponse(body, content_type=CONTENT_TYPES[fmt])
    response["Content-Disposition"] = f'attachment; filename="{filename}.{fmt}"'
    return response
