"""Forms a trainee and a supervisor fill in: applying, withdrawing, recommending."""

from django import forms

from trusts.models import User

SCALE = [(n, str(n)) for n in range(1, 7)]
SCALE_HINT = "1 means strongly disagree and 6 strongly agree. Only totals are ever shown."


class RatingFields(forms.Form):
    """The two self-rating items of the surveys' 1–6 scale, asked when applying and at the end."""

    leader = forms.TypedChoiceField(
        label="I consider myself a leader",
        choices=SCALE,
        coerce=int,
        widget=forms.RadioSelect(attrs={"inline": True}),
        help_text=SCALE_HINT,
        error_messages={"required": "Choose how far you agree that you consider yourself a leader"},
    )
    lead_change = forms.TypedChoiceField(
        label="I feel confident to lead change in my workplace",
        choices=SCALE,
        coerce=int,
        widget=forms.RadioSelect(attrs={"inline": True}),
        help_text=SCALE_HINT,
        error_messages={
            "required": "Choose how far you agree that you feel confident to lead change"
        },
    )


class ApplyForm(RatingFields):
    statement = forms.CharField(
        label="Why are you interested?",
        help_text="A few sentences: what you hope to learn, and any experience so far.",
        widget=forms.Textarea(attrs={"rows": 5}),
        max_length=3000,
        required=False,
    )
    availability = forms.CharField(
        label="Your availability",
        help_text="Days, sites or rota patterns that suit you (optional).",
        max_length=300,
        required=False,
    )

    field_order = ["statement", "availability", "leader", "lead_change"]

    def __init__(self, *args, statement_required: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["statement"].required = statement_required
        self.fields["statement"].error_messages["required"] = (
            "Say in a few sentences why you are interested"
        )


class WithdrawForm(forms.Form):
    reason = forms.CharField(
        label="Why are you withdrawing? (optional)",
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class RecommendForm(forms.Form):
    trainee = forms.ModelChoiceField(
        queryset=User.objects.none(),
        label="Which of your trainees?",
        empty_label="Choose a trainee",
        error_messages={"required": "Choose one of your trainees"},
    )
    note = forms.CharField(
        label="A note for them (optional)",
        max_length=1000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, trainees, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["trainee"].queryset = trainees
