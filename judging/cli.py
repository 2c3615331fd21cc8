"""``flask juri ...``: the committee's bulk work from the command line.

The same service functions as the web pages (same rules, same audit trail), for work that is
easier to script or too long for a browser tab on a national round:

    flask juri create-user USERNAME --role judge --name "Dr. Sari"   (asks for the password)
    flask juri assign STAGE_ID --as USERNAME --k 3 [--yes]   preview the assignment, then apply
    flask juri rank STAGE_ID [--method M] [--top 3]
    flask juri publish STAGE_ID --as USERNAME [--reason "..."]
    flask juri certificates ROUND_ID             all valid certificates of a round into a ZIP
    flask juri remind-drafts ROUND_ID            remind OPDs whose proposals are still drafts
    flask juri remind-judges STAGE_ID            remind judges whose sheets are not submitted
    flask juri uncertainty STAGE_ID              ranges of places and undecided cuts of a stage
    flask juri verify-publication FILE           recompute a publication from its public sheets
    flask juri worker [--concurrency N]          run background jobs (PostgreSQL queue)
    flask backup / flask restore                 (competition.backup)

The audit trail records who ran a command: the committee account named by ``--as`` (required
for the committee's decisions: assignment and publication), else the system actor
``system:cli`` (a cron job sending reminders, the first account's creation).
"""

from __future__ import annotations

import secrets
import time
from collections.abc import Iterator
from contextlib import contextmanager

import click
from flask import current_app
from flask.cli import AppGroup
from sqlalchemy import select

from competition import mail, urls
from competition.accounts.cli import as_option
from competition.accounts.models import Organisation, User
from competition.accounts.passwords import password_problems
from competition.db import db, utcnow
from competition.entries import messages as entry_messages
from competition.errors import JuriError
from competition.jobs import services as jobs
from competition.jobs import worker
from competition.jobs.cli import jobs_cli
from competition.jobs.models import Job, JobState
from competition.roles import Role
from competition.rounds.models import Round, Stage
from competition.storage import get_storage
from judging.analysis import methods
from judging.analysis import services as analysis
from judging.analysis import uncertainty as stage_uncertainty
from judging.panels import assignment as assignment_service
from judging.results import publication as publication_service
from judging.results import recompute
from judging.results import zips as bulk
from judging.scoring import progress

juri_cli = AppGroup(
    "juri",
    help="The committee's bulk work (users, assignment, ranking, publication, certificates).",
)
juri_cli.add_command(jobs_cli)


def _stage(stage_id: int) -> Stage:
    stage = db.session.get(Stage, stage_id)
    if stage is None:
        raise click.ClickException(f"No stage {stage_id}.")
    return stage


def _round(round_id: int) -> Round:
    round_ = db.session.get(Round, round_id)
    if round_ is None:
        raise click.ClickException(f"No round {round_id}.")
    return round_


def _fail(exc: JuriError) -> click.ClickException:
    return click.ClickException(str(exc.message))


@contextmanager
def _committing() -> Iterator[None]:
    """A command's service call(s) as one write (the command line's ``competition.web.writing``):
    committed, or, refused with a ``JuriError``, rolled back and the command failing with the
    refusal's message."""
    try:
        yield
    except JuriError as exc:
        db.session.rollback()
        raise _fail(exc) from exc
    db.session.commit()


@juri_cli.command("create-user")
@click.argument("username")
@click.option("--role", type=click.Choice([r.value for r in Role]), required=True)
@click.option("--name", required=True, help="Full name shown in the app.")
@click.option("--email", default=None)
@click.option("--organisation", default=None, help="The OPD (created when new); OPD users.")
@click.option("--generate", is_flag=True, help="Generate a password and print it once.")
@as_option()
def create_user(username, role, name, email, organisation, generate, actor):
    """Create an account; the password is asked twice (or generated with --generate)."""
    if db.session.scalar(select(User.id).where(User.username == username)):
        raise click.ClickException(f"The username {username!r} is taken.")
    if generate:
        password = "-".join(secrets.token_urlsafe(4) for _ in range(4))
    else:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
        problems = password_problems(password, username=username)
        if problems:
            raise click.ClickException(" ".join(problems))
    org = None
    if organisation:
        org = db.session.scalar(select(Organisation).where(Organisation.name == organisation))
        if org is None:
            org = Organisation(name=organisation)
            db.session.add(org)
    user = User(username=username, name=name, email=email, role=Role(role), organisation=org)
    user.set_password(password)
    db.session.add(user)
    db.session.commit()
    click.echo(
        f"Created {role} {username!r}" + (f" with password: {password}" if generate else ".")
    )


