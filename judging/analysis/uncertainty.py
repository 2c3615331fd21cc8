"""A stage's ranking with calibrated uncertainty (``judging.ranking.rank_uncertainty``) for the
committee's pages: the fit per stage, cached per process on the exact input, the stage's cuts
(awards, advancement, pass mark) and the decisions at them. What the pages show from it is in
``judging.analysis.uncertainty_pages``; one more judge where it decides in ``extra_judges``.

The fit is a Gibbs sampler: 0.5 s for 45 entries, 1.5 s for 3,000 entries with 15,000 sheets
(bench/README.md), longer beyond.
Up to ``LARGE_STAGE`` sheets it runs on the request; above, a page shows "computing..." and the
fit runs as a background job (``competition.jobs``: a ``flask juri worker`` on PostgreSQL, a
thread of the web process on SQLite; ``judging.analysis.tasks``) or from the CLI (``flask juri
uncertainty STAGE_ID``). Every result is kept in the database (``UncertaintyCache``, through
``shared_cache``), keyed by a digest of the exact input (sheets, judge model, categories,
scale), so every process of every server shares it; the newest few of each stage are kept side
by side. A small process-level LRU in front saves decoding it again on each view."""

from __future__ import annotations

import dataclasses
import threading
from collections import OrderedDict
from dataclasses import dataclass, field

import numpy as np
from flask import current_app, has_app_context
from flask_babel import lazy_gettext as _l

from competition.actors import records_actor
from competition.db import db
from competition.errors import InvalidState
from competition.jobs import services as jobs
from competition.jobs import worker
from competition.jobs.models import JobState
from competition.rounds.models import Stage
from judging.analysis import advancement, methods, shared_cache
from judging.analysis.models import RankingCache, UncertaintyCache
from judging.analysis.ranking_cache import store_ranking_result
from judging.analysis.stage_data import StageData, load_stage
from judging.award_levels.services import gives_awards, levels_for
from judging.ranking import UncertainRanking, range_with_place, rank_uncertainty
from judging.uncertainty import BoundaryDecision, Decisions, boundary_decisions

LARGE_STAGE = 20_000  # sheets; above this the fit is not run on the request path
KIND = "judging.stage_uncertainty"  # the background job (judging.analysis.tasks)
CACHE_SIZE = 16
# The draws dominate a result's memory (a national stage: about 100 MiB); the cache keeps the
# most recent results within this many bytes (always at least the newest one).
CACHE_BYTES = 512 * 2**20
# The judge models rank_uncertainty fits: the registry's methods that model judges, and the
# plain mean (no judge effects).
MODEL_METHODS = (
    *(m.name for m in methods.all_methods() if m.models_judges),
    methods.BASELINE,
)
ACROSS_MODES = ("assume_equal", "refuse")
LEVEL = 0.9  # the range of likely places covers 90 % of the posterior
DECIDED_LO, DECIDED_HI = 0.1, 0.9  # below 10 % or above 90 %: decided

_CACHE: OrderedDict[tuple, UncertainRanking] = OrderedDict()
_LOCK = threading.Lock()
# The decisions at a stage's cuts (``decisions``), per process, by their shared digest (small:
# a few arrays over the entries per cut).
_DECISIONS: OrderedDict[str, Decisions] = OrderedDict()


def model_method(stage: Stage) -> str:
    """The judge model of the uncertainty: the stage's method when it is one of the model's,
    else the offset-and-scale model (the other methods have no model of the judges)."""
    return stage.method if stage.method in MODEL_METHODS else methods.DEFAULT


def across_of(stage: Stage) -> str:
    """How judges who share no entry are compared: the stage's setting, else assume equal."""
    mode = getattr(stage, "uncertainty_across", None)
    return mode if mode in ACROSS_MODES else "assume_equal"


def _key(stage: Stage, data: StageData) -> tuple:
    # the arrays' own digest (a hash of their bytes: a millisecond), not ``scores_digest``
    # (the published SHA-256 of the sheets as text: 80 ms on a national stage)
    digest = data.digest()
    key = (
        stage.id,
        stage.stable_seed,
        model_method(stage),
        across_of(stage),
        max(1, stage.winners_per_category),
        stage.scale_min,
        stage.scale_max,
        data.category.tobytes(),
        digest,
    )
    sweeps = _sweeps()
    # only when set: the keys (and shared-cache digests) of the default stay as they were
    return (*key, ("sweeps", sweeps)) if sweeps else key


