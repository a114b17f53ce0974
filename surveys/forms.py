from __future__ import annotations

from django import forms

from clm_portal.forms import DateInput
from trusts.models import Grade, Specialty, Trust

from .models import LIKERT_CHOICES, RESPONDENT_ROLES, YES_NO_CHOICES, Item, ItemKind, Round


class AboutYouForm(forms.Form):
    """The first page: who is answering, in the terms the analysis uses (never a name)."""

    role = forms.ChoiceField(
        label="Are you a trainee or an educational supervisor?",
        choices=RESPONDENT_ROLES,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Choose whether you are a trainee or an educational supervisor."
        },
    )
    grade = forms.ChoiceField(
        label="Your grade (trainees)",
        choices=[("", "Prefer not to say"), *Grade.choices],
        required=False,
    )
    specialty = forms.ChoiceField(
        label="Your specialty (trainees)",
        choices=[("", "Prefer not to say"), *Specialty.choices],
        required=False,
    )

    def __init__(self, *args, fixed_role: str | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fixed_role = fixed_role
        if fixed_role:
            del self.fields["role"]
            if fixed_role != "trainee":
                del self.fields["grade"]
                del self.fields["specialty"]
            else:
                self.fields["grade"].label = "Your grade"
                self.fields["specialty"].label = "Your specialty"

    def cleaned(self) -> dict:
        role = self.fixed_role or self.cleaned_data["role"]
        trainee = role == "trainee"
        return {
            "role": role,
            "grade": self.cleaned_data.get("grade", "") if trainee else "",
            "specialty": self.cleaned_data.get("specialty", "") if trainee else "",
        }


class SectionForm(forms.Form):
    """One section's items, each a fieldset with its legend. Every item may be left blank."""

    def __init__(self, *args, items: list[Item], **kwargs):
        super().__init__(*args, **kwargs)
        for item in items:
            likert = item.kind == ItemKind.LIKERT
            self.fields[item.code] = forms.TypedChoiceField(
                label=item.text,
                choices=LIKERT_CHOICES if likert else YES_NO_CHOICES,
                coerce=int,
                required=False,
                widget=forms.RadioSelect(attrs={"inline": True}),
            )

    def answers(self) -> dict[str, int]:
        return {code: value for code, value in self.cleaned_data.items() if value != ""}


class RoundForm(forms.ModelForm):
    trusts = forms.ModelMultipleChoiceField(
        queryset=Trust.objects.active().order_by("name"),
        widget=forms.CheckboxSelectMultiple,
        label="Trusts taking part",
        error_messages={"required": "Choose at least one Trust."},
    )

    class Meta:
        model = Round
        fields = ["name", "slug", "year", "opens_on", "closes_on", "threshold", "trusts"]
        widgets = {"opens_on": DateInput(), "closes_on": DateInput()}
        labels = {
            "slug": "Short name for links and commands",
            "year": "Training year (its first calendar year)",
            "threshold": "Minimum responses per reported group",
        }
        help_texts = {"slug": "Lower-case letters, digits and hyphens, like trainees-2026."}

    def clean(self):
        data = super().clean()
        opens, closes = data.get("opens_on"), data.get("closes_on")
        if opens and closes and closes < opens:
            self.add_error("closes_on", "The closing date must be on or after the opening date.")
        return data


class PersonalLinksForm(forms.Form):
    trust = forms.ModelChoiceField(queryset=Trust.objects.none(), label="Trust")
    role = forms.ChoiceField(choices=RESPONDENT_ROLES, widget=forms.RadioSelect, label="They are")
    emails = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 6}),
        label="Email addresses, one per line",
        help_text="Each person gets their own link that works once. The addresses are used to "
        "send the links and are not kept, so no answer can be traced to a person. At most 500.",
    )

    def __init__(self, *args, round_: Round, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["trust"].queryset = round_.trusts.order_by("name")

    def clean_emails(self) -> list[str]:
        validator = forms.EmailField()
        emails = []
        for number, line in enumerate(self.cleaned_data["emails"].splitlines(), start=1):
            line = line.strip().strip(",;")
            if not line:
                continue
            try:
                emails.append(validator.clean(line))
            except forms.ValidationError as exc:
                raise forms.ValidationError(
                    f"Line {number}: '{line}' is not an email address."
                ) from exc
        if not emails:
            raise forms.ValidationError("Enter at least one email address.")
        if len(emails) > 500:
            raise forms.ValidationError("Enter at most 500 addresses at a time.")
        return list(dict.fromkeys(e.lower() for e in emails))
