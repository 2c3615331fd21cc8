"""A stage's method and its ranking for the committee's pages and the published results: the
stage's normalization method (``set_method``, ``method_of``), the point ranking of its arrays
with the tie-break (``rank_arrays``, computed once and shared through the ``RankingCache``),
the bootstrap rank intervals, the rows of the ranking pages (``compute_ranking``) and the
digest of the input scores a published ranking is recomputed from (``scores_digest``).

The arrays come from ``judging.analysis.stage_data``; the comparison of methods is
``judging.analysis.comparison``, the judges' report ``judging.analysis.judge_report``."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

import numpy as np
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from competition.accounts.models import User
from competition.actors import records_actor
from competition.db import db
from competition.entries.models import Entry
from competition.errors import InvalidState
from competition.pagination import Page, make_page
from competition.rounds.models import Stage
from judging.analysis import charts, methods
from judging.analysis.ranking_cache import _MEMO, _remember, _shared_digest, _shared_result
from judging.analysis.stage_arrays import _columns
from judging.analysis.stage_data import StageData, load_stage
from judging.normalize import Normalized
from judging.panels.models import Assignment
from judging.ranking import TIE_BREAK_RULE, BootstrapRanks, bootstrap_ranks, near_ties, rank_entries
from judging.scoring.models import Criterion, Score, ScoreSheet, SheetStatus
from judging.scoring.rubric import rubric_is_frozen


@records_actor
def set_method(*, stage: Stage, method: str, actor: User) -> Stage:
    """Choose the stage's normalization method; only before the first score, so nobody can
    pick the method after seeing which one favours whom."""
    if method not in methods.REGISTRY:
        raise InvalidState(_l("Unknown normalization method."))
    if rubric_is_frozen(stage) and method != stage.method:
        raise InvalidState(_l("The method can only be changed before the first score."))
    stage.method = method
    db.session.flush()
    return stage


# Kept for ``judging.results.views`` (the berita acara's method names) until it reads
# ``judging.analysis.methods`` itself: a view of the registry, not a second list.
METHOD_LABELS = {m.name: m.label for m in methods.all_methods()}


BOOTSTRAP_RESAMPLES = 1000


def method_of(stage: Stage) -> str:
    """The stage's recorded normalization method; Juri's default when none was chosen."""
    return stage.method if stage.method in methods.REGISTRY else methods.DEFAULT


def scores_digest(data) -> tuple[str, int]:
    """SHA-256 of the stage's input scores and the number of sheets: one line per submitted
    sheet, ``entry_id<TAB>judge_id<TAB>total`` (total with 6 decimals), sorted by entry then
    judge. Anyone holding the sheets can recompute it. Memoized with ``load_stage``'s arrays."""
    memo = getattr(data, "memo", None)
    if memo is not None and "scores_digest" in memo:
        return memo["scores_digest"]
    found = _scores_digest(data)
    if memo is not None:
        memo["scores_digest"] = found
    return found


def _scores_digest(data) -> tuple[str, int]:
    entry = data.entry_ids[data.e_idx]
    judge = data.judge_ids[data.j_idx]
    order = np.lexsort((judge, entry))
    lines = "".join(
        f"{e}\t{j}\t{t:.6f}\n"
        for e, j, t in zip(entry[order].tolist(), judge[order].tolist(), data.total[order].tolist())
    )
    return hashlib.sha256(lines.encode()).hexdigest(), int(order.size)


@dataclass
class RankingRow:
    entry: Entry
    rank: int
    score: float
    raw_score: float
    n_judges: int
    judge_totals: list[tuple[User, float]] = field(default_factory=list)
    se: float = float("nan")
    tied: bool = False
    place_lo: int = 0
    place_hi: int = 0
    rank_lo: int = 0
    rank_hi: int = 0
    p_top: float = float("nan")
    interval_svg: str = ""


@dataclass
class CategoryRanking:
    category: object
    rows: list[RankingRow]
    size: int = 0  # ranked entries in the category (rows may show only the first ones)
    starts: bool = True  # the rows begin at the category's first place (paged rankings)

    @property
    def truncated(self) -> bool:
        return len(self.rows) < self.size


