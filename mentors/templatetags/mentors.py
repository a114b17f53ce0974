from decimal import Decimal

from django import template
from django.utils.html import format_html

from mentors.models import training_year_start

register = template.Library()


@register.filter
def number(value) -> str:
    """A decimal without trailing zeros: 3.50 → '3.5', 2.00 → '2'."""
    return f"{Decimal(value or 0).quantize(Decimal('0.01')).normalize():f}"


@register.filter
def in_closed_year(day, closed_year_starts) -> bool:
    """Whether `day` falls in one of the closed training years (given by their 1 August)."""
    return bool(closed_year_starts) and training_year_start(day) in closed_year_starts


@register.filter
def hours(value) -> str:
    """1.5 → '1.5 hours', 1 → '1 hour'."""
    text = number(value)
    return f"{text} hour" if text == "1" else f"{text} hours"


@register.simple_tag
def allocation_sentence(period) -> str:
    """Over- or under-allocation, said plainly."""
    diff = period.difference
    if period.allocation == 0:
        return "No allocation in this period (no CLM appointment)."
    if diff > 0:
        return f"That is {hours(diff)} over the allocation."
    if diff < 0:
        return f"That is {hours(-diff)} under the allocation."
    return "That is exactly the allocation."


@register.simple_tag
def difference_tag(period) -> str:
    diff = period.difference
    if period.allocation == 0 and period.hours == 0:
        return "—"
    if diff > 0:
        return format_html(
            '<strong class="nhsuk-tag nhsuk-tag--orange">{} over</strong>', hours(diff)
        )
    if diff < 0:
        return format_html('<span class="nhsuk-tag nhsuk-tag--grey">{} under</span>', hours(-diff))
    return format_html('<span class="nhsuk-tag nhsuk-tag--green">{}</span>', "On allocation")
