"""Escaping for HTML built as plain strings: the long tables and charts of the dashboards and
survey results, where `format_html` for each of thousands of cells was most of a page's time.
The same output as Django's `conditional_escape`, faster for the numbers most cells hold."""

from __future__ import annotations

import html

_NUMBERS = (int, float)


def escaped(value) -> str:
    """`value` for HTML: a number as it is (the exact type: a bool is escaped as text), safe
    markup as it is, anything else escaped as Django's `escape` does."""
    if value.__class__ in _NUMBERS:
        return str(value)
    if hasattr(value, "__html__"):
        return value.__html__()
    return html.escape(str(value))
