"""A stage's scores as arrays: the only bridge from database rows to arrays. ``load_stage``
gives a ``StageData``: the stage's submitted entries and sheets over dense indices (read
through ``judging.analysis.stage_arrays``'s cache), the entries and judges behind them, and the
numpy core's fit of them under a method, kept per process and in the shared cache."""

from __future__ import annotations

import hashlib

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from competition.accounts.models import User
from competition.db import db
from competition.entries import services as entry_service
from competition.entries.models import Entry
from competition.rounds.models import Stage
from judging.analysis import shared_cache
from judging.analysis.models import RankingCache
from judging.analysis.ranking_cache import (
    _MEMO,
    _dump_fit,
    _load_fit,
    _remember,
    store_ranking_result,
)
from judging.analysis.stage_arrays import (
    _FP_EXPECTED,
    _FP_SUBMITTED,
    _cached_arrays,
    _keep_arrays,
    _read_arrays,
    stage_fingerprint,
)
from judging.normalize import Normalized, normalize

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

    @property
    def unscored(self) -> np.ndarray:
        """(n_entries,) bool: the entries with no submitted sheet yet (kept with the arrays)."""
        found = self.memo.get("unscored")
        if found is None:
            found = np.bincount(self.e_idx, minlength=self.n_entries) == 0
            self.memo["unscored"] = found
        return found

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
