"""The default scenario, run once per session (deterministic, about 0.3 s)."""

from __future__ import annotations

import pytest


@pytest.fixture(scope="session")
def default_run():
    from sim import load_scenario, simulate

    return simulate(load_scenario(), mode="deterministic")
