"""Concurrent changes of one entry outside the proposal form: a committee action on an entry
that changed since its request loaded it is applied on the current row (no conflict, no 500),
and a race that must conflict is answered with the 409 page, never 500."""

from __future__ import annotations

import re

from sqlalchemy import event, text
from sqlalchemy.orm import Session

from competition.db import db, utcnow
from competition.entries import screening
from competition.entries import services as entries
from competition.entries.models import Entry, EntryEvent, EntryStatus, Screening
from competition.rounds.sections import SECTION_NAMES
from tests import factories


def _change_elsewhere(entry_id: int, **values) -> None:
    """Another request (its own session and transaction) changes the entry and commits."""
    with Session(db.engine) as other:
        row = other.get(Entry, entry_id)
        for name, value in values.items():
            setattr(row, name, value)
        other.commit()


def _loaded(entry: Entry) -> int:
    return entry.version_id  # this session now holds the entry as it is now


def test_screening_decision_on_an_entry_changed_meanwhile(app, committee, opd, open_round):
    entry = factories.make_entry(open_round, opd)
    db.session.commit()
    shown = _loaded(entry)
    # Another committee member decides first (or an admin edits the entry) and commits.
    _change_elsewhere(
        entry.id,
        screening=Screening.INELIGIBLE,
        screening_reason="SK tidak ada",
        title="SI-PANDAI (judul diperbaiki)",
    )
    screening.decide(
        entry=entry, eligible=True, reason="SK ada di lampiran data", actor=committee, now=utcnow()
    )
    db.session.commit()  # no StaleDataError
    db.session.expire_all()
    stored = db.session.get(Entry, entry.id)
    assert stored.screening == Screening.ELIGIBLE  # the later decision wins, on the current row
    assert stored.title == "SI-PANDAI (judul diperbaiki)"  # the other change is kept
    assert stored.version_id == shown + 2
    assert [e.action for e in stored.events] == ["eligible"]


def test_reopening_sees_the_current_state(app, committee, opd, open_round):
    entry = factories.make_entry(open_round, opd)
    db.session.commit()
    _loaded(entry)
    _change_elsewhere(entry.id, screening=Screening.ELIGIBLE, screening_reason="Lengkap")
    entries.reopen_entry(entry=entry, reason="Lampiran salah unggah", actor=committee, now=utcnow())
    db.session.commit()
    db.session.expire_all()
    stored = db.session.get(Entry, entry.id)
    assert stored.status == EntryStatus.DRAFT and stored.screening == Screening.PENDING


def test_reopening_an_entry_already_reopened_meanwhile_is_refused_not_500(
    app, login, committee, opd, open_round
):
    entry = factories.make_entry(open_round, opd)
    db.session.commit()
    _loaded(entry)
    _change_elsewhere(entry.id, status=EntryStatus.DRAFT)  # reopened by someone else
    try:
        entries.reopen_entry(entry=entry, reason="x", actor=committee, now=utcnow())
    except Exception as exc:  # noqa: BLE001 - the refusal must be the domain error
        assert type(exc).__name__ == "InvalidState"
    else:
        raise AssertionError("a draft was reopened")
    db.session.rollback()
    assert db.session.scalar(db.select(db.func.count(EntryEvent.id))) == 0


def test_submission_racing_a_save_from_another_tab_is_a_409_page(app, login, opd, open_round):
    entry = factories.make_entry(open_round, opd, submitted=False)
    db.session.commit()
    url = f"/opd/entries/{entry.id}/edit"
    client = login(opd)
    page = client.get(url).text
    version = re.search(r'name="version_id" type="hidden" value="(\d+)"', page).group(1)
    fired = []

    @event.listens_for(db.session, "before_flush")
    def other_tab_saves(session, _context, _instances):
        # At the moment the submission is written, another tab's save commits.
        if fired or not any(
            isinstance(o, Entry) and o.status == EntryStatus.SUBMITTED for o in session.dirty
        ):
            return
        fired.append(True)
        with db.engine.begin() as conn:
            conn.execute(
                text(
                    "UPDATE entries SET summary = 'Ringkasan tab dua', "
                    "version_id = version_id + 1 WHERE id = :id"
                ),
                {"id": entry.id},
            )

    try:
        r = client.post(
            url,
            data={
                "version_id": version,
                "title": entry.title,
                "category": entry.category_id,
                "group": entry.group.value,
                "innovators": entry.innovators,
                "innovation_started_on": entry.innovation_started_on.isoformat(),
                "truth_declaration": "y",
                "send": "1",
                **{name: getattr(entry, name) for name in SECTION_NAMES},
            },
        )
    finally:
        event.remove(db.session, "before_flush", other_tab_saves)
    assert fired
    assert r.status_code == 409
    assert "Muat ulang halaman" in r.text
    db.session.expire_all()
    stored = db.session.get(Entry, entry.id)
    assert stored.status == EntryStatus.DRAFT  # not half submitted
    assert stored.summary == "Ringkasan tab dua"
