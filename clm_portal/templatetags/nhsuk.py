from django import template

register = template.Library()

# NHS.UK frontend class (and its error modifier) for each kind of Django widget.
_WIDGET_CLASSES = {
    "select": "nhsuk-select",
    "selectmultiple": "nhsuk-select",
    "quickselect": "nhsuk-select",
    "textarea": "nhsuk-textarea",
    "clearablefile": "nhsuk-file-upload__input",
    "file": "nhsuk-file-upload__input",
    "checkbox": "nhsuk-checkboxes__input",
}


@register.simple_tag
def nhsuk_widget(field):
    """Render a bound field's widget with the NHS.UK classes for its kind and state."""
    base = _WIDGET_CLASSES.get(field.widget_type, "nhsuk-input")
    classes = [base]
    if field.errors and base != "nhsuk-checkboxes__input" and not base.startswith("nhsuk-file"):
        classes.append(f"{base}--error")
    extra = field.field.widget.attrs.get("class")
    if extra:
        classes.append(extra)
    return field.as_widget(attrs={"class": " ".join(classes)})


@register.filter
def is_file_field(field) -> bool:
    return field.widget_type in ("clearablefile", "file")


def duration_in_words(delta) -> str:
    """A timedelta as people say it: "15 minutes", "1 hour", "1 hour 30 minutes"."""
    minutes = round(delta.total_seconds() / 60)
    hours, minutes = divmod(minutes, 60)
    parts = []
    if hours:
        parts.append(f"{hours} hour{'s' if hours != 1 else ''}")
    if minutes or not hours:
        parts.append(f"{minutes} minute{'s' if minutes != 1 else ''}")
    return " ".join(parts)


@register.simple_tag
def lockout_duration() -> str:
    """How long django-axes locks an account (settings.AXES_COOLOFF_TIME), in words."""
    from django.conf import settings

    return duration_in_words(settings.AXES_COOLOFF_TIME)
