"""Administrative screening: the checklist, the decision with a reason the OPD reads, and
only eligible entries reaching judging."""

from datetime import date

from flask_babel import force_locale

from competition.db import db
from competition.entries import screening
from competition.entries.models import Screening
from competition.rounds.models import Stage, StageKind
from judging.panels import assignment as assignment_service
from tests import factories


def test_check_text_flags_junk_answers():
    assert screening.check_text("-") == "placeholder"
    assert screening.check_text("Tidak ada") == "placeholder"
    assert (
        screening.check_text("Lorem ipsum dolor sit amet, consectetur adipiscing elit sed do")
        == "lorem"
    )
    assert screening.check_text("Terlalu pendek sekali.") == "short"
    assert screening.check_text("inovasi layanan " * 15) == "repeated"
    assert (
        screening.check_text(
            "Waktu layanan turun dari tujuh hari menjadi satu hari kerja setelah penerapan."
        )
        is None
    )


def test_similar_titles_catch_more_than_exact_matches():
    assert screening.titles_similar(
        "SI-PANDAI: Layanan Adminduk Terintegrasi", "SIPANDAI Layanan Adminduk Terintegrasi"
    )
    assert screening.titles_similar(
        "Posyandu Digital Kota Palembang", "Palembang Posyandu Digital"
    )  # reordered words
    assert not screening.titles_similar("Posyandu Digital", "Bank Sampah Digital Palembang")
    assert screening.similar_titles({1: "Tirta Cepat", 2: "TIRTA CEPAT!", 3: "Musi Pintar"}) == {
        1: [2],
        2: [1],
        3: [],
    }


def test_checklist_marks_each_problem(app, opd, other_opd, open_round):
    good = factories.make_entry(open_round, opd, title="Layanan Adminduk Daring Terpadu")
    bad = factories.make_entry(open_round, other_opd, title="Layanan Adminduk Daring Terpadu!")
    bad.sdg = "-"
    bad.innovation_started_on = date.today()
    db.session.commit()
    lists = {c.entry.id: c for c in screening.checklists(open_round)}
    with app.test_request_context():
        flags = {str(c.label) for c in lists[bad.id].checks if not c.ok}
        details = [str(d) for c in lists[bad.id].checks for d in c.detail]
    assert "Kontribusi terhadap SDGs: teks pengisi" in details
    assert any("Usia inovasi" in f for f in flags)
    assert "Tidak ada jawaban asal-asalan" in flags
    assert "Tidak ada judul serupa dalam babak ini" in flags
    assert lists[bad.id].similar == [good]
    assert [e.id for e in lists[good.id].similar] == [bad.id]


def test_checklist_writes_the_dates_of_the_age_check_as_the_pages_do(app, opd, open_round):
    """The age check's dates were ISO ("mulai 2024-07-01; paling lambat 2025-09-06") on a page
    that writes every other date "1 Juli 2024"; each language writes its own."""
    entry = factories.make_entry(open_round, opd)
    entry.innovation_started_on = date(2024, 7, 1)
    db.session.commit()
    (age, *_) = screening.checklist_of(entry).checks
    with app.test_request_context():
        with force_locale("id"):
            assert str(age.detail[0]).startswith("mulai 1 Juli 2024; paling lambat ")
        with force_locale("en"):
            assert str(age.detail[0]).startswith("started 1 July 2024; latest allowed ")
    assert "2024-07-01" not in str(age.detail[0])


def test_the_suggested_reason_is_indonesian_whatever_the_committees_language(
    app, login, committee, opd, open_round
):
    """The OPDs read the reason as written: an English-speaking committee member was offered
    "All administrative requirements are met." for every OPD."""
    factories.make_entry(open_round, opd)
    db.session.commit()
    client = login(committee)
    client.post("/language", data={"lang": "en"})
    page = client.get(f"/committee/rounds/{open_round.id}/screening").text
    assert "Declare the entries without flags eligible" in page  # the page is in English
    assert "Memenuhi seluruh persyaratan administrasi." in page
    assert "All administrative requirements are met." not in page


def test_committee_decides_with_a_reason_the_opd_reads(app, login, committee, opd, open_round):
    entry = factories.make_entry(open_round, opd)
    db.session.commit()
    panitia = login(committee)
    page = panitia.get(f"/committee/rounds/{open_round.id}/screening").text
    assert entry.title in page
    response = panitia.post(
        f"/committee/entries/{entry.id}/screening", data={"decision": "ineligible", "reason": ""}
    )
    assert response.status_code == 422
    db.session.refresh(entry)
    assert entry.screening == Screening.PENDING
    response = panitia.post(
        f"/committee/entries/{entry.id}/screening",
        data={"decision": "ineligible", "reason": "Inovasi belum berjalan satu tahun."},
    )
    assert response.status_code == 302
    db.session.refresh(entry)
    assert entry.screening == Screening.INELIGIBLE
    assert entry.events[-1].action == "ineligible"
    page = login(opd).get(f"/opd/entries/{entry.id}").text
    assert "Inovasi belum berjalan satu tahun." in page and "tidak memenuhi syarat" in page


