"""The judges' report of a stage: per judge their sheets, mean total, leniency, scale, noise,
agreement with the other judges, flags and a chart against the panel's consensus
(``judge_report``)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from competition.accounts.models import User
from competition.db import db
from competition.pagination import Page, make_page
from competition.rounds.models import Stage
from judging.analysis import charts, methods
from judging.analysis.services import method_of
from judging.analysis.stage_data import load_stage
from judging.diagnostics import JudgeDiagnostics, judge_diagnostics


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
