"""A stage's scores as arrays, and what the committee reads from them: the ranking with its
uncertainty, the comparison of methods, the judges' report; the stage's method."""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from dataclasses import dataclass, field

import numpy as np
from flask_babel import lazy_gettext as _l
from sqlalchemy import BigInteger, Float, and_, case, cast, func, select, true
from sqlalchemy.orm import joinedload

from competition.accounts.models import User
from competition.actors import records_actor
from competition.db import db
from competition.entries import services as entry_service
from competition.entries.models import Entry
from competition.errors import (
    InvalidState,
)
from competition.pagination import Page, make_page
from competition.rounds.models import Stage
from judging.analysis import charts, explain, methods, shared_cache
from judging.analysis.models import RankingCache
from judging.diagnostics import JudgeDiagnostics, judge_diagnostics
from judging.normalize import Normalized, normalize
from judging.normalize_graph import _Graph
from judging.panels.models import Assignment
from judging.ranking import (
    TIE_BREAK_RULE,
    BootstrapRanks,
    bootstrap_ranks,
    near_ties,
    rank_entries,
)
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


# What the pages show of an entry beside its title, joined in the same query (both are
# many-to-one: a join adds columns, not rows).
_ENTRY_DISPLAY = (joinedload(Entry.organisation), joinedload(Entry.category))


class StageData:
    """The stage's submitted sheets as arrays over dense indices.

    entry_ids, category (index into ``categories``), submitted_ts: (n_entries,) arrays over the
    submitted entries of the round; judge_ids: (n_judges,) judges with sheets; e_idx, j_idx,
    total: (n_sheets,) arrays. ``entries`` and ``judges`` (ORM objects in the same order, for
    display) are loaded on first use, with one query each."""

    def __init__(
        self,
        stage,
        entry_ids,
        category,
        submitted_ts,
        judge_ids,
        e_idx,
        j_idx,
        total,
        categories,
        memo: dict | None = None,
    ):
        self.stage, self.entry_ids, self.category = stage, entry_ids, category
        self.submitted_ts, self.judge_ids = submitted_ts, judge_ids
        self.e_idx, self.j_idx, self.total, self.categories = e_idx, j_idx, total, categories
        # values derived from the sheets' arrays alone, shared by every view of the same
        # arrays (``load_stage``'s cache): never anything that depends on the ORM session
        self.memo = {} if memo is None else memo
        self._entries = self._judges = self._digest = None
        # set by ``load_stage`` from the stage's fingerprint: the identity of what was read
        # (None for arrays made by hand) and the stage's submitted and expected sheets (all of
        # the stage's assignments, also those of entries no longer in it)
        self.fingerprint: tuple | None = None
        self.sheets_submitted: int | None = None
        self.sheets_expected: int | None = None

    @property
    def n_entries(self) -> int:
        return int(self.entry_ids.size)

    @property
    def entries(self) -> list[Entry]:
        if self._entries is None:
            found = {
                e.id: e
                for e in db.session.scalars(
                    select(Entry).where(entry_service.in_stage(self.stage)).options(*_ENTRY_DISPLAY)
                )
            }
            self._entries = [found[i] for i in self.entry_ids.tolist()]
        return self._entries

    def entries_at(self, indices: list[int]) -> list[Entry]:
        """The entries at the given dense indices (one query; for a page showing a part)."""
        if self._entries is not None:
            return [self._entries[i] for i in indices]
        ids = self.entry_ids[np.asarray(indices, dtype=np.intp)].tolist() if indices else []
        found = (
            {
                e.id: e
                for e in db.session.scalars(
                    select(Entry).where(Entry.id.in_(ids)).options(*_ENTRY_DISPLAY)
                )
            }
            if ids
            else {}
        )
        return [found[i] for i in ids]

    @property
    def judges(self) -> list[User]:
        if self._judges is None:
            found = {
                u.id: u
                for u in db.session.scalars(
                    select(User).where(User.id.in_(self.judge_ids.tolist()))
                )
            }
            self._judges = [found[i] for i in self.judge_ids.tolist()]
        return self._judges

    def digest(self) -> str:
        """Identifies the input exactly (entries, categories, judges, totals): two views of a
        stage whose sheets did not change share their fitted models."""
        if self._digest is None:
            h = hashlib.blake2b(digest_size=16)
            for arr in (
                self.entry_ids,
                self.category,
                self.judge_ids,
                self.e_idx,
                self.j_idx,
                self.total,
            ):
                h.update(np.ascontiguousarray(arr).tobytes())
                h.update(b"|")
            h.update(f"{self.stage.scale_min}:{self.stage.scale_max}".encode())
            self._digest = h.hexdigest()
        return self._digest

    def normalize(self, method: str) -> Normalized:
        """The numpy core's fit, kept per process and in the shared cache on the exact input:
        a stage is fitted once for every worker of every server, not on every page view."""
        key = ("normalize", self.stage.id, method, self.digest())
        result = _MEMO.get(key)
        if result is None:
            digest = shared_cache.digest_of("fit", self.stage.id, method, self.digest())
            stored = shared_cache.read(RankingCache, digest)
            result = _load_fit(stored) if stored is not None else None
            if result is None:
                result = normalize(
                    self.e_idx,
                    self.j_idx,
                    self.total,
                    method,
                    n_entries=self.n_entries,
                    n_judges=int(self.judge_ids.size),
                    scale_min=self.stage.scale_min,
                    scale_max=self.stage.scale_max,
                )
                store_ranking_result(
                    stage_id=self.stage.id, digest=digest, data=_dump_fit(result), kind="fit"
                )
            _remember(key, result)
        return result