def _sweeps() -> int | None:
    """``JURI_UNCERTAINTY_SWEEPS``: posterior sweeps saved per fit, when set; by default (unset)
    ``judging.normalize_posterior.default_sweeps`` of the stage's size (1,600 for a city
    round). Tests that only check a page's structure set fewer, to fit in a fraction of the
    time; a different count is a different result, so it is part of the cache key."""
    value = current_app.config.get("UNCERTAINTY_SWEEPS") if has_app_context() else None
    return int(value) if value else None


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
        seed=stage.stable_seed,
        across=across_of(stage),
        n_draws=_sweeps(),
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


def digest_of(key: tuple) -> str:
    """The shared cache's key: a SHA-256 of everything the fit depends on (and of the numpy
    core's code, ``shared_cache.CODE_VERSION``)."""
    return shared_cache.digest_of("uncertainty", *key)


def dump_ranking(result: UncertainRanking) -> bytes:
    """``result`` as bytes (``shared_cache.dump``: an ``.npz``, no pickle)."""
    return shared_cache.dump(result)


def load_ranking(data: bytes) -> UncertainRanking:
    return shared_cache.load(UncertainRanking, data)


# The shared cache keeps the newest fits of each stage (its methods, "across" rules, award
# places and recent sheets side by side: switching back to one of them reads it again) and
# of the site; a national stage's fit is about 20 MB (its posterior draws).
SHARED_PER_STAGE = 4
SHARED_TOTAL = 48


@dataclass(frozen=True)
class _Draws:
    score_draws: np.ndarray
    rank_draws: np.ndarray


def _draws_digest(digest: str) -> str:
    return shared_cache.digest_of("draws", digest)


def _shared(digest: str) -> UncertainRanking | None:
    """The fit under ``digest`` in the shared cache, without its draws (see ``_share``)."""
    data = shared_cache.read(UncertaintyCache, digest)
    return None if data is None else load_ranking(data)


def _share(stage_id: int, digest: str, result: UncertainRanking) -> None:
    """Keep ``result`` in the shared cache, pruned to ``SHARED_PER_STAGE`` fits of the stage
    and ``SHARED_TOTAL`` in all (``shared_cache.write``). Its posterior draws (nearly all of
    its bytes: 20 MB on a national stage) are kept apart, in ``RankingCache``, so the pages
    that show only each entry's range and chances read a few hundred KB."""
    n = result.score.size
    draws = _Draws(result.score_draws, result.rank_draws)
    summary = dataclasses.replace(
        result,
        score_draws=np.empty((0, n), dtype=result.score_draws.dtype),
        rank_draws=np.empty((0, n), dtype=result.rank_draws.dtype),
    )
    store_ranking_result(
        stage_id=stage_id,
        digest=_draws_digest(digest),
        data=shared_cache.dump(draws),
        kind="draws",
    )
    shared_cache.write(
        UncertaintyCache,
        stage_id=stage_id,
        digest=digest,
        data=dump_ranking(summary),
        per_stage=SHARED_PER_STAGE,
        total=SHARED_TOTAL,
    )


def _request_fit(stage: Stage, digest: str) -> None:
    """Queue the fit of a large stage unless one for this input is queued or running."""
    subject = f"stage:{stage.id}:{digest[:40]}"
    job = jobs.latest_job(KIND, subject)
    if job is None or job.state not in (JobState.QUEUED, JobState.RUNNING):
        worker.enqueue_detached(KIND, subject=subject, stage_id=stage.id)


def fit_shared(stage: Stage) -> UncertaintyCache | None:
    """Fit the stage on its current sheets into the shared cache unless it is there already
    (the background job); returns nothing useful to pages, which read the cache."""
    data = load_stage(stage)
    if data.total.size == 0:
        return None
    key = _key(stage, data)
    digest = digest_of(key)
    if _shared(digest) is None:
        _share(stage.id, digest, _fit(stage, data))
    return None


@dataclass
class StageUncertainty:
    """A stage's uncertainty for the pages. ``summary`` is the fit, its posterior draws left
    out when it was read from the shared cache (what a page shows per entry needs no draws);
    ``result`` the whole fit, the draws read on first use (the decisions at the cuts, the
    combined ranking need them). Both are None while a large stage is being computed
    (``computing``); ``index`` maps an entry id to its position in the arrays."""

    stage: Stage
    data: StageData
    summary: UncertainRanking | None
    computing: bool = False
    index: dict[int, int] = field(default_factory=dict)
    pending: tuple | None = None  # (process cache key, shared digest) of left-out draws
    digest: str = ""  # the fit's key in the shared cache (``digest_of``); "" without a fit

    def at(self, entry_id: int) -> int | None:
        return self.index.get(entry_id)

    @property
    def result(self) -> UncertainRanking | None:
        if self.pending is not None:
            key, digest = self.pending
            self.summary = _with_draws(self.stage, self.data, key, digest, self.summary)
            self.pending = None
        return self.summary

    @property
    def measurable(self) -> bool:
        """A fit whose ranges mean something: some entry has two judges (else the judges'
        noise, and with it every range and chance, is unknown)."""
        return self.summary is not None and "se_not_estimable" not in self.summary.warning_codes


