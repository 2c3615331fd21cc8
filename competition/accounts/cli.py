"""``flask import-accounts FILE --as USERNAME``: the committee's account import from the command
line (the same checks as the page; nothing is created when any row has an error). Prints each
new account's one-time password; ``--dry-run`` only checks. And ``as_option``, the
``--as USERNAME`` every command that changes data takes, so the audit trail records who ran
it."""

from __future__ import annotations

import functools
from pathlib import Path

import click
from flask_babel import force_locale
from sqlalchemy import select

from competition import actors
from competition.accounts import imports
from competition.accounts.models import User
from competition.db import db
from competition.errors import InvalidState
from competition.roles import Role


@click.command("import-accounts")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--as", "actor_name", required=True, help="Username of the committee member.")
@click.option("--dry-run", is_flag=True, help="Check the file, create nothing.")
def import_accounts_cli(path: Path, actor_name: str, dry_run: bool) -> None:
    actor = db.session.scalar(select(User).where(User.username == actor_name))
    if actor is None or actor.role != Role.COMMITTEE:
        raise click.ClickException(f"{actor_name} is not a committee account.")
    try:
        rows = imports.check(imports.parse(path.name, path.read_bytes()))
    except InvalidState as exc:
        with force_locale("en"):
            raise click.ClickException(str(exc.message)) from exc
    bad = [r for r in rows if r.errors]
    with force_locale("en"):  # no request: messages in English
        for r in bad:
            click.echo(f"line {r.line}: " + "; ".join(str(e) for e in r.errors), err=True)
    if bad:
        raise click.ClickException(f"{len(bad)} of {len(rows)} rows have errors: nothing imported.")
    if dry_run:
        click.echo(f"{len(rows)} rows are correct (dry run: nothing imported).")
        return
    with actors.acting_as(actor):
        created = imports.import_rows(rows=rows, actor=actor)
        db.session.commit()
    click.echo("username\tone-time password")
    for user, password in created:
        click.echo(f"{user.username}\t{password}")


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