def _dump_fit(fit: Normalized) -> bytes:
    """A fit for the shared cache, with its groups of linked judges (a lazily built field)."""
    return shared_cache.dump(
        fit,
        extra={
            "entry_component": fit.component,
            "judge_component": fit.judge_component,
            "n_components": int(fit.n_components),
            "warning": fit.warning,
        },
    )


def _load_fit(stored: bytes) -> Normalized | None:
    """The fit ``_dump_fit`` stored; None when it cannot be read back with this code (it is
    then fitted again)."""
    try:
        fit, extra = shared_cache.load_extra(Normalized, stored)
        graph = _Graph(  # the fit's own record of its judge groups
            extra["entry_component"],
            extra["judge_component"],
            int(extra["n_components"]),
            str(extra["warning"]),
        )
    except (KeyError, TypeError, ValueError, AttributeError):
        return None
    object.__setattr__(fit, "graph", graph)
    return fit


_MEMO: dict[tuple, object] = {}


_MEMO_SIZE = 64


def _remember(key: tuple, value) -> None:
    """Keep ``value`` (its arrays made read-only: a shared result must not be changed)."""
    for attr in vars(value).values():
        if isinstance(attr, np.ndarray):
            attr.flags.writeable = False
    if len(_MEMO) >= _MEMO_SIZE:
        _MEMO.pop(next(iter(_MEMO)))
    _MEMO[key] = value


def _columns(rows, dtypes):
    """Rows of numbers (tuples from one query) as one array per column."""
    if not rows:
        return [np.zeros(0, dtype=d) for d in dtypes]
    # plain tuples first: numpy probes a SQLAlchemy Row for array interfaces, 6x slower
    table = np.array([tuple(r) for r in rows], dtype=float if float in dtypes else np.int64)
    return [table[:, k].astype(d) for k, d in enumerate(dtypes)]


