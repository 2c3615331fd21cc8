"""Judge panels per stage and category, with a chair: when a stage has panels, its entries are
assigned only to members of a panel covering their category (``judging.services``), and the
chair may read the panel's submitted sheets."""

from __future__ import annotations

import functools

from flask_babel import lazy_gettext as _l
from sqlalchemy import bindparam, select
from sqlalchemy.orm import selectinload

from competition.accounts.models import User
from competition.actors import records_actor
from competition.db import db
from competition.entries.models import Entry
from competition.errors import InvalidState, NotAllowed
from competition.rounds.models import Category, Stage
from judging.panels.models import Assignment, Panel, PanelMember
from judging.panels.permissions import can_chair


def list_panels(stage: Stage) -> list[Panel]:
    return list(
        db.session.scalars(
            select(Panel)
            .where(Panel.stage_id == stage.id)
            .options(
                selectinload(Panel.members).selectinload(PanelMember.judge),
                selectinload(Panel.category),
            )
            .order_by(Panel.category_id, Panel.id)
        )
    )


@records_actor
def create_panel(*, stage: Stage, name: str, category: Category | None, actor: User) -> Panel:
    """A panel of the stage for one category (or all, ``category`` None)."""
    if category is not None and category.round_id != stage.round_id:
        raise InvalidState(_l("Choose a category of this round."))
    panel = Panel(
        stage_id=stage.id, name=name.strip(), category_id=category.id if category else None
    )
    db.session.add(panel)
    db.session.flush()
    return panel


@records_actor
def delete_panel(*, panel: Panel, actor: User) -> None:
    db.session.delete(panel)
    db.session.flush()


@records_actor
def add_panel_member(*, panel: Panel, judge: User, is_chair: bool, actor: User) -> PanelMember:
    """Put a judge on the panel (or change their role); a panel has at most one chair."""
    if not judge.is_judge:
        raise InvalidState(_l("Only judges can be assigned."))
    member = next((m for m in panel.members if m.judge_id == judge.id), None)
    if member is None:
        member = PanelMember(judge_id=judge.id)
        panel.members.append(member)
    if is_chair:
        for m in panel.members:
            m.is_chair = False
    member.is_chair = is_chair
    db.session.flush()
    return member


@records_actor
def remove_panel_member(*, member: PanelMember, actor: User) -> None:
    db.session.delete(member)
    db.session.flush()


def list_chaired_panels(judge: User) -> list[Panel]:
    """The panels ``judge`` chairs, with their stages and categories (the workspace lists
    them)."""
    return list(db.session.scalars(_chaired_panels_statement(), {"judge_id": judge.id}))


@functools.cache
def _chaired_panels_statement():
    """``list_chaired_panels``'s statement, built once per process: the judge's workspace
    asks for it at every view, and building it with its loader options and computing its
    cache key anew cost about 0.5 ms of the 0.7 ms a view spent on it (most judges chair
    nothing)."""
    return (
        select(Panel)
        .join(PanelMember)
        .where(PanelMember.judge_id == bindparam("judge_id"), PanelMember.is_chair.is_(True))
        .options(selectinload(Panel.stage), selectinload(Panel.category))
        .order_by(Panel.stage_id, Panel.id)
    )


def get_chaired_panel(judge: User, panel_id: int) -> Panel:
    """A panel the judge chairs, else ``NotAllowed`` (404)."""
    panel = db.session.get(Panel, panel_id)
    if panel is None or not can_chair(judge, panel):
        raise NotAllowed()
    return panel


def list_panel_assignments(panel: Panel) -> list[Assignment]:
    """The stage's assignments of the entries the panel covers, with their sheets."""
    query = (
        select(Assignment)
        .join(Entry)
        .where(Assignment.stage_id == panel.stage_id)
        .options(
            selectinload(Assignment.judge),
            selectinload(Assignment.sheet),
            selectinload(Assignment.entry).selectinload(Entry.organisation),
        )
        .order_by(Entry.title, Assignment.judge_id)
    )
    if panel.category_id is not None:
        query = query.where(Entry.category_id == panel.category_id)
    return list(db.session.scalars(query))
