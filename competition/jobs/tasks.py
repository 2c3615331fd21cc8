"""The job system's own upkeep, run as periodic tasks and by the in-process runner
(issue 17, item 2).

- **Pruning.** Finished jobs older than ``JURI_JOBS_KEEP_DAYS`` (30) are deleted with what they
  left in the storage (their ``result_key`` and what their task's ``files`` names: a ZIP's
  parts, an import's uploaded file), except the newest finished job of each kind and subject
  holding a file (a round's current certificate ZIP stays downloadable). Procrastinate's
  workers do it every hour (``juri.prune_jobs``), the in-process runner of SQLite from its
  maintenance thread, and ``flask juri jobs prune`` by hand.
- **Jobs of a process that stopped** (the in-process runner only: procrastinate retries its
  own stalled jobs): every job such a process holds, queued or running, carries a heartbeat;
  one silent for ``JURI_JOBS_STALLED_SECONDS`` (60) is claimed by another process (or by the
  same app once restarted) and run again from its next attempt, or, when its last attempt was
  the one cut short, marked failed with the reason.

Like a command, this module owns its transactions: it commits.
"""

from __future__ import annotations

import logging
import os
import threading
import time
import weakref
from datetime import datetime, timedelta

from flask import Flask
from sqlalchemy import delete, func, select, update

from competition.db import db, utcnow
from competition.jobs.models import Job, JobState
from competition.jobs.services import EXTENSION
from competition.storage import get_storage

log = logging.getLogger(__name__)

KEEP_DAYS = 30
STALLED_SECONDS = 60  # also procrastinate's (competition.jobs.worker)
HEARTBEAT_SECONDS = 10
PRUNE_EVERY_SECONDS = 3600
_MAINTENANCE = "juri_jobs_maintenance"
# Every maintenance thread of this process, so that one call can stop them all (an app thrown
# away without being shut down, e.g. a test's, would otherwise keep polling its database).
_STARTED: weakref.WeakSet = weakref.WeakSet()
FINISHED = (JobState.DONE, JobState.FAILED)


def keep_days(app: Flask) -> float:
    days = app.config.get("JOBS_KEEP_DAYS")
    return KEEP_DAYS if days in (None, "") else float(days)


def stalled_seconds(app: Flask) -> float:
    return float(app.config.get("JOBS_STALLED_SECONDS") or STALLED_SECONDS)


def prune_jobs(app: Flask, *, now: datetime | None = None, days: float | None = None):
    """Delete the finished jobs older than ``days`` (``keep_days``) and their stored files;
    returns (jobs deleted, files deleted)."""
    with app.app_context():
        try:
            cutoff = (now or utcnow()) - timedelta(days=keep_days(app) if days is None else days)
            current = (
                select(func.max(Job.id))
                .where(Job.state == JobState.DONE, Job.result_key != "")
                .group_by(Job.kind, Job.subject)
            )
            old = db.session.scalars(
                select(Job).where(
                    Job.state.in_(FINISHED),
                    func.coalesce(Job.finished_at, Job.created_at) < cutoff,
                    Job.id.not_in(current),
                )
            ).all()
            tasks = app.extensions[EXTENSION].tasks
            keys: set[str] = set()
            for job in old:
                if job.result_key:
                    keys.add(job.result_key)
                task = tasks.get(job.kind)
                if task is not None and task.files is not None:
                    keys.update(k for k in task.files(job) if k)
            files = _delete_files(keys)  # first: a crash in between leaves no orphan file
            ids = [job.id for job in old]
            for start in range(0, len(ids), 500):
                db.session.execute(delete(Job).where(Job.id.in_(ids[start : start + 500])))
            db.session.commit()
            if ids:
                log.info("pruned %d finished jobs and %d stored files", len(ids), files)
            return len(ids), files
        finally:
            db.session.remove()


def _delete_files(keys: set[str]) -> int:
    storage = get_storage()
    n = 0
    for key in sorted(keys):
        found = list(storage.keys(key)) if key.endswith("/") else [key]
        for name in found:
            if storage.exists(name):
                storage.delete(name)
                n += 1
    return n