def _lacks_draws(result: UncertainRanking) -> bool:
    return result.score_draws.shape[0] == 0 and result.score.size > 0


def _with_draws(stage, data, key, digest, summary: UncertainRanking) -> UncertainRanking:
    """``summary`` with its draws from the shared cache (fitted again if they were pruned);
    kept in this process's cache in its place."""
    stored = shared_cache.read(RankingCache, _draws_digest(digest))
    if stored is not None:
        draws = shared_cache.load(_Draws, stored)
        full = dataclasses.replace(
            summary, score_draws=draws.score_draws, rank_draws=draws.rank_draws
        )
    else:
        full = _fit(stage, data)
        _share(stage.id, digest, full)
    _store(key, full)
    return full


def stage_uncertainty(
    stage: Stage, *, data: StageData | None = None, wait: bool = False
) -> StageUncertainty:
    """The stage's uncertain ranking, from the cache (this process's, else the shared one) when
    the sheets did not change. A stage with more than ``LARGE_STAGE`` sheets is fitted here only
    with ``wait`` (the CLI); otherwise a background job is queued and ``computing`` is True."""
    data = data or load_stage(stage)
    index = {e: i for i, e in enumerate(data.entry_ids.tolist())}
    if data.total.size == 0:
        return StageUncertainty(stage, data, None, False, index)
    key = _key(stage, data)
    result = _cached(key)
    if result is None:
        digest = digest_of(key)
        result = _shared(digest)
        if result is None:
            if data.total.size > LARGE_STAGE and not wait:
                _request_fit(stage, digest)
                return StageUncertainty(stage, data, None, True, index)
            result = _fit(stage, data)
            _share(stage.id, digest, result)
        _store(key, result)
    digest = digest_of(key)
    pending = (key, digest) if _lacks_draws(result) else None
    return StageUncertainty(stage, data, result, False, index, pending, digest)


@dataclass(frozen=True)
class PlaceRanges:
    """Ranges of likely places and ties as the committee saw them before publishing, for the
    publication to store (``judging.results.publication``): arrays over ``entry_ids``, 0 in
    ``rank_hi`` where an entry has no range. ``digest`` names the input they were computed
    on (the stage's ``StageData.digest()``, or the combined ranking's digest), so they are
    stored only with the ranking computed from that same input."""

    entry_ids: np.ndarray
    rank_lo: np.ndarray
    rank_hi: np.ndarray
    tied_with_next: np.ndarray
    digest: str

    def at_places(self, entry_ids: list[int], places: list[int]) -> list[tuple | None]:
        """Per entry, ``(rank_lo, rank_hi, tied_with_next)`` for the place given (the range
        stretched to hold it, ``ranking.range_with_place``, as the committee's pages show
        it), or None where the entry has no range (or no place)."""
        if not self.entry_ids.size:
            return [None] * len(entry_ids)
        index = {e: k for k, e in enumerate(self.entry_ids.tolist())}
        pos = np.array([index.get(e, -1) for e in entry_ids], dtype=np.intp)
        found = pos >= 0
        at = np.where(found, pos, 0)
        has = found & (self.rank_hi[at] > 0) & (np.asarray(places, dtype=np.intp) > 0)
        lo, hi, _widened = range_with_place(
            places, np.where(has, self.rank_lo[at], 0), np.where(has, self.rank_hi[at], 0)
        )
        tied = self.tied_with_next[at]
        return [
            (int(a), int(b), bool(t)) if h else None
            for a, b, t, h in zip(lo.tolist(), hi.tolist(), tied.tolist(), has.tolist())
        ]


@dataclass(frozen=True)
class Cut:
    """One boundary a committee decides at: ``place`` (places 1..place are in), what it is
    (``kind``: "award", "top" (the winners' places before the last scored stage), "level" or
    "advance", with the level's ``title``) and the categories it applies to (None: all)."""

    place: int
    kind: str
    title: str = ""
    categories: frozenset | None = None


