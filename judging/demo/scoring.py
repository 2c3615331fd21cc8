"""The demo's judging: the desk evaluation's rubric, panel, conflicts of interest, automatic
assignment, simulated score sheets and one reopened sheet, all through the services the
committee and the judges use."""

from __future__ import annotations

from datetime import timedelta

import numpy as np

from judging.panels import assignment as assignment_service
from judging.panels import conflicts
from judging.panels import services as panels
from judging.scoring import rubric as rubric_service
from judging.scoring import sheets as sheet_service
from judging.scoring.models import Criterion


def demo_rubric(stage, committee) -> list[Criterion]:
    """The desk evaluation uses the KIPP 2023 template: seven weighted criteria, 0-100,
    finalists at 85."""
    return rubric_service.apply_template(stage=stage, key="kipp2023_desk", actor=committee)


def demo_conflicts(conflict_data, committee, judges, orgs, entries) -> None:
    """One judge works for an OPD and three declared conflicts (an OPD, two entries), so the
    automatic assignment has something to respect (``conflicts`` in ``competition.json``)."""
    by_username = {j.username: j for j in judges}
    entry_of = {e.organisation_id: e for e in entries}
    for c in conflict_data:
        judge = by_username[c["judge"]]
        if "works_for" in c:
            conflicts.set_affiliation(
                judge=judge, organisation=orgs[c["works_for"]], actor=committee
            )
        elif "organisation" in c:
            conflicts.declare_conflict(
                judge=judge,
                organisation=orgs[c["organisation"]],
                reason=c["reason"],
                actor=committee,
            )
        else:
            conflicts.declare_conflict(
                judge=judge,
                entry=entry_of[orgs[c["entry"]].id],
                reason=c["reason"],
                actor=committee,
            )


def demo_assign(stage, committee) -> None:
    """Automatic assignment, three judges per entry, previewed then confirmed as the
    committee does it in the UI."""
    plan = assignment_service.plan_auto_assign(stage, 3)
    assignment_service.auto_assign(
        stage=stage, judges_per_entry=3, digest=plan.digest, actor=committee
    )


def demo_panel(stage, committee, judges, name) -> None:
    """One panel for the whole stage, chaired by ``juri1``, who can read the other sheets."""
    panel = panels.create_panel(stage=stage, name=name, category=None, actor=committee)
    for judge in judges:
        panels.add_panel_member(
            panel=panel, judge=judge, is_chair=judge.username == "juri1", actor=committee
        )


def demo_reopen(stage, committee, text) -> None:
    """The committee reopened one of ``juri9``'s sheets for a typing error (10 points too few
    on one criterion), and the judge corrected it: the sheet's history shows both
    (``/committee/stages/<id>/sheets/<id>``)."""
    a = next(
        a for a in assignment_service.list_assignments(stage) if a.judge.username == text["judge"]
    )
    when = a.sheet.submitted_at + timedelta(hours=20)
    sheet_service.reopen_sheet(sheet=a.sheet, reason=text["reason"], actor=committee, now=when)
    criteria = rubric_service.list_criteria(stage)
    scores = {s.criterion_id: s for s in a.sheet.scores}
    inputs = {
        c.id: sheet_service.CriterionInput(scores[c.id].value, scores[c.id].comment)
        for c in criteria
    }
    fixed = next(c for c in criteria if c.name == text["criterion"])
    inputs[fixed.id] = sheet_service.CriterionInput(
        min(100.0, inputs[fixed.id].value + 10), inputs[fixed.id].comment
    )
    sheet_service.save_sheet(
        assignment=a,
        inputs=inputs,
        submit=True,
        actor=a.judge,
        now=min(when + timedelta(hours=3), stage.closes_at),
    )


def simulate_sheets(stage, criteria, judges, judge_data, entries, comments, rng) -> int:
    """Every assigned judge scores and submits a sheet: an entry's quality (1-10) seen through
    the judge's ``offset``, ``spread`` and ``noise`` from ``judges.csv``, a comment matching
    the mood of the score; returns how many sheets were submitted."""
    quality = {e.id: float(np.clip(rng.normal(6.6, 1.1), 3.5, 9.3)) for e in entries}
    params = {j.id: p for j, p in zip(judges, judge_data)}
    n_sheets = 0
    for a in assignment_service.list_assignments(stage):
        p = params[a.judge_id]
        q = quality[a.entry_id]
        base = 6.5 + p["spread"] * (q - 6.5) + p["offset"] + rng.normal(0, p["noise"])
        # Simulated on a 1-10 feel, scored on the KIPP 0-100 scale.
        values = np.clip(np.round((base + rng.normal(0, 0.5, len(criteria))) * 10), 0, 100)
        mood = "high" if base >= 7.5 else "mid" if base >= 5.5 else "low"
        inputs = {
            c.id: sheet_service.CriterionInput(float(v), str(rng.choice(comments[mood])))
            for c, v in zip(criteria, values)
        }
        sheet_service.save_sheet(
            assignment=a,
            inputs=inputs,
            submit=True,
            actor=a.judge,
            now=stage.opens_at + timedelta(hours=int(rng.integers(2, 400))),
        )
        n_sheets += 1
    return n_sheets
