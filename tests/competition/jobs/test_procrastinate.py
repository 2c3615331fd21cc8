"""The jobs on PostgreSQL through a real procrastinate worker (``worker.run_worker`` with
``wait=False``: it processes what is queued, then stops). Skipped unless TEST_DATABASE_URL is
PostgreSQL (``.ci/run``)."""

import os
import socket
import subprocess
import sys
import time
import zipfile
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import bindparam, inspect, select, text

from competition.accounts.models import User
from competition.db import db, utcnow
from competition.jobs import worker
from competition.jobs.models import Job
from competition.notifications import services as notifications
from competition.storage import get_storage
from judging.results import zips as bulk
from judging.results.models import Certificate
from tests import factories
from tests.competition.notifications.test_notifications import smtp_server  # noqa: F401

pytestmark = pytest.mark.skipif(
    not os.environ.get("TEST_DATABASE_URL", "").startswith("postgresql"),
    reason="procrastinate needs PostgreSQL (TEST_DATABASE_URL)",
)

ROOT = Path(__file__).resolve().parents[3]
PROCRASTINATE_TABLES = ("procrastinate_events", "procrastinate_jobs", "procrastinate_workers")


@pytest.fixture
def pg(make_app):
    """An app whose jobs go to procrastinate, its schema applied if the test database lacks
    it (the test schema comes from create_all, which knows only our models). The queue is
    emptied before and after: another test of the same database (a CLI run in a subprocess,
    say) may have left a job in it, and the worker here would run it too."""
    app = make_app(JOBS="procrastinate")
    with app.app_context():
        if not inspect(db.engine).has_table("procrastinate_jobs"):
            schema = worker.procrastinate_app(app).schema_manager.get_schema()
            with db.engine.begin() as conn:
                conn.connection.driver_connection.execute(schema)
        _empty_queue()
        yield app
        db.session.remove()
        _empty_queue()


def _empty_queue():
    with db.engine.begin() as conn:
        for table in PROCRASTINATE_TABLES:
            conn.execute(text(f"DELETE FROM {table}"))


# The workers' periodic upkeep (procrastinate defers them when their minute has come, so a
# worker started at xx:29 also runs juri.prune_jobs): not the jobs a test looks at.
UPKEEP_TASKS = ("juri.retry_stalled", "juri.prune_queue", "juri.prune_jobs")


def _queue_rows():
    return db.session.execute(
        text(
            "SELECT id, status, attempts, scheduled_at FROM procrastinate_jobs "
            "WHERE task_name NOT IN :upkeep ORDER BY id"
        ).bindparams(bindparam("upkeep", expanding=True)),
        {"upkeep": list(UPKEEP_TASKS)},
    ).all()


def _certificates(round_, n=3):
    for i in range(n):
        db.session.add(
            Certificate(
                code=f"PG-{i:04d}",
                kind="participation",
                round=round_,
                holder=f"Dinas {i}",
                title=f"Inovasi {i}",
                award="Peserta",
                issued_at=round_.submission_opens_at,
            )
        )
    db.session.commit()


def test_queued_zip_is_built_by_a_worker(pg):
    committee = factories.make_user(role="committee", username="panitia", name="Panitia")
    round_ = factories.make_round()
    db.session.commit()
    _certificates(round_)
    client = pg.test_client(user=committee)
    base = f"/committee/rounds/{round_.id}/results/zip"
    assert client.post(f"{base}/start").status_code == 302
    job = bulk.latest_job(round_.id)
    assert job.state == "queued" and job.queue_id  # in procrastinate's queue, not run yet
    assert client.get(f"{base}/status").get_json()["finished"] is False
    assert client.get(f"{base}/download").status_code == 404
    worker.run_worker(pg, wait=False)
    db.session.expire_all()
    job = db.session.get(Job, job.id)
    assert (job.state, job.attempts, job.progress_done, job.progress_total) == ("done", 1, 3, 3)
    assert client.get(f"{base}/status").get_json()["finished"] is True
    response = client.get(f"{base}/download")
    assert response.status_code == 200 and response.mimetype == "application/zip"
    response.close()
    assert [row.status for row in _queue_rows()] == ["succeeded"]


