"""Work shared across processes: this one and forked children take items in chunks.

Forked children inherit the built site (config, content model, routes, templates) for
free, so nothing is pickled on the way in; each child writes its files itself and sends
back only a small summary. Without ``fork`` (Windows, macOS spawn) everything runs here.
"""

from __future__ import annotations

import contextlib
import functools
import gc
import multiprocessing
import os
import pickle
import signal
import tempfile
import threading
import traceback
from collections.abc import Callable
from typing import Any, Generic, TypeVar

T = TypeVar("T")
U = TypeVar("U")

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
    then: Callable[[Stopped, Callable[[U], None]], None] | None = None,
    later: list[Later[U]] | None = None,
) -> list[T]:
    """``[work(take), ...]``: one call here and ``jobs - 1`` in forked children.

    ``take()`` hands out the next ``chunk`` of the indices ``0 .. count - 1`` (each once,
    in increasing order within a process), ``None`` when all are taken: a process that
    finishes early takes more, so uneven items still keep every core busy. ``first``
    runs here before this process starts taking (work that may overlap with the
    children's, such as the build steps that do not read the rendered pages).

    ``then``: each child goes on with ``then(stopped, emit)`` once it has sent its share,
    while this process carries on alone (say, with work that needs every share). What it
    passes to ``emit`` is pickled into a file in memory at once, so collecting it costs
    little however much was made: a :class:`Later` appended to ``later`` asks the
    children to stop (``stopped()`` turns true) and reads what they emitted. Without
    children nothing is appended."""
    if jobs <= 1:
        if first is not None:
            first()
        return [work(_taker(None, count, chunk))]
    context = multiprocessing.get_context("fork")
    counter = context.Value("q", 0)  # shared memory, inherited by the children
    stop = context.RawValue("b", 0)
    children: list[tuple[Any, Any]] = []
    files: list[int] = []
    for _ in range(1, jobs):
        after = None
        if then is not None and later is not None:
            files.append(_memory_file())
            after = functools.partial(then, lambda: bool(stop.value), _emitter(files[-1]))
        receive, send = context.Pipe(duplex=False)
        process = context.Process(
            target=_child,
            args=(send, lambda: work(_taker(counter, count, chunk)), os.getpid(), after),
            daemon=True,
        )
        process.start()
        send.close()
        children.append((process, receive))
    kept = False
    try:
        if first is not None:
            first()
        results = [work(_taker(counter, count, chunk))]
        results += [_receive(process, receive) for process, receive in children]
        if files and later is not None:
            later.append(Later(children, stop, files))
            kept = True
        return results
    finally:
        if not kept:
            _end(children, files)


def _receive(process: Any, receive: Any) -> Any:
    """A child's answer. The cycle collector is off meanwhile: unpickling thousands of
    containers in a process with a large heap triggered full collections (a child's
    page records took 0.09 s to load with it, 0.04 s without)."""
    was = gc.isenabled()
    gc.disable()
    try:
        ok, value = receive.recv()
    except EOFError:
        process.join()
        raise WorkerFailed(f"worker exited with code {process.exitcode}") from None
    finally:
        if was:
            gc.enable()
    if not ok:
        raise WorkerFailed(value)
    return value


def _end(children: list[tuple[Any, Any]], files: list[int]) -> None:
    for process, receive in children:
        receive.close()
        if process.is_alive():
            process.terminate()
        process.join()
    for fd in files:
        os.close(fd)


def _memory_file() -> int:
    """A file descriptor of an unnamed file in memory (a temporary file without memfd)."""
    if hasattr(os, "memfd_create"):
        with contextlib.suppress(OSError):
            return os.memfd_create("mmsite", os.MFD_CLOEXEC)
    fd, name = tempfile.mkstemp(prefix="mmsite-")
    os.unlink(name)
    return fd


def _emitter(fd: int) -> Callable[[Any], None]:
    def emit(item: Any) -> None:
        data = pickle.dumps(item, pickle.HIGHEST_PROTOCOL)
        view = memoryview(len(data).to_bytes(8, "little") + data)
        while view:
            view = view[os.write(fd, view) :]

    return emit


def _emitted(fd: int) -> list[Any]:
    with open(os.dup(fd), "rb") as file:
        file.seek(0)
        data = file.read()
    items, at, view = [], 0, memoryview(data)
    while at < len(data):
        size = int.from_bytes(view[at : at + 8], "little")
        items.append(pickle.loads(view[at + 8 : at + 8 + size]))
        at += 8 + size
    return items


Stopped = Callable[[], bool]


class Later(Generic[U]):
    """What the children of :func:`map_shared` go on making after their share."""

    def __init__(self, children: list[tuple[Any, Any]], stop: Any, files: list[int]) -> None:
        self._children = children
        self._stop = stop
        self._files = files

    def get(self) -> list[U]:
        """Ask the children to stop; what they emitted until then (once)."""
        self._stop.value = 1
        try:
            for process, receive in self._children:
                _receive(process, receive)  # each says when it is done
            return [item for fd in self._files for item in _emitted(fd)]
        finally:
            self.close()

    def close(self) -> None:
        """Stop the children without reading what they made."""
        children, self._children = self._children, []
        files, self._files = self._files, []
        _end(children, files)


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


def _child(send, work: Callable[[], T], parent: int, then: Callable[[], None] | None) -> None:
    _die_with_parent(parent)
    try:
        send.send((True, work()))
        if then is not None:
            then()
            send.send((True, None))
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
