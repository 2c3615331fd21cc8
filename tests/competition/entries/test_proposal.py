"""The KIPP proposal: word limits, header fields, groups and their sections, minimum age."""

import re
from datetime import date, timedelta

from sqlalchemy import select

from competition.db import db, utcnow
from competition.entries.models import Entry, EntryStatus
from competition.rounds.sections import (
    EntryGroup,
    count_words,
    latest_start,
    over_limit,
    sections_for,
)
from tests import factories
from tests.competition.entries.test_entries import _form


def test_count_words_and_limits():
    assert count_words("  satu dua\ntiga\t empat ") == 4
    assert count_words("") == 0 and count_words(None) == 0
    assert over_limit({"summary": "kata " * 201, "sdg": "kata " * 200}) == {"summary": (201, 200)}


def test_sections_per_group():
    umum = [s.name for s in sections_for(EntryGroup.UMUM)]
    assert umum == [
        "summary",
        "novelty",
        "impact",
        "sdg",
        "adaptability",
        "sustainability",
        "collaboration",
    ]
    replikasi = [s.name for s in sections_for("replikasi")]
    assert replikasi[-3:] == ["inspiration", "replication_process", "distinguishing"]
    assert {s.name: s.words for s in sections_for("umum")} == {
        "summary": 200,
        "novelty": 600,
        "impact": 600,
        "sdg": 200,
        "adaptability": 400,
        "sustainability": 600,
        "collaboration": 200,
    }


def test_minimum_age_dates():
    assert latest_start("umum", date(2026, 11, 28)) == date(2025, 11, 28)
    assert latest_start("replikasi", date(2026, 11, 28)) == date(2024, 11, 28)
    assert latest_start("khusus", date(2028, 2, 29)) == date(2026, 2, 28)


def test_draft_over_a_word_limit_is_saved_and_its_submission_refused(app, login, opd, open_round):
    long_summary = "inovasi " * 205
    client = login(opd)
    response = client.post(
        f"/opd/rounds/{open_round.id}/entries/new",
        data=_form(open_round, summary=long_summary, save="1"),
    )
    # The page says drafts can be saved at any time: it is, with a warning.
    assert response.status_code == 302
    entry = db.session.scalar(select(Entry))
    assert entry.summary == long_summary.strip() and entry.status == EntryStatus.DRAFT
    page = client.get(response.location).text
    assert "Draf tersimpan." in page and "melebihi batas kata" in page
    # Submitting refuses it, marks the section and says the draft was saved.
    response = client.post(
        f"/opd/entries/{entry.id}/edit", data=_form(open_round, summary=long_summary, send="1")
    )
    assert response.status_code == 422
    assert "205 kata: bagian ini paling banyak 200 kata." in response.text
    assert "Draf Anda sudah disimpan, tetapi belum dikirim." in response.text
    assert long_summary.strip() in response.text
    db.session.refresh(entry)
    assert not entry.is_submitted
    # Shortened, it goes.
    response = client.post(f"/opd/entries/{entry.id}/edit", data=_form(open_round, send="1"))
    assert response.status_code == 302
    db.session.refresh(entry)
    assert entry.is_submitted


def test_refused_first_submission_says_the_draft_was_saved(app, login, opd, open_round):
    response = login(opd).post(
        f"/opd/rounds/{open_round.id}/entries/new",
        data=_form(open_round, innovators="", send="1"),
    )
    assert response.status_code == 422
    assert "Draf Anda sudah disimpan, tetapi belum dikirim." in response.text
    entry = db.session.scalar(select(Entry))
    # The re-rendered form now saves into that draft instead of creating another entry.
    assert f'action="/opd/entries/{entry.id}/edit"' in response.text


def test_word_limit_is_enforced_by_the_service_at_submission(app, opd, open_round):
    import pytest

    from competition.entries import checks as entry_checks
    from competition.entries import services as entries
    from competition.errors import InvalidFields

    with app.test_request_context():
        entry = entries.create_entry(
            round_=open_round,
            category=open_round.categories[0],
            data={"title": "X", "sdg": "a " * 201},
            actor=opd,
            now=utcnow(),
        )
        assert entry.sdg == ("a " * 201).strip()
        with pytest.raises(InvalidFields) as exc:
            entry_checks.check_word_limits(entry)
    assert set(exc.value.errors) == {"sdg"}


def test_form_shows_limits_counter_and_loads_the_static_script(app, login, opd, open_round):
    page = login(opd).get(f"/opd/rounds/{open_round.id}/entries/new").text
    assert 'data-word-limit="600"' in page and 'data-word-limit="200"' in page
    assert "/static/proposal.js" in page
    assert "<script>" not in page  # no inline script: the CSP forbids it
    with login(opd).get("/static/proposal.js") as js:
        assert js.status_code == 200 and b"wordLimit" in js.data


