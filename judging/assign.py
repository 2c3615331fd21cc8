"""Automatic assignment of judges to entries: pure numpy and the standard library.

Input is a boolean matrix per (entry, judge): ``allowed`` (False = conflict of interest),
``fixed`` (assignments that must stay: scored or added by hand) and ``prefer`` (current
assignments a re-run should keep when it costs nothing). The plan gives each entry ``k``
judges, never a conflicted one, keeps every judge's load within one of the others where the
conflicts allow it, and keeps the judge graph connected (judges linked through the entries
they share), which normalization needs to compare judges' severity.

The method: start from the fixed and preferred pairs; a greedy pass, most constrained
entries first, each taking the least-loaded allowed judges (ties in a seeded random order,
so a run is reproducible and panels overlap); then load-levelling moves from the most to the least
loaded judge; then judge swaps between two assignments of different components (loads
unchanged) until the graph is connected or no swap helps.
"""

from __future__ import annotations

import hashlib
import random
from dataclasses import dataclass

import numpy as np

from judging.normalize import judge_graph_components


@dataclass(frozen=True)
class Plan:
    """A complete assignment of one stage.

    assigned: (n_entries, n_judges) bool, the plan including ``fixed``.
    load: (n_judges,) entries per judge.
    coverage: (n_entries,) judges per entry.
    target: (n_entries,) judges wanted per entry.
    overlap: (n_judges, n_judges) entries shared by each pair of judges (diagonal = load).
    judge_component: (n_judges,) group of each judge (-1 without entries).
    n_components: number of groups of judges linked through shared entries.
    """

    assigned: np.ndarray
    load: np.ndarray
    coverage: np.ndarray
    target: np.ndarray
    overlap: np.ndarray
    judge_component: np.ndarray
    n_components: int

    @property
    def short(self) -> np.ndarray:
        """Indices of entries with fewer judges than wanted (too many conflicts)."""
        return np.flatnonzero(self.coverage < self.target)

    @property
    def load_spread(self) -> int:
        """max load - min load over judges (0 with no judge)."""
        return int(self.load.max() - self.load.min()) if self.load.size else 0

    @property
    def overlap_pairs(self) -> int:
        """How many pairs of judges share at least one entry."""
        upper = np.triu(self.overlap, 1)
        return int((upper > 0).sum())


def describe(assigned: np.ndarray, target: np.ndarray | int) -> Plan:
    """Loads, coverage, overlap and judge components of an assignment matrix."""
    assigned = np.asarray(assigned, dtype=bool)
    n_entries, n_judges = assigned.shape
    target = np.broadcast_to(np.asarray(target, dtype=np.intp), (n_entries,)).copy()
    a = assigned.astype(np.intp)
    e, j = np.nonzero(assigned)
    if e.size:
        _, judge_comp, n_comp = judge_graph_components(e, j, n_entries, n_judges)
    else:
        judge_comp, n_comp = np.full(n_judges, -1, dtype=np.intp), 0
    return Plan(
        assigned=assigned,
        load=a.sum(0),
        coverage=a.sum(1),
        target=target,
        overlap=a.T @ a,
        judge_component=np.asarray(judge_comp),
        n_components=int(n_comp),
    )


