"""Where tasks run: in this process, in a local process pool, or on a Dask cluster.

Each executor is a context manager whose ``imap_unordered(fn, tasks)`` yields results as they
finish, with at most a few tasks per worker in flight (memory stays bounded however many tasks
there are). Pools and clusters exist only inside the ``with`` block and are always shut down.
Nothing starts at import time, and Dask is imported only by the Dask executor.

A worker process that dies raises :class:`WorkerLost`; a Dask scheduler that cannot be reached
(or is not one) is an :class:`~sim.errors.EnvironmentFailure` within :data:`CONNECT_TIMEOUT_S`;
a malformed address is a :class:`~sim.errors.ConfigError`. Messages name no command-line flag.
"""

from __future__ import annotations

import asyncio
import concurrent.futures as cf
import multiprocessing
import os
import signal
import sys
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from sim import limits
from sim.errors import ConfigError, EnvironmentFailure

EXECUTORS = ("serial", "processes", "dask")
IN_FLIGHT_PER_WORKER = 2  # tasks queued per worker: enough to keep it busy, few to hold
CONNECT_TIMEOUT_S = limits.SCHEDULER_CONNECT_SECONDS

# The ``source`` of the errors about the executor options (the CLI names its flags after them).
EXECUTOR = "the executor"
WORKERS = "the number of workers"
SCHEDULER = "the scheduler address"
DASK_EXTRA = "pip install 'scaleup[dask]'"


class WorkerLost(EnvironmentFailure):
    """A worker process died mid-way (killed, or out of memory): the results already received
    are kept by the caller; the tasks in flight are lost. The caller may fill in ``done``,
    ``total`` (runs) and ``folder`` so that a user can be told what is kept and where."""

    def __init__(self, message: str) -> None:
        super().__init__("a worker process", None, message)
        self.done: int | None = None
        self.total: int | None = None
        self.folder: Any = None


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
            try:  # a broken pool refuses new tasks, and fails those in flight
                for task in todo:
                    pending.add(self._pool.submit(fn, task))
                    if len(pending) >= limit:
                        break
            except cf.process.BrokenProcessPool:
                raise _worker_lost() from None
            if not pending:
                return
            done, pending = cf.wait(pending, return_when=cf.FIRST_COMPLETED)
            for future in done:
                try:
                    result = future.result()
                except cf.process.BrokenProcessPool:
                    raise _worker_lost() from None
                yield result


def _worker_lost() -> WorkerLost:
    return WorkerLost("died unexpectedly (killed, or out of memory); the work in flight is lost")


class DaskExecutor:
    """Tasks on a Dask cluster: the one at ``scheduler``, or a local one on 127.0.0.1."""

    def __init__(self, workers: int | None, scheduler: str | None) -> None:
        self.workers = workers
        self.scheduler = scheduler
        self.description = f"dask at {scheduler}" if scheduler else f"dask, {workers} local workers"
        self._client: Any = None
        self._cluster: Any = None

    def __enter__(self) -> DaskExecutor:
        Client, LocalCluster = _dask()
        try:
            if self.scheduler:
                check_scheduler(self.scheduler)
                try:
                    self._client = Client(self.scheduler, timeout=f"{CONNECT_TIMEOUT_S:g}s")
                except (OSError, TimeoutError) as exc:
                    raise _unreachable(self.scheduler, exc or type(exc).__name__) from None
            else:
                self._cluster = LocalCluster(
                    n_workers=self.workers,
                    threads_per_worker=1,
                    processes=True,
                    host="127.0.0.1",
                    dashboard_address=None,
                )
                self._client = Client(self._cluster)
            self.workers = max(1, sum(self._client.nthreads().values()))
        except BaseException:
            self.__exit__()
            raise
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
        from distributed.client import FutureCancelledError
        from distributed.scheduler import KilledWorker

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
            except KilledWorker:
                raise WorkerLost(
                    "Dask workers died running the same task again and again (killed, or out "
                    "of memory); the work in flight is lost"
                ) from None
            except FutureCancelledError:
                raise EnvironmentFailure(
                    self.description, None, "the cluster dropped the work in flight"
                ) from None
            finally:
                future.release()
            nxt = next(todo, None)
            if nxt is not None:
                stream.add(self._client.submit(fn, nxt, pure=False))
            yield result


def _dask() -> tuple[Any, Any]:
    """``distributed.Client`` and ``LocalCluster``, or an :class:`EnvironmentFailure`."""
    try:
        from distributed import Client, LocalCluster
    except ImportError:
        raise EnvironmentFailure(
            EXECUTOR, "dask", f"Dask is not installed; install the dask extra: {DASK_EXTRA}"
        ) from None
    return Client, LocalCluster


