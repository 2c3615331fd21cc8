"""One more judge where it decides: the entries whose award or advancement is undecided, a
proposal of one more judge for each (``judging.uncertainty.plan_extra_judges``: no conflicts,
judges that link groups first, balanced loads) and its application through the ordinary
manual assignment (audited, the judges notified)."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

import numpy as np
from flask_babel import lazy_gettext as _l
from sqlalchemy import BigInteger, cast, func, select, true

from competition.accounts.models import User
from competition.actors import records_actor
from competition.db import db
from competition.entries import services as entry_service
from competition.entries.models import Entry
from competition.errors import InvalidState
from competition.pagination import Page, make_page
from competition.roles import Role
from competition.rounds.models import Stage
from judging.analysis import shared_cache, uncertainty
from judging.analysis.models import RankingCache
from judging.analysis.ranking_cache import store_ranking_result
from judging.panels import assignment as assignment_service
from judging.panels.models import Assignment, Conflict, JudgeWithdrawal, Panel, PanelMember
from judging.uncertainty import plan_extra_judges


@dataclass(frozen=True)
class Proposal:
    entry: object
    judge: User
    se_now: float
    se_new: float
    shrink: float  # 1 - se_new / se_now: the expected reduction of the entry's uncertainty
    links_groups: bool


@dataclass
class ExtraPlan:
    """The undecided entries (entry, cut, probability of being in) and the proposal."""

    stage: Stage
    computing: bool = False
    unmeasured: bool = False  # no entry has two judges: nothing can be called decided
    undecided: list = field(default_factory=list)  # (entry, CutBox-like text, p_in)
    proposals: list[Proposal] = field(default_factory=list)
    no_judge: list = field(default_factory=list)
    digest: str = ""

    @property
    def mean_shrink(self) -> float:
        vals = [p.shrink for p in self.proposals if np.isfinite(p.shrink)]
        return float(np.mean(vals)) if vals else float("nan")


def plan(stage: Stage, *, fresh: bool = False) -> ExtraPlan:
    """The entries undecided at a cut (10-90 % chance of being in) and one more judge for each,
    with the same eligibility as the automatic assignment (conflicts, panels, withdrawals):
    the whole plan, every entry and judge it names loaded (``plan_page`` loads one page).

    A plan takes seconds on a national stage (the eligibility of every entry for every judge),
    so it is kept in the shared cache (``RankingCache``, kind "extra_judges") under a digest
    of all it depends on (``plan_digest``: the fit, the cuts and their decisions, and the
    state of the stage's assignments, conflicts, judges and panels); every worker of every
    server reads it from there. ``fresh`` computes it on the current state without the cache
    (assigning never trusts a stored plan)."""
    status, data, cuts, stored = _plan_arrays(stage, fresh=fresh)
    if status is not None:
        return status
    found = _load_plan(stage, data, cuts, stored)
    if found is None and not fresh:  # a judge it names is gone: plan on the current state
        return plan(stage, fresh=True)
    return found


@dataclass
class PlanPage:
    """One page of a plan for the undecided page: the page's undecided rows (entry, cut,
    chance of being in) and proposed pairs, with the whole plan's totals, mean shrink, judges
    with their number of extra entries, the first ``no_judge_named`` entries that no judge can
    take (``n_no_judge`` in all) and its digest (the button assigns the whole plan)."""

    stage: Stage
    computing: bool = False
    unmeasured: bool = False
    rows: list = field(default_factory=list)
    rows_at: Page | None = None
    n_row_entries: int = 0
    pairs: list[Proposal] = field(default_factory=list)
    pairs_at: Page | None = None
    n_pair_entries: int = 0
    per_judge: list = field(default_factory=list)  # (judge row: .id, .name; its entries)
    no_judge: list = field(default_factory=list)
    n_no_judge: int = 0
    mean_shrink: float = float("nan")
    digest: str = ""
    # assigned sheets not submitted yet, and entries with no submitted sheet at all: the
    # ranges of places are wider than they will be once those sheets are in
    sheets_missing: int = 0
    entries_unscored: int = 0


def plan_page(
    stage: Stage,
    *,
    page: int = 1,
    pairs_page: int = 1,
    per_page: int = 100,
    no_judge_named: int = 50,
) -> PlanPage:
    """Page ``page`` of the plan's undecided rows and page ``pairs_page`` of its proposed
    pairs, ``per_page`` rows each (clamped to the pages there are): the plan as ``plan``
    finds it (the shared cache), but only the entries and judges on the page are loaded; the
    totals and the count per judge come from the plan's arrays (one query for the judges'
    names)."""
    for fresh in (False, True):  # fresh: a judge the stored plan names is gone
        status, data, cuts, stored = _plan_arrays(stage, fresh=fresh)
        if status is not None:
            return PlanPage(stage, computing=status.computing, unmeasured=status.unmeasured)
        found = _load_page(stage, data, cuts, stored, page, pairs_page, per_page, no_judge_named)
        if found is not None:
            if data.sheets_expected is not None:
                found.sheets_missing = max(0, data.sheets_expected - data.sheets_submitted)
            found.entries_unscored = int(data.unscored.sum())
            return found
    return PlanPage(stage)  # not reached: a fresh plan names only current judges


def _plan_arrays(stage: Stage, *, fresh: bool) -> tuple:
    """(status, data, cuts, stored plan): ``status`` an ``ExtraPlan`` saying why there is no
    plan (the fit is being computed, or nothing can be measured) and the rest None; else None
    and the stage's data, its cuts and the ``_StoredPlan`` read from the shared cache (when
    it fits the stage's data) or computed and stored there (``fresh``: computed, not stored)."""
    unc = uncertainty.stage_uncertainty(stage)
    if unc.summary is None:
        return ExtraPlan(stage, computing=unc.computing), None, None, None
    if not unc.measurable:
        return ExtraPlan(stage, unmeasured=True), None, None, None
    cuts = uncertainty.cuts_of(stage, unc.data)
    key = "" if fresh else plan_digest(stage, unc, cuts)
    if key:
        raw = shared_cache.read(RankingCache, key)
        stored = _readable(raw, unc.data, cuts) if raw is not None else None
        if stored is not None:
            return None, unc.data, cuts, stored
    stored = _compute(stage, unc, cuts)
    if key:
        store_ranking_result(
            stage_id=stage.id,
            digest=key,
            data=shared_cache.dump(stored),
            per_kind=PLANS_PER_STAGE,
            kind="extra_judges",
        )
    return None, unc.data, cuts, stored