def recover_stalled(
    app: Flask, *, now: datetime | None = None, held: set[int] | frozenset = frozenset()
) -> tuple[list[int], list[int]]:
    """Claim the queued or running jobs whose heartbeat stopped ``stalled_seconds`` ago (not
    ``held`` by this process): those with an attempt left are queued again (returned first, for
    the caller to run), the others marked failed with the reason. A job waiting for the jobs it
    handed its work to (a ZIP in parts: they name it ``parent_id``) is left to them."""
    with app.app_context():
        try:
            now = now or utcnow()
            cutoff = now - timedelta(seconds=stalled_seconds(app))
            seen = func.coalesce(Job.heartbeat_at, Job.started_at, Job.created_at)
            unfinished = select(Job).where(Job.state.in_((JobState.QUEUED, JobState.RUNNING)))
            waiting_for = {
                (job.params or {}).get("parent_id") for job in db.session.scalars(unfinished)
            }
            stale = db.session.scalars(unfinished.where(seen < cutoff).order_by(Job.id)).all()
            tasks = app.extensions[EXTENSION].tasks
            retried, failed = [], []
            for job in stale:
                if job.id in held or job.id in waiting_for:
                    continue
                claim = (  # one process claims it, whatever the others do at the same time
                    update(Job)
                    .where(Job.id == job.id, Job.state == job.state, seen < cutoff)
                    .values(heartbeat_at=now)
                )
                if db.session.execute(claim).rowcount != 1:
                    continue
                db.session.refresh(job)
                task = tasks.get(job.kind)
                attempts = task.max_attempts if task else 0
                if job.state == JobState.RUNNING and job.attempts >= attempts:
                    job.state, job.finished_at = JobState.FAILED, now
                    job.error = (
                        f"Stopped: the process running attempt {job.attempts} of {attempts} "
                        "ended (killed or restarted) and no attempt is left."
                        if task
                        else f"Stopped: no task '{job.kind}' in this version of the app."
                    )
                    _fail_parent(job, now)
                    failed.append(job.id)
                else:
                    if job.state == JobState.RUNNING:
                        job.error = (
                            f"The process running attempt {job.attempts} ended (killed or "
                            "restarted); run again."
                        )
                    job.state = JobState.QUEUED
                    retried.append(job.id)
                log.warning("job %s (%s) of a stopped process: %s", job.id, job.kind, job.state)
            db.session.commit()
            return retried, failed
        finally:
            db.session.remove()


def _fail_parent(job: Job, now: datetime) -> None:
    parent = db.session.get(Job, (job.params or {}).get("parent_id") or 0)
    if parent is not None and not parent.finished:
        parent.state, parent.finished_at = JobState.FAILED, now
        parent.error = f"job {job.id} ({job.kind}): {job.error}"[:1000]


def beat(app: Flask, ids: set[int] | frozenset, *, now: datetime | None = None) -> None:
    """Record that this process still holds jobs ``ids``."""
    if not ids:
        return
    with app.app_context():
        try:
            db.session.execute(
                update(Job)
                .where(Job.id.in_(sorted(ids)), Job.state.in_((JobState.QUEUED, JobState.RUNNING)))
                .values(heartbeat_at=now or utcnow())
            )
            db.session.commit()
        finally:
            db.session.remove()


class Maintenance:
    """The in-process runner's maintenance of one process: the jobs it holds, their heartbeat,
    the recovery of other processes' stalled jobs and the hourly pruning, in a daemon thread
    started with the first job or request of the process (no query when the app is created)."""

    def __init__(self, app: Flask, submit):
        self.app, self.submit = app, submit
        self.held: set[int] = set()
        self.lock = threading.Lock()
        self.pid = None
        self.stop = threading.Event()
        self.thread: threading.Thread | None = None
        self.next_prune = 0.0

    def hold(self, job_id: int) -> None:
        with self.lock:
            self.held.add(job_id)

    def release(self, job_id: int) -> None:
        with self.lock:
            self.held.discard(job_id)

    def ensure_started(self) -> None:
        if self.pid == os.getpid():
            return
        with self.lock:
            if self.pid == os.getpid():
                return
            self.pid = os.getpid()  # a forked process (gunicorn) starts its own
            self.held = set()
            self.stop = stop = threading.Event()  # this thread's own: a stopped one stays stopped
            _STARTED.add(self)
            self.thread = threading.Thread(
                target=self._loop, args=(stop,), name="juri-job-maintenance", daemon=True
            )
            self.thread.start()

    def tick(self) -> list[int]:
        """One round: heartbeat, recovery (running the retried jobs here), pruning when due."""
        with self.lock:
            held = frozenset(self.held)
        beat(self.app, held)
        retried, _failed = recover_stalled(self.app, held=held)
        for job_id in retried:
            self.hold(job_id)
            self.submit(job_id)
        if time.monotonic() >= self.next_prune:
            self.next_prune = time.monotonic() + PRUNE_EVERY_SECONDS
            prune_jobs(self.app)
        return retried

    def _loop(self, stop: threading.Event) -> None:
        while not stop.is_set():
            try:
                self.tick()
            except Exception as exc:  # noqa: BLE001 - a database hiccup must not end it
                log.warning("job maintenance: %s: %s", type(exc).__name__, exc)
            stop.wait(HEARTBEAT_SECONDS)


def stop_all_maintenance(*, wait: float = 0.0) -> int:
    """Stop every maintenance thread of this process (each ends within one heartbeat);
    returns how many were running. A process that ends needs none of this: they are daemons.
    With ``wait``, give each up to that many seconds to finish the round it is in: a round
    holds a pooled connection, so whoever disposes of the app's engine next waits for it
    (a connection checked out across ``Engine.dispose`` goes back to the old pool and is
    only dropped, unclosed, when that pool is collected)."""
    running = [m for m in list(_STARTED) if not m.stop.is_set()]
    threads = []
    for m in running:
        with m.lock:
            m.stop.set()
            m.pid = None  # a later job or request of that app starts it again
            threads.append(m.thread)
    for thread in threads:
        if wait and thread is not None and thread is not threading.current_thread():
            thread.join(wait)
    return len(running)


def maintenance(app: Flask) -> Maintenance | None:
    return app.extensions.get(_MAINTENANCE)


def install(app: Flask, submit) -> Maintenance:
    app.extensions[_MAINTENANCE] = Maintenance(app, submit)
    return app.extensions[_MAINTENANCE]
