"""Publishing: frozen versioned snapshots, corrections with a reason, award levels, certificate
numbers, revocation and reissue, the public pages."""

import io
import json
from datetime import timedelta

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from competition import actors
from competition.accounts.models import User
from competition.announcements import services as announcements
from competition.audit.models import AuditRecord
from competition.db import db, utcnow
from competition.errors import InvalidState
from judging.results import awards, certificate_register, numbers, publications
from judging.results import publication as publication_service
from judging.results.certificates import QR_BORDER, QR_SCALE, qr_matrix
from judging.results.models import Certificate, Publication, Result
from judging.scoring import rubric as rubric_service
from judging.scoring import sheets as sheet_service
from judging.scoring.models import Score, ScoreSheet
from tests import factories

pytestmark = pytest.mark.usefixtures("fewer_sweeps", "fits_once")

TITLES = [
    "Posyandu Digital",
    "SI-PANDAI",
    "Tirta Cepat",
    "Sampah Jadi Emas",
    "Lapor Camat",
    "Klinik Keliling",
]


@pytest.fixture
def scored(app, committee, open_round, cached_data):
    """A stage with six entries of distinct quality, each scored by three judges (built once
    per module and copied: see ``cached_data``)."""

    def build():
        stage = factories.make_stage(open_round)
        judges = [factories.make_user(role="judge", username=f"penilai{i}") for i in range(3)]
        criteria = rubric_service.list_criteria(stage)
        entries, owners = [], []
        for i, title in enumerate(TITLES):
            owner = factories.make_opd_user(f"OPD {title}", username=f"opd{i}")
            entry = factories.make_entry(open_round, owner, title=title)
            entries.append(entry)
            owners.append(owner)
            for j, judge in enumerate(judges):
                a = factories.make_assignment(stage, entry, judge)
                sheet_service.save_sheet(
                    assignment=a,
                    submit=True,
                    actor=judge,
                    now=utcnow(),
                    inputs={
                        c.id: sheet_service.CriterionInput(float(9 - i + (j % 2) * 0.5))
                        for c in criteria
                    },
                )
        db.session.commit()
        return stage, entries, owners

    return cached_data(build)


def test_results_services_record_their_actor_whoever_calls_them(app, committee, scored):
    """Publication, awards and certificates record the ``actor`` they are given, even inside
    another actor's context (a command run without --as, a script)."""
    stage, entries, _ = scored
    with actors.acting_as(actors.SYSTEM_CLI):
        pub = publication_service.publish_results(stage=stage, actor=committee, now=utcnow())
        special = awards.give_special_award(
            round_=stage.round,
            entry=entries[0],
            title="Inovasi Terfavorit",
            actor=committee,
            now=utcnow(),
        )
        awards.revoke_certificate(
            certificate=special, reason="Salah nama", actor=committee, now=utcnow()
        )
        db.session.flush()
    db.session.commit()
    rows = db.session.execute(
        select(AuditRecord.target_type, AuditRecord.actor).where(
            AuditRecord.target_type.in_(["publications", "results", "certificates"])
        )
    ).all()
    assert pub.version == 1 and special.revoked_at is not None
    # (results and the entries' certificates are bulk-inserted, so the trail has no row each)
    assert {row.target_type for row in rows} == {"publications", "certificates"}
    assert {row.actor for row in rows} == {committee.username}


def _snapshot(pub):
    return [(r.entry_id, r.rank, r.score, r.award) for r in publications.list_results(pub)]


def test_publish_freezes_a_snapshot_that_later_score_edits_cannot_change(app, committee, scored):
    stage, entries, _ = scored
    pub = publication_service.publish_results(stage=stage, actor=committee, now=utcnow())
    db.session.commit()
    before = _snapshot(pub)
    digest = pub.scores_digest
    assert pub.version == 1 and len(digest) == 64 and pub.n_sheets == 18
    assert json.loads(pub.params)["method"] == pub.method
    assert [r[1] for r in before] == [1, 2, 3, 4, 5, 6]
    # A score changes after publication (a judge's sheet edited in the database).
    sheet = db.session.scalars(select(ScoreSheet)).first()
    sheet.total = 1.0
    for s in db.session.scalars(select(Score).where(Score.sheet_id == sheet.id)):
        s.value = 1.0
    db.session.commit()
    db.session.expire_all()
    assert _snapshot(db.session.get(Publication, pub.id)) == before
    assert db.session.get(Publication, pub.id).scores_digest == digest
    # The digest is of the input scores: recomputing now gives a different one.
    from judging.analysis.services import scores_digest
    from judging.analysis.stage_data import load_stage

    assert scores_digest(load_stage(stage))[0] != digest
    # The ORM refuses to edit a published row.
    row = db.session.scalars(select(Result)).first()
    row.score = 99.0
    with pytest.raises(awards.PublishedRowFrozen):
        db.session.flush()
    db.session.rollback()


