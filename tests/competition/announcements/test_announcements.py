"""Official announcements (numbered, dated, as PDF) and the public objection window."""

import io
import time
from datetime import timedelta

from pypdf import PdfReader
from sqlalchemy import select

from competition.announcements import abuse
from competition.announcements import services as announcements
from competition.announcements.models import Announcement, Objection, ObjectionStatus
from competition.db import db, utcnow
from competition.entries import screening
from competition.pdf import Signer, local_date
from competition.rounds.models import StageKind
from tests import factories
from tests.competition.test_pdf import page_with, pages_of


def _shown():
    """The form's time stamp, as if it was shown a minute ago (competition.announcements.abuse)."""
    return {"shown": abuse.stamp(time.time() - 60)}


def _screened(committee, opd, other_opd, round_):
    stage = factories.make_stage(round_, criteria=[])
    stage.kind = StageKind.SCREENING
    passed = factories.make_entry(round_, opd, title="SI-GESIT: Siaga Stunting \u2013 Terpadu")
    failed = factories.make_entry(round_, other_opd, title="Tidak lolos")
    db.session.commit()
    screening.decide(entry=passed, eligible=True, reason="Lengkap.", actor=committee, now=utcnow())
    screening.decide(
        entry=failed, eligible=False, reason="SK tidak ada.", actor=committee, now=utcnow()
    )
    db.session.commit()
    return stage, passed, failed


def _announce(client, stage) -> Announcement:
    """The committee announces the stage's list with a five-day objection period."""
    client.post(
        f"/committee/timeline/{stage.id}/announce",
        data={"title": "Nominasi", "objection_days": "5"},
    )
    return db.session.scalar(select(Announcement))


def test_announcement_is_numbered_and_lists_the_entries_that_pass(
    app, login, committee, opd, other_opd, open_round
):
    stage, passed, failed = _screened(committee, opd, other_opd, open_round)
    client = login(committee)
    form = client.get(f"/committee/timeline/{stage.id}/announce").text
    assert "Hasil" in form
    response = client.post(
        f"/committee/timeline/{stage.id}/announce",
        data={"title": "Hasil Seleksi Administrasi", "objection_days": "5"},
    )
    assert response.status_code == 302
    first = db.session.scalar(select(Announcement))
    assert first.entry_ids == [passed.id] and first.number.startswith("001/PANITIA/")
    client.post(
        f"/committee/timeline/{stage.id}/announce", data={"title": "Ralat", "objection_days": ""}
    )
    second = db.session.scalars(select(Announcement).order_by(Announcement.id)).all()[1]
    assert second.number.startswith("002/") and second.objections_close_at is None
    # The round's page lists them in issue order (Round.announcements, declared by this feature).
    round_page = client.get(f"/committee/rounds/{open_round.id}").text
    assert first.number in round_page.split(second.number)[0]
    # Anyone can read it and download the PDF.
    anonymous = app.test_client()
    page = anonymous.get(f"/announcements/{first.id}").text
    assert passed.title in page and failed.title not in page
    response = anonymous.get(f"/announcements/{first.id}.pdf")
    assert response.mimetype == "application/pdf"
    text = PdfReader(io.BytesIO(response.data)).pages[0].extract_text()
    assert "PENGUMUMAN" in text and first.number in text and "SI-GESIT" in text
    assert "Tidak lolos" not in text


def test_the_suggested_title_is_indonesian_whatever_the_committees_language(
    app, login, committee, opd, other_opd, open_round
):
    """The title goes on the numbered announcement's PDF and public page, which are always in
    Indonesian: an English-speaking committee member was offered "Result of ..." and the
    public read an English title above an Indonesian list."""
    stage, _passed, _failed = _screened(committee, opd, other_opd, open_round)
    client = login(committee)
    client.post("/language", data={"lang": "en"})
    form = client.get(f"/committee/timeline/{stage.id}/announce").text
    assert "Issue the announcement" in form  # the page itself is in English
    assert f'value="Hasil {stage.name}, {open_round.name}"' in form
    assert "Result of" not in form


def test_nothing_to_announce_is_explained(app, login, committee, open_round):
    stage = factories.make_stage(open_round)
    db.session.commit()
    response = login(committee).post(
        f"/committee/timeline/{stage.id}/announce", data={"title": "Hasil"}
    )
    assert response.status_code == 422 and "Belum ada yang dapat diumumkan" in response.text


