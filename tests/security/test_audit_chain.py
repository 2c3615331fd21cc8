"""The audit trail cannot be rewritten without detection (issue 15, item 3): the chain is keyed
with a secret outside the database, anchored on the documents it backs, and the bulk writes that
bypass the ORM listener are recorded explicitly."""

import hashlib
import hmac
import json

import pytest
from sqlalchemy import select, update

from competition.audit import chain as audit_chain
from competition.audit import listener as audit_listener
from competition.audit import services as audit
from competition.audit.models import AuditHead, AuditRecord
from competition.db import db, utcnow
from judging.results import awards
from judging.results import publication as publication_service
from judging.results.models import Certificate
from judging.scoring import rubric as rubric_service
from judging.scoring import sheets as sheet_service
from judging.scoring.models import ScoreSheet
from tests import factories


def _records():
    return db.session.scalars(select(AuditRecord).order_by(AuditRecord.id)).all()


def _some_history(open_round):
    for n in range(3):
        factories.make_stage(open_round, closes_in_days=7 + n)
    db.session.commit()


def _rechain(from_id: int, digest) -> None:
    """What an attacker with database access does after editing a record: recompute every
    hash from it on with ``digest(prev, row)`` and move the head."""
    table = AuditRecord.__table__
    rows = db.session.execute(select(table).order_by(table.c.id)).mappings().all()
    prev = audit_chain.GENESIS
    for row in rows:
        if row["id"] >= from_id:
            new = digest(prev, dict(row))
            db.session.execute(
                update(table).where(table.c.id == row["id"]).values(prev_hash=prev, hash=new)
            )
            prev = new
        else:
            prev = row["hash"]
    db.session.execute(update(AuditHead).where(AuditHead.id == 1).values(last_hash=prev))
    db.session.commit()


def test_chain_is_keyed_with_the_audit_key(app, open_round):
    _some_history(open_round)
    first = _records()[0]
    body = audit_chain._body(
        audit_chain.GENESIS, {c: getattr(first, c) for c in AuditRecord.__table__.c.keys()}
    )
    expected = hmac.new(b"test-audit-key", body, hashlib.sha256).hexdigest()
    assert first.hash == expected and first.hash != hashlib.sha256(body).hexdigest()
    head = db.session.get(AuditHead, 1)
    assert head.keyed_from == 1 and head.key_id == audit_chain.key_id(b"test-audit-key")
    assert audit.verify_chain().ok


def test_edited_record_rechained_without_the_key_fails(app, open_round):
    _some_history(open_round)
    victim = _records()[2]
    db.session.execute(
        update(AuditRecord).where(AuditRecord.id == victim.id).values(actor="someone-else")
    )
    _rechain(victim.id, audit_chain._legacy_digest)  # the old unkeyed SHA-256, as anyone can
    check = audit.verify_chain()
    assert not check.ok and check.first_bad == victim.id and "altered" in check.problem


def test_edited_record_rechained_with_another_key_fails_and_says_so(app, open_round):
    _some_history(open_round)
    victim = _records()[1]
    db.session.execute(update(AuditRecord).where(AuditRecord.id == victim.id).values(after="{}"))
    _rechain(victim.id, lambda prev, row: audit_chain._digest(prev, row, b"guessed"))
    db.session.execute(update(AuditHead).values(key_id=audit_chain.key_id(b"guessed")))
    db.session.commit()
    check = audit.verify_chain()
    assert not check.ok and check.first_bad == victim.id
    assert "audit key is not the one" in check.problem


def test_the_same_trail_verifies_only_with_its_key(app, open_round):
    _some_history(open_round)
    assert audit.verify_chain().ok
    app.config["AUDIT_KEY"] = "another-key"
    check = audit.verify_chain()
    assert not check.ok and check.first_bad == _records()[0].id


def test_deleting_the_whole_trail_and_its_head_fails_against_an_anchor(app, open_round):
    _some_history(open_round)
    anchor = audit.Anchor(_records()[-1].hash, len(_records()))
    assert audit.verify_chain(anchor=anchor).ok
    db.session.execute(AuditRecord.__table__.delete())
    db.session.execute(update(AuditHead).values(last_hash=audit_chain.GENESIS, count=0))
    db.session.commit()
    assert audit.verify_chain().ok  # an empty trail is consistent: only an anchor can tell
    check = audit.verify_chain(anchor=anchor)
    assert not check.ok and "removed from the end" in check.problem


def test_cutting_the_tail_and_fixing_the_head_fails_against_an_anchor(app, open_round):
    _some_history(open_round)
    records = _records()
    anchor = audit.Anchor(records[-1].hash[:16], len(records))
    keep = records[-3]
    db.session.execute(AuditRecord.__table__.delete().where(AuditRecord.id > keep.id))
    db.session.execute(update(AuditHead).values(last_hash=keep.hash, count=len(records) - 2))
    db.session.commit()
    assert audit.verify_chain().ok
    check = audit.verify_chain(anchor=anchor)
    assert not check.ok and f"anchor {anchor}" in check.problem


