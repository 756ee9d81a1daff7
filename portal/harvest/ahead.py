"""Counting ahead: a worker process reads, checks, minimises and counts the next monthly exports
while the caller protects, drafts and publishes the month before.

What ``pipeline.harvest_tables`` does depends only on the export, its reference date and the
district, never on what is published, so month k + 1 can be counted while month k is in the
privacy layer and the review: a harvest's two halves use the two cores at once. The worker
touches no database and writes no file; what it counted (aggregates, the check report and the
scanner's deny-list of names) reaches the caller pickled through a pipe, in memory only, the
same way the harvest keeps it in one process. A month the worker could not count (the source
cannot be read, the export has errors, a result that does not pickle) comes back as None and
the caller harvests that month itself, which records the failure in its usual words.
"""
from __future__ import annotations

import multiprocessing
import pickle
import queue as queues
import time
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from portal.harvest.pipeline import Harvested, harvest_tables
from portal.sources import SourceError
from portal.sources.wilayah import load_district

AHEAD = 1  # counted months waiting in the pipe beyond the one being counted (bounds memory)
POLL_SECONDS = 0.5  # between two looks for an export that is still being written


@dataclass(frozen=True)
class CountJob:
    """One export to count: its folder and the reference date it is harvested with."""

    path: str
    reference_date: date


def _wait_for(path: Path) -> None:
    """Return once ``path`` exists (an export folder appears whole, renamed when written)."""
    while not path.exists():
        time.sleep(POLL_SECONDS)


def _counted(job: CountJob, district) -> bytes | None:
    """The pickled result of counting ``job``, or None when the caller must harvest it itself."""
    try:
        harvested = harvest_tables(job.path, job.reference_date, district)
    except SourceError:
        return None
    if harvested.report.errors or harvested.failure is not None:
        return None
    try:
        return pickle.dumps(harvested, protocol=pickle.HIGHEST_PROTOCOL)
    except Exception:  # noqa: BLE001 - whatever does not pickle is harvested by the caller
        return None


def count_in_worker(jobs: list[CountJob], district_code: str, queue) -> None:
    """The worker's entry point: count each job in order and send (path, date, pickled or None,
    the worker's CPU seconds for it)."""
    district = load_district(district_code)
    for job in jobs:
        _wait_for(Path(job.path))
        cpu = time.process_time()
        payload = _counted(job, district)
        queue.put((job.path, job.reference_date, payload, time.process_time() - cpu))


class CountingAhead:
    """The worker counting ``jobs`` in order, and the caller's side of its pipe."""

    def __init__(self, jobs: list[CountJob], district_code: str):
        """Start the worker (spawn: it starts clean, without the caller's database connections)."""
        context = multiprocessing.get_context("spawn")
        self.jobs = list(jobs)
        self.cpu = 0.0  # the worker's CPU seconds for the export last taken
        self.queue = context.Queue(maxsize=AHEAD)
        self.process = context.Process(target=count_in_worker, name="harvest-counter", daemon=True,
                                       args=(self.jobs, district_code, self.queue))
        self.process.start()

    def take(self, path: str, reference_date: date) -> Harvested | None:
        """What the worker counted for this export (the next in order), or None if it could not
        count it, or stopped, or was asked for another export: the caller then counts it."""
        if not self.jobs or self.jobs[0] != CountJob(path, reference_date):
            self.stop()
            return None
        self.jobs.pop(0)
        self.cpu = 0.0
        while True:
            try:
                sent_path, sent_date, payload, self.cpu = self.queue.get(timeout=POLL_SECONDS)
                break
            except queues.Empty:  # still counting, unless it stopped
                if not self.process.is_alive() and self.queue.empty():
                    return None
        if (sent_path, sent_date) != (path, reference_date) or payload is None:
            return None
        return pickle.loads(payload)

    def stop(self) -> None:
        """End the worker (done, or the caller stopped early) and close the pipe."""
        if self.process.is_alive():
            self.process.terminate()
        self.process.join()
        self.queue.close()
        self.jobs = []
