"""Sums over the sheets in the iterative fits (``bias``, ``bias_scale``), and the work
buffers they reuse. Pure numpy (part of :mod:`judging.normalize`).

Speed of the iterative fits without changing a bit of their results (2026-12-03): per-entry
sums of a per-judge value go through a (slot, entry) table of the sheets built once per fit
(:func:`_entry_sums`), adding the same values in the same order as ``np.bincount``; the loop
keeps its per-sheet temporaries in buffers allocated once per fit (:func:`_work`: fresh 2 MB
arrays cost page faults, a third of the fit's CPU time). 2026-12-04: the elementwise passes
with many temporaries (leave-one-out residuals, the scale step's products) go in blocks of
``_BLOCK`` sheets that stay in the cache. ``tests/judging/test_normalize_sums.py`` checks
that the table and ``np.bincount``, and blocks and one pass, give identical bits.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from judging.normalize_core import _Data

# The sums over sheets in the fits. ``np.bincount`` adds each group's values one after the other
# in the sheets' order, starting from 0.0; every faster path below adds the same values in the
# same order, so the fits give the same numbers, bit for bit, whichever path runs
# (tests/judging/test_normalize_sums.py compares them).

#: the (slot, entry) table of :func:`_entry_slots` is used when it has at most this many cells
#: per sheet (entries with very different numbers of sheets would make it mostly padding)
_SLOTS_MAX_FILL = 2.0
#: sheets per block of the elementwise passes (the leave-one-out residuals, the scale step's
#: products): a block's temporaries (128 KB each) stay in the core's cache between the
#: operations instead of streaming 2 MB arrays through memory; elementwise results do not
#: depend on the blocks
_BLOCK = 16_384
#: below this many sheets np.bincount is as fast (the table's k gathers per sum cost more
#: calls than they save: 10-25 % slower fits on a few hundred sheets)
_SLOTS_MIN_SHEETS = 20_000


@dataclass(frozen=True)
class _Slots:
    """The sheets as a table of ``k`` rows (k = most sheets on one entry) by ``n_entries``
    columns: column e holds entry e's sheets in their input order, padded with the judge index
    ``n_judges`` (a zero at the end of :attr:`table`) and a zero score.

    ``cell`` is each sheet's flat position in the table (None when the sheets are sorted by
    entry and every entry has k: the table is then the sheets' transpose); ``judge``
    (k, n_entries) the judge index per cell; ``table`` (n_judges + 1,) and ``row`` (n_entries,) are reused buffers."""

    cell: np.ndarray
    judge: np.ndarray
    table: np.ndarray
    row: np.ndarray


def _entry_slots(d: _Data):
    """The :class:`_Slots` of the sheets (built once per fit and cached on ``d``), or None
    when the table would be more than ``_SLOTS_MAX_FILL`` cells per sheet or there are fewer
    than ``_SLOTS_MIN_SHEETS`` sheets."""
    slots = d.cache.get("slots", False)
    if slots is not False:
        return slots
    S, E = d.score.size, d.n_entries
    k = int(d.e_count.max()) if S else 0
    slots = None
    big = S >= _SLOTS_MIN_SHEETS
    if big and k * E == S and _sorted_by_entry(d):  # every entry has k sheets: no padding
        judge = np.ascontiguousarray(d.judge.reshape(E, k).T)
        slots = _Slots(None, judge, np.zeros(d.n_judges + 1), np.empty(E))
    elif big and k * E <= _SLOTS_MAX_FILL * S:
        start = np.cumsum(d.e_count) - d.e_count
        rank = np.arange(S) - np.repeat(start, d.e_count)  # position within its entry, sorted
        if _sorted_by_entry(d):
            slot = rank
        else:
            slot = np.empty(S, dtype=np.intp)
            slot[np.argsort(d.entry, kind="stable")] = rank
        cell = slot * E + d.entry
        judge = np.full(k * E, d.n_judges, dtype=np.intp)
        judge[cell] = d.judge
        slots = _Slots(cell, judge.reshape(k, E), np.zeros(d.n_judges + 1), np.empty(E))
    d.cache["slots"] = slots
    return slots


def _entry_sums(d: _Data, v, y=None, out=None):
    """Per entry, the sum over its sheets of ``v[judge]`` (times ``y[sheet]`` when given),
    into ``out`` when given (n_entries,).

    With the :class:`_Slots` table: one gather per row from the short per-judge table and
    ``k`` contiguous additions (0.3 ms for 250,000 sheets against 0.8 ms for a gather onto the
    sheets and an ``np.bincount`` into 50,000 entries); padding cells add exact zeros, and the
    final ``+ 0.0`` turns a sum of negative zeros into the +0.0 that np.bincount gives."""
    slots = _entry_slots(d)
    if slots is None:
        g = np.take(v, d.judge, out=_work(d, "entry_sums"), mode="clip")
        if y is not None:
            g *= y
        sums = np.bincount(d.entry, weights=g, minlength=d.n_entries)
        if out is None:
            return sums
        out[:] = sums
        return out
    slots.table[:-1] = v
    ys = None if y is None else _slot_values(d, slots, y)
    if out is None:
        out = np.empty(d.n_entries)
    for r in range(slots.judge.shape[0]):
        cells = slots.row if r else out
        slots.table.take(slots.judge[r], out=cells, mode="clip")
        if ys is not None:
            cells *= ys[r]
        if r:
            out += cells
    out += 0.0
    return out


def _slot_values(d: _Data, slots: _Slots, y):
    """``y`` (per sheet) laid out in the slot table, zero in the padding; cached per ``y``
    array (constant in a fit)."""
    cache = d.cache
    if cache.get("slot_values_of") is not y:
        if slots.cell is None:  # sorted, k sheets per entry
            ys = np.ascontiguousarray(y.reshape(slots.judge.shape[::-1]).T)
        else:
            ys = np.zeros(slots.judge.size)
            ys[slots.cell] = y
        cache["slot_values_of"] = y
        cache["slot_values"] = ys.reshape(slots.judge.shape)
    return cache["slot_values"]


def _judge_sums(d: _Data, values):
    """Per judge, the sum over its sheets of the per-entry ``values[entry]``."""
    return np.bincount(d.judge, weights=_at_entries(d, values), minlength=d.n_judges)


def _work(d: _Data, name, n=None, dtype=float):
    """A work buffer of ``n`` (default: the sheets') items, allocated once per fit and reused
    by every iteration. A fresh array of 250,000 floats (2 MB) each step costs page faults
    whenever the allocator hands the memory back to the system between steps: 40,000 faults
    and a third of the default fit's CPU time for 250,000 sheets (measured 2026-12-03).
    Steps whose use of a buffer does not overlap share its name: the scale step and the
    additive fit's residuals use leave-one-out buffers while no leave-one-out result is
    pending ("loo_s", "loo_safe"; the pending residuals live in "loo_r2" and "loo_valid");
    the blocks of :func:`judging.normalize_bias._loo_from_sums` have their own ("block_*",
    ``_BLOCK`` items)."""
    key = ("work", name)
    buf = d.cache.get(key)
    if buf is None:
        buf = d.cache[key] = np.empty(d.score.size if n is None else n, dtype=dtype)
    return buf


def _sorted_by_entry(d: _Data) -> bool:
    sorted_e = d.cache.get("sorted_by_entry")
    if sorted_e is None:
        e = d.entry
        sorted_e = d.cache["sorted_by_entry"] = bool(e.size < 2 or np.all(e[1:] >= e[:-1]))
    return sorted_e


def _repeats(d: _Data):
    """``np.repeat``'s counts for :func:`_at_entries`: the one number of sheets when every
    entry has it (a scalar count repeats about 30 % faster than an array of counts), else the
    sheets per entry."""
    reps = d.cache.get("repeats")
    if reps is None:
        k = int(d.e_count.max()) if d.e_count.size else 0
        reps = d.cache["repeats"] = k if k * d.e_count.size == d.score.size else d.e_count
    return reps


def _at_entries(d: _Data, values, out=None):
    """``values[d.entry]``: per-entry values gathered onto the sheets, into ``out`` (a buffer
    of the sheets' length) when given. Without ``out``, sheets sorted by entry (as the pages
    and benchmarks pass them) take ``np.repeat``, a little cheaper than a gather; the numbers
    are the same. With ``out`` a gather into it is cheaper than a fresh array (see
    :func:`_work`)."""
    if out is None and _sorted_by_entry(d):
        return np.repeat(values, _repeats(d))
    # indices were checked by _check: mode "clip" skips numpy's buffered copy for ``out``
    return np.take(values, d.entry, out=out, mode="clip")


def _judge_sum(d: _Data, y):
    """Sum of ``y`` over each judge's sheets, cached per ``y`` array (constant in a fit)."""
    cache = d.cache
    if cache.get("judge_sum_of") is not y:
        cache["judge_sum_of"] = y
        cache["judge_sum"] = np.bincount(d.judge, weights=y, minlength=d.n_judges)
    return cache["judge_sum"]
