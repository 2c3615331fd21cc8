"""Indonesian everywhere: WTForms' own validation messages come from Juri's catalogue
(competition/i18n/forms.py), and the main pages of every role, and failed submissions, show
no common English fragment in the default language."""

import html
import re

import pytest

from competition.db import db
from tests import factories

# Fragments of English UI text: WTForms' messages and words of English sentences. Data typed
# by people (titles, names) is Indonesian in the fixtures, so a hit is an untranslated string.
ENGLISH = re.compile(
    r"This field|Not a valid|Invalid |Field must|must be|Number must|Please |\bthe\b|\bThe\b|"
    r"\byour\b|\bYour\b|\band\b|\bof\b|\bwith\b|\bSave\b|\bSubmit\b|\bLog (in|out)\b|"
    r"\bSign in\b|\bPassword\b|\bRound\b|\bScore\b|\bEntries\b|\bdraft\b|\bopen\b"
)


def _visible_text(page: str) -> str:
    page = re.sub(r"(?s)<(script|style)\b.*?</\1>", " ", page)
    attributes = " ".join(re.findall(r'(?:placeholder|title|aria-label|value)="([^"]*)"', page))
    return html.unescape(re.sub(r"<[^>]+>", " ", page) + " " + attributes)


def _english(page: str) -> list[str]:
    text = _visible_text(page)
    return sorted({text[max(0, m.start() - 30) : m.end() + 30] for m in ENGLISH.finditer(text)})


@pytest.fixture
def populated(app, committee, opd, judge, open_round):
    stage = factories.make_stage(open_round)
    entry = factories.make_entry(open_round, opd)
    assignment = factories.make_assignment(stage, entry, judge)
    admin = factories.make_agency_admin("Dinas Kesehatan Induk", username="admin-dinkes")
    db.session.commit()
    return stage, entry, assignment, admin


def test_main_pages_of_every_role_are_in_indonesian(
    app, login, committee, opd, judge, open_round, populated
):
    stage, entry, assignment, admin = populated
    pages = {
        None: ["/", "/login", "/verify"],
        committee: [
            "/committee/",
            "/committee/rounds/new",
            f"/committee/rounds/{open_round.id}",
            f"/committee/stages/{stage.id}/rubric",
            f"/committee/stages/{stage.id}/assignments",
            f"/committee/entries/{entry.id}",
            "/committee/users/",
        ],
        opd: ["/opd/", f"/opd/rounds/{open_round.id}/entries/new", f"/opd/entries/{entry.id}"],
        judge: ["/judge/", f"/judge/assignments/{assignment.id}"],
        admin: ["/agency/"],
    }
    found = {}
    for user, urls in pages.items():
        client = login(user) if user else app.test_client()
        for url in urls:
            response = client.get(url)
            assert response.status_code == 200, url
            if hits := _english(response.text):
                found[url] = hits
    assert found == {}


def test_failed_submissions_explain_in_indonesian(app, login, client, opd, judge, open_round):
    response = client.post("/login", data={"username": "", "password": ""})
    assert "Kolom ini wajib diisi." in response.text
    assert _english(response.text) == []
    response = login(opd).post(
        f"/opd/rounds/{open_round.id}/entries/new",
        data={"title": "", "category": "x", "video_url": "bukan-url", "save": "1"},
    )
    assert response.status_code == 422
    assert "Pilihan tidak valid." in response.text or "Kolom ini wajib diisi." in response.text
    assert _english(response.text) == []


def test_wtforms_messages_follow_the_language(app, client):
    client.post("/language", data={"lang": "en"})
    response = client.post("/login", data={"username": "", "password": ""})
    assert "This field is required." in response.text
    assert _english(response.text)  # the detector sees English when there is some
    client.post("/language", data={"lang": "id"})
    response = client.post("/login", data={"username": "", "password": ""})
    assert "Kolom ini wajib diisi." in response.text
