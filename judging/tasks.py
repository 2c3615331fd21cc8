"""The kinds of background job of ``judging`` (run by ``competition.jobs.worker``): the round's
certificate ZIP and the uncertainty of a large stage. The application factory joins ``TASKS``
with ``competition.tasks.TASKS``."""

from __future__ import annotations

from competition.jobs.services import Task
from judging.analysis import tasks as analysis_tasks
from judging.analysis import uncertainty
from judging.results import tasks as results_tasks
from judging.results import zips

TASKS = {
    zips.KIND: Task(results_tasks.build_zip, max_attempts=3, backoff=5, files=zips.files_of),
    zips.KIND_PART: Task(results_tasks.build_part, max_attempts=3, backoff=5),
    zips.KIND_JOIN: Task(results_tasks.join_parts, max_attempts=3, backoff=5),
    uncertainty.KIND: Task(analysis_tasks.fit_uncertainty, max_attempts=2, backoff=5),
}
