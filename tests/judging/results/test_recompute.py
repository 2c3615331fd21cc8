"""Results anyone can recompute: the public anonymised sheets of a publication, and
``flask juri verify-publication FILE`` recomputing its digest and places exactly."""

import pytest
from sqlalchemy import select

from competition.db import db, utcnow
from judging.panels.models import Assignment
from judging.results import awards, publications
from judging.results import publication as publication_service
from judging.results.models import Result
from judging.scoring import rubric as rubric_service
from judging.scoring import sheets as sheet_service
from tests import factories

NAMES = ["Dr. Sari Wulandari", "Ir. Bambang Hartono", "Prof. Rina Kusuma"]


@pytest.fixture
def published(app, committee, open_round, cached_data):
    """Built once per module and copied (see ``cached_data``)."""

    def build():
        stage = factories.make_stage(open_round)
        judges = [
            factories.make_user(role="judge", username=f"penilai{i}", name=n)
            for i, n in enumerate(NAMES)
        ]
        criteria = rubric_service.list_criteria(stage)
        for i in range(6):
            owner = factories.make_opd_user(f"OPD {i}", username=f"opd{i}")
            entry = factories.make_entry(open_round, owner, title=f"Inovasi {i}")
            for j, judge in enumerate(judges[: 2 + i % 2]):
                a = factories.make_assignment(stage, entry, judge)
                sheet_service.save_sheet(
                    assignment=a,
                    submit=True,
                    actor=judge,
                    now=utcnow(),
                    inputs={
                        c.id: sheet_service.CriterionInput(float(8 - i * 0.7 + j * 0.9 - k * 0.3))
                        for k, c in enumerate(criteria)
                    },
                )
        db.session.commit()
        pub = publication_service.publish_results(stage=stage, actor=committee, now=utcnow())
        db.session.commit()
        return stage, pub

    return cached_data(build)


def _url(stage, pub):
    return f"/results/{stage.round.slug}/stages/{stage.id}/v{pub.version}/sheets.csv"


def test_sheets_are_offered_only_when_the_committee_allows(app, login, committee, published):
    stage, pub = published
    client = app.test_client()
    assert client.get(_url(stage, pub)).status_code == 404
    login(committee).post(
        f"/committee/rounds/{stage.round_id}/results/feedback", data={"publishes_sheets": "y"}
    )
    assert awards.settings_of(stage.round).publishes_sheets
    r = client.get(_url(stage, pub))
    assert r.status_code == 200 and r.mimetype == "text/csv"
    assert f"# scores_digest: {pub.scores_digest}" in r.text
    for name in NAMES:
        assert name not in r.text and "penilai" not in r.text


def test_verify_publication_recomputes_digest_and_places(
    app, login, committee, published, tmp_path
):
    stage, pub = published
    login(committee).post(
        f"/committee/rounds/{stage.round_id}/results/feedback", data={"publishes_sheets": "y"}
    )
    text = app.test_client().get(_url(stage, pub)).text
    path = tmp_path / "sheets.csv"
    path.write_text(text, encoding="utf-8")
    out = app.test_cli_runner().invoke(args=["juri", "verify-publication", str(path)])
    assert out.exit_code == 0, out.output
    assert "digest OK" in out.output and "places OK: 6 entries" in out.output
    # a changed total is caught: the digest differs and so may the places
    lines = text.splitlines()
    header = [i for i, line in enumerate(lines) if line.startswith("entry_id")][0]
    cells = lines[header + 1].split(",")
    cells[3] = "1.0"
    lines[header + 1] = ",".join(cells)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    out = app.test_cli_runner().invoke(args=["juri", "verify-publication", str(path)])
    assert out.exit_code == 1 and "digest DIFFERS" in out.output


def test_sheets_are_withdrawn_once_they_changed(app, login, committee, published):
    stage, pub = published
    login(committee).post(
        f"/committee/rounds/{stage.round_id}/results/feedback", data={"publishes_sheets": "y"}
    )
    assert db.session.scalars(select(Result)).first() is not None
    sheet = db.session.scalars(select(Assignment)).first().sheet
    sheet.total = float(sheet.total) + 0.5
    db.session.commit()
    assert app.test_client().get(_url(stage, pub)).status_code == 404


def test_version_page_links_the_sheets_when_offered(app, login, committee, published):
    stage, pub = published
    url = f"/results/{stage.round.slug}/stages/{stage.id}/v{pub.version}"
    assert "sheets.csv" not in app.test_client().get(url).text
    login(committee).post(
        f"/committee/rounds/{stage.round_id}/results/feedback", data={"publishes_sheets": "y"}
    )
    assert _url(stage, pub) in app.test_client().get(url).text


@pytest.mark.usefixtures("fewer_sweeps")
def test_verify_publication_checks_old_and_new_publications_alike(
    app, login, committee, published, tmp_path
):
    """A publication storing ranges of likely places (published from the page) verifies as
    exactly as one written before (the fixture's, without ranges): the file and the check are
    about the places and the digest; the ranges are not part of them."""
    stage, old = published
    client = login(committee)
    client.post(
        f"/committee/rounds/{stage.round_id}/results/feedback", data={"publishes_sheets": "y"}
    )
    r = client.post(
        f"/committee/stages/{stage.id}/publish",
        data={"reason": "ranges", "confirm_uncertain": "y"},
    )
    assert r.status_code == 302
    new = publications.latest_publication(stage)
    assert new.version == old.version + 1
    stored = db.session.scalars(select(Result).where(Result.publication_id == new.id)).all()
    assert stored and all(row.rank_hi for row in stored)
    bodies = []
    for pub in (old, new):
        text = app.test_client().get(_url(stage, pub)).text
        path = tmp_path / f"v{pub.version}.csv"
        path.write_text(text, encoding="utf-8")
        out = app.test_cli_runner().invoke(args=["juri", "verify-publication", str(path)])
        assert out.exit_code == 0, out.output
        assert "digest OK" in out.output and "places OK: 6 entries" in out.output
        bodies.append(text.split("entry_id,", 1)[1])
    assert bodies[0] == bodies[1]  # same sheets, same places: the same rows to recompute
