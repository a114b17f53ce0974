"""Funnel-plot limits against the published reference values of the PHE method, and flags
that agree with the limits."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from reports.funnel import Z95, Z998, FunnelPoint, control_limits, regional_proportion

P0 = 0.80642448


@pytest.mark.parametrize(
    ("n", "z", "low", "high"),
    [
        (20, Z95, 63.3267, 97.9582),
        (20, Z998, 53.3412, 100.0),
        (1008, Z95, 78.2034, 83.0815),
        (1008, Z998, 76.7968, 84.4881),
    ],
)
def test_limits_match_the_phe_reference_values(n, z, low, high):
    got_low, got_high = control_limits(P0, n, z)
    assert 100 * got_low == pytest.approx(low, abs=1e-4)
    assert 100 * got_high == pytest.approx(high, abs=1e-4)


def test_a_trust_is_flagged_by_which_limits_it_lies_outside():
    assert FunnelPoint(16, 20, P0).flag == "none"  # 80%: inside
    assert FunnelPoint(12, 20, P0).flag == "watch"  # 60%: below 63.3, above 53.3
    assert FunnelPoint(10, 20, P0).flag == "outlier"  # 50%: below 53.3
    assert FunnelPoint(0, 0, P0).flag == "none"  # no denominator: nothing to compare


@given(
    numerator=st.integers(0, 500),
    extra=st.integers(0, 500),
    p0=st.floats(0.01, 0.99),
)
def test_the_flag_always_agrees_with_the_limits(numerator, extra, p0):
    point = FunnelPoint(numerator, numerator + extra or 1, p0)
    p = point.proportion
    outside95 = not point.limit95[0] <= p <= point.limit95[1]
    outside998 = not point.limit998[0] <= p <= point.limit998[1]
    assert point.flag == ("outlier" if outside998 else "watch" if outside95 else "none")


def test_the_regional_proportion_pools_the_trusts():
    assert regional_proportion([(10, 20), (30, 80)]) == pytest.approx(0.4)
    assert regional_proportion([]) == 0.0
