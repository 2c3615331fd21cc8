"""Where a stage's computed results are kept: this process's memo of fits and bootstraps on
the exact input (``_MEMO``, made read-only), the shared ``RankingCache`` with its limits
(``store_ranking_result``), a result's key there (``_shared_digest``) and the read-through
of it (``_shared_result``), and a fit's form in that cache (``_dump_fit``, ``_load_fit``)."""

from __future__ import annotations

import numpy as np

from competition.rounds.models import Stage
from judging.analysis import shared_cache
from judging.analysis.models import RankingCache
from judging.normalize import Normalized
from judging.normalize_graph import _Graph


def _dump_fit(fit: Normalized) -> bytes:
    """A fit for the shared cache, with its groups of linked judges (a lazily built field)."""
    return shared_cache.dump(
        fit,
        extra={
            "entry_component": fit.component,
            "judge_component": fit.judge_component,
            "n_components": int(fit.n_components),
            "warning": fit.warning,
        },
    )


def _load_fit(stored: bytes) -> Normalized | None:
    """The fit ``_dump_fit`` stored; None when it cannot be read back with this code (it is
    then fitted again)."""
    try:
        fit, extra = shared_cache.load_extra(Normalized, stored)
        graph = _Graph(  # the fit's own record of its judge groups
            extra["entry_component"],
            extra["judge_component"],
            int(extra["n_components"]),
            str(extra["warning"]),
        )
    except (KeyError, TypeError, ValueError, AttributeError):
        return None
    object.__setattr__(fit, "graph", graph)
    return fit


_MEMO: dict[tuple, object] = {}


_MEMO_SIZE = 64


def _remember(key: tuple, value) -> None:
    """Keep ``value`` (its arrays made read-only: a shared result must not be changed)."""
    for attr in vars(value).values():
        if isinstance(attr, np.ndarray):
            attr.flags.writeable = False
    if len(_MEMO) >= _MEMO_SIZE:
        _MEMO.pop(next(iter(_MEMO)))
    _MEMO[key] = value


# The shared cache keeps a stage's rankings under several methods and recent inputs side by
# side (a national stage's core is about 0.2 MB), and a bootstrap per method.
RANKING_PER_STAGE = 16


RANKING_TOTAL = 512


def store_ranking_result(
    *, stage_id: int, digest: str, data: bytes, kind: str, per_kind: int | None = None
) -> None:
    """Keep ``data`` (a ranking, fit, bootstrap, decisions... of the stage, ``kind``) in the
    shared ``RankingCache`` under ``digest``, within its limits (``RANKING_PER_STAGE``,
    ``RANKING_TOTAL``; ``per_kind``: see ``shared_cache.write``)."""
    shared_cache.write(
        RankingCache,
        stage_id=stage_id,
        digest=digest,
        data=data,
        per_stage=RANKING_PER_STAGE,
        total=RANKING_TOTAL,
        per_kind=per_kind,
        kind=kind,
    )


def _shared_digest(kind: str, stage: Stage, method: str, data, *params) -> str | None:
    """The shared cache's key of a result computed from ``data`` (a ``StageData``; None for
    arrays not read by ``load_stage``: no fingerprint, no sharing): the exact arrays
    (``data.digest``), the entries' submission times and the stage's fingerprint (which covers
    the tie-break's criterion scores and weights) with the method and ``params``."""
    if data.fingerprint is None:
        return None
    return shared_cache.digest_of(
        kind,
        stage.id,
        stage.stable_seed,
        method,
        params,
        data.fingerprint,
        data.digest(),
        np.ascontiguousarray(data.submitted_ts).tobytes(),
    )


def _shared_result(kind: str, cls, stage: Stage, digest: str | None, compute):
    """``cls`` under ``digest`` in the shared cache, else ``compute()`` stored there."""
    if digest is not None:
        stored = shared_cache.read(RankingCache, digest)
        if stored is not None:
            return shared_cache.load(cls, stored)
    value = compute()
    if digest is not None:
        store_ranking_result(
            stage_id=stage.id, digest=digest, data=shared_cache.dump(value), kind=kind
        )
    return value
