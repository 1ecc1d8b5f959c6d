"""Every bound on what scaleup reads and does, in one place (the README quotes these).

A limit is generous for real work and small enough that no input can make the tool hang or
exhaust the machine. Checks happen when a value is validated, never later.
"""

from __future__ import annotations

MAX_FILE_BYTES = 2_000_000
"""Largest input file read (scenario, sweep, sensitivity, observed data), in bytes."""

MAX_YAML_NODES = 200_000
"""Most YAML nodes (scalars, lists, mappings) one file may expand to, aliases counted."""

MAX_DEPTH = 50
"""Deepest nesting of mappings and lists in an input file."""

MAX_EXTENDS = 20
"""Longest chain of ``extends:`` between scenario files."""

MAX_RUNS = 10_000_000
"""Most runs one sweep or sensitivity analysis may plan."""

MAX_HORIZON_MONTHS = 600
"""Longest simulated horizon (50 years)."""

MAX_LIST_ITEMS = 10_000
"""Most entries in one list or table of an input file (discrete values, table rows, ...)."""

MAX_SOBOL_RUNS = 5_000_000
"""Most runs one Sobol analysis may plan: ``size * (inputs + 2) * replications`` (a sensitivity
analysis also runs its one-at-a-time points, so it stays below :data:`MAX_RUNS`)."""

MAX_BOOTSTRAP = 10_000
"""Most bootstrap replicates of one calibration (each is a refit of the identified parameters)."""

MAX_NAME_CHARS = 100
"""Longest name of a scenario, sweep or analysis (it becomes a folder name)."""

MAX_SEED = 2**64 - 1
"""Largest seed (``seed``, ``master_seed``, a sample's ``seed``)."""

# Physical bounds of a scenario's values: generous for any real car maker, small enough that no
# value can overflow the books or make the model's memory or time grow with it.
MAX_CARS = 1e9
"""Most cars in any count: a market, orders per month, a capacity per year, a stock target."""

MAX_EXPERIENCE_UNITS = 1e10
"""Most cumulative cars in a learning-curve quantity (pilot builds, yield halving)."""

MAX_USD_PER_CAR = 1e7
"""Highest price, cost or deposit per car, USD."""

MAX_USD_PER_MONTH = 1e11
"""Highest monthly spending (R&D, SG&A, a line's fixed cost), USD."""

MAX_USD = 1e12
"""Highest single amount (a capital expenditure), USD."""

MAX_LINES = 100
"""Most production lines in one factory."""

MAX_PRODUCTS = 20
"""Most products in one scenario (the first one and ``products``)."""

MAX_DISRUPTIONS_PER_YEAR = 365.0
"""Highest rate of random disruptions (one a day on average)."""

MIN_MTBF_HOURS = 1.0
"""Shortest mean time between breakdowns; the breakdown draws grow as horizon / MTBF."""

MAX_HOURS = 1e6
"""Longest mean time between breakdowns or to repair, hours (over a century)."""

MAX_DAYS = 36_525.0
"""Longest duration in days (a disruption, a mean disruption): a century."""

MAX_YEARS = 100.0
"""Longest depreciation, years."""

SCHEDULER_CONNECT_SECONDS = 5.0
"""Longest wait for a Dask scheduler to answer as one before the sweep gives up (exit 1)."""
