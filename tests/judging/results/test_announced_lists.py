"""The official announcements of who passes a stage, as KIPP announces its "Top 99": the list by
category in alphabetical order of the organisation (never in order of place), with its count;
the OPDs told and shown; an upheld objection strikes its entry off everywhere; the round's
public page and the API carry the lists before any result is published."""

import io
import re
from datetime import timedelta

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from competition.announcements import services as announcements
from competition.announcements.models import Announcement, Objection
from competition.db import db, utcnow
from competition.entries import screening
from competition.entries.models import Advancement, Entry, Screening
from competition.entries.services import is_in_stage, progress_of
from competition.errors import InvalidState
from competition.notifications.models import Notification
from competition.rounds.models import Category, StageKind
from judging.analysis import advancement
from judging.scoring import rubric as rubric_service
from judging.scoring import sheets as sheet_service
from tests import factories
from tests.judging.results.test_api import _check
from tests.test_query_budget import count_queries

# title -> (organisation, score). Within each category the best scores are not first in
# alphabetical order of the organisation, so a list in order of place is caught.
ENTRIES = {
    "Zona Layanan Cepat": ("Dinas Sosial", 9.0),
    "Antrian Online": ("Badan Pendapatan Daerah", 8.0),
    "Lapor Kilat": ("Dinas Kesehatan", 7.0),
    "Sampah Bernilai": ("Camat Ilir Barat", 4.0),
    "Ambulans Desa": ("Puskesmas Plaju", 8.5),
    "Obat Antar": ("Puskesmas Dempo", 6.0),
    "Cek Gizi": ("Puskesmas Ariodillah", 3.0),
}
PUSKESMAS = {"Ambulans Desa", "Obat Antar", "Cek Gizi"}
# The top two of each category, as announced: by category, then organisation.
LISTED = [
    ("Badan Pendapatan Daerah", "Antrian Online"),
    ("Dinas Sosial", "Zona Layanan Cepat"),
    ("Puskesmas Dempo", "Obat Antar"),
    ("Puskesmas Plaju", "Ambulans Desa"),
]


@pytest.fixture
def announced(app, committee, judge, open_round, cached_data):
    """Desk evaluation (seven entries, two categories) scored, the top two of each category
    advanced to the presentations, and the committee's announcement of them with a five-day
    objection period (built once per module and copied)."""

    def build():
        other = Category(round=open_round, name="Puskesmas")
        db.session.add(other)
        desk = factories.make_stage(open_round, criteria=[("Mutu", 100)])
        desk.name = "Penilaian Proposal"
        presentation = factories.make_stage(open_round, criteria=[("Presentasi", 100)])
        presentation.name = "Presentasi dan Wawancara"
        criterion = rubric_service.list_criteria(desk)[0]
        for i, (title, (org, score)) in enumerate(ENTRIES.items()):
            owner = factories.make_opd_user(org, username=f"opd{i}")
            entry = factories.make_entry(
                open_round, owner, title=title, category=other if title in PUSKESMAS else None
            )
            sheet_service.save_sheet(
                assignment=factories.make_assignment(desk, entry, judge),
                submit=True,
                actor=judge,
                now=utcnow(),
                inputs={criterion.id: sheet_service.CriterionInput(score)},
            )
        candidates = advancement.propose(stage=desk, top_n=2)
        advancement.confirm(
            stage=desk,
            candidates=candidates,
            advance={c.entry.id for c in candidates if c.proposed},
            reasons={},
            actor=committee,
            now=utcnow(),
        )
        announcement = announcements.issue_announcement(
            stage=desk,
            title="Nominasi Finalis",
            objection_days=5,
            actor=committee,
            now=utcnow(),
        )
        db.session.commit()
        return announcement

    return cached_data(build)


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def _entry(title: str) -> Entry:
    return db.session.scalar(select(Entry).where(Entry.title == title))


def _opd(title: str):
    return _entry(title).organisation.users[0]


def _in_order(text: str, pairs) -> bool:
    found = [text.index(f"{org} {title}") for org, title in pairs]
    return found == sorted(found)


