"""Views: browse. The URL patterns below are the contract (names are used by emails,
notifications and tests); each view is implemented in this module."""

from django.urls import path


def opportunity_list(request, **kwargs):
    """Trainees and supervisors browse/search/filter published opportunities; staff see them too."""
    raise NotImplementedError


def opportunity_detail(request, **kwargs):
    """One opportunity: details, places left, rotation warning, apply button, own application state; staff see a link to manage; lists the CLM work behind it (Activity.opportunity)."""
    raise NotImplementedError


def apply(request, **kwargs):
    """Trainee: statement, availability, the two 1-6 self-ratings; GET form, POST submits."""
    raise NotImplementedError


def recommend(request, **kwargs):
    """Supervisor: choose one of their supervisees + note; GET form, POST."""
    raise NotImplementedError


def my_applications(request, **kwargs):
    """Trainee: their own applications with state and waiting-list position."""
    raise NotImplementedError


def application_detail(request, **kwargs):
    """One application: trainee (own), supervisors (supervisee's), staff (their Trust's); history of events; offer expiry; accept/decline/withdraw buttons for the trainee; waiting-list position and the ordering rule."""
    raise NotImplementedError


def accept(request, **kwargs):
    """Trainee: GET confirmation page (the offer email links here), POST accepts."""
    raise NotImplementedError


def decline(request, **kwargs):
    """Trainee: GET confirmation page, POST declines."""
    raise NotImplementedError


def withdraw(request, **kwargs):
    """Trainee: GET confirmation page with optional reason, POST withdraws."""
    raise NotImplementedError


def supervisees(request, **kwargs):
    """Supervisor: their supervisees' live applications and confirmed experiences."""
    raise NotImplementedError


urlpatterns = [
    path("", opportunity_list, name="list"),
    path("<int:pk>/", opportunity_detail, name="detail"),
    path("<int:pk>/apply/", apply, name="apply"),
    path("<int:pk>/recommend/", recommend, name="recommend"),
    path("applications/", my_applications, name="my_applications"),
    path("applications/<int:pk>/", application_detail, name="application"),
    path("applications/<int:pk>/accept/", accept, name="accept"),
    path("applications/<int:pk>/decline/", decline, name="decline"),
    path("applications/<int:pk>/withdraw/", withdraw, name="withdraw"),
    path("supervisees/", supervisees, name="supervisees"),
]