def cuts_of(stage: Stage, data: StageData) -> list[Cut]:
    """The stage's cuts: the winners per category, each award level's last place, and the
    number advanced per category when advancement to the next stage was confirmed."""
    # the winners; before the round's last scored stage nobody wins yet: its top N
    kind = "award" if gives_awards(stage) else "top"
    cuts = [Cut(max(1, stage.winners_per_category), kind)]
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
    """``boundary_decisions`` at the cuts' places (in the order of ``cuts``) and the pass mark;
    None without a fit. They read every posterior draw (20 MB on a national stage, and seconds
    to fetch and decode on a fresh worker), so they are kept like the fit: per process, and in
    the shared cache under the fit's digest, the cuts' places, the pass mark and the decision
    levels, for every worker of every server (``RankingCache``, kind "decisions")."""
    if unc.summary is None:
        return None
    places = tuple(int(c.place) for c in cuts)
    pass_mark = None if unc.stage.pass_mark is None else float(unc.stage.pass_mark)
    digest = decisions_digest(unc, cuts)
    if not digest:  # a fit made by hand: nothing to share it under
        return boundary_decisions(
            unc.result, list(places), pass_mark=pass_mark, lo=DECIDED_LO, hi=DECIDED_HI
        )
    found = _cached_decisions(digest)
    if found is not None:
        return found
    stored = shared_cache.read(RankingCache, digest)
    found = _load_decisions(stored) if stored is not None else None
    if found is None or len(found.boundaries) != len(places):
        found = boundary_decisions(
            unc.result, list(places), pass_mark=pass_mark, lo=DECIDED_LO, hi=DECIDED_HI
        )
        store_ranking_result(
            stage_id=unc.stage.id, digest=digest, data=_dump_decisions(found), kind="decisions"
        )
    with _LOCK:
        _DECISIONS[digest] = found
        while len(_DECISIONS) > CACHE_SIZE:
            _DECISIONS.popitem(last=False)
    return found


def decisions_digest(unc: StageUncertainty, cuts: list[Cut]) -> str:
    """The key of ``decisions(unc, cuts)`` in the shared cache, without deciding: the fit's
    digest, the cuts' places, the pass mark and the decision levels; "" without a shared fit."""
    if not unc.digest:
        return ""
    places = tuple(int(c.place) for c in cuts)
    pass_mark = None if unc.stage.pass_mark is None else float(unc.stage.pass_mark)
    return shared_cache.digest_of(
        "decisions", unc.digest, places, pass_mark, DECIDED_LO, DECIDED_HI
    )


def _cached_decisions(digest: str) -> Decisions | None:
    with _LOCK:
        found = _DECISIONS.get(digest)
        if found is not None:
            _DECISIONS.move_to_end(digest)
        return found


@dataclass(frozen=True)
class _StoredDecisions:
    """``Decisions`` as flat arrays for ``shared_cache.dump``: one row per cut of ``places``,
    ``p_in`` and the decided/undecided masks (k, n_entries); ``p_pass`` and ``pass_decided``
    empty without a pass mark."""

    places: np.ndarray
    p_in: np.ndarray
    decided_in: np.ndarray
    decided_out: np.ndarray
    undecided: np.ndarray
    any_undecided: np.ndarray
    p_pass: np.ndarray
    pass_decided: np.ndarray
    has_pass: bool = False


def _dump_decisions(dec: Decisions) -> bytes:
    n = dec.undecided.size
    rows = dec.boundaries

    def stack(name, dtype):
        if not rows:
            return np.zeros((0, n), dtype=dtype)
        return np.stack([np.asarray(getattr(b, name), dtype=dtype) for b in rows])

    has_pass = dec.p_pass is not None
    return shared_cache.dump(
        _StoredDecisions(
            np.array([b.place for b in rows], dtype=np.int64),
            stack("p_in", float),
            stack("decided_in", bool),
            stack("decided_out", bool),
            stack("undecided", bool),
            np.asarray(dec.undecided, dtype=bool),
            np.asarray(dec.p_pass, dtype=float) if has_pass else np.zeros(0),
            np.asarray(dec.pass_decided, dtype=bool) if has_pass else np.zeros(0, dtype=bool),
            has_pass,
        )
    )


def _load_decisions(stored: bytes) -> Decisions | None:
    """The ``Decisions`` ``_dump_decisions`` stored; None when this code cannot read them."""
    try:
        flat = shared_cache.load(_StoredDecisions, stored)
    except (KeyError, TypeError, ValueError):
        return None
    boundaries = tuple(
        BoundaryDecision(
            int(place),
            flat.p_in[k],
            flat.decided_in[k],
            flat.decided_out[k],
            flat.undecided[k],
            int(flat.undecided[k].sum()),
        )
        for k, place in enumerate(flat.places.tolist())
    )
    p_pass = flat.p_pass if flat.has_pass else None
    pass_decided = flat.pass_decided if flat.has_pass else None
    return Decisions(boundaries, p_pass, pass_decided, flat.any_undecided)


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


@records_actor
def set_across(*, stage: Stage, across: str, actor) -> Stage:
    """Record how judges who share no entry are compared on this stage (audited with the
    stage). ``across`` is one of ``ACROSS_MODES``."""
    if across not in ACROSS_MODES:
        raise InvalidState(_l("Unknown rule for judges who share no entry."))
    stage.uncertainty_across = across
    db.session.flush()
    return stage