def _sums(*columns) -> list:
    """Aggregates identifying a set of rows by their integer ``columns`` (the first the row's
    id): the count, the largest id, and the sums of each column and of each column times the
    id (as BIGINT: they overflow an INTEGER on a national stage). A row added, removed or
    changed in place (another judge, entry or organisation in the same row) changes them; a
    NULL counts as 0, which no id is."""
    row_id, *rest = columns
    big = [cast(func.coalesce(c, 0), BigInteger) for c in columns]
    out = [func.count(row_id), func.coalesce(func.max(row_id), 0)]
    out += [func.coalesce(func.sum(c), 0) for c in big]
    out += [func.coalesce(func.sum(big[0] * c), 0) for c in big[1:]]
    return out


def state_fingerprint(stage: Stage) -> tuple:
    """What a plan depends on besides the fit and the cuts, in one statement of aggregates
    (each table read once in the database, nothing loaded into Python: about a millisecond's
    work where reading the rows took 0.2 s on a national stage): the stage's assignments
    (entry x judge pairs too), the judge pool in the order the planner sees it (enabled judges
    by name: each judge's id times its place), their organisations, those who withdrew from the
    stage, every declared conflict of interest, the organisations and categories of the stage's
    entries, and its panels with their members."""
    pair = cast(Assignment.entry_id, BigInteger) * Assignment.judge_id
    assignments = select(
        *_sums(Assignment.id, Assignment.entry_id, Assignment.judge_id),
        func.coalesce(func.sum(pair), 0),
    ).where(Assignment.stage_id == stage.id)
    pool = (
        select(
            User.id,
            User.organisation_id,
            func.row_number().over(order_by=(User.name, User.id)).label("place"),
        )
        .where(User.role == Role.JUDGE, User.is_enabled.is_(True))
        .subquery()
    )
    judges = select(
        *_sums(pool.c.id, pool.c.organisation_id),
        func.coalesce(func.sum(cast(pool.c.id, BigInteger) * pool.c.place), 0),
    )
    withdrawn = select(*_sums(JudgeWithdrawal.id, JudgeWithdrawal.judge_id)).where(
        JudgeWithdrawal.stage_id == stage.id
    )
    conflicts = select(
        *_sums(Conflict.id, Conflict.judge_id, Conflict.entry_id, Conflict.organisation_id)
    )
    entries = select(*_sums(Entry.id, Entry.organisation_id, Entry.category_id)).where(
        entry_service.in_stage(stage)
    )
    panels = select(*_sums(Panel.id, Panel.category_id)).where(Panel.stage_id == stage.id)
    members = (
        select(*_sums(PanelMember.id, PanelMember.panel_id, PanelMember.judge_id))
        .join(Panel, PanelMember.panel_id == Panel.id)
        .where(Panel.stage_id == stage.id)
    )
    parts = [
        q.subquery() for q in (assignments, judges, withdrawn, conflicts, entries, panels, members)
    ]
    joined = parts[0]
    for part in parts[1:]:
        joined = joined.join(part, true())
    row = db.session.execute(select(*parts).select_from(joined)).one()  # one-row aggregates
    return tuple(int(v) for v in row)


