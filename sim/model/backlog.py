"""The orders waiting for a car: one cohort per order day, served first in, first out.

Orders younger than the grace period (``fresh``) never cancel. Older ones (``exposed``) all face
the same daily hazard, so they shrink by one common factor: their counts are stored divided by
a running ``scale``, and cancelling a share ``c / exposed`` of them is the O(1) update
``scale *= 1 - c / exposed``. Cars go to the oldest cohorts first, exposed ones before fresh.
"""

from __future__ import annotations

from collections.abc import Callable

EPS = 1e-9
"""Cars: amounts below this are float dust, not orders."""

RENORMALISE_BELOW = 1e-200
"""The scale is folded back into the cohorts before it can underflow."""

Record = Callable[[tuple[int, int, float]], object]
"""Receives (allocation day, order day, cars) for every cohort served."""


class Backlog:
    """Waiting orders by order day; ``exposed + fresh`` is everything still waiting."""

    __slots__ = ("cohorts", "edge", "exposed", "fresh", "grace", "head", "scale")

    def __init__(self, grace_days: int) -> None:
        if grace_days < 1:
            raise ValueError("grace_days must be at least 1: no order cancels on its arrival day")
        self.grace = grace_days
        self.cohorts: list[float] = []
        """What is left of each day's orders (exposed cohorts divided by ``scale``)."""
        self.head = 0
        """Oldest order day with anything left."""
        self.edge = 0
        """First order day still in its grace period."""
        self.scale = 1.0
        self.exposed = 0.0
        """Orders past their grace period, which may cancel."""
        self.fresh = 0.0
        """Orders within their grace period."""

    @property
    def waiting(self) -> float:
        return self.exposed + self.fresh

    def arrive(self, orders: float) -> float:
        """Take the next day's orders (the first call is day 0); the cohort whose grace period
        ends that day joins the exposed pool. Returns the exposed orders."""
        co = self.cohorts
        co.append(orders)
        old = len(co) - 1 - self.grace
        if old < 0:
            self.fresh += orders
            return self.exposed
        x = co[old]
        self.edge = old + 1
        if x:
            co[old] = x / self.scale
            self.exposed = exposed = self.exposed + x
            self.fresh = self.fresh + orders - x
            return exposed
        self.fresh += orders
        return self.exposed

    def cancel(self, count: float) -> None:
        """``count`` exposed orders cancel, the same share of every exposed cohort."""
        exposed = self.exposed
        if count >= exposed:
            self._clear_exposed()
            return
        scale = self.scale * (1.0 - count / exposed)
        self.exposed = exposed - count
        if scale < RENORMALISE_BELOW:
            co = self.cohorts
            for i in range(self.head, self.edge):
                co[i] *= scale
            scale = 1.0
        self.scale = scale

    def allocate(self, day: int, cars: float, record: Record) -> None:
        """Give ``cars`` (at most ``waiting``) to the oldest orders: exposed, then fresh.

        One routine walks the cohorts from the oldest: first the exposed pool (counts stored
        divided by the scale) up to ``edge``, then, once it is empty, the fresh one.
        """
        exposed = self.exposed
        take = cars if cars < exposed else exposed  # from the exposed pool
        rest = cars - take  # from the fresh pool
        co, head = self.cohorts, self.head
        budget, stop, scale = take, self.edge, self.scale
        if take <= 0:
            budget, stop, scale = rest, len(co), 1.0
        while True:
            while budget > EPS and head < stop:
                a = co[head] * scale
                if a <= budget + EPS:  # the whole cohort (never leave it with float dust)
                    budget -= a
                    if a:
                        co[head] = 0.0
                        record((day, head, a))
                    head += 1
                else:
                    co[head] = (a - budget) / scale
                    record((day, head, budget))
                    budget = 0.0
            self.head = head
            if take > 0:  # the exposed pool is done
                self.exposed = exposed = exposed - take
                take = 0.0
                if exposed <= EPS:
                    self._clear_exposed()
                    head = self.head
                if rest <= 0:
                    return
                budget, stop, scale = rest, len(co), 1.0
            else:
                break
        if rest > 0:
            self.fresh -= rest
            if self.fresh < EPS:
                self.fresh = 0.0

    def _clear_exposed(self) -> None:
        co = self.cohorts
        for i in range(self.head, self.edge):
            co[i] = 0.0
        if self.head < self.edge:
            self.head = self.edge
        self.scale, self.exposed = 1.0, 0.0
