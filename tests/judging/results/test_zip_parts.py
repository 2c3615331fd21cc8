"""A large round's certificate ZIP split into parts (``judging.results.tasks``): the parts are
separate jobs (rendered in parallel by procrastinate's workers; inline here), the last one
queues the join, and the committee's page and download see one ZIP with every certificate."""

import io
import zipfile

from sqlalchemy import select

from competition.db import db
from competition.jobs import worker
from competition.jobs.models import Job
from competition.storage import get_storage
from judging.results import zips as bulk
from judging.results.models import Certificate


def _certificates(round_, n):
    for i in range(n):
        db.session.add(
            Certificate(
                code=f"PT-{i:04d}",
                kind="participation",
                round=round_,
                holder=f"Dinas {i}",
                title=f"Inovasi {i}",
                award="Peserta",
                issued_at=round_.submission_opens_at,
            )
        )
    db.session.commit()


def test_zip_in_parts_is_joined_once_with_every_certificate(app, login, committee, open_round):
    app.config["JOBS_ZIP_PART_SIZE"] = 2
    _certificates(open_round, 5)
    base = f"/committee/rounds/{open_round.id}/results/zip"
    client = login(committee)
    assert client.post(f"{base}/start").status_code == 302
    kinds = [j.kind for j in db.session.scalars(select(Job).order_by(Job.id))]
    assert kinds == [bulk.KIND] + [bulk.KIND_PART] * 3 + [bulk.KIND_JOIN]
    assert {j.state for j in db.session.scalars(select(Job))} == {"done"}
    parent = bulk.latest_job(open_round.id)
    assert (parent.progress_done, parent.progress_total) == (5, 5)
    assert sorted(parent.result["done_parts"]) == [0, 1, 2]
    status = client.get(f"{base}/status").get_json()
    assert status["finished"] and status["done"] == 5
    response = client.get(f"{base}/download")
    assert response.status_code == 200
    names = zipfile.ZipFile(io.BytesIO(response.data)).namelist()
    response.close()
    assert len(names) == 5 == len(set(names))
    assert list(get_storage().keys("exports/")) == [bulk.zip_key(parent)]  # parts deleted


def test_a_part_run_again_is_not_counted_twice(app, committee, open_round):
    app.config["JOBS_ZIP_PART_SIZE"] = 2
    _certificates(open_round, 3)
    bulk.start_job(round_=open_round, actor=committee)
    db.session.commit()
    part = db.session.scalars(select(Job).where(Job.kind == bulk.KIND_PART)).first()
    part.state = "running"  # as if its worker died after counting, before finishing
    db.session.commit()
    assert worker.run_job(app, part.id) is True
    db.session.expire_all()
    parent = bulk.latest_job(open_round.id)
    assert parent.progress_done == 3 and sorted(parent.result["done_parts"]) == [0, 1]
    assert len(db.session.scalars(select(Job).where(Job.kind == bulk.KIND_JOIN)).all()) == 1


def test_a_failed_part_fails_the_zip(app, login, committee, open_round, monkeypatch):
    app.config["JOBS_ZIP_PART_SIZE"] = 2
    _certificates(open_round, 3)
    real = bulk.render_many

    def render(certs, layout, verify_url):
        if any(c.code == "PT-0002" for c in certs):  # the second part
            raise OSError("disk full")
        return real(certs, layout, verify_url)

    monkeypatch.setattr(bulk, "render_many", render)
    base = f"/committee/rounds/{open_round.id}/results/zip"
    client = login(committee)
    client.post(f"{base}/start")
    parent = bulk.latest_job(open_round.id)
    assert parent.state == "failed" and "disk full" in parent.error
    status = client.get(f"{base}/status").get_json()
    assert status["failed"] and not status["finished"]
    assert "disk full" in client.get(base).text
    assert client.get(f"{base}/download").status_code == 404
