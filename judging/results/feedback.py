"""Feedback to an OPD on its own entry after publication: per published stage, its score per
criterion against the category's median and quartiles, its place and range of likely places,
and (when the committee allows it for the round) the judges' comments as "Juri A, B, C".

Only the entry's own numbers and aggregates over its category leave this module: no other
entry's score and no judge's name. Also the feedback as a PDF (fpdf2, like the certificates)."""

from __future__ import annotations

import json
import math
import string
from dataclasses import dataclass, field

import numpy as np
from sqlalchemy import func, select

from competition.accounts.models import User
from competition.actors import records_actor
from competition.db import db, utcnow
from competition.entries.models import Entry
from competition.pdf import SANS, Block, Document, keep_together, paragraph, space
from competition.rounds.models import Stage
from judging.analysis import combined as combined_ranking
from judging.analysis import uncertainty as stage_uncertainty
from judging.analysis.services import scores_digest
from judging.panels.models import Assignment
from judging.ranking import range_with_place
from judging.results import awards, publications
from judging.results.certificates import MAROON
from judging.results.models import Result
from judging.scoring.models import Criterion, Score, ScoreSheet, SheetStatus
from judging.scoring.rubric import list_criteria

# Fewer scored entries in the category: no quartiles. With five, each quartile of five means
# is one of them (another entry's exact mean); with eight, each lies between two means. And
# every quartile shown is rounded to whole rubric points, so none reads as an entry's mean.
MIN_CATEGORY = 8


def whole_points(value: float) -> float:
    """A quartile rounded to whole rubric points (half up); NaN stays NaN."""
    return float(math.floor(value + 0.5)) if math.isfinite(value) else float("nan")


@dataclass(frozen=True)
class CriterionLine:
    """The entry's mean score on one criterion and the category's median and quartiles of the
    entries' means, rounded to whole points (NaN where nobody scored it, and where fewer than
    ``MIN_CATEGORY`` entries of the category did: ``withheld``)."""

    name: str
    weight: int
    score: float
    q1: float
    median: float
    q3: float
    withheld: bool = False  # the category is too small: the quartiles would give scores away


def quartiles_withheld(lines: list[CriterionLine]) -> bool:
    """Some criterion's quartiles are left out because the category is too small (the page
    and the PDF say why)."""
    return any(line.withheld for line in lines)


@dataclass
class StagePart:
    """A weighted stage of a combined final ranking, as the entry's own feedback in it: its
    scores per criterion against the category's quartiles, and the judges' comments."""

    stage: object
    lines: list[CriterionLine]
    comments: list[tuple[str, str, str]] = field(default_factory=list)


@dataclass
class StageFeedback:
    stage: object
    place: int
    n_ranked: int  # ranked entries of the category in the publication
    score: float
    award: str
    rank_lo: int = 0
    rank_hi: int = 0
    lines: list[CriterionLine] = field(default_factory=list)
    comments: list[tuple[str, str, str]] = field(default_factory=list)  # (Juri A, criterion, text)
    parts: list[StagePart] = field(default_factory=list)  # a combined ranking's weighted stages
    combined: bool = False  # the combined final ranking, published with its last stage
    # the entry did not go on after this stage and has no published place: its scores in the
    # stage only (``_stopped_at``)
    stopped: bool = False


def judge_label(k: int) -> str:
    """0 -> "Juri A", 25 -> "Juri Z", 26 -> "Juri AA": judges stay anonymous to the OPD."""
    letters = string.ascii_uppercase
    name = ""
    k += 1
    while k:
        k, r = divmod(k - 1, 26)
        name = letters[r] + name
    return f"Juri {name}"


