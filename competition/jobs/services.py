"""Enqueue background work and read its state: the one API every package calls.

``enqueue(kind, actor=..., subject=..., **params)`` writes a ``Job`` row in the caller's
transaction and hands the job to the runner so that it runs only if that transaction commits:

* ``procrastinate`` (PostgreSQL; the default there): the procrastinate job is inserted by its own
  SQL function on the same connection, in the same transaction; ``flask juri worker`` processes,
  on this machine or others, run it;
* ``threads`` (the SQLite default, ``make run``): after the commit, a thread of this process runs
  it; nothing else needs to run;
* ``inline`` (tests): after the commit, it runs at once, before ``commit()`` returns.

The kinds are plain ``Task`` entries in one table per package (``competition.tasks.TASKS``,
``judging.tasks.TASKS``), joined by the application factory and given to ``worker.init_app``.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from flask import current_app
from sqlalchemy import event, select, text
from sqlalchemy.orm import Session

from competition.actors import records_actor
from competition.db import db, utcnow
from competition.jobs.models import Job, JobState

QUEUE = "juri"
# What a task returns when it has handed its work to other jobs, the last of which finishes it:
# the job stays running instead of being marked done.
PENDING = "pending"
_PENDING = "juri_jobs_pending"  # job ids added in the session's open transaction
EXTENSION = "juri_jobs"


@dataclass(frozen=True)
class Task:
    """One kind of job: ``run(job)`` does the work in an app context (it may commit, e.g. its
    progress, and sets ``job.result_key``/``job.result``; it returns ``PENDING`` when other
    jobs finish it); a failed attempt is retried up to
    ``max_attempts`` in all, the n-th retry after ``backoff ** n`` seconds (0: at once).
    ``files(job)`` names what it may leave in the storage besides ``job.result_key`` (a key,
    or a folder ending in "/"), deleted with the job when it is pruned."""

    run: Callable[[Job], None]
    max_attempts: int = 1
    backoff: int = 0
    files: Callable[[Job], Iterable[str]] | None = None


@dataclass
class Runner:
    """The app's job runner settings (``app.extensions["juri_jobs"]``)."""

    tasks: dict[str, Task]
    mode: str  # "procrastinate", "threads" or "inline"


def runner() -> Runner:
    return current_app.extensions[EXTENSION]


def mode_for(config) -> str:
    """``JURI_JOBS`` when set; else inline in tests, procrastinate on PostgreSQL, threads on
    SQLite."""
    if config.get("JOBS"):
        return str(config["JOBS"])
    if config.get("TESTING"):
        return "inline"
    uri = str(config.get("SQLALCHEMY_DATABASE_URI") or "")
    return "procrastinate" if uri.startswith("postgresql") else "threads"


_DEFER = text(
    "SELECT unnest(procrastinate_defer_jobs_v1(ARRAY[ROW(:queue, :task, 0, NULL, NULL, "
    "CAST(:args AS jsonb), NULL)]::procrastinate_job_to_defer_v1[]))"
)


@records_actor
def enqueue(kind: str, *, actor=None, subject: str = "", total: int = 0, **params) -> Job:
    """Queue one job of ``kind`` with JSON-able ``params`` (flushed; it runs once the caller's
    transaction commits, never if it rolls back). ``actor`` (a user or None for the system)
    is recorded as who asked. Raises KeyError for an unknown kind."""
    return add_job(
        db.session,
        kind,
        subject=subject,
        total=total,
        requested_by_id=getattr(actor, "id", None),
        params=params,
    )


def add_job(
    session: Session, kind: str, *, subject: str, total: int, requested_by_id, params: dict
) -> Job:
    """``enqueue`` on an explicit session (flushed, not committed)."""
    jobs = runner()
    if kind not in jobs.tasks:
        raise KeyError(kind)
    job = Job(
        kind=kind,
        subject=subject,
        params=params,
        state=JobState.QUEUED,
        progress_total=total,
        requested_by_id=requested_by_id,
        created_at=utcnow(),
    )
    session.add(job)
    session.flush()
    if jobs.mode == "procrastinate":
        job.queue_id = session.scalar(
            _DEFER, {"queue": QUEUE, "task": kind, "args": json.dumps({"job_id": job.id})}
        )
        session.flush()
    else:
        session.info.setdefault(_PENDING, []).append(job.id)
    return job


def get_job(job_id: int) -> Job | None:
    return db.session.get(Job, job_id)


def latest_job(kind: str, subject: str) -> Job | None:
    """The newest job of ``kind`` about ``subject`` (e.g. a round's certificate ZIP)."""
    return db.session.scalar(
        select(Job).where(Job.kind == kind, Job.subject == subject).order_by(Job.id.desc()).limit(1)
    )


def set_progress(job: Job, done: int, total: int | None = None) -> None:
    """Record how far ``job`` got (flushed; the runner or the task commits it)."""
    job.progress_done = done
    if total is not None:
        job.progress_total = total
    db.session.flush()


def take_pending(session: Session) -> list[int]:
    return session.info.pop(_PENDING, None) or []


@event.listens_for(Session, "after_rollback")
def _rolled_back(session):
    session.info.pop(_PENDING, None)
