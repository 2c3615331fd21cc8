"""``flask audit verify`` and ``flask audit export``: the audit trail from the command line;
and ``as_option``, the ``--as USERNAME`` every command that changes data takes, so the trail
records who ran it."""

from __future__ import annotations

import functools

import click
from flask.cli import AppGroup
from sqlalchemy import select

from competition import actors
from competition.accounts.models import Role, User
from competition.audit.services import export_csv, query_records, verify_chain
from competition.db import db

audit_cli = AppGroup("audit", help="The audit trail.")


@audit_cli.command("verify")
def verify_command() -> None:
    """Check every record's hash and link; exit status 1 when the chain is broken."""
    result = verify_chain()
    if result.ok:
        click.echo(f"Audit trail intact: {result.checked} records, every hash and link checks.")
        return
    where = f"record {result.first_bad}" if result.first_bad else "the end of the trail"
    click.echo(
        f"Audit trail BROKEN at {where}: {result.problem} "
        f"({result.checked} records checked before it).",
        err=True,
    )
    raise SystemExit(1)


@audit_cli.command("export")
@click.argument("path", type=click.Path(dir_okay=False, writable=True))
def export_command(path: str) -> None:
    """Write the whole trail as CSV."""
    records = list(reversed(query_records(limit=None)))
    with open(path, "w", encoding="utf-8", newline="") as f:
        f.write(export_csv(records))
    click.echo(f"{len(records)} records written to {path}")


def as_option(*, required: bool = False, role: Role | None = Role.COMMITTEE):
    """Give a command ``--as USERNAME``: it runs as that enabled account (of ``role``), passed
    to the command as ``actor``, and the audit trail records it. Without ``--as`` (when not
    ``required``) ``actor`` is None and the trail records ``system:cli``."""

    def decorate(command):
        @click.option(
            "--as",
            "as_username",
            required=required,
            metavar="USERNAME",
            help="The account the command acts for (recorded in the audit trail)"
            + ("." if required else "; without it: system:cli."),
        )
        @functools.wraps(command)
        def wrapper(*args, as_username: str | None = None, **kwargs):
            actor = None
            if as_username:
                actor = db.session.scalar(select(User).where(User.username == as_username))
                if actor is None or not actor.is_enabled or (role and actor.role != role):
                    kind = f"an enabled {role.value} account" if role else "an enabled account"
                    raise click.ClickException(f"{as_username!r} is not {kind}.")
            with actors.acting_as(actor or actors.SYSTEM_CLI):
                return command(*args, actor=actor, **kwargs)

        return wrapper

    return decorate
