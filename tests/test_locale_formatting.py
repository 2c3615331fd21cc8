"""Dates and numbers on the key pages follow the reader's language: "17 Agustus 2023" and
"8,75" in Indonesian, "17 August 2023" and "8.75" in English, never an ISO date or, in
Indonesian, a decimal point."""

import re
from datetime import UTC, date, datetime

import pytest

from competition.db import db
from judging.results import publication as publication_service
from judging.scoring import rubric as rubric_service
from judging.scoring import sheets as sheet_service
from tests import factories

SCORED = datetime(2026, 12, 2, 2, 0, tzinfo=UTC)
CLOSES = datetime(2026, 12, 24, 3, 0, tzinfo=UTC)  # 10:00 in Asia/Jakarta
SUBMITTED = datetime(2026, 11, 25, 1, 30, tzinfo=UTC)  # 08:30 in Asia/Jakarta

EXPECTED = {
    "id": {
        "started": "17 Agustus 2023",
        "submitted": "25 November 2026, 08:30",
        "closes": "24 Desember 2026, 10:00",
        "score": "8,75",
    },
    "en": {
        "started": "17 August 2023",
        "submitted": "25 November 2026, 08:30",
        "closes": "24 December 2026, 10:00",
        "score": "8.75",
    },
}


@pytest.fixture
def scored(app, committee, opd, judge, open_round):
    stage = factories.make_stage(
        open_round, criteria=[("Kebaruan", 50), ("Kemanfaatan", 50)], method="raw"
    )
    stage.opens_at, stage.closes_at = datetime(2026, 12, 1, tzinfo=UTC), CLOSES
    entry = factories.make_entry(open_round, opd, title="Posyandu Digital")
    entry.innovation_started_on, entry.submitted_at = date(2023, 8, 17), SUBMITTED
    k, m = rubric_service.list_criteria(stage)
    sheet_service.save_sheet(
        assignment=factories.make_assignment(stage, entry, judge),
        submit=True,
        actor=judge,
        now=SCORED,
        inputs={k.id: sheet_service.CriterionInput(9), m.id: sheet_service.CriterionInput(8.5)},
    )
    publication_service.publish_results(stage=stage, actor=committee, now=CLOSES)
    db.session.commit()
    return entry


def _in(login, user, lang):
    client = login(user)
    client.post("/language", data={"lang": lang})
    return client


@pytest.mark.parametrize("lang", ["id", "en"])
def test_opd_entry_page(login, opd, scored, lang):
    page = _in(login, opd, lang).get(f"/opd/entries/{scored.id}").text
    assert EXPECTED[lang]["started"] in page and EXPECTED[lang]["submitted"] in page
    assert "2023-08-17" not in page


@pytest.mark.parametrize("lang", ["id", "en"])
def test_public_results(login, committee, open_round, scored, lang):
    page = _in(login, committee, lang).get(f"/results/{open_round.slug}").text
    assert f">{EXPECTED[lang]['score']}<" in page
    assert EXPECTED[lang]["closes"] in page  # published at the close
    other = EXPECTED["en" if lang == "id" else "id"]["score"]
    assert f">{other}<" not in page


@pytest.mark.parametrize("lang", ["id", "en"])
def test_judge_workspace(login, judge, scored, lang):
    client = _in(login, judge, lang)
    page = client.get("/judge/").text
    assert f">{EXPECTED[lang]['score']}<" in page and EXPECTED[lang]["closes"] in page
    sheet = client.get(re.search(r'href="(/judge/assignments/\d+)"', page)[1]).text
    assert EXPECTED[lang]["closes"] in sheet and EXPECTED[lang]["score"] in sheet
    assert "2026-12-24" not in page + sheet


@pytest.mark.parametrize("lang, size", [("id", "10,0 MB"), ("en", "10.0 MB")])
def test_proposal_form_sizes(login, opd, open_round, lang, size):
    page = _in(login, opd, lang).get(f"/opd/rounds/{open_round.id}/entries/new").text
    assert size in page