def _criterion_lines(stage, entry: Entry) -> list[CriterionLine]:
    """The entry's mean per criterion; the category's quartiles, in whole points, only with
    ``MIN_CATEGORY`` scored entries or more (with two entries, the median and one's own score
    give the other's; with five, every quartile is another entry's exact mean)."""
    rows = db.session.execute(
        select(Assignment.entry_id, Score.criterion_id, func.avg(Score.value))
        .join(ScoreSheet, ScoreSheet.assignment_id == Assignment.id)
        .join(Score, Score.sheet_id == ScoreSheet.id)
        .join(Entry, Entry.id == Assignment.entry_id)
        .where(
            Assignment.stage_id == stage.id,
            ScoreSheet.status == SheetStatus.SUBMITTED,
            Entry.category_id == entry.category_id,
            Score.value.is_not(None),
        )
        .group_by(Assignment.entry_id, Score.criterion_id)
    ).all()
    per_criterion: dict[int, list[float]] = {}
    own: dict[int, float] = {}
    for entry_id, criterion_id, mean in rows:
        per_criterion.setdefault(criterion_id, []).append(float(mean))
        if entry_id == entry.id:
            own[criterion_id] = float(mean)
    lines = []
    for c in list_criteria(stage):
        values = np.array(per_criterion.get(c.id, []), dtype=float)
        withheld = 0 < values.size < MIN_CATEGORY
        if values.size >= MIN_CATEGORY:
            q1, med, q3 = (whole_points(q) for q in np.quantile(values, [0.25, 0.5, 0.75]))
        else:
            q1 = med = q3 = float("nan")
        lines.append(
            CriterionLine(c.name, c.weight, own.get(c.id, float("nan")), q1, med, q3, withheld)
        )
    return lines


def _comments(stage, entry: Entry) -> list[tuple[str, str, str]]:
    """The judges' comments on the entry, each judge named only by a letter (in the order of
    their assignments)."""
    rows = db.session.execute(
        select(Assignment.id, Criterion.name, Score.comment)
        .join(ScoreSheet, ScoreSheet.assignment_id == Assignment.id)
        .join(Score, Score.sheet_id == ScoreSheet.id)
        .join(Criterion, Criterion.id == Score.criterion_id)
        .where(
            Assignment.stage_id == stage.id,
            Assignment.entry_id == entry.id,
            ScoreSheet.status == SheetStatus.SUBMITTED,
        )
        .order_by(Assignment.id, Criterion.position, Criterion.id)
    ).all()
    letters: dict[int, str] = {}
    out = []
    for assignment_id, criterion, comment in rows:
        label = letters.setdefault(assignment_id, judge_label(len(letters)))
        if comment and comment.strip():
            out.append((label, criterion, comment.strip()))
    return out


def feedback_for(entry: Entry) -> list[StageFeedback]:
    """The entry's feedback for every published stage of its round in which it has a place
    (the latest publication of each); empty before publication. An entry that has no place in
    any publication of a published round (it did not go on to the published stages) gets its
    scores in the last stage it was judged in, without a place (``StageFeedback.stopped``)."""
    settings = awards.settings_of(entry.round)
    out = []
    published = publications.list_published_results(entry.round)
    for stage, pub, _results in published:
        mine = db.session.scalar(
            select(Result).where(Result.publication_id == pub.id, Result.entry_id == entry.id)
        )
        if mine is None:
            continue
        n_ranked = db.session.scalar(
            select(func.count(Result.id)).where(
                Result.publication_id == pub.id,
                Result.category_id == mine.category_id,
                Result.rank > 0,
            )
        )
        fb = StageFeedback(stage, mine.rank, n_ranked or 0, mine.score, mine.award)
        combined = json.loads(pub.params or "{}").get("stages")
        stored = mine.rank > 0 and bool(mine.rank_hi)  # the range published with the place
        if stored:
            fb.rank_lo, fb.rank_hi = int(mine.rank_lo), int(mine.rank_hi)
        if not combined:  # a stage's own ranking: its criteria and its range of places
            fb.lines = _criterion_lines(stage, entry)
            if not stored:  # a publication written before ranges were stored
                fb.rank_lo, fb.rank_hi = _stage_range(stage, entry, mine.rank)
            if settings.opd_sees_comments:
                fb.comments = _comments(stage, entry)
        else:  # the combined final ranking: its range from the stages' draws, and per
            # weighted stage the entry's criteria (and comments), as for a stage's own ranking
            if mine.rank > 0 and not stored:
                fb.rank_lo, fb.rank_hi = _combined_range(entry, pub, mine.rank)
            fb.combined = True
            fb.parts = _stage_parts(combined, entry, settings.opd_sees_comments)
        out.append(fb)
    if published and not out and (stage := _stopped_at(entry)) is not None:
        fb = StageFeedback(stage, 0, 0, float("nan"), "", stopped=True)
        fb.lines = _criterion_lines(stage, entry)
        if settings.opd_sees_comments:
            fb.comments = _comments(stage, entry)
        out.append(fb)
    return out