def test_correction_needs_a_reason_and_keeps_the_old_version(app, login, committee, scored):
    stage, entries, _ = scored
    v1 = publication_service.publish_results(stage=stage, actor=committee, now=utcnow())
    db.session.commit()
    with app.test_request_context(), pytest.raises(InvalidState):
        publication_service.publish_results(stage=stage, actor=committee, now=utcnow())
    db.session.rollback()
    # The committee publishes a correction through the page: without a reason it is refused.
    client = login(committee)
    refused = client.post(f"/committee/stages/{stage.id}/publish", data={"reason": ""})
    assert refused.status_code == 409
    assert db.session.scalar(select(Publication).where(Publication.version == 2)) is None
    ok = client.post(
        f"/committee/stages/{stage.id}/publish", data={"reason": "Nilai juri 2 salah input"}
    )
    assert ok.status_code == 302
    v2 = publications.latest_publication(stage)
    assert v2.version == 2 and v2.reason == "Nilai juri 2 salah input"
    assert len(publications.list_results(v1)) == len(publications.list_results(v2)) == 6
    public = app.test_client().get(f"/results/{stage.round.slug}")
    assert "Nilai juri 2 salah input" in public.text
    assert f"/results/{stage.round.slug}/stages/{stage.id}/v1" in public.text
    old = app.test_client().get(f"/results/{stage.round.slug}/stages/{stage.id}/v1")
    assert old.status_code == 200 and "Posyandu Digital" in old.text


def test_correction_revokes_only_changed_awards(app, committee, scored):
    stage, entries, _ = scored
    publication_service.publish_results(stage=stage, actor=committee, now=utcnow())
    first = {c.entry_id: c.code for c in db.session.scalars(select(Certificate))}
    # Entry 5 (last) becomes the best: a score was mistyped.
    for sheet in db.session.scalars(select(ScoreSheet)):
        if sheet.assignment.entry_id == entries[5].id:
            for s in sheet.scores:
                s.value = 10.0
            sheet.total = 10.0
    db.session.flush()
    publication_service.publish_results(
        stage=stage, actor=committee, now=utcnow(), reason="Salah ketik"
    )
    valid = certificate_register.valid_certificates_by_entry(stage)
    assert valid[entries[5].id].award == "Terbaik I"
    assert valid[entries[5].id].code != first[entries[5].id]
    old = certificate_register.find_certificate(first[entries[0].id])
    assert old.is_revoked and "Salah ketik" in old.revoked_reason
    assert valid[entries[0].id].award == "Terbaik II"
    # Entry 4 was and stays a participant: same certificate.
    assert valid[entries[4].id].code == first[entries[4].id]


def test_award_levels_national_preset(app, login, committee, scored):
    stage, *_ = scored
    client = login(committee)
    assert (
        client.post(
            f"/committee/rounds/{stage.round_id}/results/awards",
            data={"preset": "national", "levels": "", "style": "alphabetical", "announcement": ""},
        ).status_code
        == 302
    )
    assert [(lv.title, lv.up_to_rank) for lv in awards.levels_for(stage)] == [
        ("Outstanding Achievement", 3),
        ("Top 45", 15),
        ("Top 99", 33),
    ]
    pub = publication_service.publish_results(stage=stage, actor=committee, now=utcnow())
    assert pub.style == "alphabetical"
    by_rank = sorted(publications.list_results(pub), key=lambda r: r.rank)
    assert [r.award for r in by_rank] == ["Outstanding Achievement"] * 3 + ["Top 45"] * 3


def test_award_levels_city_preset_with_prizes_and_participation(app, login, committee, scored):
    stage, entries, _ = scored
    client = login(committee)
    # what choosing a preset does, said next to it, in both languages
    review = client.get(f"/committee/rounds/{stage.round_id}/results").text
    assert "Pilihan siap pakai menggantikan tingkat penghargaan di bawah saat disimpan" in review
    client.post("/language", data={"lang": "en"})
    review = client.get(f"/committee/rounds/{stage.round_id}/results").text
    assert "A preset replaces the award levels below when you save" in review
    client.post("/language", data={"lang": "id"})
    r = client.post(
        f"/committee/rounds/{stage.round_id}/results/awards",
        data={"preset": "city", "levels": "", "style": "ranked", "announcement": ""},
    )
    assert r.status_code == 302
    review = client.get(f"/committee/rounds/{stage.round_id}/results")
    assert review.status_code == 200
    assert "Juara I" in review.text and "Harapan II" in review.text
    assert "3.000.000" in review.text  # Indonesian grouping
    pub = publication_service.publish_results(stage=stage, actor=committee, now=utcnow())
    got = [(r.rank, r.award, r.prize) for r in publications.list_results(pub)]
    assert got == [
        (1, "Juara I", 3_000_000),
        (2, "Juara II", 2_000_000),
        (3, "Juara III", 1_000_000),
        (4, "Harapan I", None),
        (5, "Harapan II", None),
        (6, "", None),
    ]
    kinds = sorted((c.award, c.kind) for c in db.session.scalars(select(Certificate)))
    assert ("Peserta", "participation") in kinds and len(kinds) == 6
    assert json.loads(pub.params)["awards"][0] == {
        "title": "Juara I",
        "up_to_rank": 1,
        "prize": 3_000_000,
    }


