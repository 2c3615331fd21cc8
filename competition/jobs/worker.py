"""Run the jobs of ``competition.jobs.services``: one attempt of a job (``run_job``), the
in-process runner of SQLite (threads, or inline in tests) and the procrastinate app of
PostgreSQL that ``flask juri worker`` runs.

A job is done at most once: ``run_job`` does nothing for a job already done or failed, so a
job that procrastinate runs again (its worker died after finishing, a stalled job retried) is
not done twice; the tasks themselves are idempotent (they write under keys derived from the
job, and claim their rows in the transaction that marks them done). A killed worker's job is
never lost: its worker stops sending heartbeats, and ``retry_stalled`` (run by each worker at
start and then every minute) puts the job back in the queue. On the in-process runner,
``competition.jobs.tasks`` does the same for the jobs of a process that stopped, and
prunes old finished jobs on both.

Like a command, this module owns its transactions: it commits.
"""

from __future__ import annotations

import asyncio
import importlib
import logging
import time
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING

from flask import Flask, current_app
from sqlalchemy import event
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from competition.db import db, utcnow
from competition.jobs import tasks as upkeep
from competition.jobs.models import Job, JobState
from competition.jobs.services import (
    EXTENSION,
    PENDING,
    QUEUE,
    Runner,
    Task,
    add_job,
    mode_for,
    take_pending,
)

if TYPE_CHECKING:
    import procrastinate

log = logging.getLogger(__name__)

# A worker silent this long (heartbeats every 10 s) is taken to be dead (JURI_JOBS_STALLED_SECONDS).
STALLED_SECONDS = upkeep.STALLED_SECONDS
QUEUE_ROWS_KEPT_HOURS = 7 * 24  # procrastinate's finished rows are deleted after a week
_EXECUTOR = "juri_jobs_executor"
_PROCRASTINATE = "juri_jobs_procrastinate"


def init_app(app: Flask, tasks: dict[str, Task]) -> None:
    """Give ``app`` its job runner with every kind of job it may run."""
    app.extensions[EXTENSION] = Runner(tasks=dict(tasks), mode=mode_for(app.config))
    if app.extensions[EXTENSION].mode == "threads":
        jobs_maintenance = upkeep.install(
            app, lambda job_id: _executor(app).submit(_run_held, app, job_id)
        )
        if app.config.get("JOBS_MAINTENANCE", True):
            # the first request of each process starts its maintenance thread (heartbeats,
            # the recovery of a stopped process's jobs, pruning): no query at app creation
            app.before_request(jobs_maintenance.ensure_started)


def enqueue_detached(kind: str, *, subject: str = "", **params) -> int:
    """Queue a job in its own transaction, committed at once (for a caller with no transaction
    of its own to join: a page asking for a cache to be filled). Returns the job's id."""
    with Session(db.engine) as session:
        job = add_job(session, kind, subject=subject, total=0, requested_by_id=None, params=params)
        job_id = job.id
        session.commit()
    return job_id


def run_job(app: Flask, job_id: int, *, last_attempt: bool = True) -> bool:
    """One attempt at job ``job_id`` in a fresh app context (its own session). Returns True when
    the job is done (now or before), False when its task handed it to other jobs. On an error the job is marked failed on the last attempt,
    else queued again with the error, and the error is raised (for procrastinate's retry)."""
    with app.app_context():
        job = db.session.get(Job, job_id)
        if job is None or job.state in (JobState.DONE, JobState.FAILED):
            return job is not None and job.state == JobState.DONE
        task = app.extensions[EXTENSION].tasks[job.kind]
        job.state, job.started_at, job.error = JobState.RUNNING, utcnow(), ""
        job.attempts += 1
        db.session.commit()
        try:
            if task.run(job) == PENDING:  # other jobs finish it
                db.session.commit()
                return False
            job.state, job.finished_at = JobState.DONE, utcnow()
            db.session.commit()
            return True
        except Exception as exc:
            db.session.rollback()
            log.exception("job %s (%s) failed", job_id, job.kind)
            job = db.session.get(Job, job_id)
            job.error = f"{type(exc).__name__}: {exc}"[:1000]
            if last_attempt:
                job.state, job.finished_at = JobState.FAILED, utcnow()
                _fail_parent(job)
            else:
                job.state = JobState.QUEUED
            db.session.commit()
            raise
        finally:
            db.session.remove()


