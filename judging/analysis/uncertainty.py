"""A stage's ranking with calibrated uncertainty (``judging.ranking.rank_uncertainty``) for the
committee's pages: the fit per stage, cached per process on the exact input, the decisions at
each award, advancement and pass-mark cut, and one more judge where it decides.

The fit is a Gibbs sampler: about a second for a provincial round, minutes for a national one.
Up to ``LARGE_STAGE`` sheets it runs on the request; above, a page shows "computing..." and the
fit runs in a background thread of the web process (pure numpy, no database) or from the CLI
(``flask juri uncertainty STAGE_ID``). The cache is a process-level LRU keyed by
``scores_digest``; a shared cache across processes is issue 17's business."""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass, field

import numpy as np
from flask_babel import lazy_gettext as _l

from competition.db import db
from competition.errors import InvalidState
from competition.rounds.models import Stage
from judging.analysis import advancement, charts
from judging.analysis.services import StageData, load_stage, rank_arrays, scores_digest
from judging.ranking import UncertainRanking, rank_uncertainty
from judging.results.awards import levels_for
from judging.uncertainty import Decisions, boundary_decisions

LARGE_STAGE = 20_000  # sheets; above this the fit is not run on the request path
CACHE_SIZE = 16
# The draws dominate a result's memory (a national stage: about 100 MiB); the cache keeps the
# most recent results within this many bytes (always at least the newest one).
CACHE_BYTES = 512 * 2**20
MODEL_METHODS = ("bias_scale", "bias", "raw")
ACROSS_MODES = ("assume_equal", "refuse")
LEVEL = 0.9  # the range of likely places covers 90 % of the posterior
DECIDED_LO, DECIDED_HI = 0.1, 0.9  # below 10 % or above 90 %: decided

_CACHE: OrderedDict[tuple, UncertainRanking] = OrderedDict()
_RUNNING: set[tuple] = set()
_LOCK = threading.Lock()


def model_method(stage: Stage) -> str:
    """The judge model of the uncertainty: the stage's method when it is one of the model's,
    else the offset-and-scale model (the other methods have no model of the judges)."""
    return stage.method if stage.method in MODEL_METHODS else "bias_scale"


def across_of(stage: Stage) -> str:
    """How judges who share no entry are compared: the stage's setting, else assume equal."""
    mode = getattr(stage, "uncertainty_across", None)
    return mode if mode in ACROSS_MODES else "assume_equal"


def _key(stage: Stage, data: StageData) -> tuple:
    digest, _n = scores_digest(data)
    return (
        stage.id,
        model_method(stage),
        across_of(stage),
        max(1, stage.winners_per_category),
        stage.scale_min,
        stage.scale_max,
        data.category.tobytes(),
        digest,
    )


def _fit(stage: Stage, data: StageData) -> UncertainRanking:
    return rank_uncertainty(
        data.e_idx,
        data.j_idx,
        data.total,
        method=model_method(stage),
        n_entries=data.n_entries,
        n_judges=int(data.judge_ids.size),
        group=data.category,
        scale_min=stage.scale_min,
        scale_max=stage.scale_max,
        level=LEVEL,
        top_n=max(1, stage.winners_per_category),
        seed=stage.id,
        across=across_of(stage),
    )


def _nbytes(result: UncertainRanking) -> int:
    return int(result.score_draws.nbytes + result.rank_draws.nbytes)


def _store(key: tuple, result: UncertainRanking) -> None:
    with _LOCK:
        _CACHE[key] = result
        _CACHE.move_to_end(key)
        while len(_CACHE) > 1 and (
            len(_CACHE) > CACHE_SIZE or sum(_nbytes(r) for r in _CACHE.values()) > CACHE_BYTES
        ):
            _CACHE.popitem(last=False)


def _cached(key: tuple) -> UncertainRanking | None:
    with _LOCK:
        result = _CACHE.get(key)
        if result is not None:
            _CACHE.move_to_end(key)
        return result


def _background(key: tuple, stage: Stage, data: StageData) -> None:
    """Fit in a daemon thread; the arguments are copied out of the ORM first (the thread
    touches no database)."""
    with _LOCK:
        if key in _RUNNING:
            return
        _RUNNING.add(key)
    params = {
        "id": stage.id,
        "method": stage.method,
        "winners_per_category": stage.winners_per_category,
        "scale_min": stage.scale_min,
        "scale_max": stage.scale_max,
        "uncertainty_across": across_of(stage),
    }

    def run():
        try:
            _store(key, _fit(_Detached(**params), data))
        finally:
            with _LOCK:
                _RUNNING.discard(key)

    threading.Thread(target=run, daemon=True, name=f"juri-uncertainty-{stage.id}").start()


