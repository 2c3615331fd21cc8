"""The job table's upkeep (``competition.jobs.tasks``, issue 17 item 2): finished jobs
pruned after JURI_JOBS_KEEP_DAYS with the files they left (a failed ZIP's parts, an import's
upload), the round's current ZIP kept; and on the in-process runner the jobs of a process that
stopped (killed, restarted) run again from their next attempt, or failed with the reason."""

import os
import threading
from datetime import timedelta

import pytest
from sqlalchemy import select

from competition.db import db, utcnow
from competition.jobs import tasks as upkeep
from competition.jobs import worker
from competition.jobs.models import Job, JobState
from competition.jobs.services import EXTENSION, Task
from competition.storage import get_storage
from judging.results import zips

calls: list = []


def _record(job: Job) -> None:
    calls.append((job.id, job.attempts))


@pytest.fixture
def tasks(app):
    calls.clear()
    runner = app.extensions[EXTENSION]
    runner.tasks["test.record"] = Task(_record, max_attempts=3)
    yield runner
    runner.tasks.pop("test.record")


def _job(kind, state, *, age=timedelta(0), now=None, **fields) -> Job:
    now = now or utcnow()
    job = Job(
        kind=kind,
        state=state,
        subject=fields.pop("subject", ""),
        params=fields.pop("params", {}),
        created_at=now - age,
        finished_at=(now - age) if state in (JobState.DONE, JobState.FAILED) else None,
        **fields,
    )
    db.session.add(job)
    db.session.flush()
    return job


def test_old_finished_jobs_are_pruned_with_their_files(app):
    storage = get_storage()
    now = utcnow()
    old = timedelta(days=40)
    # round 1: an old ZIP replaced by a newer (also old) one, which stays: the current ZIP
    replaced = _job(zips.KIND, JobState.DONE, age=old, subject="round:1", params={"round_id": 1})
    current = _job(zips.KIND, JobState.DONE, age=old, subject="round:1", params={"round_id": 1})
    # round 2: a ZIP in parts that failed before the join: its parts were left behind
    broken = _job(zips.KIND, JobState.FAILED, age=old, subject="round:2", params={"round_id": 2})
    part = _job(zips.KIND_PART, JobState.FAILED, age=old, params={"parent_id": broken.id})
    # an import that failed, its uploaded file left; a recent job; an old job still queued
    upload = _job(
        "competition.import_accounts",
        JobState.FAILED,
        age=old,
        params={"key": "imports/upload-1.csv", "filename": "a.csv"},
    )
    recent = _job(zips.KIND, JobState.DONE, age=timedelta(days=2), subject="round:3")
    queued = _job("competition.deliver_mail", JobState.QUEUED, age=old)
    for job in (replaced, current):
        job.result_key = zips.zip_key(job)
        storage.put(job.result_key, b"zip", "application/zip")
    recent.result_key = "exports/round3-certificates-job-recent.zip"
    storage.put(recent.result_key, b"zip", "application/zip")
    storage.put(zips.part_key(broken, 0), b"part", "application/zip")
    storage.put(zips.part_key(broken, 1), b"part", "application/zip")
    storage.put("imports/upload-1.csv", b"a,b", "text/csv")
    storage.put("exports/someone-elses.zip", b"zip", "application/zip")
    db.session.commit()
    named = dict(replaced=replaced, current=current, broken=broken, part=part, upload=upload)
    ids = {j.id: name for name, j in {**named, "recent": recent, "queued": queued}.items()}

    assert upkeep.prune_jobs(app, now=now) == (4, 4)

    left = {ids[i] for i in db.session.scalars(select(Job.id))}
    assert left == {"current", "recent", "queued"}
    assert sorted(storage.keys("")) == sorted(
        [current.result_key, recent.result_key, "exports/someone-elses.zip"]
    )
    assert upkeep.prune_jobs(app, now=now) == (0, 0)  # nothing left to prune
    # a newer ZIP makes the kept one prunable
    newer = _job(zips.KIND, JobState.DONE, subject="round:1", params={"round_id": 1})
    newer.result_key = zips.zip_key(newer)
    storage.put(newer.result_key, b"zip", "application/zip")
    kept_key, newer_key = current.result_key, newer.result_key
    db.session.commit()
    assert upkeep.prune_jobs(app, now=now) == (1, 1)
    assert not storage.exists(kept_key) and storage.exists(newer_key)