def _fail_parent(job: Job) -> None:
    """A job that others finish (``PENDING``, e.g. a ZIP in parts) fails with its part."""
    parent = db.session.get(Job, (job.params or {}).get("parent_id") or 0)
    if parent is not None and not parent.finished:
        parent.state, parent.finished_at = JobState.FAILED, utcnow()
        parent.error = f"job {job.id} ({job.kind}): {job.error}"[:1000]


def run_with_retries(app: Flask, job_id: int, *, sleep=time.sleep) -> bool:
    """Run a job in this process, retrying as its task says (the in-process runner), from the
    attempt after those it already had (a job recovered from a stopped process)."""
    with app.app_context():
        job = db.session.get(Job, job_id)
        task = app.extensions[EXTENSION].tasks.get(job.kind) if job else None
        tried = job.attempts if job else 0
        db.session.remove()
    if task is None:
        return False
    last = max(task.max_attempts, tried + 1)
    for attempt in range(tried + 1, last + 1):
        try:
            return run_job(app, job_id, last_attempt=attempt == last)
        except Exception:  # noqa: BLE001 - recorded on the job by run_job
            if attempt == last:
                return False
            sleep(task.backoff**attempt if task.backoff else 0)
    return False


def _run_held(app: Flask, job_id: int) -> bool:
    """``run_with_retries`` for a job this process holds (its heartbeat beats meanwhile)."""
    try:
        return run_with_retries(app, job_id)
    finally:
        upkeep.maintenance(app).release(job_id)


def _executor(app: Flask) -> ThreadPoolExecutor:
    if _EXECUTOR not in app.extensions:
        app.extensions[_EXECUTOR] = ThreadPoolExecutor(
            max_workers=int(app.config.get("JOBS_THREADS") or 2), thread_name_prefix="juri-job"
        )
    return app.extensions[_EXECUTOR]


def drain(app: Flask) -> None:
    """Let the jobs ``app`` runs in its own threads finish, and end those threads (a later job
    starts new ones): before the app's engine is disposed of, no thread must hold one of its
    connections."""
    executor = app.extensions.pop(_EXECUTOR, None)
    if executor is not None:
        executor.shutdown(wait=True)


@event.listens_for(Session, "after_commit")
def _dispatch(session):
    """Start the in-process jobs this transaction queued, now that they are committed."""
    ids = take_pending(session)
    if not ids:
        return
    app = current_app._get_current_object()
    mode = app.extensions[EXTENSION].mode
    for job_id in ids:
        if mode == "inline":
            run_with_retries(app, job_id, sleep=lambda _s: None)
        else:
            jobs_maintenance = upkeep.maintenance(app)
            jobs_maintenance.hold(job_id)
            if app.config.get("JOBS_MAINTENANCE", True):
                jobs_maintenance.ensure_started()
            _executor(app).submit(_run_held, app, job_id)


# -- procrastinate (PostgreSQL) ---------------------------------------------------------------


def _procrastinate():
    """The procrastinate package, imported when a procrastinate app is first built: only
    PostgreSQL servers use it, and importing it (with psycopg) costs every process's start
    a few tenths of a second."""
    return importlib.import_module("procrastinate")


def conninfo(app: Flask) -> str:
    """The app's database URL as libpq understands it (without SQLAlchemy's ``+psycopg``)."""
    url = make_url(app.config["SQLALCHEMY_DATABASE_URI"]).set(drivername="postgresql")
    return url.render_as_string(hide_password=False)


def _procrastinate_task(app: Flask, name: str, task: Task):
    def run(context, job_id: int) -> None:
        attempts = context.job.attempts or 0
        run_job(app, job_id, last_attempt=attempts + 1 >= task.max_attempts)

    run.__name__ = run.__qualname__ = name.replace(".", "_")
    return run


stalled_seconds = upkeep.stalled_seconds


