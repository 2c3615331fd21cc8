"""The OpenAPI 3 document of the read-only JSON API (``judging.results.api``), served at
``/api/v1/openapi.json``, and the page sizes of a round's results that it states. Written by
hand; the tests validate every response against its schemas and fuzz the endpoints with
schemathesis, so the document and the code cannot drift apart unnoticed."""

from __future__ import annotations

from judging.results import awards

PER_PAGE = 500  # entries per page of a round's results unless ?per_page= asks otherwise


MAX_PER_PAGE = 1000


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
                    },
                    {
                        "name": "page",
                        "in": "query",
                        "required": False,
                        "schema": {"type": "integer", "minimum": 1, "default": 1},
                        "description": "Page of the entries (1-based; past the last page: "
                        "the last page).",
                    },
                    {
                        "name": "per_page",
                        "in": "query",
                        "required": False,
                        "schema": {
                            "type": "integer",
                            "minimum": 1,
                            "maximum": MAX_PER_PAGE,
                            "default": PER_PAGE,
                        },
                        "description": "Entries per page, counted over all stages in order.",
                    },
                ],
                "responses": {
                    "200": _json(
                        _ref("RoundResults"),
                        "The latest publication of each published stage, paged over its "
                        "entries: every page lists every stage and category (with its "
                        "total), and the entries of that page; pagination.next (and a Link "
                        'header with rel="next") gives the next page.',
                    ),
                    **_NOT_FOUND,
                },
            }
        },
        "/api/v1/rounds/{slug}/announcements": {
            "get": {
                "operationId": "getRoundAnnouncements",
                "summary": "A round's announcements of who passes each stage",
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
                        _ref("RoundAnnouncements"),
                        "In issue order; each list by category, in alphabetical order of the "
                        "OPD, names only (no score, no place).",
                    ),
                    "404": _json(_ref("Error"), "No round with an announcement has this slug."),
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
                "required": [
                    "title",
                    "opd",
                    "rank",
                    "score",
                    "rank_lo",
                    "rank_hi",
                    "tied_with_next",
                    "award",
                    "prize",
                    "certificate",
                ],
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
                    "rank_lo": {
                        "type": ["integer", "null"],
                        "minimum": 1,
                        "description": (
                            "First place of the range of likely places (90 % of the "
                            "plausible outcomes of the judging; it always holds `rank`), as "
                            "stored when the committee published. Null in the alphabetical "
                            "style, in publications written before ranges were stored, and "
                            "where no range could be given."
                        ),
                    },
                    "rank_hi": {
                        "type": ["integer", "null"],
                        "minimum": 1,
                        "description": "Last place of the range of likely places; null as "
                        "`rank_lo`. Equal to `rank_lo` when the place is certain.",
                    },
                    "tied_with_next": {
                        "type": ["boolean", "null"],
                        "description": "True when the entry cannot be told apart from the one "
                        "placed just below it; null as `rank_lo`.",
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
                            "required": ["name", "total", "entries"],
                            "properties": {
                                "name": _STR,
                                "total": {
                                    "type": "integer",
                                    "minimum": 0,
                                    "description": "Entries of the category on all pages.",
                                },
                                "entries": {"type": "array", "items": _ref("Entry")},
                            },
                        },
                    },
                },
            },
            "RoundResults": {
                "type": "object",
                "additionalProperties": False,
                "required": ["round", "stages", "special_awards", "pagination"],
                "properties": {
                    "round": _ref("Round"),
                    "pagination": _ref("Pagination"),
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
            "RoundAnnouncements": {
                "type": "object",
                "additionalProperties": False,
                "required": ["round", "announcements"],
                "properties": {
                    "round": {
                        "type": "object",
                        "additionalProperties": False,
                        "required": ["slug", "name", "page_url"],
                        "properties": {"slug": _STR, "name": _STR, "page_url": _URL},
                    },
                    "announcements": {"type": "array", "items": _ref("Announcement")},
                },
            },
            "Announcement": {
                "type": "object",
                "additionalProperties": False,
                "required": [
                    "number",
                    "title",
                    "stage",
                    "goes_on_to",
                    "issued_at",
                    "objections_close_at",
                    "final",
                    "finalized_at",
                    "page_url",
                    "pdf_url",
                    "total",
                    "categories",
                    "struck",
                ],
                "properties": {
                    "number": _STR,
                    "title": _STR,
                    "stage": {"type": "string", "description": "The stage whose result it is."},
                    "goes_on_to": {
                        "type": ["string", "null"],
                        "description": "The scored stage the listed entries go on to; null "
                        "after the last one.",
                    },
                    "issued_at": _WHEN,
                    "objections_close_at": {
                        **_NWHEN,
                        "description": "End of the public objection period; null without one.",
                    },
                    "final": {
                        "type": "boolean",
                        "description": "Every objection decided and the list made final.",
                    },
                    "finalized_at": _NWHEN,
                    "page_url": _URL,
                    "pdf_url": _URL,
                    "total": {"type": "integer", "minimum": 0},
                    "categories": {
                        "type": "array",
                        "items": {
                            "type": "object",
                            "additionalProperties": False,
                            "required": ["name", "total", "entries"],
                            "properties": {
                                "name": _STR,
                                "total": {"type": "integer", "minimum": 1},
                                "entries": {
                                    "type": "array",
                                    "description": "In alphabetical order of the OPD, then "
                                    "the title: not a ranking.",
                                    "items": {
                                        "type": "object",
                                        "additionalProperties": False,
                                        "required": ["title", "opd"],
                                        "properties": {"title": _STR, "opd": _STR},
                                    },
                                },
                            },
                        },
                    },
                    "struck": {
                        "type": "array",
                        "description": "Entries struck off the list by an upheld objection.",
                        "items": {
                            "type": "object",
                            "additionalProperties": False,
                            "required": ["title", "opd", "objection", "reason"],
                            "properties": {
                                "title": _STR,
                                "opd": _STR,
                                "objection": _STR,
                                "reason": _STR,
                            },
                        },
                    },
                },
            },
            "Pagination": {
                "type": "object",
                "additionalProperties": False,
                "required": ["page", "per_page", "pages", "total_entries", "next", "previous"],
                "properties": {
                    "page": {"type": "integer", "minimum": 1},
                    "per_page": {"type": "integer", "minimum": 1, "maximum": MAX_PER_PAGE},
                    "pages": {"type": "integer", "minimum": 1},
                    "total_entries": {"type": "integer", "minimum": 0},
                    "next": {"type": ["string", "null"], "format": "uri"},
                    "previous": {"type": ["string", "null"], "format": "uri"},
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