def test_failing_mail_job_is_retried_with_backoff(pg, smtp_server):  # noqa: F811
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        dead_port = s.getsockname()[1]  # nothing listens here
    pg.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=dead_port)
    user = User(username="a", name="A", role="opd", email="a@example.org", password_hash="x")
    db.session.add(user)
    db.session.flush()
    notifications.notify(user=user, kind="test", subject="Uji", body="isi", now=utcnow())
    db.session.commit()
    [job] = db.session.scalars(select(Job)).all()
    assert job.kind == notifications.DELIVER and job.state == "queued"
    before = utcnow()
    worker.run_worker(pg, wait=False)
    db.session.expire_all()
    job = db.session.get(Job, job.id)
    assert job.state == "queued" and job.attempts == 1 and "Connection" in job.error
    [row] = _queue_rows()
    # procrastinate retries it later: the first retry waits DELIVERY_BACKOFF seconds
    assert row.status == "todo" and row.attempts == 1
    assert row.scheduled_at >= before + timedelta(seconds=notifications.DELIVERY_BACKOFF - 1)
    # The mail server is back; the retry comes due.
    pg.config.update(MAIL_PORT=smtp_server.port)
    db.session.execute(
        text("UPDATE procrastinate_jobs SET scheduled_at = now() WHERE id = :id"), {"id": row.id}
    )
    db.session.commit()
    worker.run_worker(pg, wait=False)
    db.session.expire_all()
    job = db.session.get(Job, job.id)
    assert (job.state, job.attempts, job.error) == ("done", 2, "")
    assert [m["Subject"] for _to, m in smtp_server.messages] == ["Uji"]
    assert [row.status for row in _queue_rows()] == ["succeeded"]


def test_job_of_a_dead_worker_is_retried_and_done_once(pg):
    committee = factories.make_user(role="committee", username="panitia", name="Panitia")
    round_ = factories.make_round()
    db.session.commit()
    _certificates(round_, n=2)
    job = bulk.start_job(round_=round_, actor=committee)
    db.session.commit()
    job_id, queue_id = job.id, job.queue_id
    # A worker took the job and was killed: its heartbeat stopped ten minutes ago, the job is
    # still "doing" in procrastinate and "running" in ours.
    dead = db.session.scalar(
        text(
            "INSERT INTO procrastinate_workers (last_heartbeat) "
            "VALUES (now() - interval '10 minutes') RETURNING id"
        )
    )
    db.session.execute(
        text("UPDATE procrastinate_jobs SET status = 'doing', worker_id = :w WHERE id = :id"),
        {"w": dead, "id": queue_id},
    )
    job.state, job.attempts = "running", 1
    db.session.commit()
    worker.run_worker(pg, wait=False)  # first retries the stalled jobs, then runs them
    db.session.expire_all()
    job = db.session.get(Job, job_id)
    assert (job.state, job.attempts, job.progress_done) == ("done", 2, 2)
    assert list(get_storage().keys("exports/")) == [bulk.zip_key(job)]  # one ZIP, once
    assert [row.status for row in _queue_rows()] == ["succeeded"]
    # Run again (e.g. the dead worker's job delivered twice): nothing is done a second time.
    assert worker.run_job(pg, job_id) is True
    db.session.expire_all()
    assert db.session.get(Job, job_id).attempts == 2


def test_two_deliveries_never_claim_the_same_message(pg):
    """A delivery claims its messages with FOR UPDATE SKIP LOCKED: a second worker's delivery
    running at the same time skips them instead of sending them again."""
    user = User(username="b", name="B", role="opd", email="b@example.org", password_hash="x")
    db.session.add(user)
    db.session.flush()
    note = notifications.notify(user=user, kind="test", subject="Uji", body="isi", now=utcnow())
    db.session.commit()  # no mail server here: no delivery job, the message waits
    ids = [note.id]
    with pg.app_context():  # a first worker's transaction
        first = notifications.claim_unsent(ids)
        with pg.app_context():  # a second one, meanwhile
            assert notifications.claim_unsent(ids) == []
            db.session.rollback()
        assert [n.id for n in first] == ids
        db.session.rollback()
    with pg.app_context():  # once the first is gone, the message can be claimed again
        assert [n.id for n in notifications.claim_unsent(ids)] == ids
        db.session.rollback()