def test_public_objection_must_be_decided_before_the_list_is_final(
    app, login, committee, opd, other_opd, open_round
):
    stage, passed, _ = _screened(committee, opd, other_opd, open_round)
    client = login(committee)
    announcement = _announce(client, stage)
    anonymous = app.test_client()
    # An incomplete objection is refused with what was typed kept.
    response = anonymous.post(
        f"/announcements/{announcement.id}",
        data={
            **_shown(),
            "entry": str(passed.id),
            "name": "",
            "contact": "0812",
            "reason": "Data fiktif.",
        },
    )
    assert response.status_code == 422 and "Data fiktif." in response.text
    response = anonymous.post(
        f"/announcements/{announcement.id}",
        data={
            **_shown(),
            "entry": str(passed.id),
            "name": "Warga Ilir",
            "contact": "0812",
            "reason": "Inovasi belum berjalan di kelurahan kami.",
            "evidence": "https://x.id/foto",
        },
    )
    assert response.status_code == 302
    objection = db.session.scalar(select(Objection))
    assert objection.status == ObjectionStatus.PENDING
    # Not final while the window is open or an objection is pending.
    url = f"/committee/announcements/{announcement.id}/finalize"
    assert "masih dibuka" in client.post(url, follow_redirects=True).text
    announcement.objections_close_at = utcnow() - timedelta(minutes=1)
    db.session.commit()
    assert "masih perlu diputuskan" in client.post(url, follow_redirects=True).text
    # After the window, the public form is gone and objections are refused.
    assert (
        anonymous.post(
            f"/announcements/{announcement.id}",
            data={**_shown(), "entry": str(passed.id), "name": "A", "contact": "B", "reason": "C"},
        ).status_code
        == 422
    )
    response = client.post(
        f"/committee/objections/{objection.id}/decide",
        data={f"o{objection.id}-decision": "rejected", f"o{objection.id}-reason": ""},
    )
    assert response.status_code == 422
    response = client.post(
        f"/committee/objections/{objection.id}/decide",
        data={
            f"o{objection.id}-decision": "rejected",
            f"o{objection.id}-reason": "Verifikasi lapangan menunjukkan inovasi berjalan.",
        },
    )
    assert response.status_code == 302
    client.post(url)
    db.session.refresh(announcement)
    assert announcement.finalized_at is not None
    assert (
        "Verifikasi lapangan menunjukkan"
        in client.get(f"/committee/announcements/{announcement.id}").text
    )


def test_objections_rejected_at_once_and_refused_once_the_list_is_final(
    app, login, committee, opd, other_opd, open_round
):
    stage, passed, _ = _screened(committee, opd, other_opd, open_round)
    client = login(committee)
    announcement = _announce(client, stage)
    spam = [
        announcements.file_objection(
            announcement=announcement,
            entry_id=passed.id,
            name=f"Bot {i}",
            contact="x",
            reason=f"Beli obat murah {i}",
            evidence="",
            now=utcnow(),
            address=f"10.0.0.{i}",
        )
        for i in range(3)
    ]
    db.session.commit()
    reject = f"/committee/announcements/{announcement.id}/objections/reject"
    response = client.post(
        reject, data={"bulk-objections": [spam[0].id, spam[1].id], "bulk-reason": "Spam."}
    )
    assert response.status_code == 302
    assert [o.status for o in spam] == [
        ObjectionStatus.REJECTED,
        ObjectionStatus.REJECTED,
        ObjectionStatus.PENDING,
    ]
    # Made final in another tab: both kinds of decision are refused, and the page says why
    # (its decision forms are gone, so the refusal is flashed).
    announcement.finalized_at = utcnow()
    db.session.commit()
    final = 'role="alert">Pengumuman ini sudah final.</div>'
    response = client.post(
        f"/committee/objections/{spam[2].id}/decide",
        data={f"o{spam[2].id}-decision": "upheld", f"o{spam[2].id}-reason": "Benar."},
    )
    assert response.status_code == 422 and final in response.text
    response = client.post(reject, data={"bulk-objections": [spam[2].id], "bulk-reason": "X."})
    assert response.status_code == 422 and final in response.text
    db.session.refresh(spam[2])
    assert spam[2].status == ObjectionStatus.PENDING


