"""Anonymous objections (issue 15, item 5): one sender cannot flood an announcement. Limits per
client address and per announcement (counted in the database, so every worker sees them),
caps on evidence files and bytes, and refusal of bulk spam (repeated text, a honeypot field, a
form never loaded or sent too fast)."""

import io
import time

import pytest
from sqlalchemy import func, select

from competition.announcements import abuse
from competition.announcements.models import Announcement, Objection
from competition.db import db, utcnow
from competition.entries import screening
from competition.rounds.models import StageKind
from tests import factories


@pytest.fixture
def announced(app, login, committee, opd, open_round):
    stage = factories.make_stage(open_round, criteria=[])
    stage.kind = StageKind.SCREENING
    entry = factories.make_entry(open_round, opd, title="SI-GESIT")
    db.session.commit()
    screening.decide(entry=entry, eligible=True, reason="Lengkap.", actor=committee, now=utcnow())
    db.session.commit()
    login(committee).post(
        f"/committee/timeline/{stage.id}/announce",
        data={"title": "Nominasi", "objection_days": "5"},
    )
    announcement = db.session.scalar(select(Announcement))
    assert announcement is not None
    return announcement, entry


def _client(app, address):
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = address
    return client


def _data(entry, reason, **extra):
    return {
        "shown": abuse.stamp(time.time() - 60),
        "entry": str(entry.id),
        "name": "Warga",
        "contact": "0812",
        "reason": reason,
        **extra,
    }


def _count():
    return db.session.scalar(select(func.count()).select_from(Objection))


def test_objections_per_address_are_limited_with_the_wait(app, make_app, announced):
    announcement, entry = announced
    url = f"/announcements/{announcement.id}"
    spammer = _client(app, "203.0.113.9")
    for i in range(3):
        assert spammer.post(url, data=_data(entry, f"Keberatan nomor {i}")).status_code == 302
    r = spammer.post(url, data=_data(entry, "Keberatan keempat yang ditolak"))
    assert r.status_code == 429
    assert "Terlalu banyak sanggahan" in r.text and "60 menit" in r.text
    assert "Keberatan keempat yang ditolak" in r.text  # what was typed is kept
    assert _count() == 3
    with spammer.session_transaction() as session:
        session["lang"] = "en"
    english = spammer.post(url, data=_data(entry, "Fifth"))
    assert english.status_code == 429 and "try again in 60 minutes" in english.text
    # Counted in the database: another worker (another app on the same database) refuses too.
    other_worker = make_app()
    with other_worker.app_context():
        r = _client(other_worker, "203.0.113.9").post(url, data=_data(entry, "Dari pekerja lain"))
    assert r.status_code == 429
    # Another address is not held up by this one.
    assert (
        _client(app, "198.51.100.7").post(url, data=_data(entry, "Warga lain")).status_code == 302
    )
    assert _count() == 4
    kept = db.session.scalars(select(Objection.address).order_by(Objection.id)).all()
    assert kept == ["203.0.113.9"] * 3 + ["198.51.100.7"]


def test_objections_per_announcement_are_limited(app, announced):
    app.config.update(OBJECTIONS_PER_ANNOUNCEMENT=2, OBJECTIONS_PER_ADDRESS=10)
    announcement, entry = announced
    url = f"/announcements/{announcement.id}"
    for i, address in enumerate(("192.0.2.1", "192.0.2.2")):
        assert _client(app, address).post(url, data=_data(entry, f"Isi {i}")).status_code == 302
    assert _client(app, "192.0.2.3").post(url, data=_data(entry, "Isi 3")).status_code == 429
    assert _count() == 2


def test_evidence_bytes_are_capped_per_announcement_and_per_address(app, announced):
    announcement, entry = announced
    url = f"/announcements/{announcement.id}"
    size = len(factories.PNG_BYTES)

    def file():
        return (io.BytesIO(factories.PNG_BYTES), "bukti.png")

    app.config.update(OBJECTION_BYTES_PER_ADDRESS=size * 2, OBJECTIONS_PER_ADDRESS=10)
    a = _client(app, "192.0.2.10")
    for i in range(2):
        r = a.post(url, data=_data(entry, f"Bukti {i}", evidence_file=file()))
        assert r.status_code == 302
    r = a.post(url, data=_data(entry, "Bukti lagi", evidence_file=file()))
    assert r.status_code == 422 and "batasnya" in r.text and "Bukti lagi" in r.text
    # Without a file the same address may still object.
    assert a.post(url, data=_data(entry, "Tanpa berkas")).status_code == 302
    app.config.update(OBJECTION_BYTES_PER_ANNOUNCEMENT=size * 3)
    b = _client(app, "192.0.2.11")
    assert b.post(url, data=_data(entry, "Bukti B1", evidence_file=file())).status_code == 302
    r = b.post(url, data=_data(entry, "Bukti B2", evidence_file=file()))
    assert r.status_code == 422 and "Pengumuman ini telah menerima berkas bukti" in r.text
    stored = db.session.scalars(select(Objection.evidence_size)).all()
    assert sorted(s or 0 for s in stored) == [0, size, size, size]


def test_one_evidence_file_per_objection(app, announced):
    announcement, entry = announced
    data = _data(entry, "Dua berkas")
    data["evidence_file"] = [
        (io.BytesIO(factories.PNG_BYTES), "a.png"),
        (io.BytesIO(factories.PNG_BYTES), "b.png"),
    ]
    r = _client(app, "192.0.2.20").post(f"/announcements/{announcement.id}", data=data)
    assert r.status_code == 422 and "paling banyak satu berkas" in r.text
    assert _count() == 0


def test_the_same_text_twice_is_refused(app, announced):
    announcement, entry = announced
    url = f"/announcements/{announcement.id}"
    assert (
        _client(app, "192.0.2.30").post(url, data=_data(entry, "Inovasi fiktif!")).status_code
        == 302
    )
    first = db.session.scalar(select(Objection))
    r = _client(app, "192.0.2.31").post(url, data=_data(entry, "  inovasi   FIKTIF. "))
    assert r.status_code == 422 and first.reference in r.text
    assert _count() == 1


@pytest.mark.parametrize(
    "tamper",
    [
        pytest.param({"website": "http://spam.example"}, id="honeypot filled"),
        pytest.param({"shown": ""}, id="form never loaded"),
        pytest.param({"shown": "MTc5NjI5ODc5Ny41OTk.forged"}, id="forged stamp"),
        pytest.param({"shown": None}, id="sent at once"),
        pytest.param({"shown": -1}, id="stamp of last week"),
    ],
)
def test_scripts_are_refused(app, announced, tamper):
    announcement, entry = announced
    data = _data(entry, "Sanggahan otomatis")
    if tamper.get("shown") is None and "shown" in tamper:
        tamper = {"shown": abuse.stamp(time.time())}
    elif tamper.get("shown") == -1:
        tamper = {"shown": abuse.stamp(time.time() - 7 * 24 * 3600)}
    data.update(tamper)
    r = _client(app, "192.0.2.40").post(f"/announcements/{announcement.id}", data=data)
    assert r.status_code == 422 and "Sanggahan otomatis" in r.text
    assert _count() == 0
    # The page it answers with carries a fresh stamp: sent again later by a person, it passes.
    assert 'name="shown"' in r.text


def test_the_form_carries_a_stamp_and_a_hidden_honeypot(app, announced):
    announcement, _entry = announced
    page = app.test_client().get(f"/announcements/{announcement.id}").text
    assert 'name="shown" type="hidden" value="' in page
    assert 'name="website"' in page and 'tabindex="-1"' in page and 'aria-hidden="true"' in page
