"""Importing the activity log from a CSV file: read, validate every row in memory, insert in bulk.

The rules are those of `services.activity_create` (a CLM of the Trust; a date inside one of
their appointments, not in a closed training year, not in the future), checked against data
loaded once for the whole file, so the number of queries does not grow with the rows. Rows
already in the log (or repeated in the file) are skipped and counted, so that re-importing an
export does not duplicate entries.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import date, datetime

from django import forms
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from clm_portal.csvimport import CSVError, Problems, form_errors, read_csv
from trusts.models import Trust, User

from .forms import HoursField, activity_fields
from .models import (
    Activity,
    ActivityFormat,
    Appointment,
    GPCDomain,
    Responsibility,
    Stakeholder,
    training_year_start,
)
from .selectors import closed_year_starts, trainees_of

ACTIVITY_COLUMNS = (
    "date",
    "responsibility",
    "format",
    "hours",
    "trainees_reached",
    "trainees",
    "others_engaged",
    "gpc_domains",
    "notes",
    "trust",
)
ACTIVITY_REQUIRED_COLUMNS = ("date", "responsibility", "format", "hours")
# The export's headers, in the same order: the import reads them back (any case, spaces or _).
ACTIVITY_HEADERS = (
    "Date",
    "Responsibility",
    "Format",
    "Hours",
    "Trainees reached",
    "Trainees",
    "Others engaged",
    "GPC domains",
    "Notes",
    "Trust",
)
DATE_FORMATS = ("%Y-%m-%d", "%d/%m/%Y", "%d/%m/%y", "%d-%m-%Y", "%d.%m.%Y")
# A spreadsheet treats a cell starting with one of these as a formula; the export puts an
# apostrophe before such a cell, and the import takes it off again.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _split(value: str, separators: str = ",;") -> list[str]:
    for sep in separators[1:]:
        value = value.replace(sep, separators[0])
    return [part.strip() for part in value.split(separators[0]) if part.strip()]


def _unneutralise(value: str) -> str:
    if value.startswith("'") and value[1:].startswith(FORMULA_STARTS):
        return value[1:]
    return value


def _key(text: str) -> str:
    return " ".join(text.lower().replace("_", " ").split())


def _lookup(choices) -> dict[str, str]:
    """Codes and labels, in any case, to codes: "BUDDYING", "Buddying and shadowing"."""
    table = {}
    for code, label in choices:
        table[_key(code)] = code
        table[_key(str(label))] = code
    return table


RESPONSIBILITIES = _lookup(Responsibility.choices)
FORMATS = _lookup(ActivityFormat.choices)
STAKEHOLDERS = _lookup(Stakeholder.choices)


def _choice(value: str, table: dict[str, str], what: str, choices) -> str:
    code = table.get(_key(value))
    if code is None:
        labels = "; ".join(str(label) for _, label in choices)
        raise forms.ValidationError(
            f"'{value}' is not a {what}. Use one of: {labels} (or its code)."
        )
    return code


class TraineeNames:
    """The Trust's trainees by email and by name (any case), loaded once for a file."""

    def __init__(self, trust: Trust):
        self.by_email: dict[str, User] = {}
        self.by_name: dict[str, list[User]] = defaultdict(list)
        for trainee in trainees_of(trust=trust):
            self.by_email[trainee.email.lower()] = trainee
            self.by_name[_key(trainee.name)].append(trainee)

    def find(self, text: str) -> User:
        found = self.by_email.get(text.lower())
        if found is not None:
            return found
        named = self.by_name.get(_key(text), [])
        if len(named) == 1:
            return named[0]
        if named:
            raise forms.ValidationError(
                f"{len(named)} trainees of your Trust are called '{text}': use their email instead."
            )
        raise forms.ValidationError(
            f"'{text}' is not a trainee of your Trust (give their name or email)."
        )


