"""Worker processes for the privacy layer's work that falls apart desa by desa.

Two steps of a harvest are sums of independent pieces: the protector's pattern of each desa
is a function of that desa's rows and the release's shape alone (protect._protect_every_desa,
which memoises it per desa for that reason), and the auditor's LP components are each a
desa's own equations (audit_lp.Bounds). ``share`` does such a list of pieces in this process
from the front and in the workers from the back at the same time, each side claiming the
next piece under a lock shared with the workers, until they meet: the same results as doing
them all here (tests/privacy/test_lanes.py), balanced however busy the other core is (the
harvest's other workers count and generate beside it; bench/README.md).

Off (no worker) until ``configure`` is called: the harvest calls it with PRIVACY_WORKERS.
The pieces and their arguments are pickled before the first piece starts here, so this
process may change them meanwhile. A worker that dies (killed, out of memory) costs no
result: the pieces it had claimed are done here and the pool is started again at the next
call. An error raised by the work itself is raised here, as it would be without workers.
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
JOB, FRONT, BACK = 0, 1, 2  # the claims array: the open job (0: none), next front, end of the back

_lock = threading.Lock()
_state: dict = {"workers": 0, "pool": None, "claims": None, "handed": 0}
_worker_claims = None  # in a worker: the claims array shared with the process that started it


def configure(workers: int) -> None:
    """Use ``workers`` worker processes from now on (0: none); a changed count ends the old pool."""
    with _lock:
        if workers == _state["workers"]:
            return
        _shutdown()
        _state["workers"] = max(0, int(workers))


def workers() -> int:
    """How many worker processes ``share`` uses now."""
    return _state["workers"]


def in_worker() -> bool:
    """Whether this process is one of the workers (a piece's result must then travel back)."""
    return _worker_claims is not None


def handed() -> int:
    """How many pieces the workers have done for this process so far (tests, benchmarks)."""
    return _state["handed"]


def _shutdown() -> None:
    """End the pool, if any (its processes exit once idle)."""
    pool, _state["pool"] = _state["pool"], None
    if pool is not None:
        pool.shutdown(wait=False, cancel_futures=True)


def _pool() -> tuple[ProcessPoolExecutor, object]:
    """The worker pool and its claims array, started on first use (spawn: a clean process,
    no inherited database connection or lock)."""
    with _lock:
        if _state["pool"] is None:
            context = multiprocessing.get_context("spawn")
            _state["claims"] = context.Array("q", 3)
            _state["pool"] = ProcessPoolExecutor(max_workers=_state["workers"], mp_context=context,
                                                 initializer=_adopt, initargs=(_state["claims"],))
        return _state["pool"], _state["claims"]


def share(work: Callable, pieces: Sequence, *args) -> tuple[list, set[int]]:
    """``work(piece, *args)`` for every piece, in order, and the positions done in this process.

    Without workers, or with fewer than MIN_PIECES pieces, every piece is done here.
    """
    pieces = list(pieces)
    if not workers() or len(pieces) < MIN_PIECES:
        return [work(piece, *args) for piece in pieces], set(range(len(pieces)))
    blob = pickle.dumps((work, pieces, args), protocol=pickle.HIGHEST_PROTOCOL)
    futures, claims, job = _open(blob, len(pieces))
    done: dict[int, object] = {}
    while (i := _claim(claims, job, FRONT)) is not None:
        done[i] = work(pieces[i], *args)
    here = set(done)
    if _close(claims, job, len(pieces)):
        for future in futures:
            found = _result(future)
            _state["handed"] += len(found)
            done.update(found)
    for i in range(len(pieces)):  # claimed by a worker that was lost
        if i not in done:
            done[i] = work(pieces[i], *args)
            here.add(i)
    return [done[i] for i in range(len(pieces))], here


def _open(blob: bytes, count: int) -> tuple[list[Future], object, int]:
    """Open a job of ``count`` pieces and hand it to every worker (none where the pool cannot
    take it: then this process claims every piece)."""
    try:
        pool, claims = _pool()
    except (RuntimeError, OSError) as exc:
        _lost(exc)
        return [], None, 0
    with claims.get_lock():
        job = claims[JOB] = abs(claims[JOB]) + 1
        claims[FRONT], claims[BACK] = 0, count
    try:
        return [pool.submit(_take_from_back, blob, job) for _ in range(workers())], claims, job
    except (BrokenProcessPool, RuntimeError) as exc:
        _lost(exc)
        return [], claims, job


def _claim(claims, job: int, side: int) -> int | None:
    """The next piece of ``job`` from the front or the back; None once the two sides met or
    the job was closed."""
    if claims is None:  # no pool: the caller's last loop does every piece
        return None
    with claims.get_lock():
        if claims[JOB] != job or claims[FRONT] >= claims[BACK]:
            return None
        if side == FRONT:
            claims[FRONT] += 1
            return claims[FRONT] - 1
        claims[BACK] -= 1
        return claims[BACK]


def _close(claims, job: int, count: int) -> bool:
    """Close the job (a worker's later claim gets nothing); whether any worker claimed a piece."""
    if claims is None:
        return False
    with claims.get_lock():
        claims[JOB] = -job
        return claims[BACK] < count


def _result(future: Future) -> dict:
    """A worker's pieces by position ({} when the worker was lost: the caller does them)."""
    try:
        return future.result()
    except BrokenProcessPool as exc:
        _lost(exc)
        return {}


def _lost(exc: BaseException) -> None:
    """Forget a broken pool (the next call starts another) and say so (no data in it)."""
    log.warning("privacy worker lost (%s); its pieces are done in the harvest's process", type(exc).__name__)
    with _lock:
        _shutdown()


def _adopt(claims) -> None:
    """In a new worker: keep the claims array shared with the process that started it."""
    global _worker_claims
    _worker_claims = claims


def _take_from_back(blob: bytes, job: int) -> dict:
    """In a worker: the pieces of ``job`` it claims from the back, done, by position."""
    work, pieces, args = pickle.loads(blob)
    out = {}
    while (i := _claim(_worker_claims, job, BACK)) is not None:
        out[i] = work(pieces[i], *args)
    return out
