"""Named random streams: one independent generator per process, derived from one seed.

A stream is named, not numbered, so adding a line or a process never shifts the numbers
another process draws (a condition for common random numbers across variants).
"""

from __future__ import annotations

import zlib

import numpy as np

SeedLike = int | np.random.SeedSequence


def root_sequence(seed: SeedLike) -> np.random.SeedSequence:
    if isinstance(seed, np.random.SeedSequence):
        return seed
    return np.random.SeedSequence(int(seed))


def stream(seed: SeedLike, name: str) -> np.random.Generator:
    """The generator for process ``name`` under ``seed``."""
    root = root_sequence(seed)
    key = (*root.spawn_key, zlib.crc32(name.encode("utf-8")))
    return np.random.default_rng(np.random.SeedSequence(root.entropy, spawn_key=key))