def test_an_anchor_detects_a_rewrite_before_it(app, open_round):
    """Even a rewrite the keyed chain alone would accept (the key leaked) changes the hash at
    the anchor's position."""
    _some_history(open_round)
    records = _records()
    anchor = audit.Anchor(records[3].hash, 4)
    db.session.execute(update(AuditRecord).where(AuditRecord.id == records[1].id).values(actor="x"))
    _rechain(records[1].id, lambda prev, row: audit_chain._digest(prev, row, b"test-audit-key"))
    assert audit.verify_chain().ok
    check = audit.verify_chain(anchor=anchor)
    assert not check.ok and check.first_bad == records[3].id and "rewritten" in check.problem


def test_removing_records_and_fixing_only_the_last_hash_is_caught_by_the_count(app, open_round):
    _some_history(open_round)
    records = _records()
    db.session.execute(AuditRecord.__table__.delete().where(AuditRecord.id == records[-1].id))
    db.session.execute(update(AuditHead).values(last_hash=records[-2].hash))
    db.session.commit()
    check = audit.verify_chain()
    assert not check.ok and "records were removed" in check.problem


def test_an_unkeyed_chain_is_rekeyed_from_a_marked_record(app, open_round):
    """A trail written before keying (plain SHA-256, keyed_from NULL) keeps verifying; the next
    change writes the switch-over record, from which the chain is keyed."""
    _some_history(open_round)
    _rechain(_records()[0].id, audit_chain._legacy_digest)
    db.session.execute(update(AuditHead).values(keyed_from=None, key_id=""))
    db.session.commit()
    n_old = len(_records())
    assert audit.verify_chain().ok and audit.verify_chain().keyed_from is None
    factories.make_stage(open_round)
    db.session.commit()
    records = _records()
    switch = records[n_old]
    assert switch.action == "audit_keyed" and switch.actor == audit_chain.SYSTEM_AUDIT
    assert json.loads(switch.after)["unkeyed_records"] == n_old
    head = db.session.get(AuditHead, 1)
    assert head.keyed_from == n_old + 1 and head.count == len(records)
    check = audit.verify_chain()
    assert check.ok and check.keyed_from == n_old + 1
    # The old records are now covered by the keyed switch-over: re-chaining an edit of one of
    # them with the unkeyed scheme breaks the first keyed record.
    db.session.execute(update(AuditRecord).where(AuditRecord.id == records[0].id).values(actor="x"))
    table = AuditRecord.__table__
    prev = audit_chain.GENESIS
    for row in db.session.execute(select(table).order_by(table.c.id)).mappings().all()[:n_old]:
        row = {**row, "prev_hash": prev}
        prev = audit_chain._legacy_digest(prev, row)
        db.session.execute(
            update(table)
            .where(table.c.id == row["id"])
            .values(prev_hash=row["prev_hash"], hash=prev)
        )
    db.session.execute(update(table).where(table.c.id == switch.id).values(prev_hash=prev))
    db.session.commit()
    check = audit.verify_chain()
    assert not check.ok and check.first_bad == switch.id and "altered" in check.problem


def test_verify_command_reports_keying_and_checks_anchors(app, open_round):
    _some_history(open_round)
    runner = app.test_cli_runner()
    out = runner.invoke(args=["audit", "verify"])
    assert out.exit_code == 0 and "Keyed (HMAC-SHA-256) from the first record" in out.output
    records = _records()
    anchor = f"{records[-1].hash[:16]}:{len(records)}"
    assert f"Current anchor: {anchor}" in out.output
    ok = runner.invoke(args=["audit", "verify", "--anchor", anchor])
    assert ok.exit_code == 0 and f"Anchor {anchor} matches" in ok.output
    bad = runner.invoke(args=["audit", "verify", "--anchor", f"{'0' * 16}:{len(records)}"])
    assert bad.exit_code == 1 and "BROKEN" in bad.output
    longer = runner.invoke(args=["audit", "verify", "--anchor", f"{anchor}0"])
    assert longer.exit_code == 1 and "removed from the end" in longer.output
    malformed = runner.invoke(args=["audit", "verify", "--anchor", "xyz"])
    assert malformed.exit_code == 2 and "HEAD:LENGTH" in malformed.output


