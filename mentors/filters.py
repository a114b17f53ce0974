import django_filters

from clm_portal.forms import DateInput, QuickSelect
from trusts.models import Trust

from .models import Activity, ActivityFormat, Responsibility
from .selectors import log_trusts_for


class ActivityFilter(django_filters.FilterSet):
    date_from = django_filters.DateFilter(
        field_name="date", lookup_expr="gte", label="From", widget=DateInput
    )
    date_to = django_filters.DateFilter(
        field_name="date", lookup_expr="lte", label="To", widget=DateInput
    )
    responsibility = django_filters.ChoiceFilter(
        choices=Responsibility.choices, empty_label="Any responsibility", widget=QuickSelect
    )
    format = django_filters.ChoiceFilter(
        choices=ActivityFormat.choices, empty_label="Any format", widget=QuickSelect
    )
    trust = django_filters.ModelChoiceFilter(
        queryset=Trust.objects.none(), empty_label="Any Trust", label="Trust", widget=QuickSelect
    )

    class Meta:
        model = Activity
        fields = ["date_from", "date_to", "responsibility", "format", "trust"]

    def __init__(self, *args, user, show_trust: bool, **kwargs):
        super().__init__(*args, **kwargs)
        if show_trust:
            self.filters["trust"].queryset = log_trusts_for(user=user)
        else:
            del self.filters["trust"]
