"""The read-only JSON API: every response is checked against the OpenAPI document's schemas."""

from datetime import timedelta

import jsonschema
import pytest
from sqlalchemy import select

from competition.db import db
from judging.results import awards
from judging.results import publication as publication_service
from judging.results.models import Certificate
from judging.results.openapi import OPENAPI
from judging.scoring import rubric as rubric_service
from judging.scoring import sheets as sheet_service
from tests import factories


def _check(response, path: str, status: int = 200):
    """The response has the status and matches the document's schema for it (refs resolved
    against the whole document)."""
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.is_json
    spec = OPENAPI["paths"][path]["get"]["responses"][str(status)]
    schema = spec["content"]["application/json"]["schema"]
    validator = jsonschema.Draft202012Validator(
        {**schema, "components": OPENAPI["components"]},
        format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER,
    )
    validator.validate(response.get_json())
    return response.get_json()


def publish_round(round_, committee, opd, judge, titles=("SI-PANDAI", "SI-CEPAT")):
    stage = factories.make_stage(round_)
    for title in titles:
        entry = factories.make_entry(round_, opd, title=title)
        a = factories.make_assignment(stage, entry, judge)
        sheet_service.save_sheet(
            assignment=a,
            inputs={
                c.id: sheet_service.CriterionInput(9.0 if title == titles[0] else 7.0, "baik")
                for c in rubric_service.list_criteria(stage)
            },
            submit=True,
            actor=judge,
            now=stage.opens_at,
        )
    db.session.flush()
    pub = publication_service.publish_results(stage=stage, actor=committee, now=stage.closes_at)
    db.session.commit()
    return stage, pub


def test_no_published_round_lists_nothing(client, open_round):
    assert _check(client.get("/api/v1/rounds"), "/api/v1/rounds") == {"rounds": []}
    body = _check(
        client.get(f"/api/v1/rounds/{open_round.slug}/results"),
        "/api/v1/rounds/{slug}/results",
        404,
    )
    assert body["error"] == 404


def test_published_results(client, committee, opd, judge, open_round):
    publish_round(open_round, committee, opd, judge)
    listing = client.get("/api/v1/rounds")
    assert listing.headers["Access-Control-Allow-Origin"] == "*"
    rounds = _check(listing, "/api/v1/rounds")["rounds"]
    assert [r["slug"] for r in rounds] == [open_round.slug]
    body = _check(
        client.get(f"/api/v1/rounds/{open_round.slug}/results"), "/api/v1/rounds/{slug}/results"
    )
    [stage] = body["stages"]
    assert stage["version"] == 1 and stage["style"] == "ranked"
    entries = [e for c in stage["categories"] for e in c["entries"]]
    first = next(e for e in entries if e["title"] == "SI-PANDAI")
    assert first["rank"] == 1 and first["score"] > 0 and first["opd"] == opd.organisation.name
    assert first["award"] and first["certificate"]["verification_url"].endswith(
        first["certificate"]["number"]
    )
    cert = client.get(first["certificate"]["verification_url"])
    assert _check(cert, "/api/v1/certificates/{number}")["status"] == "valid"


def test_alphabetical_style_hides_rank_and_score(client, committee, opd, judge, open_round):
    settings = awards.settings_of(open_round)
    settings.style = "alphabetical"
    db.session.add(settings)
    db.session.commit()
    publish_round(open_round, committee, opd, judge)
    body = _check(
        client.get(f"/api/v1/rounds/{open_round.slug}/results"), "/api/v1/rounds/{slug}/results"
    )
    entries = [e for s in body["stages"] for c in s["categories"] for e in c["entries"]]
    assert entries and all(e["rank"] is None and e["score"] is None for e in entries)


def test_revoked_certificate(client, committee, opd, judge, open_round):
    stage, _pub = publish_round(open_round, committee, opd, judge)
    cert = db.session.scalars(
        select(Certificate).where(Certificate.round_id == open_round.id).order_by(Certificate.id)
    ).first()
    new = awards.reissue_certificate(
        certificate=cert,
        reason="Nama salah ketik",
        actor=committee,
        now=stage.closes_at + timedelta(days=1),
    )
    db.session.commit()
    body = _check(
        client.get(f"/api/v1/certificates/{cert.code.lower()}"), "/api/v1/certificates/{number}"
    )
    assert body["status"] == "revoked"
    assert body["certificate"]["revoked_reason"] == "Nama salah ketik"
    assert body["certificate"]["replaced_by"] == new.code


@pytest.mark.parametrize(
    "number",
    ["0000-0000-0000-0000", "nonsense", "7F3A 91C2", "ÿ" * 300, "AAAA-BBBB-CCCC-DDDD-EEEE"],
)
def test_unknown_or_malformed_number_is_unknown(client, number):
    body = _check(client.get(f"/api/v1/certificates/{number}"), "/api/v1/certificates/{number}")
    assert body == {"number": number, "status": "unknown", "certificate": None}


def test_errors_are_json_and_document_served(client):
    response = client.get("/api/v1/nothing-here")
    assert response.status_code == 404 and response.get_json()["error"] == 404
    doc = client.get("/api/v1/openapi.json").get_json()
    assert doc["openapi"].startswith("3.") and set(doc["paths"]) == {
        "/api/v1/rounds",
        "/api/v1/rounds/{slug}/results",
        "/api/v1/rounds/{slug}/announcements",
        "/api/v1/certificates/{number}",
        "/api/v1/openapi.json",
    }


def test_document_describes_every_api_route(app):
    routes = {
        r.rule.replace("<slug>", "{slug}").replace("<path:number>", "{number}")
        for r in app.url_map.iter_rules()
        if r.endpoint.startswith("api.")
    }
    assert routes == set(OPENAPI["paths"])


def test_results_are_paged_with_next_links(client, committee, opd, judge, open_round):
    titles = ("SI-PANDAI", "SI-CEPAT", "SI-TEPAT")
    publish_round(open_round, committee, opd, judge, titles=titles)
    url = f"/api/v1/rounds/{open_round.slug}/results"
    path = "/api/v1/rounds/{slug}/results"
    whole = _check(client.get(url), path)
    assert whole["pagination"] == {
        "page": 1,
        "per_page": 500,
        "pages": 1,
        "total_entries": 3,
        "next": None,
        "previous": None,
    }
    everything = [e for c in whole["stages"][0]["categories"] for e in c["entries"]]
    seen, page_url, pages = [], f"{url}?per_page=2", 0
    while page_url:
        response = client.get(page_url)
        body = _check(response, path)
        pages += 1
        [stage] = body["stages"]
        # Every page names the stage and its categories with their totals.
        assert sum(c["total"] for c in stage["categories"]) == 3
        seen += [e for c in stage["categories"] for e in c["entries"]]
        page_url = body["pagination"]["next"]
        if page_url:
            assert response.headers["Link"].startswith(f'<{page_url}>; rel="next"')
            assert "per_page=2" in page_url
    assert pages == 2 and seen == everything
    assert [e["rank"] for e in seen] == [1, 2, 3] and seen[0]["certificate"]["number"]
    last = _check(client.get(f"{url}?per_page=2&page=2"), path)
    assert last["pagination"]["previous"].endswith("page=1&per_page=2")
    assert 'rel="prev"' in client.get(f"{url}?per_page=2&page=2").headers["Link"]
    # Out of range asks are clamped, not errors.
    assert _check(client.get(f"{url}?page=99&per_page=0"), path)["pagination"]["page"] == 3