def _stopped_at(entry: Entry) -> Stage | None:
    """The last stage of the entry's round (by position) with a submitted sheet on it."""
    return db.session.scalar(
        select(Stage)
        .join(Assignment, Assignment.stage_id == Stage.id)
        .join(ScoreSheet, ScoreSheet.assignment_id == Assignment.id)
        .where(Assignment.entry_id == entry.id, ScoreSheet.status == SheetStatus.SUBMITTED)
        .order_by(Stage.position.desc(), Stage.id.desc())
        .limit(1)
    )


def _stage_range(stage, entry: Entry, place: int) -> tuple[int, int]:
    """The entry's range of likely places in the stage's current fit, ``(0, 0)`` when it has
    none (for publications written before the ranges were stored with the places)."""
    unc = stage_uncertainty.stage_uncertainty(stage)
    i = unc.at(entry.id)
    if unc.result is None or i is None or unc.result.rank[i] <= 0:
        return 0, 0
    lo, hi, _widened = range_with_place(place, unc.result.rank_lo[i], unc.result.rank_hi[i])
    return int(lo), int(hi)


def _stage_parts(stages: list[dict], entry: Entry, with_comments: bool) -> list[StagePart]:
    """The weighted stages of a combined publication (its ``params["stages"]``) in which the
    entry has scores: its criteria against the category's quartiles, and the comments when
    the committee allows them."""
    parts = []
    for item in stages:
        if not item.get("weight"):
            continue
        stage = db.session.get(Stage, item["id"])
        if stage is None:
            continue
        lines = _criterion_lines(stage, entry)
        if not any(np.isfinite(line.score) for line in lines):
            continue
        parts.append(StagePart(stage, lines, _comments(stage, entry) if with_comments else []))
    return parts


def _combined_range(entry: Entry, pub, place: int) -> tuple[int, int]:
    """The entry's range of likely places in the published combined ranking, ``(0, 0)`` when
    it cannot be given: the stages' sheets changed since the publication (its digest no
    longer matches), a large stage is still being computed, or a stage has no entry with two
    judges."""
    round_ = entry.round
    if combined_ranking.weights_of(round_) is None:
        return 0, 0
    arrays = combined_ranking.combined_arrays(round_)
    if arrays.digest != pub.scores_digest:
        return 0, 0
    unc = combined_ranking.combined_uncertainty(round_, arrays)
    k = int(np.searchsorted(arrays.entry_ids, entry.id))
    if not unc.available or k >= arrays.entry_ids.size or arrays.entry_ids[k] != entry.id:
        return 0, 0
    lo, hi, _widened = range_with_place(place, unc.rank_lo[k], unc.rank_hi[k])
    return int(lo), int(hi)


