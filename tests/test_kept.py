"""A web worker keeps a bounded number of stored figures, the oldest dropped first."""

from clm_portal.kept import Kept


def test_it_keeps_at_most_so_many_and_drops_the_oldest():
    kept = Kept(most=2)
    assert kept.put("2024", {"a": 1}) == {"a": 1}
    kept.put("2025", {"b": 2})
    kept.put("2026", {"c": 3})
    assert kept.get("2024") is None
    assert (kept.get("2025"), kept.get("2026")) == ({"b": 2}, {"c": 3})
    kept.clear()
    assert kept.get("2026") is None
