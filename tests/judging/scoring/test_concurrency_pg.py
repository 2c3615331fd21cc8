"""Concurrent score-sheet writes on PostgreSQL: many threads (each with its own app context,
session and connection) save and submit sheets at once, through the service and through the
test client, including two writers on one sheet and a stage closing while judges submit.

Afterwards every accepted write is stored exactly once, every refused one got a clear error
(never a 500, never a silent overwrite), one sheet per assignment, and the audit trail holds
every accepted change and no refused one, with its hash chain intact.

Runs only when TEST_DATABASE_URL names a PostgreSQL database (``.ci/run`` does): SQLite
serializes writers on one file, so it would prove nothing."""

from __future__ import annotations

import json
import os
import re
import threading
import traceback

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from competition.accounts.models import User
from competition.audit import services as audit
from competition.audit.models import AuditRecord
from competition.db import db, utcnow
from competition.errors import DeadlinePassed, JuriError
from competition.rounds.models import Stage
from judging.panels.models import Assignment
from judging.scoring import rubric as rubric_service
from judging.scoring import sheets as sheet_service
from judging.scoring.models import Score, ScoreSheet, SheetStatus
from tests import factories

pytestmark = pytest.mark.skipif(
    not os.environ.get("TEST_DATABASE_URL", "").startswith("postgresql"),
    reason="concurrency is tested on PostgreSQL (TEST_DATABASE_URL=postgresql...)",
)


def _run_all(targets) -> None:
    """Start every callable at the same moment (barrier) and wait for all of them."""
    barrier = threading.Barrier(len(targets))

    def wrap(fn):
        def run():
            barrier.wait()
            fn()

        return run

    threads = [threading.Thread(target=wrap(fn)) for fn in targets]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert not any(t.is_alive() for t in threads), "a writer hung (deadlock?)"


class Log:
    """Outcomes of the writers, written from many threads."""

    def __init__(self):
        self.lock = threading.Lock()
        self.accepted: list[dict] = []
        self.refused: list[dict] = []
        self.crashed: list[str] = []

    def add(self, kind: str, item) -> None:
        with self.lock:
            getattr(self, kind).append(item)


def _service_writer(
    app, log: Log, *, assignment_id: int, judge_id: int, tag: str, value: float, submit: bool
):
    def write():
        with app.app_context():
            try:
                assignment = db.session.get(Assignment, assignment_id)
                judge = db.session.get(User, judge_id)
                criteria = rubric_service.list_criteria(assignment.stage)
                inputs = {
                    c.id: sheet_service.CriterionInput(value, f"{tag} {c.id}") for c in criteria
                }
                sheet = sheet_service.save_sheet(
                    assignment=assignment, inputs=inputs, submit=submit, actor=judge, now=utcnow()
                )
                version = sheet.version_id
                db.session.commit()
                log.add(
                    "accepted",
                    {
                        "tag": tag,
                        "assignment": assignment_id,
                        "version": version,
                        "value": value,
                        "submit": submit,
                    },
                )
            except (StaleDataError, IntegrityError, JuriError) as exc:
                db.session.rollback()
                log.add(
                    "refused",
                    {"tag": tag, "assignment": assignment_id, "error": type(exc).__name__},
                )
            except Exception:  # noqa: BLE001 - reported by the assertions
                db.session.rollback()
                log.add("crashed", f"{tag}: {traceback.format_exc()}")
            finally:
                db.session.remove()

    return write


def _client_writer(app, log: Log, *, client, assignment_id: int, form: dict, tag: str):
    def write():
        try:
            r = client.post(f"/judge/assignments/{assignment_id}", data=form)
        except Exception as exc:  # noqa: BLE001 - a 500 propagates in TESTING mode
            log.add("crashed", f"{tag}: {exc!r}")
            return
        if r.status_code == 302:
            log.add(
                "accepted",
                {
                    "tag": tag,
                    "assignment": assignment_id,
                    "version": None,
                    "value": None,
                    "submit": "send" in form,
                },
            )
        elif r.status_code == 409:
            assert "nothing was saved" in r.text or "tidak ada yang disimpan" in r.text
            log.add("refused", {"tag": tag, "assignment": assignment_id, "error": "409"})
        else:
            log.add("crashed", f"{tag}: HTTP {r.status_code}")

    return write


def _form_of(html: str, criteria, value: str, tag: str, send: bool) -> dict:
    data = {f"score_{c.id}": value for c in criteria}
    data.update({f"comment_{c.id}": f"{tag} {c.id}" for c in criteria})
    version = re.search(r'name="version" type="hidden" value="(\d*)"', html) or re.search(
        r'name="version" value="(\d*)"', html
    )
    if version:
        data["version"] = version.group(1)
    data["send" if send else "save"] = "1"
    return data