def _uphold(announcement: Announcement, committee, title: str) -> Objection:
    objection = announcements.file_objection(
        announcement=announcement,
        entry_id=_entry(title).id,
        name="Warga",
        contact="warga@example.com",
        reason="Inovasi ini belum berjalan satu tahun.",
        evidence="",
        now=utcnow(),
        address="",
    )
    announcements.decide_objection(
        objection=objection,
        upheld=True,
        reason="Terbukti baru diterapkan delapan bulan.",
        actor=committee,
        now=utcnow(),
    )
    db.session.commit()
    return objection


def test_the_list_is_by_category_and_organisation_never_by_place(app, login, committee, announced):
    """The stored snapshot holds the entries in order of place (as they advanced); every
    published form of the list reads by category, then organisation, with its count."""
    by_place = [db.session.get(Entry, i).title for i in announced.entry_ids]
    assert by_place[:2] == ["Zona Layanan Cepat", "Antrian Online"]  # place 1, then 2
    public = app.test_client().get(f"/announcements/{announced.id}")
    text = _text(public.text)
    assert "4 inovasi lolos ke tahap Presentasi dan Wawancara" in text
    assert "urutan ini bukan peringkat" in text
    assert _in_order(text, LISTED)
    assert "Sampah Bernilai" not in text and "9,00" not in text and "Peringkat" not in text
    assert "Dinas/Badan (2)" in text and "Puskesmas (2)" in text
    # The committee's page reads the same list.
    page = _text(login(committee).get(f"/committee/announcements/{announced.id}").text)
    assert _in_order(page, LISTED)
    # The PDF too, with its count and the stage the entries go on to.
    pdf = app.test_client().get(f"/announcements/{announced.id}.pdf")
    words = " ".join(
        " ".join(p.extract_text().split()) for p in PdfReader(io.BytesIO(pdf.data)).pages
    )
    assert "diumumkan 4 inovasi yang lolos ke tahap Presentasi dan Wawancara" in words
    found = [words.index(title) for _org, title in LISTED]
    assert found == sorted(found)
    # The objection form offers them in the same order.
    options = re.findall(r"<option[^>]*>([^<(]+) \(", public.text)
    assert [o.strip() for o in options] == [title for _org, title in LISTED]
    # English.
    english = app.test_client()
    english.post("/language", data={"lang": "en"})
    assert (
        "4 innovations go on to Presentasi dan Wawancara"
        in english.get(f"/announcements/{announced.id}").text
    )


def test_each_listed_opd_is_told_when_the_list_is_announced_and_when_final(
    app, committee, announced
):
    def told(kind):
        return {
            n.user_id: n
            for n in db.session.scalars(select(Notification).where(Notification.kind == kind))
        }

    listed = {_opd(title).id for _org, title in LISTED}
    issued = told("announcement_issued")
    assert set(issued) == listed
    note = issued[_opd("Obat Antar").id]
    assert announced.number in note.subject
    assert "Inovasi Anda tercantum dalam daftar pengumuman" in note.body
    assert "“Obat Antar”" in note.body and "Ambulans Desa" not in note.body
    assert "lolos ke tahap Presentasi dan Wawancara" in note.body
    assert "sanggahan" in note.body and f"/announcements/{announced.id}" in note.body
    announcements.finalize(
        announcement=announced, actor=committee, now=announced.objections_close_at + timedelta(1)
    )
    db.session.commit()
    final = told("announcement_final")
    assert set(final) == listed
    assert "telah final" in final[_opd("Antrian Online").id].body


