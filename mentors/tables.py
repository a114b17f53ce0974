import django_tables2 as tables
from django.utils.html import format_html

from trusts.tables import NHSTable

from .models import Activity
from .templatetags.mentors import number


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
    actions = tables.TemplateColumn(
        template_name="mentors/activity_actions.html",
        verbose_name="Actions",
        orderable=False,
        empty_values=(),
    )

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

    def render_notes(self, value: str) -> str:
        short = value if len(value) <= 80 else value[:77] + "…"
        return format_html("{}", short)