def test_objection_evidence_file_is_checked_and_only_the_committee_sees_it(
    app, login, committee, opd, other_opd, open_round
):
    stage, passed, _ = _screened(committee, opd, other_opd, open_round)
    login(committee).post(
        f"/committee/timeline/{stage.id}/announce",
        data={"title": "Nominasi", "objection_days": "5"},
    )
    announcement = db.session.scalar(select(Announcement))
    anonymous = app.test_client()
    base = {
        "entry": str(passed.id),
        "name": "Warga",
        "contact": "0812",
        "reason": "Foto menunjukkan loket tutup.",
    }
    response = anonymous.post(
        f"/announcements/{announcement.id}",
        data={**base, **_shown(), "evidence_file": (io.BytesIO(b"MZ executable"), "foto.jpg")},
    )
    assert response.status_code == 422
    assert "foto.jpg bukan berkas PDF, JPEG atau PNG" in response.text
    assert "Foto menunjukkan loket tutup." in response.text
    assert db.session.scalar(select(Objection)) is None
    response = anonymous.post(
        f"/announcements/{announcement.id}",
        data={
            **base,
            **_shown(),
            "evidence_file": (io.BytesIO(factories.PNG_BYTES), "foto loket.png"),
        },
    )
    assert response.status_code == 302
    objection = db.session.scalar(select(Objection))
    assert objection.evidence_name == "foto loket.png"
    url = f"/committee/objections/{objection.id}/evidence"
    assert url in login(committee).get(f"/committee/announcements/{announcement.id}").text
    with login(committee).get(url) as r:
        assert r.status_code == 200 and r.data == factories.PNG_BYTES
    assert anonymous.get(url).status_code == 302  # to the login page
    assert login(opd).get(url).status_code == 403


def _announced(app, login, committee, opd, other_opd, round_, days="5"):
    stage, passed, failed = _screened(committee, opd, other_opd, round_)
    login(committee).post(
        f"/committee/timeline/{stage.id}/announce",
        data={"title": "Nominasi Inovasi", "objection_days": days},
    )
    return db.session.scalar(select(Announcement)), passed


def test_home_page_links_the_open_objection_period(
    app, login, committee, opd, other_opd, open_round
):
    announcement, _ = _announced(app, login, committee, opd, other_opd, open_round)
    page = app.test_client().get("/").text
    assert f'href="/announcements/{announcement.id}"' in page
    assert "Sanggahan publik dibuka sampai" in page
    announcement.objections_close_at = utcnow() - timedelta(minutes=1)
    db.session.commit()
    page = app.test_client().get("/").text
    assert f'href="/announcements/{announcement.id}"' in page
    assert "Sanggahan publik dibuka sampai" not in page


def test_objector_gets_a_reference_and_a_private_link_with_the_decision(
    app, login, committee, opd, other_opd, open_round
):
    announcement, passed = _announced(app, login, committee, opd, other_opd, open_round)
    anonymous = app.test_client()
    assert (
        "nomor referensi dan laman pribadi"
        in anonymous.get(f"/announcements/{announcement.id}").text
    )
    response = anonymous.post(
        f"/announcements/{announcement.id}",
        data={
            **_shown(),
            "entry": str(passed.id),
            "name": "Warga",
            "contact": "0812",
            "reason": "Fiktif.",
        },
    )
    objection = db.session.scalar(select(Objection))
    assert len(objection.access_token) >= 40
    private = f"/announcements/objections/{objection.access_token}"
    assert response.status_code == 302 and response.location == private
    page = anonymous.get(private).text
    assert objection.reference in page and "menunggu keputusan" in page
    assert f"http://localhost{private}" in page  # built from PUBLIC_URL (tests: localhost)
    assert anonymous.get("/announcements/objections/" + "x" * 43).status_code == 404
    announcement.objections_close_at = utcnow() - timedelta(minutes=1)
    db.session.commit()
    login(committee).post(
        f"/committee/objections/{objection.id}/decide",
        data={f"o{objection.id}-decision": "upheld", f"o{objection.id}-reason": "Terbukti."},
    )
    page = anonymous.get(private).text
    assert "Sanggahan diterima" in page and "Terbukti." in page
    # The committee quotes the same reference.
    assert (
        objection.reference
        in login(committee).get(f"/committee/announcements/{announcement.id}").text
    )


