"""All valid certificates of a round in one ZIP, generated in chunks.

Each request (``run_step``) renders the next ``CHUNK`` certificates and appends them to the ZIP
on disk; the state lives in a small JSON file beside it, so any worker process of any server
sharing the upload folder can continue the job, a restart loses nothing, and the committee's
page shows the progress by polling (``competition/static/bulk.js``), or by pressing
"continue" without JavaScript. The round's layout (logo and signatures) is decoded once per
chunk, not once per certificate.
"""

from __future__ import annotations

import json
import os
import re
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


def _folder(upload_folder: str) -> str:
    path = os.path.join(upload_folder, "exports")
    os.makedirs(path, exist_ok=True)
    return path


def zip_path(upload_folder: str, round_id: int) -> str:
    return os.path.join(_folder(upload_folder), f"round{round_id}-certificates.zip")


def _state_path(upload_folder: str, round_id: int) -> str:
    return os.path.join(_folder(upload_folder), f"round{round_id}-certificates.json")


def _save(job: Job, upload_folder: str) -> None:
    path = _state_path(upload_folder, job.round_id)
    with open(path + ".tmp", "w") as f:
        json.dump(asdict(job), f)
    os.replace(path + ".tmp", path)  # atomic: a reader never sees half a file


def load_job(upload_folder: str, round_id: int) -> Job | None:
    try:
        with open(_state_path(upload_folder, round_id)) as f:
            return Job(**json.load(f))
    except (OSError, ValueError, TypeError):
        return None


def start_job(*, round_: Round, upload_folder: str, now: datetime) -> Job:
    """Start (or restart) the round's ZIP: every valid certificate, in a fixed order."""
    ids = list(
        db.session.scalars(
            select(Certificate.id)
            .where(Certificate.round_id == round_.id, Certificate.revoked_at.is_(None))
            .order_by(Certificate.kind, Certificate.category, Certificate.holder, Certificate.id)
        )
    )
    with zipfile.ZipFile(zip_path(upload_folder, round_.id), "w"):
        pass
    job = Job(round_id=round_.id, ids=ids, started_at=now.isoformat())
    _save(job, upload_folder)
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


def run_step(
    *,
    job: Job,
    layout: Layout,
    verify_url: Callable[[Certificate], str],
    upload_folder: str,
    now: datetime,
    chunk: int | None = None,
) -> Job:
    """Render the next ``chunk`` certificates into the ZIP. Two concurrent steps of the same
    job (a double click, two tabs) do not both write: the second returns the state unchanged."""
    if job.finished:
        return job
    lock = _state_path(upload_folder, job.round_id) + ".lock"
    try:
        fd = os.open(lock, os.O_CREAT | os.O_EXCL | os.O_WRONLY)
    except FileExistsError:
        if time.time() - os.path.getmtime(lock) < LOCK_SECONDS:
            return load_job(upload_folder, job.round_id) or job
        os.remove(lock)
        fd = os.open(lock, os.O_CREAT | os.O_EXCL | os.O_WRONLY)
    os.close(fd)
    try:
        job = load_job(upload_folder, job.round_id) or job  # the latest state, under the lock
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
        with zipfile.ZipFile(
            zip_path(upload_folder, job.round_id), "a", compression=zipfile.ZIP_STORED
        ) as zf:  # PDFs are compressed
            for name, pdf in render_many(certs, layout, verify_url):
                zf.writestr(name, pdf)
        job.done += len(ids)
        if job.finished:
            job.finished_at = now.isoformat()
        _save(job, upload_folder)
        return job
    finally:
        os.remove(lock)
