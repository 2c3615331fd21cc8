"""All valid certificates of a round in one ZIP, built by a background job (``competition.jobs``:
a ``flask juri worker`` process on PostgreSQL, a thread of the web process on SQLite).

``start_job`` queues the job; ``judging.results.tasks.build_zip`` renders the certificates in
chunks of ``CHUNK`` into one ZIP, recording its progress on the job after each chunk (the
committee's page shows it), and writes the ZIP to the storage under a key derived from the job
(``zip_key``): a job run again after its worker died writes the same object, never a second
one. The round's layout (logo and signatures) is decoded once per job.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterator
from typing import IO

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from competition.actors import records_actor
from competition.db import db
from competition.jobs import services as jobs
from competition.jobs.models import Job, JobState
from competition.rounds.models import Round
from competition.storage import get_storage
from judging.results.certificates import Layout, render_certificate
from judging.results.models import Certificate

CHUNK = 50
KIND = "judging.certificate_zip"
# A ZIP of more certificates is split into parts of this many, rendered by the workers in
# parallel (``KIND_PART``) and joined by the job of the last part to finish (``KIND_JOIN``).
# Only with procrastinate's workers (several processes): threads of one process would share one
# core. JURI_JOBS_ZIP_PART_SIZE sets it (0: never split).
PART_SIZE = 500
KIND_PART = "judging.certificate_zip_part"
KIND_JOIN = "judging.certificate_zip_join"


def subject(round_id: int) -> str:
    return f"round:{round_id}"


def zip_key(job: Job) -> str:
    """The storage key of the job's ZIP (one per job: a retried job overwrites its own)."""
    return f"exports/round{job.params['round_id']}-certificates-job{job.id}.zip"


def parts_folder(parent: Job) -> str:
    """Where the parts of a ZIP built in parts are kept until joined."""
    return f"exports/round{parent.params['round_id']}-certificates-job{parent.id}/"


def part_key(parent: Job, index: int) -> str:
    return f"{parts_folder(parent)}part-{index:05d}.zip"


def files_of(job: Job) -> list[str]:
    """What a ZIP job may leave in the storage besides its ZIP: the parts of a ZIP whose
    building failed or stopped before the join (deleted when the job is pruned)."""
    return [parts_folder(job)] if "round_id" in (job.params or {}) else []


def part_size(config, mode: str) -> int:
    """Certificates per part, or 0 when the ZIP is built by one job."""
    if config.get("JOBS_ZIP_PART_SIZE") is not None:
        return int(config["JOBS_ZIP_PART_SIZE"])
    return PART_SIZE if mode == "procrastinate" else 0


def certificate_ids(round_id: int) -> list[int]:
    """The round's valid certificates, in the ZIP's fixed order."""
    return list(
        db.session.scalars(
            select(Certificate.id)
            .where(Certificate.round_id == round_id, Certificate.revoked_at.is_(None))
            .order_by(Certificate.kind, Certificate.category, Certificate.holder, Certificate.id)
        )
    )


@records_actor
def start_job(*, round_: Round, actor) -> Job:
    """Queue the round's ZIP (it starts once the caller commits)."""
    return jobs.enqueue(
        KIND,
        actor=actor,
        subject=subject(round_.id),
        total=len(certificate_ids(round_.id)),
        round_id=round_.id,
    )


def latest_job(round_id: int) -> Job | None:
    return jobs.latest_job(KIND, subject(round_id))


def finished_zip(round_id: int) -> str | None:
    """The storage key of the round's newest finished ZIP, or None."""
    job = latest_job(round_id)
    return job.result_key if job and job.state == JobState.DONE and job.result_key else None


def older_zips(job: Job) -> list[str]:
    """The storage keys of the round's ZIPs made before ``job`` (deleted once it is done)."""
    return [
        key
        for key in db.session.scalars(
            select(Job.result_key).where(
                Job.kind == KIND, Job.subject == job.subject, Job.id < job.id, Job.result_key != ""
            )
        )
        if key
    ]


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


def chunks(ids: list[int], size: int | None = None) -> Iterator[list[Certificate]]:
    """The certificates of ``ids`` in order, ``size`` (``CHUNK``) at a time."""
    size = size or CHUNK
    for start in range(0, len(ids), size):
        part = ids[start : start + size]
        found = {
            c.id: c
            for c in db.session.scalars(
                select(Certificate)
                .where(Certificate.id.in_(part))
                .options(selectinload(Certificate.round))
            )
        }
        yield [found[i] for i in part if i in found]


def put_zip(job: Job, out: IO[bytes]) -> str:
    key = zip_key(job)
    out.seek(0)
    get_storage().put(key, out, "application/zip")
    return key