@juri_cli.command("assign")
@click.argument("stage_id", type=int)
@click.option("--k", "k", type=int, default=None, help="Judges per entry (default: the stage's).")
@click.option("--yes", is_flag=True, help="Apply without asking.")
@as_option(required=True)
def assign(stage_id, k, yes, actor):
    """Preview the automatic assignment (loads, coverage, linked judges), then apply it."""
    stage = _stage(stage_id)
    k = k or stage.judges_per_entry
    try:
        preview = assignment_service.plan_auto_assign(stage, k)
    except JuriError as exc:
        raise _fail(exc) from exc
    plan = preview.plan
    loads = plan.load[plan.load > 0] if plan.load.size else plan.load
    click.echo(
        f"{stage.name}: {len(preview.entries)} entries, {len(preview.judges)} judges, k = {k}"
    )
    if loads.size:
        click.echo(
            f"  loads {int(loads.min())}-{int(loads.max())} per judge, "
            f"{plan.n_components} group(s) of linked judges, "
            f"{len(preview.add)} to add, {len(preview.drop)} to replace, "
            f"{preview.kept} kept"
        )
    if len(plan.short):
        click.echo(
            f"  {len(plan.short)} entries get fewer than {k} judges (conflicts or too few judges)"
        )
    if not yes and not click.confirm("Apply this assignment?"):
        return
    with _committing():
        assignment_service.auto_assign(
            stage=stage, judges_per_entry=k, actor=actor, digest=preview.digest
        )
    click.echo("Applied.")


@juri_cli.command("rank")
@click.argument("stage_id", type=int)
@click.option("--method", type=click.Choice(methods.names()), default=None)
@click.option("--top", type=int, default=3, show_default=True, help="Rows per category.")
def rank(stage_id, method, top):
    """Print the ranking per category (score, raw mean, judges, likely places)."""
    stage = _stage(stage_id)
    ranking = analysis.compute_ranking(stage, method, limit=top)
    click.echo(
        f"{stage.name} — {ranking.method}; {ranking.submitted} of {ranking.expected} "
        "sheets submitted"
    )
    for cat in ranking.categories:
        click.echo(f"\n{cat.category.name} ({cat.size} entries)")
        for r in cat.rows:
            places = f"{r.rank_lo}-{r.rank_hi}" if r.rank_lo else ""
            click.echo(
                f"  {r.rank or '-':>3}{'≈' if r.tied else ' '} {r.score:7.2f} "
                f"(raw {r.raw_score:6.2f}, {r.n_judges} judges, places {places:>7}) "
                f"{r.entry.title[:60]} — {r.entry.organisation.name[:40]}"
            )


@juri_cli.command("publish")
@click.argument("stage_id", type=int)
@click.option("--reason", default="", help="Required for a correction (a new version).")
@click.option("--yes", is_flag=True, help="Publish without asking.")
@as_option(required=True)
def publish(stage_id, reason, yes, actor):
    """Publish the stage's ranking as a new frozen version with its certificates."""
    stage = _stage(stage_id)
    if not yes and not click.confirm(f"Publish the ranking of {stage.name!r}?"):
        return
    with _committing(), current_app.test_request_context(base_url=urls.base_url()):
        # the ranges of likely places the publishing page would show, stored with the rows
        risks = publication_service.review_risks(stage)
        pub = publication_service.publish_results(
            stage=stage, actor=actor, now=utcnow(), reason=reason, ranges=risks.ranges
        )
    click.echo(f"Published version {pub.version} (scores digest {pub.scores_digest[:16]}…).")


@juri_cli.command("certificates")
@click.argument("round_id", type=int)
@as_option()
def certificates_zip(round_id, actor):
    """Queue the round's ZIP of every valid certificate and follow its progress (on PostgreSQL a
    ``flask juri worker`` builds it; on SQLite this process does)."""
    round_ = _round(round_id)
    job = bulk.start_job(round_=round_, actor=actor)
    db.session.commit()
    job_id = job.id
    if jobs.runner().mode == "procrastinate":
        click.echo(f"ZIP queued as job {job_id}; a worker (flask juri worker) builds it.")
        return
    while True:  # the job runs in a thread of this process
        db.session.expire_all()
        job = db.session.get(Job, job_id)
        if job.finished:
            break
        time.sleep(0.5)
    if job.state == JobState.FAILED:
        raise click.ClickException(f"The ZIP failed: {job.error}")
    click.echo(f"{job.progress_total} certificates in {get_storage().location(job.result_key)}")


