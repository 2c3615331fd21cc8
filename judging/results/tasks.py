"""The background jobs building a round's certificate ZIP (``judging.results.zips``): one job
renders it all, or, for a large round on procrastinate's workers, hands parts to part jobs that
the workers render in parallel, the last of which queues the join. Like commands, they own their
transactions (the single job commits its progress after each chunk)."""

from __future__ import annotations

import io
import tempfile
import zipfile

from flask import current_app
from sqlalchemy import select

from competition.db import db, utcnow
from competition.errors import InvalidState
from competition.jobs import services as jobs
from competition.jobs.models import Job, JobState
from competition.rounds.models import Round
from competition.storage import get_storage, read_bytes
from judging.results import certificates, zips

SPOOL_BYTES = 32 * 2**20  # a larger ZIP is spooled to a temporary file on disk


def build_zip(job: Job) -> str | None:
    round_ = db.session.get(Round, job.params["round_id"])
    if round_ is None:
        raise InvalidState("the round no longer exists")
    ids = zips.certificate_ids(round_.id)
    jobs.set_progress(job, 0, len(ids))
    size = zips.part_size(current_app.config, jobs.runner().mode)
    if size and len(ids) > size:
        return _split(job, ids, size)
    db.session.commit()
    layout = certificates.layout_for_round(round_)
    done = 0
    with tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES) as out:
        with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_STORED) as zf:
            for certs in zips.chunks(ids):  # PDFs are compressed already: stored as they are
                for name, pdf in zips.render_many(certs, layout, certificates.verify_url):
                    zf.writestr(name, pdf)
                done += len(certs)
                jobs.set_progress(job, done)
                db.session.commit()
        job.result_key = zips.put_zip(job, out)
    jobs.set_progress(job, len(ids))
    for key in zips.older_zips(job):  # the round keeps only its newest ZIP
        get_storage().delete(key)


def _split(job: Job, ids: list[int], size: int) -> str:
    parts = [ids[i : i + size] for i in range(0, len(ids), size)]
    job.result = {"parts": len(parts), "done_parts": []}
    for index, part in enumerate(parts):
        jobs.enqueue(
            zips.KIND_PART, subject=f"zip:{job.id}", parent_id=job.id, index=index, ids=part
        )
    db.session.commit()
    return jobs.PENDING


def build_part(job: Job) -> None:
    """Render one part; the part that completes the set queues the join. The parent row is
    locked while counting (FOR UPDATE), so exactly one part sees the last one done, and a part
    run again (its worker died) is not counted twice."""
    parent = db.session.get(Job, job.params["parent_id"])
    round_ = db.session.get(Round, parent.params["round_id"]) if parent else None
    if round_ is None:
        raise InvalidState("the ZIP job or its round no longer exists")
    layout = certificates.layout_for_round(round_)
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_STORED) as zf:
        for certs in zips.chunks(job.params["ids"]):
            for name, pdf in zips.render_many(certs, layout, certificates.verify_url):
                zf.writestr(name, pdf)
    get_storage().put(zips.part_key(parent, job.params["index"]), buf.getvalue(), "application/zip")
    parent = db.session.scalar(  # the row as it is now, locked (not the copy loaded above)
        select(Job)
        .where(Job.id == parent.id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    result = dict(parent.result or {})
    done = list(result.get("done_parts", []))
    if job.params["index"] not in done:
        done.append(job.params["index"])
        parent.progress_done += len(job.params["ids"])
        parent.result = {**result, "done_parts": done}
        if len(done) == result["parts"]:
            jobs.enqueue(zips.KIND_JOIN, subject=f"zip:{parent.id}", parent_id=parent.id)


def join_parts(job: Job) -> None:
    """Join the parts, in order, into the round's ZIP and finish the parent job."""
    parent = db.session.get(Job, job.params["parent_id"])
    storage = get_storage()
    keys = [zips.part_key(parent, i) for i in range(parent.result["parts"])]
    with tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES) as out:
        with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_STORED) as joined:
            for key in keys:
                with zipfile.ZipFile(io.BytesIO(read_bytes(key))) as part:
                    for name in part.namelist():
                        joined.writestr(name, part.read(name))
        parent.result_key = zips.put_zip(parent, out)
    parent.state, parent.finished_at = JobState.DONE, utcnow()
    jobs.set_progress(parent, parent.progress_total)
    db.session.commit()
    for key in keys + zips.older_zips(parent):
        storage.delete(key)
