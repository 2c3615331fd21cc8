"""The stage weights of a round's combined final ranking: which stages are combined, the
weight (percent) the committee gives each, and which stage publishes the combination.

Weights are stored on the stages (``Stage.weight``); they exist for the whole round or not at
all. With weights set, publishing the round's last scored stage publishes the combined
ranking (``judging.analysis.combined``) instead of that stage's own.
"""

from __future__ import annotations

import math

from flask_babel import lazy_gettext as _l

from competition.accounts.models import User
from competition.actors import records_actor
from competition.db import db
from competition.errors import InvalidFields, InvalidState, NotAllowed
from competition.rounds.models import Round, Stage

TOLERANCE = 0.01  # percent: 33.33 + 33.33 + 33.34 is 100


def scored_stages(round_: Round) -> list[Stage]:
    """The round's scored stages that take place (not skipped), in timeline order."""
    return [s for s in round_.stages if s.is_scored and not s.is_skipped]


def weights_of(round_: Round) -> list[float] | None:
    """The weights (percent) of ``scored_stages``, or None when the round has none (fewer than
    two scored stages, or weights not set)."""
    stages = scored_stages(round_)
    if len(stages) < 2 or any(s.weight is None for s in stages):
        return None
    return [float(s.weight) for s in stages]


def final_stage(round_: Round) -> Stage | None:
    stages = scored_stages(round_)
    return stages[-1] if stages else None


def publishes_combined(stage: Stage) -> bool:
    """True when publishing ``stage`` publishes the combined ranking: it is the round's last
    scored stage and the round has stage weights."""
    return weights_of(stage.round) is not None and final_stage(stage.round) is stage


def field_name(stage: Stage) -> str:
    return f"weight_{stage.id}"


@records_actor
def set_stage_weights(*, round_: Round, weights: dict[int, float | None], actor: User) -> None:
    """Set the weight (percent) of every scored stage of the round, keyed by stage id: each
    between 0 and 100, together 100 (within ``TOLERANCE``). All None clears them (no combined
    ranking). Raises ``InvalidFields`` (keyed by ``field_name``) or ``InvalidState``."""
    if not actor.is_committee:
        raise NotAllowed()
    stages = scored_stages(round_)
    if len(stages) < 2:
        raise InvalidState(
            _l("Stage weights combine two or more scored stages; this round has fewer.")
        )
    values = [weights.get(s.id) for s in stages]
    if all(v is None for v in values):
        for s in round_.stages:
            s.weight = None
        db.session.flush()
        return
    errors = {}
    for s, v in zip(stages, values):
        if v is None:
            errors[field_name(s)] = _l(
                "Give every scored stage a weight (0 if it does not "
                "count), or leave them all empty."
            )
        elif not math.isfinite(v) or v < 0 or v > 100:
            errors[field_name(s)] = _l("A weight is between 0 and 100.")
    if errors:
        raise InvalidFields(errors)
    total = sum(values)
    if abs(total - 100) > TOLERANCE:
        message = _l(
            "The weights add up to %(total)s%%; together they must make 100%%.",
            total=f"{total:g}",
        )
        raise InvalidFields({field_name(s): message for s in stages}, message)
    for s in round_.stages:
        s.weight = None
    for s, v in zip(stages, values):
        s.weight = float(v)
    db.session.flush()
