"""Comparing Trusts of different sizes fairly: funnel-plot control limits.

For a proportion over people (reach, floor coverage, a survey's % agree), each Trust's value is
set against limits around the regional proportion p₀ that narrow as its denominator n grows:
p₀ ± z·√(p₀(1 − p₀)/n), with z = 1.96 (95%) and 3.09 (99.8%), clipped to 0–100% — the method
of the Public Health England indicator tools. A Trust is flagged only outside them ("watch"
beyond 95%, "outlier" beyond 99.8%), so a chart and its flags always agree, and chance in a
small Trust is not read as a difference.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

Z95 = 1.959963984540054
Z998 = 3.090232306167813  # the two-sided 99.8% point of the normal distribution


def control_limits(p0: float, n: int, z: float) -> tuple[float, float]:
    """The funnel's limits (as proportions, clipped to 0–1) for a denominator of `n`."""
    if n <= 0:
        return (0.0, 1.0)
    half = z * math.sqrt(p0 * (1 - p0) / n)
    return (max(0.0, p0 - half), min(1.0, p0 + half))


@dataclass(frozen=True)
class FunnelPoint:
    numerator: int
    denominator: int
    p0: float

    @property
    def proportion(self) -> float | None:
        return self.numerator / self.denominator if self.denominator else None

    @property
    def limit95(self) -> tuple[float, float]:
        return control_limits(self.p0, self.denominator, Z95)

    @property
    def limit998(self) -> tuple[float, float]:
        return control_limits(self.p0, self.denominator, Z998)

    @property
    def flag(self) -> str:
        """ "outlier" outside the 99.8% limits, "watch" outside the 95% ones, else "none"."""
        p = self.proportion
        if p is None:
            return "none"
        low, high = self.limit998
        if p < low or p > high:
            return "outlier"
        low, high = self.limit95
        if p < low or p > high:
            return "watch"
        return "none"


def regional_proportion(points: list[tuple[int, int]]) -> float:
    """p₀: the region's pooled proportion, Σ numerators ÷ Σ denominators."""
    total = sum(d for _, d in points)
    return sum(n for n, _ in points) / total if total else 0.0
