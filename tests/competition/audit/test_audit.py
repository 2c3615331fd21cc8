"""The audit trail: every score change, login and decision recorded, hash-chained, checkable."""

import json

from sqlalchemy import select, update

from competition.audit import chain as audit_chain
from competition.audit import services as audit
from competition.audit.listener import AUDITED
from competition.audit.models import AuditRecord
from competition.db import db
from competition.i18n.labels import LABELS
from judging.scoring import rubric as rubric_service
from tests import factories


def _records(**where):
    stmt = select(AuditRecord).order_by(AuditRecord.id)
    for key, value in where.items():
        stmt = stmt.where(getattr(AuditRecord, key) == value)
    return db.session.scalars(stmt).all()


def _scores(stage, value, **extra):
    data = {f"score_{c.id}": value for c in rubric_service.list_criteria(stage)}
    data.update({f"comment_{c.id}": "ok" for c in rubric_service.list_criteria(stage)}, **extra)
    return data


def test_score_changes_are_recorded_with_who_before_and_after(app, login, opd, judge, open_round):
    stage = factories.make_stage(open_round)
    a = factories.make_assignment(stage, factories.make_entry(open_round, opd), judge)
    db.session.commit()
    client = login(judge)
    assert (
        client.post(f"/judge/assignments/{a.id}", data=_scores(stage, "6", save="1")).status_code
        == 302
    )
    assert (
        client.post(f"/judge/assignments/{a.id}", data=_scores(stage, "9", send="1")).status_code
        == 302
    )
    changes = [r for r in _records(target_type="scores", action="update")]
    assert len(changes) == len(rubric_service.list_criteria(stage))
    for r in changes:
        assert r.actor == judge.username and r.actor_id == judge.id
        assert json.loads(r.before)["value"] == 6.0 and json.loads(r.after)["value"] == 9.0
    sheet_updates = _records(target_type="score_sheets", action="update")
    assert json.loads(sheet_updates[-1].after)["status"] == "submitted"
    assert audit.verify_chain().ok


def test_logins_and_refused_logins_are_recorded(app, judge):
    client = app.test_client()
    client.post("/login", data={"username": judge.username, "password": "wrong"})
    client.post("/login", data={"username": judge.username, "password": factories.PASSWORD})
    failed = _records(action="login_failed")
    assert len(failed) == 1 and json.loads(failed[0].after) == {"username": judge.username}
    ok = _records(action="login")
    assert len(ok) == 1 and ok[0].actor == judge.username
    # the password hash never reaches the trail
    assert all("argon2" not in (r.before + r.after) for r in _records())


