"""Each Trust's number of trainees for a training year: the denominator of every "per trainee"
figure, and where it came from.

- An entry by the deanery (`TraineeCount`, source "deanery") wins: the portal may not hold
  every trainee of a Trust.
- Otherwise, while the year runs, the trainees placed in the Trust in the portal now (the hourly
  job also stores that count, dated); once the year has ended, the last stored count, so that
  a past year's figures do not move as trainees rotate; failing that, today's count.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db.models import Count

from trusts.models import Membership, Role

from .models import TraineeCount


@dataclass(frozen=True)
class Denominator:
    trainees: int
    source: str
    counted_on: date
    note: str = ""

    @property
    def says(self) -> str:
        """How the figure was arrived at, in a phrase for pages and files."""
        day = f"{self.counted_on:%-d %b %Y}"
        if self.source == TraineeCount.Source.DEANERY:
            return f"entered by the deanery on {day}"
        return f"counted from the portal's placements on {day}"

    def as_dict(self) -> dict:
        return {
            "trainees": self.trainees,
            "source": self.source,
            "counted_on": self.counted_on.isoformat(),
            "note": self.note,
        }


def year_end(year: int) -> date:
    return date(year + 1, 7, 31)


def portal_counts(trust_ids) -> dict[int, int]:
    """Trainees placed in each Trust now, from the portal's placements: one grouped query."""
    return dict(
        Membership.objects.filter(role=Role.TRAINEE, trust_id__in=trust_ids)
        .values("trust_id")
        .annotate(n=Count("pk"))
        .values_list("trust_id", "n")
        .order_by()
    )


def denominators(*, year: int, trust_ids, today: date) -> dict[int, Denominator]:
    """The denominator of each Trust for the training year starting in `year`: two queries."""
    trust_ids = list(trust_ids)
    stored: dict[tuple[int, str], TraineeCount] = {
        (row.trust_id, row.source): row
        for row in TraineeCount.objects.filter(year=year, trust_id__in=trust_ids)
    }
    live = portal_counts(trust_ids)
    ended = today > year_end(year)
    found = {}
    for trust_id in trust_ids:
        entered = stored.get((trust_id, TraineeCount.Source.DEANERY))
        counted = stored.get((trust_id, TraineeCount.Source.PORTAL))
        if entered is not None:
            found[trust_id] = Denominator(
                entered.trainees, entered.source, entered.counted_on, entered.note
            )
        elif ended and counted is not None:
            found[trust_id] = Denominator(counted.trainees, counted.source, counted.counted_on)
        else:
            found[trust_id] = Denominator(live.get(trust_id, 0), TraineeCount.Source.PORTAL, today)
    return found


def trainee_counts_record(*, year: int, trust_ids, today: date) -> int:
    """Store today's portal count for each Trust for a year still running (the hourly job),
    so that the year keeps its last count once it ends. Two queries and one bulk write."""
    if today > year_end(year):
        return 0
    trust_ids = list(trust_ids)
    live = portal_counts(trust_ids)
    rows = [
        TraineeCount(
            trust_id=trust_id,
            year=year,
            trainees=live.get(trust_id, 0),
            source=TraineeCount.Source.PORTAL,
            counted_on=today,
        )
        for trust_id in trust_ids
    ]
    TraineeCount.objects.bulk_create(
        rows,
        update_conflicts=True,
        unique_fields=["trust", "year", "source"],
        update_fields=["trainees", "counted_on"],
    )
    return len(rows)