def test_award_levels_typed_by_hand_are_checked(app, login, committee, scored):
    stage, *_ = scored
    client = login(committee)
    # the empty box (no levels set) says what it means
    page = client.get(f"/committee/rounds/{stage.round_id}/results").text
    assert "Jika dikosongkan, para pemenang adalah Terbaik I, Terbaik II" in page
    bad = client.post(
        f"/committee/rounds/{stage.round_id}/results/awards",
        data={
            "preset": "",
            "levels": "Top 45; 45\nTop 99; lots",
            "style": "ranked",
            "announcement": "Selamat!",
        },
    )
    assert bad.status_code == 422 and "Top 99; lots" in bad.text
    # what is wrong with the line, in words a committee member can act on
    assert (
        "Baris 2: tulis judul; peringkat terakhir yang mendapatkannya, sebagai bilangan" in bad.text
    )
    client.post("/language", data={"lang": "en"})
    bad = client.post(
        f"/committee/rounds/{stage.round_id}/results/awards",
        data={"preset": "", "levels": "Top 99; lots", "style": "ranked", "announcement": ""},
    )
    assert "Line 1: write the title; the last place that gets it, as a whole number" in bad.text
    client.post("/language", data={"lang": "id"})
    unordered = client.post(
        f"/committee/rounds/{stage.round_id}/results/awards",
        data={
            "preset": "",
            "levels": "Top 99; 99\nTop 45; 45",
            "style": "ranked",
            "announcement": "",
        },
    )
    assert unordered.status_code == 422
    ok = client.post(
        f"/committee/rounds/{stage.round_id}/results/awards",
        data={
            "preset": "",
            "levels": "Outstanding Achievement; 1\nTop 45; 3",
            "style": "alphabetical",
            "announcement": "Selamat kepada pemenang.",
        },
    )
    assert ok.status_code == 302
    publication_service.publish_results(stage=stage, actor=committee, now=utcnow())
    db.session.commit()
    page = app.test_client().get(f"/results/{stage.round.slug}").text
    assert "Selamat kepada pemenang." in page
    # Alphabetical style: only the awarded (places 1-3), by title, without places or scores.
    awarded = sorted(TITLES[:3], key=str.casefold)
    order = [page.index(t) for t in awarded]
    assert order == sorted(order)
    assert all(t not in page for t in TITLES[3:])
    assert "Outstanding Achievement" in page and "Top 45" in page
    assert "Nilai</th>" not in page and "Peringkat</th>" not in page
    csv_text = app.test_client().get(f"/results/{stage.round.slug}.csv").data.decode("utf-8-sig")
    assert len(csv_text.strip().splitlines()) == 1 + 3


def test_verify_valid_revoked_unknown_and_reissued(app, login, committee, scored):
    stage, entries, _ = scored
    publication_service.publish_results(stage=stage, actor=committee, now=utcnow())
    db.session.commit()
    cert = certificate_register.valid_certificates_by_entry(stage)[entries[0].id]
    anon = app.test_client()
    page = anon.get(f"/verify/{cert.code}")
    assert page.status_code == 200 and "Posyandu Digital" in page.text
    assert "verify-valid" in page.text
    # Typed in lower case without dashes: still found.
    assert anon.get(f"/verify/{cert.code.lower().replace('-', '')}").status_code == 200
    # Forged (made up) and altered numbers are unknown.
    forged = "7F3A-91C2-0B4D-E6F8"
    assert not numbers.is_well_formed(forged)
    assert anon.get(f"/verify/{forged}").status_code == 404
    last = "0" if cert.code[-1] != "0" else "1"
    altered = cert.code[:-1] + last
    unknown = anon.get(f"/verify/{altered}")
    assert unknown.status_code == 404 and "verify-unknown" in unknown.text
    # The committee reissues it (misspelt OPD name): the old number shows revoked.
    client = login(committee)
    url = f"/committee/rounds/{stage.round_id}/results/certificates/{cert.id}"
    assert client.post(url, data={"reason": "", "revoke": "1"}).status_code == 422
    r = client.post(
        url, data={"reason": "Nama OPD salah eja", "holder": "Dinas Kesehatan", "reissue": "1"}
    )
    assert r.status_code == 302
    old = anon.get(f"/verify/{cert.code}")
    assert old.status_code == 200 and "verify-revoked" in old.text
    assert "Nama OPD salah eja" in old.text
    new = db.session.scalar(select(Certificate).where(Certificate.replaces_id == cert.id))
    assert new.code in old.text and new.holder == "Dinas Kesehatan"
    fresh = anon.get(f"/verify/{new.code}")
    assert fresh.status_code == 200 and "verify-valid" in fresh.text
    # Revoking it too.
    url = f"/committee/rounds/{stage.round_id}/results/certificates/{new.id}"
    assert client.post(url, data={"reason": "Dibatalkan", "revoke": "1"}).status_code == 302
    assert "verify-revoked" in anon.get(f"/verify/{new.code}").text
    # Revoked already (a second tab): refused under the reason, the reason typed kept.
    r = client.post(url, data={"reason": "Sekali lagi", "revoke": "1"})
    assert r.status_code == 409 and '<div class="error">Piagam ini sudah dicabut.</div>' in r.text
    assert "Sekali lagi" in r.text