def test_keep_days_come_from_the_configuration_and_the_command(app):
    now = utcnow()
    _job("competition.deliver_mail", JobState.DONE, age=timedelta(days=5), now=now)
    db.session.commit()
    app.config["JOBS_KEEP_DAYS"] = 10
    assert upkeep.prune_jobs(app) == (0, 0)
    app.config["JOBS_KEEP_DAYS"] = 3
    out = app.test_cli_runner().invoke(args=["juri", "jobs", "prune"])
    assert out.exit_code == 0, out.output
    assert "Pruned 1 finished jobs older than 3 days" in out.output
    assert db.session.scalars(select(Job)).all() == []


def test_a_stopped_process_job_runs_again_from_its_next_attempt(app, tasks):
    now = utcnow()
    stale = now - timedelta(seconds=upkeep.STALLED_SECONDS + 5)
    cut_short = _job("test.record", JobState.RUNNING, attempts=1, started_at=stale, now=now)
    never_run = _job("test.record", JobState.QUEUED, age=timedelta(minutes=5), now=now)
    last = _job("test.record", JobState.RUNNING, attempts=3, started_at=stale, now=now)
    alive = _job("test.record", JobState.RUNNING, attempts=1, started_at=stale, now=now)
    alive.heartbeat_at = now - timedelta(seconds=5)  # another process still beats for it
    held = _job("test.record", JobState.RUNNING, attempts=1, started_at=stale, now=now)
    parent = _job("test.record", JobState.RUNNING, attempts=1, started_at=stale, now=now)
    child = _job("test.record", JobState.QUEUED, now=now, params={"parent_id": 0})
    child.params = {"parent_id": parent.id}  # waits for its part: left to it
    db.session.commit()

    retried, failed = upkeep.recover_stalled(app, now=now, held={held.id})
    assert retried == [cut_short.id, never_run.id] and failed == [last.id]
    db.session.expire_all()
    assert db.session.get(Job, cut_short.id).state == JobState.QUEUED
    assert "ended (killed or restarted)" in db.session.get(Job, cut_short.id).error
    gone = db.session.get(Job, last.id)
    assert gone.state == JobState.FAILED and gone.finished_at is not None
    assert gone.error.startswith("Stopped: the process running attempt 3 of 3 ended")
    for job_id in (alive.id, held.id, parent.id):
        assert db.session.get(Job, job_id).state == JobState.RUNNING
    # claimed: another process recovering at the same moment finds nothing (the held job's
    # process beats for it meanwhile)
    upkeep.beat(app, {held.id}, now=now)
    assert upkeep.recover_stalled(app, now=now) == ([], [])

    for job_id in retried:
        assert worker.run_with_retries(app, job_id) is True
    assert calls == [(cut_short.id, 2), (never_run.id, 1)]  # attempt 2, not 1 again
    db.session.expire_all()
    assert db.session.get(Job, cut_short.id).state == JobState.DONE
    assert db.session.get(Job, cut_short.id).error == ""


def test_the_heartbeat_keeps_a_held_job_from_being_recovered(app, tasks):
    now = utcnow()
    stale = now - timedelta(minutes=10)
    job = _job("test.record", JobState.RUNNING, attempts=1, started_at=stale, now=now)
    db.session.commit()
    upkeep.beat(app, {job.id}, now=now)
    assert upkeep.recover_stalled(app, now=now + timedelta(seconds=30)) == ([], [])
    app.config["JOBS_STALLED_SECONDS"] = 20
    assert upkeep.recover_stalled(app, now=now + timedelta(seconds=30)) == ([job.id], [])


