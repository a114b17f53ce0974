import re
import uuid
from decimal import Decimal

from django import forms
from django.utils import timezone

from clm_portal.forms import DateInput, QuickSelect
from trusts.models import User

from .models import (
    RESPONSIBILITY_DESCRIPTIONS,
    ActivityFormat,
    Appointment,
    CaseStudy,
    GPCDomain,
    NetworkDay,
    Responsibility,
    Stakeholder,
)

MAX_HOURS = Decimal(24)
# The picker sends ISO dates; people type UK ones (never the US month first).
DATE_INPUT_FORMATS = ["%Y-%m-%d", "%d/%m/%Y", "%d/%m/%y", "%d-%m-%Y", "%d.%m.%Y"]
# An entry above this many hours is probably a typing slip (15 for 1.5): ask before saving it.
CONFIRM_ABOVE_HOURS = Decimal(8)


def _choose(choices) -> list[tuple[str, str]]:
    return [("", "Choose…"), *choices]


def hours_to_minutes(hours: Decimal) -> int:
    return int((hours * 60).to_integral_value())


def activity_fields(data: dict, *, trainees: list, gpc_domains: list) -> dict:
    """A valid form's data as the activity services take it (hours become minutes)."""
    return {
        "date": data["date"],
        "responsibility": data["responsibility"],
        "format": data["format"],
        "minutes": hours_to_minutes(data["hours"]),
        "trainees_reached": data.get("trainees_reached") or 0,
        "trainees": trainees,
        "others_engaged": list(data.get("others_engaged") or []),
        "gpc_domains": gpc_domains,
        "notes": data.get("notes", ""),
        "opportunity": data.get("opportunity"),
    }


HOURS_HELP = "For example 1.5 or 1,5 (an hour and a half), 1:30, 1h30 or 90 min."
HOURS_INVALID = "Enter the time spent in hours or minutes, like 1.5, 1:30 or 90 min."
_NUMBER = r"(-?\d+(?:[.,]\d+)?|-?[.,]\d+)"
_MINUTE_WORDS = r"(?:m|min|mins|minute|minutes)"
_HOUR_WORDS = r"(?:h|hr|hrs|hour|hours)"
_HOURS_PATTERNS = (
    # 1.5, 1,5 (a decimal comma), 1.5 hours
    (re.compile(rf"^{_NUMBER}\s*{_HOUR_WORDS}?$"), lambda m: _decimal(m[1]), True),
    # 1:30
    (
        re.compile(r"^(\d{1,2}):([0-5]\d)$"),
        lambda m: Decimal(int(m[1]) * 60 + int(m[2])) / 60,
        False,
    ),
    # 90 min, 90m, 45 minutes
    (re.compile(rf"^(\d+)\s*{_MINUTE_WORDS}$"), lambda m: Decimal(int(m[1])) / 60, False),
    # 1h30, 1h 30m, 1 hour 30 minutes
    (
        re.compile(rf"^(\d+)\s*{_HOUR_WORDS}\s*([0-5]?\d)\s*{_MINUTE_WORDS}?$"),
        lambda m: Decimal(int(m[1]) * 60 + int(m[2])) / 60,
        False,
    ),
)


def _decimal(text: str) -> Decimal:
    return Decimal(text.replace(",", "."))


def parse_hours(text: str) -> Decimal:
    """Hours from what people type: 1.5, 1,5, 1:30, 1h30, 90 min. ValidationError otherwise."""
    value = " ".join(str(text).strip().lower().split())
    for pattern, to_hours, decimal in _HOURS_PATTERNS:
        if match := pattern.match(value):
            hours = to_hours(match)
            if decimal and hours.as_tuple().exponent < -2:
                raise forms.ValidationError(
                    "Enter the time to the nearest minute, like 1.25 or 1:15.", code="places"
                )
            return hours
    raise forms.ValidationError(HOURS_INVALID, code="invalid")


