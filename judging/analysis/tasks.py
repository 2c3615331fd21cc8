"""The background job fitting a large stage's uncertainty into the shared cache
(``judging.analysis.uncertainty``); like a command, it owns its transaction."""

from __future__ import annotations

from competition.db import db
from competition.errors import InvalidState
from competition.jobs.models import Job
from competition.rounds.models import Stage
from judging.analysis import uncertainty


def fit_uncertainty(job: Job) -> None:
    stage = db.session.get(Stage, job.params["stage_id"])
    if stage is None:
        raise InvalidState("the stage no longer exists")
    uncertainty.fit_shared(stage)
