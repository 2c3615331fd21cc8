"""Rubrics: criteria with weights and bands, the scale and pass mark, templates, freezing once
scoring starts, and copying a round with its rubrics."""

from __future__ import annotations

import functools
import re
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import bindparam, func, select

from competition.accounts.models import User
from competition.actors import records_actor
from competition.db import db
from competition.errors import (
    InvalidState,
)
from competition.rounds import services as rounds
from competition.rounds.models import Round, Stage
from judging.panels.models import Assignment
from judging.scoring import rubric_templates
from judging.scoring.models import Criterion, ScoreSheet


def list_criteria(stage: Stage) -> list[Criterion]:
    """The stage's criteria in their order."""
    return list(db.session.scalars(_criteria_statement(), {"stage_id": stage.id}))


@functools.cache
def _criteria_statement():
    """``list_criteria``'s statement, built once per process: the score sheet asks for it at
    every view and save."""
    return (
        select(Criterion)
        .where(Criterion.stage_id == bindparam("stage_id"))
        .order_by(Criterion.position, Criterion.id)
    )


def rubric_is_frozen(stage: Stage) -> bool:
    """A rubric is frozen once any judge has saved a score on it."""
    return (
        db.session.scalar(
            select(func.count(ScoreSheet.id))
            .join(Assignment)
            .where(Assignment.stage_id == stage.id)
        )
        > 0
    )


FROZEN = _l(
    "The rubric is frozen: judges have already started scoring. It can no longer be "
    "changed, so that every sheet is scored on the same rubric."
)


def _check_not_frozen(stage: Stage) -> None:
    if rubric_is_frozen(stage):
        raise InvalidState(FROZEN)


def parse_bands(text: str, lo: float, hi: float) -> list[dict]:
    """Band descriptors from lines such as ``1-3 kurang`` (or ``1 – 3: kurang``), checked
    to lie within the scale [lo, hi] in ascending, non-overlapping order."""
    bands = []
    for line in (text or "").splitlines():
        line = line.strip()
        if not line:
            continue
        m = re.match(r"^(\d+(?:[.,]\d+)?)\s*[-–]\s*(\d+(?:[.,]\d+)?)\s*[:.]?\s*(.+)$", line)
        if not m:
            raise InvalidState(_l('Write each band as "low-high description", e.g. "1-3 kurang".'))
        b_lo, b_hi = (float(x.replace(",", ".")) for x in m.group(1, 2))
        b_lo, b_hi = (int(x) if x.is_integer() else x for x in (b_lo, b_hi))
        if not lo <= b_lo <= b_hi <= hi or (bands and b_lo <= bands[-1]["hi"]):
            raise InvalidState(
                _l(
                    "Bands must lie between %(lo)s and %(hi)s, in ascending "
                    "order without overlapping.",
                    lo=lo,
                    hi=hi,
                )
            )
        bands.append({"lo": b_lo, "hi": b_hi, "label": m.group(3).strip()})
    return bands


def format_bands(bands: list[dict]) -> str:
    return "\n".join(f"{b['lo']}-{b['hi']} {b['label']}" for b in bands or [])


@records_actor
def add_criterion(
    *,
    stage: Stage,
    name: str,
    description: str,
    weight: int,
    actor: User,
    bands: list[dict] | None = None,
    comment_required: bool = False,
) -> Criterion:
    """Add a criterion; refused once frozen or if the weights would exceed 100%."""
    _check_not_frozen(stage)
    criteria = list_criteria(stage)
    if sum(c.weight for c in criteria) + weight > 100:
        raise InvalidState(_l("The weights would add up to more than 100%."))
    criterion = Criterion(
        stage_id=stage.id,
        name=name.strip(),
        description=description.strip(),
        weight=weight,
        position=len(criteria),
        bands=bands or [],
        comment_required=comment_required,
    )
    db.session.add(criterion)
    db.session.flush()
    return criterion