@dataclass
class StageRanking:
    stage: Stage
    method: str
    categories: list[CategoryRanking]
    tie_break_rule: str = TIE_BREAK_RULE
    expected: int = 0
    submitted: int = 0
    warning: str = ""
    top_n: int = 3
    converged: bool = True  # False: the judge model stopped without settling (see normalize)
    page: Page | None = None  # the rows shown, of the list by category then place (paged)
    sizes: list = field(default_factory=list)  # (category, entries) of every category ranked


def _heaviest_criterion_means(data: StageData) -> np.ndarray:
    """Per entry, the mean score on the heaviest criterion (the first tie-break key)."""
    stage = data.stage
    heaviest = db.session.scalar(
        select(Criterion.id)
        .where(Criterion.stage_id == stage.id)
        .order_by(Criterion.weight.desc(), Criterion.position, Criterion.id)
        .limit(1)
    )
    out = np.full(data.n_entries, -np.inf)
    if heaviest is None:
        return out
    rows = db.session.execute(
        select(Assignment.entry_id, func.avg(Score.value))
        .join(ScoreSheet, ScoreSheet.assignment_id == Assignment.id)
        .join(Score, Score.sheet_id == ScoreSheet.id)
        .where(
            Assignment.stage_id == stage.id,
            ScoreSheet.status == SheetStatus.SUBMITTED,
            Score.criterion_id == heaviest,
            Score.value.is_not(None),
        )
        .group_by(Assignment.entry_id)
    ).all()
    ids, means = _columns(rows, (np.int64, float))
    order = np.argsort(data.entry_ids)
    pos = np.clip(np.searchsorted(data.entry_ids[order], ids), 0, max(data.n_entries - 1, 0))
    found = data.entry_ids[order][pos] == ids if data.n_entries else np.zeros(0, bool)
    out[order[pos[found]]] = means[found]
    return out


def _tiebreak_means(data: StageData) -> np.ndarray:
    """``_heaviest_criterion_means``, kept with the stage's cached arrays: the fingerprint
    holds the criteria's weights, and a score changes only with its sheet's row (``save_sheet``
    always updates it), so equal arrays have equal means."""
    key = "heaviest_criterion_means"
    found = data.memo.get(key)
    if found is None:
        found = _heaviest_criterion_means(data)
        found.flags.writeable = False
        data.memo[key] = found
    return found


@dataclass(frozen=True)
class RankCore:
    """A stage's point ranking under one method, over its entries (n_entries,): what
    ``rank_arrays`` computes and the pages show, kept in the shared cache (``RankingCache``).
    rank, order: as ``judging.ranking.rank_entries`` (ties broken by ``TIE_BREAK_RULE``);
    entry_score, entry_se, n_sheets: the method's fit; raw_score: the raw mean; tied,
    place_lo, place_hi: ``judging.ranking.near_ties`` of the scores; warning, converged: the
    fit's (see ``judging.normalize.Normalized``)."""

    rank: np.ndarray
    order: np.ndarray
    entry_score: np.ndarray
    entry_se: np.ndarray
    n_sheets: np.ndarray
    raw_score: np.ndarray
    tied: np.ndarray
    place_lo: np.ndarray
    place_hi: np.ndarray
    warning: str = ""
    converged: bool = True


class Ranked:
    """A stage's ranking as arrays over ``data``'s entries (what publishing stores): ``rank``,
    ``order``, ``score`` (the method's), ``raw_score`` and ``n_sheets`` from ``core``; the fits
    themselves (``result``, ``raw``: ``judging.normalize.Normalized``) are made on first use
    only, since the core usually comes from the shared cache."""

    def __init__(self, data: StageData, method: str, core: RankCore):
        self.data, self.method, self.core = data, method, core

    rank = property(lambda self: self.core.rank)
    order = property(lambda self: self.core.order)
    score = property(lambda self: self.core.entry_score)
    raw_score = property(lambda self: self.core.raw_score)
    n_sheets = property(lambda self: self.core.n_sheets)

    @property
    def result(self) -> Normalized:
        return self.data.normalize(self.method)

    @property
    def raw(self) -> Normalized:
        return self.data.normalize(methods.BASELINE)