def test_tampering_is_detected(app, opd, judge, open_round):
    stage = factories.make_stage(open_round)
    factories.make_assignment(stage, factories.make_entry(open_round, opd), judge)
    db.session.commit()
    records = _records()
    assert len(records) > 3 and audit.verify_chain().ok
    victim = records[len(records) // 2]
    db.session.execute(
        update(AuditRecord).where(AuditRecord.id == victim.id).values(after='{"weight": 99}')
    )
    db.session.commit()
    check = audit.verify_chain()
    assert not check.ok and check.first_bad == victim.id and "altered" in check.problem


def test_removing_a_record_is_detected(app, opd, judge, open_round):
    factories.make_stage(open_round)
    db.session.commit()
    records = _records()
    db.session.delete(records[1])
    db.session.commit()
    check = audit.verify_chain()
    assert not check.ok and check.first_bad == records[2].id and "removed" in check.problem


def test_removing_the_last_records_is_detected_by_the_head(app, opd, open_round):
    factories.make_stage(open_round)
    db.session.commit()
    last = _records()[-1]
    db.session.execute(AuditRecord.__table__.delete().where(AuditRecord.id == last.id))
    db.session.commit()
    check = audit.verify_chain()
    assert not check.ok and check.first_bad is None and "end" in check.problem


def test_a_rolled_back_change_leaves_no_record(app, opd, open_round):
    before = len(_records())
    factories.make_stage(open_round)
    db.session.rollback()
    assert len(_records()) == before


def test_verify_command_and_committee_page(app, login, committee, opd, open_round):
    factories.make_stage(open_round)
    db.session.commit()
    runner = app.test_cli_runner()
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 0 and "intact" in result.output
    page = login(committee).get("/committee/audit/?target_type=stages")
    assert page.status_code == 200 and "Penilaian Proposal" in page.text
    csv_text = login(committee).get("/committee/audit/export.csv").text
    assert csv_text.splitlines()[0].startswith("id,created_at,actor")
    last = _records()[-1]
    db.session.execute(update(AuditRecord).where(AuditRecord.id == last.id).values(actor="x"))
    db.session.commit()
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 1 and "BROKEN" in result.output


def test_every_recorded_action_can_be_filtered_on_the_committee_page(app, login, committee):
    """Each ``audit.record("...")`` in the code names an action of ``audit.ACTIONS``, which
    the committee's filter offers."""
    import re
    from pathlib import Path

    root = Path(__file__).resolve().parents[3]
    used = {
        m
        for path in [*root.rglob("competition/**/*.py"), *root.rglob("judging/**/*.py")]
        for m in re.findall(r'audit\.record\(\s*"([a-z_]+)"', path.read_text())
    }
    assert {"login", "password_reset_asked", "remind_judges"} <= used
    assert used <= set(audit.ACTIONS)
    page = login(committee).get("/committee/audit/").text
    for action in audit.ACTIONS:
        assert f'<option value="{action}"' in page


def test_audit_page_names_actions_in_words(app, login, committee, open_round):
    from competition.i18n.labels import LABELS

    assert set(audit.ACTIONS) <= set(LABELS)
    factories.make_stage(open_round)
    db.session.commit()
    page = login(committee).get("/committee/audit/?target_type=stages").text
    assert "<td>dibuat</td>" in page and "<td>insert</td>" not in page
    assert '<option value="login_failed">gagal masuk</option>' in page


def test_committee_page_shows_the_current_anchor_and_checks_a_typed_one(
    app, login, committee, open_round
):
    factories.make_stage(open_round)
    db.session.commit()
    client = login(committee)
    page = client.get("/committee/audit/").text
    records = _records()
    anchor = f"{records[-1].hash[:16]}:{len(records)}"
    assert f"<code>{anchor}</code>" in page
    held = client.get(f"/committee/audit/?anchor={anchor}").text
    assert "flash-success" in held and anchor in held
    cut = client.get(f"/committee/audit/?anchor={records[-1].hash[:16]}:{len(records) + 5}").text
    assert "flash-danger" in cut and "flash-success" not in cut
    typo = client.get("/committee/audit/?anchor=nonsense").text
    assert "Bukan jangkar" in typo


def test_verify_command_names_where_an_old_trail_was_rekeyed(app, open_round):
    factories.make_stage(open_round)
    db.session.commit()
    n_old = len(_records())
    # Turn the trail into one written before keying: plain SHA-256, no keyed_from.
    from competition.audit.models import AuditHead

    prev = audit_chain.GENESIS
    table = AuditRecord.__table__
    for row in db.session.execute(select(table).order_by(table.c.id)).mappings().all():
        digest = audit_chain._legacy_digest(prev, {**row, "prev_hash": prev})
        db.session.execute(
            update(table).where(table.c.id == row["id"]).values(prev_hash=prev, hash=digest)
        )
        prev = digest
    db.session.execute(update(AuditHead).values(last_hash=prev, keyed_from=None, key_id=""))
    db.session.commit()
    runner = app.test_cli_runner()
    before = runner.invoke(args=["audit", "verify"])
    assert before.exit_code == 0 and "not keyed yet" in before.output
    factories.make_stage(open_round, closes_in_days=9)
    db.session.commit()
    after = runner.invoke(args=["audit", "verify"])
    assert after.exit_code == 0 and f"Re-keyed from record {n_old + 1}" in after.output


def test_audit_page_names_the_objects_in_words(app, login, committee, open_round):
    """The Object column and filter named the database's tables ("stages 3", "users 1",
    "score_sheets"): each audited table has a label, in the page's language."""
    assert set(AUDITED) <= set(LABELS)
    stage = factories.make_stage(open_round)
    db.session.commit()
    client = login(committee)
    page = client.get("/committee/audit/?target_type=stages").text
    assert f"<td>tahap {stage.id}</td>" in page and f"<td>stages {stage.id}</td>" not in page
    assert '<option value="score_sheets">lembar penilaian</option>' in page
    client.post("/language", data={"lang": "en"})
    page = client.get("/committee/audit/?target_type=users").text
    assert f"<td>account {committee.id}</td>" in page
    assert '<option value="score_sheets">score sheet</option>' in page
