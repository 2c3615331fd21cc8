"""Blind review (issue 15, item 4): a judge of a blind-review stage learns nothing about who
submitted an entry. Every judge page and download is rendered and searched for every
identifying value of the entry, built from the entry and its owner (so the list cannot go
stale when a field is added to the pages)."""

import html
import re
from email.utils import collapse_rfc2231_value
from urllib.parse import unquote

import pytest
from werkzeug.http import parse_options_header

from competition.accounts.models import Organisation
from competition.db import db, utcnow
from competition.entries.models import AttachmentKind
from competition.notifications.models import Notification
from judging.panels import services as panels
from judging.scoring import progress, rubric
from judging.scoring import sheets as sheet_service
from tests import factories

INNOVATORS = (
    "Budi Santoso, Staf pelaksana Dinas Pendidikan Kota Lubuklinggau, "
    "budi.santoso@disdik.lubuklinggau.example, 0812-7788-9900"
)


def identifying_values(entry) -> list[str]:
    """What would tell a judge who the OPD is, read from the entry and its owner."""
    org = entry.organisation
    orgs = [org, *([org.parent] if org.parent else [])]
    values = set()
    for o in orgs:
        values.update((o.name, o.region))
        for u in o.users:
            values.update((u.username, u.name, u.email or ""))
    values.update(part.strip() for part in re.split(r"[,;\n]", entry.innovators))
    for a in entry.attachments:
        values.update((a.original_name, a.original_name.rsplit(".", 1)[0]))
    return sorted(v for v in values if len(v) >= 4)


@pytest.fixture
def blind_world(app, committee, open_round):
    agency = Organisation(name="Pemerintah Kota Lubuklinggau", region="Kota Lubuklinggau")
    unit = Organisation(name="Dinas Pendidikan Kota Lubuklinggau", parent=agency)
    db.session.add_all([agency, unit])
    owner = factories.make_user(
        role="opd", username="disdik_llg", name="Operator Disdik", organisation=unit
    )
    owner.email = "operator@disdik.lubuklinggau.example"
    admin = factories.make_user(
        role="agency", username="adminlokal_llg", name="Sri Wahyuni", organisation=agency
    )
    admin.email = "sri.wahyuni@lubuklinggau.example"
    entry = factories.make_entry(open_round, owner, title="Rapor Digital Terpadu")
    entry.innovators = INNOVATORS
    entry.summary = "Dinas Pendidikan Kota Lubuklinggau menyatukan rapor semua sekolah."
    entry.attachments[0].original_name = "SK-tim-inovasi-disdik.pdf"
    released = factories.make_attachment(entry, kind="data")
    released.original_name = "Data-dukung-disdik-lubuklinggau.pdf"
    released.is_released_for_blind = True
    withheld = factories.make_attachment(entry, kind="data")
    withheld.original_name = "Kop-surat-disdik.pdf"
    stage = factories.make_stage(open_round)
    stage.blind_review = True
    judge = factories.make_user(role="judge", username="juri_a", name="Juri A")
    other = factories.make_user(role="judge", username="juri_b", name="Juri B")
    mine = factories.make_assignment(stage, entry, judge)
    theirs = factories.make_assignment(stage, entry, other)
    panel = panels.create_panel(stage=stage, name="Panel Satu", category=None, actor=committee)
    panels.add_panel_member(panel=panel, judge=judge, is_chair=True, actor=committee)
    panels.add_panel_member(panel=panel, judge=other, is_chair=False, actor=committee)
    inputs = {c.id: sheet_service.CriterionInput(8, "Baik") for c in rubric.list_criteria(stage)}
    sheet_service.save_sheet(
        assignment=theirs, inputs=inputs, submit=True, actor=other, now=utcnow()
    )
    db.session.commit()
    return {
        "entry": entry,
        "stage": stage,
        "judge": judge,
        "assignment": mine,
        "panel": panel,
        "sheet": theirs.sheet,
        "released": released,
        "withheld": withheld,
        "sk": entry.attachments[0],
    }


def _judge_pages(client, w):
    """Every page a judge can reach about the entry, as text (a re-rendered refused form
    included)."""
    a, panel = w["assignment"], w["panel"]
    responses = {
        "index": client.get("/judge/"),
        "sheet": client.get(f"/judge/assignments/{a.id}"),
        "sheet refused": client.post(f"/judge/assignments/{a.id}", data={"send": "1"}),
        "recuse refused": client.post(f"/judge/assignments/{a.id}/recuse", data={}),
        "panel": client.get(f"/judge/panels/{panel.id}"),
        "panel sheet": client.get(f"/judge/panels/{panel.id}/sheets/{w['sheet'].id}"),
        "certificates": client.get("/judge/certificates/"),
    }
    pages = {}
    for name, r in responses.items():
        assert r.status_code in (200, 409, 422), (name, r.status_code)
        pages[name] = html.unescape(r.text)
    return pages