def plan_digest(stage: Stage, unc: uncertainty.StageUncertainty, cuts: list) -> str:
    """The plan's key in the shared cache: the fit's digest (sheets, judge model, settings),
    the decisions' key (cut places, pass mark, levels), the cuts themselves (kind, title,
    categories: which entries a cut applies to and what the page says of it), the seed and
    ``state_fingerprint``; "" without a shared fit (nothing to key it by)."""
    decided = uncertainty.decisions_digest(unc, cuts)
    if not decided:
        return ""
    cut_rows = tuple(
        (c.place, c.kind, c.title, None if c.categories is None else tuple(sorted(c.categories)))
        for c in cuts
    )
    return shared_cache.digest_of(
        "extra_judges",
        PLAN_VERSION,
        unc.digest,
        decided,
        cut_rows,
        stage.id,
        stage.stable_seed,
        state_fingerprint(stage),
    )


@dataclass(frozen=True)
class _StoredPlan:
    """A plan as plain arrays (``shared_cache.dump``): the undecided rows (entry position in
    the stage's data, cut index in ``cuts``, chance of being in); the proposals (entry
    position, judge id, SEs, shrink, links groups); the entries with no eligible judge; the
    proposal's digest (the preview's, checked when assigning)."""

    und_entry: np.ndarray
    und_cut: np.ndarray
    und_p: np.ndarray
    entry: np.ndarray
    judge_id: np.ndarray
    se_now: np.ndarray
    se_new: np.ndarray
    shrink: np.ndarray
    bridges: np.ndarray
    no_judge: np.ndarray
    digest: str = ""


# A stage's plan changes with every assignment or conflict: only its newest few are kept, so
# they never push the stage's fits and posterior draws out of the cache.
PLANS_PER_STAGE = 2
# Bumped when ``_StoredPlan`` or the planning around ``plan_extra_judges`` changes.
PLAN_VERSION = 1