def _deliver(notes) -> str:
    """What happens to the messages just committed to the outbox."""
    if not mail.is_configured(current_app.config):
        return "no mail server (JURI_MAIL_SERVER): the messages wait in the outbox"
    db.session.expire_all()  # a delivery job (in-process on SQLite) may have sent them already
    sent = sum(1 for n in notes if n.sent_at is not None)
    waiting = len(notes) - sent
    return f"{sent} emailed" + (f", {waiting} queued for email" if waiting else "")


@juri_cli.command("remind-drafts")
@click.argument("round_id", type=int)
@as_option()
def remind_drafts(round_id, actor):
    """Remind the OPDs whose proposals are still drafts that submission closes soon."""
    round_ = _round(round_id)
    with _committing():
        notes = entry_messages.remind_drafts(round_=round_, actor=actor, now=utcnow())
    click.echo(f"{len(notes)} OPD accounts reminded; {_deliver(notes)}.")


@juri_cli.command("remind-judges")
@click.argument("stage_id", type=int)
@as_option()
def remind_judges(stage_id, actor):
    """Remind the judges who have not submitted every sheet that scoring closes soon."""
    stage = _stage(stage_id)
    with _committing():
        notes = progress.queue_reminders(stage=stage, actor=actor, now=utcnow())
    click.echo(f"{len(notes)} judges reminded; {_deliver(notes)}.")


@juri_cli.command("uncertainty")
@click.argument("stage_id", type=int)
def uncertainty_command(stage_id):
    """Compute the ranges of places of a stage and print how many entries are undecided at
    each cut. The result goes to the shared cache, where the pages find it."""
    stage = _stage(stage_id)
    unc = stage_uncertainty.stage_uncertainty(stage, wait=True)
    if unc.result is None:
        click.echo(f"{stage.name}: no submitted score sheets.")
        return
    res = unc.result
    click.echo(
        f"{stage.name}: {int(unc.data.total.size)} sheets, {unc.data.n_entries} entries; "
        f"alpha {res.alpha:.2f}, reliability {res.reliability:.2f}"
    )
    cuts = stage_uncertainty.cuts_of(stage, unc.data)
    dec = stage_uncertainty.decisions(unc, cuts)
    for cut, b in zip(cuts, dec.boundaries):
        click.echo(f"  cut at place {cut.place} ({cut.kind}): {b.n_undecided} undecided")
    if res.warning:
        click.echo(f"Warning: {res.warning}")


@juri_cli.command("worker")
@click.option("--concurrency", default=1, show_default=True, help="Jobs run at once.")
@click.option("--once", is_flag=True, help="Stop when the queue is empty.")
def worker_command(concurrency, once):
    """Run background jobs (certificate ZIPs, mail, imports, large stages' uncertainty) from the
    PostgreSQL queue; any number of workers may run, on this machine or others. On SQLite
    there is nothing to run: the web process runs its jobs itself."""
    if jobs.runner().mode != "procrastinate":
        click.echo(
            "Jobs run in-process on SQLite (threads of the web process): no worker is needed. "
            "With DATABASE_URL on PostgreSQL, run this command to process the queue."
        )
        return
    click.echo(f"Worker on the queue '{jobs.QUEUE}' (concurrency {concurrency}).")
    worker.run_worker(current_app._get_current_object(), concurrency=concurrency, wait=not once)


@juri_cli.command("verify-publication")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
def verify_publication(path):
    """Recompute a publication's input digest and places from its public sheets file."""
    with open(path, encoding="utf-8") as f:
        report = recompute.verify_csv(f.read())
    click.echo(
        f"digest {'OK' if report.digest_ok else 'DIFFERS'}: {report.digest}"
        + ("" if report.digest_ok else f" (published {report.expected_digest})")
    )
    if report.places_ok:
        click.echo(f"places OK: {report.n_entries} entries placed as published")
    else:
        click.echo(f"places DIFFER for entries {', '.join(map(str, report.mismatched))}")
    if not (report.digest_ok and report.places_ok):
        raise SystemExit(1)