def check_address(address: str) -> None:
    """A :class:`ConfigError` unless ``address`` reads as a Dask address (``tcp://host:port``)."""
    from distributed.comm.addressing import parse_address, parse_host_port
    from distributed.comm.registry import backends

    hint = "expected an address like tcp://host:8786"
    try:
        scheme, location = parse_address(address)
        if scheme not in backends:
            raise ValueError(f"unknown protocol {scheme!r}")
        if scheme in ("tcp", "tls", "ws", "wss"):
            host, port = parse_host_port(location)
            if not host or not 0 < int(port) < 65536:
                raise ValueError("missing host or port")
    except (ValueError, TypeError) as exc:
        raise ConfigError(SCHEDULER, address, f"{hint} ({exc})") from None


def check_scheduler(address: str, timeout_s: float = CONNECT_TIMEOUT_S) -> None:
    """Check that a Dask scheduler answers at ``address`` within ``timeout_s`` seconds.

    A bad address is a :class:`ConfigError`; nothing listening, or something that is not a Dask
    scheduler, an :class:`EnvironmentFailure`. The check runs on a loop of its own in a short
    thread, so it works under a running event loop (Jupyter) and never waits longer.
    """
    _dask()
    check_address(address)
    reached = threading.Event()  # something accepted the connection

    async def identify() -> Any:
        from distributed.comm import connect
        from distributed.comm.addressing import parse_address, parse_host_port

        scheme, location = parse_address(address)
        if scheme == "tcp":  # first a plain connection: refused at once if nothing listens
            _, writer = await asyncio.open_connection(*parse_host_port(location))
            writer.close()
        reached.set()
        comm = await connect(address, timeout=timeout_s)
        try:
            await comm.write({"op": "identity"})
            return await comm.read()
        finally:
            comm.abort()

    async def bounded() -> Any:
        return await asyncio.wait_for(identify(), timeout_s)

    with cf.ThreadPoolExecutor(1, thread_name_prefix="check-scheduler") as pool:
        try:
            reply = pool.submit(asyncio.run, bounded()).result()
        except TimeoutError:
            if reached.is_set():
                raise _not_dask(address, f"no Dask answer within {timeout_s:g} s") from None
            raise _unreachable(address, f"no answer within {timeout_s:g} s") from None
        except OSError as exc:
            raise _unreachable(address, os.strerror(exc.errno) if exc.errno else exc) from None
        except Exception as exc:  # a peer speaking another protocol: its bytes do not parse
            raise _not_dask(address, f"{type(exc).__name__}: {exc}") from None
    if not isinstance(reply, dict) or reply.get("type") != "Scheduler":
        what = reply.get("type") if isinstance(reply, dict) else type(reply).__name__
        raise _not_dask(address, f"it says it is a {what}")


def _unreachable(address: str, why: object) -> EnvironmentFailure:
    return EnvironmentFailure(
        SCHEDULER, address, f"no Dask scheduler can be reached there ({' '.join(str(why).split())})"
    )


def _not_dask(address: str, detail: str) -> EnvironmentFailure:
    return EnvironmentFailure(
        SCHEDULER, address, f"something answers there but it is not a Dask scheduler ({detail})"
    )


def make_executor(
    kind: str, workers: int | None = None, scheduler: str | None = None
) -> SerialExecutor | ProcessExecutor | DaskExecutor:
    """The executor named ``kind`` (``serial``, ``processes`` or ``dask``); nothing starts yet.

    The options are checked here, and so are that Dask is installed and that a scheduler
    answers at ``scheduler`` (at most :data:`CONNECT_TIMEOUT_S`), so that a caller learns of
    a bad option or an unreachable cluster before it writes anything.
    """
    if kind not in EXECUTORS:
        raise ConfigError(EXECUTOR, kind, f"unknown executor; choose one of {', '.join(EXECUTORS)}")
    if workers is not None and workers < 1:
        raise ConfigError(WORKERS, str(workers), "must be at least 1")
    if scheduler and kind != "dask":
        raise ConfigError(SCHEDULER, scheduler, f"needs the dask executor, not {kind}")
    if kind == "serial":
        return SerialExecutor()
    if kind == "processes":
        return ProcessExecutor(workers or default_workers())
    if scheduler:  # fail now, before the caller prepares a results folder
        check_scheduler(scheduler)
    else:
        _dask()
    return DaskExecutor(workers or default_workers(), scheduler)
