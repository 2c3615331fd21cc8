"""The committee edits the proposal's sections per round: renames one, switches one off (text
kept), adds its own; the round copy carries them."""

from datetime import timedelta

from sqlalchemy import select

from competition.db import db, utcnow
from competition.entries.models import Entry
from competition.rounds import services as rounds
from competition.rounds.models import Round
from competition.rounds.sections import SECTIONS
from tests import factories
from tests.competition.entries.test_entries import _form


def _sections(**overrides):
    data = {f"words-{s.name}": str(s.words) for s in SECTIONS}
    return {**data, **overrides}


def _add_section(client, round_, **overrides):
    data = {
        "section-label": "Dukungan anggaran",
        "section-words": "100",
        "section-groups": ["umum", "replikasi"],
        "section-help": "Sumber dan besarnya.",
        **overrides,
    }
    return client.post(f"/committee/rounds/{round_.id}/sections", data=data)


def test_renamed_section_shows_on_the_opd_form_and_to_the_judges(
    app, login, committee, opd, open_round
):
    response = login(committee).post(
        f"/committee/rounds/{open_round.id}/word-limits",
        data=_sections(**{"words-label_summary": "Ringkasan Eksekutif"}),
    )
    assert response.status_code == 302
    page = login(opd).get(f"/opd/rounds/{open_round.id}/entries/new").text
    assert "Ringkasan Eksekutif" in page
    # The other sections keep their default labels, in the user's language.
    assert "Ide inovatif" in page
    entry = factories.make_entry(open_round, opd)
    db.session.commit()
    assert entry.sections[0][0].label == "Ringkasan Eksekutif"
    assert "Ringkasan Eksekutif" in login(committee).get(f"/committee/entries/{entry.id}").text


def test_switched_off_section_is_not_required_and_its_text_is_kept(
    app, login, committee, opd, open_round
):
    client = login(opd)
    client.post(
        f"/opd/rounds/{open_round.id}/entries/new",
        data=_form(open_round, sdg="Mendukung SDG 3.", save="1"),
    )
    entry = db.session.scalar(select(Entry))
    response = login(committee).post(
        f"/committee/rounds/{open_round.id}/word-limits", data=_sections(**{"words-off_sdg": "y"})
    )
    assert response.status_code == 302
    page = client.get(f"/opd/entries/{entry.id}/edit").text
    assert 'name="sdg"' not in page
    # Submitting without the section (the form no longer sends it) works and keeps its text.
    form = _form(open_round, send="1")
    del form["sdg"]
    response = client.post(f"/opd/entries/{entry.id}/edit", data=form)
    assert response.status_code == 302
    db.session.refresh(entry)
    assert entry.is_submitted and entry.sdg == "Mendukung SDG 3."
    assert "sdg" not in [s.name for s, _ in entry.sections]
    # Once submitted, the section cannot be switched back on; renaming is still possible.
    response = login(committee).post(
        f"/committee/rounds/{open_round.id}/word-limits", data=_sections()
    )
    assert response.status_code == 422
    response = login(committee).post(
        f"/committee/rounds/{open_round.id}/word-limits",
        data=_sections(**{"words-off_sdg": "y", "words-label_impact": "Dampak"}),
    )
    assert response.status_code == 302


def test_section_switched_on_is_required(app, login, opd, open_round):
    form = _form(open_round, sdg="", send="1")
    response = login(opd).post(f"/opd/rounds/{open_round.id}/entries/new", data=form)
    assert response.status_code == 422
    assert not db.session.scalar(select(Entry)).is_submitted


def test_custom_section_appears_is_counted_and_required(app, login, committee, opd, open_round):
    response = _add_section(login(committee), open_round)
    assert response.status_code == 302
    db.session.refresh(open_round)
    assert open_round.section_limits["custom_1"] == 100
    client = login(opd)
    page = client.get(f"/opd/rounds/{open_round.id}/entries/new").text
    assert "Dukungan anggaran" in page and 'data-word-limit="100"' in page
    # Over its word limit: the draft is saved, the submission refused with the count.
    response = client.post(
        f"/opd/rounds/{open_round.id}/entries/new",
        data=_form(open_round, custom_1="kata " * 101, send="1"),
    )
    assert response.status_code == 422
    assert "101 kata: bagian ini paling banyak 100 kata." in response.text
    entry = db.session.scalar(select(Entry))
    # Empty: the submission lists it as missing.
    response = client.post(f"/opd/entries/{entry.id}/edit", data=_form(open_round, send="1"))
    assert response.status_code == 422 and "Dukungan anggaran" in response.text
    db.session.refresh(entry)
    assert not entry.is_submitted
    response = client.post(
        f"/opd/entries/{entry.id}/edit",
        data=_form(open_round, custom_1="APBD Rp 50 juta per tahun.", send="1"),
    )
    assert response.status_code == 302
    db.session.refresh(entry)
    assert entry.is_submitted and entry.custom_texts == {"custom_1": "APBD Rp 50 juta per tahun."}
    assert "APBD Rp 50 juta per tahun." in client.get(f"/opd/entries/{entry.id}").text
    # After the first submission, no more sections can be added.
    response = _add_section(login(committee), open_round, **{"section-label": "Lain"})
    assert response.status_code == 422


def test_custom_section_only_for_its_groups(app, login, committee, opd, open_round):
    _add_section(login(committee), open_round, **{"section-groups": ["replikasi"]})
    response = login(opd).post(
        f"/opd/rounds/{open_round.id}/entries/new", data=_form(open_round, send="1")
    )
    assert response.status_code == 302  # the general group's form has no such section


def test_round_copy_carries_the_sections(app, committee, open_round):
    rounds.set_sections(
        round_=open_round,
        limits={"summary": 150},
        labels={"summary": "Ringkasan Eksekutif"},
        off={"sdg"},
        actor=committee,
    )
    rounds.add_custom_section(
        round_=open_round, label="Dukungan anggaran", words=100, groups=["umum"], actor=committee
    )
    copy = rounds.copy_round(
        source=open_round,
        name="Lomba 2027",
        actor=committee,
        submission_opens_at=utcnow() + timedelta(days=365),
    )
    db.session.commit()
    copy = db.session.get(Round, copy.id)
    names = [s.name for s in copy.sections_for("umum")]
    assert "sdg" not in names and names[-1] == "custom_1"
    assert copy.sections_for()[0].label == "Ringkasan Eksekutif"
    assert copy.section_limits["summary"] == 150 and copy.section_limits["custom_1"] == 100


def test_judge_sees_the_rounds_labels_and_not_switched_off_sections(
    app, login, committee, judge, opd, open_round
):
    entry = factories.make_entry(open_round, opd)
    entry.sdg = "Teks SDG yang tidak boleh dinilai."
    stage = factories.make_stage(open_round)
    assignment = factories.make_assignment(stage, entry, judge)
    rounds.set_sections(
        round_=open_round,
        limits={},
        labels={"impact": "Dampak Nyata"},
        off={"sdg"},
        actor=committee,
    )
    db.session.commit()
    page = login(judge).get(f"/judge/assignments/{assignment.id}").text
    assert "Dampak Nyata" in page
    assert "Teks SDG yang tidak boleh dinilai." not in page
    assert entry.sdg == "Teks SDG yang tidak boleh dinilai."  # kept