def test_submission_lists_everything_missing(app, login, opd, open_round):
    response = login(opd).post(
        f"/opd/rounds/{open_round.id}/entries/new",
        data=_form(open_round, innovators="", collaboration="", truth_declaration="", send="1"),
    )
    assert response.status_code == 422
    flash = response.text.split('class="flash flash-danger"', 1)[1].split("</div>", 1)[0]
    assert "Belum diisi:" in flash
    for label in ("Inovator dan kontaknya", "Kolaborasi pemangku kepentingan", "Pernyataan"):
        assert label in flash
    # the declaration is named by its heading, not by its whole sentence (which ended in "..")
    assert "Saya menyatakan" not in flash and ".." not in flash
    entry = db.session.scalar(select(Entry))
    assert entry.status == EntryStatus.DRAFT and entry.truth_declared_at is None


def test_truth_declaration_is_recorded(app, login, opd, open_round):
    login(opd).post(f"/opd/rounds/{open_round.id}/entries/new", data=_form(open_round, send="1"))
    entry = db.session.scalar(select(Entry))
    assert entry.is_submitted and entry.truth_declared_at is not None
    assert entry.innovation_started_on == date(2023, 1, 2)
    assert entry.video_url == "https://youtu.be/abc"


def test_replication_group_needs_its_own_sections(app, login, opd, open_round):
    client = login(opd)
    response = client.post(
        f"/opd/rounds/{open_round.id}/entries/new",
        data=_form(open_round, group="replikasi", send="1"),
    )
    assert response.status_code == 422
    assert "Sumber inspirasi" in response.text and "Proses replikasi" in response.text
    entry = db.session.scalar(select(Entry))
    assert entry.group == EntryGroup.REPLIKASI and not entry.is_submitted
    response = client.post(
        f"/opd/entries/{entry.id}/edit",
        data=_form(
            open_round,
            group="replikasi",
            inspiration="Meniru inovasi Surabaya.",
            replication_process="Studi tiru lalu uji coba.",
            distinguishing="Ada pengingat.",
            send="1",
        ),
    )
    assert response.status_code == 302
    db.session.refresh(entry)
    assert entry.is_submitted
    detail = client.get(f"/opd/entries/{entry.id}").text
    assert "Meniru inovasi Surabaya." in detail


def test_general_group_does_not_need_replication_sections(app, opd, open_round):
    entry = factories.make_entry(open_round, opd, submitted=False)
    from competition.entries import checks as entry_checks

    assert entry_checks.missing_fields(entry) == []
    entry.group = EntryGroup.REPLIKASI
    assert entry_checks.missing_fields(entry) == [
        "inspiration",
        "replication_process",
        "distinguishing",
    ]


def test_too_young_innovation_is_refused_with_the_latest_start_date(app, login, opd, open_round):
    young = (utcnow() - timedelta(days=200)).date().isoformat()
    response = login(opd).post(
        f"/opd/rounds/{open_round.id}/entries/new",
        data=_form(open_round, innovation_started_on=young, send="1"),
    )
    assert response.status_code == 422
    assert "paling sedikit 1 tahun" in response.text
    assert young in response.text
    entry = db.session.scalar(select(Entry))
    assert not entry.is_submitted
    # Two years are needed in the replication group.
    older = (utcnow() - timedelta(days=500)).date().isoformat()
    response = login(opd).post(
        f"/opd/entries/{entry.id}/edit",
        data=_form(
            open_round,
            group="replikasi",
            innovation_started_on=older,
            inspiration="a",
            replication_process="b",
            distinguishing="c",
            send="1",
        ),
    )
    assert response.status_code == 422 and "paling sedikit 2 tahun" in response.text


def test_future_start_date_and_bad_video_link_are_refused(app, login, opd, open_round):
    future = (utcnow() + timedelta(days=10)).date().isoformat()
    response = login(opd).post(
        f"/opd/rounds/{open_round.id}/entries/new",
        data=_form(open_round, innovation_started_on=future, save="1"),
    )
    assert response.status_code == 422
    assert db.session.scalar(select(Entry)) is None
    response = login(opd).post(
        f"/opd/rounds/{open_round.id}/entries/new",
        data=_form(open_round, video_url="bukan tautan", save="1"),
    )
    assert response.status_code == 422


