"""``flask audit verify`` and ``flask audit export``: the audit trail from the command line."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from competition.audit.services import export_csv, query_records, verify_chain

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