def test_certificate_pdf_has_holder_award_number_and_qr(app, login, committee, scored):
    stage, entries, owners = scored
    publication_service.publish_results(stage=stage, actor=committee, now=utcnow())
    db.session.commit()
    cert = certificate_register.valid_certificates_by_entry(stage)[entries[0].id]
    response = login(owners[0]).get(f"/opd/certificates/{cert.code}.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    page = PdfReader(io.BytesIO(response.data)).pages[0]
    text = page.extract_text()
    for expected in (
        "OPD Posyandu Digital",
        "Posyandu Digital",
        "Terbaik I",
        cert.code,
        "PIAGAM PENGHARGAAN",
        stage.round.name,
    ):
        assert expected in text, expected
    # The embedded QR code is the one for the verification URL, module by module.
    url = f"http://localhost/verify/{cert.code}"
    expected = qr_matrix(url)
    image = next(iter(page.images)).image.convert("L")
    n = len(expected)
    assert image.size == ((n + 2 * QR_BORDER) * QR_SCALE,) * 2
    read = tuple(
        tuple(
            int(
                image.getpixel(((QR_BORDER + x) * QR_SCALE + 2, (QR_BORDER + y) * QR_SCALE + 2))
                < 128
            )
            for x in range(n)
        )
        for y in range(n)
    )
    assert read == expected
    # Another OPD cannot download it from the OPD area.
    assert login(owners[1]).get(f"/opd/certificates/{cert.code}.pdf").status_code == 404


def test_public_results_export_csv_and_xlsx(app, committee, scored):
    stage, entries, _ = scored
    entries[2].title = '=HYPERLINK("http://x")'
    publication_service.publish_results(stage=stage, actor=committee, now=utcnow())
    db.session.commit()
    anon = app.test_client()
    slug = stage.round.slug
    csv_response = anon.get(f"/results/{slug}.csv")
    assert csv_response.status_code == 200 and csv_response.mimetype == "text/csv"
    text = csv_response.data.decode("utf-8-sig")
    lines = text.strip().splitlines()
    assert len(lines) == 1 + 6
    assert "Posyandu Digital" in lines[1] and "Terbaik I" in lines[1]
    assert "'=HYPERLINK" in text  # a formula-like title is quoted
    cert = certificate_register.valid_certificates_by_entry(stage)[entries[0].id]
    assert cert.code in lines[1] and f"/verify/{cert.code}" in lines[1]
    xlsx = anon.get(f"/results/{slug}.xlsx")
    assert xlsx.status_code == 200
    from openpyxl import load_workbook

    ws = load_workbook(io.BytesIO(xlsx.data)).active
    rows = list(ws.iter_rows(values_only=True))
    assert len(rows) == 7 and rows[1][4] == "Posyandu Digital" and rows[1][3] == 1
    assert anon.get(f"/results/{slug}.pdf").status_code == 404
    # Nothing is exported before publication.
    other = factories.make_round(name="KOINYANLIK 2030")
    db.session.commit()
    assert anon.get(f"/results/{other.slug}.csv").status_code == 404


def test_public_certificate_download_only_when_valid_and_published(app, committee, scored):
    stage, entries, _ = scored
    publication_service.publish_results(stage=stage, actor=committee, now=utcnow())
    db.session.commit()
    cert = certificate_register.valid_certificates_by_entry(stage)[entries[0].id]
    anon = app.test_client()
    assert anon.get(f"/verify/{cert.code}.pdf").status_code == 200
    awards.revoke_certificate(certificate=cert, reason="Batal", actor=committee, now=utcnow())
    db.session.commit()
    assert anon.get(f"/verify/{cert.code}.pdf").status_code == 404


def _png(color=(120, 20, 30), fmt="PNG") -> bytes:
    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", (60, 60), color).save(buf, format=fmt)
    return buf.getvalue()


def test_certificate_layout_upload_is_content_checked(app, login, committee, scored):
    stage, entries, owners = scored
    client = login(committee)
    url = f"/committee/rounds/{stage.round_id}/results/layout"
    assert client.get(url).status_code == 200
    fake = client.post(
        url,
        data={
            "government": "Pemerintah Kota Palembang",
            "place": "Palembang",
            "signer1_name": "Dr. Siti Rahma",
            "signer1_title": "Sekretaris Daerah",
            "logo": (io.BytesIO(b"<?php echo 'not an image'; ?>"), "logo.png"),
        },
        content_type="multipart/form-data",
    )
    assert fake.status_code == 422 and "Pemerintah Kota Palembang" in fake.text
    assert awards.settings_of(stage.round).logo is None
    ok = client.post(
        url,
        data={
            "government": "Pemerintah Kota Palembang",
            "place": "Palembang",
            "signer1_name": "Dr. Siti Rahma",
            "signer1_title": "Sekretaris Daerah",
            "signer1_image": (io.BytesIO(_png((0, 0, 90), "JPEG")), "ttd.jpg"),
            "signer2_name": "Ir. Budi Santoso",
            "signer2_title": "Kepala Bappeda",
            "logo": (io.BytesIO(_png()), "logo.png"),
        },
        content_type="multipart/form-data",
    )
    assert ok.status_code == 302
    settings = awards.settings_of(stage.round)
    assert settings.logo.endswith(".png") and settings.signer1_image.endswith(".jpg")
    preview = client.get(f"{url}/preview.pdf")
    assert preview.status_code == 200 and preview.mimetype == "application/pdf"
    publication_service.publish_results(stage=stage, actor=committee, now=utcnow())
    db.session.commit()
    cert = certificate_register.valid_certificates_by_entry(stage)[entries[0].id]
    pdf = PdfReader(io.BytesIO(login(owners[0]).get(f"/opd/certificates/{cert.code}.pdf").data))
    text = pdf.pages[0].extract_text()
    for expected in (
        "PEMERINTAH KOTA PALEMBANG",
        "Dr. Siti Rahma",
        "Sekretaris Daerah",
        "Ir. Budi Santoso",
        "Palembang, ",
    ):
        assert expected in text, expected
    assert len(list(pdf.pages[0].images)) == 3  # logo, signature, QR code


def test_bulk_zip_in_chunks_with_progress(app, login, committee, judge, scored, monkeypatch):
    import zipfile

    from competition.jobs import services as jobs_services
    from judging.results import tasks as results_tasks
    from judging.results import zips as bulk

    real_progress = jobs_services.set_progress

    stage, entries, _ = scored
    publication_service.publish_results(stage=stage, actor=committee, now=utcnow())
    db.session.commit()
    client = login(committee)
    r = client.post(f"/committee/rounds/{stage.round_id}/results/appreciation")
    assert r.status_code == 302
    judges = db.session.scalars(select(Certificate).where(Certificate.kind == "appreciation")).all()
    assert sorted(c.holder for c in judges) == ["penilai0", "penilai1", "penilai2"]
    # Issuing again gives nobody a second one.
    client.post(f"/committee/rounds/{stage.round_id}/results/appreciation")
    assert db.session.query(Certificate).filter_by(kind="appreciation").count() == 3
    monkeypatch.setattr(bulk, "CHUNK", 4)
    base = f"/committee/rounds/{stage.round_id}/results/zip"
    assert client.get(base).status_code == 200
    assert client.get(f"{base}/download").status_code == 404  # nothing generated yet
    progress = []
    monkeypatch.setattr(
        results_tasks.jobs,
        "set_progress",
        lambda job, done, total=None: (
            progress.append((done, total)) or real_progress(job, done, total)
        ),
    )
    # The start queues a job (run inline in tests, by a worker or a thread in production);
    # it records its progress after each chunk, which the page's script polls.
    assert client.post(f"{base}/start").status_code == 302
    assert progress == [(0, 9), (4, None), (8, None), (9, None), (9, None)]
    status = client.get(f"{base}/status").get_json()
    assert (status["done"], status["total"], status["finished"]) == (9, 9, True)
    # the old address of the browser-driven steps answers the state
    s = client.post(f"{base}/step", headers={"Accept": "application/json"}).get_json()
    assert s == status
    page = client.get(base).text
    assert f"{base}/download" in page
    response = client.get(f"{base}/download")
    assert response.status_code == 200 and response.mimetype == "application/zip"
    body = response.data
    response.close()  # send_file streams from the open file
    names = zipfile.ZipFile(io.BytesIO(body)).namelist()
    assert len(names) == 9
    assert sum(n.startswith("penghargaan/") for n in names) == 3
    assert sum(n.startswith("juri/") for n in names) == 3
    text = (
        PdfReader(
            io.BytesIO(
                zipfile.ZipFile(io.BytesIO(body)).read(
                    next(n for n in names if n.startswith("juri/penilai0"))
                )
            )
        )
        .pages[0]
        .extract_text()
    )
    assert "penilai0" in text and "sebagai Juri" in text
    # Other roles get nothing: the blueprint guard.
    assert login(judge).get(f"{base}/download").status_code == 403


def test_demo_is_published_with_certificates(app, demo, login):
    from competition.rounds.models import Round
    from judging.demo.loader import COMMITTEE_USERNAME

    # the pages are checked, not the intervals of the committee's results page (three stages
    # fitted): 200 posterior sweeps per fit, not 1,600
    app.config["UNCERTAINTY_SWEEPS"] = 200
    # Awards follow the KIPP order: given in the finished 2025 round after its last stage
    # (the field verification, on the combined ranking), none in the 2026 round under way.
    current = db.session.scalar(select(Round).where(Round.slug == "koinyanlik-2026"))
    assert not any(publications.list_publications(s) for s in current.stages)
    assert db.session.scalar(select(Certificate).where(Certificate.round_id == current.id)) is None
    round_ = db.session.scalar(select(Round).where(Round.slug == "koinyanlik-2025"))
    desk, presentation, field = (s for s in round_.stages if s.kind == "scored")
    assert not publications.list_publications(desk) and not publications.list_publications(
        presentation
    )
    assert [p.version for p in publications.list_publications(field)] == [2, 1]
    page = app.test_client().get(f"/results/{round_.slug}").text
    assert "Juara Harapan" in page and "Juara I" in page and "3.000.000" in page
    kinds = {}
    for c in db.session.scalars(select(Certificate).where(Certificate.revoked_at.is_(None))):
        kinds[c.kind] = kinds.get(c.kind, 0) + 1
    assert kinds["award"] == 5 * 3 and kinds["appreciation"] == 9
    assert kinds["special"] == 1
    assert "Inovasi Terfavorit" in page
    cert = db.session.scalar(
        select(Certificate).where(Certificate.award == "Juara I").order_by(Certificate.id)
    )
    pdf = app.test_client().get(f"/verify/{cert.code}.pdf")
    # Which category's winner comes first varies on PostgreSQL (rows come back in storage
    # order, which earlier tests' deletes and inserts change); a long holder name ("Dinas
    # Penanaman Modal dan Pelayanan Terpadu Satu Pintu Kota Palembang") is set on two lines.
    text = " ".join(PdfReader(io.BytesIO(pdf.data)).pages[0].extract_text().split())
    assert "PEMERINTAH KOTA PALEMBANG" in text and " ".join(cert.holder.split()) in text
    committee = db.session.scalar(select(User).where(User.username == COMMITTEE_USERNAME))
    assert login(committee).get(f"/committee/rounds/{round_.id}/results").status_code == 200


def test_minutes_pdf_lists_stage_judges_and_ranking(app, login, committee, scored):
    stage, entries, _ = scored
    client = login(committee)
    url = f"/committee/rounds/{stage.round_id}/results/berita-acara.pdf"
    assert client.get(url).status_code == 404  # nothing published yet
    publication_service.publish_results(stage=stage, actor=committee, now=utcnow())
    awards.give_special_award(
        round_=stage.round,
        entry=entries[5],
        title="Inovasi Terfavorit",
        actor=committee,
        now=utcnow(),
    )
    db.session.commit()
    response = client.get(url)
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(response.data)).pages)
    pub = publications.latest_publication(stage)
    for expected in (
        "BERITA ACARA HASIL PENILAIAN",
        stage.round.name.upper(),
        stage.name,
        "penilai0",
        "penilai2",
        "Posyandu Digital",
        "OPD Klinik Keliling",
        "Terbaik I",
        pub.scores_digest,
        "Ketua Panitia",
        "Penghargaan khusus",
        "Inovasi Terfavorit",
    ):
        assert expected in text, expected
    assert text.index("Posyandu Digital") < text.index("Klinik Keliling")


