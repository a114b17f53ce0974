"""Views: record. The URL patterns below are the contract (names are used by emails,
notifications and tests); each view is implemented in this module."""

from django.urls import path


def reflect(request, **kwargs):
    """Trainee, after the end date: what they did and learned, GPC domains, the two 1-6 self-ratings."""
    raise NotImplementedError


def confirm(request, **kwargs):
    """Staff: read the reflection and confirm (services.reflection_confirm); also 'did not attend'."""
    raise NotImplementedError


def host_confirm(request, **kwargs):
    """Public (login_not_required): the host confirms through the emailed single-use link."""
    raise NotImplementedError


def record(request, **kwargs):
    """Trainee: My leadership record (confirmed experiences)."""
    raise NotImplementedError


def record_pdf(request, **kwargs):
    """Trainee: the record as PDF (WeasyPrint) with a verification URL."""
    raise NotImplementedError


def record_csv(request, **kwargs):
    """Trainee: the record as CSV (formula-neutralised)."""
    raise NotImplementedError


def record_verify(request, **kwargs):
    """Public: whether each experience in an issued record still stands."""
    raise NotImplementedError


def notification_list(request, **kwargs):
    """Signed in: my notifications, newest first, unread marked; POST marks read."""
    raise NotImplementedError


urlpatterns = [
    path("applications/<int:pk>/reflect/", reflect, name="reflect"),
    path("applications/<int:pk>/confirm/", confirm, name="confirm"),
    path("host/<str:token>/", host_confirm, name="host_confirm"),
    path("record/", record, name="record"),
    path("record/pdf/", record_pdf, name="record_pdf"),
    path("record/csv/", record_csv, name="record_csv"),
    path("record/verify/<uuid:public_id>/", record_verify, name="record_verify"),
    path("notifications/", notification_list, name="notifications"),
]
