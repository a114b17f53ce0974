"""Forms the Trust's staff fill in: an opportunity, a decision, a status change."""

from django import forms

from clm_portal.forms import DateInput, QuickSelect
from mentors.models import GPCDomain
from trusts.models import Grade, Site

from ..models import Opportunity, OpportunityStatus
from ..workflow import Move


class OpportunityForm(forms.ModelForm):
    trust = forms.ModelChoiceField(
        queryset=None,
        required=False,
        label="Trust",
        empty_label="Region-wide (every Trust in the region)",
        widget=QuickSelect,
    )
    grades = forms.MultipleChoiceField(
        choices=Grade.choices,
        required=False,
        label="Open to these grades",
        help_text="Leave all unticked to open it to every grade.",
        widget=forms.CheckboxSelectMultiple,
    )
    gpc_domains = forms.ModelMultipleChoiceField(
        queryset=GPCDomain.objects.all(),
        required=False,
        label="GPC domains",
        help_text="The GMC's Generic Professional Capabilities it develops.",
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = Opportunity
        fields = [
            "kind",
            "title",
            "description",
            "host_name",
            "host_role",
            "host_email",
            "site",
            "tier",
            "time_commitment",
            "flexible_dates",
            "starts_on",
            "ends_on",
            "deadline",
            "places",
            "booking",
        ]
        widgets = {
            "starts_on": DateInput,
            "ends_on": DateInput,
            "deadline": DateInput,
            "kind": QuickSelect,
            "site": QuickSelect,
            "description": forms.Textarea(attrs={"rows": 6}),
            "tier": forms.RadioSelect,
            "booking": forms.RadioSelect,
        }
        help_texts = {
            "host_email": "The host confirms the trainee's experience through a link sent here.",
        }

    field_order = ["trust", "kind", "title", "description"]

    def __init__(self, *args, trusts, fixed_trust=None, **kwargs):
        """`trusts`: the Trusts the user may post in; `fixed_trust` when there is one choice
        (editing, or a CLM of one Trust). Deanery staff may also choose region-wide."""
        super().__init__(*args, **kwargs)
        self.fixed_trust = fixed_trust
        self.fields["trust"].queryset = trusts
        if fixed_trust is not None or self.instance.pk:
            del self.fields["trust"]
        if self.instance.pk:
            self.fields["grades"].initial = self.instance.grade_list
            self.fields["gpc_domains"].initial = list(self.instance.gpc_domains.all())
        trust = fixed_trust or (self.instance.trust if self.instance.pk else None)
        sites = Site.objects.filter(trust=trust) if trust else Site.objects.filter(trust__in=trusts)
        self.fields["site"].queryset = sites.select_related("trust")
        self.fields["site"].empty_label = "No particular site"

    def clean(self):
        data = super().clean()
        starts, ends, deadline = data.get("starts_on"), data.get("ends_on"), data.get("deadline")
        if not data.get("flexible_dates") and not starts:
            self.add_error("starts_on", "Enter a start date, or tick that the dates are flexible")
        if starts and ends and ends < starts:
            self.add_error("ends_on", "The end date must be on or after the start date")
        if starts and deadline and deadline > starts:
            self.add_error("deadline", "The deadline must be on or before the start date")
        site, trust = data.get("site"), data.get("trust", self.fixed_trust or self.instance.trust)
        if site and (trust is None or site.trust_id != trust.pk):
            self.add_error("site", "Choose a site of the opportunity's Trust")
        return data

    def service_fields(self) -> dict:
        data = dict(self.cleaned_data)
        data.pop("trust", None)
        return {
            **{name: data[name] for name in self.Meta.fields},
            "grades": data.get("grades") or [],
            "gpc_domains": data.get("gpc_domains") or [],
        }


class StatusForm(forms.Form):
    status = forms.ChoiceField(choices=OpportunityStatus.choices)
    reason = forms.CharField(max_length=500, required=False)


class DecideForm(forms.Form):
    to = forms.ChoiceField(
        label="Decision",
        widget=forms.RadioSelect,
        error_messages={"required": "Choose a decision", "invalid_choice": "Choose a decision"},
    )
    reason = forms.CharField(
        label="Reason",
        help_text="Required when the application is unsuccessful or a place is cancelled; the "
        "trainee sees it.",
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, moves: list[Move], **kwargs):
        super().__init__(*args, **kwargs)
        self.moves = {m.to: m for m in moves}
        self.fields["to"].choices = [(m.to, m.label) for m in moves]

    def clean(self):
        data = super().clean()
        move = self.moves.get(data.get("to"))
        if move and move.needs_reason and not data.get("reason", "").strip():
            self.add_error("reason", "Give a reason: the trainee will see it")
        return data
