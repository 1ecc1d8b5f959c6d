"""Progress of a sweep on stderr: a tqdm bar on a terminal, plain periodic lines otherwise.

``progress`` may be ``None`` (choose by whether stderr is a terminal), ``True`` (same), ``False``
(silent) or a callable ``f(done_runs, total_runs)`` (called after each chunk; raising from it
stops the sweep, which a later ``resume`` finishes).
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from typing import Any, TextIO

LINE_EVERY_S = 5.0  # seconds between plain progress lines


def _duration(seconds: float) -> str:
    seconds = max(0, round(seconds))
    if seconds < 60:
        return f"{seconds} s"
    m, s = divmod(seconds, 60)
    if m < 60:
        return f"{m} min {s:02d} s"
    h, m = divmod(m, 60)
    return f"{h} h {m:02d} min"


class Progress:
    """Counts runs done (and failed) out of ``total``; ``done`` were done before this start."""

    def __init__(
        self,
        name: str,
        total: int,
        done: int = 0,
        progress: bool | Callable[[int, int], Any] | None = None,
        stream: TextIO | None = None,
    ) -> None:
        self.name, self.total, self.done, self.failed = name, total, done, 0
        self.stream = stream or sys.stderr
        self.callback = progress if callable(progress) else None
        tty = getattr(self.stream, "isatty", lambda: False)()
        self.mode = "off" if progress is False or self.callback else ("bar" if tty else "lines")
        self.start, self.first_done, self.last_line = time.monotonic(), done, 0.0
        self._bar: Any = None

    def begin(self) -> None:
        """Start the clock and the bar (after the pool is up, so its start-up is not counted)."""
        self.start = time.monotonic()
        if self.mode == "bar":
            from tqdm import tqdm

            self._bar = tqdm(
                total=self.total,
                initial=self.done,
                desc=self.name,
                unit="run",
                file=self.stream,
                dynamic_ncols=True,
                smoothing=0.1,
            )

    def note(self, text: str) -> None:
        if self.mode != "off":
            print(f"{self.name}: {text}", file=self.stream, flush=True)

    def update(self, runs: int, failed: int = 0) -> None:
        self.done += runs
        self.failed += failed
        if self._bar is not None:
            self._bar.update(runs)
            if failed:
                self._bar.set_postfix(failed=self.failed, refresh=False)
        elif self.mode == "lines":
            now = time.monotonic()
            if now - self.last_line >= LINE_EVERY_S or self.done >= self.total:
                self.last_line = now
                print(self.line(), file=self.stream, flush=True)
        if self.callback is not None:
            self.callback(self.done, self.total)

    @property
    def rate(self) -> float:
        """Runs per second since :meth:`begin` (runs done before it excluded)."""
        elapsed = time.monotonic() - self.start
        return (self.done - self.first_done) / elapsed if elapsed > 0 else 0.0

    def line(self) -> str:
        share = self.done / self.total if self.total else 1.0
        rate = self.rate
        eta = (self.total - self.done) / rate if rate > 0 else float("nan")
        eta_text = _duration(eta) if eta == eta else "?"
        failed = f", {self.failed} failed" if self.failed else ""
        return (
            f"{self.name}: {self.done:,}/{self.total:,} runs ({share:.0%}), "
            f"{rate:.1f} runs/s, ETA {eta_text}{failed}"
        )

    def close(self) -> None:
        if self._bar is not None:
            self._bar.close()
            self._bar = None