def test_an_upheld_objection_strikes_the_entry_off_everywhere(app, login, committee, announced):
    objection = _uphold(announced, committee, "Zona Layanan Cepat")
    remaining = [pair for pair in LISTED if pair[1] != "Zona Layanan Cepat"]
    public = _text(app.test_client().get(f"/announcements/{announced.id}").text)
    assert "3 inovasi lolos ke tahap Presentasi dan Wawancara" in public
    assert "Dicoret dari daftar karena sanggahan diterima" in public
    assert f"{objection.reference}: Terbukti baru diterapkan delapan bulan." in public
    assert _in_order(public, remaining)
    # No further objection against it: it is off the list.
    page = app.test_client().get(f"/announcements/{announced.id}").text
    assert ">Zona Layanan Cepat (" not in page
    pdf = app.test_client().get(f"/announcements/{announced.id}.pdf")
    words = " ".join(
        " ".join(p.extract_text().split()) for p in PdfReader(io.BytesIO(pdf.data)).pages
    )
    assert "diumumkan 3 inovasi" in words and objection.reference in words
    # The round's page counts the list without it.
    round_page = _text(app.test_client().get(f"/results/{announced.round.slug}").text)
    assert "3 inovasi lolos ke tahap Presentasi dan Wawancara" in round_page
    # The API lists it under "struck".
    body = _check(
        app.test_client().get(f"/api/v1/rounds/{announced.round.slug}/announcements"),
        "/api/v1/rounds/{slug}/announcements",
    )
    (found,) = body["announcements"]
    assert found["total"] == 3
    assert found["struck"] == [
        {
            "title": "Zona Layanan Cepat",
            "opd": "Dinas Sosial",
            "objection": objection.reference,
            "reason": "Terbukti baru diterapkan delapan bulan.",
        }
    ]
    # Its OPD reads it on its entry page and its list no longer says "on the list".
    opd = login(_opd("Zona Layanan Cepat"))
    detail = _text(opd.get(f"/opd/entries/{_entry('Zona Layanan Cepat').id}").text)
    assert "Inovasi Anda dicoret dari daftar pengumuman" in detail
    assert "Tercantum dalam pengumuman" not in _text(opd.get("/opd/").text)
    # Made final, the OPD is told why.
    announcements.finalize(
        announcement=announced, actor=committee, now=announced.objections_close_at + timedelta(1)
    )
    db.session.commit()
    note = db.session.scalar(
        select(Notification).where(
            Notification.kind == "announcement_final",
            Notification.user_id == _opd("Zona Layanan Cepat").id,
        )
    )
    assert "dicoret dari daftar pengumuman" in note.body
    assert "Alasan panitia: Terbukti baru diterapkan delapan bulan." in note.body
    # And it does not go on: its advancement is withdrawn, with the objection on its record;
    # the others still take part in the presentations.
    zona = _entry("Zona Layanan Cepat")
    presentation = next(s for s in announced.round.stages if s.name == "Presentasi dan Wawancara")
    assert not is_in_stage(zona, presentation)
    assert all(is_in_stage(_entry(title), presentation) for _org, title in remaining)
    event = zona.events[-1]
    assert event.action == "not_advanced_objection"
    assert event.reason == f"Sanggahan {objection.reference} diterima: {objection.decision_reason}"
    states = dict(progress_of(zona, utcnow()))
    assert states[presentation] == "not_advanced"
    history = _text(opd.get(f"/opd/entries/{zona.id}").text)
    assert "tidak lolos (sanggahan diterima)" in history


def test_a_list_is_not_made_final_with_every_advanced_entry_struck_off(app, committee, announced):
    for _org, title in LISTED:
        _uphold(announced, committee, title)
    with pytest.raises(InvalidState):
        announcements.finalize(
            announcement=announced,
            actor=committee,
            now=announced.objections_close_at + timedelta(1),
        )
    db.session.rollback()
    assert announced.finalized_at is None
    assert len(db.session.scalars(select(Advancement)).all()) == 4


