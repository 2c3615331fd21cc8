"""``competition.jobs`` on SQLite (in-process): a job runs only once its transaction commits,
records its state and progress, is retried as its task says, and is never done twice."""

import threading

import pytest
from sqlalchemy import select

from competition.db import db
from competition.jobs import services as jobs
from competition.jobs import tasks as upkeep
from competition.jobs import worker
from competition.jobs.models import Job, JobState
from competition.jobs.services import Task

calls: list = []


def _ok(job: Job) -> None:
    calls.append(job.params)
    jobs.set_progress(job, 3, 3)
    job.result = {"echo": job.params["n"]}


def _flaky(job: Job) -> None:
    calls.append(job.attempts)
    if job.attempts < 3:
        raise RuntimeError(f"attempt {job.attempts} failed")


def _broken(job: Job) -> None:
    calls.append(job.attempts)
    raise RuntimeError("always")


@pytest.fixture
def tasks(app):
    calls.clear()
    runner = app.extensions[jobs.EXTENSION]
    runner.tasks.update(
        {
            "test.ok": Task(_ok),
            "test.flaky": Task(_flaky, max_attempts=3, backoff=2),
            "test.broken": Task(_broken, max_attempts=2),
        }
    )
    yield runner
    for name in ("test.ok", "test.flaky", "test.broken"):
        runner.tasks.pop(name)


def test_mode_follows_the_database_and_testing():
    assert jobs.mode_for({"TESTING": True}) == "inline"
    assert jobs.mode_for({"SQLALCHEMY_DATABASE_URI": "sqlite:///x"}) == "threads"
    assert jobs.mode_for({"SQLALCHEMY_DATABASE_URI": "postgresql+psycopg://h/d"}) == "procrastinate"
    assert jobs.mode_for({"TESTING": True, "JOBS": "threads"}) == "threads"


def test_job_runs_after_commit_and_records_its_state(app, committee, tasks):
    job = jobs.enqueue("test.ok", actor=committee, subject="round:1", n=7)
    assert calls == [] and job.state == JobState.QUEUED  # not before the commit
    db.session.commit()
    assert calls == [{"n": 7}]
    db.session.expire_all()
    job = jobs.latest_job("test.ok", "round:1")
    assert (job.state, job.progress_done, job.progress_total, job.result) == (
        "done",
        3,
        3,
        {"echo": 7},
    )
    assert job.attempts == 1 and job.requested_by_id == committee.id and job.finished_at
    assert job.as_dict()["finished"] and job.percent == 100


def test_rolled_back_job_never_runs(app, tasks):
    jobs.enqueue("test.ok", n=1)
    db.session.rollback()
    db.session.commit()
    assert calls == [] and db.session.scalars(select(Job)).all() == []


def test_unknown_kind_is_refused(app):
    with pytest.raises(KeyError):
        jobs.enqueue("test.nothing")


def test_failed_attempts_are_retried_with_backoff(app, tasks):
    job = jobs.enqueue("test.flaky")
    db.session.commit()  # inline: attempts 1 and 2 fail, 3 succeeds (no waiting in tests)
    db.session.expire_all()
    job = db.session.get(Job, job.id)
    assert calls == [1, 2, 3] and job.state == "done" and job.attempts == 3 and job.error == ""


def test_backoff_grows_exponentially(app, tasks):
    job = jobs.enqueue("test.broken")
    job_id = job.id
    db.session.info.pop("juri_jobs_pending")  # run it by hand below, not on commit
    db.session.commit()
    tasks.tasks["test.broken"] = Task(_broken, max_attempts=4, backoff=3)
    waits = []
    assert worker.run_with_retries(app, job_id, sleep=waits.append) is False
    assert waits == [3, 9, 27]
    db.session.expire_all()
    job = db.session.get(Job, job_id)
    assert (job.state, job.attempts, job.error) == ("failed", 4, "RuntimeError: always")


def test_a_finished_job_is_not_done_twice(app, tasks):
    job = jobs.enqueue("test.ok", n=2)
    db.session.commit()
    assert worker.run_job(app, job.id) is True  # again, e.g. a retried stalled job
    assert calls == [{"n": 2}]


def test_threads_mode_runs_in_the_background(make_app, tasks_for_threads):
    app, done = tasks_for_threads
    with app.app_context():
        jobs.enqueue("test.signal")
        db.session.commit()
    assert done.wait(10)


@pytest.fixture
def tasks_for_threads(make_app):
    app = make_app(JOBS="threads")
    done = threading.Event()
    app.extensions[jobs.EXTENSION].tasks["test.signal"] = Task(lambda job: done.set())
    yield app, done
    app.extensions[jobs.EXTENSION].tasks.pop("test.signal")
    upkeep.maintenance(app).stop.set()  # the process's maintenance thread ends with the test


def test_worker_command_on_sqlite_says_jobs_run_in_process(app):
    out = app.test_cli_runner().invoke(args=["juri", "worker"])
    assert out.exit_code == 0 and "in-process" in out.output
