"""A random generator that notes the size of every draw (to bound a sampler's work in tests)."""

from __future__ import annotations

import numpy as np


class Recorder:
    """A generator that notes the size of every draw."""

    def __init__(self, seed: int) -> None:
        self.rng = np.random.default_rng(seed)
        self.sizes: list[int] = []

    def __getattr__(self, name):
        draw = getattr(self.rng, name)

        def recorded(*args):
            out = draw(*args)
            self.sizes.append(int(np.size(out)))
            return out

        return recorded
