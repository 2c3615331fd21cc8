"""Several app servers proven on loopback (issue 17 item 3): two gunicorn servers with their own
instance folders, one ``flask juri worker``, one PostgreSQL (TEST_DATABASE_URL) and one S3
server (moto). A session and the login throttle hold across both servers; a file uploaded
through one is used through the other; a ZIP requested on one is built by the worker and
downloaded from the other; an import confirmed on one is run by the worker; a publication made
on one shows on the other at once. PostgreSQL only."""

from __future__ import annotations

import io
import os
import re
import shutil
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest
import requests
from sqlalchemy import inspect

from competition.accounts.services import MAX_FAILS_PER_ACCOUNT_AND_ADDRESS
from competition.db import db
from competition.jobs import worker
from judging.results.models import Certificate
from judging.scoring import rubric as rubric_service
from judging.scoring import sheets as sheet_service
from tests import factories
from tests.competition.test_storage import _free_port, s3_server, s3_url  # noqa: F401

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
PASSWORD = "Rahasia-Panitia-2026"

pytestmark = pytest.mark.skipif(
    not os.environ.get("TEST_DATABASE_URL", "").startswith("postgresql")
    or shutil.which("gunicorn", path=str(BIN)) is None,
    reason="several servers need PostgreSQL (TEST_DATABASE_URL) and gunicorn",
)


def _wait_ready(url: str, proc: subprocess.Popen, seconds: float = 120) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"{url}: the server exited ({proc.returncode})")
        try:
            if requests.get(f"{url}/healthz", timeout=5).status_code == 200:
                return
        except requests.RequestException:  # not listening yet, or still loading
            pass
        time.sleep(0.3)
    raise RuntimeError(f"{url} did not start")


@pytest.fixture
def cluster(make_app, tmp_path, s3_url):  # noqa: F811
    app = make_app(JOBS="procrastinate")
    with app.app_context():
        if not inspect(db.engine).has_table("procrastinate_jobs"):
            schema = worker.procrastinate_app(app).schema_manager.get_schema()
            with db.engine.begin() as conn:
                conn.connection.driver_connection.execute(schema)
        committee = factories.make_user(role="committee", username="panitia", name="Panitia")
        committee.set_password(PASSWORD)
        round_ = factories.make_round()
        db.session.flush()
        for i in range(3):
            db.session.add(
                Certificate(
                    code=f"MS-{i:04d}",
                    kind="participation",
                    round=round_,
                    holder=f"Dinas {i}",
                    title=f"Inovasi {i}",
                    award="Peserta",
                    issued_at=round_.submission_opens_at,
                )
            )
        stage = factories.make_stage(round_)
        opd = factories.make_opd_user("Dinas Kesehatan", username="dinkes")
        judge = factories.make_user(role="judge", username="juri1", name="Dr. Hendra")
        for title, score in (("SI-PANDAI", 9.0), ("SI-CEPAT", 7.0)):
            entry = factories.make_entry(round_, opd, title=title)
            sheet_service.save_sheet(
                assignment=factories.make_assignment(stage, entry, judge),
                inputs={
                    c.id: sheet_service.CriterionInput(score, "baik")
                    for c in rubric_service.list_criteria(stage)
                },
                submit=True,
                actor=judge,
                now=stage.opens_at,
            )
        db.session.commit()
        round_id, stage_id, slug = round_.id, stage.id, round_.slug
        env = {
            **os.environ,
            "DATABASE_URL": os.environ["TEST_DATABASE_URL"],
            "SECRET_KEY": "one-secret-for-every-server",
            "JURI_STORAGE_URL": s3_url,
            "JURI_PUBLIC_URL": "http://127.0.0.1",
            "JURI_TRUSTED_HOSTS": "127.0.0.1",
            "JURI_JOBS": "procrastinate",
            "JURI_WORKERS": "1",
            "FLASK_APP": "app",
        }
        procs, urls = [], []
        try:
            for name in ("a", "b"):
                port = _free_port()
                proc = subprocess.Popen(
                    [str(BIN / "gunicorn")],
                    cwd=ROOT,
                    env={
                        **env,
                        "JURI_BIND": f"127.0.0.1:{port}",
                        "JURI_INSTANCE_PATH": str(tmp_path / f"instance-{name}"),
                    },
                    stdout=subprocess.DEVNULL,
                    stderr=subprocess.DEVNULL,
                )
                procs.append(proc)
                urls.append(f"http://127.0.0.1:{port}")
            procs.append(
                subprocess.Popen(
                    [str(BIN / "flask"), "juri", "worker"],
                    cwd=ROOT,
                    env={**env, "JURI_INSTANCE_PATH": str(tmp_path / "instance-worker")},
                    stdout=subprocess.DEVNULL,
                    stderr=subprocess.DEVNULL,
                )
            )
            for url, proc in zip(urls, procs):
                _wait_ready(url, proc)
            yield {
                "a": urls[0],
                "b": urls[1],
                "round_id": round_id,
                "stage_id": stage_id,
                "slug": slug,
            }
        finally:
            for proc in procs:
                proc.terminate()
            for proc in procs:
                try:
                    proc.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    proc.kill()
            db.session.remove()
            with db.engine.begin() as conn:
                for table in (
                    "procrastinate_events",
                    "procrastinate_jobs",
                    "procrastinate_workers",
                ):
                    conn.exec_driver_sql(f"DELETE FROM {table}")