def test_an_upheld_objection_after_screening_makes_the_entry_not_eligible(
    app, login, committee, opd, other_opd, open_round
):
    stage = factories.make_stage(open_round, criteria=[])
    stage.kind = StageKind.SCREENING
    kept = factories.make_entry(open_round, opd, title="SI-GESIT")
    struck = factories.make_entry(open_round, other_opd, title="Tirta Cepat")
    db.session.commit()
    for entry in (kept, struck):
        screening.decide(
            entry=entry, eligible=True, reason="Lengkap.", actor=committee, now=utcnow()
        )
    notice = announcements.issue_announcement(
        stage=stage, title="Hasil Seleksi", objection_days=2, actor=committee, now=utcnow()
    )
    db.session.commit()
    objection = _uphold(notice, committee, "Tirta Cepat")
    announcements.finalize(
        announcement=notice, actor=committee, now=notice.objections_close_at + timedelta(1)
    )
    db.session.commit()
    assert (kept.screening, struck.screening) == (Screening.ELIGIBLE, Screening.INELIGIBLE)
    assert struck.screening_reason.startswith(f"Sanggahan {objection.reference} diterima")
    page = _text(login(other_opd).get(f"/opd/entries/{struck.id}").text)
    assert "tidak memenuhi syarat" in page and objection.reference in page


def test_the_opd_entry_page_and_list_link_the_announcement(app, login, announced):
    opd = login(_opd("Obat Antar"))
    link = f'href="/announcements/{announced.id}"'
    detail = opd.get(f"/opd/entries/{_entry('Obat Antar').id}").text
    assert "Inovasi Anda tercantum dalam daftar pengumuman" in _text(detail)
    assert link in detail and announced.number in detail
    assert "Sanggahan publik dibuka sampai" in _text(detail)
    with count_queries() as statements:
        listing = opd.get("/opd/").text
    assert f"Tercantum dalam pengumuman {announced.number}" in _text(listing) and link in listing
    # two statements for the announcements, not one per entry or round
    touching = [s for s in statements if "FROM announcements" in s or "FROM objections" in s]
    assert len(touching) == 2, touching
    # An entry that did not pass says nothing of it.
    other = login(_opd("Lapor Kilat"))
    assert (
        "Inovasi Anda tercantum" not in other.get(f"/opd/entries/{_entry('Lapor Kilat').id}").text
    )
    assert "Tercantum dalam pengumuman" not in _text(other.get("/opd/").text)


def test_the_round_page_and_api_carry_the_lists_before_any_result(app, login, committee, announced):
    client = app.test_client()
    slug = announced.round.slug
    # the committee's page of the round links it
    committee_page = login(committee).get(f"/committee/rounds/{announced.round_id}").text
    assert f'href="/results/{slug}"' in committee_page
    assert announced.round.results_published_at is None
    page = client.get(f"/results/{slug}")
    assert page.status_code == 200
    text = _text(page.text)
    assert "4 inovasi lolos ke tahap Presentasi dan Wawancara" in text
    assert f"/announcements/{announced.id}" in page.text
    assert "Sampah Bernilai" not in text and "Antrian Online" not in text  # the count, a link
    assert f"/results/{slug}.csv" not in page.text  # nothing published to export
    assert 'class="card" id="announcements"' in page.text  # printed: it is the whole page
    assert client.get(f"/results/{slug}.csv").status_code == 404
    # The announcement's page leads back to the round's page.
    assert f"/results/{slug}" in client.get(f"/announcements/{announced.id}").text
    body = _check(
        client.get(f"/api/v1/rounds/{slug}/announcements"), "/api/v1/rounds/{slug}/announcements"
    )
    (found,) = body["announcements"]
    assert (found["number"], found["stage"], found["goes_on_to"]) == (
        announced.number,
        "Penilaian Proposal",
        "Presentasi dan Wawancara",
    )
    assert found["final"] is False and found["objections_close_at"] is not None
    pairs = [(e["opd"], e["title"]) for c in found["categories"] for e in c["entries"]]
    assert pairs == LISTED
    assert [(c["name"], c["total"]) for c in found["categories"]] == [
        ("Dinas/Badan", 2),
        ("Puskesmas", 2),
    ]
    assert all(set(e) == {"title", "opd"} for c in found["categories"] for e in c["entries"])
    # A round without announcements or results stays hidden.
    other = factories.make_round(name="Lain")
    db.session.commit()
    assert client.get(f"/results/{other.slug}").status_code == 404
    assert client.get(f"/api/v1/rounds/{other.slug}/announcements").status_code == 404
    assert client.get("/api/v1/rounds/no-such-round/announcements").status_code == 404
