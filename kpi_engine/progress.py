"""A progress line on stderr for long runs: the current stage (reading, computing, writing) and the
time taken so far, shown only once a run has lasted a couple of seconds, only when stderr is a
terminal, and never with --quiet. It is rewritten in place and erased when the run ends."""
from __future__ import annotations

import os
import sys
import threading
import time

#: Seconds a run lasts before the progress line appears (KPI_PROGRESS_DELAY overrides it).
DELAY = 2.0


class Progress:
    def __init__(self, quiet: bool = False, stream=None, delay: float | None = None):
        self.stream = stream or sys.stderr
        self.delay = float(os.environ.get("KPI_PROGRESS_DELAY", DELAY)) if delay is None else delay
        self.enabled = not quiet and self.stream.isatty()
        self.current = ""
        self.started = time.monotonic()
        self.shown = False
        self.finished = threading.Event()
        self.thread: threading.Thread | None = None

    def stage(self, name: str) -> None:
        """Enter a stage; the first call starts the clock of the run."""
        self.current = name
        if self.enabled and self.thread is None:
            self.thread = threading.Thread(target=self._show, name="kpi-progress", daemon=True)
            self.thread.start()

    def _show(self) -> None:
        if self.finished.wait(self.delay):
            return
        while not self.finished.is_set():
            elapsed = time.monotonic() - self.started
            self.stream.write(f"\r\033[Kkpi: {self.current}… {elapsed:.0f} s")
            self.stream.flush()
            self.shown = True
            self.finished.wait(0.5)

    def close(self) -> None:
        """Stop and erase the line, so what follows starts on a clean line."""
        self.finished.set()
        if self.thread is not None:
            self.thread.join()
            if self.shown:
                self.stream.write("\r\033[K")
                self.stream.flush()

    def __enter__(self) -> Progress:
        return self

    def __exit__(self, *exc) -> None:
        self.close()
