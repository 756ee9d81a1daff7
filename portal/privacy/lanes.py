"""Worker processes for the privacy layer's work that falls apart desa by desa.

Two steps of a harvest are sums of independent pieces: the protector's pattern of each desa
is a function of that desa's rows and the release's shape alone (protect._protect_every_desa,
which memoises it per desa for that reason), and the auditor's LP components are each a
desa's own equations (audit_lp.Bounds). ``split`` cuts such a list of pieces in shares,
hands every share but the first to a worker process, does the first here meanwhile, and
returns every share's result in order: the same results as doing them all here
(tests/privacy/test_lanes.py), in less time where a core would otherwise sit idle (the
harvest's other workers count and generate beside it; bench/README.md).

Off (no worker) until ``configure`` is called: the harvest calls it with PRIVACY_WORKERS.
A share's arguments are pickled before the first share starts here, so this process may
change them meanwhile. A worker that dies (killed, out of memory) costs no result: its share
is done here and the pool is started again at the next split. An error raised by the work
itself is raised here, as it would be without workers.
"""
from __future__ import annotations

import logging
import multiprocessing
import pickle
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool

log = logging.getLogger(__name__)

# Fewer pieces than this are done here: a worker's round trip costs more than they take.
MIN_PIECES = 4

_lock = threading.Lock()
_state: dict = {"workers": 0, "pool": None, "handed": 0}


def configure(workers: int) -> None:
    """Use ``workers`` worker processes from now on (0: none); a changed count ends the old pool."""
    with _lock:
        if workers == _state["workers"]:
            return
        _shutdown()
        _state["workers"] = max(0, int(workers))


def workers() -> int:
    """How many worker processes a split uses now."""
    return _state["workers"]


def handed() -> int:
    """How many shares this process has handed to a worker so far (tests, benchmarks)."""
    return _state["handed"]


def _shutdown() -> None:
    """End the pool, if any (its processes exit once idle)."""
    pool, _state["pool"] = _state["pool"], None
    if pool is not None:
        pool.shutdown(wait=False, cancel_futures=True)


def _pool() -> ProcessPoolExecutor:
    """The worker pool, started on first use (spawn: a clean process, no inherited database
    connection or lock)."""
    with _lock:
        if _state["pool"] is None:
            _state["pool"] = ProcessPoolExecutor(max_workers=_state["workers"],
                                                 mp_context=multiprocessing.get_context("spawn"))
        return _state["pool"]


def shares(pieces: Sequence, count: int) -> list[list]:
    """``pieces`` dealt into ``count`` shares in turn (neighbours, often alike in size, apart)."""
    return [list(pieces[i::count]) for i in range(count)]


def split(work: Callable, pieces: Sequence, *args) -> list:
    """``work(share, *args)`` for every share of ``pieces``, in share order; the first share is
    done in this process, the others in the workers at the same time. With no worker, or
    fewer than MIN_PIECES pieces, one share: ``[work(list(pieces), *args)]``."""
    count = 1 + workers() if len(pieces) >= MIN_PIECES else 1
    if count == 1:
        return [work(list(pieces), *args)]
    parts = shares(pieces, count)
    blobs = [pickle.dumps((work, part, args), protocol=pickle.HIGHEST_PROTOCOL) for part in parts[1:]]
    futures = _submit(blobs)
    out = [work(parts[0], *args)]
    for part, future in zip(parts[1:], futures):
        out.append(_result(future, work, part, args))
    return out


def _submit(blobs: list[bytes]) -> list[Future | None]:
    """Start each pickled share in the pool (None where the pool cannot take it)."""
    try:
        pool = _pool()
        futures = [pool.submit(_run, blob) for blob in blobs]
        _state["handed"] += len(futures)
        return futures
    except (BrokenProcessPool, RuntimeError, OSError) as exc:
        _lost(exc)
        return [None] * len(blobs)


def _result(future: Future | None, work: Callable, part: list, args: tuple):
    """A worker's result; its share done here when the worker was lost."""
    if future is not None:
        try:
            return future.result()
        except BrokenProcessPool as exc:
            _lost(exc)
    return work(part, *args)


def _lost(exc: BaseException) -> None:
    """Forget a broken pool (the next split starts another) and say so (no data in it)."""
    log.warning("privacy worker lost (%s); its share is done in the harvest's process", type(exc).__name__)
    with _lock:
        _shutdown()


def _run(blob: bytes):
    """In the worker: one pickled share of work."""
    work, part, args = pickle.loads(blob)
    return work(part, *args)