def test_review_page_searches_certificates(app, login, committee, scored):
    stage, entries, _ = scored
    publication_service.publish_results(stage=stage, actor=committee, now=utcnow())
    db.session.commit()
    cert = certificate_register.valid_certificates_by_entry(stage)[entries[3].id]
    client = login(committee)
    base = f"/committee/rounds/{stage.round_id}/results"
    page = client.get(base).text
    assert "Umumkan koreksi" in page
    found = client.get(base, query_string={"q": cert.code.lower()}).text
    assert cert.code in found and "1 dari 1" in found
    by_name = client.get(base, query_string={"q": "klinik"}).text
    assert (
        "Klinik Keliling" in by_name
        and "Posyandu Digital" not in by_name.split('id="certificates"')[1]
    )


def test_special_award_outside_the_ranking(app, login, committee, scored):
    stage, entries, owners = scored
    publication_service.publish_results(stage=stage, actor=committee, now=utcnow())
    db.session.commit()
    client = login(committee)
    url = f"/committee/rounds/{stage.round_id}/results/special"
    assert client.post(url, data={"entry": entries[4].id, "title": ""}).status_code == 422
    r = client.post(url, data={"entry": entries[4].id, "title": "Inovasi Terfavorit"})
    assert r.status_code == 302
    cert = db.session.scalar(select(Certificate).where(Certificate.kind == "special"))
    assert cert.award == "Inovasi Terfavorit" and cert.entry_id == entries[4].id
    page = app.test_client().get(f"/results/{stage.round.slug}").text
    assert "Inovasi Terfavorit" in page and f"/verify/{cert.code}" in page
    # A correction of the ranking leaves it valid; the entry keeps its participation one too.
    publication_service.publish_results(
        stage=stage, actor=committee, now=utcnow(), reason="Cek ulang"
    )
    db.session.commit()
    assert not certificate_register.find_certificate(cert.code).is_revoked
    assert (
        certificate_register.valid_certificates_by_entry(stage)[entries[4].id].kind
        == "participation"
    )
    assert login(owners[4]).get(f"/opd/certificates/{cert.code}.pdf").status_code == 200