def _leaks(text: str, values: list[str]) -> list[str]:
    low = text.lower()
    return [v for v in values if v.lower() in low]


def test_blind_judge_pages_show_no_identifying_value(app, login, blind_world):
    w = blind_world
    values = identifying_values(w["entry"])
    assert "Dinas Pendidikan Kota Lubuklinggau" in values and "0812-7788-9900" in values
    assert "sri.wahyuni@lubuklinggau.example" in values and "Kop-surat-disdik.pdf" in values
    pages = _judge_pages(login(w["judge"]), w)
    for name, text in pages.items():
        assert _leaks(text, values) == [], name
    sheet = pages["sheet"]
    assert "Rapor Digital Terpadu" in sheet  # the proposal itself is there
    assert "menyatukan rapor semua sekolah" in sheet  # its text, with the name blacked out
    assert "Lampiran 1.pdf" in sheet


def test_blind_judge_downloads_released_files_under_neutral_names(app, login, blind_world):
    w = blind_world
    client = login(w["judge"])
    with client.get(f"/judge/files/{w['released'].id}") as r:
        assert r.status_code == 200 and r.data == factories.PDF_BYTES
        _, options = parse_options_header(r.headers["Content-Disposition"])
        names = {unquote(collapse_rfc2231_value(v)) for v in options.values()}
        assert names & {"Lampiran 1.pdf", "UTF-8''Lampiran%201.pdf"} or any(
            "Lampiran" in n for n in names
        )
        assert _leaks(r.headers["Content-Disposition"], identifying_values(w["entry"])) == []
    for hidden in (w["sk"], w["withheld"]):
        assert client.get(f"/judge/files/{hidden.id}").status_code == 404


def test_blind_reminder_mail_names_no_organisation(app, login, committee, blind_world):
    w = blind_world
    progress.queue_reminders(stage=w["stage"], actor=committee, now=utcnow())
    db.session.commit()
    notes = db.session.query(Notification).all()
    assert notes  # the judge who has not submitted is reminded
    values = identifying_values(w["entry"])
    for note in notes:
        assert _leaks(f"{note.subject}\n{note.body}", values) == []


def test_without_blind_review_the_judge_sees_the_organisation(app, login, blind_world):
    """The test above can fail: the same pages name the OPD when blind review is off."""
    w = blind_world
    w["stage"].blind_review = False
    db.session.commit()
    client = login(w["judge"])
    pages = _judge_pages(client, w)
    assert "Dinas Pendidikan Kota Lubuklinggau" in pages["sheet"]
    assert "budi.santoso@disdik.lubuklinggau.example" in pages["sheet"]
    assert "SK-tim-inovasi-disdik.pdf" in pages["sheet"]
    assert "Dinas Pendidikan Kota Lubuklinggau" in pages["index"]
    with client.get(f"/judge/files/{w['withheld'].id}") as r:
        assert r.status_code == 200


def test_committee_releases_attachments_for_blind_review(app, login, committee, blind_world):
    w = blind_world
    client = login(committee)
    page = client.get(f"/committee/entries/{w['entry'].id}/screening").text
    assert "SK-tim-inovasi-disdik.pdf" in page  # the committee sees the real names
    r = client.post(
        f"/committee/entries/{w['entry'].id}/blind-release",
        data={"blind-released": [w["withheld"].id]},
    )
    assert r.status_code == 302
    assert w["withheld"].is_released_for_blind and not w["released"].is_released_for_blind
    judge = login(w["judge"])
    assert judge.get(f"/judge/files/{w['released'].id}").status_code == 404
    with judge.get(f"/judge/files/{w['withheld'].id}") as r:
        assert r.status_code == 200
    # An attachment of another entry cannot be released from this one.
    other = factories.make_entry(w["entry"].round, factories.make_opd_user("X", username="x1"))
    db.session.commit()
    r = client.post(
        f"/committee/entries/{w['entry'].id}/blind-release",
        data={"blind-released": [other.attachments[0].id]},
    )
    assert r.status_code == 302 and not other.attachments[0].is_released_for_blind
    assert w["entry"].attachments[0].kind == AttachmentKind.SK
