"""The round's combined final ranking: its scored stages (desk 40 %, presentation 30 %, field
30 %) combined with stage weights set by the committee.

Each scored stage is normalized with its own method (``analysis.rank_arrays``), and its entry
scores, on the stage's rubric scale, are put on 0-100 (``100 * (score - scale_min) /
(scale_max - scale_min)``) so that a 1-10 desk rubric and a 0-100 presentation rubric weigh
exactly what their weights say. ``ranking.combine_stages`` then takes the weighted mean.

Who is in it (KIPP practice): only the entries that went through every weighted stage, i.e.
have a score in each scored stage whose weight is above 0 (``missing="nan"``). An entry that
stopped earlier (not advanced to the presentation, or never scored there) is not in the final
ranking and gets no place or award from it: it keeps its stage results, shown apart with the
stage scores it has. A stage weighted 0 is shown but neither counts nor is required.

Places are per category; ties are broken by the score of the heaviest stage, then the next
heaviest, and so on (a later stage first when two weigh the same).

Weights are stored on the stages (``Stage.weight``, percent); they exist for the whole round
or not at all. With weights set, publishing the round's last scored stage publishes this
combined ranking (``services.publish_results``).

Uncertainty (``combined_uncertainty``): every weighted stage's posterior draws of the judge
model (``analysis.uncertainty``, the same fit as the stage's ranking page) are put on 0-100 and
combined draw by draw with the weights (``ranking.combine_draws``); the combined draws give each
entry's range of likely places, its chance of a winning place, and which award cuts are decided.
The place shown is the combined ranking above; where it falls outside the model's range the
range is stretched to hold it (``ranking.range_with_place``, as on a stage's pages).
Publishing asks for a tick (``publish_risks``) when an award goes to an entry below a stage's
pass mark in that stage, or when an award cut is undecided.
"""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass, field
from types import SimpleNamespace

import numpy as np
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from competition.accounts.models import User
from competition.actors import records_actor
from competition.db import db
from competition.entries.models import Entry
from competition.errors import InvalidFields, InvalidState, NotAllowed
from competition.rounds.models import Round, Stage
from judging.analysis import charts
from judging.analysis.services import load_stage, method_of, rank_arrays, scores_digest
from judging.analysis.uncertainty import DECIDED_HI, DECIDED_LO, LEVEL, Cut, stage_uncertainty
from judging.award_levels.services import levels_for
from judging.ranking import (
    combine_draws,
    combine_stages,
    range_with_place,
    rank_entries,
    summarize_draws,
)
from judging.uncertainty import Decisions, boundary_decisions

METHOD = "combined"  # Publication.method of a combined publication


LABEL = _l("Weighted combination of the scored stages")


# Plain English, recorded in a publication's parameters (like ranking.TIE_BREAK_RULE).
TIE_BREAK_RULE = "Ties are broken by the score of the heaviest stage, then of the next one."


WHO_IS_RANKED = "only entries with a score in every stage weighted above 0"


TOLERANCE = 0.01  # percent: 33.33 + 33.33 + 33.34 is 100


def scored_stages(round_: Round) -> list[Stage]:
    """The round's scored stages that take place (not skipped), in timeline order."""
    return [s for s in round_.stages if s.is_scored and not s.is_skipped]


def weights_of(round_: Round) -> list[float] | None:
    """The weights (percent) of ``scored_stages``, or None when the round has none (fewer than
    two scored stages, or weights not set)."""
    stages = scored_stages(round_)
    if len(stages) < 2 or any(s.weight is None for s in stages):
        return None
    return [float(s.weight) for s in stages]


def final_stage(round_: Round) -> Stage | None:
    stages = scored_stages(round_)
    return stages[-1] if stages else None


def publishes_combined(stage: Stage) -> bool:
    """True when publishing ``stage`` publishes the combined ranking: it is the round's last
    scored stage and the round has stage weights."""
    return weights_of(stage.round) is not None and final_stage(stage.round) is stage


def field_name(stage: Stage) -> str:
    return f"weight_{stage.id}"