def _compute(stage: Stage, unc: uncertainty.StageUncertainty, cuts: list) -> _StoredPlan:
    """The plan on the current state (seconds on a national stage: every entry's eligibility
    for every judge)."""
    res, data = unc.summary, unc.data
    dec = uncertainty.decisions(unc, cuts)
    und = uncertainty.undecided_entries(unc, cuts, dec)
    none = np.zeros(0, dtype=np.int64)
    if not und.size:
        empty = np.zeros(0)
        return _StoredPlan(none, none, empty, none, none, empty, empty, empty, none > 0, none)
    judges = assignment_service.stage_judges(stage)
    entries = data.entries_at(list(range(data.n_entries)))
    # the same matrices as the automatic assignment: conflicts and panels
    allowed, _fixed, _prefer, _current = assignment_service._stage_matrices(stage, judges, entries)
    j_pos = {j.id: k for k, j in enumerate(judges)}
    rows = db.session.execute(
        select(Assignment.entry_id, Assignment.judge_id).where(Assignment.stage_id == stage.id)
    ).all()
    e_pos = {e: i for i, e in enumerate(data.entry_ids.tolist())}
    pairs = [(e_pos[e], j_pos[j]) for e, j in rows if e in e_pos and j in j_pos]
    a_entry = np.array([p[0] for p in pairs], dtype=np.intp)
    a_judge = np.array([p[1] for p in pairs], dtype=np.intp)
    noise = np.full(len(judges), np.nan)
    scale = np.full(len(judges), np.nan)
    for k, jid in enumerate(data.judge_ids.tolist()):
        if jid in j_pos:
            noise[j_pos[jid]] = res.judge_noise[k]
            scale[j_pos[jid]] = res.judge_scale[k]
    extra = plan_extra_judges(
        a_entry,
        a_judge,
        und,
        len(judges),
        se=res.se,
        judge_noise=noise,
        judge_scale=scale,
        conflict=~allowed,
        seed=stage.stable_seed,
    )
    und_rows = [
        (i, k, float(b.p_in[i]))
        for i in und.tolist()
        for k, (cut, b) in enumerate(zip(cuts, dec.boundaries))
        if b.undecided[i] and (cut.categories is None or data.category[i] in cut.categories)
    ]
    judge_ids = np.array([judges[j].id for j in extra.judge.tolist()], dtype=np.int64)
    key = repr(
        sorted(
            (int(data.entry_ids[e]), int(j))
            for e, j in zip(extra.entry.tolist(), judge_ids.tolist())
        )
    )
    return _StoredPlan(
        np.array([r[0] for r in und_rows], dtype=np.int64),
        np.array([r[1] for r in und_rows], dtype=np.int64),
        np.array([r[2] for r in und_rows], dtype=float),
        np.asarray(extra.entry, dtype=np.int64),
        judge_ids,
        np.asarray(extra.se_now, dtype=float),
        np.asarray(extra.se_new, dtype=float),
        np.asarray(extra.shrink, dtype=float),
        np.asarray(extra.bridges, dtype=bool),
        np.asarray(extra.no_judge, dtype=np.int64),
        hashlib.sha256(key.encode()).hexdigest()[:16],
    )


def _readable(raw: bytes, data, cuts: list) -> _StoredPlan | None:
    """The ``_StoredPlan`` in ``raw``; None when this code cannot read it or it does not fit
    the stage's data (an entry position or a cut beyond them: computed again)."""
    try:
        stored = shared_cache.load(_StoredPlan, raw)
    except (KeyError, TypeError, ValueError):
        return None
    positions = np.concatenate([stored.und_entry, stored.entry, stored.no_judge])
    if positions.size and (positions.min() < 0 or positions.max() >= data.n_entries):
        return None
    if stored.und_cut.size and stored.und_cut.max() >= len(cuts):
        return None
    return stored


def _entries(data, positions) -> dict:
    """The entries at ``positions`` of the stage's data by position (one query)."""
    wanted = sorted(set(positions))
    return dict(zip(wanted, data.entries_at(wanted)))


def _judges(ids) -> dict | None:
    """The users ``ids`` by id (one query); None when one of them is gone."""
    ids = sorted(set(ids))
    found = (
        {u.id: u for u in db.session.scalars(select(User).where(User.id.in_(ids)))} if ids else {}
    )
    return found if len(found) == len(ids) else None


def _proposals(stored: _StoredPlan, at: slice, entries: dict, judges: dict) -> list[Proposal]:
    return [
        Proposal(entries[e], judges[j], s0, s1, sh, bool(br))
        for e, j, s0, s1, sh, br in zip(
            stored.entry[at].tolist(),
            stored.judge_id[at].tolist(),
            stored.se_now[at].tolist(),
            stored.se_new[at].tolist(),
            stored.shrink[at].tolist(),
            stored.bridges[at].tolist(),
        )
    ]


