"""A stage's whole ranking as a table for the committee's download (CSV or XLSX): every entry
of every category, where the ranking page shows one page of them."""

from __future__ import annotations

from collections.abc import Iterator

from flask_babel import gettext as _

from judging.analysis import services as analysis
from judging.analysis import stage_data
from judging.analysis.uncertainty_pages import ranking_page
from judging.ranking import range_with_place

WIDTHS = (28, 8, 48, 40, 10, 10, 10, 10, 8, 14, 12)


def ranking_rows(stage, method: str | None = None) -> Iterator[tuple]:
    """A header row, then one row per entry by category then place: the method's score and
    its uncertainty, the raw mean, the number of judges, and (when the judge model's fit is
    there) the adjusted score, the range of likely places holding the place shown, and the
    chance of a winning place. Reads the stage's arrays once (``load_stage``)."""
    data = stage_data.load_stage(stage)
    unc = ranking_page(stage, data=data)
    ranking = analysis.compute_ranking(
        stage, method, uncertainty=False, data=data, judge_totals=False
    )
    res = unc.result if unc.measurable else None
    yield (
        _("Category"),
        _("Rank"),
        _("Innovation"),
        _("Organisation"),
        _("Score"),
        "±",
        _("Raw mean"),
        _("Judges"),
        _("Adjusted score"),
        _("Likely places"),
        _("Chance of a winning place"),
    )
    for cat in ranking.categories:
        for r in cat.rows:
            scored = r.n_judges > 0
            adjusted = places = chance = ""
            i = unc.unc.at(r.entry.id)
            if res is not None and i is not None and res.rank[i] > 0:
                lo, hi, _widened = range_with_place(
                    r.rank or int(res.rank[i]), int(res.rank_lo[i]), int(res.rank_hi[i])
                )
                adjusted = round(float(res.score[i]), 4)
                places = f"{int(lo)}-{int(hi)}"
                chance = round(float(res.p_top[i]), 4)
            yield (
                cat.category.name,
                r.rank or "",
                r.entry.title,
                r.entry.organisation.name if r.entry.organisation else "",
                round(r.score, 4) if scored else "",
                round(r.se, 4) if scored and r.se == r.se else "",
                round(r.raw_score, 4) if scored else "",
                r.n_judges,
                adjusted,
                places,
                chance,
            )
