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


def demo_conflicts(conflict_data, committee, judges, orgs, entries, people_too=True) -> None:
    """One judge works for an OPD and three declared conflicts (an OPD, two entries), so the
    automatic assignment has something to respect (``conflicts`` in ``competition.json``).
    ``people_too=False``: only the conflicts with entries (of a second round)."""
    by_username = {j.username: j for j in judges}
    entry_of = {e.organisation_id: e for e in entries}
    for c in conflict_data:
        judge = by_username[c["judge"]]
        if "entry" in c and orgs[c["entry"]].id not in entry_of:
            continue  # that OPD has no entry in this round
        if "entry" not in c and not people_too:
            continue
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


def simulate_sheets(
    stage, criteria, judges, judge_data, comments, rng, *, quality, now=None, slip=None
) -> int:
    """Judges score their assigned entries: an entry's ``quality`` (1-10) seen through the
    judge's ``offset``, ``spread`` and ``noise`` from ``judges.csv``, a comment matching the
    mood of the score. A finished stage (``now`` None): every sheet submitted at a time spread
    over the window. A stage open at ``now``: each judge has submitted a share of their sheets
    (20 % to 80 %, by judge), has a draft of the next one or two, and the rest still to do.
    ``slip`` (a judge's username): that judge's first submitted sheet is typed on a 1-10 scale
    (86 entered as 8.6), a typing mistake for the ranking page to find (the random draws are
    the same with or without it). Returns how many sheets were submitted."""
    params = {j.id: p for j, p in zip(judges, judge_data)}
    order = {j.id: k for k, j in enumerate(judges)}
    by_judge: dict[int, list] = {}
    for a in assignment_service.list_assignments(stage):
        by_judge.setdefault(a.judge_id, []).append(a)
    end = stage.closes_at - timedelta(days=2) if now is None else now - timedelta(hours=2)
    hours = max(3, int((end - stage.opens_at).total_seconds() // 3600))
    n_sheets = 0
    for judge_id, mine in by_judge.items():
        done = (
            len(mine) if now is None else round(len(mine) * (0.2 + 0.6 * (order[judge_id] % 4) / 3))
        )
        drafts = 0 if now is None else min(len(mine) - done, 1 + order[judge_id] % 2)
        times = sorted(int(h) for h in rng.integers(2, hours, len(mine)))
        for k, a in enumerate(mine):
            if k >= done + drafts:
                break
            p = params[judge_id]
            q = quality[a.entry_id]
            base = 6.5 + p["spread"] * (q - 6.5) + p["offset"] + rng.normal(0, p["noise"])
            # Simulated on a 1-10 feel, scored on the KIPP 0-100 scale.
            values = np.clip(np.round((base + rng.normal(0, 0.5, len(criteria))) * 10), 0, 100)
            slipped = k == 0 and k < done and a.judge.username == slip
            if slipped:  # and the judge ticked "these low scores are right" without looking
                values = values / 10.0
            mood = "high" if base >= 7.5 else "mid" if base >= 5.5 else "low"
            inputs = {
                c.id: sheet_service.CriterionInput(float(v), str(rng.choice(comments[mood])))
                for c, v in zip(criteria, values)
            }
            submit = k < done
            if not submit:  # a draft: the first criteria scored, the rest still empty
                kept = list(inputs)[: max(1, len(inputs) // 2)]
                inputs = {c: inputs[c] for c in kept}
            sheet_service.save_sheet(
                assignment=a,
                inputs=inputs,
                submit=submit,
                actor=a.judge,
                now=stage.opens_at + timedelta(hours=times[k], minutes=int(rng.integers(0, 60))),
                criteria=criteria,
                confirmed_low=slipped,
            )
            n_sheets += submit
    return n_sheets
