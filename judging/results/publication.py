"""Publishing a stage's ranking (or the round's combined ranking) as an immutable version."""

from __future__ import annotations

from datetime import datetime

import numpy as np
from flask_babel import lazy_gettext as _l

from competition.accounts.models import User
from competition.actors import records_actor
from competition.errors import (
    InvalidState,
)
from competition.rounds.models import Stage
from judging.analysis import combined as combined_ranking
from judging.analysis import combined_publish, uncertainty_pages
from judging.analysis.services import (
    method_of,
    rank_arrays,
    scores_digest,
)
from judging.analysis.uncertainty import PlaceRanges
from judging.ranking import TIE_BREAK_RULE
from judging.results import awards


def review_risks(stage: Stage, *, combined: bool | None = None):
    """What the publishing page asks the committee to confirm before publishing ``stage``
    (``combined`` as in :func:`publish_results`), with the ranges of likely places to store:
    the combined ranking's (``combined_publish``) or the stage's own (``uncertainty_pages``)."""
    if combined is None:
        combined = combined_ranking.publishes_combined(stage)
    if combined:
        return combined_publish.publish_risks(stage.round)
    return uncertainty_pages.publish_risks(stage)


def _rows(entry_ids, cat_ids, rank, score, raw, n_sheets, ranges, digest):
    """The published rows; each with its range of likely places and tie from ``ranges`` when
    they were computed on the same input (``digest``), else without (NULL)."""
    entry_ids, rank = entry_ids.tolist(), rank.tolist()
    found = (
        ranges.at_places(entry_ids, rank)
        if ranges is not None and ranges.digest == digest
        else [None] * len(entry_ids)
    )
    return [
        awards.ResultRow(
            entry_id=e,
            category_id=c,
            rank=r,
            score=s,
            raw_score=w,
            n_judges=n,
            rank_lo=u[0] if u else None,
            rank_hi=u[1] if u else None,
            tied_with_next=u[2] if u else None,
        )
        for e, c, r, s, w, n, u in zip(
            entry_ids,
            cat_ids.tolist(),
            rank,
            score.tolist(),
            raw.tolist(),
            n_sheets.tolist(),
            found,
        )
    ]


@records_actor
def publish_results(
    *,
    stage: Stage,
    actor: User,
    now: datetime,
    reason: str = "",
    combined: bool | None = None,
    ranges: PlaceRanges | None = None,
):
    """Publish the stage's ranking as a new frozen version (``competition.awards``): plain rows
    built from arrays, no ORM object per entry. A correction (any version after the first)
    needs a ``reason``. Returns the ``Publication``.

    When the round has stage weights and ``stage`` is its last scored stage, what is published
    is the combined final ranking (``judging.combined``); ``combined=False`` publishes the
    stage's own ranking instead, ``combined=True`` insists (``InvalidState`` if it does not
    apply).

    ``ranges``: the ranges of likely places the publish review showed (its ``publish_risks``:
    the same fit, never computed again here); each row stores its range holding the published
    place and its tie with the next place, when they were computed on the input published
    (their digest), else none (NULL, as in publications written before ranges were stored)."""
    if combined is None:
        combined = combined_ranking.publishes_combined(stage)
    if combined:
        return _publish_combined(stage=stage, actor=actor, now=now, reason=reason, ranges=ranges)
    ranked = rank_arrays(stage)
    data = ranked.data
    cat_ids = np.array([c.id for c in data.categories], dtype=np.int64)
    placed = np.flatnonzero(ranked.rank > 0)
    rows = _rows(
        data.entry_ids[placed],
        cat_ids[data.category[placed]],
        ranked.rank[placed],
        ranked.score[placed],
        ranked.raw_score[placed],
        ranked.n_sheets[placed],
        ranges,
        data.digest() if ranges is not None else "",
    )
    if not rows:
        raise InvalidState(_l("There is nothing to publish: no entry has a submitted score."))
    digest, n_sheets = scores_digest(data)
    method = method_of(stage)
    params = {
        "method": method,
        "scale": [stage.scale_min, stage.scale_max],
        "tie_break": TIE_BREAK_RULE,
        "ranked_within": "category",
        "digest_format": "entry_id\tjudge_id\ttotal(6 decimals)\n, sorted",
    }
    return awards.record_results(
        stage=stage,
        rows=rows,
        actor=actor,
        now=now,
        method=method,
        params=params,
        scores_digest=digest,
        n_sheets=n_sheets,
        reason=reason,
    )


def _publish_combined(
    *, stage: Stage, actor: User, now: datetime, reason: str, ranges: PlaceRanges | None
):
    """The combined final ranking as ``stage``'s publication: scores on 0-100, the weights,
    each stage's method and the rule for entries that stopped earlier kept in ``params``."""
    if not combined_ranking.publishes_combined(stage):
        raise InvalidState(
            _l(
                "Only the last scored stage of a round with stage weights "
                "publishes the combined final ranking."
            )
        )
    arrays = combined_ranking.combined_arrays(stage.round)
    placed = np.flatnonzero(arrays.rank > 0)
    rows = _rows(
        arrays.entry_ids[placed],
        arrays.category_ids[placed],
        arrays.rank[placed],
        arrays.combined[placed],
        arrays.raw_combined[placed],
        arrays.n_sheets[placed],
        ranges,
        arrays.digest,
    )
    if not rows:
        raise InvalidState(
            _l("There is nothing to publish: no entry went through every weighted stage.")
        )
    params = {
        "method": combined_ranking.METHOD,
        "scale": [0, 100],
        "stages": [
            {
                "id": s.id,
                "name": s.name,
                "weight": w,
                "method": arrays.methods[s.id],
                "scale": [s.scale_min, s.scale_max],
            }
            for s, w in zip(arrays.stages, arrays.weights)
        ],
        "combination": "weighted mean of the stage scores put on 0-100",
        "ranked": combined_ranking.WHO_IS_RANKED,
        "ranked_within": "category",
        "tie_break": combined_ranking.TIE_BREAK_RULE,
        "digest_format": "stage_id\tsha256 of that stage's sheets\n, in stage order",
    }
    return awards.record_results(
        stage=stage,
        rows=rows,
        actor=actor,
        now=now,
        method=combined_ranking.METHOD,
        params=params,
        scores_digest=arrays.digest,
        n_sheets=int(arrays.n_sheets.sum()),
        reason=reason,
    )
