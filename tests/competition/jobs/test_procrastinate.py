"""The jobs on PostgreSQL through a real procrastinate worker (``worker.run_worker`` with
``wait=False``: it processes what is queued, then stops). Skipped unless TEST_DATABASE_URL is
PostgreSQL (``.ci/run``)."""

import os
import socket
from datetime import timedelta

import pytest
from sqlalchemy import inspect, select, text

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

PROCRASTINATE_TABLES = ("procrastinate_events", "procrastinate_jobs", "procrastinate_workers")


@pytest.fixture
def pg(make_app):
    """An app whose jobs go to procrastinate, its schema applied if the test database lacks
    it (the test schema comes from create_all, which knows only our models)."""
    app = make_app(JOBS="procrastinate")
    with app.app_context():
        if not inspect(db.engine).has_table("procrastinate_jobs"):
            schema = worker.procrastinate_app(app).schema_manager.get_schema()
            with db.engine.begin() as conn:
                conn.connection.driver_connection.execute(schema)
        yield app
        db.session.remove()
        with db.engine.begin() as conn:
            for table in PROCRASTINATE_TABLES:
                conn.execute(text(f"DELETE FROM {table}"))


def _queue_rows():
    return db.session.execute(
        text(
            "SELECT id, status, attempts, scheduled_at FROM procrastinate_jobs "
            "WHERE task_name != 'juri.retry_stalled' ORDER BY id"
        )
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
