"""The trainee's reflection on an experience, with the two self-rating items again."""

from django import forms

from mentors.models import GPCDomain

from .browse import RatingFields


class ReflectionForm(RatingFields):
    what_i_did = forms.CharField(
        label="What did you do?",
        widget=forms.Textarea(attrs={"rows": 5}),
        max_length=4000,
        error_messages={"required": "Say what you did"},
    )
    what_i_learned = forms.CharField(
        label="What did you learn about leadership?",
        widget=forms.Textarea(attrs={"rows": 5}),
        max_length=4000,
        error_messages={"required": "Say what you learned"},
    )
    gpc_domains = forms.ModelMultipleChoiceField(
        queryset=GPCDomain.objects.all(),
        required=False,
        label="GPC domains it developed",
        widget=forms.CheckboxSelectMultiple,
    )

    field_order = ["what_i_did", "what_i_learned", "gpc_domains", "leader", "lead_change"]