@records_actor
def set_stage_weights(*, round_: Round, weights: dict[int, float | None], actor: User) -> None:
    """Set the weight (percent) of every scored stage of the round, keyed by stage id: each
    between 0 and 100, together 100 (within ``TOLERANCE``). All None clears them (no combined
    ranking). Raises ``InvalidFields`` (keyed by ``field_name``) or ``InvalidState``."""
    if not actor.is_committee:
        raise NotAllowed()
    stages = scored_stages(round_)
    if len(stages) < 2:
        raise InvalidState(
            _l("Stage weights combine two or more scored stages; this round has fewer.")
        )
    values = [weights.get(s.id) for s in stages]
    if all(v is None for v in values):
        for s in round_.stages:
            s.weight = None
        db.session.flush()
        return
    errors = {}
    for s, v in zip(stages, values):
        if v is None:
            errors[field_name(s)] = _l(
                "Give every scored stage a weight (0 if it does not "
                "count), or leave them all empty."
            )
        elif not math.isfinite(v) or v < 0 or v > 100:
            errors[field_name(s)] = _l("A weight is between 0 and 100.")
    if errors:
        raise InvalidFields(errors)
    total = sum(values)
    if abs(total - 100) > TOLERANCE:
        message = _l(
            "The weights add up to %(total)s %%; together they must make 100 %%.",
            total=f"{total:g}",
        )
        raise InvalidFields({field_name(s): message for s in stages}, message)
    for s in round_.stages:
        s.weight = None
    for s, v in zip(stages, values):
        s.weight = float(v)
    db.session.flush()


@dataclass
class CombinedArrays:
    """The combined ranking as arrays over the entries scored in at least one stage.

    entry_ids, category_ids, combined, raw_combined, rank, n_sheets: (n,); stage_scores,
    stage_raw: (n, k) on 0-100 over ``stages`` (NaN: no score in that stage); rank 0 and
    combined NaN for entries outside the final ranking. ``digest`` identifies the input: SHA-256
    of one line per stage, ``stage_id<TAB>scores digest of that stage``."""

    stages: list[Stage]
    weights: list[float]
    entry_ids: np.ndarray
    category_ids: np.ndarray
    stage_scores: np.ndarray
    stage_raw: np.ndarray
    combined: np.ndarray
    raw_combined: np.ndarray
    rank: np.ndarray
    order: np.ndarray
    n_sheets: np.ndarray
    digest: str
    methods: dict[int, str] = field(default_factory=dict)


def _on_100(score: np.ndarray, stage: Stage) -> np.ndarray:
    span = float(stage.scale_max - stage.scale_min) or 1.0
    return 100.0 * (score - stage.scale_min) / span


def combined_arrays(round_: Round) -> CombinedArrays:
    """Normalize each scored stage with its method, put the scores on 0-100, combine them with
    the round's weights (see the module docstring for who is ranked). Raises ``InvalidState``
    when the round has no stage weights."""
    weights = weights_of(round_)
    if weights is None:
        raise InvalidState(_l("Set the stage weights first."))
    stages = scored_stages(round_)
    per_stage = []
    for stage in stages:
        ranked = rank_arrays(stage, data=load_stage(stage))
        data, result = ranked.data, ranked.result
        cat_ids = np.array([c.id for c in data.categories], dtype=np.int64)
        has = result.n_sheets > 0
        per_stage.append(
            (
                data.entry_ids[has],
                cat_ids[data.category[has]],
                _on_100(result.entry_score[has], stage),
                _on_100(ranked.raw.entry_score[has], stage),
                result.n_sheets[has],
                scores_digest(data)[0],
            )
        )
    entry_ids = (
        np.unique(np.concatenate([p[0] for p in per_stage])) if per_stage else np.zeros(0, np.int64)
    )
    n, k = entry_ids.size, len(stages)
    scores = np.full((n, k), np.nan)
    raw = np.full((n, k), np.nan)
    category_ids = np.zeros(n, np.int64)
    n_sheets = np.zeros(n, np.int64)
    for j, (ids, cats, score, raw_score, sheets, _digest) in enumerate(per_stage):
        pos = np.searchsorted(entry_ids, ids)
        scores[pos, j], raw[pos, j] = score, raw_score
        category_ids[pos] = cats  # an entry keeps its category through the stages
        n_sheets[pos] += sheets
    w = np.asarray(weights, dtype=float)
    counted = w > 0
    combined = combine_stages(scores[:, counted], w[counted], missing="nan") if n else np.zeros(0)
    raw_combined = combine_stages(raw[:, counted], w[counted], missing="nan") if n else np.zeros(0)
    # tie-break: heaviest stage first; a later stage first among equal weights
    by_weight = sorted(range(k), key=lambda j: (-w[j], -j))
    ranked = rank_entries(combined, tiebreak=[scores[:, j] for j in by_weight], group=category_ids)
    digest = hashlib.sha256(
        "".join(f"{s.id}\t{p[5]}\n" for s, p in zip(stages, per_stage)).encode()
    ).hexdigest()
    return CombinedArrays(
        stages,
        weights,
        entry_ids,
        category_ids,
        scores,
        raw,
        combined,
        raw_combined,
        ranked.rank,
        ranked.order,
        n_sheets,
        digest,
        {s.id: method_of(s) for s in stages},
    )


