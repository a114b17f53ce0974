from functools import cached_property

import django_tables2 as tables
from django.urls import reverse
from django.utils import dateformat
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from trusts.tables import NHSTable

from .models import Activity
from .templatetags.mentors import in_closed_year, number

# Stands in for an entry's id in a URL reversed once per table.
_PK_PLACEHOLDER = "9876543210"


class ActivityTable(NHSTable):
    date = tables.DateColumn(format="j M Y", verbose_name="Date")
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

    @cached_property
    def _action_urls(self) -> tuple[str, str]:
        return (
            reverse("mentors:edit_activity", kwargs={"pk": _PK_PLACEHOLDER}),
            reverse("mentors:log_activity"),
        )

    def render_notes(self, value: str) -> str:
        short = value if len(value) <= 80 else value[:77] + "…"
        return format_html("{}", short)
