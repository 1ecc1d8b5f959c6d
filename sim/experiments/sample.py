"""Draws for the ``sample:`` block: Latin hypercube or plain Monte Carlo, then inverse CDFs;
or SALib's Saltelli design for Sobol indices.

The unit-cube points come from one generator derived from the master seed, or from the
sample's own ``seed`` (never the streams of the replications), so the draws are a pure function
of the sweep file. ``saltelli`` draws are SALib's sample itself, rows in SALib's order, so the
outputs of the points line up with ``SALib.analyze.sobol.analyze``.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from scipy import stats
from scipy.stats import qmc

from sim.experiments.spec import Discrete, LogNormal, Normal, Sample, Triangular, Uniform

SAMPLE_STREAM = 0x73616D70  # "samp": the draws' own entropy word, apart from the replications'


def sample_rng(master_seed: int) -> np.random.Generator:
    """The generator of the sample draws (independent of every replication's streams)."""
    return np.random.default_rng(np.random.SeedSequence([master_seed, SAMPLE_STREAM]))


def unit_points(method: str, size: int, dims: int, rng: np.random.Generator) -> np.ndarray:
    """``size`` x ``dims`` points in the open unit cube."""
    if method == "lhs":
        try:
            engine = qmc.LatinHypercube(d=dims, rng=rng)
        except TypeError:  # scipy < 1.15 calls it ``seed``
            engine = qmc.LatinHypercube(d=dims, seed=rng)
        u = engine.random(size)
    else:
        u = rng.random((size, dims))
    tiny = np.finfo(float).eps
    return np.clip(u, tiny, 1.0 - tiny)


def inverse_cdf(dist: Any, u: np.ndarray) -> list[Any]:
    """Values of ``dist`` at the probabilities ``u`` (Python floats, or the listed values)."""
    if isinstance(dist, Uniform):
        x = dist.low + u * (dist.high - dist.low)
    elif isinstance(dist, Normal):
        x = stats.norm.ppf(u, loc=dist.mean, scale=dist.sigma)
    elif isinstance(dist, Triangular):
        width = dist.high - dist.low
        x = stats.triang.ppf(u, (dist.mode - dist.low) / width, loc=dist.low, scale=width)
    elif isinstance(dist, LogNormal):
        x = dist.median * np.exp(dist.sigma * stats.norm.ppf(u))
    elif isinstance(dist, Discrete):
        w = np.ones(len(dist.values)) if dist.weights is None else np.asarray(dist.weights)
        cdf = np.cumsum(w) / w.sum()
        idx = np.minimum(np.searchsorted(cdf, u, side="right"), len(dist.values) - 1)
        return [dist.values[i] for i in idx]
    else:  # pragma: no cover - the schema admits no other kind
        raise TypeError(f"unknown distribution {dist!r}")
    return [float(v) for v in x]


def saltelli_problem(sample: Sample) -> dict[str, Any]:
    """The SALib problem of a ``saltelli`` sample: its params (uniform) in file order."""
    return {
        "num_vars": len(sample.params),
        "names": list(sample.params),
        "bounds": [[d.low, d.high] for d in sample.params.values()],
    }


def saltelli_points(sample: Sample, master_seed: int) -> np.ndarray:
    """SALib's Saltelli design (``SALib.sample.sobol.sample``, no second-order terms):
    ``size * (params + 2)`` rows in SALib's order, one column per param in file order.

    The sample's ``seed`` goes to SALib as is (so SALib alone repeats the draws); without it
    the Sobol sequence is scrambled by the generator of ``master_seed``.
    """
    from SALib.sample import sobol  # only saltelli sweeps need SALib

    seed = sample.seed if sample.seed is not None else sample_rng(master_seed)
    return sobol.sample(saltelli_problem(sample), sample.size, calc_second_order=False, seed=seed)


def draw(sample: Sample | None, master_seed: int) -> list[dict[str, Any]]:
    """One ``{dotted.path: value}`` per draw (a single empty draw when there is no sample)."""
    if sample is None:
        return [{}]
    paths = list(sample.params)
    if sample.method == "saltelli":
        rows = saltelli_points(sample, master_seed).tolist()
        return [dict(zip(paths, row, strict=True)) for row in rows]
    seed = sample.seed if sample.seed is not None else master_seed
    u = unit_points(sample.method, sample.size, len(paths), sample_rng(seed))
    columns = [inverse_cdf(sample.params[p], u[:, j]) for j, p in enumerate(paths)]
    return [dict(zip(paths, row, strict=True)) for row in zip(*columns, strict=True)]
