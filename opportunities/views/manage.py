"""Views: manage. The URL patterns below are the contract (names are used by emails,
notifications and tests); each view is implemented in this module."""

from django.urls import path


def manage_list(request, **kwargs):
    """CLM/Trust admin: their Trust's opportunities in every status (deanery: region-wide ones and all), with applicant and waiting-list counts."""
    raise NotImplementedError


def opportunity_create(request, **kwargs):
    """CLM/Trust admin/deanery: create a draft (deanery may leave Trust empty: region-wide)."""
    raise NotImplementedError


def opportunity_edit(request, **kwargs):
    """Edit (services.opportunity_update)."""
    raise NotImplementedError


def opportunity_copy(request, **kwargs):
    """POST: copy to a new draft, redirect to its edit page."""
    raise NotImplementedError


def opportunity_status(request, **kwargs):
    """POST status=open|closed|cancelled (+reason): publish, close, re-open, cancel."""
    raise NotImplementedError


def applications(request, **kwargs):
    """Staff: the opportunity's applications by state, waiting list in order; decide links."""
    raise NotImplementedError


def decide(request, **kwargs):
    """Staff: GET the allowed moves (workflow.allowed_moves(status, STAFF)) with reason box; POST to=<state>&reason=."""
    raise NotImplementedError


def match_board(request, **kwargs):
    """Staff: the Trust's eligible trainees, fewest experiences first, with their live commitments; invite buttons; warning at >= 3 live commitments."""
    raise NotImplementedError


def invite(request, **kwargs):
    """Staff POST: invite a named trainee (services.invite); GET: confirmation page showing the busy warning."""
    raise NotImplementedError


urlpatterns = [
    path("manage/", manage_list, name="manage"),
    path("new/", opportunity_create, name="create"),
    path("<int:pk>/edit/", opportunity_edit, name="edit"),
    path("<int:pk>/copy/", opportunity_copy, name="copy"),
    path("<int:pk>/status/", opportunity_status, name="set_status"),
    path("<int:pk>/applications/", applications, name="applications"),
    path("applications/<int:pk>/decide/", decide, name="decide"),
    path("<int:pk>/match/", match_board, name="match"),
    path("<int:pk>/invite/<int:trainee_pk>/", invite, name="invite"),
]
