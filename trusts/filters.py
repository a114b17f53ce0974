import django_filters
from django import forms
from django.db.models import Q

from clm_portal.permissions import TRUST_STAFF, trust_ids_in_scope

from .models import Role, Trust
from .selectors import memberships_in_scope, trusts_visible_to


class PeopleFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label="Name or email", method="filter_q")
    role = django_filters.ChoiceFilter(
        label="Role", choices=Role.choices, method="filter_role", empty_label="Any role"
    )
    trust = django_filters.ModelChoiceFilter(
        label="Trust", queryset=Trust.objects.none(), method="filter_trust", empty_label="Any Trust"
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.filters["trust"].queryset = trusts_visible_to(user=user)
        scope = trust_ids_in_scope(user, *TRUST_STAFF)
        if scope is not None and len(scope) < 2:
            del self.filters["trust"]

    def filter_q(self, queryset, name, value):
        return queryset.filter(Q(name__icontains=value) | Q(email__icontains=value))

    def filter_role(self, queryset, name, value):
        # Within the reader's scope: a CLM asking for trainees gets their own Trust's.
        scoped = memberships_in_scope(user=self.user).filter(role=value)
        return queryset.filter(memberships__in=scoped).distinct()

    def filter_trust(self, queryset, name, value):
        scoped = memberships_in_scope(user=self.user).filter(trust=value)
        return queryset.filter(memberships__in=scoped).distinct()


class TrustFilter(django_filters.FilterSet):
    kind = django_filters.ChoiceFilter(
        label="Kind",
        choices=Trust.Kind.choices,
        empty_label="Any kind",
        widget=forms.Select,
    )

    class Meta:
        model = Trust
        fields = ["kind"]
