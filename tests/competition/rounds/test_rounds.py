"""The committee sets up a round through the web UI."""

from sqlalchemy import select

from competition.db import db
from competition.rounds.models import Round, RoundStatus, Stage
from judging.scoring.models import Criterion
from tests.field_errors import field_errors


def _stage_form(**changes) -> dict:
    """The round page's stage form filled in; ``changes`` by field name (without the prefix)."""
    data = {
        "name": "Penilaian Proposal",
        "opens_at": "2099-04-01T08:00",
        "closes_at": "2099-04-30T17:00",
        "scale_min": 1,
        "scale_max": 10,
        "winners_per_category": 3,
        **changes,
    }
    return {f"stage-{name}": str(value) for name, value in data.items()}


def test_committee_creates_round_category_stage_and_rubric(app, login, committee):
    client = login(committee)
    response = client.post(
        "/committee/rounds/new",
        data={
            "name": "KOINYANLIK 2026",
            "description": "Kompetisi inovasi Kota Palembang",
            "submission_opens_at": "2026-01-05T08:00",
            "submission_closes_at": "2099-03-31T23:59",
        },
    )
    assert response.status_code == 302
    round_ = db.session.scalar(select(Round))
    assert round_.slug == "koinyanlik-2026" and round_.status == RoundStatus.DRAFT
    # 23:59 WIB is 16:59 UTC.
    assert round_.submission_closes_at.hour == 16

    client.post(
        f"/committee/rounds/{round_.id}/categories",
        data={"cat-name": "Dinas/Badan", "cat-description": ""},
    )
    response = client.post(f"/committee/rounds/{round_.id}/stages", data=_stage_form())
    stage = db.session.scalar(select(Stage))
    assert response.headers["Location"].endswith(f"/committee/stages/{stage.id}/rubric")
    for name, weight in [("Kebaruan", 30), ("Efektivitas", 30), ("Kemanfaatan", 40)]:
        r = client.post(
            f"/committee/stages/{stage.id}/rubric",
            data={"name": name, "weight": weight, "description": ""},
        )
        assert r.status_code == 302
    assert [
        c.weight for c in db.session.scalars(select(Criterion).order_by(Criterion.position))
    ] == [30, 30, 40]

    response = client.post(f"/committee/rounds/{round_.id}/open")
    db.session.refresh(round_)
    assert round_.status == RoundStatus.OPEN


def test_round_form_errors_keep_what_was_typed(app, login, committee):
    response = login(committee).post(
        "/committee/rounds/new",
        data={
            "name": "",
            "description": "Deskripsi yang panjang",
            "submission_opens_at": "2026-02-01T08:00",
            "submission_closes_at": "2026-01-01T08:00",
        },
    )
    assert response.status_code == 422
    assert "Deskripsi yang panjang" in response.text
    assert 'value="2026-02-01T08:00"' in response.text
    assert db.session.scalar(select(Round)) is None


def test_deadline_before_opening_is_refused_with_reason(app, login, committee):
    response = login(committee).post(
        "/committee/rounds/new",
        data={
            "name": "KOINYANLIK",
            "description": "",
            "submission_opens_at": "2026-02-01T08:00",
            "submission_closes_at": "2026-01-01T08:00",
        },
    )
    assert response.status_code == 422
    assert "Waktu penutupan harus setelah waktu pembukaan" in response.text
    assert 'value="KOINYANLIK"' in response.text


def test_rubric_weights_over_100_are_refused(app, login, committee, open_round):
    from tests import factories

    stage = factories.make_stage(open_round, criteria=[("Kebaruan", 90)])
    db.session.commit()
    response = login(committee).post(
        f"/committee/stages/{stage.id}/rubric",
        data={"name": "Dampak", "weight": 20, "description": "x"},
    )
    assert response.status_code == 422
    assert "lebih dari 100%" in response.text
    assert 'value="Dampak"' in response.text


def test_opening_a_round_without_category_is_refused(app, login, committee):
    from tests import factories

    round_ = factories.make_round(status=RoundStatus.DRAFT, categories=())
    db.session.commit()
    response = login(committee).post(f"/committee/rounds/{round_.id}/open", follow_redirects=True)
    assert "Tambahkan setidaknya satu kategori" in response.text
    assert db.session.get(Round, round_.id).status == RoundStatus.DRAFT


def test_refused_category_and_stage_are_explained_on_the_round_page(
    app, login, committee, open_round
):
    client = login(committee)
    existing = open_round.categories[0].name
    response = client.post(
        f"/committee/rounds/{open_round.id}/categories", data={"cat-name": existing.upper()}
    )
    message = "Babak kompetisi ini sudah memiliki kategori dengan nama tersebut."
    assert response.status_code == 422 and f'<div class="error">{message}</div>' in response.text
    assert len(open_round.categories) == 1
    response = client.post(
        f"/committee/rounds/{open_round.id}/stages", data=_stage_form(scale_min=5, scale_max=5)
    )
    message = "Batas atas skala harus lebih tinggi dari batas bawahnya."
    assert response.status_code == 422 and f'<div class="error">{message}</div>' in response.text
    assert 'value="Penilaian Proposal"' in response.text  # what was typed is kept
    stages = db.session.scalars(select(Stage).where(Stage.round_id == open_round.id)).all()
    assert "Penilaian Proposal" not in [s.name for s in stages]


def test_a_refused_stage_says_why_under_the_field_at_fault(app, login, committee, open_round):
    """The scale refused is explained under the highest score, the dates under the closing
    time: each message next to what the committee has to change."""
    client = login(committee)
    scale = "Batas atas skala harus lebih tinggi dari batas bawahnya."
    dates = "Waktu penutupan harus setelah waktu pembukaan."
    response = client.post(
        f"/committee/rounds/{open_round.id}/stages", data=_stage_form(scale_min=8, scale_max=5)
    )
    errors = field_errors(response.text)
    assert response.status_code == 422
    assert errors["stage-scale_max"] == [scale], errors
    assert errors["stage-closes_at"] == [] and errors["stage-scale_min"] == []
    response = client.post(
        f"/committee/rounds/{open_round.id}/stages",
        data=_stage_form(opens_at="2099-04-30T17:00", closes_at="2099-04-01T08:00"),
    )
    errors = field_errors(response.text)
    assert response.status_code == 422
    assert errors["stage-closes_at"] == [dates] and errors["stage-scale_max"] == [], errors
    assert db.session.scalars(select(Stage).where(Stage.round_id == open_round.id)).all() == []


def test_a_refused_round_window_is_explained_under_its_deadline(app, login, committee):
    response = login(committee).post(
        "/committee/rounds/new",
        data={
            "name": "KOINYANLIK",
            "submission_opens_at": "2026-02-01T08:00",
            "submission_closes_at": "2026-01-01T08:00",
            "use_template": "y",
        },
    )
    errors = field_errors(response.text)
    assert response.status_code == 422
    assert errors["submission_closes_at"] == ["Waktu penutupan harus setelah waktu pembukaan."]
