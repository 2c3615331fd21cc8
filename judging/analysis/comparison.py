"""The comparison of methods: a stage ranked with every normalization method, each entry with
the places it gains or loses against the raw mean and why, in words (``compare_methods``)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from flask_babel import lazy_gettext as _l

from competition.accounts.models import User
from competition.entries.models import Entry
from competition.rounds.models import Stage
from judging.analysis import explain, methods
from judging.analysis.services import method_of
from judging.analysis.stage_data import load_stage
from judging.normalize import Normalized
from judging.ranking import rank_entries


@dataclass
class ComparisonRow:
    entry: Entry
    ranks: dict[str, int]
    scores: dict[str, float]
    moved: int  # places gained (+) or lost (-) under the stage's method against the raw mean
    reason: str = ""


@dataclass
class CategoryComparison:
    category: object
    rows: list[ComparisonRow]
    size: int = 0  # ranked entries in the category (more than ``rows`` when limited)

    @property
    def truncated(self) -> bool:
        return self.size > len(self.rows)


# A judge is named as severe or lenient when its offset is at least this share of the rubric's
# range (2 points on 0-100), and at least half a point: -0.6 on 0-100 is no severity.
NAMED_OFFSET_SHARE = 0.02


def _reason(moved: int, judges: list[tuple[User, float]], span: float | None = None) -> str:
    """Why an entry moves between the raw mean and the calibrated ranking, in words. ``span``:
    the width of the stage's scale (which offsets are worth naming)."""
    if not judges or moved == 0:
        return ""
    named = max(0.5, NAMED_OFFSET_SHARE * span) if span else 0.5
    severe = [(u, o) for u, o in judges if o <= -named]
    lenient = [(u, o) for u, o in judges if o >= named]

    def names(items):  # each judge's offset in the page's language, with its unit
        return ", ".join(f"{u.name} ({explain.points(o, signed=True)})" for u, o in items)

    if moved > 0 and severe:
        return str(_l("Scored by severe judges: %(names)s", names=names(severe)))
    if moved < 0 and lenient:
        return str(_l("Scored by lenient judges: %(names)s", names=names(lenient)))
    mean = sum(o for _, o in judges) / len(judges)
    if moved > 0 and mean < 0:
        return str(
            _l(
                "Its judges score %(points)s below the panel on average",
                points=explain.points(-mean),
            )
        )
    if moved < 0 and mean > 0:
        return str(
            _l(
                "Its judges score %(points)s above the panel on average",
                points=explain.points(mean),
            )
        )
    return str(_l("Close scores: a small change in any judge's total reorders them"))


def compare_methods(
    stage: Stage, *, limit: int | None = None
) -> tuple[list[CategoryComparison], str, Normalized]:
    """Rank the stage with every method; rows in the order of the stage's method, each with
    the places it gains or loses against the raw mean and the reason. With ``limit``, only
    the first ``limit`` places of each category get a row (``size`` still counts them all)."""
    data = load_stage(stage)
    method = method_of(stage)
    ranks, scores = {}, {}
    for m in methods.names():
        result = data.normalize(m)
        scores[m] = result.entry_score
        ranks[m] = rank_entries(result.entry_score, group=data.category).rank
    fit = data.normalize(methods.judge_model(method).name)  # the judges' offsets, for reasons
    order = rank_entries(scores[method], group=data.category).order
    order = order[ranks[method][order] > 0]
    cats = [CategoryComparison(c, []) for c in data.categories]
    size = np.bincount(data.category[order], minlength=len(cats))
    for cat, n in zip(cats, size.tolist()):
        cat.size = n
    if limit is not None:  # the first ``limit`` of each category (order groups categories)
        cat_of = data.category[order]
        place = np.arange(order.size) - np.searchsorted(cat_of, cat_of, side="left")
        order = order[place < limit]
    shown = order.tolist()
    span = float(stage.scale_max - stage.scale_min)
    # Who judged each shown entry (for the reason), from the sheets of those entries only.
    on_page = np.isin(data.e_idx, order)
    judges_of: dict[int, list[tuple[User, float]]] = {}
    for e, j in zip(data.e_idx[on_page].tolist(), data.j_idx[on_page].tolist()):
        judges_of.setdefault(e, []).append((data.judges[j], float(fit.judge_offset[j])))
    for i, entry in zip(shown, data.entries_at(shown)):
        moved = int(ranks[methods.BASELINE][i] - ranks[method][i])
        cats[data.category[i]].rows.append(
            ComparisonRow(
                entry=entry,
                ranks={m: int(ranks[m][i]) for m in ranks},
                scores={m: float(scores[m][i]) for m in scores},
                moved=moved,
                reason=_reason(moved, judges_of.get(i, []), span),
            )
        )
    return [c for c in cats if c.rows], method, fit