def test_recover_command_runs_the_stopped_jobs(app, tasks):
    job = _job(
        "test.record",
        JobState.RUNNING,
        attempts=1,
        started_at=utcnow() - timedelta(minutes=10),
    )
    db.session.commit()
    out = app.test_cli_runner().invoke(args=["juri", "jobs", "recover"])
    assert out.exit_code == 0, out.output
    assert "Jobs run again: 1; failed (no attempt left): 0." in out.output
    assert calls == [(job.id, 2)]


@pytest.fixture
def threads_app(make_app):
    app = make_app(JOBS="threads", JOBS_STALLED_SECONDS=1)
    done = threading.Event()
    app.extensions[EXTENSION].tasks["test.signal"] = Task(
        lambda job: (calls.append((job.id, job.attempts)), done.set()), max_attempts=2
    )
    yield app, done
    upkeep.maintenance(app).stop.set()


def test_job_left_running_by_a_killed_process_runs_when_the_app_next_starts(threads_app):
    """A job the killed process was running (its heartbeat long stopped) is found by the
    maintenance thread the restarted app starts with its first request, and run there."""
    app, done = threads_app
    calls.clear()
    with app.app_context():
        job = _job(
            "test.signal",
            JobState.RUNNING,
            attempts=1,
            started_at=utcnow() - timedelta(minutes=5),
        )
        job.heartbeat_at = utcnow() - timedelta(minutes=5)
        db.session.commit()
        job_id = job.id
    assert upkeep.maintenance(app).pid is None  # nothing runs before a request
    app.test_client().get("/healthz")
    assert upkeep.maintenance(app).pid == os.getpid()
    assert done.wait(15)
    for _ in range(100):  # the job's row is committed just after the task returns
        with app.app_context():
            state = db.session.get(Job, job_id).state
            db.session.remove()
        if state == JobState.DONE:
            break
        threading.Event().wait(0.05)
    assert state == JobState.DONE and calls == [(job_id, 2)]


def test_procrastinate_workers_prune_jobs_every_hour(app):
    papp = worker.procrastinate_app(app)  # built without connecting
    assert "juri.prune_jobs" in papp.tasks
    periodic = {p.periodic_id: p.cron for p in papp.periodic_registry.periodic_tasks.values()}
    assert periodic["juri.prune_jobs"] == "29 * * * *"


def test_stop_all_maintenance_ends_every_thread_and_a_request_starts_it_again(make_app):
    app = make_app(JOBS="threads")
    upkeep.maintenance(app).ensure_started()
    first = upkeep.maintenance(app).stop
    assert upkeep.stop_all_maintenance() >= 1
    assert first.is_set()
    assert upkeep.stop_all_maintenance() == 0  # nothing left running
    upkeep.maintenance(app).ensure_started()  # the app's next job or request starts a new one
    assert not upkeep.maintenance(app).stop.is_set() and upkeep.maintenance(app).stop is not first
    assert upkeep.stop_all_maintenance() == 1


def test_stopping_maintenance_with_wait_lets_the_round_in_progress_give_its_connection_back(
    make_app,
):
    """The test teardown disposes of each app's engine after stopping the threads: a round
    still holding a pooled connection then would leave it, unclosed, to the garbage collector
    (whose ResourceWarning failed an unrelated test). ``wait`` lets that round end first."""
    app = make_app(JOBS="threads")
    keeper = upkeep.maintenance(app)
    in_round = threading.Event()

    def slow_tick():
        with app.app_context():
            db.session.execute(select(1))  # a connection checked out for the round
            in_round.set()
            keeper.stop.wait(10)  # a slow round: still running when the stop comes
            db.session.remove()
        return []

    keeper.tick = slow_tick
    keeper.ensure_started()
    assert in_round.wait(10)
    with app.app_context():
        assert db.engine.pool.checkedout() == 1
        assert upkeep.stop_all_maintenance(wait=10) == 1
        assert not keeper.thread.is_alive()
        assert db.engine.pool.checkedout() == 0
