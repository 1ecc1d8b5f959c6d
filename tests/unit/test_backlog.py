"""The FIFO cohort backlog (sim.model.backlog), computed by hand."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sim.model.backlog import EPS, Backlog


def values(b: Backlog) -> list[float]:
    """What is left of each day's orders, in cars."""
    return [x * b.scale if i < b.edge else x for i, x in enumerate(b.cohorts)]


def test_the_worked_example():
    b = Backlog(grace_days=2)
    b.arrive(10.0)  # day 0
    b.arrive(5.0)  # day 1
    assert (b.exposed, b.fresh) == (0.0, 15.0)
    b.arrive(0.0)  # day 2: day 0's orders have waited two days
    assert (b.exposed, b.fresh, b.edge) == (10.0, 5.0, 1)
    b.cancel(4.0)  # 40 % of the exposed orders
    assert b.exposed == pytest.approx(6.0) and b.scale == pytest.approx(0.6)
    b.arrive(2.0)  # day 3: day 1's 5 join the exposed pool
    assert b.exposed == pytest.approx(11.0) and b.fresh == pytest.approx(2.0)
    b.cancel(5.5)  # half of every exposed cohort
    assert values(b) == pytest.approx([3.0, 2.5, 0.0, 2.0])
    log: list = []
    b.allocate(3, 4.0, log.extend)  # day 0's 3 cars, then 1 of day 1's
    assert log == pytest.approx([3, 0, 3.0, 3, 1, 1.0])
    assert values(b) == pytest.approx([0.0, 1.5, 0.0, 2.0])
    assert b.head == 1 and b.waiting == pytest.approx(3.5)
    log.clear()
    b.allocate(3, 3.5, log.extend)  # the last 1.5 exposed, then day 3's 2 (day 2 had none)
    assert log == pytest.approx([3, 1, 1.5, 3, 3, 2.0])
    assert (b.exposed, b.fresh, b.scale, b.head) == (0.0, 0.0, 1.0, 4)


def test_cancelling_everything_exposed_clears_it_and_keeps_the_fresh():
    b = Backlog(grace_days=1)
    b.arrive(7.0)
    b.arrive(3.0)  # day 1: day 0's 7 exposed, day 1's 3 fresh
    b.cancel(7.0)
    assert (b.exposed, b.fresh, b.scale, b.head) == (0.0, 3.0, 1.0, 1)
    log: list = []
    b.allocate(1, 3.0, log.extend)
    assert log == [1, 1, 3.0]


def test_a_tiny_scale_is_folded_back_into_the_cohorts():
    b = Backlog(grace_days=1)
    b.arrive(1e6)
    b.arrive(0.0)
    for _ in range(30):  # each keeps a millionth: the scale would reach 1e-180 ... 1e-174
        b.cancel(b.exposed * (1 - 1e-6))
    assert b.scale >= 1e-200
    assert values(b)[0] == pytest.approx(b.exposed, rel=1e-9)
    assert b.exposed == pytest.approx(1e6 * 1e-180, rel=1e-6)


def test_float_dust_never_stays_behind_in_a_cohort():
    b = Backlog(grace_days=1)
    b.arrive(5.0)
    b.arrive(5.0)
    log: list = []
    b.allocate(1, 5.0 - EPS / 2, log.extend)  # all but dust of day 0: day 0 is served in full
    assert log == [1, 0, 5.0] and b.head == 1


def test_grace_of_zero_days_is_refused():
    with pytest.raises(ValueError, match="grace_days"):
        Backlog(0)


ops = st.lists(
    st.tuples(
        st.floats(0, 1000, allow_nan=False),  # orders of the day
        st.floats(0, 1),  # share of the exposed orders that cancel
        st.floats(0, 1.2),  # cars offered, as a share of what is waiting
    ),
    min_size=1,
    max_size=60,
)


@settings(max_examples=200, deadline=None)
@given(st.integers(1, 10), ops)
def test_orders_are_conserved_and_served_first_in_first_out(grace, days):
    b = Backlog(grace)
    log: list = []
    taken = cancelled = given_cars = 0.0
    for d, (new, share, offer) in enumerate(days):
        b.arrive(new)
        taken += new
        if b.exposed > 0 and share > 0:
            c = b.exposed * share
            b.cancel(c)
            cancelled += c
        cars = min(offer * b.waiting, b.waiting)
        if cars > 0:
            b.allocate(d, cars, log.extend)
            given_cars += cars
        assert b.exposed >= -EPS and b.fresh >= -EPS  # float dust at most
        assert sum(values(b)) == pytest.approx(b.waiting, rel=1e-9, abs=1e-6)
    assert taken == pytest.approx(cancelled + given_cars + b.waiting, rel=1e-9, abs=1e-6)
    served = [log[i : i + 3] for i in range(0, len(log), 3)]
    assert sum(r[2] for r in served) == pytest.approx(given_cars, rel=1e-9, abs=1e-6)
    order_days = [r[1] for r in served]
    assert order_days == sorted(order_days)  # oldest first, never back
    assert all(r[1] <= r[0] for r in served)  # nobody is served before ordering