class HoursField(forms.Field):
    """Time spent, typed as hours or minutes; cleans to a Decimal of hours (more than 0, at most
    24). A decimal comma is a decimal point: "1,5" is an hour and a half, never 15 hours."""

    widget = forms.TextInput

    def __init__(self, **kwargs):
        kwargs.setdefault("label", "Time spent (hours)")
        kwargs.setdefault("help_text", HOURS_HELP)
        kwargs.setdefault("error_messages", {"required": "Enter the time spent, in hours."})
        super().__init__(**kwargs)
        self.widget.attrs.update(
            {"class": "nhsuk-input--width-5", "autocomplete": "off", "spellcheck": "false"}
        )

    def to_python(self, value):
        if value in self.empty_values:
            return None
        if isinstance(value, Decimal | int | float):
            return Decimal(str(value))
        return parse_hours(value)

    def validate(self, value):
        super().validate(value)
        if value is None:
            return
        if value <= 0:
            raise forms.ValidationError("The time spent must be more than 0 hours.")
        if value > MAX_HOURS:
            raise forms.ValidationError("The time spent must be 24 hours or less.")
        if hours_to_minutes(value) < 1:
            raise forms.ValidationError("The time spent must be at least a minute.")


class ActivityForm(forms.Form):
    """Logging an activity. `quick=True` is the home page's short form."""

    date = forms.DateField(
        widget=DateInput,
        input_formats=DATE_INPUT_FORMATS,
        error_messages={
            "required": "Enter the date.",
            "invalid": "Enter a real date, like 14/09/2026.",
        },
    )
    responsibility = forms.ChoiceField(
        choices=_choose(Responsibility.choices),
        error_messages={"required": "Choose the responsibility this activity was for."},
    )
    format = forms.ChoiceField(
        choices=_choose(ActivityFormat.choices),
        error_messages={"required": "Choose the format of the activity."},
    )
    hours = HoursField()
    trainees_reached = forms.IntegerField(
        label="Trainees reached",
        required=False,
        min_value=0,
        max_value=100000,
        initial=0,
        help_text="How many trainees took part or benefited.",
        widget=forms.NumberInput(attrs={"class": "nhsuk-input--width-5", "inputmode": "numeric"}),
    )
    trainees = forms.ModelMultipleChoiceField(
        label="Named trainees (optional)",
        queryset=User.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Trainees of the Trust you worked with. Tick each one.",
    )
    others_engaged = forms.MultipleChoiceField(
        label="Other people engaged (optional)",
        choices=Stakeholder.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    gpc_domains = forms.ModelMultipleChoiceField(
        label="GPC domains (optional)",
        queryset=GPCDomain.objects.all(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    notes = forms.CharField(
        label="Notes (optional)",
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="What you did, with whom, named initiatives: the year-end report uses it.",
    )
    opportunity = forms.ModelChoiceField(
        label="Opportunity it served (optional)",
        queryset=GPCDomain.objects.none(),
        required=False,
        empty_label="None",
        widget=QuickSelect,
        help_text="The opportunity's page then lists this work behind it.",
    )
    confirm_hours = forms.BooleanField(required=False)
    # One key per form shown: a second submission of the same form (a double click, a resent
    # POST) finds the entry the first one saved instead of logging it twice.
    submission = forms.UUIDField(required=False, widget=forms.HiddenInput)

    QUICK_FIELDS = (
        "date",
        "responsibility",
        "format",
        "hours",
        "trainees_reached",
        "notes",
        "confirm_hours",
        "submission",
    )

    def __init__(self, *args, trainees=None, opportunities=None, quick: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.needs_hours_confirmation = False
        self.fields["submission"].initial = uuid.uuid4
        if quick:
            for name in list(self.fields):
                if name not in self.QUICK_FIELDS:
                    del self.fields[name]
            # One text box, not the browser's date picker: its day, month and year parts are
            # three Tab stops, and the date is today unless changed.
            self.fields["date"].widget = forms.DateInput(
                format="%d/%m/%Y", attrs={"class": "nhsuk-input--width-10", "autocomplete": "off"}
            )
            self.fields["date"].help_text = "Today unless you change it, for example 14/09/2026."
        elif trainees is not None:
            self.fields["trainees"].queryset = trainees
        if "trainees" in self.fields and trainees is None:
            del self.fields["trainees"]
        if "opportunity" in self.fields:
            if opportunities is None:
                del self.fields["opportunity"]
            else:
                self.fields["opportunity"].queryset = opportunities
        self.fields["responsibility"].help_text = "The job-description responsibility it served."

    def clean_date(self):
        day = self.cleaned_data["date"]
        if day > timezone.localdate():
            raise forms.ValidationError("The date cannot be in the future.")
        return day

    def clean_trainees_reached(self):
        value = self.cleaned_data.get("trainees_reached")
        return 0 if value is None else value

    def clean(self):
        data = super().clean()
        hours = data.get("hours")
        if hours is not None and hours > CONFIRM_ABOVE_HOURS and not data.get("confirm_hours"):
            self.needs_hours_confirmation = True
            label = f"Yes, {_plain(hours)} hours is right"
            # The bound field is built (and caches its label) while the fields are cleaned.
            self.fields["confirm_hours"].label = self["confirm_hours"].label = label
            self.add_error(
                "hours",
                f"{_plain(hours)} hours is far above the weekly allocation. Check the time "
                "spent, or confirm it below.",
            )
        return data

    def service_kwargs(self) -> dict:
        data = self.cleaned_data
        fields = activity_fields(
            data,
            trainees=list(data.get("trainees") or []),
            gpc_domains=list(data.get("gpc_domains") or []),
        )
        if data.get("submission"):
            fields["submission_key"] = data["submission"]
        return fields


def _plain(hours: Decimal) -> str:
    """Hours as people write them: 12, 12.5, 9.25."""
    minutes = hours_to_minutes(hours)
    text = f"{Decimal(minutes) / 60:.2f}".rstrip("0").rstrip(".")
    return text


def responsibility_hints() -> list[tuple[str, str, str]]:
    return [
        (code, label, RESPONSIBILITY_DESCRIPTIONS[code]) for code, label in Responsibility.choices
    ]


# --- Appointments, training years, the network --------------------------------------------------


class AppointmentForm(forms.ModelForm):
    confirm_second = forms.BooleanField(
        label="Yes, record a second current CLM in this Trust", required=False
    )

    class Meta:
        model = Appointment
        fields = ["user", "starts_on", "hours_per_week"]
        labels = {"user": "Clinical Leadership Mentor"}
        widgets = {"starts_on": DateInput}
        help_texts = {"hours_per_week": "0.5 PA is 2 hours a week."}

    def __init__(self, *args, candidates, **kwargs):
        super().__init__(*args, **kwargs)
        # Shown only once the service has warned that the Trust already has a current CLM.
        self.ask_confirm_second = False
        self.fields["user"].queryset = candidates
        self.fields["user"].empty_label = "Choose…"
        self.fields["user"].help_text = (
            "People in the Trust who are not trainees and not already its CLM. "
            "To appoint someone new, invite them first."
        )


class EndAppointmentForm(forms.Form):
    ends_on = forms.DateField(label="Last day", widget=DateInput)

    def __init__(self, *args, appointment: Appointment, **kwargs):
        super().__init__(*args, **kwargs)
        self.appointment = appointment

    def clean_ends_on(self):
        day = self.cleaned_data["ends_on"]
        if day < self.appointment.starts_on:
            raise forms.ValidationError("The last day cannot be before the appointment started.")
        if day > timezone.localdate():
            raise forms.ValidationError("End an appointment on or after its last day.")
        return day


class NudgeForm(forms.ModelForm):
    class Meta:
        model = Appointment
        fields = ["weekly_nudge"]
        labels = {"weekly_nudge": "Send me a weekly summary email"}


class CaseStudyForm(forms.ModelForm):
    class Meta:
        model = CaseStudy
        fields = ["title", "responsibility", "context", "what_was_done", "what_worked", "contact"]
        widgets = {
            "context": forms.Textarea(attrs={"rows": 3}),
            "what_was_done": forms.Textarea(attrs={"rows": 5}),
            "what_worked": forms.Textarea(attrs={"rows": 5}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["responsibility"].choices = _choose(Responsibility.choices)


class CaseStudySearchForm(forms.Form):
    q = forms.CharField(label="Search case studies", required=False, max_length=200)
    responsibility = forms.ChoiceField(
        label="Responsibility",
        required=False,
        choices=[("", "Any responsibility"), *Responsibility.choices],
    )


class NetworkDayForm(forms.ModelForm):
    class Meta:
        model = NetworkDay
        fields = ["date", "title", "location", "notes"]
        widgets = {"date": DateInput, "notes": forms.Textarea(attrs={"rows": 3})}


class AttendanceForm(forms.Form):
    attendees = forms.ModelMultipleChoiceField(
        label="Who came",
        queryset=User.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, clms, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["attendees"].queryset = clms
        self.fields["attendees"].label_from_instance = lambda u: f"{u.name}, {u.trust_name}"
