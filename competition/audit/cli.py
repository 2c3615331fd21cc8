"""``flask audit verify``, ``flask audit key`` and ``flask audit export``: the audit trail from
the command line. (The ``--as USERNAME`` every command that changes data takes is
``competition.accounts.cli.as_option``: it looks up an account.)"""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import AppGroup

from competition.audit.chain import key_id
from competition.audit.records import export_csv, query_records
from competition.audit.services import Anchor, verify_chain

audit_cli = AppGroup("audit", help="The audit trail.")


@audit_cli.command("verify")
@click.option(
    "--anchor",
    "anchors",
    multiple=True,
    metavar="HEAD:LENGTH",
    help="An anchor printed on a berita acara or announcement (repeatable): the trail must "
    "still hold that record at that position.",
)
def verify_command(anchors: tuple[str, ...]) -> None:
    """Check every record's hash and link, and the given anchors; exit status 1 when the chain
    is broken or an anchor does not match."""
    try:
        parsed = [Anchor.parse(a) for a in anchors] or [None]
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--anchor") from None
    for anchor in parsed:
        result = verify_chain(anchor=anchor)
        if not result.ok:
            where = f"record {result.first_bad}" if result.first_bad else "the end of the trail"
            click.echo(
                f"Audit trail BROKEN at {where}: {result.problem} "
                f"({result.checked} records checked before it).",
                err=True,
            )
            raise SystemExit(1)
    click.echo(f"Audit trail intact: {result.checked} records, every hash and link checks.")
    if result.keyed_from is None and result.checked:
        click.echo(
            "WARNING: the trail is not keyed yet (all records use the old unkeyed SHA-256); "
            "the next recorded change re-keys it."
        )
    elif result.keyed_from and result.keyed_from > 1:
        click.echo(
            f"Re-keyed from record {result.keyed_from}: records 1-{result.keyed_from - 1} use the "
            "old unkeyed SHA-256 and are covered by the keyed switch-over record that links to "
            "them."
        )
    else:
        click.echo("Keyed (HMAC-SHA-256) from the first record.")
    if result.checked:
        click.echo(f"Current anchor: {Anchor(result.head, result.checked)}")
    for anchor in parsed:
        if anchor is not None:
            click.echo(f"Anchor {anchor} matches.")


@audit_cli.command("key")
def key_command() -> None:
    """Print the audit key in use and its id: keep it as JURI_AUDIT_KEY before rotating
    SECRET_KEY (the default audit key is derived from it), or the trail stops verifying."""
    key = current_app.config["AUDIT_KEY"]
    click.echo(f"JURI_AUDIT_KEY={key}")
    click.echo(f"key id: {key_id(str(key).encode())}")


@audit_cli.command("export")
@click.argument("path", type=click.Path(dir_okay=False, writable=True))
def export_command(path: str) -> None:
    """Write the whole trail as CSV."""
    records = list(reversed(query_records(limit=None)))
    with open(path, "w", encoding="utf-8", newline="") as f:
        f.write(export_csv(records))
    click.echo(f"{len(records)} records written to {path}")