@pytest.fixture
def scored(app, committee, open_round):
    stage = factories.make_stage(open_round)
    judges = [factories.make_user(role="judge", username=f"penilai{i}") for i in range(3)]
    criteria = rubric_service.list_criteria(stage)
    entries = []
    for i in range(4):
        owner = factories.make_opd_user(f"OPD {i}", username=f"opd{i}")
        entry = factories.make_entry(open_round, owner, title=f"Inovasi {i}")
        entries.append(entry)
        for j, judge in enumerate(judges):
            sheet_service.save_sheet(
                assignment=factories.make_assignment(stage, entry, judge),
                submit=True,
                actor=judge,
                now=utcnow(),
                inputs={c.id: sheet_service.CriterionInput(float(9 - i + j % 2)) for c in criteria},
            )
    db.session.commit()
    return stage, entries


def test_bulk_writes_of_a_publication_and_a_correction_are_recorded(app, committee, scored):
    stage, entries = scored
    v1 = publication_service.publish_results(stage=stage, actor=committee, now=utcnow())
    db.session.commit()
    written = db.session.scalars(
        select(AuditRecord).where(AuditRecord.action == "results_written")
    ).one()
    after = json.loads(written.after)
    assert written.target_id == str(v1.id) and written.actor == committee.username
    assert after["count"] == 4 and len(after["rows"]) == 4 and len(after["sha256"]) == 64
    issued = db.session.scalars(
        select(AuditRecord).where(AuditRecord.action == "certificates_issued")
    ).one()
    codes = set(db.session.scalars(select(Certificate.code)))
    assert set(json.loads(issued.after)["codes"]) == codes
    # A correction: the last entry becomes the best, so certificates are revoked in bulk.
    for sheet in db.session.scalars(select(ScoreSheet)):
        if sheet.assignment.entry_id == entries[3].id:
            for s in sheet.scores:
                s.value = 10.0
            sheet.total = 10.0
    db.session.commit()
    v2 = publication_service.publish_results(
        stage=stage, actor=committee, now=utcnow(), reason="Salah ketik"
    )
    db.session.commit()
    revoked_codes = set(
        db.session.scalars(select(Certificate.code).where(Certificate.revoked_at.is_not(None)))
    )
    assert revoked_codes
    revoked = db.session.scalars(
        select(AuditRecord).where(AuditRecord.action == "certificates_revoked")
    ).one()
    data = json.loads(revoked.after)
    assert revoked.target_id == str(v2.id) and revoked.actor == committee.username
    assert set(data["codes"]) == revoked_codes and "Salah ketik" in data["reason"]
    assert audit.verify_chain().ok
    # The publication's anchor is the chain at its last record.
    anchor = audit.anchor_of("publications", v2.id)
    last = db.session.scalars(
        select(AuditRecord)
        .where(AuditRecord.target_type == "publications", AuditRecord.target_id == str(v2.id))
        .order_by(AuditRecord.id.desc())
    ).first()
    assert anchor.head == last.hash
    assert anchor.length == len(
        db.session.scalars(select(AuditRecord.id).where(AuditRecord.id <= last.id)).all()
    )
    assert audit.verify_chain(anchor=anchor).ok


def test_appreciation_certificates_issued_in_bulk_are_recorded(app, committee, open_round):
    judges = [factories.make_user(role="judge", username=f"j{i}") for i in range(2)]
    db.session.commit()
    n = awards.issue_appreciation_certificates(
        round_=open_round, judges=judges, actor=committee, now=utcnow()
    )
    db.session.commit()
    rec = db.session.scalars(
        select(AuditRecord).where(AuditRecord.action == "certificates_issued")
    ).one()
    assert n == 2 and rec.target_type == "rounds" and json.loads(rec.after)["count"] == 2


def test_bulk_summary_lists_few_values_and_digests_many(app):
    few = audit.bulk_summary(["B", "A"])
    assert few["codes"] == ["A", "B"] and few["count"] == 2
    many = audit.bulk_summary([str(i) for i in range(audit.BULK_LISTED + 1)])
    assert "codes" not in many and many["count"] == audit.BULK_LISTED + 1
    assert (
        many["sha256"]
        == audit.bulk_summary(list(reversed([str(i) for i in range(1001)])))["sha256"]
    )


def test_anchor_parse_and_print():
    a = audit.Anchor.parse(" 3F2A9C01D4E5B6A7 : 120 ")
    assert a == audit.Anchor("3f2a9c01d4e5b6a7", 120) and str(a) == "3f2a9c01d4e5b6a7:120"
    for bad in ("", "3f2a:1", "3f2a9c01d4e5b6a7", "3f2a9c01d4e5b6a7:0", "zz2a9c01d4e5b6a7:3"):
        with pytest.raises(ValueError):
            audit.Anchor.parse(bad)


