"""The committee's overview of a round: entries per category and state, screening progress,
deadlines, progress per stage (drawn by ``competition.charts``), OPDs without a submission,
filtered entry lists, and the entry list as CSV or XLSX. Reads only.

A scored stage's progress (sheets submitted of those assigned) is counted by the judging
package, whose dashboard page passes the counts in (competition never imports judging)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask_babel import format_datetime
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import case, func, or_, select
from sqlalchemy.orm import aliased, load_only, selectinload

from competition.accounts.models import Organisation, User
from competition.charts import Bar
from competition.db import db
from competition.entries.models import Entry, EntryStatus, Screening
from competition.i18n.labels import label
from competition.pagination import Page, make_page
from competition.roles import Role
from competition.rounds.models import Round, StageKind
from competition.rounds.sections import EntryGroup

STATES = ("draft", "submitted", "pending", "eligible", "ineligible")


def state_of(entry: Entry) -> str:
    """``draft`` (not yet with the committee: a draft, or awaiting its agency's review) or the
    screening state of a submitted entry."""
    return "draft" if entry.status != EntryStatus.SUBMITTED else entry.screening.value


@dataclass
class Overview:
    counts: dict[int, dict[str, int]]  # category id -> state -> count (plus "total")
    totals: dict[str, int]
    without_submission: list[Organisation]  # OPDs with an account but no submitted entry
    stages: list  # (stage, "open" | "upcoming" | "closed")
    provinces: dict[str, int]  # province ("" unknown) -> submitted entries, most first


def submitted_per_province(round_: Round) -> dict[str, int]:
    """Submitted entries per province of their organisation (a unit without a region counts
    under its agency's), most first; ``""`` for organisations whose province is unknown."""
    parent = aliased(Organisation)
    own = (Organisation.region != "") | (Organisation.province != "")
    province = case((own, Organisation.province), else_=func.coalesce(parent.province, ""))
    rows = db.session.execute(
        select(province, func.count(Entry.id))
        .join(Organisation, Entry.organisation_id == Organisation.id)
        .outerjoin(parent, Organisation.parent_id == parent.id)
        .where(Entry.round_id == round_.id, Entry.status == EntryStatus.SUBMITTED)
        .group_by(province)
    ).all()
    counts: dict[str, int] = {}
    for name, n in rows:
        counts[name or ""] = counts.get(name or "", 0) + n
    return dict(sorted(counts.items(), key=lambda kv: (-kv[1], kv[0] == "", kv[0])))


def overview(round_: Round, now: datetime) -> Overview:
    rows = db.session.execute(
        select(Entry.category_id, Entry.status, Entry.screening, func.count(Entry.id))
        .where(Entry.round_id == round_.id)
        .group_by(Entry.category_id, Entry.status, Entry.screening)
    ).all()
    empty = dict.fromkeys((*STATES, "total"), 0)
    counts = {c.id: dict(empty) for c in round_.categories}
    totals = dict(empty)
    for category_id, status, screening, n in rows:
        states = (
            ["draft"]
            if status != EntryStatus.SUBMITTED
            else ["submitted", Screening(screening).value]
        )
        for bucket in (counts.setdefault(category_id, dict(empty)), totals):
            for state in (*states, "total"):
                bucket[state] += n
    submitted_orgs = select(Entry.organisation_id).where(
        Entry.round_id == round_.id, Entry.status == EntryStatus.SUBMITTED
    )
    without = list(
        db.session.scalars(
            select(Organisation)
            .where(
                Organisation.id.in_(select(User.organisation_id).where(User.role == Role.OPD)),
                Organisation.id.not_in(submitted_orgs),
            )
            .order_by(Organisation.name)
        )
    )
    stages = [
        (s, "open" if s.is_open(now) else "upcoming" if now < s.opens_at else "closed")
        for s in round_.stages
        if not s.is_skipped
    ]
    return Overview(counts, totals, without, stages, submitted_per_province(round_))


def stage_bars(
    round_: Round, totals: dict[str, int], sheet_counts: dict[int, tuple[int, int]] | None = None
) -> list[Bar]:
    """Progress of each stage that is not skipped, from the entry counts of ``overview``:
    submission (submitted of all proposals), screening (decided of submitted), scoring
    (``sheet_counts[stage.id]``: sheets submitted, sheets expected). An announcement stage has
    nothing to count and no bar; a scored stage without counts neither."""
    sheet_counts = sheet_counts or {}
    bars = []
    for stage in round_.stages:
        if stage.is_skipped:
            continue
        if stage.kind == StageKind.SUBMISSION:
            done, total, what = totals["submitted"], totals["total"], _l("proposals submitted")
        elif stage.kind == StageKind.SCREENING:
            done = totals["eligible"] + totals["ineligible"]
            total, what = totals["submitted"], _l("submitted entries screened")
        elif stage.kind == StageKind.SCORED and stage.id in sheet_counts:
            (done, total), what = sheet_counts[stage.id], _l("score sheets submitted")
        else:
            continue
        bars.append(Bar(stage.name, done, total, str(what)))
    return bars


def _filtered(
    round_: Round, *, q: str = "", category_id: int | None = None, state: str = "", group: str = ""
):
    """The select of the round's entries matching the filters (see ``filter_entries``)."""
    query = (
        select(Entry)
        .join(Organisation, Entry.organisation_id == Organisation.id)
        .where(Entry.round_id == round_.id)
    )
    if q.strip():
        like = f"%{q.strip().lower()}%"
        query = query.where(
            or_(func.lower(Entry.title).like(like), func.lower(Organisation.name).like(like))
        )
    if category_id:
        query = query.where(Entry.category_id == category_id)
    if group in {g.value for g in EntryGroup}:
        query = query.where(Entry.group == EntryGroup(group))
    if state == "draft":
        query = query.where(Entry.status != EntryStatus.SUBMITTED)
    elif state == "submitted":
        query = query.where(Entry.status == EntryStatus.SUBMITTED)
    elif state in ("pending", "eligible", "ineligible"):
        query = query.where(
            Entry.status == EntryStatus.SUBMITTED, Entry.screening == Screening(state)
        )
    return query.order_by(Entry.category_id, Entry.id)


def filter_entries(
    round_: Round, *, q: str = "", category_id: int | None = None, state: str = "", group: str = ""
) -> list[Entry]:
    """The round's entries matching a search in the title or the OPD's name, a category, a
    state (see ``STATES``) and a group (every one: for the exports)."""
    query = _filtered(round_, q=q, category_id=category_id, state=state, group=group).options(
        selectinload(Entry.organisation).selectinload(Organisation.parent),
        selectinload(Entry.category),
        selectinload(Entry.attachments),
    )
    return list(db.session.scalars(query))


def filter_entries_page(
    round_: Round, *, page: int, per_page: int, **filters
) -> tuple[list[Entry], Page]:
    """Page ``page`` of ``filter_entries`` (``per_page`` rows), loading only the columns the
    dashboard's list shows."""
    query = _filtered(round_, **filters)
    total = db.session.scalar(select(func.count()).select_from(query.order_by(None).subquery()))
    at = make_page(total, page, per_page)
    rows = db.session.scalars(
        query.options(
            load_only(
                Entry.id,
                Entry.title,
                Entry.status,
                Entry.screening,
                Entry.group,
                Entry.submitted_at,
                Entry.organisation_id,
                Entry.category_id,
            ),
            selectinload(Entry.organisation),
            selectinload(Entry.category),
        )
        .offset(at.offset)
        .limit(at.per_page)
    )
    return list(rows), at


def _when(value) -> str:
    return format_datetime(value, "yyyy-MM-dd HH:mm") if value else ""


def export_rows(entries: list[Entry]) -> list[list]:
    """The header and one row per entry, for CSV and XLSX (in the user's language)."""
    header = [
        _("No."),
        _("Title of the innovation"),
        _("OPD"),
        _("Regency or city (kabupaten/kota)"),
        _("Province"),
        _("Category"),
        _("Group"),
        _("Status"),
        _("Administrative screening"),
        _("Reason"),
        _("Innovation start date"),
        _("Submitted on"),
        _("Innovators and their contacts"),
        _("Video link (at most 3 minutes)"),
        _("Attachments"),
    ]
    rows = [header]
    for e in entries:
        rows.append(
            [
                e.id,
                e.title,
                e.organisation.name,
                *e.organisation.place,
                e.category.name,
                label(e.group),
                label(e.status),
                label(e.screening) if e.is_submitted else "",
                e.screening_reason,
                e.innovation_started_on.isoformat() if e.innovation_started_on else "",
                _when(e.submitted_at),
                e.innovators,
                e.video_url,
                len(e.attachments),
            ]
        )
    return rows


# Column widths of the entry list's XLSX, left to right (characters).
EXPORT_WIDTHS = (6, 50, 40, 22, 20, 25, 12, 12, 18, 40, 14, 17, 40, 30, 10)