def _compute_core(stage: Stage, method: str, data: StageData) -> RankCore:
    result = data.normalize(method)
    raw = data.normalize(methods.BASELINE)
    tiebreak = (_tiebreak_means(data), result.n_sheets, -data.submitted_ts)
    ranked = rank_entries(result.entry_score, tiebreak=tiebreak, group=data.category)
    ties = near_ties(result.entry_score, result.entry_se, group=data.category)
    return RankCore(
        ranked.rank,
        ranked.order,
        result.entry_score,
        result.entry_se,
        result.n_sheets,
        raw.entry_score,
        ties.flag,
        ties.place_lo,
        ties.place_hi,
        str(result.warning or ""),
        bool(result.converged),
    )


def _rank_core(stage: Stage, method: str, data: StageData) -> RankCore:
    """The stage's point ranking: from this process's memo of the arrays, else from the shared
    cache (computed once for every worker and server), else computed and shared."""
    key = ("rank_core", method, data.category.tobytes())
    core = data.memo.get(key)
    if core is None:
        core = _shared_result(
            "ranking",
            RankCore,
            stage,
            _shared_digest("ranking", stage, method, data, data.category.tobytes()),
            lambda: _compute_core(stage, method, data),
        )
        for value in vars(core).values():
            if isinstance(value, np.ndarray):
                value.flags.writeable = False
        data.memo[key] = core
    return core


def rank_arrays(
    stage: Stage, method: str | None = None, *, data: StageData | None = None
) -> Ranked:
    """Normalize the stage's sheets with ``method`` (default: the stage's) and rank within each
    category, ties broken by ``TIE_BREAK_RULE``. Arrays only: no ORM object per entry. The
    ranking is computed once for every process (``_rank_core``)."""
    method = method or method_of(stage)
    data = data or load_stage(stage)
    return Ranked(data, method, _rank_core(stage, method, data))


def _bootstrap(stage: Stage, method: str, data: StageData, top_n: int):
    """Bootstrap rank intervals, kept per process and in the shared cache on the exact input
    (the sheets' entries, judges and totals): a closed or published stage is resampled once,
    not on every view nor in every worker."""
    key = ("bootstrap", stage.id, method, top_n, data.digest())
    boot = _MEMO.get(key)
    if boot is None:
        boot = _shared_result(
            "bootstrap",
            BootstrapRanks,
            stage,
            _shared_digest("bootstrap", stage, method, data, top_n, BOOTSTRAP_RESAMPLES),
            lambda: bootstrap_ranks(
                data.normalize(method),
                data.e_idx,
                data.category,
                n_boot=BOOTSTRAP_RESAMPLES,
                top_n=top_n,
                seed=stage.stable_seed,
            ),
        )
        _remember(key, boot)
    return boot