def test_every_bulk_write_to_an_audited_table_records_itself(app):
    """The class of hole: a Core ``insert``/``update``/``delete`` or ``bulk_insert`` of an
    audited table bypasses the listener. Every function that writes one must call
    ``audit.record`` itself (the demo loaders and the backup restore, which replace data
    wholesale, excepted)."""
    import ast
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    tables = {m.class_.__name__: m.class_.__tablename__ for m in db.Model.registry.mappers}
    audited = {name for name, table in tables.items() if table in audit_listener.AUDITED}
    skipped = ("judging/demo/", "competition/backup.py", "competition/audit/")
    offenders, seen = [], 0

    def visit(node: ast.AST, rel: str) -> tuple[list[str], bool]:
        """The audited writes in ``node``'s subtree and whether it calls ``audit.record``;
        each function is judged on its whole body, nested functions included (one pass over
        the tree: every node is visited once)."""
        nonlocal offenders, seen
        writes, records = [], False
        if isinstance(node, ast.Call):
            name = getattr(node.func, "id", None) or getattr(node.func, "attr", None)
            if name == "record" and getattr(node.func, "value", None) is not None:
                records = getattr(node.func.value, "id", "") == "audit"
            if name in ("insert", "update", "delete", "bulk_insert") and node.args:
                target = ast.unparse(node.args[0]).removesuffix(".__table__")
                if target in audited:
                    writes.append(f"{rel}:{node.lineno} {name}({target})")
        for child in ast.iter_child_nodes(node):
            child_writes, child_records = visit(child, rel)
            writes += child_writes
            records = records or child_records
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            seen += len(writes)
            if writes and not records:
                offenders += writes
        return writes, records

    for path in [*root.glob("competition/**/*.py"), *root.glob("judging/**/*.py")]:
        rel = path.relative_to(root).as_posix()
        if not rel.startswith(skipped):
            visit(ast.parse(path.read_text()), rel)
    assert seen >= 3  # the publication's certificates, revoked and issued; appreciation ones
    assert offenders == []


def test_audit_key_defaults_to_one_derived_from_the_secret_key(tmp_path, monkeypatch):
    """Servers sharing SECRET_KEY chain with the same audit key without more configuration;
    JURI_AUDIT_KEY overrides it; it is never the secret key itself."""
    from app import create_app

    monkeypatch.delenv("JURI_AUDIT_KEY", raising=False)
    config = {
        "TESTING": True,
        "SECRET_KEY": "shared-secret",
        "SQLALCHEMY_DATABASE_URI": "sqlite://",
    }
    one, two = create_app(dict(config)), create_app(dict(config))
    assert (
        one.config["AUDIT_KEY"]
        == two.config["AUDIT_KEY"]
        == audit_chain.derive_audit_key("shared-secret")
    )
    assert one.config["AUDIT_KEY"] != "shared-secret"
    assert (
        create_app({**config, "SECRET_KEY": "other"}).config["AUDIT_KEY"] != one.config["AUDIT_KEY"]
    )
    monkeypatch.setenv("JURI_AUDIT_KEY", "from-the-environment")
    assert create_app(dict(config)).config["AUDIT_KEY"] == "from-the-environment"


def test_writing_with_another_key_is_logged_and_the_key_command_names_it(app, open_round, caplog):
    _some_history(open_round)
    out = app.test_cli_runner().invoke(args=["audit", "key"])
    assert "JURI_AUDIT_KEY=test-audit-key" in out.output
    assert audit_chain.key_id(b"test-audit-key") in out.output
    app.config["AUDIT_KEY"] = "a-server-with-another-key"
    with caplog.at_level("ERROR"):
        factories.make_stage(open_round, closes_in_days=30)
        db.session.commit()
    assert any(
        "not the one the audit trail was written with" in r.getMessage() for r in caplog.records
    )
    check = audit.verify_chain()  # verified with the wrong key: the whole trail fails
    assert not check.ok


def test_public_results_show_each_versions_audit_anchor(app, committee, scored):
    stage, _entries = scored
    v1 = publication_service.publish_results(stage=stage, actor=committee, now=utcnow())
    db.session.commit()
    page = app.test_client().get(f"/results/{stage.round.slug}")
    anchor = audit.anchor_of("publications", v1.id)
    assert page.status_code == 200 and anchor is not None
    assert f'<code class="digest">{anchor}</code>' in page.text
    assert "Jangkar jejak audit" in page.text
    # A correction: the history lists both versions with their own anchors.
    v2 = publication_service.publish_results(
        stage=stage, actor=committee, now=utcnow(), reason="Koreksi"
    )
    db.session.commit()
    both = audit.anchors_of("publications", [v1.id, v2.id, 999])
    assert both == {
        str(v1.id): audit.anchor_of("publications", v1.id),
        str(v2.id): audit.anchor_of("publications", v2.id),
    }
    assert both[str(v2.id)].length > both[str(v1.id)].length
    page = app.test_client().get(f"/results/{stage.round.slug}").text
    for a in both.values():
        assert f'<code class="digest">{a}</code>' in page