@dataclass
class _Detached:
    """The stage's settings the fit reads, outside the session (for the background thread)."""

    id: int
    method: str
    winners_per_category: int
    scale_min: int
    scale_max: int
    uncertainty_across: str


@dataclass
class StageUncertainty:
    """A stage's uncertainty for the pages. ``result`` is None while a large stage is being
    computed (``computing``); ``index`` maps an entry id to its position in the arrays."""

    stage: Stage
    data: StageData
    result: UncertainRanking | None
    computing: bool = False
    index: dict[int, int] = field(default_factory=dict)

    def at(self, entry_id: int) -> int | None:
        return self.index.get(entry_id)

    @property
    def measurable(self) -> bool:
        """A fit whose ranges mean something: some entry has two judges (else the judges'
        noise, and with it every range and chance, is unknown)."""
        return self.result is not None and "se_not_estimable" not in self.result.warning_codes


def stage_uncertainty(
    stage: Stage, *, data: StageData | None = None, wait: bool = False
) -> StageUncertainty:
    """The stage's uncertain ranking, from the cache when the sheets did not change. A stage
    with more than ``LARGE_STAGE`` sheets is fitted only with ``wait`` (the CLI); otherwise a
    background fit starts and ``computing`` is True."""
    data = data or load_stage(stage)
    index = {e: i for i, e in enumerate(data.entry_ids.tolist())}
    if data.total.size == 0:
        return StageUncertainty(stage, data, None, False, index)
    key = _key(stage, data)
    result = _cached(key)
    if result is None:
        if data.total.size > LARGE_STAGE and not wait:
            _background(key, stage, data)
            return StageUncertainty(stage, data, None, True, index)
        result = _fit(stage, data)
        _store(key, result)
    return StageUncertainty(stage, data, result, False, index)


@dataclass(frozen=True)
class Cut:
    """One boundary a committee decides at: ``place`` (places 1..place are in), what it is
    (``kind``: "award", "level" or "advance", with the level's ``title``) and the categories it
    applies to (None: all)."""

    place: int
    kind: str
    title: str = ""
    categories: frozenset | None = None


def cuts_of(stage: Stage, data: StageData) -> list[Cut]:
    """The stage's cuts: the winners per category, each award level's last place, and the
    number advanced per category when advancement to the next stage was confirmed."""
    cuts = [Cut(max(1, stage.winners_per_category), "award")]
    seen = {cuts[0].place}
    for level in levels_for(stage):
        if level.up_to_rank not in seen:
            cuts.append(Cut(level.up_to_rank, "level", level.title))
            seen.add(level.up_to_rank)
    to_stage = advancement.next_scored_stage(stage)
    if to_stage is not None and advancement.is_confirmed(to_stage):
        advanced = advancement.advanced_ids(to_stage)
        counts: dict[int, int] = {}
        for e, c in zip(data.entry_ids.tolist(), data.category.tolist()):
            counts[c] = counts.get(c, 0) + (e in advanced)
        by_place: dict[int, set[int]] = {}
        for c, n in counts.items():
            if n:
                by_place.setdefault(n, set()).add(c)
        for place, cats in sorted(by_place.items()):
            cuts.append(Cut(place, "advance", categories=frozenset(cats)))
    return cuts


def decisions(unc: StageUncertainty, cuts: list[Cut]) -> Decisions | None:
    """``boundary_decisions`` at the cuts' places (in the order of ``cuts``) and the pass mark."""
    if unc.result is None:
        return None
    return boundary_decisions(
        unc.result,
        [c.place for c in cuts],
        pass_mark=unc.stage.pass_mark,
        lo=DECIDED_LO,
        hi=DECIDED_HI,
    )


def undecided_entries(unc: StageUncertainty, cuts: list[Cut], dec: Decisions) -> np.ndarray:
    """Indices of the entries whose award or advancement is undecided: a probability between
    10 % and 90 % at a cut that applies to their category (the pass mark is not a cut here)."""
    mask = np.zeros(unc.data.n_entries, dtype=bool)
    for cut, b in zip(cuts, dec.boundaries):
        applies = (
            np.ones_like(mask)
            if cut.categories is None
            else np.isin(unc.data.category, list(cut.categories))
        )
        mask |= b.undecided & applies
    return np.flatnonzero(mask)


