"""Read-only JSON API (``/api/v1``): the rounds with published results, a round's published
results, a round's announcements of who passes each stage, and certificate verification.
Public, no login, no cookies needed; errors are JSON (``competition.errors_views`` renders
every error under ``/api/`` as ``{"error", "message"}``).

The OpenAPI 3 document served at ``/api/v1/openapi.json`` is written by hand in
``judging.results.openapi``."""

from __future__ import annotations

from datetime import UTC, datetime
from urllib.parse import quote

from flask import Blueprint, abort, jsonify, request

from competition.announcements import services as announcements
from competition.rounds.models import Round
from competition.urls import public_url
from judging.results import awards, certificate_register, publications
from judging.results.openapi import MAX_PER_PAGE, OPENAPI, PER_PAGE

api_bp = Blueprint("api", __name__, url_prefix="/api/v1")


@api_bp.after_request
def _open_to_other_sites(response):
    """Public, read-only, no cookies used: any site (a regional portal) may read it."""
    response.headers["Access-Control-Allow-Origin"] = "*"
    return response


def _when(value: datetime | None) -> str | None:
    """RFC 3339 (stored datetimes are UTC; a naive one is taken as UTC)."""
    if value is None:
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.isoformat()


def _round_summary(round_: Round) -> dict:
    return {
        "slug": round_.slug,
        "name": round_.name,
        "results_published_at": _when(round_.results_published_at),
        "results_url": public_url("api.round_results", slug=round_.slug),
        "page_url": public_url("public.results", slug=round_.slug),
    }


@api_bp.get("/rounds")
def rounds():
    """Every round whose results are public, most recently published first."""
    return jsonify(rounds=[_round_summary(r) for r in publications.list_published_rounds()])


def _certificate_links(stage, rows: list[publications.PublicRow]) -> dict[int, dict | None]:
    """Each row's valid award or participation certificate of the stage (the one matching the
    row's award) as a link, or None: one query for the page, and the two URLs built once and
    completed per number."""
    if not rows:
        return {}
    found = certificate_register.valid_certificate_awards(stage, [r.entry_id for r in rows])
    api_base = public_url("api.certificate", number="0")[:-1]
    page_base = public_url("public.verify", code="0")[:-1]
    links = {}
    for r in rows:
        code, award = found.get(r.entry_id, (None, None))
        links[r.entry_id] = (
            {
                "number": code,
                "verification_url": api_base + quote(code, safe=""),
                "page_url": page_base + quote(code, safe=""),
            }
            if code is not None and award == (r.award or awards.PARTICIPATION)
            else None
        )
    return links


def _page_link(slug: str, page: int, per_page: int) -> str:
    args = {"page": page} if per_page == PER_PAGE else {"page": page, "per_page": per_page}
    return public_url("api.round_results", slug=slug, **args)


