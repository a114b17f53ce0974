"""HTML built as plain strings escapes exactly as Django's templates and format_html do."""

import pytest
from django.utils.html import conditional_escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy

from clm_portal.escaping import escaped


@pytest.mark.parametrize(
    "value",
    [
        0,
        1234,
        -7,
        45.5,
        100.0,
        True,
        None,
        "",
        "Royal Cornwall Hospitals NHS Trust",
        '<script>alert("x")</script>',
        "O'Neil & Sons <b>",
        "=cmd|' /C calc'!A0",
        mark_safe("<strong>already safe</strong>"),
        gettext_lazy("Trainees"),
        "—",
    ],
)
def test_escaped_matches_djangos_conditional_escape(value):
    assert escaped(value) == str(conditional_escape(value))
