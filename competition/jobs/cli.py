"""``flask juri jobs prune`` and ``flask juri jobs recover``: the job table's upkeep by hand
(``competition.jobs.tasks``; procrastinate's workers and the in-process runner also do
it on their own)."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import AppGroup

from competition.jobs import tasks as upkeep
from competition.jobs import worker
from competition.jobs.services import runner

jobs_cli = AppGroup("jobs", help="Background jobs: prune old ones, recover stopped ones.")


@jobs_cli.command("prune")
@click.option(
    "--days",
    type=float,
    default=None,
    help="Keep finished jobs this many days (default JURI_JOBS_KEEP_DAYS, 30).",
)
def prune_command(days):
    """Delete finished jobs older than --days with the files they left in the storage (the
    newest finished job of each kind and subject holding a file is kept)."""
    app = current_app._get_current_object()
    n_jobs, n_files = upkeep.prune_jobs(app, days=days)
    kept = upkeep.keep_days(app) if days is None else days
    click.echo(f"Pruned {n_jobs} finished jobs older than {kept:g} days and {n_files} files.")


@jobs_cli.command("recover")
def recover_command():
    """Run again (or fail, after their last attempt) the jobs of a stopped process: on SQLite
    the jobs whose heartbeat stopped JURI_JOBS_STALLED_SECONDS ago, run here to the end; on
    PostgreSQL procrastinate's stalled jobs, put back in the queue for the workers."""
    app = current_app._get_current_object()
    if runner().mode == "procrastinate":
        click.echo(f"Stalled jobs put back in the queue: {worker.retry_stalled(app)}.")
        return
    retried, failed = upkeep.recover_stalled(app)
    for job_id in retried:
        worker.run_with_retries(app, job_id)
    click.echo(f"Jobs run again: {len(retried)}; failed (no attempt left): {len(failed)}.")
