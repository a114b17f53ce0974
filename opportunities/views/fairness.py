"""Views: fairness. The URL patterns below are the contract (names are used by emails,
notifications and tests); each view is implemented in this module."""

from django.urls import path


def fair_access(request, **kwargs):
    """CLM/Trust admin (own Trust), deanery (any Trust, ?trust=ODS): fair-access figures for a training year (?year=), chart + table; and the paired self-rating change per kind (suppressed n<=10)."""
    raise NotImplementedError


urlpatterns = [
    path("fair-access/", fair_access, name="fair_access"),
]