def likely_places(stage, pub, results: list[Result]) -> dict[int, tuple[int, int, bool]]:
    """Per ranked entry of a publication its range of likely places (holding the published
    place) and whether it cannot be told apart from the entry placed just below it, for the
    berita acara: ``entry_id -> (lo, hi, tied_with_next)``. Those stored with the publication
    when it has them; for one written before they were stored, from the current fit, and empty
    when the ranges cannot be given for what was published: the sheets changed since (the digest no longer matches), a
    large stage is still being computed, or no entry has two judges."""
    ranked = [r for r in results if r.rank > 0]
    if not ranked:
        return {}
    stored = {
        r.entry_id: (int(r.rank_lo), int(r.rank_hi), bool(r.tied_with_next))
        for r in ranked
        if r.rank_hi
    }
    if stored:  # published with the places: what the public page and the OPDs read
        return stored
    if json.loads(pub.params or "{}").get("stages"):
        round_ = stage.round
        if combined_ranking.weights_of(round_) is None:
            return {}
        arrays = combined_ranking.combined_arrays(round_)
        if arrays.digest != pub.scores_digest:
            return {}
        unc = combined_ranking.combined_uncertainty(round_, arrays)
        if not unc.available:
            return {}
        index = {e: k for k, e in enumerate(arrays.entry_ids.tolist())}
        lo_of, hi_of, tied_of = unc.rank_lo, unc.rank_hi, unc.tied_with_next
    else:
        unc = stage_uncertainty.stage_uncertainty(stage)
        if unc.result is None or not unc.measurable:
            return {}
        if scores_digest(unc.data)[0] != pub.scores_digest:
            return {}
        index = {e: k for k, e in enumerate(unc.data.entry_ids.tolist())}
        res = unc.result
        lo_of, hi_of, tied_of = res.rank_lo, res.rank_hi, res.tied_with_next
    out = {}
    for r in ranked:
        k = index.get(r.entry_id)
        if k is None or not hi_of[k]:
            continue
        lo, hi, _widened = range_with_place(r.rank, lo_of[k], hi_of[k])
        out[r.entry_id] = (int(lo), int(hi), bool(tied_of[k]))
    return out


@records_actor
def set_opd_sees_comments(*, round_, value: bool, actor: User):
    """Let the OPDs of the round read the judges' comments (anonymised) after publication."""
    settings = awards.settings_of(round_)
    settings.opd_sees_comments = bool(value)
    db.session.add(settings)
    db.session.flush()
    return settings


# The PDF is in Indonesian whatever the page's language (the page says it through gettext).
SMALL_CATEGORY_ID = (
    f"Median dan kuartil tidak ditampilkan: kategori Anda memiliki kurang dari {MIN_CATEGORY} "
    "inovasi yang dinilai, dan pada kategori sekecil itu keduanya dapat membuka nilai peserta "
    "lainnya."
)
# What the quartile columns mean, for a reader who never met the words (the page's version is
# the catalogue's "The median is the middle score of the category...").
QUARTILES_ID = (
    "Median adalah nilai tengah kategori: separuh inovasinya bernilai di atasnya, separuh di "
    "bawahnya. Seperempat inovasi bernilai di bawah kuartil bawah, dan seperempat di atas kuartil "
    "atas."
)


def _num(value: float) -> str:
    return "-" if not np.isfinite(value) else f"{value:.2f}".replace(".", ",")


def _whole(value: float) -> str:
    return "-" if not np.isfinite(value) else f"{value:.0f}"


# the PDF's line for an entry that did not go on (the page says it in its language)
STOPPED_ID = (
    "Inovasi Anda tidak lolos ke tahap berikutnya setelah tahap ini, sehingga tidak memiliki "
    "peringkat dalam hasil yang diumumkan. Berikut nilai para juri pada tahap ini"
)