def _worker(pg, tmp_path, name: str, *args: str, **env) -> subprocess.Popen:
    """A real ``flask juri worker`` process on the test database and file folder."""
    return subprocess.Popen(
        [str(Path(sys.executable).parent / "flask"), "juri", "worker", *args],
        cwd=ROOT,
        env={
            **os.environ,
            "FLASK_APP": "app",
            "DATABASE_URL": os.environ["TEST_DATABASE_URL"],
            "SECRET_KEY": "test-secret",
            "JURI_UPLOAD_FOLDER": pg.config["UPLOAD_FOLDER"],
            "JURI_PUBLIC_URL": "http://localhost",
            "JURI_JOBS": "procrastinate",
            "JURI_INSTANCE_PATH": str(tmp_path / f"instance-{name}"),
            **env,
        },
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def test_killed_worker_process_job_is_finished_by_another_once(pg, tmp_path):
    """A worker process killed (SIGKILL) in the middle of a ZIP: another worker finds the job
    of the silent worker, runs it again and finishes it; one ZIP, every certificate once."""
    committee = factories.make_user(role="committee", username="panitia", name="Panitia")
    round_ = factories.make_round()
    db.session.commit()
    _certificates(round_, n=400)
    job = bulk.start_job(round_=round_, actor=committee)
    db.session.commit()
    job_id = job.id
    first = _worker(pg, tmp_path, "first")
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:  # until the first chunks are rendered
            db.session.expire_all()
            job = db.session.get(Job, job_id)
            if job.progress_done >= bulk.CHUNK or job.finished:
                break
            time.sleep(0.1)
        assert job.state == "running" and 0 < job.progress_done < 400, "not killed mid-job"
        first.kill()
        first.wait(10)
    finally:
        if first.poll() is None:
            first.kill()
    time.sleep(3)  # the dead worker's last heartbeat is older than the threshold below
    second = _worker(pg, tmp_path, "second", "--once", JURI_JOBS_STALLED_SECONDS="2")
    assert second.wait(180) == 0
    db.session.expire_all()
    job = db.session.get(Job, job_id)
    assert (job.state, job.attempts, job.progress_done) == ("done", 2, 400)
    assert list(get_storage().keys("exports/")) == [bulk.zip_key(job)]
    with zipfile.ZipFile(get_storage().location(job.result_key)) as zf:
        names = zf.namelist()
    assert len(names) == 400 == len(set(names))
    assert [row.status for row in _queue_rows()] == ["succeeded"]


def test_large_zip_is_split_between_workers_and_joined(pg):
    """Parts of a large ZIP are jobs of their own, taken by any worker (here one worker running
    two at a time); the last part queues the join."""
    pg.config["JOBS_ZIP_PART_SIZE"] = 2
    committee = factories.make_user(role="committee", username="panitia", name="Panitia")
    round_ = factories.make_round()
    db.session.commit()
    _certificates(round_, n=7)
    job = bulk.start_job(round_=round_, actor=committee)
    db.session.commit()
    # A worker run with wait=False stops once the queue is empty: run it again for the jobs
    # queued meanwhile (the parts, then the join), as a long-running worker would take them.
    for _ in range(4):
        worker.run_worker(pg, wait=False, concurrency=2)
        db.session.rollback()
        if all(row.status == "succeeded" for row in _queue_rows()):
            break
    db.session.expire_all()
    parent = db.session.get(Job, job.id)
    assert (parent.state, parent.progress_done, parent.result["parts"]) == ("done", 7, 4)
    kinds = sorted(j.kind for j in db.session.scalars(select(Job)) if j.state == "done")
    assert kinds == sorted([bulk.KIND, bulk.KIND_JOIN] + [bulk.KIND_PART] * 4)
    with zipfile.ZipFile(get_storage().location(parent.result_key)) as zf:
        assert len(set(zf.namelist())) == 7
    assert list(get_storage().keys("exports/")) == [bulk.zip_key(parent)]


def test_upkeep_tasks_listed_here_are_the_workers_periodic_tasks(pg):
    """Keeps UPKEEP_TASKS (left out of the queue listings above) in step with the worker."""
    papp = worker.procrastinate_app(pg)
    periodic = {p.task.name for p in papp.periodic_registry.periodic_tasks.values()}
    assert periodic == set(UPKEEP_TASKS)
