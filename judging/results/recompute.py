"""Results anyone can recompute: a publication's anonymised sheets as CSV (entry, judge
number, total; no names) with the method and its parameters, and the check that recomputes
the published places and the input digest from that file alone (``flask juri
verify-publication FILE``).

The file is offered only while the stage's sheets are still those the publication was computed
from (same ``scores_digest``), and not for a combined final ranking (several stages). Judges
appear as their account number, never their name: the digest is defined on those numbers."""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass
from types import SimpleNamespace

import numpy as np
from sqlalchemy import select

from competition.actors import records_actor
from competition.db import db

# the tie-break's first key, as rank_arrays computes it
from judging.analysis.services import _heaviest_criterion_means, load_stage, scores_digest
from judging.normalize import normalize
from judging.ranking import rank_entries
from judging.results import awards
from judging.results.models import Publication, Result

COLUMNS = [
    "entry_id",
    "category_id",
    "judge",
    "total",
    "tiebreak_heaviest_criterion",
    "tiebreak_submitted_ts",
    "published_rank",
]


@records_actor
def set_publishes_sheets(*, round_, value: bool, actor):
    """Let anyone download the round's publications' anonymised sheets."""
    settings = awards.settings_of(round_)
    settings.publishes_sheets = bool(value)
    db.session.add(settings)
    db.session.flush()
    return settings


def sheets_csv(pub: Publication) -> str | None:
    """The publication's sheets as CSV (see ``COLUMNS``; the header lines starting with ``#``
    hold the method, its parameters and the digest), or None when it cannot be offered: a
    combined ranking, or the sheets changed since publication."""
    params = json.loads(pub.params or "{}")
    if params.get("stages"):
        return None
    stage = pub.stage
    data = load_stage(stage)
    digest, n_sheets = scores_digest(data)
    if digest != pub.scores_digest:
        return None
    ranks = dict(
        db.session.execute(
            select(Result.entry_id, Result.rank).where(Result.publication_id == pub.id)
        ).all()
    )
    cat_ids = np.array([c.id for c in data.categories], dtype=np.int64)
    heaviest = _heaviest_criterion_means(data)
    out = io.StringIO()
    out.write(f"# juri-publication: stage {stage.id}, version {pub.version}\n")
    out.write(f"# method: {pub.method}\n")
    out.write(f"# params: {json.dumps(params, sort_keys=True)}\n")
    out.write(f"# scores_digest: {pub.scores_digest}\n")
    out.write(f"# n_sheets: {n_sheets}\n")
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    for e, j, t in zip(data.e_idx.tolist(), data.j_idx.tolist(), data.total.tolist()):
        entry_id = int(data.entry_ids[e])
        writer.writerow(
            [
                entry_id,
                int(cat_ids[data.category[e]]),
                int(data.judge_ids[j]),
                repr(float(t)),
                repr(float(heaviest[e])),
                repr(float(data.submitted_ts[e])),
                ranks.get(entry_id, 0),
            ]
        )
    return out.getvalue()


@dataclass(frozen=True)
class Verification:
    digest_ok: bool
    places_ok: bool
    digest: str
    expected_digest: str
    n_entries: int
    mismatched: list[int]  # entry ids whose recomputed place differs


def verify_csv(text: str) -> Verification:
    """Recompute the digest and the places from a file made by :func:`sheets_csv`."""
    header: dict[str, str] = {}
    lines = text.splitlines()
    body = []
    for line in lines:
        if line.startswith("#"):
            key, _, value = line[1:].partition(":")
            header[key.strip()] = value.strip()
        elif line.strip():
            body.append(line)
    rows = list(csv.DictReader(body))
    params = json.loads(header.get("params", "{}"))
    method = header.get("method", "")
    entry = np.array([int(r["entry_id"]) for r in rows], dtype=np.int64)
    category = np.array([int(r["category_id"]) for r in rows], dtype=np.int64)
    judge = np.array([int(r["judge"]) for r in rows], dtype=np.int64)
    total = np.array([float(r["total"]) for r in rows])
    # entries in the order the application uses (category, then id)
    keys = sorted({(int(c), int(e)) for c, e in zip(category, entry)})
    entry_ids = np.array([e for _c, e in keys], dtype=np.int64)
    entry_cat = np.array([c for c, _e in keys], dtype=np.int64)
    pos = {e: i for i, e in enumerate(entry_ids.tolist())}
    e_idx = np.array([pos[e] for e in entry.tolist()], dtype=np.intp)
    judge_ids, j_idx = np.unique(judge, return_inverse=True)
    digest, _n = scores_digest(
        SimpleNamespace(
            entry_ids=entry_ids, e_idx=e_idx, judge_ids=judge_ids, j_idx=j_idx, total=total
        )
    )
    lo, hi = params.get("scale", [None, None])
    result = normalize(
        e_idx,
        j_idx.astype(np.intp),
        total,
        method,
        n_entries=entry_ids.size,
        n_judges=int(judge_ids.size),
        scale_min=lo,
        scale_max=hi,
    )
    first = {}
    for r in rows:
        first.setdefault(int(r["entry_id"]), r)
    heaviest = np.array([float(first[e]["tiebreak_heaviest_criterion"]) for e in entry_ids])
    submitted = np.array([float(first[e]["tiebreak_submitted_ts"]) for e in entry_ids])
    published = np.array([int(first[e]["published_rank"]) for e in entry_ids])
    ranked = rank_entries(
        result.entry_score, tiebreak=(heaviest, result.n_sheets, -submitted), group=entry_cat
    )
    bad = entry_ids[ranked.rank != published].tolist()
    expected = header.get("scores_digest", "")
    return Verification(digest == expected, not bad, digest, expected, int(entry_ids.size), bad)
