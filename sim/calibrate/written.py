"""The calibrated scenario as an ordinary scenario file: the fitted values set, each with a
comment giving its interval and the data it came from."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

import yaml

from sim.calibrate.fit import FitResult
from sim.config.load import apply_overrides
from sim.config.reader import Document, parse


def _plain(value: Any) -> Any:
    """Dates as ``YYYY-MM-DD`` text the scenario reader accepts; containers recursively."""
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


class _Dumper(yaml.SafeDumper):
    """Mappings in block style (one key a line, so each can carry its comment), lists inline."""


def _list(dumper: yaml.SafeDumper, value: list[Any]) -> yaml.Node:
    return dumper.represent_sequence("tag:yaml.org,2002:seq", value, flow_style=True)


_Dumper.add_representer(list, _list)


def scenario_text(
    data: Mapping[str, Any], fit: FitResult, *, source: str, data_from: str, header: list[str]
) -> str:
    """YAML text of ``data`` with the fitted values set and commented."""
    values = {row.path: float(row.value) for row in fit.parameters.itertuples()}
    out = _plain(apply_overrides(data, values, source=source))
    text = yaml.dump(
        out,
        Dumper=_Dumper,
        sort_keys=False,
        default_flow_style=False,
        width=10**6,
        allow_unicode=True,
    )
    _, root = parse(text, source)
    doc = Document(source, out, root)
    lines = text.splitlines()
    pct = round(fit.interval * 100)
    for row in fit.parameters.itertuples():
        line = doc.line_of(row.path.split("."))
        if line is None:
            continue
        if row.identified:
            note = (
                f"fitted: {pct} % interval {row.low_interval:.6g} to "
                f"{row.high_interval:.6g} (se {row.se:.3g})"
            )
        else:
            note = (
                f"NOT identified by the data: kept at {row.value:.6g}; any value in "
                f"{row.low:.6g} to {row.high:.6g} fits as well"
            )
        lines[line - 1] += f"  # {note}; from {data_from}"
    return "\n".join([*(f"# {h}" for h in header), *lines]) + "\n"