@dataclass(frozen=True)
class EntryUncertainty:
    """One entry's row: adjusted score, range of likely places, chance of a winning place,
    tied with the entry placed just below."""

    score: float
    se: float
    rank: int
    rank_lo: int
    rank_hi: int
    p_top: float
    tied_with_next: bool
    interval_svg: str = ""


@dataclass
class CutBox:
    """One cut in one category: entries decided in, entries that could still swap across it
    (with their probability of being in), and how many are decided out."""

    cut: Cut
    decided_in: list = field(default_factory=list)
    could_swap: list = field(default_factory=list)  # (entry, p_in)
    n_out: int = 0


@dataclass
class CategoryBox:
    category: object
    cuts: list[CutBox]
    pass_swap: list = field(default_factory=list)  # (entry, p_pass) undecided at the pass mark
    n_pass: int = 0
    n_fail: int = 0


@dataclass
class RankingPage:
    """What the ranking page shows from the uncertainty (see :func:`ranking_page`)."""

    unc: StageUncertainty
    rows: dict[int, EntryUncertainty]
    boxes: list[CategoryBox]
    n_undecided: int = 0

    @property
    def result(self):
        return self.unc.result

    @property
    def measurable(self) -> bool:
        return self.unc.measurable


def ranking_page(stage: Stage) -> RankingPage:
    """Per entry its uncertainty, per category the Decided / Could still swap boxes."""
    unc = stage_uncertainty(stage)
    res = unc.result
    if not unc.measurable:
        return RankingPage(unc, {}, [])
    data = unc.data
    group_size = np.bincount(res.rank_group[res.rank > 0], minlength=res.rank_group.max() + 1)
    rows = {
        e: EntryUncertainty(
            float(res.score[i]),
            float(res.se[i]),
            int(res.rank[i]),
            int(res.rank_lo[i]),
            int(res.rank_hi[i]),
            float(res.p_top[i]),
            bool(res.tied_with_next[i]),
            charts.rank_interval(
                int(res.rank_lo[i]),
                int(res.rank_hi[i]),
                int(res.rank[i]),
                int(group_size[res.rank_group[i]]),
                label=f"{int(res.rank_lo[i])}-{int(res.rank_hi[i])}",
            ),
        )
        for i, e in enumerate(data.entry_ids.tolist())
        if res.rank[i] > 0
    }
    cuts = cuts_of(stage, data)
    dec = decisions(unc, cuts)
    named: set[int] = set()
    for b in dec.boundaries:
        named.update(np.flatnonzero(b.undecided | b.decided_in).tolist())
    if dec.p_pass is not None:
        named.update(np.flatnonzero(~dec.pass_decided & (res.rank > 0)).tolist())
    wanted = sorted(named)
    entry_at = dict(zip(wanted, data.entries_at(wanted)))
    boxes = []

    def by_rank(idx):
        return sorted(idx.tolist(), key=lambda k: res.rank[k])

    for c, category in enumerate(data.categories):
        in_cat = data.category == c
        if not (in_cat & (res.rank > 0)).any():
            continue
        box = CategoryBox(category, [])
        for cut, b in zip(cuts, dec.boundaries):
            if cut.categories is not None and c not in cut.categories:
                continue
            box.cuts.append(
                CutBox(
                    cut,
                    [entry_at[i] for i in by_rank(np.flatnonzero(b.decided_in & in_cat))],
                    [
                        (entry_at[i], float(b.p_in[i]))
                        for i in by_rank(np.flatnonzero(b.undecided & in_cat))
                    ],
                    int((b.decided_out & in_cat).sum()),
                )
            )
        if dec.p_pass is not None:
            ranked = in_cat & (res.rank > 0)
            und = ranked & ~dec.pass_decided
            box.pass_swap = [(entry_at[i], float(dec.p_pass[i])) for i in np.flatnonzero(und)]
            box.n_pass = int((ranked & dec.pass_decided & (dec.p_pass >= DECIDED_HI)).sum())
            box.n_fail = int((ranked & dec.pass_decided & (dec.p_pass <= DECIDED_LO)).sum())
        boxes.append(box)
    n_und = int(undecided_entries(unc, cuts, dec).size)
    return RankingPage(unc, rows, boxes, n_und)