def render_feedback_pdf(entry: Entry, feedback: list[StageFeedback]) -> bytes:
    """The feedback as an A4 PDF in Indonesian (the OPD's download)."""
    stages = [fb.stage for fb in feedback]
    dated = max(
        (s.published_at for s in stages if getattr(s, "published_at", None)),
        default=entry.round.results_published_at or utcnow(),
    )
    pdf = Document(title=f"Umpan balik penilaian {entry.title}", created_at=dated)
    pdf.set_margins(20, 18, 20)
    pdf.set_auto_page_break(True, margin=18)
    pdf.add_page()
    width = pdf.epw

    def text(value, size=10, style="", h=5.5):
        pdf.set_font(SANS, style, size)
        pdf.multi_cell(width, h, value, new_x="LMARGIN", new_y="NEXT")

    pdf.set_text_color(*MAROON)
    text("UMPAN BALIK PENILAIAN", 14, "B", 8)
    pdf.set_text_color(0)
    text(f"{entry.title} - {entry.organisation.name}", 11, "B")
    text(f"{entry.round.name} - Kategori {entry.category.name}", 10)
    # A heading keeps the start of what follows on its page: two lines of text, or the
    # criteria table's heading row and first row.
    for fb in feedback:
        pdf.ln(3)
        heading = f"Peringkat akhir ({fb.stage.name})" if fb.combined else fb.stage.name
        keep_together(pdf, paragraph(heading, 11, "B"), then=space(2 * 5.5))
        if fb.stopped:
            line = STOPPED_ID
        else:
            line = f"Peringkat {fb.place} dari {fb.n_ranked} dalam kategori; nilai {_num(fb.score)}"
            if fb.award:
                line += f"; {fb.award}"
        text(line + ".")
        if fb.rank_lo:
            places = (
                f"ke-{fb.rank_lo}"
                if fb.rank_lo == fb.rank_hi
                else f"ke-{fb.rank_lo} sampai ke-{fb.rank_hi}"
            )
            text(
                f"Kemungkinan peringkat, dengan memperhitungkan ketidakpastian penilaian: "
                f"{places}.",
                9,
            )
        sections = [(None, fb.lines, fb.comments)] + [
            (part.stage.name, part.lines, part.comments) for part in fb.parts
        ]
        for title, lines, comments in sections:
            if title:
                pdf.ln(1)
                first = _criteria_rows(lines[:1]) if lines else space(2 * 5.5)
                keep_together(pdf, paragraph(title, 10, "B"), then=first)
            _criteria_table(pdf, text, lines)
            for label, criterion, comment in comments:
                text(f"{label} ({criterion}): {comment}", 9)
    if any(fb.lines or fb.parts for fb in feedback):
        pdf.ln(2)
        text(QUARTILES_ID, 8)
    return bytes(pdf.output())


def _criteria_table(pdf, text, lines: list[CriterionLine]) -> None:
    """The entry's scores per criterion against the category's quartiles, with its note."""
    if not lines:
        return
    _criteria_rows(lines)(pdf)
    text(
        "Nilai Anda: rata-rata nilai para juri Anda pada setiap kriteria. Median dan kuartil: "
        "dari nilai rata-rata semua inovasi dalam kategori yang sama (termasuk inovasi Anda), "
        "dibulatkan ke poin utuh.",
        8,
    )
    if quartiles_withheld(lines):
        text(SMALL_CATEGORY_ID, 8)


def _criteria_rows(lines: list[CriterionLine]) -> Block:
    """A ``Block``: the table of ``lines``, the entry's scores against the category's quartiles."""

    def draw(pdf) -> None:
        pdf.set_font(SANS, "", 9)
        with pdf.table(
            col_widths=(60, 20, 28, 18, 28),
            line_height=6,
            text_align=("LEFT", "RIGHT", "RIGHT", "RIGHT", "RIGHT"),
        ) as table:
            table.row(["Kriteria", "Nilai Anda", "Kuartil bawah", "Median", "Kuartil atas"])
            for c in lines:
                table.row(
                    [
                        f"{c.name} ({c.weight}%)",
                        _num(c.score),
                        _whole(c.q1),
                        _whole(c.median),
                        _whole(c.q3),
                    ]
                )

    return draw