def _audited_writes(tag: str) -> int:
    """Audit records of score rows whose comment carries this writer's tag."""
    rows = db.session.scalars(select(AuditRecord).where(AuditRecord.target_type == "scores")).all()
    return sum(
        1 for r in rows if r.after and json.loads(r.after).get("comment", "").startswith(tag + " ")
    )


def test_concurrent_sheet_writes_are_each_stored_once(app, opd, open_round):
    stage = factories.make_stage(open_round)
    judges = [factories.make_user(role="judge", username=f"juri{i}") for i in range(6)]
    entries = [factories.make_entry(open_round, opd, title=f"Inovasi {i}") for i in range(4)]
    assignments = {
        (j.id, e.id): factories.make_assignment(stage, e, j).id for j in judges for e in entries[:2]
    }
    shared = factories.make_assignment(stage, entries[3], judges[0]).id  # two writers
    tabs = factories.make_assignment(stage, entries[2], judges[1]).id  # two browser tabs
    db.session.commit()
    criteria = rubric_service.list_criteria(stage)
    judge_ids = [j.id for j in judges]
    log = Log()

    # Two tabs of the same judge open the same sheet (one draft already saved), then both save.
    first = app.test_client(user=judges[1])
    second = app.test_client(user=judges[1])
    pages = [first.get(f"/judge/assignments/{tabs}"), second.get(f"/judge/assignments/{tabs}")]
    assert all(p.status_code == 200 for p in pages)

    targets = []
    n = 0
    for (judge_id, _entry_id), assignment_id in assignments.items():
        for submit in (False, True):  # a draft and a submission race on the same sheet
            n += 1
            targets.append(
                _service_writer(
                    app,
                    log,
                    assignment_id=assignment_id,
                    judge_id=judge_id,
                    tag=f"w{n}",
                    value=1 + n % 9,
                    submit=submit,
                )
            )
    for k in range(2):
        targets.append(
            _service_writer(
                app,
                log,
                assignment_id=shared,
                judge_id=judge_ids[0],
                tag=f"shared{k}",
                value=3 + k,
                submit=False,
            )
        )
    for k, (client, page) in enumerate(zip((first, second), pages)):
        targets.append(
            _client_writer(
                app,
                log,
                client=client,
                assignment_id=tabs,
                form=_form_of(page.text, criteria, str(5 + k), f"tab{k}", False),
                tag=f"tab{k}",
            )
        )
    _run_all(targets)
    db.session.expire_all()

    assert log.crashed == [], "\n".join(log.crashed[:1])
    assert {r["error"] for r in log.refused} <= {
        "StaleDataError",
        "IntegrityError",
        "InvalidState",
        "409",
    }
    # One sheet per assignment, and each written sheet holds the last accepted write.
    per_assignment = db.session.execute(
        select(ScoreSheet.assignment_id, func.count()).group_by(ScoreSheet.assignment_id)
    ).all()
    assert all(count == 1 for _a, count in per_assignment)
    for assignment_id in [*assignments.values(), shared, tabs]:
        accepted = [w for w in log.accepted if w["assignment"] == assignment_id]
        assert accepted, f"no write accepted on assignment {assignment_id}"
        sheet = db.session.scalar(
            select(ScoreSheet).where(ScoreSheet.assignment_id == assignment_id)
        )
        comments = {s.comment.split(" ")[0] for s in sheet.scores}
        assert len(comments) == 1, "a sheet mixes two writers' scores"
        (stored,) = comments
        assert stored in {w["tag"] for w in accepted}
        # The accepted writes of one sheet follow each other: versions 1, 2, ... with no gap
        # (a write that silently overwrote another would not have bumped it).
        versions = sorted(w["version"] for w in accepted if w["version"] is not None)
        assert versions == list(range(1, len(versions) + 1))
        if sheet.status == SheetStatus.SUBMITTED:
            assert any(w["submit"] for w in accepted)
    # The two tabs saw the same version: one is stored, the other refused with a 409.
    tab_outcomes = sorted(w["tag"] for w in log.accepted if w["assignment"] == tabs)
    assert len(tab_outcomes) == 1 and any(r["assignment"] == tabs for r in log.refused)
    # Every accepted write is in the audit trail once per criterion, no refused one is.
    for w in log.accepted:
        assert _audited_writes(w["tag"]) == len(criteria), w["tag"]
    for w in log.refused:
        assert _audited_writes(w["tag"]) == 0, w["tag"]
    assert db.session.scalar(select(func.count()).select_from(Score)) == len(criteria) * len(
        per_assignment
    )
    check = audit.verify_chain()
    assert check.ok, check.problem


