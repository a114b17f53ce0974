"""Forms of the reports app: validate and clean input only (the services decide)."""

from __future__ import annotations

from django import forms

from clm_portal.forms import DateInput
from mentors.models import Responsibility

from .services import MAX_NARRATIVE


class ReportForm(forms.Form):
    """The CLM's words: the year in brief, then per responsibility a narrative or "nothing
    this year"."""

    overview = forms.CharField(
        label="The year in brief",
        required=False,
        max_length=MAX_NARRATIVE,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Optional: what stood out, what changed, what is planned.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for code, label in Responsibility.choices:
            self.fields[f"text_{code}"] = forms.CharField(
                label=f"What was done: {label}",
                required=False,
                max_length=MAX_NARRATIVE,
                widget=forms.Textarea(attrs={"rows": 5}),
            )
            self.fields[f"nothing_{code}"] = forms.BooleanField(
                label="There was nothing to report under this responsibility this year",
                required=False,
            )

    @classmethod
    def initial_from(cls, report) -> dict:
        initial = {"overview": report.overview}
        for code in Responsibility.values:
            words = report.narratives.get(code, {})
            initial[f"text_{code}"] = words.get("text", "")
            initial[f"nothing_{code}"] = bool(words.get("nothing"))
        return initial

    def clean(self):
        cleaned = super().clean()
        for code, label in Responsibility.choices:
            if cleaned.get(f"nothing_{code}") and (cleaned.get(f"text_{code}") or "").strip():
                self.add_error(
                    f"nothing_{code}",
                    f"{label}: either describe what was done or say there was nothing, not both.",
                )
        return cleaned

    def narratives(self) -> dict:
        return {
            code: {
                "text": self.cleaned_data.get(f"text_{code}", ""),
                "nothing": self.cleaned_data.get(f"nothing_{code}", False),
            }
            for code in Responsibility.values
        }

    def sections(self) -> list[tuple[str, str, forms.BoundField, forms.BoundField]]:
        return [
            (code, label, self[f"text_{code}"], self[f"nothing_{code}"])
            for code, label in Responsibility.choices
        ]


class ReturnForm(forms.Form):
    reason = forms.CharField(
        label="Why is it being returned?",
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text="The CLM sees this on the report and in an email.",
        error_messages={"required": "Say why the report is returned, for the CLM."},
    )


class WindowForm(forms.Form):
    opens_on = forms.DateField(
        label="Opens on",
        widget=DateInput,
        help_text="From this day CLMs can submit.",
        error_messages={
            "required": "Enter the day the window opens.",
            "invalid": "Enter a real date.",
        },
    )
    due_on = forms.DateField(
        label="Due on",
        widget=DateInput,
        help_text="Reminders go to Trusts that have not submitted 28, 14, 7 and 1 days before, "
        "and 1 and 7 days after.",
        error_messages={"required": "Enter the due date.", "invalid": "Enter a real date."},
    )


class TraineeCountsForm(forms.Form):
    """One number per Trust: empty means "use the portal's count"."""

    note = forms.CharField(
        label="Where these figures come from",
        required=False,
        max_length=200,
        help_text="For example: HEE trainee census, October.",
    )

    def __init__(self, *args, trusts, entered: dict[int, int], **kwargs):
        super().__init__(*args, **kwargs)
        self.trusts = list(trusts)
        for trust in self.trusts:
            self.fields[f"trust_{trust.pk}"] = forms.IntegerField(
                label=f"{trust.name} ({trust.ods_code})",
                required=False,
                min_value=0,
                max_value=100_000,
                initial=entered.get(trust.pk),
                widget=forms.NumberInput(attrs={"class": "nhsuk-input--width-5"}),
                error_messages={"invalid": "Enter a whole number, or leave it empty."},
            )

    def counts(self) -> dict[int, int | None]:
        return {t.pk: self.cleaned_data.get(f"trust_{t.pk}") for t in self.trusts}