@dataclass
class CombinedRow:
    entry: Entry
    rank: int
    combined: float
    stage_scores: list[float]
    rank_lo: int = 0
    rank_hi: int = 0
    p_top: float = float("nan")
    tied_with_next: bool = False
    interval_svg: str = ""

    @property
    def reached(self) -> int:
        """How many stages the entry has a score in."""
        return sum(1 for s in self.stage_scores if s == s)


@dataclass
class CombinedCategory:
    category: object
    rows: list[CombinedRow]  # the final ranking, best first
    others: list[CombinedRow]  # not through every weighted stage: their stage results only


@dataclass
class CombinedRanking:
    round: Round
    stages: list[Stage]
    weights: list[float]
    categories: list[CombinedCategory]
    uncertainty: CombinedUncertainty | None = None


def combined_ranking(round_: Round) -> CombinedRanking:
    """The committee's final ranking page: per category, the ranked entries with each stage's
    score (0-100) and the combined score, then the entries outside the final ranking."""
    arrays = combined_arrays(round_)
    ids = arrays.entry_ids.tolist()
    found = _entries(ids)
    unc = combined_uncertainty(round_, arrays)
    sizes = {}
    for c in arrays.category_ids[arrays.rank > 0].tolist():
        sizes[c] = sizes.get(c, 0) + 1
    cats = {c.id: CombinedCategory(c, [], []) for c in round_.categories}
    for i in arrays.order.tolist():
        row = CombinedRow(
            found[ids[i]],
            int(arrays.rank[i]),
            float(arrays.combined[i]),
            arrays.stage_scores[i].tolist(),
        )
        if unc.available and row.rank:
            row.rank_lo, row.rank_hi = int(unc.rank_lo[i]), int(unc.rank_hi[i])
            row.p_top = float(unc.p_top[i])
            row.tied_with_next = bool(unc.tied_with_next[i])
            row.interval_svg = charts.rank_interval(
                row.rank_lo,
                row.rank_hi,
                row.rank,
                sizes[int(arrays.category_ids[i])],
                label=f"{row.rank_lo}-{row.rank_hi}",
            )
        target = cats[int(arrays.category_ids[i])]
        (target.rows if row.rank else target.others).append(row)
    for c in cats.values():  # outside the ranking: furthest first, then by title
        c.others.sort(key=lambda r: (-r.reached, r.entry.title))
    return CombinedRanking(
        round_,
        arrays.stages,
        arrays.weights,
        [c for c in cats.values() if c.rows or c.others],
        unc,
    )


@dataclass
class CombinedUncertainty:
    """The combined ranking's uncertainty (see the module docstring). Arrays over the
    ``CombinedArrays`` entries, None when not ``available``: ``rank_lo``, ``rank_hi`` (range of
    likely places holding the place shown; 0 outside the final ranking), ``widened`` (the range
    was stretched to the place), ``p_top`` (chance of a place <= ``top_n``), ``tied_with_next``;
    ``decisions`` at ``cuts``. ``computing``: a large stage's fit is still running;
    ``unmeasured``: in some weighted stage no entry has two judges (no range can be given)."""

    top_n: int
    cuts: list[Cut]
    rank_lo: np.ndarray | None = None
    rank_hi: np.ndarray | None = None
    widened: np.ndarray | None = None
    p_top: np.ndarray | None = None
    tied_with_next: np.ndarray | None = None
    decisions: Decisions | None = None
    computing: bool = False
    unmeasured: bool = False

    @property
    def available(self) -> bool:
        return self.rank_lo is not None


def combined_cuts(round_: Round) -> tuple[int, list[Cut]]:
    """``(top_n, cuts)``: the winners per category and the award levels of the final stage
    (the stage whose publication carries the combined ranking and its awards)."""
    final = final_stage(round_)
    top_n = max(1, final.winners_per_category) if final is not None else 1
    cuts = [Cut(top_n, "award")]
    for level in levels_for(final) if final is not None else []:
        if all(c.place != level.up_to_rank for c in cuts):
            cuts.append(Cut(level.up_to_rank, "level", level.title))
    return top_n, cuts