@dataclass(eq=False)
class StageArrays:
    """What ``load_stage`` reads from the database, as read-only arrays (see ``StageData``;
    ``category_ids`` are the entries' category ids, not yet indices), kept by the cache of
    :func:`load_stage` across requests; ``memo`` holds values derived from these arrays only."""

    entry_ids: np.ndarray
    category_ids: np.ndarray
    submitted_ts: np.ndarray
    judge_ids: np.ndarray
    e_idx: np.ndarray
    j_idx: np.ndarray
    total: np.ndarray
    memo: dict = field(default_factory=dict)

    def __post_init__(self):
        for value in vars(self).values():
            if isinstance(value, np.ndarray):
                value.flags.writeable = False

    @property
    def nbytes(self) -> int:
        return sum(v.nbytes for v in vars(self).values() if isinstance(v, np.ndarray))


# The bridge's cache: a stage's arrays, per process, keyed by the stage's fingerprint (below),
# which is read from the database on every call. A sheet submitted, edited or reopened, an
# entry withdrawn, screened, moved to another category or advanced, a criterion's weight
# changed: each changes the fingerprint, so a cached copy can never be served stale, in any
# worker of any server. Bounded by entries and bytes: a national stage (3,000 entries,
# 12,000 sheets) takes about 0.4 MiB, an IGA-sized one (37,000 entries, 185,000 sheets)
# about 5 MiB; the cache keeps at most ARRAYS_CACHE_SIZE stages within ARRAYS_CACHE_BYTES.
ARRAYS_CACHE_SIZE = 32
ARRAYS_CACHE_BYTES = 64 * 2**20
_ARRAYS: OrderedDict[tuple, StageArrays] = OrderedDict()
_ARRAYS_LOCK = threading.Lock()


def stage_fingerprint(stage: Stage) -> tuple:
    """A cheap identity of everything ``load_stage`` reads (one statement of aggregates, each
    table read once): the stage's entries (count, sum of ids, of versions, of id x category,
    latest update), its submitted sheets (count, sums of ids, versions, totals, id x total,
    entry x judge, latest update) with the number of its assignments (the sheets expected), and
    its criteria (count, sums of weights and id x weight), plus the stage's scale and method.
    Any write through the ORM bumps a row's version and ``updated_at``; the sums catch bulk
    updates too."""
    entries = (
        select(
            func.count(Entry.id).label("n"),
            func.coalesce(func.sum(Entry.id), 0).label("ids"),
            func.coalesce(func.sum(Entry.version_id), 0).label("versions"),
            func.coalesce(func.sum(cast(Entry.id, BigInteger) * Entry.category_id), 0).label(
                "cats"
            ),
            func.max(Entry.updated_at).label("updated"),
        )
        .where(entry_service.in_stage(stage))
        .subquery()
    )
    # totals in thousandths as integers: a float sum's last bits depend on the order the
    # database adds the rows in (a parallel plan), an integer sum's do not
    milli = cast(func.round(ScoreSheet.total * 1000), BigInteger)
    pair = cast(Assignment.entry_id, BigInteger) * Assignment.judge_id
    # every assignment with its submitted sheet, if any: one pass over the stage's assignments
    # counts the sheets expected (the pages' "n of m submitted") beside the submitted ones
    sheets = (
        select(
            func.count(ScoreSheet.id).label("n"),
            func.coalesce(func.sum(ScoreSheet.id), 0).label("ids"),
            func.coalesce(func.sum(ScoreSheet.version_id), 0).label("versions"),
            func.sum(milli).label("totals"),
            func.sum(ScoreSheet.id * milli).label("weighted"),
            func.coalesce(func.sum(case((ScoreSheet.id.is_not(None), pair))), 0).label("pairs"),
            func.max(ScoreSheet.updated_at).label("updated"),
            func.count(Assignment.id).label("expected"),
        )
        .select_from(Assignment)
        .outerjoin(
            ScoreSheet,
            and_(
                ScoreSheet.assignment_id == Assignment.id,
                ScoreSheet.status == SheetStatus.SUBMITTED,
            ),
        )
        .where(Assignment.stage_id == stage.id)
        .subquery()
    )
    criteria = (
        select(
            func.count(Criterion.id).label("n"),
            func.coalesce(func.sum(Criterion.weight), 0).label("weights"),
            func.coalesce(func.sum(Criterion.id * Criterion.weight), 0).label("weighted"),
        )
        .where(Criterion.stage_id == stage.id)
        .subquery()
    )
    parts = (entries, sheets, criteria)
    joined = entries.join(sheets, true()).join(criteria, true())
    row = db.session.execute(select(*parts).select_from(joined)).one()  # three one-row aggregates
    return (*row, stage.scale_min, stage.scale_max, stage.method)