async def retry_stalled_async(papp: procrastinate.App, seconds: float = STALLED_SECONDS) -> int:
    """Put back in the queue every job of a worker silent for ``seconds``; returns how many."""
    stalled = await papp.job_manager.get_stalled_jobs(queue=QUEUE, seconds_since_heartbeat=seconds)
    for job in stalled:
        log.warning("job %s (%s) of a dead worker: retried", job.id, job.task_name)
        await papp.job_manager.retry_job(job)
    return len(stalled)


def procrastinate_app(app: Flask) -> procrastinate.App:
    """The procrastinate app on the app's own PostgreSQL database, with one procrastinate task
    per kind of job (its retry strategy from the ``Task``) and the stalled-job recovery."""
    if _PROCRASTINATE in app.extensions:
        return app.extensions[_PROCRASTINATE]
    procrastinate = _procrastinate()
    papp = procrastinate.App(connector=procrastinate.PsycopgConnector(conninfo=conninfo(app)))
    for name, task in app.extensions[EXTENSION].tasks.items():
        retry = (
            procrastinate.RetryStrategy(
                max_attempts=task.max_attempts - 1, exponential_wait=task.backoff
            )
            if task.max_attempts > 1
            else False
        )
        papp.task(name=name, queue=QUEUE, pass_context=True, retry=retry)(
            _procrastinate_task(app, name, task)
        )
    seconds = stalled_seconds(app)

    async def _retry_stalled(context, timestamp) -> None:
        await retry_stalled_async(context.app, seconds)

    stalled = papp.task(
        name="juri.retry_stalled",
        queue=QUEUE,
        queueing_lock="juri.retry_stalled",
        pass_context=True,
    )(_retry_stalled)
    papp.periodic(cron="* * * * *", periodic_id="juri.retry_stalled")(stalled)

    async def _prune(context, timestamp) -> None:
        # procrastinate's own rows of finished jobs; the job-state table ``jobs`` keeps ours
        await context.app.job_manager.delete_old_jobs(
            nb_hours=QUEUE_ROWS_KEPT_HOURS, queue=QUEUE, include_failed=True
        )

    prune = papp.task(
        name="juri.prune_queue", queue=QUEUE, queueing_lock="juri.prune_queue", pass_context=True
    )(_prune)
    papp.periodic(cron="17 * * * *", periodic_id="juri.prune_queue")(prune)

    def _prune_jobs(context, timestamp) -> None:
        # our job-state rows and the files they left, after JURI_JOBS_KEEP_DAYS
        upkeep.prune_jobs(app)

    prune_jobs = papp.task(
        name="juri.prune_jobs", queue=QUEUE, queueing_lock="juri.prune_jobs", pass_context=True
    )(_prune_jobs)
    papp.periodic(cron="29 * * * *", periodic_id="juri.prune_jobs")(prune_jobs)
    app.extensions[_PROCRASTINATE] = papp
    return papp


def _outside_any_loop(fn):
    """Call ``fn`` (which runs its own event loop) here, or in a thread of its own when this
    thread already runs an event loop (e.g. an embedding program or a test's browser driver):
    ``asyncio.run`` refuses to nest."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return fn()
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(fn).result()


def retry_stalled(app: Flask, seconds: float | None = None) -> int:
    """``retry_stalled_async`` from synchronous code (the worker command at start, tests)."""
    papp = procrastinate_app(app)

    async def go():
        async with papp.open_async():
            return await retry_stalled_async(papp, seconds or stalled_seconds(app))

    return _outside_any_loop(lambda: asyncio.run(go()))


def run_worker(app: Flask, *, concurrency: int = 1, wait: bool = True, name: str | None = None):
    """Run a procrastinate worker on the app's queue (until stopped, or until the queue is empty
    when ``wait`` is False), after retrying the jobs of dead workers."""
    retry_stalled(app)
    _outside_any_loop(
        lambda: procrastinate_app(app).run_worker(
            queues=[QUEUE],
            concurrency=concurrency,
            wait=wait,
            name=name,
            install_signal_handlers=wait,
        )
    )