def test_judges_download_only_their_own_appreciation(app, login, committee, scored):
    stage, *_ = scored
    publication_service.publish_results(stage=stage, actor=committee, now=utcnow())
    awards.issue_appreciation_certificates(
        round_=stage.round,
        judges=list(
            db.session.scalars(select(User).where(User.username.in_(["penilai0", "penilai1"])))
        ),
        actor=committee,
        now=utcnow(),
    )
    db.session.commit()
    mine = db.session.scalar(select(User).where(User.username == "penilai0"))
    other = db.session.scalar(select(User).where(User.username == "penilai1"))
    cert = certificate_register.certificates_of_user(mine)[0]
    client = login(mine)
    assert cert.code in client.get("/judge/certificates/").text
    pdf = client.get(f"/judge/certificates/{cert.code}.pdf")
    assert pdf.status_code == 200
    assert "penilai0" in PdfReader(io.BytesIO(pdf.data)).pages[0].extract_text()
    assert login(other).get(f"/judge/certificates/{cert.code}.pdf").status_code == 404


def test_public_url_is_printed_when_configured(app, login, committee, scored):
    stage, entries, owners = scored
    publication_service.publish_results(stage=stage, actor=committee, now=utcnow())
    db.session.commit()
    app.config["PUBLIC_URL"] = "https://inovasi.palembang.go.id/"
    cert = certificate_register.valid_certificates_by_entry(stage)[entries[0].id]
    data = login(owners[0]).get(f"/opd/certificates/{cert.code}.pdf").data
    text = PdfReader(io.BytesIO(data)).pages[0].extract_text()
    assert f"https://inovasi.palembang.go.id/verify/{cert.code}" in text


def test_only_the_last_scored_stage_gives_awards_and_certificates(app, login, committee, scored):
    """KIPP names its winners at the end: an earlier stage's ranking is published without
    awards or certificates, the last scored stage's with them."""
    stage, entries, _ = scored
    final = factories.make_stage(stage.round)
    judge = factories.make_user(role="judge", username="penilai-final")
    criteria = rubric_service.list_criteria(final)
    for i, entry in enumerate(entries[:3]):
        a = factories.make_assignment(final, entry, judge)
        sheet_service.save_sheet(
            assignment=a,
            submit=True,
            actor=judge,
            now=utcnow(),
            inputs={c.id: sheet_service.CriterionInput(float(6 + i)) for c in criteria},
        )
    db.session.commit()
    review = login(committee).get(f"/committee/rounds/{stage.round_id}/results").text
    # each stage's card, found by its ranking link
    at_final = review.index(f"/committee/stages/{final.id}/ranking")
    earlier = review[review.index(f"/committee/stages/{stage.id}/ranking") : at_final]
    assert "Bukan tahap penilaian terakhir babak ini" in earlier
    assert "Penghargaan yang akan diberikan" not in earlier and "Terbaik I" not in earlier
    assert "Penghargaan yang akan diberikan" in review[at_final:]
    # its ranking page speaks of its top places, not of winners
    ranking = login(committee).get(f"/committee/stages/{stage.id}/ranking").text
    assert "Pemenang (peringkat" not in ranking and "3 besar (peringkat 1–3)" in ranking
    first = publication_service.publish_results(stage=stage, actor=committee, now=utcnow())
    publication_service.publish_results(stage=final, actor=committee, now=utcnow())
    db.session.commit()
    assert first.without_awards and json.loads(first.params)["awards"] == []
    assert all(r.award == "" and r.prize is None for r in publications.list_results(first))
    assert certificate_register.valid_certificates_by_entry(stage) == {}
    second = certificate_register.valid_certificates_by_entry(final)[entries[0].id]
    assert second.award == "Terbaik III"
    page = app.test_client().get(f"/results/{stage.round.slug}").text
    assert "Peringkat tahap sebelumnya, diumumkan tanpa penghargaan" in page
    assert f"/verify/{second.code}" in page


