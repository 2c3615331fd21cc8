"""What to confirm before publishing the combined final ranking: an award to an entry below a
stage's pass mark in that stage, and an award cut of the final stage (the winners, each award
level) that is still undecided. The publishing page asks for a tick when there is either
(``judging.results.views``)."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from competition.rounds.models import Round
from judging.analysis import blunders
from judging.analysis.combined import combined_arrays, combined_uncertainty, load_entries
from judging.analysis.combined_math import from_100, on_100
from judging.analysis.combined_weights import final_stage
from judging.analysis.uncertainty import PlaceRanges, stage_uncertainty
from judging.award_levels.services import levels_for


@dataclass
class CombinedRisks:
    """What to confirm before publishing the combined ranking: awards to entries below a
    stage's pass mark in that stage (entry, stage, score and pass mark on the stage's scale,
    award title), entries that could still swap across an award cut (entry, cut, chance of
    being in), ``computing`` / ``unmeasured`` as in ``combined.CombinedUncertainty``."""

    below_pass: list = field(default_factory=list)
    undecided: list = field(default_factory=list)
    computing: bool = False
    unmeasured: bool = False
    combined: bool = True  # the confirmation page words it for the combined ranking
    # (stage, blunders.FlaggedSheet) of the weighted stages' scores that look like typing
    # mistakes: each still counts in its stage's score
    mistakes: list = field(default_factory=list)
    # each entry's range of likely places in the combined ranking, for the publication to
    # store (None when they cannot be given); not a risk
    ranges: PlaceRanges | None = None

    def __bool__(self) -> bool:
        return bool(
            self.below_pass or self.undecided or self.computing or self.unmeasured or self.mistakes
        )


def publish_risks(round_: Round) -> CombinedRisks:
    """The risks of publishing the round's combined ranking as it stands."""
    arrays = combined_arrays(round_)
    risks = CombinedRisks()
    final = final_stage(round_)
    levels = levels_for(final) if final is not None else []
    award_at = {}
    if levels:
        for i in np.flatnonzero(
            (arrays.rank >= 1) & (arrays.rank <= max(lv.up_to_rank for lv in levels))
        ).tolist():
            award_at[i] = next(lv for lv in levels if arrays.rank[i] <= lv.up_to_rank).title
    entries = load_entries(arrays.entry_ids.tolist())
    ids = arrays.entry_ids.tolist()
    for j, (stage, weight) in enumerate(zip(arrays.stages, arrays.weights)):
        if weight <= 0 or stage.pass_mark is None:
            continue
        mark = on_100(float(stage.pass_mark), stage.scale_min, stage.scale_max)
        for i, title in award_at.items():
            score = arrays.stage_scores[i, j]
            if score == score and score < mark:
                on_stage = from_100(score, stage.scale_min, stage.scale_max)
                risks.below_pass.append(
                    (entries[ids[i]], stage, on_stage, float(stage.pass_mark), title)
                )
    for stage, weight in zip(arrays.stages, arrays.weights):
        if weight > 0:  # each stage's fit, as its ranking page shows it (cached)
            flagged = blunders.flagged_sheets(stage_uncertainty(stage))
            risks.mistakes += [(stage, m) for m in flagged.sheets]
    unc = combined_uncertainty(round_, arrays)
    risks.computing, risks.unmeasured = unc.computing, unc.unmeasured
    if unc.available:
        risks.ranges = PlaceRanges(
            arrays.entry_ids,
            unc.rank_lo,
            unc.rank_hi,
            np.asarray(unc.tied_with_next, dtype=bool),
            arrays.digest,
        )
    if unc.decisions is not None:
        for cut, b in zip(unc.cuts, unc.decisions.boundaries):
            for i in np.flatnonzero(b.undecided).tolist():
                risks.undecided.append((entries[ids[i]], cut, float(b.p_in[i])))
    return risks