def compute_ranking(
    stage: Stage,
    method: str | None = None,
    *,
    uncertainty: bool = True,
    data: StageData | None = None,
    limit: int | None = None,
    page: int = 1,
    per_page: int | None = None,
    category_id: int | None = None,
    judge_totals: bool = True,
) -> StageRanking:
    """The stage's ranking per category with ``method`` (the stage's method by default; see
    ``judging.analysis``), for the committee's pages: ``rank_arrays`` plus, with
    ``uncertainty``, statistical ties and each entry's bootstrap rank interval and probability
    of a winning place (``stage.winners_per_category``); ``data``: the stage's arrays when the
    caller has them already (``load_stage``). With ``limit``, each category keeps only its first
    ``limit`` rows (a national round has thousands); ``CategoryRanking.size`` tells how many
    there are. With ``per_page``, the rows are page ``page`` of the list of every entry by
    category then place (``StageRanking.page``), of category ``category_id`` only when given:
    rows are made (and entries loaded) for that page only. Without ``judge_totals`` the rows
    leave out each judge's total (and the judges are not loaded)."""
    method = method or method_of(stage)
    ranked = rank_arrays(stage, method, data=data)
    data, core = ranked.data, ranked.core
    top_n = max(1, stage.winners_per_category)
    boot = None
    if uncertainty and data.total.size:
        boot = _bootstrap(stage, method, data, top_n)
    # rows shown: the first `limit` of each category in ranking order
    order = ranked.order
    cat_of = data.category[order]
    at = None
    if category_id is not None:
        k = next((i for i, c in enumerate(data.categories) if c.id == category_id), -1)
        order, cat_of = order[cat_of == k], cat_of[cat_of == k]
    if per_page is not None:
        at = make_page(int(order.size), page, per_page)
        window = slice(at.offset, at.offset + at.per_page)
        # the categories whose first place is on this page (order lists them one by one;
        # the others continue from the page before)
        is_first = np.r_[True, cat_of[1:] != cat_of[:-1]] if order.size else cat_of.astype(bool)
        starts = set(cat_of[window][is_first[window]].tolist())
        order = order[window]
    elif limit is not None and order.size:
        by_cat = np.argsort(cat_of, kind="stable")  # keeps ranking order within a category
        first = np.r_[0, np.flatnonzero(np.diff(cat_of[by_cat])) + 1]
        pos = np.empty(order.size, dtype=np.intp)
        pos[by_cat] = np.arange(order.size) - np.repeat(first, np.diff(np.r_[first, order.size]))
        order = order[pos < limit]
    shown = order.tolist()
    entries = dict(zip(shown, data.entries_at(shown)))
    wanted = np.zeros(data.n_entries, bool)
    wanted[order] = True
    per_entry: dict[int, list[tuple[User, float]]] = {}
    keep = wanted[data.e_idx] & judge_totals
    for e, j, t in zip(
        data.e_idx[keep].tolist(), data.j_idx[keep].tolist(), data.total[keep].tolist()
    ):
        per_entry.setdefault(e, []).append((data.judges[j], t))
    sizes = np.bincount(data.category[core.n_sheets > 0], minlength=len(data.categories))
    all_sizes = np.bincount(data.category, minlength=len(data.categories))
    cats = [
        CategoryRanking(c, [], int(n), starts=at is None or k in starts)
        for k, (c, n) in enumerate(zip(data.categories, all_sizes))
    ]
    for i in shown:
        row = RankingRow(
            entry=entries[i],
            rank=int(core.rank[i]),
            score=float(core.entry_score[i]),
            raw_score=float(core.raw_score[i]),
            n_judges=int(core.n_sheets[i]),
            judge_totals=per_entry.get(i, []),
            se=float(core.entry_se[i]),
            tied=bool(core.tied[i]),
            place_lo=int(core.place_lo[i]),
            place_hi=int(core.place_hi[i]),
        )
        if boot is not None and row.rank > 0:
            row.rank_lo, row.rank_hi = int(boot.rank_lo[i]), int(boot.rank_hi[i])
            row.p_top = float(boot.p_top[i])
            row.interval_svg = charts.rank_interval(
                row.rank_lo,
                row.rank_hi,
                row.rank,
                int(sizes[data.category[i]]),
                label=f"{row.rank_lo}-{row.rank_hi}",
            )
        cats[data.category[i]].rows.append(row)
    expected = data.sheets_expected
    if expected is None:  # arrays made by hand: count the assignments
        expected = db.session.scalar(
            select(func.count(Assignment.id)).where(Assignment.stage_id == stage.id)
        )
    return StageRanking(
        stage,
        method,
        [c for c in cats if c.rows],
        expected=expected or 0,
        submitted=int(data.total.size),
        warning=core.warning,  # the fit's, kept with the ranking: the fit is not read
        top_n=top_n,
        converged=core.converged,
        page=at,
        sizes=[(c, int(n)) for c, n in zip(data.categories, all_sizes) if n],
    )
