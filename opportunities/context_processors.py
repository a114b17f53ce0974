"""The header's count of unread notifications: counted only if a template shows it (the
header does; the benchmark's trivial page does not), with one indexed COUNT."""

from django.utils.functional import SimpleLazyObject

from .selectors import unread_notification_count


def notifications(request) -> dict:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"unread_notifications": SimpleLazyObject(lambda: unread_notification_count(user=user))}
