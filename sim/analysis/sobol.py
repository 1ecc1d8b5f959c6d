"""Sobol indices: SALib's Saltelli design run through the sweep engine, then SALib's analysis.

The design is a sweep whose ``sample`` uses ``method: saltelli`` (uniform between each input's
low and high, N * (inputs + 2) points in SALib's order), so point ``i`` of the sweep is row
``i`` of ``SALib.sample.sobol.sample`` and its output is row ``i`` of ``Y``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from sim.analysis.plan import Analysis
from sim.core.outputs import PRIMARY
from sim.experiments.plan import SweepPlan
from sim.experiments.spec import Outputs, Sample

SOBOL_COLUMNS = ["metric", "input", "label", "S1", "S1_conf", "ST", "ST_conf"]
"""``sobol.csv``: first-order and total indices with the half-width of their 95 % CIs."""
BOOTSTRAP = 0x626F6F74  # "boot": the bootstrap's own entropy word, apart from the sampler's
RUN_COLUMNS = ["run_id", "status", f"breakeven_{PRIMARY}_index", "peak_cash_deficit"]


def sobol_sweep(analysis: Analysis) -> SweepPlan:
    """The sweep over SALib's Saltelli design of the inputs' box (the analysis' problem)."""
    s = analysis.spec.sobol
    params = analysis.problem.uniform_params()
    return analysis.sweep(
        "sobol",
        description=f"Saltelli design over {len(params)} inputs of {analysis.source}",
        mode=s.mode,
        master_seed=s.master_seed,
        replications=s.replications,
        sample=Sample(method="saltelli", size=s.size, seed=s.seed, params=params),
        outputs=Outputs(bands_by="variant"),  # one pooled band, not one per point
    )


def model_outputs(
    runs: pd.DataFrame, n_points: int, replications: int, horizon_months: int
) -> tuple[dict[str, np.ndarray], int]:
    """The output of each point (mean over its replications) and the censored run count.

    ``breakeven``: the primary break-even month index, a run that does not break even within
    the horizon *censored* at ``horizon_months``; ``capital``: the peak cash deficit, USD.
    ``runs`` are the sweep's runs in run id order, all successful.
    """
    if not np.array_equal(runs["run_id"].to_numpy(), np.arange(n_points * replications)):
        raise ValueError("runs must be every run of the sweep, in run id order")
    be = runs[f"breakeven_{PRIMARY}_index"].to_numpy(dtype=float, na_value=np.nan)
    censored = np.isnan(be)
    outputs = {
        "breakeven": np.where(censored, float(horizon_months), be),
        "capital": runs["peak_cash_deficit"].to_numpy(dtype=float),
    }
    means = {k: v.reshape(n_points, replications).mean(axis=1) for k, v in outputs.items()}
    return means, int(censored.sum())


def bootstrap_seed(seed: int) -> int:
    """A non-zero seed for SALib's bootstrap (SALib takes 0 as "unseeded")."""
    return int(np.random.SeedSequence([seed, BOOTSTRAP]).generate_state(1)[0]) or 1


def sobol_table(
    problem: Mapping[str, Any],
    y: np.ndarray,
    *,
    resamples: int = 1000,
    seed: int = 0,
    conf_level: float = 0.95,
) -> pd.DataFrame:
    """First-order and total Sobol indices of any model output ``y`` over SALib's Saltelli
    design of ``problem`` (no second-order terms), with bootstrap CI half-widths.

    One row per input: ``input, S1, S1_conf, ST, ST_conf``. A constant output (nothing moves
    it) has every index 0 (SALib would divide by its zero variance).
    """
    from SALib.analyze import sobol

    names = list(problem["names"])
    y = np.asarray(y, dtype=float)
    if y.size != 0 and np.ptp(y) == 0:
        zero = np.zeros(len(names))
        return pd.DataFrame(
            {"input": names, "S1": zero, "S1_conf": zero, "ST": zero, "ST_conf": zero}
        )
    si = sobol.analyze(
        dict(problem),
        y,
        calc_second_order=False,
        num_resamples=resamples,
        conf_level=conf_level,
        seed=bootstrap_seed(seed),
    )
    return pd.DataFrame(
        {
            "input": names,
            "S1": si["S1"],
            "S1_conf": si["S1_conf"],
            "ST": si["ST"],
            "ST_conf": si["ST_conf"],
        }
    )


def sobol_frame(analysis: Analysis, outputs: Mapping[str, np.ndarray]) -> pd.DataFrame:
    """``sobol.csv``: the indices of each metric of the spec, largest total effect first."""
    s = analysis.spec.sobol
    problem = analysis.problem.salib()
    frames = []
    for metric in s.metrics:
        t = sobol_table(problem, outputs[metric], resamples=s.resamples, seed=s.seed)
        t.insert(0, "metric", metric)
        t.insert(2, "label", [analysis.spec.label(p) for p in t["input"]])
        frames.append(t.sort_values("ST", ascending=False, kind="stable"))
    return pd.concat(frames, ignore_index=True)[SOBOL_COLUMNS]