@api_bp.get("/rounds/<slug>/results")
def round_results(slug: str):
    """The latest publication of every published stage of the round, by category. In the
    alphabetical style (a round announcing its winners without places), ``rank`` and ``score``
    are null, as on the public page. ``rank_lo``, ``rank_hi`` and ``tied_with_next`` are the
    range of likely places and the tie stored with the publication (null where it has none:
    written before they were stored, or no range could be given); nothing is computed here.

    Paged over the entries of all stages in order (``?page=``, ``?per_page=`` up to
    ``MAX_PER_PAGE``): every page lists every stage and category with its ``total``, and the
    entries of that page; ``pagination.next`` (and a ``Link: rel="next"`` header) leads on."""
    round_ = publications.published_round(slug)
    if round_ is None:
        abort(404)
    per_page = min(max(request.args.get("per_page", PER_PAGE, type=int) or 1, 1), MAX_PER_PAGE)
    published = [(s, publications.latest_publication(s)) for s in round_.stages]
    published = [
        (s, pub, publications.count_public_results(pub)) for s, pub in published if pub is not None
    ]
    total = sum(n for *_s, counts in published for _c, _n, n in counts)
    pages = max(1, -(-total // per_page))
    page = min(max(request.args.get("page", 1, type=int) or 1, 1), pages)
    start, stop = (page - 1) * per_page, page * per_page
    stages, seen = [], 0  # seen: public rows of the stages before this one
    for stage, pub, counts in published:
        size = sum(n for *_x, n in counts)
        lo, hi = max(start - seen, 0), min(stop - seen, size)
        rows = publications.public_result_rows(pub, offset=lo, limit=hi - lo) if hi > lo else []
        seen += size
        certificates = _certificate_links(stage, rows)
        ranked = pub.style != "alphabetical"
        categories = {cid: {"name": name, "total": n, "entries": []} for cid, name, n in counts}
        for r in rows:
            categories[r.category_id]["entries"].append(
                {
                    "title": r.title,
                    "opd": r.opd,
                    "rank": r.rank if ranked else None,
                    "score": round(r.score, 4) if ranked else None,
                    "rank_lo": r.rank_lo if ranked else None,
                    "rank_hi": r.rank_hi if ranked else None,
                    "tied_with_next": r.tied_with_next if ranked else None,
                    "award": r.award or None,
                    "prize": r.prize,
                    "certificate": certificates[r.entry_id],
                }
            )
        stages.append(
            {
                "name": stage.name,
                "version": pub.version,
                "style": pub.style,
                "published_at": _when(pub.published_at),
                "correction": pub.reason or None,
                "categories": list(categories.values()),
            }
        )
    special = [
        {
            "award": c.award,
            "title": c.title,
            "opd": c.holder,
            "certificate": {
                "number": c.code,
                "verification_url": public_url("api.certificate", number=c.code),
                "page_url": public_url("public.verify", code=c.code),
            },
        }
        for c in certificate_register.list_special_awards(round_)
    ]
    pagination = {
        "page": page,
        "per_page": per_page,
        "pages": pages,
        "total_entries": total,
        "next": _page_link(slug, page + 1, per_page) if page < pages else None,
        "previous": _page_link(slug, page - 1, per_page) if page > 1 else None,
    }
    response = jsonify(
        round=_round_summary(round_), stages=stages, special_awards=special, pagination=pagination
    )
    links = [
        f'<{pagination[key]}>; rel="{rel}"'
        for key, rel in (("next", "next"), ("previous", "prev"))
        if pagination[key]
    ]
    if links:
        response.headers["Link"] = ", ".join(links)
    return response


def _announcement(a) -> dict:
    """One announcement as the public reads it: its list by category in alphabetical order of
    the OPD (names only: no score, no place), the stage the entries go on to, and the entries
    an upheld objection struck off."""
    entries = announcements.listed_entries(a)
    next_stage = announcements.goes_on_to(a)
    return {
        "number": a.number,
        "title": a.title,
        "stage": a.stage.name,
        "goes_on_to": next_stage.name if next_stage else None,
        "issued_at": _when(a.issued_at),
        "objections_close_at": _when(a.objections_close_at),
        "final": a.finalized_at is not None,
        "finalized_at": _when(a.finalized_at),
        "page_url": public_url("notices.detail", announcement_id=a.id),
        "pdf_url": public_url("notices.pdf", announcement_id=a.id),
        "total": len(entries),
        "categories": [
            {
                "name": name,
                "total": len(rows),
                "entries": [{"title": e.title, "opd": e.organisation.name} for e in rows],
            }
            for name, rows in announcements.by_category(entries)
        ],
        "struck": [
            {
                "title": e.title,
                "opd": e.organisation.name,
                "objection": o.reference,
                "reason": o.decision_reason,
            }
            for e, o in announcements.struck_entries(a)
        ],
    }


@api_bp.get("/rounds/<slug>/announcements")
def round_announcements(slug: str):
    """The round's official announcements of who passes each stage (KIPP's "Top 99", "Top 45",
    the finalists), in issue order, each with its list: by category, in alphabetical order of
    the OPD, names only. Public from the first announcement, before any result is published."""
    round_ = announcements.announced_round(slug)
    if round_ is None:
        abort(404)
    return jsonify(
        round={
            "slug": round_.slug,
            "name": round_.name,
            "page_url": public_url("public.results", slug=round_.slug),
        },
        announcements=[_announcement(a) for a in announcements.list_announcements(round_.id)],
    )


@api_bp.get("/certificates/<path:number>")
def certificate(number: str):
    """Whether a certificate number is valid, revoked or unknown. A malformed or made-up number
    is simply unknown (checked by arithmetic before any query, see ``competition.numbers``)."""
    cert = certificate_register.find_certificate(number)
    if cert is None:
        return jsonify(number=number, status="unknown", certificate=None)
    replacement = certificate_register.replacement_of(cert) if cert.is_revoked else None
    return jsonify(
        number=cert.code,
        status="revoked" if cert.is_revoked else "valid",
        certificate={
            "kind": str(cert.kind),
            "award": cert.award,
            "category": cert.category or None,
            "holder": cert.holder,
            "title": cert.title or None,
            "round": cert.round.name if cert.round else None,
            "issued_at": _when(cert.issued_at),
            "revoked_at": _when(cert.revoked_at),
            "revoked_reason": cert.revoked_reason or None,
            "replaced_by": replacement.code if replacement else None,
            "page_url": public_url("public.verify", code=cert.code),
        },
    )


@api_bp.get("/openapi.json")
def openapi():
    return jsonify(OPENAPI)
