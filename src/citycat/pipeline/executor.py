"""The one way citycat runs work in parallel: forked processes.

A forked process inherits everything this one holds (the loaded catalogue, the renderer, its
fragments), so only a job's small argument goes to it and only its result comes back, pickled.
``run(fn, jobs, workers)`` maps ``fn`` over ``jobs`` on a pool of forked processes (in this
process when ``workers`` is 1: the same code path, just serial); ``Forked(fn)`` runs one
function beside this process while it goes on with other work.
"""

from __future__ import annotations

import os
import pickle
from collections.abc import Callable, Iterable, Iterator
from typing import Any

_WORK: Callable[[Any], Any] | None = None  # what the pool's processes call (inherited, not sent)


class ForkFailed(RuntimeError):
    """A forked process failed, or ended without sending its result."""


def _call(job: Any) -> Any:
    assert _WORK is not None
    return _WORK(job)


def run(fn: Callable[[Any], Any], jobs: Iterable[Any], workers: int, ordered: bool = False) -> Iterator[Any]:
    """``fn(job)`` for each job, on ``workers`` forked processes, results as they come (in the
    jobs' order when ``ordered``). ``fn`` may be any callable, a closure too: the processes
    inherit it; jobs and results are pickled."""
    global _WORK
    jobs = list(jobs)
    if workers <= 1 or len(jobs) <= 1:
        for job in jobs:
            yield fn(job)
        return
    import multiprocessing

    if _WORK is not None:
        raise ForkFailed("the executor is already running")
    _WORK = fn
    try:
        with multiprocessing.get_context("fork").Pool(min(workers, len(jobs))) as pool:
            mapped = pool.imap if ordered else pool.imap_unordered
            yield from mapped(_call, jobs)
    finally:
        _WORK = None


class Forked:
    """``fn()`` run on a forked process (which inherits everything this one holds); ``result()``
    waits for it and returns what it returned (pickled through a pipe)."""

    def __init__(self, fn: Callable[[], Any]):
        read, write = os.pipe()
        self.pid = os.fork()
        if self.pid == 0:  # the child: work, send the outcome, leave without cleaning up
            os.close(read)
            try:
                try:
                    data = pickle.dumps((True, fn()))
                except OSError as exc:  # (a full disk, say) raised in the parent as it is
                    data = pickle.dumps((False, OSError(exc.errno, exc.strerror, exc.filename)))
                except BaseException as exc:  # noqa: BLE001 - sent to the parent, raised there
                    data = pickle.dumps((False, f"{type(exc).__name__}: {exc}"))
                with os.fdopen(write, "wb") as fh:
                    fh.write(data)
            finally:
                os._exit(0)
        os.close(write)
        self.read = read

    def result(self) -> Any:
        with os.fdopen(self.read, "rb") as fh:
            data = fh.read()
        os.waitpid(self.pid, 0)
        if not data:
            raise ForkFailed("a forked process ended without a result")
        ok, value = pickle.loads(data)
        if not ok and isinstance(value, OSError):
            raise value
        if not ok:
            raise ForkFailed(f"a forked process failed: {value}")
        return value

    def cancel(self) -> None:
        """Stop the process and forget its result (this one failed meanwhile)."""
        import signal

        try:
            os.kill(self.pid, signal.SIGKILL)
            os.waitpid(self.pid, 0)
        except (ProcessLookupError, ChildProcessError):
            pass
        try:
            os.close(self.read)
        except OSError:  # (already closed by ``result``)
            pass