# Where ``stage_fingerprint`` holds the submitted sheets' count and the assignments' count.
_FP_SUBMITTED = 5  # after the entries' five aggregates
_FP_EXPECTED = 12  # the last of the sheets' eight


def _cached_arrays(key: tuple) -> StageArrays | None:
    with _ARRAYS_LOCK:
        found = _ARRAYS.get(key)
        if found is not None:
            _ARRAYS.move_to_end(key)
        return found


def _keep_arrays(key: tuple, arrays: StageArrays) -> None:
    with _ARRAYS_LOCK:
        # the stage's older copies can never be asked for again (a fingerprint only grows)
        for old in [k for k in _ARRAYS if k[0] == key[0] and k != key]:
            del _ARRAYS[old]
        _ARRAYS[key] = arrays
        while len(_ARRAYS) > 1 and (
            len(_ARRAYS) > ARRAYS_CACHE_SIZE
            or sum(a.nbytes for a in _ARRAYS.values()) > ARRAYS_CACHE_BYTES
        ):
            _ARRAYS.popitem(last=False)


def clear_arrays_cache() -> None:
    """Forget every cached stage (tests; a process that wants a cold start)."""
    with _ARRAYS_LOCK:
        _ARRAYS.clear()


def load_stage(stage: Stage) -> StageData:
    """The stage's entries and submitted sheets as arrays: the only bridge from database rows
    to arrays. The arrays come from this process's cache when the stage's fingerprint (read
    first, one query) is the one they were read under; otherwise two queries read them. The
    fingerprint is read before the rows, so a copy is never older than its key (a change
    between the two reads gives a newer copy under the older key, which the next call's
    fingerprint no longer matches)."""
    fingerprint = stage_fingerprint(stage)
    key = (stage.id, fingerprint, str(db.engine.url))
    arrays = _cached_arrays(key)
    if arrays is None:
        arrays = _read_arrays(stage)
        _keep_arrays(key, arrays)
    categories = list(stage.round.categories)
    cat_ids = np.array([c.id for c in categories], dtype=np.int64)
    category = (
        np.searchsorted(cat_ids, arrays.category_ids) if cat_ids.size else arrays.category_ids
    )
    data = StageData(
        stage,
        arrays.entry_ids,
        category.astype(np.intp),
        arrays.submitted_ts,
        arrays.judge_ids,
        arrays.e_idx,
        arrays.j_idx,
        arrays.total,
        categories,
        memo=arrays.memo,
    )
    data.fingerprint = fingerprint
    data.sheets_submitted = int(fingerprint[_FP_SUBMITTED] or 0)
    data.sheets_expected = int(fingerprint[_FP_EXPECTED] or 0)
    return data


