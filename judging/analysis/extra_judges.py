"""One more judge where it decides: the entries whose award or advancement is undecided, a
proposal of one more judge for each (``judging.uncertainty.plan_extra_judges``: no conflicts,
judges that link groups first, balanced loads) and its application through the ordinary
manual assignment (audited, the judges notified)."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

import numpy as np
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from competition.accounts.models import User
from competition.actors import records_actor
from competition.db import db
from competition.errors import InvalidState
from competition.rounds.models import Stage
from judging.analysis import uncertainty
from judging.panels import assignment as assignment_service
from judging.panels.models import Assignment
from judging.uncertainty import plan_extra_judges


@dataclass(frozen=True)
class Proposal:
    entry: object
    judge: User
    se_now: float
    se_new: float
    shrink: float  # 1 - se_new / se_now: the expected reduction of the entry's uncertainty
    links_groups: bool


@dataclass
class ExtraPlan:
    """The undecided entries (entry, cut, probability of being in) and the proposal."""

    stage: Stage
    computing: bool = False
    unmeasured: bool = False  # no entry has two judges: nothing can be called decided
    undecided: list = field(default_factory=list)  # (entry, CutBox-like text, p_in)
    proposals: list[Proposal] = field(default_factory=list)
    no_judge: list = field(default_factory=list)
    digest: str = ""

    @property
    def mean_shrink(self) -> float:
        vals = [p.shrink for p in self.proposals if np.isfinite(p.shrink)]
        return float(np.mean(vals)) if vals else float("nan")


def plan(stage: Stage) -> ExtraPlan:
    """The entries undecided at a cut (10-90 % chance of being in) and one more judge for each,
    with the same eligibility as the automatic assignment (conflicts, panels, withdrawals)."""
    unc = uncertainty.stage_uncertainty(stage)
    if unc.summary is None:
        return ExtraPlan(stage, computing=unc.computing)
    if not unc.measurable:
        return ExtraPlan(stage, unmeasured=True)
    res, data = unc.summary, unc.data
    cuts = uncertainty.cuts_of(stage, data)
    dec = uncertainty.decisions(unc, cuts)
    und = uncertainty.undecided_entries(unc, cuts, dec)
    if not und.size:
        return ExtraPlan(stage)
    judges = assignment_service.stage_judges(stage)
    entries = data.entries_at(list(range(data.n_entries)))
    # the same matrices as the automatic assignment: conflicts and panels
    allowed, _fixed, _prefer, _current = assignment_service._stage_matrices(stage, judges, entries)
    j_pos = {j.id: k for k, j in enumerate(judges)}
    rows = db.session.execute(
        select(Assignment.entry_id, Assignment.judge_id).where(Assignment.stage_id == stage.id)
    ).all()
    e_pos = {e: i for i, e in enumerate(data.entry_ids.tolist())}
    pairs = [(e_pos[e], j_pos[j]) for e, j in rows if e in e_pos and j in j_pos]
    a_entry = np.array([p[0] for p in pairs], dtype=np.intp)
    a_judge = np.array([p[1] for p in pairs], dtype=np.intp)
    noise = np.full(len(judges), np.nan)
    scale = np.full(len(judges), np.nan)
    for k, jid in enumerate(data.judge_ids.tolist()):
        if jid in j_pos:
            noise[j_pos[jid]] = res.judge_noise[k]
            scale[j_pos[jid]] = res.judge_scale[k]
    extra = plan_extra_judges(
        a_entry,
        a_judge,
        und,
        len(judges),
        se=res.se,
        judge_noise=noise,
        judge_scale=scale,
        conflict=~allowed,
        seed=stage.id,
    )
    undecided = []
    for i in und.tolist():
        for cut, b in zip(cuts, dec.boundaries):
            if b.undecided[i] and (cut.categories is None or data.category[i] in cut.categories):
                undecided.append((entries[i], cut, float(b.p_in[i])))
    proposals = [
        Proposal(entries[e], judges[j], float(s0), float(s1), float(sh), bool(br))
        for e, j, s0, s1, sh, br in zip(
            extra.entry.tolist(),
            extra.judge.tolist(),
            extra.se_now.tolist(),
            extra.se_new.tolist(),
            extra.shrink.tolist(),
            extra.bridges.tolist(),
        )
    ]
    key = repr(sorted((p.entry.id, p.judge.id) for p in proposals))
    return ExtraPlan(
        stage,
        undecided=undecided,
        proposals=proposals,
        no_judge=[entries[i] for i in extra.no_judge.tolist()],
        digest=hashlib.sha256(key.encode()).hexdigest()[:16],
    )


@records_actor
def assign_extra_judges(*, stage: Stage, digest: str, actor: User) -> ExtraPlan:
    """Assign the previewed extra judges (``digest`` from the preview: refused when the
    proposal changed since). Each goes through the manual assignment: audited, notified."""
    result = plan(stage)
    if not result.proposals:
        raise InvalidState(_l("No entry needs another judge."))
    if digest != result.digest:
        raise InvalidState(
            _l("The proposal changed since the preview; check the new proposal before assigning.")
        )
    for p in result.proposals:
        assignment_service.assign(stage=stage, entry=p.entry, judge=p.judge, actor=actor)
    return result
