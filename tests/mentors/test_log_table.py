"""The activity log's rows, built in Python for speed, say what django-tables2 would."""

import re

import pytest

from mentors.models import Activity
from mentors.tables import ActivityTable

from ..factories import ActivityFactory, appointment_of


def _cells(html: str) -> list[list[str]]:
    rows = re.findall(r"<tr [^>]*>(.*?)</tr>", html, flags=re.S)
    return [
        [
            re.sub(r'^<span class="nhsuk-table-responsive__heading"[^>]*>.*?</span>', "", cell)
            for cell in re.findall(r"<td [^>]*>(.*?)</td>", row, flags=re.S)
        ]
        for row in rows
    ]


@pytest.mark.django_db
@pytest.mark.parametrize("show_trust", [True, False])
def test_the_rows_match_the_columns_own_rendering(world, show_trust):
    appointment = appointment_of(world.clm, world.trust)
    ActivityFactory(appointment=appointment, notes='<script>alert("x")</script> & more')
    ActivityFactory(appointment=appointment, notes="", minutes=95, trainees_reached=0)
    ActivityFactory(appointment=appointment, notes="A" * 120, responsibility="forum")
    table = ActivityTable(
        Activity.objects.select_related("trust", "logged_by"), show_trust=show_trust
    )
    table.request_user = world.clm
    table.can_log = True
    table.closed_years = set()
    table.paginate(per_page=25)

    built = _cells(str(table.body_html()))
    expected = [[str(cell) for _column, cell in row.items()] for row in table.paginated_rows]
    assert built == [[str(c) for c in row] for row in expected]
    assert len(built) == 3 and len(built[0]) == (8 if show_trust else 7)
    # Free text stays escaped.
    assert "<script>" not in table.body_html()
    assert "&lt;script&gt;" in table.body_html()