def _read_arrays(stage: Stage) -> StageArrays:
    """Read the stage's entries and sheets as plain tuples (two queries) into arrays."""
    entry_rows = db.session.execute(
        select(Entry.id, Entry.category_id, Entry.submitted_at)
        .where(entry_service.in_stage(stage))
        .order_by(Entry.category_id, Entry.id)
    ).all()
    sheet_rows = db.session.execute(
        # as float in SQL: making 15,000 Decimals in the driver costs more than the query
        select(Assignment.entry_id, Assignment.judge_id, cast(ScoreSheet.total, Float))
        .join(ScoreSheet, ScoreSheet.assignment_id == Assignment.id)
        .where(Assignment.stage_id == stage.id, ScoreSheet.status == SheetStatus.SUBMITTED)
        .order_by(Assignment.id)
    ).all()
    entry_ids, category_ids = _columns([r[:2] for r in entry_rows], (np.int64, np.int64))
    submitted_ts = np.array([r[2].timestamp() if r[2] else 0.0 for r in entry_rows])
    sheet_entry, sheet_judge, total = _columns(sheet_rows, (np.int64, np.int64, float))
    # Map ids to dense indices; sheets of entries no longer submitted are left out.
    order = np.argsort(entry_ids, kind="stable")
    sorted_ids = entry_ids[order]
    pos = np.clip(np.searchsorted(sorted_ids, sheet_entry), 0, max(sorted_ids.size - 1, 0))
    keep = (sorted_ids[pos] == sheet_entry) if sorted_ids.size else np.zeros(0, bool)
    e_idx = order[pos[keep]].astype(np.intp)
    judge_ids, j_idx = np.unique(sheet_judge[keep], return_inverse=True)
    return StageArrays(
        entry_ids,
        category_ids,
        submitted_ts,
        judge_ids,
        e_idx,
        j_idx.astype(np.intp),
        total[keep],
    )


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


# The shared cache keeps a stage's rankings under several methods and recent inputs side by
# side (a national stage's core is about 0.2 MB), and a bootstrap per method.
RANKING_PER_STAGE = 16
RANKING_TOTAL = 512


def store_ranking_result(
    *, stage_id: int, digest: str, data: bytes, kind: str, per_kind: int | None = None
) -> None:
    """Keep ``data`` (a ranking, fit, bootstrap, decisions... of the stage, ``kind``) in the
    shared ``RankingCache`` under ``digest``, within its limits (``RANKING_PER_STAGE``,
    ``RANKING_TOTAL``; ``per_kind``: see ``shared_cache.write``)."""
    shared_cache.write(
        RankingCache,
        stage_id=stage_id,
        digest=digest,
        data=data,
        per_stage=RANKING_PER_STAGE,
        total=RANKING_TOTAL,
        per_kind=per_kind,
        kind=kind,
    )


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


def _shared_digest(kind: str, stage: Stage, method: str, data: StageData, *params) -> str | None:
    """The shared cache's key of a result computed from ``data`` (None for arrays not read by
    ``load_stage``: no fingerprint, no sharing): the exact arrays (``data.digest``), the
    entries' submission times and the stage's fingerprint (which covers the tie-break's
    criterion scores and weights) with the method and ``params``."""
    if data.fingerprint is None:
        return None
    return shared_cache.digest_of(
        kind,
        stage.id,
        stage.stable_seed,
        method,
        params,
        data.fingerprint,
        data.digest(),
        np.ascontiguousarray(data.submitted_ts).tobytes(),
    )


def _shared_result(kind: str, cls, stage: Stage, digest: str | None, compute):
    """``cls`` under ``digest`` in the shared cache, else ``compute()`` stored there."""
    if digest is not None:
        stored = shared_cache.read(RankingCache, digest)
        if stored is not None:
            return shared_cache.load(cls, stored)
    value = compute()
    if digest is not None:
        store_ranking_result(
            stage_id=stage.id, digest=digest, data=shared_cache.dump(value), kind=kind
        )
    return value


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


def _reason(moved: int, judges: list[tuple[User, float]]) -> str:
    """Why an entry moves between the raw mean and the calibrated ranking, in words."""
    if not judges or moved == 0:
        return ""
    severe = [(u, o) for u, o in judges if o <= -0.5]
    lenient = [(u, o) for u, o in judges if o >= 0.5]

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
                reason=_reason(moved, judges_of.get(i, [])),
            )
        )
    return [c for c in cats if c.rows], method, fit


