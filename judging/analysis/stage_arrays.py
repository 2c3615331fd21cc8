"""What ``load_stage`` reads of a stage, as read-only arrays (``StageArrays``): the two
queries that read its entries and submitted sheets, the fingerprint that identifies what
they would read (``stage_fingerprint``, one statement of aggregates), and this process's
cache of the arrays keyed by that fingerprint, bounded by stages and bytes."""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass, field

import numpy as np
from sqlalchemy import BigInteger, Float, and_, case, cast, func, select, true

from competition.db import db
from competition.entries import services as entry_service
from competition.entries.models import Entry
from competition.rounds.models import Stage
from judging.panels.models import Assignment
from judging.scoring.models import Criterion, ScoreSheet, SheetStatus


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
