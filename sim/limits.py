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
