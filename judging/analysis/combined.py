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
"""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass, field

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
from judging.analysis.services import load_stage, method_of, rank_arrays, scores_digest
from judging.ranking import combine_stages, rank_entries

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


def combined_ranking(round_: Round) -> CombinedRanking:
    """The committee's final ranking page: per category, the ranked entries with each stage's
    score (0-100) and the combined score, then the entries outside the final ranking."""
    arrays = combined_arrays(round_)
    ids = arrays.entry_ids.tolist()
    found = (
        {
            e.id: e
            for e in db.session.scalars(
                select(Entry)
                .where(Entry.id.in_(ids))
                .options(selectinload(Entry.organisation), selectinload(Entry.category))
            )
        }
        if ids
        else {}
    )
    cats = {c.id: CombinedCategory(c, [], []) for c in round_.categories}
    for i in arrays.order.tolist():
        row = CombinedRow(
            found[ids[i]],
            int(arrays.rank[i]),
            float(arrays.combined[i]),
            arrays.stage_scores[i].tolist(),
        )
        target = cats[int(arrays.category_ids[i])]
        (target.rows if row.rank else target.others).append(row)
    for c in cats.values():  # outside the ranking: furthest first, then by title
        c.others.sort(key=lambda r: (-r.reached, r.entry.title))
    return CombinedRanking(
        round_, arrays.stages, arrays.weights, [c for c in cats.values() if c.rows or c.others]
    )
