"""Optimistic locking of the OPD proposal (two tabs): the form carries the entry's version, a
stale save is refused (409) showing the stored text beside the typed one, nothing typed is
lost, and saving again from the refused page overwrites deliberately."""

from __future__ import annotations

import re

from sqlalchemy import text

from competition.db import db
from competition.entries import services as entries
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


def test_save_losing_the_race_to_a_simultaneous_save_is_refused(
    app, login, opd, open_round, monkeypatch
):
    """The form's version matched when the save began, but another save was stored before this
    one's UPDATE (``StaleDataError``): refused (409) with the stored text, nothing overwritten,
    what was typed kept."""
    entry = factories.make_entry(open_round, opd, title="SI-PANDAI", submitted=False)
    db.session.commit()
    update_entry = entries.update_entry

    def racing_update(*, entry, **kw):  # the other save lands between the load and the UPDATE
        db.session.connection().execute(
            text("UPDATE entries SET title = 'Menang', version_id = version_id + 1 WHERE id = :id"),
            {"id": entry.id},
        )
        return update_entry(entry=entry, **kw)

    monkeypatch.setattr(entries, "update_entry", racing_update)
    url = f"/opd/entries/{entry.id}/edit"
    client = login(opd)
    r = client.post(url, data=_form(client.get(url).text, entry, "Kalah", "Ringkasan kalah"))
    assert r.status_code == 409
    assert "Proposal ini diubah di tempat lain" in r.text
    assert 'value="Kalah"' in r.text and "Ringkasan kalah" in r.text  # the typed text stays
    db.session.expire_all()
    # Not overwritten by what was typed (the simulated other save ran in this request's
    # transaction, so it was rolled back with it).
    assert db.session.get(Entry, entry.id).title == "SI-PANDAI"
