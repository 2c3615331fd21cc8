"""Optimistic locking of the OPD proposal (two tabs): the form carries the entry's version, a
stale save is refused (409) showing the stored text beside the typed one, nothing typed is
lost, and saving again from the refused page overwrites deliberately."""

from __future__ import annotations

import re

from competition.db import db
from competition.entries.models import Entry
from tests import factories


def _form(html: str, entry: Entry, title: str, summary: str) -> dict:
    version = re.search(r'id="version_id" name="version_id" type="hidden" value="(\d*)"', html)
    return {
        "version_id": version.group(1),
        "title": title,
        "category": entry.category_id,
        "group": "umum",
        "summary": summary,
        "save": "1",
    }


def test_stale_tab_is_refused_with_both_versions(app, login, opd, open_round):
    entry = factories.make_entry(open_round, opd, title="SI-PANDAI", submitted=False)
    db.session.commit()
    url = f"/opd/entries/{entry.id}/edit"
    one, two = login(opd), login(opd)
    p1, p2 = one.get(url), two.get(url)
    assert p1.status_code == 200
    r = one.post(url, data=_form(p1.text, entry, "SI-PANDAI Plus", "Ringkasan tab satu"))
    assert r.status_code == 302
    r = two.post(url, data=_form(p2.text, entry, "SI-PANDAI Dua", "Ringkasan tab dua"))
    assert r.status_code == 409
    assert "Ringkasan tab dua" in r.text and "Ringkasan tab satu" in r.text
    assert 'value="SI-PANDAI Dua"' in r.text  # the typed title stays in the form
    db.session.expire_all()
    assert db.session.get(Entry, entry.id).title == "SI-PANDAI Plus"
    # Saving again from the refused page is a deliberate overwrite.
    r = two.post(url, data=_form(r.text, entry, "SI-PANDAI Dua", "Ringkasan tab dua"))
    assert r.status_code == 302
    db.session.expire_all()
    stored = db.session.get(Entry, entry.id)
    assert stored.title == "SI-PANDAI Dua" and stored.summary == "Ringkasan tab dua"


def test_saving_twice_from_one_tab_is_not_stale(app, login, opd, open_round):
    entry = factories.make_entry(open_round, opd, submitted=False)
    db.session.commit()
    url = f"/opd/entries/{entry.id}/edit"
    client = login(opd)
    assert client.post(url, data=_form(client.get(url).text, entry, "A", "x")).status_code == 302
    assert client.post(url, data=_form(client.get(url).text, entry, "B", "y")).status_code == 302
    db.session.expire_all()
    assert db.session.get(Entry, entry.id).title == "B"