def test_announcement_pdf_prints_the_configured_address_and_a_qr_code(
    app, login, committee, opd, other_opd, open_round
):
    announcement, _ = _announced(app, login, committee, opd, other_opd, open_round)
    app.config["PUBLIC_URL"] = "https://inovasi.palembang.go.id"
    # An unknown Host is refused outright (tests/security/test_public_links.py); the PDF's
    # address comes from the configuration, not from the host the request used.
    assert (
        app.test_client()
        .get(f"/announcements/{announcement.id}.pdf", headers={"Host": "evil.example"})
        .status_code
        == 400
    )
    response = app.test_client().get(f"/announcements/{announcement.id}.pdf")
    page = PdfReader(io.BytesIO(response.data)).pages[0]
    text = page.extract_text()
    assert f"https://inovasi.palembang.go.id/announcements/{announcement.id}" in text
    assert "evil.example" not in text
    assert len(page.images) == 1


def test_announcement_closing_never_stands_alone_on_a_page(app, committee, open_round):
    """Official letters never split their closing: the place and date, the signatory's title,
    the room to sign and the name stay together, on the page of the paragraph before them (the
    objection sentence with its QR code, or the list's last row). The demo's Top 15 printed
    them alone on page 2. Every list length from one that ends the letter on page 1 to one
    whose closing must go to page 2 is printed: on the way, the closing reaches the bottom of
    page 1."""
    stage = factories.make_stage(open_round, criteria=[])
    stage.kind = StageKind.SUBMISSION
    for i in range(48):
        owner = factories.make_opd_user(f"Dinas Nomor {i:02d}", username=f"opd{i:02d}")
        factories.make_entry(open_round, owner, title=f"Inovasi pelayanan publik nomor {i:02d}")
    db.session.commit()
    announcement = announcements.issue_announcement(
        stage=stage, title="Nominasi", objection_days=5, actor=committee, now=utcnow()
    )
    db.session.commit()
    ids, closes = list(announcement.entry_ids), announcement.objections_close_at
    assert len(ids) == 48
    place_date = f"Palembang, {local_date(announcement.issued_at)}"
    signer = Signer("Dr. Ṣalih Nugroho", "Kepala Badan Riset dan Inovasi Daerah")
    address = "https://inovasi.palembang.go.id/announcements/1"
    seen = set()
    # (QR code, objection period), and list lengths around the one whose closing no longer
    # fits on page 1 (36, 37 and 42 in this layout: the QR code sits beside the signatory)
    for qr, objections, lengths in (
        (True, True, range(32, 40)),
        (False, True, range(33, 41)),
        (False, False, range(38, 46)),
    ):
        announcement.objections_close_at = closes if objections else None
        for n in lengths:
            announcement.entry_ids = ids[:n]
            data = announcements.render_pdf(
                announcement, address=address if qr else None, signer=signer, place="Palembang"
            )
            pages = pages_of(data)
            name = page_with(pages, signer.name)
            assert page_with(pages, place_date) == name, n
            assert page_with(pages, signer.title) == name, n
            # the paragraph before the closing: the objection sentence, and the QR code's
            # address the sentence points to ("di bawah ini"); else the list's last row,
            # under the list's heading row
            last = page_with(pages, f"nomor {n - 1:02d}")
            if objections:
                assert page_with(pages, "Masyarakat dapat menyampaikan sanggahan") == name, n
                assert last <= name, n
            else:
                assert last == name and "No Judul Inovasi OPD / Unit Kategori" in pages[name - 1]
            if qr:  # the address in the sentence, the QR code beside the signatory
                assert page_with(pages, address) == name, n
                assert len(PdfReader(io.BytesIO(data)).pages[name - 1].images) == 1, n
            seen.add((qr, objections, name, last))
    db.session.rollback()
    # The lengths went from a letter on one page to its closing on page 2.
    assert {(True, True, 1, 1), (True, True, 2, 1)} <= seen
    assert {(False, True, 1, 1), (False, True, 2, 1)} <= seen
    assert {(False, False, 1, 1), (False, False, 2, 2)} <= seen