def _csrf(html: str) -> str:
    match = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html) or re.search(
        r'name="csrf_token" value="([^"]+)"', html
    )
    assert match, "no CSRF token in the page"
    return match.group(1)


def _login(http: requests.Session, base: str, password: str = PASSWORD) -> requests.Response:
    token = _csrf(http.get(f"{base}/login").text)
    return http.post(
        f"{base}/login",
        data={"csrf_token": token, "username": "panitia", "password": password},
        allow_redirects=False,
    )


def _poll(http, url: str, done, seconds: float = 90):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        answer = http.get(url)
        if done(answer):
            return answer
        time.sleep(0.5)
    raise AssertionError(f"{url} did not finish in {seconds} s")


def test_two_servers_one_worker_one_database_one_store(cluster):
    a, b, round_id = cluster["a"], cluster["b"], cluster["round_id"]
    http = requests.Session()

    # A session opened on A holds on B (same key; the session's token is in the database).
    assert _login(http, a).status_code == 302
    assert http.get(f"{b}/committee/", allow_redirects=False).status_code == 200

    # A ZIP requested on A is built by the worker and downloaded from B (through the store).
    page = http.get(f"{a}/committee/rounds/{round_id}/results/zip")
    start = http.post(
        f"{a}/committee/rounds/{round_id}/results/zip/start",
        data={"csrf_token": _csrf(page.text)},
        allow_redirects=False,
    )
    assert start.status_code == 302
    status = _poll(
        http,
        f"{b}/committee/rounds/{round_id}/results/zip/status",
        lambda r: r.status_code == 200 and (r.json()["finished"] or r.json()["failed"]),
    ).json()
    assert status["finished"] and (status["done"], status["total"]) == (3, 3)
    download = http.get(f"{b}/committee/rounds/{round_id}/results/zip/download")
    assert download.status_code == 200  # followed the redirect to the store's signed URL
    assert len(zipfile.ZipFile(io.BytesIO(download.content)).namelist()) == 3

    # A file uploaded through A (an import's preview, kept in the store) is imported through B,
    # by the worker; B's page then shows the new account's one-time password.
    page = http.get(f"{a}/committee/imports/")
    csv = "username;nama;peran;surel;organisasi\r\njuri77;Dr. Sari;juri;sari@unsri.ac.id;Unsri\r\n"
    preview = http.post(
        f"{a}/committee/imports/",
        data={"csrf_token": _csrf(page.text)},
        files={"file": ("akun.csv", csv.encode(), "text/csv")},
    )
    assert preview.status_code == 200
    token = re.search(r'name="token" type="hidden" value="([^"]+)"', preview.text).group(1)
    confirm = http.post(
        f"{b}/committee/imports/confirm",
        data={"csrf_token": _csrf(preview.text), "token": token},
        allow_redirects=False,
    )
    assert confirm.status_code == 302
    job_url = b + confirm.headers["Location"].removeprefix("http://127.0.0.1")
    done = _poll(http, job_url, lambda r: "juri77" in r.text or "flash-error" in r.text)
    assert "juri77" in done.text and "<code>" in done.text

    # A publication made on A shows on B's public results page at once.
    results = f"{b}/results/{cluster['slug']}"
    assert "SI-PANDAI" not in http.get(results).text
    review = http.get(f"{a}/committee/rounds/{round_id}/results")
    published = http.post(
        f"{a}/committee/stages/{cluster['stage_id']}/publish",
        data={"csrf_token": _csrf(review.text), "confirm_open": "y", "confirm_uncertain": "y"},
        allow_redirects=False,
    )
    assert published.status_code == 302
    assert "SI-PANDAI" in requests.get(results).text  # anyone, on the other server

    # The login throttle counts failures on both servers together.
    other = requests.Session()
    for i in range(MAX_FAILS_PER_ACCOUNT_AND_ADDRESS):
        assert _login(other, (a, b)[i % 2], password="wrong").status_code != 302
    refused = _login(other, a)  # the right password, but too many failures across both
    assert refused.status_code != 302
