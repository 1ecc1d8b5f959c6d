"""``scaleup schema``: the reference of a file kind (every key, its type, bounds, default and
meaning), made from the field docstrings of its model; printed, or written to a file.

The committed pages (``docs/scenario.md``, ``docs/sweep-spec.md``, ``docs/sensitivity-spec.md``)
are its output, and a test fails when one of them is stale.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from sim.config.reference import Page, render

DOCS = {
    "scenario": "docs/scenario.md",
    "sweep": "docs/sweep-spec.md",
    "sensitivity": "docs/sensitivity-spec.md",
}
"""Each kind's committed page, relative to the project's root."""

_SCENARIO_INTRO = """
A scenario file is YAML (`configs/*.yaml`), validated as a whole when it is loaded: an unknown
key is an error with a "did you mean", and every value is checked against the bounds below
before anything runs. Units are in the names (`_usd`, `_per_year`, `_per_month`, `_days`,
`_hours`, `_weeks`); money is in `currency` (USD). Dates are written `YYYY-MM` (the first of the
month) or `YYYY-MM-DD`. A month is a calendar month for dated things and 365.25 / 12 days
where a duration is given in months (ramps).

A file may start with `extends: other.yaml` (relative to it) and give only what differs: maps
merge key by key, a map with a `kind` replaces the parent's whole, and an entry set to `null`
removes an inherited line, cost component or disruption. Named maps (`<name>` below) make
dotted overrides readable, e.g. `factory.lines.phase1.ramp.months=12`; an override that
changes a `kind` starts that map afresh, so give the new kind's fields too.
"""

_SWEEP_INTRO = """
A sweep file (`configs/sweeps/*.yaml`) names a base scenario and any mix of variants, a grid
and a sample; a point is variant x grid cell x sample draw, and each point is run
`replications` times. `<path>` is a dotted path into the scenario, as in overrides. See
[experiments.md](experiments.md) for how sweeps run and what they write.
"""

_SENSITIVITY_INTRO = """
A sensitivity file (`configs/sensitivity/*.yaml`) names the scenario inputs to vary, each
between a low and a high value (`<path>` is a dotted path into the scenario, as in overrides),
and how to run the one-at-a-time and Sobol analyses. Inputs may not be `seed`, `mode`,
`start` or `horizon_months`. See [sensitivity.md](sensitivity.md) for how the analysis runs
and what it writes.
"""


def _header(kind: str) -> str:
    return (
        f"<!-- Made from the field docstrings by `scaleup schema --kind {kind} --out "
        f"{DOCS[kind]}`; edit the docstrings, not this page. -->"
    )


def page(kind: str) -> Page:
    """The reference page of ``kind`` (``scenario``, ``sweep`` or ``sensitivity``)."""
    if kind == "scenario":
        from sim.config.schema import Scenario

        return Page("Scenario file reference", _SCENARIO_INTRO, Scenario, header=_header(kind))
    if kind == "sweep":
        from sim.experiments.spec import GridRange, SweepSpec

        return Page(
            "Sweep file reference",
            _SWEEP_INTRO,
            SweepSpec,
            extra=(("grid.<path>", GridRange, "written as a range instead of a list"),),
            defaults={"name": "the file's name (without `.yaml`)"},
            placeholders={
                "grid": "<path>",
                "sample.params": "<path>",
                "variants.<name>.set": "<path>",
            },
            header=_header(kind),
        )
    if kind == "sensitivity":
        from sim.analysis.spec import SensitivitySpec

        return Page(
            "Sensitivity file reference",
            _SENSITIVITY_INTRO,
            SensitivitySpec,
            defaults={"name": "the file's name (without `.yaml`) and `_sensitivity`"},
            placeholders={"inputs": "<path>"},
            header=_header(kind),
        )
    raise ValueError(f"unknown kind {kind!r}")  # pragma: no cover - argparse checks it


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "schema",
        help="print the reference of a file kind (keys, types, bounds, defaults, meanings)",
        description="Print the reference of a scenario, sweep or sensitivity file: every key "
        "with its type, bounds, default and meaning, as markdown. Exit status: 0 done, "
        "2 bad input (an output file that cannot be written).",
    )
    p.add_argument("--kind", choices=tuple(DOCS), default="scenario", help="default: scenario")
    p.add_argument("--out", metavar="FILE", help="write the page to FILE instead of printing it")
    p.set_defaults(func=cmd_schema)


def cmd_schema(args: argparse.Namespace) -> int:
    text = render(page(args.kind))
    if args.out is None:
        sys.stdout.write(text)
        return 0
    write(args.out, text)
    return 0


def write(out: str, text: str) -> None:
    """Write ``text`` to the file ``out`` in one step (a reader never sees half a page)."""
    from sim.cli.common import PATH_ERRNOS
    from sim.errors import ConfigError, EnvironmentFailure
    from sim.io.atomic import atomic_write_text
    from sim.io.paths import shown

    if Path(out).is_dir() or not Path(out).name:
        raise ConfigError(shown(out), None, "is a folder; name the file to write")
    try:
        atomic_write_text(out, text)
    except OSError as exc:  # named by the file asked for, not the temporary one beside it
        reason = exc.strerror or type(exc).__name__
        if exc.errno in PATH_ERRNOS:
            raise ConfigError(shown(out), None, f"cannot write here ({reason})") from None
        raise EnvironmentFailure(shown(out), None, f"writing failed ({reason})") from None
