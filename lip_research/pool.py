"""A process pool with a time limit per task: a task that hangs is killed, not waited for.

``concurrent.futures`` cannot stop a running task, and a PDF parser stuck in C code never
returns. Here every worker is a process with its own pipe; a task past its limit gets
its worker killed and replaced, and is reported as ``("timeout", None)``. A worker that
dies (a crash in a C library) is reported as ``("crashed", exit code)``.
"""

from __future__ import annotations

import contextlib
import multiprocessing as mp
import time
from collections import deque
from collections.abc import Callable, Iterator
from multiprocessing.connection import Connection, wait
from typing import Any

Outcome = tuple[
    str, Any
]  # ("ok", result) | ("error", message) | ("timeout", None) | ("crashed", code)


def _serve(conn: Connection, func: Callable[[Any], Any]) -> None:
    import signal

    signal.signal(signal.SIGTERM, signal.SIG_DFL)  # a forked worker just ends (see runtime.Stopped)
    while True:
        try:
            message = conn.recv()
        except (EOFError, KeyboardInterrupt):
            return
        if message is None:
            return
        index, task = message
        try:
            outcome: Outcome = ("ok", func(task))
        except Exception as exc:  # reported to the caller, who decides what it means
            outcome = ("error", f"{type(exc).__name__}: {exc}")
        conn.send((index, outcome))


class _Worker:
    def __init__(self, ctx: Any, func: Callable[[Any], Any]) -> None:
        self.conn, child = ctx.Pipe()
        self.proc = ctx.Process(target=_serve, args=(child, func), daemon=True)
        self.proc.start()
        child.close()
        self.index: int | None = None
        self.deadline = 0.0

    def give(self, index: int, task: Any, timeout_s: float) -> None:
        self.index, self.deadline = index, time.monotonic() + timeout_s
        self.conn.send((index, task))

    def stop(self, kill: bool = False) -> None:
        if kill:
            self.proc.kill()
        else:
            with contextlib.suppress(BrokenPipeError, OSError):
                self.conn.send(None)
        self.proc.join(timeout=5)
        if self.proc.is_alive():
            self.proc.kill()
            self.proc.join()
        self.conn.close()


def _context() -> Any:
    # fork starts workers in milliseconds and needs no re-import; spawn elsewhere.
    return mp.get_context("fork" if "fork" in mp.get_all_start_methods() else "spawn")


def run_tasks(
    func: Callable[[Any], Any], tasks: list[Any], workers: int, timeout_s: float
) -> Iterator[tuple[int, Outcome]]:
    """Yield ``(task index, outcome)`` as tasks finish, in completion order.

    ``func`` must be a module-level function (it is sent to the worker processes).
    """
    if not tasks:
        return
    ctx = _context()
    pending = deque(enumerate(tasks))
    pool = [_Worker(ctx, func) for _ in range(max(1, min(workers, len(tasks))))]
    try:
        for worker in pool:
            if pending:
                worker.give(*pending.popleft(), timeout_s)
        while any(w.index is not None for w in pool):
            busy = [w for w in pool if w.index is not None]
            wait_s = max(0.0, min(w.deadline for w in busy) - time.monotonic())
            ready = wait([w.conn for w in busy], timeout=wait_s)
            for slot, worker in enumerate(pool):
                if worker.index is None:
                    continue
                if worker.conn in ready:
                    try:
                        index, outcome = worker.conn.recv()
                    except (EOFError, OSError):
                        worker.proc.join(timeout=5)
                        index, outcome = worker.index, ("crashed", worker.proc.exitcode)
                        worker.stop(kill=True)
                        worker = pool[slot] = _Worker(ctx, func)
                elif time.monotonic() >= worker.deadline:
                    index, outcome = worker.index, ("timeout", None)
                    worker.stop(kill=True)
                    worker = pool[slot] = _Worker(ctx, func)
                else:
                    continue
                worker.index = None
                yield index, outcome
                if pending:
                    worker.give(*pending.popleft(), timeout_s)
    finally:
        for worker in pool:
            worker.stop(kill=worker.index is not None)
