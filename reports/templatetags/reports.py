"""Template filters for the reports: dates stored in snapshots as ISO strings, read as days."""

from datetime import date

from django import template
from django.utils.dateformat import format as format_date

register = template.Library()


@register.filter
def day(value, arg: str = "j F Y") -> str:
    """ "2026-10-31" (or a date) -> "31 October 2026"; anything else as it is."""
    if isinstance(value, str):
        try:
            value = date.fromisoformat(value[:10])
        except ValueError:
            return value
    if isinstance(value, date):
        return format_date(value, arg)
    return "" if value is None else str(value)