@dataclass(frozen=True)
class JudgeLine:
    """One judge's sheet on an entry, with that judge's estimated habits (in points)."""

    judge: object
    total: float
    offset: float
    scale: float
    noise: float
    typical_noise: float


@dataclass
class WhyPlace:
    """Why an entry has its place: each judge's score and habits, its adjusted score and
    range of likely places (``row`` None while computing or without sheets)."""

    entry: object
    row: EntryUncertainty | None
    lines: list[JudgeLine]
    span: float
    computing: bool = False


def why_place(stage: Stage, entry_id: int) -> WhyPlace | None:
    """The explanation of one entry's place; None when the entry is not in the stage."""
    unc = stage_uncertainty(stage)
    i = unc.at(entry_id)
    if i is None:
        return None
    data, res = unc.data, unc.result
    entry = data.entries_at([i])[0]
    span = float(stage.scale_max - stage.scale_min) or 1.0
    if res is None:
        return WhyPlace(entry, None, [], span, unc.computing)
    mine = np.flatnonzero(data.e_idx == i)
    typical = float(np.nanmedian(res.judge_noise)) if np.isfinite(res.judge_noise).any() else 0.0
    lines = [
        JudgeLine(
            data.judges[int(data.j_idx[k])],
            float(data.total[k]),
            float(res.judge_offset[data.j_idx[k]]),
            float(res.judge_scale[data.j_idx[k]]),
            float(res.judge_noise[data.j_idx[k]]),
            typical,
        )
        for k in mine.tolist()
    ]
    row = None
    if res.rank[i] > 0:
        row = EntryUncertainty(
            float(res.score[i]),
            float(res.se[i]),
            int(res.rank[i]),
            int(res.rank_lo[i]),
            int(res.rank_hi[i]),
            float(res.p_top[i]),
            bool(res.tied_with_next[i]),
        )
    return WhyPlace(entry, row, lines, span)


def set_across(*, stage: Stage, across: str, actor) -> Stage:
    """Record how judges who share no entry are compared on this stage (audited with the
    stage). ``across`` is one of ``ACROSS_MODES``."""
    if across not in ACROSS_MODES:
        raise InvalidState(_l("Unknown rule for judges who share no entry."))
    stage.uncertainty_across = across
    db.session.flush()
    return stage


@dataclass
class PublishRisks:
    """What the committee should confirm before publishing: awarded entries whose score is
    below the rubric's pass mark (entry, score, award title), entries that could still swap
    across an award cut (entry, cut, probability of being in), ``computing`` when a large
    stage's ranges are not ready and ``unmeasured`` when no entry has two judges (either way
    the award order could not be checked)."""

    below_pass: list = field(default_factory=list)
    undecided: list = field(default_factory=list)
    computing: bool = False
    unmeasured: bool = False  # no entry has two judges: the order cannot be checked

    def __bool__(self) -> bool:
        return bool(self.below_pass or self.undecided or self.computing or self.unmeasured)


def publish_risks(stage: Stage) -> PublishRisks:
    """The risks of publishing the stage's ranking as it stands (see :class:`PublishRisks`)."""
    ranked = rank_arrays(stage)
    data = ranked.data
    levels = levels_for(stage)
    risks = PublishRisks()
    if stage.pass_mark is not None and levels:
        score = ranked.result.entry_score
        with np.errstate(invalid="ignore"):
            below = np.flatnonzero(
                (ranked.rank >= 1)
                & (ranked.rank <= max(lv.up_to_rank for lv in levels))
                & (score < stage.pass_mark)
            )
        for i, entry in zip(below.tolist(), data.entries_at(below.tolist())):
            level = next(lv for lv in levels if ranked.rank[i] <= lv.up_to_rank)
            risks.below_pass.append((entry, float(score[i]), level.title))
    unc = stage_uncertainty(stage, data=data)
    if unc.computing:
        risks.computing = True
        return risks
    if unc.result is None:
        return risks
    if not unc.measurable:
        risks.unmeasured = True
        return risks
    cuts = [c for c in cuts_of(stage, data) if c.kind != "advance"]
    dec = decisions(unc, cuts)
    und = undecided_entries(unc, cuts, dec)
    entries = dict(zip(und.tolist(), data.entries_at(und.tolist())))
    for i in und.tolist():
        for cut, b in zip(cuts, dec.boundaries):
            if b.undecided[i]:
                risks.undecided.append((entries[i], cut, float(b.p_in[i])))
    return risks