def test_concurrent_publication_of_the_same_version_is_refused(
    app, login, committee, scored, monkeypatch
):
    stage, *_ = scored
    publication_service.publish_results(stage=stage, actor=committee, now=utcnow())
    db.session.commit()
    # The page was opened before someone else published: this request still sees version 1
    # as the latest, so it tries to write version 2 too.
    publication_service.publish_results(stage=stage, actor=committee, now=utcnow(), reason="A")
    db.session.commit()
    v1 = publications.get_publication(stage, 1)
    monkeypatch.setattr(publications, "latest_publication", lambda s: v1)
    r = login(committee).post(f"/committee/stages/{stage.id}/publish", data={"reason": "B"})
    assert r.status_code == 409
    assert [p.reason for p in publications.list_publications(stage)] == ["A", ""]


def test_public_results_link_the_round_announcements(app, committee, scored):
    stage, entries, _ = scored
    publication_service.publish_results(stage=stage, actor=committee, now=utcnow())
    announcement = announcements.issue_announcement(
        stage=stage,
        title="Penetapan Pemenang",
        objection_days=3,
        actor=committee,
        now=utcnow(),
        winners=lambda s: [entries[0].id],
    )
    db.session.commit()
    page = app.test_client().get(f"/results/{stage.round.slug}").text
    assert f'href="/announcements/{announcement.id}"' in page
    assert "Penetapan Pemenang" in page and "Sanggahan publik dibuka sampai" in page


def test_verify_form_on_home_and_at_verify_goes_to_the_number(app, committee, scored):
    stage, entries, _ = scored
    publication_service.publish_results(stage=stage, actor=committee, now=utcnow())
    db.session.commit()
    cert = certificate_register.valid_certificates_by_entry(stage)[entries[0].id]
    anon = app.test_client()
    home = anon.get("/").text
    assert 'action="/verify/"' in home and 'name="number"' in home and "Nomor piagam" in home
    for url in ("/verify", "/verify/"):
        page = anon.get(url)
        assert page.status_code == 200 and 'name="number"' in page.text
    response = anon.get("/verify", query_string={"number": f"  {cert.code} "})
    assert response.status_code == 302 and response.location == f"/verify/{cert.code}"
    assert "verify-valid" in anon.get(response.location).text
    # An unknown number keeps what was typed in the field, to correct it.
    unknown = anon.get("/verify/ABCD-1234")
    assert unknown.status_code == 404 and 'value="ABCD-1234"' in unknown.text


def test_public_results_name_the_method_in_words_and_explain_the_fingerprint(
    app, login, committee, scored
):
    stage, _, _ = scored
    publication_service.publish_results(stage=stage, actor=committee, now=utcnow())
    db.session.commit()
    anon = app.test_client()
    for url in (
        f"/results/{stage.round.slug}",
        f"/results/{stage.round.slug}/stages/{stage.id}/v1",
    ):
        page = anon.get(url).text
        assert "bias_scale" not in page and "Model offset dan skala juri" in page
        assert "Sidik jari nilai" in page and "menghitungnya ulang" in page
    anon.post("/language", data={"lang": "en"})
    page = anon.get(f"/results/{stage.round.slug}").text
    assert "Judge offset and scale model" in page and "can recompute it" in page


def test_results_page_offers_only_scored_stages(app, login, committee, opd, judge, open_round):
    from competition.entries.models import Screening
    from competition.rounds import services as round_service

    stages = round_service.apply_stage_template(round_=open_round, actor=committee)
    stages[3].is_skipped = True  # presentation skipped this year
    field = stages[4]  # the field verification, scored (one sheet, in its window)
    field.opens_at = utcnow() - timedelta(days=1)
    rubric_service.add_criterion(
        stage=field, name="Bukti", description="", weight=100, actor=committee
    )
    entry = factories.make_entry(open_round, opd)
    entry.screening = Screening.ELIGIBLE  # screening comes before the scored stages
    assignment = factories.make_assignment(field, entry, judge)
    sheet_service.save_sheet(
        assignment=assignment,
        submit=True,
        actor=judge,
        now=utcnow(),
        inputs={
            c.id: sheet_service.CriterionInput(8.0) for c in rubric_service.list_criteria(field)
        },
    )
    db.session.commit()
    page = login(committee).get(f"/committee/rounds/{open_round.id}/results").text
    assert "Penilaian Proposal (Desk Evaluation)" in page
    assert "Verifikasi Lapangan" in page
    for not_scored in (stages[0], stages[1], stages[3], stages[5]):
        assert not_scored.name not in page
        assert f"/committee/stages/{not_scored.id}/publish" not in page
    # A scored stage without any submitted sheet says so instead of offering to publish.
    assert f"/committee/stages/{stages[2].id}/publish" not in page
    assert "Belum ada lembar penilaian yang dikirim pada tahap ini" in page
    assert f"/committee/stages/{field.id}/publish" in page


