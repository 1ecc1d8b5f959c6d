"""Same sweep, same tables: run twice, or on serial, processes and Dask (local, loopback)."""

from __future__ import annotations

import multiprocessing
import sys

import pandas as pd
import pytest

from sim.experiments import run_sweep


def _tables(res) -> dict[str, pd.DataFrame]:
    return {
        "runs": res.runs,
        "points": res.points,
        "comparison": res.comparison,
        "bands": res.bands,
    }


def _assert_same(a, b) -> None:
    for name, table in _tables(a).items():
        pd.testing.assert_frame_equal(table, _tables(b)[name], obj=name)


def test_same_sweep_twice_gives_equal_tables(tiny, write_sweep, sweep_dir):
    path = write_sweep(tiny)
    one = run_sweep(path, executor="serial", out=sweep_dir / "a", progress=False)
    two = run_sweep(path, executor="serial", out=sweep_dir / "b", progress=False, chunk_runs=1)
    _assert_same(one, two)
    assert (one.runs["status"] == "ok").all() and len(one.runs) == 6


def test_serial_processes_and_dask_agree(tiny, write_sweep, sweep_dir):
    pytest.importorskip("distributed")  # installed by the .[dask] extra, as in CI
    tiny["replications"] = 4
    path = write_sweep(tiny)
    serial = run_sweep(path, executor="serial", out=sweep_dir / "serial", progress=False)
    procs = run_sweep(
        path, executor="processes", workers=2, out=sweep_dir / "procs", progress=False, chunk_runs=1
    )
    dask = run_sweep(
        path, executor="dask", workers=2, out=sweep_dir / "dask", progress=False, chunk_runs=3
    )
    _assert_same(serial, procs)
    _assert_same(serial, dask)
    assert multiprocessing.active_children() == []  # the pools are gone
    assert procs.executed == dask.executed == 8


def test_importing_starts_nothing():
    import subprocess

    code = (
        "import multiprocessing, sys, sim.experiments, sim.cli.main;"
        "sim.cli.main.build_parser();"
        "print(multiprocessing.active_children(), 'distributed' in sys.modules, "
        "'dask' in sys.modules, 'tqdm' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["[]", "False", "False", "False"]


def test_dask_at_a_scheduler_address(tiny, write_sweep, sweep_dir):
    """``--scheduler``: connect to a running cluster (here a local one on loopback)."""
    distributed = pytest.importorskip("distributed")
    path = write_sweep(tiny)
    serial = run_sweep(path, executor="serial", out=sweep_dir / "serial", progress=False)
    with distributed.LocalCluster(
        n_workers=1, threads_per_worker=2, host="127.0.0.1", dashboard_address=None
    ) as cluster:
        remote = run_sweep(
            path,
            executor="dask",
            scheduler=cluster.scheduler_address,
            out=sweep_dir / "remote",
            progress=False,
            chunk_runs=2,
        )
        assert "dask at tcp://127.0.0.1" in remote.executor
        assert len(cluster.scheduler.workers) == 1  # the cluster outlives the sweep
    _assert_same(serial, remote)


def test_run_sweep_in_a_notebook(tiny, write_sweep, sweep_dir):
    """A process pool from a Jupyter kernel: runs, returns, leaves no child behind."""
    nbformat = pytest.importorskip("nbformat")
    nbclient = pytest.importorskip("nbclient")
    path = write_sweep(tiny)
    code = (
        "import multiprocessing\n"
        "from sim.experiments import run_sweep\n"
        f"res = run_sweep({str(path)!r}, executor='processes', workers=2, "
        f"out={str(sweep_dir / 'nb')!r})\n"
        "print(len(res.runs), res.failed, multiprocessing.active_children())"
    )
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(code)])
    nbclient.NotebookClient(nb, timeout=120, kernel_name="python3").execute()
    outputs = nb.cells[0].outputs
    text = "".join(o.get("text", "") for o in outputs if o.get("name") == "stdout")
    assert text.strip().splitlines()[-1] == "6 0 []"
