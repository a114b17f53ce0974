from django import forms
from django.contrib.auth import password_validation

from clm_portal.forms import DateInput

from .models import (
    Grade,
    LeadershipActivity,
    Role,
    Specialty,
    SupervisorProfile,
    TraineeProfile,
    Trust,
    User,
    gmc_number_validator,
)
from .selectors import supervisors_in_trust


def _blank_first(choices) -> list[tuple[str, str]]:
    return [("", "Choose…"), *choices]


class InvitationForm(forms.Form):
    """One person to invite: a form on the web, or one row of an invitation CSV."""

    name = forms.CharField(label="Full name", max_length=150)
    email = forms.EmailField(label="Email address", max_length=254)
    role = forms.ChoiceField(
        error_messages={"invalid_choice": "'%(value)s' is not a role you can invite here."}
    )
    grade = forms.ChoiceField(
        required=False,
        choices=_blank_first(Grade.choices),
        help_text="Trainees only.",
        error_messages={"invalid_choice": "'%(value)s' is not a grade code, like F1, CT2 or ST4."},
    )
    specialty = forms.ChoiceField(
        required=False,
        choices=_blank_first(Specialty.choices),
        help_text="Trainees and supervisors.",
        error_messages={"invalid_choice": "'%(value)s' is not a specialty code, like medical."},
    )
    gmc_number = forms.CharField(
        label="GMC number",
        required=False,
        max_length=7,
        validators=[gmc_number_validator],
        help_text="7 digits. Required for trainees.",
    )

    def __init__(self, *args, roles: list[str], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["role"].choices = [(r, Role(r).label) for r in roles]
        if len(roles) > 1:
            self.fields["role"].widget = forms.RadioSelect(choices=self.fields["role"].choices)
        else:
            self.fields["role"].initial = roles[0] if roles else None

    def clean_email(self) -> str:
        return self.cleaned_data["email"].strip().lower()

    def clean(self):
        data = super().clean()
        if data.get("role") == Role.TRAINEE:
            for name, label in (
                ("grade", "grade"),
                ("specialty", "specialty"),
                ("gmc_number", "GMC number"),
            ):
                if not data.get(name) and name not in self.errors:
                    self.add_error(name, f"Enter the trainee's {label}.")
        return data


class AcceptInvitationForm(forms.Form):
    name = forms.CharField(label="Full name", max_length=150)
    password1 = forms.CharField(
        label="Create a password",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text="At least 10 characters; not a common password.",
    )
    password2 = forms.CharField(
        label="Confirm the password",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def __init__(self, *args, email: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.email = email

    def clean(self):
        data = super().clean()
        p1, p2 = data.get("password1"), data.get("password2")
        if p1 and p2 and p1 != p2:
            self.add_error("password2", "The passwords do not match.")
        elif p1:
            try:
                password_validation.validate_password(
                    p1, User(email=self.email, name=data.get("name", ""))
                )
            except forms.ValidationError as error:
                self.add_error("password1", error)
        return data


class TraineeProfileForm(forms.ModelForm):
    interests = forms.MultipleChoiceField(
        label="Leadership experience you would like",
        choices=LeadershipActivity.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Your suggested opportunities put these first.",
    )

    class Meta:
        model = TraineeProfile
        fields = ["grade", "specialty", "gmc_number", "interests"]


class SupervisorProfileForm(forms.ModelForm):
    class Meta:
        model = SupervisorProfile
        fields = ["specialty", "gmc_number", "opportunity_digest"]


class NameForm(forms.ModelForm):
    class Meta:
        model = User
        fields = ["name"]


class PlacementForm(forms.Form):
    starts_on = forms.DateField(label="Placement starts", required=False, widget=DateInput)
    ends_on = forms.DateField(label="Placement ends", required=False, widget=DateInput)
    educational_supervisor = forms.ModelChoiceField(
        queryset=User.objects.none(), required=False, empty_label="None yet"
    )

    def __init__(self, *args, trust: Trust, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["educational_supervisor"].queryset = supervisors_in_trust(trust=trust)

    def clean(self):
        data = super().clean()
        if data.get("starts_on") and data.get("ends_on") and data["ends_on"] < data["starts_on"]:
            self.add_error("ends_on", "The placement must end after it starts.")
        return data