def test_cap_per_organisation_and_group(app, login, committee, opd, open_round):
    response = login(committee).post(
        f"/committee/rounds/{open_round.id}/caps",
        data={"caps-cap_umum": "1", "caps-cap_replikasi": "", "caps-cap_khusus": "0"},
    )
    assert response.status_code == 302
    db.session.refresh(open_round)
    assert (open_round.cap_umum, open_round.cap_replikasi, open_round.cap_khusus) == (1, None, 0)
    factories.make_entry(open_round, opd, title="Sudah terkirim")
    db.session.commit()
    client = login(opd)
    response = client.post(
        f"/opd/rounds/{open_round.id}/entries/new", data=_form(open_round, title="Kedua", send="1")
    )
    assert response.status_code == 409 and "sudah mengirim 1 proposal" in response.text
    entry = db.session.scalar(select(Entry).where(Entry.title == "Kedua"))
    assert not entry.is_submitted  # the draft is kept
    # The replication group has no cap.
    response = client.post(
        f"/opd/entries/{entry.id}/edit",
        data=_form(
            open_round,
            title="Kedua",
            group="replikasi",
            inspiration="Meniru inovasi Surabaya.",
            replication_process="Studi tiru.",
            distinguishing="Pengingat.",
            innovation_started_on="2022-01-01",
            send="1",
        ),
    )
    assert response.status_code == 302


def test_committee_sets_the_rounds_word_limits(app, login, committee, opd, open_round):
    from competition.rounds.sections import SECTIONS

    limits = {f"words-{s.name}": str(s.words) for s in SECTIONS}
    limits["words-summary"] = "50"
    response = login(committee).post(f"/committee/rounds/{open_round.id}/word-limits", data=limits)
    assert response.status_code == 302
    db.session.refresh(open_round)
    assert open_round.section_limits["summary"] == 50
    assert open_round.section_limits["novelty"] == 600
    client = login(opd)
    assert 'data-word-limit="50"' in client.get(f"/opd/rounds/{open_round.id}/entries/new").text
    response = client.post(
        f"/opd/rounds/{open_round.id}/entries/new",
        data=_form(open_round, summary="kata " * 60, send="1"),
    )
    assert response.status_code == 422
    assert "60 kata: bagian ini paling banyak 50 kata." in response.text
    # Once an entry is submitted, the limits stay as they are.
    factories.make_entry(open_round, opd)
    db.session.commit()
    limits["words-summary"] = "30"
    response = login(committee).post(f"/committee/rounds/{open_round.id}/word-limits", data=limits)
    assert response.status_code == 422 and "sebelum proposal pertama dikirim" in response.text
    db.session.refresh(open_round)
    assert open_round.section_limits["summary"] == 50


def test_special_group_is_by_invitation(app, login, committee, opd, open_round):
    client = login(opd)
    response = client.post(
        f"/opd/rounds/{open_round.id}/entries/new",
        data=_form(open_round, group="khusus", innovation_started_on="2022-01-01", send="1"),
    )
    assert response.status_code == 409 and "atas undangan" in response.text
    entry = db.session.scalar(select(Entry))
    assert not entry.is_submitted
    page = login(committee).get(f"/committee/rounds/{open_round.id}").text
    assert opd.organisation.name in page  # offered for invitation
    response = login(committee).post(
        f"/committee/rounds/{open_round.id}/invitations",
        data={"inv-organisations": [str(opd.organisation_id)]},
    )
    assert response.status_code == 302
    response = client.post(
        f"/opd/entries/{entry.id}/edit",
        data=_form(open_round, group="khusus", innovation_started_on="2022-01-01", send="1"),
    )
    assert response.status_code == 302
    db.session.refresh(entry)
    assert entry.is_submitted and entry.group == EntryGroup.KHUSUS


def _invited_on_page(html: str) -> list[str]:
    """The organisations selected in the round page's invitations list."""
    select_ = re.search(r'<select[^>]*name="inv-organisations".*?</select>', html, re.S)
    return re.findall(r"<option selected value=\"(\d+)\"", select_.group(0))


def test_round_page_shows_the_saved_invitations(app, login, committee, opd, open_round):
    client = login(committee)
    url = f"/committee/rounds/{open_round.id}"
    invited = str(opd.organisation_id)
    assert _invited_on_page(client.get(url).text) == []
    response = client.post(f"{url}/invitations", data={"inv-organisations": [invited]})
    assert response.status_code == 302
    assert _invited_on_page(client.get(url).text) == [invited]
    # Another form of the page refused: the page again, the invitations still as saved.
    response = client.post(f"{url}/categories", data={"cat-name": ""})
    assert response.status_code == 422 and _invited_on_page(response.text) == [invited]
    # An organisation that is not offered: refused, nothing saved, the form as posted.
    response = client.post(f"{url}/invitations", data={"inv-organisations": ["999999"]})
    assert response.status_code == 422
    db.session.refresh(open_round)
    assert open_round.khusus_invited == [opd.organisation_id]
