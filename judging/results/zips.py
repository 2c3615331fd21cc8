"""All valid certificates of a round in one ZIP, generated in chunks.

Each request (``run_step``) renders the next ``CHUNK`` certificates into a part ZIP in the
app's storage (``competition.storage``: the upload folder or an object store); the job's
state is a small JSON object beside it, so any worker process of any server can continue the
job, a restart loses nothing, and the committee's page shows the progress by polling
(``competition/static/bulk.js``), or by pressing "continue" without JavaScript. The step that
renders the last part joins the parts into the one ZIP that is downloaded. A lock object
(an exclusive create in the store) keeps two steps of one job from running at once, on one
server or several. The round's layout (logo and signatures) is decoded once per chunk, not
once per certificate.
"""

from __future__ import annotations

import io
import json
import re
import tempfile
import time
import unicodedata
import zipfile
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from competition.db import db
from competition.rounds.models import Round
from competition.storage import get_storage, read_bytes
from judging.results.certificates import Layout, render_certificate
from judging.results.models import Certificate

CHUNK = 50


LOCK_SECONDS = 120  # a step holding the lock longer than this is taken to have died


@dataclass
class Job:
    round_id: int
    ids: list[int] = field(default_factory=list)
    done: int = 0
    started_at: str = ""
    finished_at: str = ""

    @property
    def total(self) -> int:
        return len(self.ids)

    @property
    def finished(self) -> bool:
        return self.done >= self.total

    @property
    def percent(self) -> int:
        return 100 if not self.ids else int(100 * self.done / self.total)

    def as_dict(self) -> dict:
        return {
            "done": self.done,
            "total": self.total,
            "finished": self.finished,
            "percent": self.percent,
        }


def zip_key(round_id: int) -> str:
    """The storage key of the round's finished ZIP."""
    return f"exports/round{round_id}-certificates.zip"


def _state_key(round_id: int) -> str:
    return f"exports/round{round_id}-certificates.json"


def _lock_key(round_id: int) -> str:
    return f"exports/round{round_id}-certificates.lock"


def _parts_prefix(round_id: int) -> str:
    return f"exports/round{round_id}-certificates/"


def _save(job: Job) -> None:
    # one write of the whole object: a reader never sees half of it (local: rename; S3: PUT)
    get_storage().put(
        _state_key(job.round_id), json.dumps(asdict(job)).encode(), "application/json"
    )


def load_job(round_id: int) -> Job | None:
    """The round's ZIP job as last saved, or None if none was started."""
    try:
        return Job(**json.loads(read_bytes(_state_key(round_id))))
    except (FileNotFoundError, ValueError, TypeError):
        return None


def _clear(round_id: int) -> None:
    storage = get_storage()
    for key in list(storage.keys(_parts_prefix(round_id))):
        storage.delete(key)
    storage.delete(zip_key(round_id))


def start_job(*, round_: Round, now: datetime) -> Job:
    """Start (or restart) the round's ZIP: every valid certificate, in a fixed order."""
    ids = list(
        db.session.scalars(
            select(Certificate.id)
            .where(Certificate.round_id == round_.id, Certificate.revoked_at.is_(None))
            .order_by(Certificate.kind, Certificate.category, Certificate.holder, Certificate.id)
        )
    )
    _clear(round_.id)
    job = Job(round_id=round_.id, ids=ids, started_at=now.isoformat())
    if not ids:  # nothing to render: the (empty) ZIP is ready at once
        _join_parts(job)
        job.finished_at = now.isoformat()
    _save(job)
    return job


def _slug(text: str) -> str:
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^A-Za-z0-9]+", "-", text).strip("-")[:60] or "piagam"


def member_name(cert: Certificate) -> str:
    folder = {
        "award": "penghargaan",
        "participation": "partisipasi",
        "appreciation": "juri",
        "special": "khusus",
    }.get(cert.kind, cert.kind)
    return f"{folder}/{_slug(cert.holder)}-{cert.code}.pdf"


def render_many(
    certs: list[Certificate], layout: Layout, verify_url: Callable[[Certificate], str]
) -> list[tuple[str, bytes]]:
    """The PDFs of ``certs`` with a shared, already-decoded layout."""
    return [(member_name(c), render_certificate(c, verify_url(c), layout)) for c in certs]


def _acquire(lock: str) -> bool:
    storage = get_storage()
    if storage.create(lock, str(time.time()).encode(), "text/plain"):
        return True
    try:
        taken_at = float(read_bytes(lock))
    except (FileNotFoundError, ValueError):
        taken_at = 0.0
    if time.time() - taken_at < LOCK_SECONDS:
        return False
    storage.delete(lock)  # its holder died
    return storage.create(lock, str(time.time()).encode(), "text/plain")


def _join_parts(job: Job) -> None:
    """Join the job's parts (in order) into the round's ZIP, then delete them."""
    storage = get_storage()
    parts = sorted(storage.keys(_parts_prefix(job.round_id)))
    with tempfile.SpooledTemporaryFile(max_size=32 * 1024 * 1024) as out:
        with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_STORED) as joined:
            for key in parts:
                with zipfile.ZipFile(io.BytesIO(read_bytes(key))) as part:
                    for name in part.namelist():
                        joined.writestr(name, part.read(name))
        out.seek(0)
        storage.put(zip_key(job.round_id), out, "application/zip")
    for key in parts:
        storage.delete(key)


def run_step(
    *,
    job: Job,
    layout: Layout,
    verify_url: Callable[[Certificate], str],
    now: datetime,
    chunk: int | None = None,
) -> Job:
    """Render the next ``chunk`` certificates into a part of the ZIP (the last step joins the
    parts). Two concurrent steps of the same job (a double click, two tabs, two servers) do
    not both write: the second returns the state unchanged."""
    if job.finished:
        return job
    lock = _lock_key(job.round_id)
    if not _acquire(lock):
        return load_job(job.round_id) or job
    try:
        job = load_job(job.round_id) or job  # the latest state, under the lock
        if job.finished:
            return job
        ids = job.ids[job.done : job.done + (chunk or CHUNK)]
        found = {
            c.id: c
            for c in db.session.scalars(
                select(Certificate)
                .where(Certificate.id.in_(ids))
                .options(selectinload(Certificate.round))
            )
        }
        certs = [found[i] for i in ids if i in found]
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_STORED) as zf:  # PDFs are
            for name, pdf in render_many(certs, layout, verify_url):  # compressed already
                zf.writestr(name, pdf)
        key = f"{_parts_prefix(job.round_id)}part-{job.done:07d}.zip"
        get_storage().put(key, buf.getvalue(), "application/zip")
        job.done += len(ids)
        if job.finished:
            _join_parts(job)
            job.finished_at = now.isoformat()
        _save(job)
        return job
    finally:
        get_storage().delete(lock)
