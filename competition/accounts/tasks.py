"""The background job importing accounts (``competition.jobs``): like a command, it owns its
transaction."""

from __future__ import annotations

import json

from competition.accounts import imports
from competition.accounts.models import User
from competition.db import db
from competition.errors import InvalidState
from competition.jobs import services as jobs
from competition.jobs.models import Job
from competition.storage import get_storage, read_bytes

IMPORT = "competition.import_accounts"
IMPORT_RESULTS = "import-results/"  # storage: the one-time passwords, until shown once


def result_key(job: Job) -> str:
    return f"{IMPORT_RESULTS}job{job.id}.json"


def import_accounts(job: Job) -> None:
    """Create the accounts of the previewed file ``params["key"]`` as the committee member who
    confirmed it; their one-time passwords go to the storage under ``result_key`` until the
    import page shows them once."""
    key, filename = job.params["key"], job.params["filename"]
    actor = db.session.get(User, job.requested_by_id)
    if actor is None:
        raise InvalidState("the account that asked for this import no longer exists")
    rows = imports.parse(filename, read_bytes(key))
    jobs.set_progress(job, 0, len(rows))
    created = imports.import_rows(rows=rows, actor=actor)
    listing = [
        {
            "username": u.username,
            "name": u.name,
            "role": str(u.role),
            "organisation": u.organisation.name if u.organisation else (u.affiliation or ""),
            "password": password,
        }
        for u, password in created
    ]
    job.result_key = result_key(job)
    get_storage().put(job.result_key, json.dumps(listing).encode(), "application/json")
    job.result = {"created": len(created)}
    jobs.set_progress(job, len(rows))
    db.session.commit()
    get_storage().delete(key)