class ActivityRowForm(forms.Form):
    """One row of an activity CSV: codes or the labels shown on screen, in any case."""

    date = forms.CharField(error_messages={"required": "Enter the date."})
    responsibility = forms.CharField(error_messages={"required": "Enter a responsibility."})
    format = forms.CharField(error_messages={"required": "Enter a format."})
    hours = HoursField()
    trainees_reached = forms.IntegerField(required=False, min_value=0, max_value=100000)
    trainees = forms.CharField(required=False)
    others_engaged = forms.CharField(required=False)
    gpc_domains = forms.CharField(required=False)
    notes = forms.CharField(required=False, max_length=5000)
    trust = forms.CharField(required=False)

    def __init__(self, *args, trust: Trust, trainee_names: TraineeNames | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.trust = trust
        self.trainee_names = trainee_names

    def clean_date(self):
        raw = self.cleaned_data["date"]
        for fmt in DATE_FORMATS:
            try:
                day = datetime.strptime(raw, fmt).date()
            except ValueError:
                continue
            if day > timezone.localdate():
                raise forms.ValidationError("The date cannot be in the future.")
            return day
        raise forms.ValidationError(
            f"'{raw}' is not a date. Use YYYY-MM-DD or DD/MM/YYYY, like 2026-09-14."
        )

    def clean_responsibility(self):
        return _choice(
            self.cleaned_data["responsibility"],
            RESPONSIBILITIES,
            "responsibility",
            Responsibility.choices,
        )

    def clean_format(self):
        return _choice(self.cleaned_data["format"], FORMATS, "format", ActivityFormat.choices)

    def clean_notes(self):
        return _unneutralise(self.cleaned_data["notes"])

    def clean_trainees(self):
        names = _split(_unneutralise(self.cleaned_data["trainees"]), ";")
        if names and self.trainee_names is None:
            raise forms.ValidationError("Named trainees cannot be imported here.")
        errors, found = [], []
        for name in names:
            try:
                found.append(self.trainee_names.find(name))
            except forms.ValidationError as error:
                errors.extend(error.messages)
        if errors:
            raise forms.ValidationError(errors)
        return list({t.pk: t for t in found}.values())

    def clean_others_engaged(self):
        parts = _split(self.cleaned_data["others_engaged"])
        codes = [STAKEHOLDERS.get(_key(p)) for p in parts]
        unknown = [p for p, c in zip(parts, codes, strict=True) if c is None]
        if unknown:
            labels = "; ".join(str(label) for _, label in Stakeholder.choices)
            raise forms.ValidationError(
                f"Unknown: {', '.join(unknown)}. Use these separated by ';': {labels} "
                "(or their codes)."
            )
        return list(dict.fromkeys(codes))

    def clean_gpc_domains(self):
        parts = _split(self.cleaned_data["gpc_domains"])
        if any(not p.isdigit() or not 1 <= int(p) <= 9 for p in parts):
            raise forms.ValidationError("Use GPC domain numbers from 1 to 9 separated by ';'.")
        return sorted({int(p) for p in parts})

    def clean_trust(self):
        code = self.cleaned_data["trust"].upper()
        if code and code != self.trust.ods_code:
            raise forms.ValidationError(
                f"This row is for {code}, but you are importing into {self.trust.ods_code}."
            )
        return code

    def service_kwargs(self, domains: dict[int, GPCDomain]) -> dict:
        data = self.cleaned_data
        return activity_fields(
            data,
            trainees=data.get("trainees") or [],
            gpc_domains=[domains[n] for n in data["gpc_domains"]],
        )


@dataclass(frozen=True)
class ActivityImport:
    created: int
    already_logged: int  # rows skipped: the same entry is already in the log
    repeated: int  # rows skipped: the same entry appears earlier in the file

    @property
    def message(self) -> str:
        parts = [f"Imported {self.created} entr{'y' if self.created == 1 else 'ies'}."]
        if self.already_logged:
            n = self.already_logged
            parts.append(
                f"{n} row{'s were' if n != 1 else ' was'} already in your log and "
                f"{'were' if n != 1 else 'was'} skipped."
            )
        if self.repeated:
            n = self.repeated
            parts.append(
                f"{n} row{'s' if n != 1 else ''} repeated an earlier row of the file and "
                f"{'were' if n != 1 else 'was'} skipped."
            )
        return " ".join(parts)


class _Rules:
    """What a row is checked against, loaded once: appointments, closed years."""

    def __init__(self, *, by: User, trust: Trust):
        self.appointments = list(
            Appointment.objects.filter(user=by, trust=trust).order_by("-starts_on")
        )
        self.closed = closed_year_starts()

    def appointment_for(self, day: date) -> Appointment | None:
        for appointment in self.appointments:
            if appointment.starts_on <= day and (
                appointment.ends_on is None or appointment.ends_on >= day
            ):
                return appointment
        return None

    def problems(self, number: int, day: date) -> list[CSVError]:
        start = training_year_start(day)
        if start in self.closed:
            year = f"{start.year}/{(start.year + 1) % 100:02d}"
            return [
                CSVError(
                    number, "date", f"The {year} training year is closed: its entries are locked."
                )
            ]
        if self.appointment_for(day) is None:
            return [CSVError(number, "date", "The date must be within your CLM appointment.")]
        return []


def _entry_key(fields: dict) -> tuple:
    return (
        fields["date"],
        fields["responsibility"],
        fields["format"],
        fields["minutes"],
        fields["notes"],
    )


def _existing_keys(trust: Trust, days: list[date]) -> set[tuple]:
    if not days:
        return set()
    return set(
        Activity.objects.filter(trust=trust, date__range=(min(days), max(days))).values_list(
            "date", "responsibility", "format", "minutes", "notes"
        )
    )


def _validate(rows, *, by: User, trust: Trust) -> list[tuple[int, dict]]:
    """Every row's activity fields, or CSVImportError listing the problems (capped)."""
    rules = _Rules(by=by, trust=trust)
    names = TraineeNames(trust)
    domains = {d.number: d for d in GPCDomain.objects.all()}
    problems = Problems()
    valid: list[tuple[int, dict]] = []
    for number, data in rows:
        form = ActivityRowForm(data=data, trust=trust, trainee_names=names)
        if not form.is_valid():
            problems.extend(form_errors(number, form))
            continue
        fields = form.service_kwargs(domains)
        if found := rules.problems(number, fields["date"]):
            problems.extend(found)
            continue
        fields["appointment"] = rules.appointment_for(fields["date"])
        valid.append((number, fields))
    problems.raise_if_any()
    return valid


def _insert(entries: list[dict], *, by: User, trust: Trust) -> list[Activity]:
    activities = [
        Activity(
            trust=trust,
            appointment=f["appointment"],
            logged_by=by,
            date=f["date"],
            responsibility=f["responsibility"],
            format=f["format"],
            minutes=f["minutes"],
            trainees_reached=max(f["trainees_reached"], len(f["trainees"])),
            others_engaged=f["others_engaged"],
            notes=f["notes"],
        )
        for f in entries
    ]
    created = Activity.objects.bulk_create(activities, batch_size=500)
    trainee_links = Activity.trainees.through
    domain_links = Activity.gpc_domains.through
    trainee_links.objects.bulk_create(
        [
            trainee_links(activity_id=a.pk, user_id=t.pk)
            for a, f in zip(created, entries, strict=True)
            for t in f["trainees"]
        ],
        batch_size=1000,
    )
    domain_links.objects.bulk_create(
        [
            domain_links(activity_id=a.pk, gpcdomain_id=d.pk)
            for a, f in zip(created, entries, strict=True)
            for d in f["gpc_domains"]
        ],
        batch_size=1000,
    )
    return created


def activities_import_csv(*, by: User, trust: Trust, upload) -> ActivityImport:
    """Log every new row of a CSV file, or none: any bad row raises CSVImportError.

    Rows already in the Trust's log (same date, responsibility, format, time and notes), and
    rows repeating an earlier row of the file, are skipped and counted.
    """
    if not by.has_perm("mentors.log_activity", trust):
        raise PermissionDenied("Only the Trust's CLM can import its activity.")
    rows = read_csv(
        upload, required=ACTIVITY_REQUIRED_COLUMNS, optional=ACTIVITY_COLUMNS, multiline=["notes"]
    )
    valid = _validate(rows, by=by, trust=trust)
    with transaction.atomic():
        existing = _existing_keys(trust, [f["date"] for _, f in valid])
        seen: Counter[str] = Counter()
        new: list[dict] = []
        keys: set[tuple] = set()
        for _, fields in valid:
            key = _entry_key(fields)
            if key in existing:
                seen["logged"] += 1
            elif key in keys:
                seen["repeated"] += 1
            else:
                keys.add(key)
                new.append(fields)
        created = _insert(new, by=by, trust=trust)
    return ActivityImport(
        created=len(created), already_logged=seen["logged"], repeated=seen["repeated"]
    )


def activity_template_rows() -> tuple[tuple, tuple]:
    """The template file: the export's header and one example row."""
    example = (
        timezone.localdate().isoformat(),
        Responsibility.BUDDYING.label,
        ActivityFormat.MEETING.label,
        "1.5",
        "3",
        "",
        f"{Stakeholder.SUPERVISORS.label}; {Stakeholder.MANAGERS.label}",
        "5;6",
        "Shadowing at the divisional board",
        "",
    )
    return ACTIVITY_HEADERS, example


def column_choices() -> dict:
    """The accepted labels, for the import page's table of columns."""
    return {
        "responsibilities": Responsibility.choices,
        "formats": ActivityFormat.choices,
        "stakeholders": Stakeholder.choices,
    }
