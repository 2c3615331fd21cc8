"""What the committee's pages read from a stage's uncertainty (``judging.analysis.uncertainty``):
the ranking page's rows and Decided / Could still swap boxes, "why this place" for one entry,
and the risks to confirm before publishing."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from functools import cached_property

import numpy as np

from competition.rounds.models import Stage
from judging.analysis import blunders, charts
from judging.analysis.services import rank_arrays
from judging.analysis.stage_data import StageData
from judging.analysis.uncertainty import (
    DECIDED_HI,
    DECIDED_LO,
    Cut,
    PlaceRanges,
    StageUncertainty,
    cuts_of,
    decisions,
    stage_uncertainty,
    undecided_entries,
)
from judging.award_levels.services import levels_for
from judging.ranking import range_with_place


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
    group_size: int = 0  # ranked entries in the entry's category
    widened: bool = False  # the range was stretched to hold the place shown

    @property
    def interval_svg(self) -> str:
        """The bar of the range of likely places with a dot at the place (drawn when a page
        shows it: the committee's results page shows the numbers only)."""
        lo, hi = self.rank_lo, self.rank_hi
        return charts.rank_interval(lo, hi, self.rank, max(self.group_size, hi), label=f"{lo}-{hi}")

    def at_place(self, place: int) -> EntryUncertainty:
        """This row for the place shown (the stage's method's place): the range stretched to
        hold it where the model's range does not (``ranking.range_with_place``) and the bar's
        dot at it."""
        if not place:
            return self
        lo, hi, widened = range_with_place(place, self.rank_lo, self.rank_hi)
        return replace(
            self, rank=int(place), rank_lo=int(lo), rank_hi=int(hi), widened=bool(widened)
        )


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
    # entries of the category with no submitted sheet yet: any of them may still come above
    # the others, so nobody is decided *in* while there are some (decided out stays true:
    # more entries can only push an entry further down)
    n_unscored: int = 0


@dataclass
class RankingPage:
    """What the ranking page shows from the uncertainty (see :func:`ranking_page`). Rows and
    boxes are made for what a page shows only (``row_for``, ``box_for``): a national stage
    has thousands of entries."""

    unc: StageUncertainty
    _rows: dict[int, EntryUncertainty | None] = field(default_factory=dict, repr=False)
    _group_size: np.ndarray | None = field(default=None, repr=False)
    _boxes: dict[int, CategoryBox | None] = field(default_factory=dict, repr=False)

    @cached_property
    def cuts(self) -> list[Cut] | None:
        return cuts_of(self.unc.stage, self.unc.data) if self.measurable else None

    @cached_property
    def dec(self):
        """``uncertainty.Decisions`` at ``cuts``; None without a measurable fit. Read when a
        page asks (the results page shows rows only), from the caches of ``decisions``: the
        posterior draws are read only by the first worker that needs them."""
        if not self.measurable:
            return None
        return decisions(self.unc, self.cuts)

    @cached_property
    def n_undecided(self) -> int:
        if self.dec is None:
            return 0
        return int(undecided_entries(self.unc, self.cuts, self.dec).size)

    def box_for(self, category_id: int) -> CategoryBox | None:
        """The Decided / Could still swap box of a category; None when it has none."""
        if category_id not in self._boxes:
            index = {c.id: k for k, c in enumerate(self.unc.data.categories)}
            box = None
            if self.dec is not None and category_id in index:
                box = _category_box(self.unc, self.cuts, self.dec, index[category_id])
            self._boxes[category_id] = box
        return self._boxes[category_id]

    @property
    def boxes(self) -> list[CategoryBox]:
        """Every category's box (each loads its entries: for a few categories, ``box_for``)."""
        found = (self.box_for(c.id) for c in self.unc.data.categories) if self.dec else ()
        return [b for b in found if b is not None]

    @cached_property
    def n_unscored(self) -> int:
        """Entries of the stage with no submitted sheet yet (any of them may still come above
        the others: no place is decided while there are some)."""
        return int(self.unc.data.unscored.sum())

    @cached_property
    def mistakes(self):
        """The sheets that look like typing mistakes (``blunders.flagged_sheets``)."""
        return blunders.flagged_sheets(self.unc)

    @property
    def result(self):
        """The fit's figures the page shows (its draws left out: ``dec`` reads them)."""
        return self.unc.summary

    @property
    def measurable(self) -> bool:
        return self.unc.measurable

    @property
    def has_rows(self) -> bool:
        """Some entry has a row (a measurable fit with a ranked entry)."""
        return self.measurable and bool((self.unc.summary.rank > 0).any())

    def _row(self, entry_id: int) -> EntryUncertainty | None:
        if entry_id in self._rows:
            return self._rows[entry_id]
        res, i = self.unc.summary, self.unc.at(entry_id)
        row = None
        if self.measurable and i is not None and res.rank[i] > 0:
            if self._group_size is None:
                self._group_size = np.bincount(
                    res.rank_group[res.rank > 0], minlength=res.rank_group.max() + 1
                )
            lo, hi, rank = int(res.rank_lo[i]), int(res.rank_hi[i]), int(res.rank[i])
            size = int(self._group_size[res.rank_group[i]])
            row = EntryUncertainty(
                float(res.score[i]),
                float(res.se[i]),
                rank,
                lo,
                hi,
                float(res.p_top[i]),
                bool(res.tied_with_next[i]),
                size,
            )
        self._rows[entry_id] = row
        return row

    def award_undecided(self, entry_id: int) -> bool:
        """Whether the entry could still swap across an award cut (winners or an award
        level; not advancement): the publishing page marks its award, or its participation,
        as undecided. False without a measurable fit."""
        if self.dec is None:
            return False
        i = self.unc.at(entry_id)
        if i is None:
            return False
        return any(
            bool(b.undecided[i])
            for cut, b in zip(self.cuts, self.dec.boundaries)
            if cut.kind != "advance"
        )

    def row_for(self, entry_id: int, place: int) -> EntryUncertainty | None:
        """The entry's row for the place shown on the page (see ``EntryUncertainty.at_place``);
        None without a row."""
        row = self._row(entry_id)
        return row.at_place(place) if row is not None else None


def ranking_page(stage: Stage, *, data: StageData | None = None) -> RankingPage:
    """Per category the Decided / Could still swap boxes and per entry its uncertainty, both
    made on demand (``box_for``, ``row_for``: a page shows a few categories of thousands of
    entries). ``data``: the stage's arrays when the caller has them already."""
    return RankingPage(stage_uncertainty(stage, data=data))


def _category_box(unc: StageUncertainty, cuts, dec, c: int) -> CategoryBox | None:
    """The box of the category at index ``c`` (None when it has no ranked entry); loads the
    entries it names (one query). Reads the fit's summary only (its ranks), not its draws."""
    data, res = unc.data, unc.summary
    in_cat = data.category == c
    ranked = in_cat & (res.rank > 0)
    if not ranked.any():
        return None
    named = np.zeros(data.n_entries, dtype=bool)
    for b in dec.boundaries:
        named |= b.undecided | b.decided_in
    if dec.p_pass is not None:
        named |= ~dec.pass_decided & (res.rank > 0)
    wanted = np.flatnonzero(named & in_cat).tolist()
    entry_at = dict(zip(wanted, data.entries_at(wanted)))

    def by_rank(idx):
        return sorted(idx.tolist(), key=lambda k: res.rank[k])

    box = CategoryBox(data.categories[c], [], n_unscored=int((in_cat & data.unscored).sum()))
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
        und = ranked & ~dec.pass_decided
        box.pass_swap = [(entry_at[i], float(dec.p_pass[i])) for i in np.flatnonzero(und)]
        box.n_pass = int((ranked & dec.pass_decided & (dec.p_pass >= DECIDED_HI)).sum())
        box.n_fail = int((ranked & dec.pass_decided & (dec.p_pass <= DECIDED_LO)).sum())
    return box


@dataclass(frozen=True)
class JudgeLine:
    """One judge's sheet on an entry, with that judge's estimated habits (in points)."""

    judge: object
    total: float
    offset: float
    scale: float
    noise: float
    typical_noise: float
    mistake: float = 0.0  # probability that the sheet is a typing mistake (blunders)
    expected: float = float("nan")  # what this judge would be expected to give the entry

    @property
    def looks_like_mistake(self) -> bool:
        return self.mistake >= blunders.THRESHOLD

    @property
    def mistake_words(self) -> str:
        return blunders.chance_words(self.mistake)


@dataclass
class WhyPlace:
    """Why an entry has its place: each judge's score and habits, its adjusted score and
    range of likely places (``row`` None while computing or without sheets)."""

    entry: object
    row: EntryUncertainty | None
    lines: list[JudgeLine]
    span: float
    computing: bool = False
    place_score: float = float("nan")  # the stage's method's score, which gives the place

    @property
    def mistakes(self) -> list[JudgeLine]:
        """The entry's sheets read as likely typing mistakes (given little weight)."""
        return [line for line in self.lines if line.looks_like_mistake]


def why_place(stage: Stage, entry_id: int) -> WhyPlace | None:
    """The explanation of one entry's place; None when the entry is not in the stage."""
    unc = stage_uncertainty(stage)
    i = unc.at(entry_id)
    if i is None:
        return None
    data, res = unc.data, unc.summary
    entry = data.entries_at([i])[0]
    span = float(stage.scale_max - stage.scale_min) or 1.0
    if res is None:
        return WhyPlace(entry, None, [], span, unc.computing)
    mine = np.flatnonzero(data.e_idx == i)
    typical = float(np.nanmedian(res.judge_noise)) if np.isfinite(res.judge_noise).any() else 0.0
    found = blunders.sheet_probabilities(unc)
    p_bad, expected = found if found is not None else (np.zeros(data.total.size), None)
    lines = [
        JudgeLine(
            data.judges[int(data.j_idx[k])],
            float(data.total[k]),
            float(res.judge_offset[data.j_idx[k]]),
            float(res.judge_scale[data.j_idx[k]]),
            float(res.judge_noise[data.j_idx[k]]),
            typical,
            float(p_bad[k]),
            float(expected[k]) if expected is not None else float("nan"),
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
        # the place shown everywhere is the stage's method's (ranking page, publication)
        ranked = rank_arrays(stage, data=data)
        row = row.at_place(int(ranked.rank[i]))
        return WhyPlace(entry, row, lines, span, place_score=float(ranked.score[i]))
    return WhyPlace(entry, row, lines, span)


@dataclass
class PublishRisks:
    """What the committee should confirm before publishing: awarded entries whose score is
    below the rubric's pass mark (entry, score, award title), entries that could still swap
    across an award cut (entry, cut, probability of being in), ``computing`` when a large
    stage's ranges are not ready and ``unmeasured`` when no entry has two judges (either way
    the award order could not be checked), and the scores that look like typing mistakes."""

    below_pass: list = field(default_factory=list)
    undecided: list = field(default_factory=list)
    computing: bool = False
    unmeasured: bool = False  # no entry has two judges: the order cannot be checked
    # sheets that look like typing mistakes (blunders.FlaggedSheet), still counted by the
    # stage's method in the published score
    mistakes: list = field(default_factory=list)
    # each entry's range of likely places from the same fit, for the publication to store
    # (None when there is no measurable fit); not a risk
    ranges: PlaceRanges | None = None

    def __bool__(self) -> bool:
        return bool(
            self.below_pass or self.undecided or self.computing or self.unmeasured or self.mistakes
        )


def publish_risks(stage: Stage) -> PublishRisks:
    """The risks of publishing the stage's ranking as it stands (see :class:`PublishRisks`)."""
    ranked = rank_arrays(stage)
    data = ranked.data
    levels = levels_for(stage)
    risks = PublishRisks()
    if stage.pass_mark is not None and levels:
        score = ranked.score
        with np.errstate(invalid="ignore"):
            below = np.flatnonzero(
                (ranked.rank >= 1)
                & (ranked.rank <= max(lv.up_to_rank for lv in levels))
                & (score < stage.pass_mark)
            )
        # in the order a reader checks them: category by category, award by award
        below = below[np.lexsort((ranked.rank[below], data.category[below]))]
        for i, entry in zip(below.tolist(), data.entries_at(below.tolist())):
            level = next(lv for lv in levels if ranked.rank[i] <= lv.up_to_rank)
            risks.below_pass.append((entry, float(score[i]), level.title))
    unc = stage_uncertainty(stage, data=data)
    if unc.computing:
        risks.computing = True
        return risks
    if unc.summary is None:
        return risks
    risks.mistakes = blunders.flagged_sheets(unc).sheets
    if not unc.measurable:
        risks.unmeasured = True
        return risks
    res = unc.summary
    has = res.rank > 0
    risks.ranges = PlaceRanges(
        data.entry_ids,
        np.where(has, res.rank_lo, 0),
        np.where(has, res.rank_hi, 0),
        np.asarray(res.tied_with_next, dtype=bool),
        data.digest(),
    )
    # the award cuts (none before the round's last scored stage: no award is given there)
    cuts = [c for c in cuts_of(stage, data) if c.kind != "advance"] if levels else []
    if not cuts:
        return risks
    dec = decisions(unc, cuts)
    und = undecided_entries(unc, cuts, dec)
    und = und[np.lexsort((ranked.rank[und], data.category[und]))]  # category by category
    entries = dict(zip(und.tolist(), data.entries_at(und.tolist())))
    for i in und.tolist():
        for cut, b in zip(cuts, dec.boundaries):
            if b.undecided[i]:
                risks.undecided.append((entries[i], cut, float(b.p_in[i])))
    return risks