# "": the first scores fix the stage's method (the stage row locked exclusively); "bias_scale":
# chosen beforehand (a shared lock, which a close must wait for all the same).
@pytest.mark.parametrize("method", ["", "bias_scale"])
def test_closing_a_stage_while_judges_submit_is_all_or_nothing(app, opd, open_round, method):
    stage = factories.make_stage(open_round, method=method)
    judges = [factories.make_user(role="judge", username=f"juri{i}") for i in range(8)]
    entry = factories.make_entry(open_round, opd)
    pairs = [(j.id, factories.make_assignment(stage, entry, j).id) for j in judges]
    db.session.commit()
    stage_id = stage.id
    log = Log()
    closed = {}

    def close_stage():
        with app.app_context():
            locked = db.session.scalar(select(Stage).where(Stage.id == stage_id).with_for_update())
            locked.closes_at = closed["at"] = utcnow()
            db.session.commit()
            db.session.remove()

    targets = [
        _service_writer(app, log, assignment_id=a, judge_id=j, tag=f"s{a}", value=7, submit=True)
        for j, a in pairs
    ]
    targets.insert(len(targets) // 2, close_stage)
    _run_all(targets)
    db.session.expire_all()

    assert log.crashed == [], "\n".join(log.crashed[:1])
    assert {r["error"] for r in log.refused} <= {"DeadlinePassed"}
    assert len(log.accepted) + len(log.refused) == len(pairs)
    stage = db.session.get(Stage, stage_id)
    assert stage.closes_at == closed["at"]
    for w in log.accepted:
        sheet = db.session.scalar(
            select(ScoreSheet).where(ScoreSheet.assignment_id == w["assignment"])
        )
        assert sheet.status == SheetStatus.SUBMITTED and sheet.submitted_at <= stage.closes_at
        assert len(sheet.scores) == 5
    for w in log.refused:  # nothing of a refused submission is stored
        assert (
            db.session.scalar(select(ScoreSheet).where(ScoreSheet.assignment_id == w["assignment"]))
            is None
        )
        assert _audited_writes(w["tag"]) == 0
    # Whoever comes after the close is told so, with the time it closed.
    late = DeadlinePassed(stage.closes_at)
    assert str(late.message)
    assert audit.verify_chain().ok


def test_judges_saving_in_one_stage_do_not_wait_for_each_other(app, opd, open_round):
    """One judge's save holds its transaction open (its stage lock taken); another judge's
    save in the same stage goes through meanwhile instead of queueing behind it, while a
    change of the stage (its close) waits for the open save and then sees it committed."""
    stage = factories.make_stage(open_round, method="bias_scale")
    judges = [factories.make_user(role="judge", username=f"juri{i}") for i in range(2)]
    entry = factories.make_entry(open_round, opd)
    pairs = [(j.id, factories.make_assignment(stage, entry, j).id) for j in judges]
    db.session.commit()
    stage_id = stage.id
    holding, release = threading.Event(), threading.Event()
    outcome: dict[str, str] = {}

    def save(judge_id, assignment_id):
        assignment = db.session.get(Assignment, assignment_id)
        inputs = {
            c.id: sheet_service.CriterionInput(7, "")
            for c in rubric_service.list_criteria(assignment.stage)
        }
        sheet_service.save_sheet(
            assignment=assignment,
            inputs=inputs,
            submit=False,
            actor=db.session.get(User, judge_id),
            now=utcnow(),
        )

    def slow_judge():
        with app.app_context():
            try:
                save(*pairs[0])
                holding.set()
                release.wait(30)
                db.session.commit()
                outcome["slow"] = "saved"
            except Exception as exc:  # noqa: BLE001 - reported by the assertions
                outcome["slow"] = repr(exc)
                holding.set()
            finally:
                db.session.remove()

    def on_own(name, work):
        with app.app_context():
            try:
                db.session.execute(text("SET LOCAL lock_timeout = '3s'"))
                work()
                db.session.commit()
                outcome[name] = "done"
            except Exception as exc:  # noqa: BLE001 - reported by the assertions
                db.session.rollback()
                outcome[name] = type(exc.orig if hasattr(exc, "orig") else exc).__name__
            finally:
                db.session.remove()

    def close_stage():
        db.session.get(Stage, stage_id).closes_at = utcnow()

    slow = threading.Thread(target=slow_judge)
    slow.start()
    assert holding.wait(30)
    on_own("other judge", lambda: save(*pairs[1]))  # in this thread, while the first is open
    closer = threading.Thread(target=on_own, args=("close", close_stage))
    closer.start()
    closer.join(1)
    assert closer.is_alive(), "the close did not wait for the open save"
    release.set()
    slow.join(30)
    closer.join(30)

    assert outcome == {"slow": "saved", "other judge": "done", "close": "done"}
    db.session.expire_all()
    assert {
        db.session.scalar(select(ScoreSheet.status).where(ScoreSheet.assignment_id == a))
        for _j, a in pairs
    } == {SheetStatus.DRAFT}
    assert audit.verify_chain().ok
