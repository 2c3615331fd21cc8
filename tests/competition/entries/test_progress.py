"""After submission the OPD follows its entry through every stage; drafts autosave."""

from datetime import timedelta

from competition.db import db, utcnow
from competition.entries import screening
from competition.entries.services import progress_of, standing_of
from competition.rounds import services as rounds
from tests import factories
from tests.competition.entries.test_entries import _form


def test_opd_sees_its_status_in_every_stage(app, login, committee, opd, open_round):
    rounds.apply_stage_template(round_=open_round, actor=committee)
    open_round.stages[4].is_skipped = True
    entry = factories.make_entry(open_round, opd)
    db.session.commit()
    page = login(opd).get(f"/opd/entries/{entry.id}").text
    assert "Seleksi Administrasi" in page and "belum diseleksi" in page
    assert "Verifikasi Lapangan" not in page  # skipped
    screening.decide(entry=entry, eligible=True, reason="Lengkap.", actor=committee, now=utcnow())
    desk = open_round.stages[2]
    desk.opens_at = utcnow() - timedelta(days=1)
    db.session.commit()
    states = [state for _, state in progress_of(entry, utcnow())]
    assert states == ["submitted", "eligible", "in_evaluation", "upcoming", "upcoming"]
    page = login(opd).get(f"/opd/entries/{entry.id}").text
    assert "sedang dinilai" in page and "memenuhi syarat" in page


def test_edit_page_autosaves_and_a_save_without_files_keeps_them(app, login, opd, open_round):
    client = login(opd)
    new_page = client.get(f"/opd/rounds/{open_round.id}/entries/new").text
    assert "data-autosave" not in new_page  # a new proposal is created by its first save
    client.post(f"/opd/rounds/{open_round.id}/entries/new", data=_form(open_round, save="1"))
    from sqlalchemy import select

    from competition.entries.models import Entry

    entry = db.session.scalar(select(Entry))
    assert "data-autosave" in client.get(f"/opd/entries/{entry.id}/edit").text
    # What the autosave posts: the fields, "save", no files.
    response = client.post(
        f"/opd/entries/{entry.id}/edit",
        data=_form(open_round, sk_file=None, summary="Ringkasan baru.", save="1"),
    )
    assert response.status_code == 302
    db.session.refresh(entry)
    assert entry.summary == "Ringkasan baru." and len(entry.attachments) == 1


def test_stages_after_the_one_it_did_not_advance_to_read_not_reached(
    app, login, committee, opd, open_round
):
    """An entry found not eligible did not advance to the desk evaluation; the presentation
    and the field verification after it are stages it never reaches, not three failures."""
    rounds.apply_stage_template(round_=open_round, actor=committee)
    entry = factories.make_entry(open_round, opd)
    db.session.commit()
    screening.decide(entry=entry, eligible=False, reason="Tanpa SK.", actor=committee, now=utcnow())
    db.session.commit()
    states = [state for _, state in progress_of(entry, utcnow())]
    assert states == [
        "submitted",
        "ineligible",
        "not_advanced",
        "not_reached",
        "not_reached",
        "upcoming",
    ]
    assert standing_of(entry, utcnow()) == (open_round.stages[2], "not_advanced")
    page = login(opd).get(f"/opd/entries/{entry.id}").text
    assert page.count("tidak lolos") == 1 and page.count("tidak sampai ke tahap ini") == 2


def test_the_proposal_names_its_group_as_the_form_does(app, login, opd, open_round):
    """The proposal's group reads "Umum" as in the form's choices (it read "umum")."""
    entry = factories.make_entry(open_round, opd)
    db.session.commit()
    page = login(opd).get(f"/opd/entries/{entry.id}").text
    assert "<dt>Kelompok</dt><dd>Umum</dd>" in page
