"""The whole slice through the web UI: round -> proposal -> assignment -> scores -> ranking ->
publication -> certificate."""

import io

from pypdf import PdfReader
from sqlalchemy import select

from competition.db import db
from competition.entries.models import Entry
from competition.rounds.models import Round, Stage
from judging.panels import assignment as assignment_service
from judging.results.models import Certificate, Result
from judging.scoring import rubric as rubric_service
from tests import factories


def test_whole_competition_end_to_end(app, login, committee):
    panitia = login(committee)
    panitia.post(
        "/committee/rounds/new",
        data={
            "name": "KOINYANLIK 2026",
            "description": "",
            "submission_opens_at": "2026-01-01T08:00",
            "submission_closes_at": "2099-12-31T23:00",
        },
    )
    round_ = db.session.scalar(select(Round))
    panitia.post(f"/committee/rounds/{round_.id}/categories", data={"cat-name": "Dinas/Badan"})
    panitia.post(
        f"/committee/rounds/{round_.id}/stages",
        data={
            "stage-name": "Penilaian Proposal",
            "stage-opens_at": "2026-01-01T08:00",
            "stage-closes_at": "2099-12-31T23:00",
            "stage-scale_min": "1",
            "stage-scale_max": "10",
            "stage-winners_per_category": "2",
        },
    )
    stage = db.session.scalar(select(Stage))
    for name, weight in [("Kebaruan", 50), ("Kemanfaatan", 50)]:
        panitia.post(f"/committee/stages/{stage.id}/rubric", data={"name": name, "weight": weight})
    panitia.post(f"/committee/rounds/{round_.id}/open")
    category = round_.categories[0]

    # Three OPDs submit.
    titles = {"dinkes": "Posyandu Digital", "disdukcapil": "SI-PANDAI", "pdam": "Tirta Cepat"}
    users = {}
    for key, title in titles.items():
        users[key] = factories.make_opd_user(f"OPD {key}", username=key)
        db.session.commit()
        r = login(users[key]).post(
            f"/opd/rounds/{round_.id}/entries/new",
            data={
                "title": title,
                "category": category.id,
                "group": "umum",
                "innovation_started_on": "2022-05-01",
                "innovators": "Budi, 0812345678",
                "truth_declaration": "y",
                **factories.SECTION_TEXTS,
                "send": "1",
                "sk_file": (io.BytesIO(factories.PDF_BYTES), "sk.pdf"),
            },
        )
        assert r.status_code == 302
    entries = {e.title: e for e in db.session.scalars(select(Entry))}
    assert all(e.is_submitted for e in entries.values())

    # Two judges, each scoring every entry; juri-b is harsh by 2 points.
    judges = [factories.make_user(role="judge", username=u) for u in ("juri-a", "juri-b")]
    db.session.commit()
    assert (
        panitia.post(
            f"/committee/stages/{stage.id}/assignments/auto", data={"judges_per_entry": "2"}
        ).status_code
        == 302
    )
    marks = {"Posyandu Digital": 9, "SI-PANDAI": 7, "Tirta Cepat": 5}
    criteria = rubric_service.list_criteria(stage)
    for judge, offset in zip(judges, (0, -2)):
        client = login(judge)
        for a in assignment_service.list_assignments_of(judge):
            value = marks[a.entry.title] + offset
            data = {f"score_{c.id}": str(value) for c in criteria}
            data["send"] = "1"
            assert client.post(f"/judge/assignments/{a.id}", data=data).status_code == 302

    page = panitia.get(f"/committee/stages/{stage.id}/ranking").text
    assert page.index("Posyandu Digital") < page.index("SI-PANDAI") < page.index("Tirta Cepat")
    assert "kriteria dengan bobot terbesar" in page  # the tie-break rule is shown

    # three entries, two judges: the award order is undecided, so publishing asks for a tick
    url = f"/committee/stages/{stage.id}/publish"
    assert panitia.post(url).status_code == 409
    assert panitia.post(url, data={"confirm_uncertain": "y"}).status_code == 302
    public = app.test_client().get(f"/results/{round_.slug}")
    assert public.status_code == 200
    assert public.text.index("Posyandu Digital") < public.text.index("Tirta Cepat")
    results = {r.entry.title: r.rank for r in db.session.scalars(select(Result))}
    assert results == {"Posyandu Digital": 1, "SI-PANDAI": 2, "Tirta Cepat": 3}

    # Winners (top 2) get award certificates, the others participation ones; the winner's OPD
    # downloads its PDF.
    certs = db.session.scalars(select(Certificate)).all()
    assert sorted((c.result.rank, c.kind) for c in certs) == [
        (1, "award"),
        (2, "award"),
        (3, "participation"),
    ]
    winner = login(users["dinkes"])
    detail = winner.get(f"/opd/entries/{entries['Posyandu Digital'].id}").text
    cert = next(c for c in certs if c.result.rank == 1)
    assert f"/opd/certificates/{cert.code}.pdf" in detail
    pdf = winner.get(f"/opd/certificates/{cert.code}.pdf")
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.data)).pages)
    for expected in ("OPD dinkes", "Posyandu Digital", "KOINYANLIK 2026", "Terbaik I", cert.code):
        assert expected in text
    # Another OPD cannot download it; anyone can verify it.
    assert login(users["pdam"]).get(f"/opd/certificates/{cert.code}.pdf").status_code == 404
    verify = app.test_client().get(f"/verify/{cert.code}")
    assert verify.status_code == 200 and "Posyandu Digital" in verify.text
