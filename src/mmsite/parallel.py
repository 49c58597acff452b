"""Work shared across processes: this one and forked children take items in chunks.

Forked children inherit the built site (config, content model, routes, templates) for
free, so nothing is pickled on the way in; each child writes its files itself and sends
back only a small summary. Without ``fork`` (Windows, macOS spawn) everything runs here.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import signal
import threading
import traceback
from collections.abc import Callable
from typing import Any, TypeVar

T = TypeVar("T")

# Below this many items a second process costs more than it saves.
MIN_ITEMS = 200


def job_count(requested: int | None, items: int) -> int:
    """Processes to use: ``requested`` (``--jobs`` / ``MMSITE_JOBS``) or the usable CPUs."""
    if requested is None and os.environ.get("MMSITE_JOBS", "").isdigit():
        requested = int(os.environ["MMSITE_JOBS"])
    if requested is None:
        if items < MIN_ITEMS:
            return 1
        requested = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else 1
    # fork copies only the calling thread: with others running (mmsite serve's watcher)
    # a lock they hold could stay locked forever in the child.
    if "fork" not in multiprocessing.get_all_start_methods() or threading.active_count() > 1:
        return 1
    return max(1, min(requested, items))


class WorkerFailed(RuntimeError):
    """A child crashed (a bug, not a user mistake); carries the child's traceback."""


Take = Callable[[], "range | None"]


def map_shared(
    jobs: int,
    count: int,
    work: Callable[[Take], T],
    first: Callable[[], None] | None = None,
    chunk: int = 16,
) -> list[T]:
    """``[work(take), ...]``: one call here and ``jobs - 1`` in forked children.

    ``take()`` hands out the next ``chunk`` of the indices ``0 .. count - 1`` (each once,
    in increasing order within a process), ``None`` when all are taken: a process that
    finishes early takes more, so uneven items still keep every core busy. ``first``
    runs here before this process starts taking (work that may overlap with the
    children's, such as the build steps that do not read the rendered pages)."""
    if jobs <= 1:
        if first is not None:
            first()
        return [work(_taker(None, count, chunk))]
    context = multiprocessing.get_context("fork")
    counter = context.Value("q", 0)  # shared memory, inherited by the children
    children = []
    for _ in range(1, jobs):
        receive, send = context.Pipe(duplex=False)
        process = context.Process(
            target=_child,
            args=(send, lambda: work(_taker(counter, count, chunk)), os.getpid()),
            daemon=True,
        )
        process.start()
        send.close()
        children.append((process, receive))
    try:
        if first is not None:
            first()
        results = [work(_taker(counter, count, chunk))]
        for process, receive in children:
            try:
                ok, value = receive.recv()
            except EOFError:
                process.join()
                raise WorkerFailed(f"worker exited with code {process.exitcode}") from None
            if not ok:
                raise WorkerFailed(value)
            results.append(value)
        return results
    finally:
        for process, receive in children:
            receive.close()
            if process.is_alive():
                process.terminate()
            process.join()


def _taker(counter: Any, count: int, chunk: int) -> Take:
    """The ``take`` of one process: a shared counter, or a local one (one process)."""
    local = [0]

    def take() -> range | None:
        if counter is None:
            start = local[0]
            local[0] += chunk
        else:
            with counter.get_lock():
                start = counter.value
                counter.value = start + chunk
        return range(start, min(start + chunk, count)) if start < count else None

    return take


def _die_with_parent(parent: int) -> None:
    """A killed build must not leave a child writing into its staging folder (the next
    build would find it there): on Linux the kernel kills us when the parent dies."""
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass
    if os.getppid() != parent:  # the parent died before prctl took effect
        os._exit(1)


def _child(send, work: Callable[[], T], parent: int) -> None:
    _die_with_parent(parent)
    try:
        send.send((True, work()))
    except BaseException:
        send.send((False, traceback.format_exc()))
    finally:
        send.close()


class Answer:
    """A yes/no ``question`` (say, are 9,000 files as we left them: only ``stat`` calls)
    answered in a forked child while this process goes on; :meth:`get` waits for it.
    Without a second process (``jobs`` 1, no ``fork``, other threads running) it is
    answered here, when first asked."""

    def __init__(self, question: Callable[[], bool], jobs: int | None = None) -> None:
        self._question = question
        self._value: bool | None = None
        self._pid = 0
        self._pipe = -1
        if job_count(jobs, MIN_ITEMS) > 1:
            self._fork()

    def _fork(self) -> None:
        read, write = os.pipe()
        pid = os.fork()
        if pid == 0:  # pragma: no cover - the child (coverage does not follow forks)
            os.close(read)
            try:
                os.write(write, b"1" if self._question() else b"0")
            finally:
                os._exit(0)  # no atexit handlers, no flushing the parent's buffers
        os.close(write)
        self._pid, self._pipe = pid, read

    def get(self) -> bool:
        if self._value is None:
            answer = self._collect(wait=True)
            # no answer (the child failed): ask here, so an error shows where it happens
            self._value = answer if answer is not None else self._question()
        return self._value

    def close(self) -> None:
        """Stop the child if it is not needed any more."""
        self._collect(wait=False)

    def _collect(self, wait: bool) -> bool | None:
        if not self._pid:
            return None
        answer = os.read(self._pipe, 1) if wait else b""
        os.close(self._pipe)
        if not wait:
            with contextlib.suppress(ProcessLookupError):
                os.kill(self._pid, signal.SIGKILL)
        os.waitpid(self._pid, 0)
        self._pid = 0
        return answer == b"1" if answer else None