def test_results_page_shows_the_award_places_and_links_the_full_ranking(
    app, login, committee, scored, monkeypatch
):
    from judging.results import views

    stage, entries, _ = scored
    monkeypatch.setattr(views, "REVIEW_ROWS", 2)
    client = login(committee)
    url = f"/committee/rounds/{stage.round_id}/results"
    # No award levels set: the default ones (a place for each winner) decide what is shown.
    shown = max(2, max(lv.up_to_rank for lv in awards.levels_for(stage)))
    page = client.get(url).text
    ranking = page.split("<tbody>")[1].split("</tbody>")[0]
    assert ranking.count("<tr") == shown < 6
    category = entries[0].category_id
    assert f"/committee/stages/{stage.id}/ranking?category={category}" in page
    assert f"Menampilkan {shown} pertama dari 6 inovasi" in page
    # Award levels reaching further widen the table to the last award place.
    client.post(
        f"{url}/awards",
        data={"preset": "city", "levels": "", "style": "ranked", "announcement": ""},
    )
    ranking = client.get(url).text.split("<tbody>")[1].split("</tbody>")[0]
    assert ranking.count("<tr") == 5 and "Harapan II" in ranking


def test_special_award_is_given_by_entry_number(app, login, committee, scored, open_round):
    stage, entries, _ = scored
    publication_service.publish_results(stage=stage, actor=committee, now=utcnow())
    draft = factories.make_entry(
        open_round, factories.make_opd_user("OPD Draf", username="draf"), submitted=False
    )
    db.session.commit()
    client = login(committee)
    page = client.get(f"/committee/rounds/{stage.round_id}/results").text
    assert "<option" not in page.split('id="special"')[1].split("</form>")[0]
    url = f"/committee/rounds/{stage.round_id}/results/special"
    for wrong in (draft.id, 99999):
        r = client.post(url, data={"entry": wrong, "title": "Inovasi Terfavorit"})
        assert r.status_code == 422
        assert "Tidak ada inovasi terkirim di babak ini dengan nomor ini." in r.text
    r = client.post(url, data={"entry": entries[2].id, "title": "Inovasi Terfavorit"})
    assert r.status_code == 302
    cert = db.session.scalar(select(Certificate).where(Certificate.kind == "special"))
    assert cert.entry_id == entries[2].id


def test_a_stage_without_a_submitted_sheet_has_nothing_to_publish(
    app, login, committee, judge, open_round
):
    """The ranking page offers no publish button while no sheet of the stage is submitted (a
    draft does not count), and a POST is refused with the reason; once a sheet is submitted,
    the button is there."""
    stage = factories.make_stage(open_round)
    entry = factories.make_entry(
        open_round, factories.make_opd_user("OPD A", username="opda"), title="Inovasi A"
    )
    assignment = factories.make_assignment(stage, entry, judge)
    inputs = {c.id: sheet_service.CriterionInput(8.0) for c in rubric_service.list_criteria(stage)}
    sheet_service.save_sheet(
        assignment=assignment, submit=False, actor=judge, now=utcnow(), inputs=inputs
    )
    db.session.commit()
    client = login(committee)
    page = client.get(f"/committee/stages/{stage.id}/ranking").text
    assert "Umumkan peringkat ini" not in page
    assert "Belum ada lembar penilaian yang dikirim pada tahap ini" in page
    refused = client.post(f"/committee/stages/{stage.id}/publish", data={})
    assert refused.status_code == 409
    assert "Tidak ada yang dapat diumumkan: belum ada inovasi dengan nilai" in refused.text
    assert db.session.scalars(select(Publication)).all() == []
    sheet_service.save_sheet(
        assignment=assignment, submit=True, actor=judge, now=utcnow(), inputs=inputs
    )
    db.session.commit()
    page = client.get(f"/committee/stages/{stage.id}/ranking").text
    assert "Umumkan peringkat ini" in page


def test_results_page_lists_certificates_a_page_at_a_time(app, login, committee, open_round):
    """A national round issues thousands of certificates: the results page shows a page of
    them (``?cert_page=``), in the list's order, with links to the others."""
    for i in range(57):
        db.session.add(
            Certificate(
                code=f"PG-{i:04d}",
                kind="participation",
                round=open_round,
                holder=f"Dinas {i:02d}",
                title=f"Inovasi {i}",
                award="Peserta",
                issued_at=open_round.submission_opens_at,
            )
        )
    db.session.commit()
    client = login(committee)
    base = f"/committee/rounds/{open_round.id}/results"
    first = client.get(base).text.split('id="certificates"')[1]
    assert "50 dari 57 piagam ditampilkan" in first and "Halaman 1 dari 2" in first
    assert "Dinas 49" in first and "Dinas 50" not in first
    second = client.get(base, query_string={"cert_page": 2}).text.split('id="certificates"')[1]
    assert "7 dari 57 piagam ditampilkan" in second and "Halaman 2 dari 2" in second
    assert "Dinas 50" in second and "Dinas 56" in second and "Dinas 49" not in second
