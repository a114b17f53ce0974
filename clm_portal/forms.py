"""Form rendering in NHS.UK frontend markup, for every form in the portal (allauth's too)."""

from django import forms
from django.forms.renderers import TemplatesSetting


class NHSFormRenderer(TemplatesSetting):
    form_template_name = "forms/form.html"
    field_template_name = "forms/field.html"


class DateInput(forms.DateInput):
    """The browser's date picker; its value must be ISO whatever the locale."""

    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%d")