@records_actor
def update_criterion(
    *,
    criterion: Criterion,
    name: str,
    description: str,
    weight: int,
    bands: list[dict],
    comment_required: bool,
    actor: User,
) -> Criterion:
    """Edit a criterion; refused once frozen or if the weights would exceed 100%."""
    stage = criterion.stage
    _check_not_frozen(stage)
    others = sum(c.weight for c in list_criteria(stage) if c.id != criterion.id)
    if others + weight > 100:
        raise InvalidState(_l("The weights would add up to more than 100%."))
    criterion.name, criterion.description = name.strip(), description.strip()
    criterion.weight, criterion.bands = weight, bands
    criterion.comment_required = comment_required
    db.session.flush()
    return criterion


@records_actor
def remove_criterion(*, criterion: Criterion, actor: User) -> None:
    _check_not_frozen(criterion.stage)
    db.session.delete(criterion)
    db.session.flush()


@records_actor
def set_scale(
    *, stage: Stage, scale_min: int, scale_max: int, pass_mark: float | None, actor: User
) -> Stage:
    """Set the stage's score scale and optional pass mark; refused once frozen. Bands that no
    longer fit the scale are refused too."""
    _check_not_frozen(stage)
    if scale_min >= scale_max:
        raise InvalidState(_l("The top of the scale must be above its bottom."))
    if pass_mark is not None and not scale_min <= pass_mark <= scale_max:
        raise InvalidState(_l("The pass mark must lie on the scale."))
    for c in list_criteria(stage):
        if any(b["lo"] < scale_min or b["hi"] > scale_max for b in c.bands or []):
            raise InvalidState(
                _l('The bands of "%(name)s" do not fit this scale; edit them first.', name=c.name)
            )
    stage.scale_min, stage.scale_max, stage.pass_mark = scale_min, scale_max, pass_mark
    db.session.flush()
    return stage


@records_actor
def apply_template(*, stage: Stage, key: str, actor: User) -> list[Criterion]:
    """Replace the stage's rubric (criteria, scale, pass mark) by a shipped template
    (``judging.rubric_templates``); refused once frozen."""
    _check_not_frozen(stage)
    template = rubric_templates.TEMPLATES.get(key)
    if template is None:
        raise InvalidState(_l("Unknown rubric template."))
    for c in list_criteria(stage):
        db.session.delete(c)
    db.session.flush()
    stage.scale_min, stage.scale_max = template["scale_min"], template["scale_max"]
    stage.pass_mark = template["pass_mark"]
    bands = template.get("bands", rubric_templates.BANDS_100)
    criteria = [
        Criterion(
            stage_id=stage.id,
            name=name,
            description=description,
            weight=weight,
            position=i,
            bands=[dict(b) for b in bands],
        )
        for i, (name, weight, description) in enumerate(template["criteria"])
    ]
    db.session.add_all(criteria)
    db.session.flush()
    return criteria


def rubric_weight(stage: Stage) -> int:
    return sum(c.weight for c in list_criteria(stage))


@records_actor
def copy_round_with_rubrics(
    *, source: Round, name: str, submission_opens_at: datetime, actor: User
) -> Round:
    """``competition.rounds.services.copy_round``, then each copied stage gets the criteria
    (name, description, weight, order) of its source stage."""
    round_ = rounds.copy_round(
        source=source, name=name, submission_opens_at=submission_opens_at, actor=actor
    )
    stage_map = {old.id: new for old, new in zip(source.stages, round_.stages, strict=True)}
    criteria = db.session.scalars(
        select(Criterion)
        .where(Criterion.stage_id.in_(list(stage_map)))
        .order_by(Criterion.stage_id, Criterion.position, Criterion.id)
    )
    for c in criteria:
        db.session.add(
            Criterion(
                stage_id=stage_map[c.stage_id].id,
                name=c.name,
                description=c.description,
                weight=c.weight,
                position=c.position,
            )
        )
    db.session.flush()
    return round_