def test_an_entry_no_longer_submitted_is_not_screened(app, login, committee, opd, open_round):
    """Withdrawn or reopened while the committee had its screening page open: the decision
    (and the page) send back to the list with the reason (it was an error page)."""
    entry = factories.make_entry(open_round, opd, submitted=False)
    db.session.commit()
    client = login(committee)
    url = f"/committee/entries/{entry.id}/screening"
    for response in (
        client.post(url, data={"decision": "eligible", "reason": "Lengkap."}),
        client.get(url),
    ):
        assert response.status_code == 302
        assert response.headers["Location"].endswith(f"/rounds/{open_round.id}/screening")
    page = client.get(f"/committee/rounds/{open_round.id}/screening").text
    assert "Hanya inovasi yang sudah dikirim yang diseleksi." in page
    db.session.refresh(entry)
    assert entry.screening == Screening.PENDING and entry.screening_reason in (None, "")


def test_only_eligible_entries_reach_judging(
    app, login, committee, opd, other_opd, judge, open_round
):
    screening_stage = factories.make_stage(open_round, criteria=[])
    screening_stage.kind = StageKind.SCREENING
    desk = factories.make_stage(open_round)
    eligible = factories.make_entry(open_round, opd, title="Lolos seleksi administrasi")
    ineligible = factories.make_entry(open_round, other_opd, title="Tidak lolos")
    pending = factories.make_entry(open_round, opd, title="Belum diperiksa")
    db.session.commit()
    screening.decide(
        entry=eligible, eligible=True, reason="Lengkap.", actor=committee, now=eligible.submitted_at
    )
    screening.decide(
        entry=ineligible,
        eligible=False,
        reason="SK tidak sah.",
        actor=committee,
        now=eligible.submitted_at,
    )
    db.session.commit()
    assert [e.id for e in assignment_service.submitted_entries(desk)] == [eligible.id]
    assignment_service.auto_assign(stage=desk, judges_per_entry=1, actor=committee)
    assert {a.entry_id for a in assignment_service.list_assignments(desk)} == {eligible.id}
    import pytest

    from competition.errors import InvalidState

    with app.test_request_context(), pytest.raises(InvalidState):
        assignment_service.assign(stage=desk, entry=pending, judge=judge, actor=committee)
    # Without an active screening stage, unscreened entries go on, ineligible ones never.
    screening_stage.is_skipped = True
    db.session.commit()
    assert {e.id for e in assignment_service.submitted_entries(desk)} == {eligible.id, pending.id}
    assert db.session.get(Stage, desk.id).kind == StageKind.SCORED


def test_accept_clean_declares_only_unflagged_entries(
    app, login, committee, opd, other_opd, open_round
):
    clean = factories.make_entry(open_round, opd, title="Pemantauan Stunting Terpadu")
    for n, (section, _) in enumerate(clean.sections):
        setattr(
            clean,
            section.name,
            f"Bagian {n} menjelaskan pemantauan stunting terpadu oleh "
            f"kader posyandu di {n + 3} kelurahan secara rinci.",
        )
    flagged = factories.make_entry(open_round, other_opd, title="Bank Sampah Digital")
    flagged.collaboration = "lorem ipsum dolor sit amet"
    db.session.commit()
    response = login(committee).post(
        f"/committee/rounds/{open_round.id}/screening/accept-clean",
        data={"clean-reason": "Memenuhi seluruh persyaratan administrasi."},
    )
    assert response.status_code == 302
    db.session.refresh(clean)
    db.session.refresh(flagged)
    assert clean.screening == Screening.ELIGIBLE and flagged.screening == Screening.PENDING
    assert clean.screening_reason == "Memenuhi seluruh persyaratan administrasi."


def test_reopening_undoes_the_screening(app, login, committee, opd, open_round):
    entry = factories.make_entry(open_round, opd)
    db.session.commit()
    screening.decide(
        entry=entry, eligible=True, reason="Lengkap.", actor=committee, now=entry.submitted_at
    )
    db.session.commit()
    login(committee).post(
        f"/committee/entries/{entry.id}/reopen", data={"reopen-reason": "Perbaiki data dukung."}
    )
    db.session.refresh(entry)
    assert entry.screening == Screening.PENDING and not entry.is_submitted