def combined_uncertainty(
    round_: Round, arrays: CombinedArrays, *, wait: bool = False
) -> CombinedUncertainty:
    """Ranges of likely places and decisions of the combined ranking from the stages' draws
    (``wait``: fit large stages now, as the CLI does, instead of reporting ``computing``)."""
    top_n, cuts = combined_cuts(round_)
    out = CombinedUncertainty(top_n, cuts)
    n = arrays.entry_ids.size
    w = np.asarray(arrays.weights, dtype=float)
    counted = w > 0
    per_stage = []
    for stage, use in zip(arrays.stages, counted.tolist()):
        if not use:
            continue
        unc = stage_uncertainty(stage, wait=wait)
        if unc.computing:
            out.computing = True
            return out
        if unc.result is None:  # no sheet yet: nothing to say
            return out
        if not unc.measurable:
            out.unmeasured = True
            return out
        ids = unc.data.entry_ids
        pos = np.searchsorted(arrays.entry_ids, ids)
        inside = pos < n
        inside[inside] = arrays.entry_ids[pos[inside]] == ids[inside]
        d = np.full((unc.result.score_draws.shape[0], n), np.nan)
        d[:, pos[inside]] = _on_100(unc.result.score_draws[:, inside].astype(float), stage)
        per_stage.append(d)
    if not per_stage or n == 0:
        return out
    # stages are fitted apart: pair their draws one to one, evenly thinned to the fewest
    n_draws = min(d.shape[0] for d in per_stage)
    per_stage = [
        d[np.linspace(0, d.shape[0] - 1, n_draws).round().astype(np.intp)] for d in per_stage
    ]
    draws = combine_draws(per_stage, w[counted], missing="nan")
    ranked = arrays.rank > 0
    draws[:, ~ranked] = np.nan
    point = np.where(ranked, arrays.combined, np.nan)
    summary = summarize_draws(draws, point, arrays.category_ids, level=LEVEL, top_n=top_n)
    out.rank_lo, out.rank_hi, out.widened = range_with_place(
        arrays.rank, summary["rank_lo"], summary["rank_hi"]
    )
    out.p_top = summary["p_top"]
    out.tied_with_next = summary["tied_with_next"]
    out.decisions = boundary_decisions(
        SimpleNamespace(rank_draws=summary["rank_draws"], rank=arrays.rank, score_draws=draws),
        [c.place for c in cuts],
        lo=DECIDED_LO,
        hi=DECIDED_HI,
    )
    return out


@dataclass
class CombinedRisks:
    """What to confirm before publishing the combined ranking: awards to entries below a
    stage's pass mark in that stage (entry, stage, score and pass mark on the stage's scale,
    award title), entries that could still swap across an award cut (entry, cut, chance of
    being in), ``computing`` / ``unmeasured`` as in :class:`CombinedUncertainty`."""

    below_pass: list = field(default_factory=list)
    undecided: list = field(default_factory=list)
    computing: bool = False
    unmeasured: bool = False
    combined: bool = True  # the confirmation page words it for the combined ranking

    def __bool__(self) -> bool:
        return bool(self.below_pass or self.undecided or self.computing or self.unmeasured)


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
    entries = _entries(arrays.entry_ids.tolist())
    ids = arrays.entry_ids.tolist()
    for j, (stage, weight) in enumerate(zip(arrays.stages, arrays.weights)):
        if weight <= 0 or stage.pass_mark is None:
            continue
        mark = _on_100(float(stage.pass_mark), stage)
        for i, title in award_at.items():
            score = arrays.stage_scores[i, j]
            if score == score and score < mark:
                span = float(stage.scale_max - stage.scale_min) or 1.0
                on_stage = stage.scale_min + score * span / 100.0
                risks.below_pass.append(
                    (entries[ids[i]], stage, on_stage, float(stage.pass_mark), title)
                )
    unc = combined_uncertainty(round_, arrays)
    risks.computing, risks.unmeasured = unc.computing, unc.unmeasured
    if unc.decisions is not None:
        for cut, b in zip(unc.cuts, unc.decisions.boundaries):
            for i in np.flatnonzero(b.undecided).tolist():
                risks.undecided.append((entries[ids[i]], cut, float(b.p_in[i])))
    return risks


def _entries(ids: list[int]) -> dict[int, Entry]:
    if not ids:
        return {}
    return {
        e.id: e
        for e in db.session.scalars(
            select(Entry)
            .where(Entry.id.in_(ids))
            .options(selectinload(Entry.organisation), selectinload(Entry.category))
        )
    }
