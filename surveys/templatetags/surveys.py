from django import template

register = template.Library()


@register.filter
def get(mapping, key):
    """mapping[key], or None: a figure that is not shown."""
    return mapping.get(key) if mapping else None


@register.filter
def chart_height(bars) -> int:
    return len(bars) * 24 + 8