def plan(
    allowed: np.ndarray,
    k: np.ndarray | int,
    *,
    fixed: np.ndarray | None = None,
    prefer: np.ndarray | None = None,
    seed: int = 0,
) -> Plan:
    """Assign ``k`` judges (a number, or one per entry) to every entry.

    ``allowed``, ``fixed`` and ``prefer`` are (n_entries, n_judges) bool; ``fixed`` pairs are
    always in the plan (even beyond ``k``). An entry gets fewer than ``k`` judges only when
    too few are allowed. Deterministic for a given ``seed``.
    """
    allowed = np.asarray(allowed, dtype=bool)
    n_entries, n_judges = allowed.shape
    fixed = np.zeros_like(allowed) if fixed is None else np.asarray(fixed, dtype=bool)
    prefer = np.zeros_like(allowed) if prefer is None else np.asarray(prefer, dtype=bool)
    target = np.broadcast_to(np.asarray(k, dtype=np.intp), (n_entries,)).copy()
    rng = random.Random(seed)
    tiebreak = np.array([[rng.random() for _ in range(n_judges)] for _ in range(n_entries)])
    if n_judges == 0:
        return describe(fixed.copy(), target)
    # 0. Start from the fixed pairs and the current ones still allowed (a re-run after a late
    #    change then moves only what it must), dropping current ones beyond the target.
    assigned = fixed | (prefer & allowed)
    load = assigned.sum(0).astype(np.intp)
    for i in np.flatnonzero(assigned.sum(1) > target):
        extra = [jj for jj in np.flatnonzero(assigned[i] & ~fixed[i])]
        extra.sort(key=lambda jj: -load[jj])
        for jj in extra[: int(assigned[i].sum() - target[i])]:
            assigned[i, jj] = False
            load[jj] -= 1

    # 1. Greedy: most constrained entries first (fewest allowed judges), then random order.
    free = allowed & ~assigned
    order = sorted(range(n_entries), key=lambda i: (int(free[i].sum()), rng.random()))
    for i in order:
        need = target[i] - int(assigned[i].sum())
        if need <= 0:
            continue
        candidates = np.flatnonzero(free[i])
        ranked = sorted(candidates, key=lambda jj: (load[jj], tiebreak[i, jj]))
        for jj in ranked[:need]:
            assigned[i, jj] = True
            load[jj] += 1

    movable = assigned & ~fixed

    # 2. Level the loads: move an entry from a judge at the top along a chain of judges
    #    (each passing one entry on) to a judge at least two entries lighter.
    for _ in range(n_entries * n_judges):
        path = _levelling_path(assigned, movable, allowed, load, tiebreak)
        if path is None:
            break
        for i, src, dst in path:
            assigned[i, src] = movable[i, src] = False
            assigned[i, dst] = movable[i, dst] = True
        load[path[0][1]] -= 1
        load[path[-1][2]] += 1

    # 3. Connect the judge graph: swap the judges of two movable assignments in different
    #    components (both loads unchanged); keep the swap only if the components decrease.
    current = describe(assigned, target)
    tried = 0
    while current.n_components > 1 and tried < 5000:
        improved = False
        comp = current.judge_component
        edges = list(zip(*np.nonzero(movable), strict=True))
        rng.shuffle(edges)
        for i1, j1 in edges:
            for i2, j2 in edges:
                tried += 1
                if comp[j1] == comp[j2] or i1 == i2:
                    continue
                if not (allowed[i1, j2] and allowed[i2, j1]):
                    continue
                if assigned[i1, j2] or assigned[i2, j1]:
                    continue
                trial = assigned.copy()
                trial[i1, j1] = trial[i2, j2] = False
                trial[i1, j2] = trial[i2, j1] = True
                candidate = describe(trial, target)
                if candidate.n_components < current.n_components:
                    assigned = trial
                    movable[i1, j1] = movable[i2, j2] = False
                    movable[i1, j2] = movable[i2, j1] = True
                    current = candidate
                    improved = True
                    break
            if improved:
                break
        if not improved:
            break
    return current


def _levelling_path(assigned, movable, allowed, load, tiebreak):
    """A chain of moves [(entry, from judge, to judge), ...] taking one entry off the most
    loaded judge and adding one to a judge at least two lighter (breadth-first search over
    judges: j -> x when one of j's movable entries may go to x); None if there is none."""
    n_judges = load.size
    for hi in np.argsort(-load, kind="stable"):
        parent: dict[int, tuple[int, int]] = {int(hi): (-1, -1)}
        queue = [int(hi)]
        while queue:
            src = queue.pop(0)
            rows = np.flatnonzero(movable[:, src])
            for dst in np.argsort(load, kind="stable"):
                dst = int(dst)
                if dst in parent:
                    continue
                ok = rows[allowed[rows, dst] & ~assigned[rows, dst]]
                if not ok.size:
                    continue
                parent[dst] = (src, int(ok[np.argmin(tiebreak[ok, dst])]))
                if load[hi] - load[dst] > 1:
                    path = []
                    node = dst
                    while node != hi:
                        prev, i = parent[node]
                        path.append((i, prev, node))
                        node = prev
                    return path[::-1]
                queue.append(dst)
        if len(parent) == n_judges:
            break
    return None


def work_order(judge_id: int, entry_id: int) -> int:
    """Where an entry comes in the judge's list of sheets still to do: an order of the
    judge's own, the same at every visit, unrelated to the entry's number or to another
    judge's order. When every judge worked down the same list, the entries at its end were
    scored by tired or hurried judges all at once, and the judge model (one leniency per
    judge) took that for weaker entries: bench/README.md "Held-out designs", fatigue_drift
    (90 % intervals covered 0.86, the last quarter of the list 0.83; 0.91 in random order).
    ``judging.panels.assignment`` sorts a judge's sheets to do by it; bench/accuracy.py's
    fatigue control ``fatigue_juri_order`` has its judges work in it."""
    digest = hashlib.blake2b(f"{judge_id}:{entry_id}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big")
