"""Rubrics: templates, bands, required comments, weights, and freezing at the first score."""

import pytest
from sqlalchemy import select

from competition.db import db
from competition.errors import InvalidState
from judging.scoring import rubric as rubric_service
from judging.scoring.models import Criterion, ScoreSheet, SheetStatus
from tests import factories


def _stage(open_round, criteria=()):
    stage = factories.make_stage(open_round, criteria=criteria)
    db.session.commit()
    return stage


def test_kipp_desk_template(app, login, committee, open_round):
    stage = _stage(open_round, criteria=[("Lama", 100)])
    client = login(committee)
    r = client.post(
        f"/committee/stages/{stage.id}/rubric/template", data={"template": "kipp2023_desk"}
    )
    assert r.status_code == 302
    criteria = rubric_service.list_criteria(stage)
    assert [(c.name, c.weight) for c in criteria] == [
        ("Latar belakang dan tujuan", 10),
        ("Kebaruan", 15),
        ("Implementasi", 5),
        ("Signifikansi", 30),
        ("Adaptabilitas", 20),
        ("Sumber daya", 5),
        ("Strategi keberlanjutan", 15),
    ]
    assert (stage.scale_min, stage.scale_max, stage.pass_mark) == (0, 100, 85)
    assert all(c.bands and c.bands[-1]["hi"] == 100 for c in criteria)
    page = client.get(f"/committee/stages/{stage.id}/rubric").text
    assert "Signifikansi" in page and "0–100" in page and "nilai lulus" in page


def test_kipp_presentation_template(app, login, committee, open_round):
    stage = _stage(open_round)
    login(committee).post(
        f"/committee/stages/{stage.id}/rubric/template", data={"template": "kipp_presentation"}
    )
    assert [(c.name, c.weight) for c in rubric_service.list_criteria(stage)] == [
        ("Kebaruan", 30),
        ("Kemanfaatan", 25),
        ("Kewenangan dan kolaborasi", 15),
        ("Replikasi", 20),
        ("Presentasi", 10),
    ]


def test_criterion_with_bands_and_required_comment(app, login, committee, judge, opd, open_round):
    stage = _stage(open_round, criteria=[("Kebaruan", 60)])
    client = login(committee)
    data = {
        "name": "Kemanfaatan",
        "weight": "40",
        "comment_required": "y",
        "bands": "1-3 kurang\n4 - 6: cukup\n5-10 baik",
    }
    r = client.post(f"/committee/stages/{stage.id}/rubric", data=data)
    assert r.status_code == 422
    assert "tanpa tumpang tindih" in r.text and "5-10 baik" in r.text  # typed text kept
    data["bands"] = "1-3 kurang\n4 - 6: cukup\n7-10 baik"
    assert client.post(f"/committee/stages/{stage.id}/rubric", data=data).status_code == 302
    c = db.session.scalar(select(Criterion).where(Criterion.name == "Kemanfaatan"))
    assert c.comment_required
    assert c.bands == [
        {"lo": 1, "hi": 3, "label": "kurang"},
        {"lo": 4, "hi": 6, "label": "cukup"},
        {"lo": 7, "hi": 10, "label": "baik"},
    ]
    # Weights beyond 100% are refused, on edit too.
    r = client.post(
        f"/committee/stages/{stage.id}/rubric/{c.id}/edit",
        data={"name": "Kemanfaatan", "weight": "50", "bands": ""},
    )
    assert r.status_code == 409 and "lebih dari 100%" in r.text
    # The judge sees the bands and must comment where required.
    entry = factories.make_entry(open_round, opd)
    a = factories.make_assignment(stage, entry, judge)
    db.session.commit()
    jc = login(judge)
    page = jc.get(f"/judge/assignments/{a.id}").text
    assert "7–10" in page and "baik" in page
    first = rubric_service.list_criteria(stage)[0]
    scores = {f"score_{first.id}": "8", f"score_{c.id}": "7", "send": "1"}
    r = jc.post(f"/judge/assignments/{a.id}", data=scores)
    assert r.status_code == 422 and "Komentar wajib diisi untuk kriteria ini." in r.text
    assert db.session.scalar(select(ScoreSheet)).status == SheetStatus.DRAFT
    scores[f"comment_{c.id}"] = "Manfaat terukur."
    assert jc.post(f"/judge/assignments/{a.id}", data=scores).status_code == 302
    assert db.session.scalar(select(ScoreSheet)).status == SheetStatus.SUBMITTED


def test_incomplete_rubric_refuses_scores(app, login, judge, opd, open_round):
    stage = _stage(open_round, criteria=[("Kebaruan", 60)])
    a = factories.make_assignment(stage, factories.make_entry(open_round, opd), judge)
    db.session.commit()
    first = rubric_service.list_criteria(stage)[0]
    r = login(judge).post(
        f"/judge/assignments/{a.id}", data={f"score_{first.id}": "8", "save": "1"}
    )
    assert r.status_code == 409 and "belum lengkap" in r.text
    assert db.session.scalar(select(ScoreSheet)) is None


def test_rubric_frozen_after_first_score(app, login, committee, judge, opd, open_round):
    stage = _stage(open_round, criteria=[("Kebaruan", 50), ("Kemanfaatan", 50)])
    a = factories.make_assignment(stage, factories.make_entry(open_round, opd), judge)
    db.session.commit()
    first = rubric_service.list_criteria(stage)[0]
    assert (
        login(judge)
        .post(f"/judge/assignments/{a.id}", data={f"score_{first.id}": "8", "save": "1"})
        .status_code
        == 302
    )
    client = login(committee)
    page = client.get(f"/committee/stages/{stage.id}/rubric").text
    assert "Rubrik penilaian dikunci" in page and "Terapkan templat" not in page
    message = "tidak dapat diubah lagi"
    r = client.post(
        f"/committee/stages/{stage.id}/rubric/template", data={"template": "kipp2023_desk"}
    )
    assert r.status_code == 409 and message in r.text
    r = client.post(
        f"/committee/stages/{stage.id}/rubric/{first.id}/edit",
        data={"name": "Baru", "weight": "50", "bands": ""},
    )
    assert r.status_code == 409 and message in r.text
    r = client.post(
        f"/committee/stages/{stage.id}/rubric/scale", data={"scale_min": "0", "scale_max": "100"}
    )
    assert r.status_code == 409 and message in r.text
    r = client.post(f"/committee/stages/{stage.id}/rubric/{first.id}/delete", follow_redirects=True)
    assert message in r.text
    db.session.expire_all()
    assert [(c.name, c.weight) for c in rubric_service.list_criteria(stage)] == [
        ("Kebaruan", 50),
        ("Kemanfaatan", 50),
    ]
    assert (stage.scale_min, stage.scale_max) == (1, 10)


def test_parse_bands():
    assert rubric_service.parse_bands("0-40 kurang\n41–100: baik\n\n", 0, 100) == [
        {"lo": 0, "hi": 40, "label": "kurang"},
        {"lo": 41, "hi": 100, "label": "baik"},
    ]
    assert rubric_service.parse_bands("", 1, 10) == []
    for bad in ("kurang", "0-11 terlalu tinggi", "5-3 terbalik", "1-5 a\n5-10 b"):
        with pytest.raises(InvalidState):
            rubric_service.parse_bands(bad, 1, 10)