def _undecided(stored: _StoredPlan, at: slice, entries: dict, cuts: list) -> list:
    return [
        (entries[i], cuts[k], p)
        for i, k, p in zip(
            stored.und_entry[at].tolist(), stored.und_cut[at].tolist(), stored.und_p[at].tolist()
        )
    ]


def _load_plan(stage: Stage, data, cuts: list, stored: _StoredPlan) -> ExtraPlan | None:
    """The whole plan from a ``_StoredPlan``: only the entries and judges it names are loaded
    (one query each). None when a judge it names is gone."""
    everything = slice(None)
    judges = _judges(stored.judge_id.tolist())
    if judges is None:
        return None
    entries = _entries(
        data, np.concatenate([stored.und_entry, stored.entry, stored.no_judge]).tolist()
    )
    proposals = _proposals(stored, everything, entries, judges)
    return ExtraPlan(
        stage,
        undecided=_undecided(stored, everything, entries, cuts),
        proposals=proposals,
        no_judge=[entries[i] for i in stored.no_judge.tolist()],
        digest=stored.digest if proposals else "",
    )


def _load_page(
    stage: Stage,
    data,
    cuts: list,
    stored: _StoredPlan,
    page: int,
    pairs_page: int,
    per_page: int,
    no_judge_named: int,
) -> PlanPage | None:
    """``plan_page`` from a ``_StoredPlan``: the entries on the page (its undecided rows, its
    pairs, the first ``no_judge_named`` entries without a judge) in one query, the page's
    judges in another, the names of all the plan's judges (for the count per judge) in a
    third. None when a judge the plan names is gone."""
    rows_at = make_page(stored.und_entry.size, page, per_page)
    pairs_at = make_page(stored.entry.size, pairs_page, per_page, "pairs_page")
    rows = slice(rows_at.offset, rows_at.last)
    pairs = slice(pairs_at.offset, pairs_at.last)
    ids, counts = np.unique(stored.judge_id, return_counts=True)
    names = {
        r.id: r
        for r in db.session.execute(select(User.id, User.name).where(User.id.in_(ids.tolist())))
    }
    if len(names) != ids.size:
        return None
    per_judge = sorted(
        ((names[j], n) for j, n in zip(ids.tolist(), counts.tolist())),
        key=lambda jn: (-jn[1], jn[0].name, jn[0].id),
    )
    judges = _judges(stored.judge_id[pairs].tolist())
    if judges is None:
        return None
    no_judge = stored.no_judge[:no_judge_named].tolist()
    entries = _entries(
        data, [*stored.und_entry[rows].tolist(), *stored.entry[pairs].tolist(), *no_judge]
    )
    shrink = stored.shrink[np.isfinite(stored.shrink)]
    return PlanPage(
        stage,
        rows=_undecided(stored, rows, entries, cuts),
        rows_at=rows_at,
        n_row_entries=int(np.unique(stored.und_entry).size),
        pairs=_proposals(stored, pairs, entries, judges),
        pairs_at=pairs_at,
        n_pair_entries=int(np.unique(stored.entry).size),
        per_judge=per_judge,
        no_judge=[entries[i] for i in no_judge],
        n_no_judge=int(stored.no_judge.size),
        mean_shrink=float(np.mean(shrink)) if shrink.size else float("nan"),
        digest=stored.digest if stored.entry.size else "",
    )


@records_actor
def assign_extra_judges(*, stage: Stage, digest: str, actor: User) -> ExtraPlan:
    """Assign the previewed extra judges (``digest`` from the preview: refused when the
    proposal changed since). Each goes through the manual assignment: audited, notified."""
    result = plan(stage, fresh=True)  # the current state, never a stored plan
    if not result.proposals:
        raise InvalidState(_l("No entry needs another judge."))
    if digest != result.digest:
        raise InvalidState(
            _l(
                "The suggestion changed since the preview; check the new suggestion before assigning."
            )
        )
    for p in result.proposals:
        assignment_service.assign(stage=stage, entry=p.entry, judge=p.judge, actor=actor)
    return result
