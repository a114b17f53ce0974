from functools import cached_property

import django_tables2 as tables
from django.urls import reverse
from django.utils import dateformat
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import mark_safe

from trusts.tables import NHSTable

from .models import Activity
from .templatetags.mentors import in_closed_year, number

# Stands in for an entry's id in a URL reversed once per table.
_PK_PLACEHOLDER = "9876543210"


class ActivityTable(NHSTable):
    # Not a DateColumn: that is a TemplateColumn, compiling a template for every row.
    date = tables.Column(verbose_name="Date")
    trust = tables.Column(verbose_name="Trust", accessor="trust__name")
    responsibility = tables.Column(verbose_name="Responsibility")
    format = tables.Column(verbose_name="Format")
    hours = tables.Column(
        verbose_name="Hours",
        order_by=("minutes",),
        attrs={
            "th": {"class": "nhsuk-table__header--numeric"},
            "td": {"class": "nhsuk-table__cell--numeric"},
        },
    )
    trainees_reached = tables.Column(
        verbose_name="Trainees",
        attrs={
            "th": {"class": "nhsuk-table__header--numeric"},
            "td": {"class": "nhsuk-table__cell--numeric"},
        },
    )
    notes = tables.Column(verbose_name="Notes", orderable=False)
    actions = tables.Column(verbose_name="Actions", orderable=False, empty_values=())

    class Meta:
        model = Activity
        template_name = "mentors/activity_table.html"
        fields = (
            "date",
            "trust",
            "responsibility",
            "format",
            "hours",
            "trainees_reached",
            "notes",
            "actions",
        )
        order_by = ("-date",)
        empty_text = "No activity logged yet."

    def __init__(self, *args, show_trust: bool = False, **kwargs):
        extra = {} if show_trust else {"exclude": ("trust",)}
        super().__init__(*args, **extra, **kwargs)

    def render_trust(self, record) -> str:
        return format_html("{} ({})", record.trust.name, record.trust.ods_code)

    def render_date(self, value) -> str:
        return dateformat.format(value, "j M Y")

    def render_hours(self, record) -> str:
        return number(record.hours)

    def render_actions(self, record) -> str:
        """Change (own entries, open years) and "log another like this", for a CLM reader.

        Built with format_html and URLs reversed once per table: a template and two URL
        reversals per row were most of the log's rendering time at scale (bench/README.md).
        """
        if not getattr(self, "can_log", False):
            return ""
        edit_url, log_url = self._action_urls
        day = dateformat.format(record.date, "j F Y")
        items = []
        if record.logged_by_id == self.request_user.pk and not in_closed_year(
            record.date, getattr(self, "closed_years", None)
        ):
            items.append(
                format_html(
                    '<li><a href="{}">Change<span class="nhsuk-u-visually-hidden"> the entry '
                    "of {}</span></a></li>",
                    edit_url.replace(_PK_PLACEHOLDER, str(record.pk)),
                    day,
                )
            )
        items.append(
            format_html(
                '<li><a href="{}?like={}">Log another like this<span '
                'class="nhsuk-u-visually-hidden"> ({}, {})</span></a></li>',
                log_url,
                record.pk,
                record.get_responsibility_display().lower(),
                day,
            )
        )
        # Every item above is escaped by format_html; joining them keeps them safe.
        return format_html(
            '<ul class="nhsuk-list nhsuk-u-margin-bottom-0">{}</ul>', mark_safe("".join(items))
        )

    # Each column's cell, from the entry: what django-tables2 would render, without its
    # per-cell accessor resolution and signature inspection.
    _CELLS = {
        "date": lambda table, record: table.render_date(record.date),
        "trust": lambda table, record: table.render_trust(record),
        "responsibility": lambda table, record: record.get_responsibility_display(),
        "format": lambda table, record: record.get_format_display(),
        "hours": lambda table, record: table.render_hours(record),
        "trainees_reached": lambda table, record: record.trainees_reached,
        "notes": lambda table, record: table.render_notes(record.notes) if record.notes else "—",
        "actions": lambda table, record: table.render_actions(record),
    }

    def body_html(self) -> str:
        """The page's rows as HTML, built in Python.

        A template loop over 200 cells, and django-tables2 resolving each cell, were most of
        the log's rendering time (bench/README.md). The markup is the template's: each cell
        carries its column heading for NHS.UK's responsive (stacked) layout, and every value
        is escaped (render_* methods return format_html output, which is kept as it is).
        `tests/mentors/test_log_table.py` checks it against the columns' own rendering.
        """
        columns = [(column, self._CELLS[column.name]) for column in self.columns]
        opening = {}
        for column, _cell in columns:
            extra = (column.attrs.get("td") or {}).get("class")
            opening[column.name] = format_html(
                '<td role="cell" class="nhsuk-table__cell{}"><span '
                'class="nhsuk-table-responsive__heading" aria-hidden="true">{} </span>',
                f" {extra}" if extra else "",
                column.header,
            )
        rows = []
        for row in self.paginated_rows:
            record = row.record
            cells = "".join(
                f"{opening[column.name]}{conditional_escape(cell(self, record))}</td>"
                for column, cell in columns
            )
            # Every piece is escaped above (format_html, conditional_escape).
            rows.append(f'<tr class="nhsuk-table__row" role="row">{cells}</tr>')
        return mark_safe("".join(rows))  # noqa: S308

    @cached_property
    def _action_urls(self) -> tuple[str, str]:
        return (
            reverse("mentors:edit_activity", kwargs={"pk": _PK_PLACEHOLDER}),
            reverse("mentors:log_activity"),
        )

    def render_notes(self, value: str) -> str:
        short = value if len(value) <= 80 else value[:77] + "…"
        return format_html("{}", short)
