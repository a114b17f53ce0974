"""Paging long lists without counting the whole table or reading deep into it."""

from __future__ import annotations

from functools import cached_property

from django.core.paginator import Paginator
from django.db.models import QuerySet

# Pages stop here: no COUNT(*) over a large table on every view, and no OFFSET past it.
MAX_ROWS = 10_000


class CappedPaginator(Paginator):
    """A paginator over at most the first `max_rows` rows of its list.

    Counting stops at `max_rows + 1` (`SELECT COUNT(*) FROM (… LIMIT 10001)`), so a region-wide
    list of millions of rows costs what 10,000 do, and the last page offered starts below
    `max_rows`. `is_capped` says there are more rows than that: the page then asks the reader
    to narrow the list with its filters (a date range, a Trust) instead of paging further.
    """

    max_rows = MAX_ROWS

    @cached_property
    def _bounded_count(self) -> int:
        rows = self.object_list
        # django-tables2 hands over its BoundRows; its data's data is the queryset.
        queryset = getattr(getattr(rows, "data", None), "data", rows)
        if isinstance(queryset, QuerySet):
            return queryset[: self.max_rows + 1].count()
        return min(len(rows), self.max_rows + 1)

    @cached_property
    def count(self) -> int:
        return min(self._bounded_count, self.max_rows)

    @property
    def is_capped(self) -> bool:
        return self._bounded_count > self.max_rows
