"""Read-only JSON API (``/api/v1``): the rounds with published results, a round's published
results, and certificate verification. Public, no login, no cookies needed; errors are JSON
(``competition.errors_views`` renders every error under ``/api/`` as ``{"error", "message"}``).

The OpenAPI 3 document served at ``/api/v1/openapi.json`` is written by hand below; the tests
validate every response against its schemas and fuzz the endpoints with schemathesis, so the
document and the code cannot drift apart unnoticed."""

from __future__ import annotations

from datetime import UTC, datetime

from flask import Blueprint, abort, jsonify
from sqlalchemy import select

from competition.db import db
from competition.rounds.models import Round
from competition.urls import public_url
from judging.results import awards
from judging.results.models import Certificate

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
    return jsonify(rounds=[_round_summary(r) for r in awards.list_published_rounds()])


def _certificate_link(cert: Certificate | None, award: str) -> dict | None:
    if cert is None or cert.award != (award or awards.PARTICIPATION):
        return None
    return {
        "number": cert.code,
        "verification_url": public_url("api.certificate", number=cert.code),
        "page_url": public_url("public.verify", code=cert.code),
    }


@api_bp.get("/rounds/<slug>/results")
def round_results(slug: str):
    """The latest publication of every published stage of the round, by category. In the
    alphabetical style (a round announcing its winners without places), ``rank`` and ``score``
    are null, as on the public page."""
    round_ = db.session.scalar(select(Round).where(Round.slug == slug))
    if round_ is None or round_.results_published_at is None:
        abort(404)
    stages = []
    for stage, pub, results in awards.list_published_results(round_):
        certificates = awards.valid_certificates_by_entry(stage)
        ranked = pub.style != "alphabetical"
        categories: dict[int, dict] = {}
        for r in awards.public_rows(pub, results):
            category = categories.setdefault(
                r.category_id, {"name": r.category.name, "entries": []}
            )
            category["entries"].append(
                {
                    "title": r.entry.title,
                    "opd": r.entry.organisation.name,
                    "rank": r.rank if ranked else None,
                    "score": round(r.score, 4) if ranked else None,
                    "award": r.award or None,
                    "prize": r.prize,
                    "certificate": _certificate_link(certificates.get(r.entry_id), r.award),
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
        for c in awards.list_special_awards(round_)
    ]
    return jsonify(round=_round_summary(round_), stages=stages, special_awards=special)


@api_bp.get("/certificates/<path:number>")
def certificate(number: str):
    """Whether a certificate number is valid, revoked or unknown. A malformed or made-up number
    is simply unknown (checked by arithmetic before any query, see ``competition.numbers``)."""
    cert = awards.find_certificate(number)
    if cert is None:
        return jsonify(number=number, status="unknown", certificate=None)
    replacement = awards.replacement_of(cert) if cert.is_revoked else None
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


_STR = {"type": "string"}


_NSTR = {"type": ["string", "null"]}


_WHEN = {"type": "string", "format": "date-time"}


_NWHEN = {"type": ["string", "null"], "format": "date-time"}


_URL = {"type": "string", "format": "uri"}


_LINK = {
    "type": "object",
    "additionalProperties": False,
    "required": ["number", "verification_url", "page_url"],
    "properties": {"number": _STR, "verification_url": _URL, "page_url": _URL},
}


def _ref(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{name}"}


def _json(schema: dict, description: str) -> dict:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


_NOT_FOUND = {"404": _json(_ref("Error"), "No round with published results has this slug.")}


OPENAPI = {
    "openapi": "3.1.0",
    "info": {
        "title": "Juri public API",
        "version": "1.0.0",
        "description": "Read-only: published results and certificate verification.",
    },
    "paths": {
        "/api/v1/rounds": {
            "get": {
                "operationId": "listRounds",
                "summary": "Rounds with published results",
                "responses": {
                    "200": _json(
                        {
                            "type": "object",
                            "additionalProperties": False,
                            "required": ["rounds"],
                            "properties": {"rounds": {"type": "array", "items": _ref("Round")}},
                        },
                        "Most recently published first.",
                    )
                },
            }
        },
        "/api/v1/rounds/{slug}/results": {
            "get": {
                "operationId": "getRoundResults",
                "summary": "A round's published results",
                "parameters": [
                    {
                        "name": "slug",
                        "in": "path",
                        "required": True,
                        "schema": {"type": "string", "minLength": 1},
                    }
                ],
                "responses": {
                    "200": _json(
                        _ref("RoundResults"), "The latest publication of each published stage."
                    ),
                    **_NOT_FOUND,
                },
            }
        },
        "/api/v1/certificates/{number}": {
            "get": {
                "operationId": "verifyCertificate",
                "summary": "Verify a certificate number",
                "parameters": [
                    {
                        "name": "number",
                        "in": "path",
                        "required": True,
                        "schema": {"type": "string", "minLength": 1},
                        "description": "As printed, e.g. 7F3A-91C2-0B4D-E6F8.",
                    }
                ],
                "responses": {
                    "200": _json(
                        _ref("Verification"),
                        "Valid, revoked or unknown: any number that reaches "
                        "this operation is answered, a malformed one as "
                        "unknown.",
                    ),
                    "404": _json(
                        _ref("Error"),
                        "Not routed here: the path holds a line break (found by the fuzzer).",
                    ),
                },
            }
        },
        "/api/v1/openapi.json": {
            "get": {
                "operationId": "getOpenAPI",
                "summary": "This document",
                "responses": {"200": _json({"type": "object"}, "The OpenAPI document.")},
            }
        },
    },
    "components": {
        "schemas": {
            "Error": {
                "type": "object",
                "required": ["error", "message"],
                "properties": {"error": {"type": "integer"}, "message": _STR},
            },
            "Round": {
                "type": "object",
                "additionalProperties": False,
                "required": ["slug", "name", "results_published_at", "results_url", "page_url"],
                "properties": {
                    "slug": _STR,
                    "name": _STR,
                    "results_published_at": _WHEN,
                    "results_url": _URL,
                    "page_url": _URL,
                },
            },
            "Entry": {
                "type": "object",
                "additionalProperties": False,
                "required": ["title", "opd", "rank", "score", "award", "prize", "certificate"],
                "properties": {
                    "title": _STR,
                    "opd": _STR,
                    "rank": {
                        "type": ["integer", "null"],
                        "description": "Null in the alphabetical style.",
                    },
                    "score": {
                        "type": ["number", "null"],
                        "description": "Null in the alphabetical style.",
                    },
                    "award": _NSTR,
                    "prize": {"type": ["integer", "null"]},
                    "certificate": {"oneOf": [_LINK, {"type": "null"}]},
                },
            },
            "Stage": {
                "type": "object",
                "additionalProperties": False,
                "required": [
                    "name",
                    "version",
                    "style",
                    "published_at",
                    "correction",
                    "categories",
                ],
                "properties": {
                    "name": _STR,
                    "version": {"type": "integer", "minimum": 1},
                    "style": {"enum": list(awards.STYLES)},
                    "published_at": _WHEN,
                    "correction": _NSTR,
                    "categories": {
                        "type": "array",
                        "items": {
                            "type": "object",
                            "additionalProperties": False,
                            "required": ["name", "entries"],
                            "properties": {
                                "name": _STR,
                                "entries": {"type": "array", "items": _ref("Entry")},
                            },
                        },
                    },
                },
            },
            "RoundResults": {
                "type": "object",
                "additionalProperties": False,
                "required": ["round", "stages", "special_awards"],
                "properties": {
                    "round": _ref("Round"),
                    "stages": {"type": "array", "items": _ref("Stage")},
                    "special_awards": {
                        "type": "array",
                        "items": {
                            "type": "object",
                            "additionalProperties": False,
                            "required": ["award", "title", "opd", "certificate"],
                            "properties": {
                                "award": _STR,
                                "title": _STR,
                                "opd": _STR,
                                "certificate": _LINK,
                            },
                        },
                    },
                },
            },
            "Verification": {
                "type": "object",
                "additionalProperties": False,
                "required": ["number", "status", "certificate"],
                "properties": {
                    "number": _STR,
                    "status": {"enum": ["valid", "revoked", "unknown"]},
                    "certificate": {"oneOf": [_ref("Certificate"), {"type": "null"}]},
                },
            },
            "Certificate": {
                "type": "object",
                "additionalProperties": False,
                "required": [
                    "kind",
                    "award",
                    "category",
                    "holder",
                    "title",
                    "round",
                    "issued_at",
                    "revoked_at",
                    "revoked_reason",
                    "replaced_by",
                    "page_url",
                ],
                "properties": {
                    "kind": {"enum": ["award", "participation", "appreciation", "special"]},
                    "award": _STR,
                    "category": _NSTR,
                    "holder": _STR,
                    "title": _NSTR,
                    "round": _NSTR,
                    "issued_at": _WHEN,
                    "revoked_at": _NWHEN,
                    "revoked_reason": _NSTR,
                    "replaced_by": _NSTR,
                    "page_url": _URL,
                },
            },
        }
    },
}
