"""The opportunity search: text, kind, Trust, grade, GPC domain, dates, places, placement."""

import django_filters
from django import forms
from django.db.models import F, Q

from clm_portal.forms import DateInput, QuickSelect
from mentors.models import GPCDomain
from trusts.models import Trust

from .models import Kind

SORTS = {
    "deadline": ("Closing soonest", ("deadline", "starts_on", "pk")),
    "newest": ("Newest", ("-published_at", "-pk")),
    "starting": ("Starting soonest", ("starts_on", "deadline", "pk")),
}


class OpportunityFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label="Search", max_length=100)
    kind = django_filters.ChoiceFilter(
        choices=Kind.choices, empty_label="Any kind", widget=QuickSelect
    )
    trust = django_filters.ModelChoiceFilter(
        queryset=Trust.objects.none(),
        empty_label="Any Trust",
        widget=QuickSelect,
        method="by_trust",
    )
    gpc = django_filters.ModelChoiceFilter(
        queryset=GPCDomain.objects.all(),
        field_name="gpc_domains",
        label="GPC domain",
        empty_label="Any domain",
        widget=QuickSelect,
    )
    starts_from = django_filters.DateFilter(
        field_name="starts_on", lookup_expr="gte", label="Starting from", widget=DateInput
    )
    starts_to = django_filters.DateFilter(
        field_name="starts_on", lookup_expr="lte", label="Starting by", widget=DateInput
    )
    open_to_me = django_filters.BooleanFilter(
        method="by_grade", label="Open to my grade", widget=forms.CheckboxInput
    )
    places_left = django_filters.BooleanFilter(
        method="with_places", label="Places left only", widget=forms.CheckboxInput
    )
    fits_placement = django_filters.BooleanFilter(
        method="in_placement",
        label="Ends within my placement (or dates are flexible)",
        widget=forms.CheckboxInput,
    )
    sort = django_filters.ChoiceFilter(
        choices=[(key, label) for key, (label, _order) in SORTS.items()],
        method="sorted_by",
        label="Sort by",
        empty_label=None,
        widget=QuickSelect,
    )

    def __init__(self, *args, trusts, grade: str | None, placement_ends=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.grade = grade
        self.placement_ends = placement_ends
        self.filters["trust"].queryset = trusts
        if not grade:
            del self.filters["open_to_me"]
        if placement_ends is None:
            del self.filters["fits_placement"]

    def search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(title__icontains=value)
            | Q(description__icontains=value)
            | Q(host_name__icontains=value)
            | Q(host_role__icontains=value)
        )

    def by_trust(self, queryset, name, value):
        # A Trust's own opportunities and the region-wide ones open to its trainees.
        return queryset.filter(Q(trust=value) | Q(trust__isnull=True, region_id=value.region_id))

    def by_grade(self, queryset, name, value):
        return queryset.open_to_grade(self.grade) if value and self.grade else queryset

    def with_places(self, queryset, name, value):
        return queryset.filter(places_held__lt=F("places")) if value else queryset

    def in_placement(self, queryset, name, value):
        if not value or self.placement_ends is None:
            return queryset
        return queryset.filter(
            Q(flexible_dates=True) | Q(ends_on__isnull=True) | Q(ends_on__lte=self.placement_ends)
        )

    def sorted_by(self, queryset, name, value):
        return queryset.order_by(*SORTS.get(value, SORTS["deadline"])[1])

    @property
    def qs(self):
        qs = super().qs
        data = getattr(self.form, "cleaned_data", {})
        if not data.get("sort"):
            qs = qs.order_by(*SORTS["deadline"][1])
        return qs.distinct() if data.get("gpc") else qs
