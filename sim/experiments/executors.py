"""Where tasks run: in this process, in a local process pool, or on a Dask cluster.

Each executor is a context manager whose ``imap_unordered(fn, tasks)`` yields results as they
finish, with at most a few tasks per worker in flight (memory stays bounded however many tasks
there are). Pools and clusters exist only inside the ``with`` block and are always shut down.
Nothing starts at import time, and Dask is imported only by the Dask executor.
"""

from __future__ import annotations

import concurrent.futures as cf
import multiprocessing
import os
import signal
import sys
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from sim.errors import ConfigError

EXECUTORS = ("serial", "processes", "dask")
IN_FLIGHT_PER_WORKER = 2  # tasks queued per worker: enough to keep it busy, few to hold


def default_workers() -> int:
    """Usable CPUs of this process."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - macOS, Windows
        return max(1, os.cpu_count() or 1)


def start_method() -> str:
    """A start method safe in Jupyter and threads: forkserver on Linux, spawn elsewhere."""
    methods = multiprocessing.get_all_start_methods()
    return "forkserver" if "forkserver" in methods and sys.platform != "darwin" else "spawn"


PARENT_CHECK_S = 0.5  # seconds between a worker's checks that the sweep process still lives


def _alive(pid: int) -> bool:
    """Whether process ``pid`` runs (a zombie, killed but not yet reaped, counts as dead)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # pragma: no cover - exists, owned by someone else
        return True
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as fh:
            return fh.read().rsplit(")", 1)[1].split()[0] != "Z"
    except (OSError, IndexError):  # pragma: no cover - no /proc (macOS)
        return True


def _worker_init(pid: int) -> None:
    """Worker initializer: leave Ctrl-C to the sweep process, and exit when it dies.

    The sweep process handles an interrupt (it stops the pool, keeping the finished chunks).
    A pool worker would otherwise wait for work forever once its parent is gone (``kill -9``),
    since it holds the write end of its own task queue.
    """
    signal.signal(signal.SIGINT, signal.SIG_IGN)

    def watch() -> None:
        while _alive(pid):
            time.sleep(PARENT_CHECK_S)
        os._exit(1)

    threading.Thread(target=watch, name="watch-parent", daemon=True).start()


class SerialExecutor:
    """Runs each task in this process, in order (for debugging and tests)."""

    workers = 1
    description = "serial"

    def __enter__(self) -> SerialExecutor:
        return self

    def __exit__(self, *exc: object) -> None:
        return None

    def imap_unordered(self, fn: Callable[[Any], Any], tasks: Iterable[Any]) -> Iterator[Any]:
        for task in tasks:
            yield fn(task)


class ProcessExecutor:
    """A local pool of ``workers`` processes (forkserver or spawn, never fork)."""

    def __init__(self, workers: int) -> None:
        self.workers = workers
        self.description = f"{workers} processes"
        self._pool: cf.ProcessPoolExecutor | None = None

    def __enter__(self) -> ProcessExecutor:
        ctx = multiprocessing.get_context(start_method())
        if ctx.get_start_method() == "forkserver":
            ctx.set_forkserver_preload(["sim.experiments.runner"])
        self._pool = cf.ProcessPoolExecutor(
            max_workers=self.workers,
            mp_context=ctx,
            initializer=_worker_init,
            initargs=(os.getpid(),),
        )
        return self

    def __exit__(self, *exc: object) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None

    def imap_unordered(self, fn: Callable[[Any], Any], tasks: Iterable[Any]) -> Iterator[Any]:
        assert self._pool is not None, "use the executor in a with block"
        pending: set[cf.Future] = set()
        todo = iter(tasks)
        limit = self.workers * IN_FLIGHT_PER_WORKER
        while True:
            for task in todo:
                pending.add(self._pool.submit(fn, task))
                if len(pending) >= limit:
                    break
            if not pending:
                return
            done, pending = cf.wait(pending, return_when=cf.FIRST_COMPLETED)
            for future in done:
                yield future.result()


class DaskExecutor:
    """Tasks on a Dask cluster: the one at ``scheduler``, or a local one on 127.0.0.1."""

    def __init__(self, workers: int | None, scheduler: str | None) -> None:
        self.workers = workers
        self.scheduler = scheduler
        self.description = f"dask at {scheduler}" if scheduler else f"dask, {workers} local workers"
        self._client: Any = None
        self._cluster: Any = None

    def __enter__(self) -> DaskExecutor:
        try:
            from distributed import Client, LocalCluster
        except ImportError:
            raise ConfigError(
                "--executor", "dask", "Dask is not installed; pip install 'scaleup[dask]'"
            ) from None
        try:
            if self.scheduler:
                self._client = Client(self.scheduler, timeout="20s")
            else:
                self._cluster = LocalCluster(
                    n_workers=self.workers,
                    threads_per_worker=1,
                    processes=True,
                    host="127.0.0.1",
                    dashboard_address=None,
                )
                self._client = Client(self._cluster)
        except BaseException:
            self.__exit__()
            raise
        self.workers = max(1, sum(self._client.nthreads().values()))
        if self.scheduler:
            self.description = f"dask at {self.scheduler} ({self.workers} threads)"
        return self

    def __exit__(self, *exc: object) -> None:
        if self._client is not None:
            self._client.close()
            self._client = None
        if self._cluster is not None:
            self._cluster.close()
            self._cluster = None

    def imap_unordered(self, fn: Callable[[Any], Any], tasks: Iterable[Any]) -> Iterator[Any]:
        from distributed import as_completed

        assert self._client is not None, "use the executor in a with block"
        todo = iter(tasks)
        limit = self.workers * IN_FLIGHT_PER_WORKER
        first = [
            self._client.submit(fn, t, pure=False) for _, t in zip(range(limit), todo, strict=False)
        ]
        if not first:
            return
        stream = as_completed(first)
        for future in stream:
            try:
                result = future.result()
            finally:
                future.release()
            nxt = next(todo, None)
            if nxt is not None:
                stream.add(self._client.submit(fn, nxt, pure=False))
            yield result


def make_executor(
    kind: str, workers: int | None = None, scheduler: str | None = None
) -> SerialExecutor | ProcessExecutor | DaskExecutor:
    """The executor named ``kind`` (``serial``, ``processes`` or ``dask``)."""
    if kind not in EXECUTORS:
        raise ConfigError("--executor", kind, f"unknown executor; choose one of {EXECUTORS}")
    if workers is not None and workers < 1:
        raise ConfigError("--workers", str(workers), "must be at least 1")
    if scheduler and kind != "dask":
        raise ConfigError("--scheduler", scheduler, "needs --executor dask")
    if kind == "serial":
        return SerialExecutor()
    if kind == "processes":
        return ProcessExecutor(workers or default_workers())
    return DaskExecutor(workers or default_workers(), scheduler)
