"""The background job building a round's certificate ZIP (``judging.results.zips``); like a
command, it owns its transaction (it commits its progress after each chunk)."""

from __future__ import annotations

import tempfile
import zipfile

from competition.db import db
from competition.errors import InvalidState
from competition.jobs import services as jobs
from competition.jobs.models import Job
from competition.rounds.models import Round
from competition.storage import get_storage
from judging.results import certificates, zips

SPOOL_BYTES = 32 * 2**20  # a larger ZIP is spooled to a temporary file on disk


def build_zip(job: Job) -> None:
    round_ = db.session.get(Round, job.params["round_id"])
    if round_ is None:
        raise InvalidState("the round no longer exists")
    ids = zips.certificate_ids(round_.id)
    jobs.set_progress(job, 0, len(ids))
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
