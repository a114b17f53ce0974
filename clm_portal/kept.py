"""What a web worker keeps in memory of figures that never change once stored (a regional
snapshot, a survey round's publication), by a key that names the stored version: a new
version is a new key, so nothing kept can go stale. Bounded: the oldest goes first."""

from __future__ import annotations

from typing import Any


class Kept:
    def __init__(self, most: int):
        self.most = most
        self._items: dict[Any, Any] = {}

    def get(self, key):
        """What was kept for `key`, or None."""
        return self._items.get(key)

    def put(self, key, value):
        """Keep `value` for `key` (dropping the oldest beyond `most`) and return it."""
        while len(self._items) >= self.most:
            self._items.pop(next(iter(self._items)))
        self._items[key] = value
        return value

    def clear(self) -> None:
        self._items.clear()