@dataclass
class JudgeRow:
    judge: User
    n_sheets: int
    mean_total: float
    offset: float
    scale: float
    noise: float
    agreement: float
    flags: list[str]
    chart: str


@dataclass
class JudgeReport:
    rows: list[JudgeRow]
    alpha: float
    method: str
    warning: str
    page: Page | None = None  # the rows shown, of the judges matching the filters


FLAG_LABELS = {
    "harsh": _l("harsh"),
    "lenient": _l("lenient"),
    "low_agreement": _l("low agreement"),
    "noisy": _l("noisy"),
}


def judge_report(
    stage: Stage,
    *,
    page: int = 1,
    per_page: int | None = None,
    q: str = "",
    flagged_only: bool = False,
) -> JudgeReport:
    """Per judge: sheets, mean total, offset, scale, noise, agreement with the other judges,
    flags, and a chart of their totals against the panel's consensus; most harsh first.

    The fit and the diagnostics cover every judge; the rows (with their charts) are those of
    page ``page`` of ``per_page`` (all without ``per_page``) among the judges whose name holds
    ``q`` (case-insensitive) and, with ``flagged_only``, who have a flag. Only those judges'
    accounts are loaded."""
    data = load_stage(stage)
    method = methods.judge_model(method_of(stage)).name
    result = data.normalize(method)
    n_j = int(data.judge_ids.size)
    diag: JudgeDiagnostics = judge_diagnostics(
        data.e_idx,
        data.j_idx,
        data.total,
        method,
        n_entries=data.n_entries,
        n_judges=n_j,
        result=result,
    )
    counts = np.bincount(data.j_idx, minlength=n_j)
    sums = np.bincount(data.j_idx, weights=data.total, minlength=n_j)
    means = np.divide(sums, counts, out=np.full(n_j, np.nan), where=counts > 0)
    consensus = result.entry_score[data.e_idx]
    names = dict(
        db.session.execute(
            select(User.id, User.name).where(User.id.in_(data.judge_ids.tolist()))
        ).all()
    )
    flags_of = [
        [str(label) for key, label in FLAG_LABELS.items() if bool(getattr(diag, key)[j])]
        for j in range(n_j)
    ]
    needle = q.strip().casefold()
    order = sorted(
        (
            j
            for j in range(n_j)
            if needle in (names.get(int(data.judge_ids[j])) or "").casefold()
            and (flags_of[j] or not flagged_only)
        ),
        key=lambda j: (np.nan_to_num(diag.offset[j]), names.get(int(data.judge_ids[j])) or ""),
    )
    at = make_page(len(order), page, per_page or max(len(order), 1))
    shown = order[at.offset : at.offset + at.per_page]
    users = (
        {
            u.id: u
            for u in db.session.scalars(
                select(User).where(User.id.in_([int(data.judge_ids[j]) for j in shown]))
            )
        }
        if shown
        else {}
    )
    by_judge = np.argsort(data.j_idx, kind="stable")  # sheets grouped by judge
    starts = np.r_[0, np.cumsum(counts)]
    rows = []
    for j in shown:
        mine = by_judge[starts[j] : starts[j + 1]]
        judge = users[int(data.judge_ids[j])]
        chart = charts.judge_scatter(
            consensus[mine],
            data.total[mine],
            stage.scale_min,
            stage.scale_max,
            offset=float(diag.offset[j]),
            scale=float(diag.scale[j]),
            outlier=diag.sheet_outlier[mine],
            label=judge.name,
        )
        rows.append(
            JudgeRow(
                judge,
                int(counts[j]),
                float(means[j]),
                float(diag.offset[j]),
                float(diag.scale[j]),
                float(diag.noise[j]),
                float(diag.agreement[j]),
                flags_of[j],
                chart,
            )
        )
    return JudgeReport(rows, float(diag.alpha), method, result.warning, at)
