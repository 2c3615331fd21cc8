"""Scores that look like typing mistakes (``judging.analysis.blunders``): listed on the
committee's ranking page with what the judge would be expected to give, mentioned in "why this
place", and a button that reopens the sheet with a message for the judge. The real sampler,
with the fewer sweeps of the analysis tests (``fewer_sweeps``, ``fits_once``)."""

import re
from datetime import timedelta

import numpy as np
import pytest
from sqlalchemy import event, select

from competition.audit.models import AuditRecord
from competition.db import db, utcnow
from competition.entries.models import Entry
from competition.notifications.models import Notification
from competition.rounds.models import Stage
from judging.analysis import blunders, explain, uncertainty_pages
from judging.analysis import uncertainty as unc_service
from judging.analysis.models import UncertaintyCache
from judging.panels.models import Assignment
from judging.results.models import Publication
from judging.scoring import rubric as rubric_service
from judging.scoring import sheets as sheet_service
from judging.scoring.models import ScoreChange, ScoreSheet, SheetStatus
from tests import factories

pytestmark = pytest.mark.usefixtures("fewer_sweeps", "fits_once")

# ten entries of clearly different quality, each scored by all four judges on 1-100
QUALITY = [88.0, 84.0, 80.0, 76.0, 72.0, 68.0, 64.0, 60.0, 56.0, 52.0]
OFFSET = [0.0, 3.0, -4.0, 1.0]  # the judges' habits
WOBBLE = [0.8, -0.6, 0.3, -0.9, 0.5, -0.2, 0.7, -0.4, 0.1, -0.8, 0.6]  # small honest noise
MISTAKE = (0, 2)  # the third (strict) judge typed 8.4 for 84 on the first entry (quality 88)


@pytest.fixture(autouse=True)
def _fresh_cache():
    unc_service._CACHE.clear()
    yield
    unc_service._CACHE.clear()


def _build(open_round, with_mistake: bool):
    stage = factories.make_stage(open_round, criteria=[("Mutu", 60), ("Dampak", 40)])
    stage.scale_min, stage.scale_max = 1, 100
    judges = [
        factories.make_user(role="judge", username=f"j{i}", name=f"Juri {name}")
        for i, name in enumerate(["Andi", "Budi", "Citra", "Dewi"])
    ]
    mutu, dampak = rubric_service.list_criteria(stage)
    for e, quality in enumerate(QUALITY):
        opd = factories.make_opd_user(f"OPD {e}", username=f"opd{e}")
        entry = factories.make_entry(open_round, opd, title=f"Inovasi {e}")
        for j, judge in enumerate(judges):
            total = round(quality + OFFSET[j] + WOBBLE[(3 * e + j) % len(WOBBLE)], 1)
            if with_mistake and (e, j) == MISTAKE:
                total = round(total / 10, 1)
            a = factories.make_assignment(stage, entry, judge)
            sheet_service.save_sheet(
                assignment=a,
                submit=True,
                actor=judge,
                now=utcnow(),
                inputs={
                    mutu.id: sheet_service.CriterionInput(total),
                    dampak.id: sheet_service.CriterionInput(total),
                },
                confirmed_low=True,  # the judge ticked "these low scores are right"
            )
    db.session.commit()
    return stage


@pytest.fixture
def mistake_stage(app, committee, open_round, cached_data):
    return cached_data(lambda: _build(open_round, True), "mistake")


@pytest.fixture
def clean_stage(app, committee, open_round, cached_data):
    return cached_data(lambda: _build(open_round, False), "clean")


def _text(html):
    return re.sub(
        r"\s+", " ", re.sub(r"<[^>]+>", " ", re.sub(r"<svg.*?</svg>", "", html, flags=re.S))
    )


def _mistake_sheet(stage) -> ScoreSheet:
    entry = db.session.scalar(select(Entry).where(Entry.title == f"Inovasi {MISTAKE[0]}"))
    return db.session.scalar(
        select(ScoreSheet)
        .join(Assignment)
        .join(Assignment.judge)
        .where(Assignment.stage_id == stage.id, Assignment.entry_id == entry.id)
        .where(Assignment.judge.has(name="Juri Citra"))
    )


def test_the_typed_mistake_is_flagged_and_nothing_else(app, mistake_stage):
    flagged = blunders.flagged_sheets(unc_service.stage_uncertainty(mistake_stage))
    assert flagged.n == 1 and len(flagged.sheets) == 1
    (m,) = flagged.sheets
    assert m.sheet_id == _mistake_sheet(mistake_stage).id
    assert m.entry.title == "Inovasi 0" and m.judge.name == "Juri Citra"
    assert m.total == pytest.approx(8.4, abs=0.05)
    # the judge's line: this strict judge would give the entry about 88 - 4 = 84
    assert m.expected == pytest.approx(QUALITY[0] + OFFSET[2], abs=2.0)
    assert m.p >= 0.9 and m.words == "sangat mungkin salah ketik"


def test_a_normal_stage_flags_nothing(app, login, committee, clean_stage):
    res = unc_service.stage_uncertainty(clean_stage).result
    assert res.sheet_blunder.size == 40 and float(res.sheet_blunder.max()) < blunders.THRESHOLD
    # the judge's line reproduces honest sheets to within their small noise
    data = unc_service.stage_uncertainty(clean_stage).data
    assert np.abs(res.expected_total(data.e_idx, data.j_idx) - data.total).max() < 3.0
    assert blunders.flagged_sheets(unc_service.stage_uncertainty(clean_stage)).n == 0
    page = _text(login(committee).get(f"/committee/stages/{clean_stage.id}/ranking").text)
    assert "Nilai yang tampak salah ketik" in page
    assert "Tidak ada nilai yang tampak salah ketik." in page
    assert "Minta juri memeriksa nilai ini" not in page


def test_ranking_page_lists_the_mistake_in_both_languages(app, login, committee, mistake_stage):
    client = login(committee)
    page = _text(client.get(f"/committee/stages/{mistake_stage.id}/ranking").text)
    section = page[page.index("Nilai yang tampak salah ketik") :]
    # the agreement figure above says it counts the mistake
    summary = page[
        page.index("Kesepakatan antarjuri") : page.index("Nilai yang tampak salah ketik")
    ]
    assert "Angka ini ikut menghitung 1 nilai yang tampak salah ketik" in summary
    assert "Inovasi 0" in section and "Juri Citra" in section and "8,40" in section
    assert "sangat mungkin salah ketik" in section
    assert "bobot kecil" in section and "Minta juri memeriksa nilai ini" in section
    # honest about the place: the stage's method (offset and scale, not robust) still counts it
    assert "mungkin masih menghitungnya" in section
    sheet = _mistake_sheet(mistake_stage)
    html = client.get(f"/committee/stages/{mistake_stage.id}/ranking").text
    assert f"/committee/stages/{mistake_stage.id}/sheets/{sheet.id}/check" in html
    with client.session_transaction() as s:
        s["lang"] = "en"
    en = _text(client.get(f"/committee/stages/{mistake_stage.id}/ranking").text)
    assert "Scores that look like typing mistakes" in en
    assert "very likely a mistake" in en and "Ask the judge to check this score" in en
    assert "It counts 1 score that looks like a typing mistake (listed below)" in en


def test_why_this_place_says_the_sheet_carried_little_weight(app, login, committee, mistake_stage):
    entry = db.session.scalar(select(Entry).where(Entry.title == "Inovasi 0"))
    page = _text(
        login(committee).get(f"/committee/stages/{mistake_stage.id}/entries/{entry.id}/why").text
    )
    assert "Juri Citra" in page and "tampak salah ketik" in page and "bobot kecil" in page
    # the flash names how likely a mistake it is once: "tampak salah ketik (mungkin salah ketik)"
    assert "perlu diperiksa (" in page and "salah ketik (" not in page
    html = login(committee).get(f"/committee/stages/{mistake_stage.id}/entries/{entry.id}/why").text
    assert "(±\u00a0" in html  # the sign never ends a line apart from its number
    other = db.session.scalar(select(Entry).where(Entry.title == "Inovasi 5"))
    quiet = _text(
        login(committee).get(f"/committee/stages/{mistake_stage.id}/entries/{other.id}/why").text
    )
    assert "salah ketik" not in quiet


def test_the_button_reopens_the_sheet_with_the_message(app, login, committee, judge, mistake_stage):
    sheet = _mistake_sheet(mistake_stage)
    sheet_id, judge_user = sheet.id, sheet.assignment.judge
    url = f"/committee/stages/{mistake_stage.id}/sheets/{sheet_id}/check"
    client = login(committee)
    preview = client.get(url)
    assert preview.status_code == 200
    text = _text(preview.text)
    # the prefilled message names the total, the expected score and the criterion scores
    reason = re.search(r"<textarea[^>]*>(.*?)</textarea>", preview.text, flags=re.S).group(1)
    assert "8,40" in reason and "Mutu: 8,4" in reason and "Dampak: 8,4" in reason
    # ten times the total is what the judge's line expects: said as a slip of scale
    assert "sekitar sepersepuluh" in reason and "skala 1-10" in reason
    assert "sangat mungkin salah ketik" in text
    # nothing changes on the preview; without the CSRF token the POST is refused
    assert db.session.get(ScoreSheet, sheet_id).status == SheetStatus.SUBMITTED
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        refused = client.post(url, data={"reason": "Periksa."})
        assert refused.status_code == 400
        assert db.session.get(ScoreSheet, sheet_id).status == SheetStatus.SUBMITTED
    finally:
        app.config["WTF_CSRF_ENABLED"] = False
    message = "Total Anda 8,40 untuk Inovasi 0: maksudnya 84? Mohon periksa Mutu dan Dampak."
    done = client.post(url, data={"reason": message})
    assert done.status_code == 302 and "/ranking" in done.headers["Location"]
    db.session.expire_all()
    sheet = db.session.get(ScoreSheet, sheet_id)
    assert sheet.status == SheetStatus.DRAFT and sheet.submitted_at is None
    change = db.session.scalar(
        select(ScoreChange).where(ScoreChange.sheet_id == sheet_id, ScoreChange.event == "reopened")
    )
    assert change.note == message and change.changed_by_id == committee.id
    audit = db.session.scalars(
        select(AuditRecord)
        .where(
            AuditRecord.target_type == ScoreSheet.__tablename__,
            AuditRecord.target_id == str(sheet_id),
        )
        .order_by(AuditRecord.id)
    ).all()
    assert audit and audit[-1].actor_id == committee.id
    # the judge sees the message on the sheet
    page = _text(login(judge_user).get(f"/judge/assignments/{sheet.assignment_id}").text)
    assert message in page
    # and is told once, with the message and a link to the sheet (judging.scoring.messages)
    [note] = db.session.scalars(
        select(Notification).where(
            Notification.user_id == judge_user.id, Notification.kind == "sheet_reopened"
        )
    ).all()
    assert message in note.body
    assert note.body.endswith(f"/judge/assignments/{sheet.assignment_id}")
    # and the ranking no longer lists the reopened sheet
    ranking = _text(client.get(f"/committee/stages/{mistake_stage.id}/ranking").text)
    assert "Minta juri memeriksa nilai ini" not in ranking


def test_judges_and_opds_cannot_use_the_action(app, login, opd, judge, mistake_stage):
    sheet_id = _mistake_sheet(mistake_stage).id
    url = f"/committee/stages/{mistake_stage.id}/sheets/{sheet_id}/check"
    for user in (judge, opd):
        for method in ("GET", "POST"):
            response = login(user).open(url, method=method, data={"reason": "x"})
            # refused by the committee area's role guard before the view, like every committee
            # page (tests/test_access_matrix.py asks 403 of every route of a committee area)
            assert response.status_code == 403, (user.role, method)
    assert db.session.get(ScoreSheet, sheet_id).status == SheetStatus.SUBMITTED


def test_another_stage_sheet_is_404(app, login, committee, open_round, mistake_stage):
    other = factories.make_stage(open_round)
    db.session.commit()
    sheet_id = _mistake_sheet(mistake_stage).id
    url = f"/committee/stages/{other.id}/sheets/{sheet_id}/check"
    assert login(committee).get(url).status_code == 404
    assert login(committee).post(url, data={"reason": "x"}).status_code == 404


def test_a_closed_stage_offers_no_button(app, login, committee, mistake_stage):
    stage = db.session.get(Stage, mistake_stage.id)
    stage.closes_at = utcnow() - timedelta(hours=1)
    db.session.commit()
    client = login(committee)
    page = _text(client.get(f"/committee/stages/{stage.id}/ranking").text)
    section = page[page.index("Nilai yang tampak salah ketik") :]
    assert "Juri Citra" in section and "ditutup" in section
    assert "Minta juri memeriksa nilai ini" not in page
    sheet_id = _mistake_sheet(stage).id
    url = f"/committee/stages/{stage.id}/sheets/{sheet_id}/check"
    preview = client.get(url)
    assert preview.status_code == 200 and "<textarea" not in preview.text
    refused = client.post(url, data={"reason": "Periksa."})
    assert refused.status_code == 409 and "ditutup" in _text(refused.text)
    assert db.session.get(ScoreSheet, sheet_id).status == SheetStatus.SUBMITTED


def test_the_probabilities_survive_the_shared_cache(app, mistake_stage):
    unc = unc_service.stage_uncertainty(mistake_stage)
    fitted = unc.result
    stored = db.session.scalar(
        select(UncertaintyCache.data).where(UncertaintyCache.digest == unc.digest)
    )
    loaded = unc_service.load_ranking(stored)
    assert loaded.sheet_blunder is not None and loaded.group_level is not None
    np.testing.assert_array_equal(loaded.sheet_blunder, fitted.sheet_blunder)
    np.testing.assert_array_equal(loaded.group_level, fitted.group_level)
    assert loaded.blunder_rate == fitted.blunder_rate > 0
    # a fresh process reads it from the shared cache and still flags the sheet
    unc_service._CACHE.clear()
    again = blunders.flagged_sheets(unc_service.stage_uncertainty(mistake_stage))
    assert [m.sheet_id for m in again.sheets] == [_mistake_sheet(mistake_stage).id]


def test_the_list_costs_the_same_queries_for_one_mistake_or_several(
    app, login, committee, mistake_stage
):
    client = login(committee)
    url = f"/committee/stages/{mistake_stage.id}/ranking"

    def count():
        client.get(url)  # the fit is cached
        statements = []

        def record(conn, cursor, statement, *args):
            statements.append(statement)

        event.listen(db.engine, "before_cursor_execute", record)
        try:
            page = client.get(url)
        finally:
            event.remove(db.engine, "before_cursor_execute", record)
        return len(statements), _text(page.text)

    one, page = count()
    assert page.count("sangat mungkin salah ketik") == 1
    # a second judge types 6.2 for 62 on another entry
    entry = db.session.scalar(select(Entry).where(Entry.title == "Inovasi 6"))
    sheet = db.session.scalar(
        select(ScoreSheet).join(Assignment).where(Assignment.entry_id == entry.id).limit(1)
    )
    sheet.total = round(sheet.total / 10, 1)
    db.session.commit()
    two, page = count()
    assert page.count("sangat mungkin salah ketik") == 2
    assert two == one


def test_a_tenth_of_the_expected_total_reads_as_a_slip_of_scale():
    assert blunders.looks_like_a_tenth(8.4, 84.0)
    assert blunders.looks_like_a_tenth(7.0, 78.0)  # a digit dropped: 78 -> 7
    assert not blunders.looks_like_a_tenth(30.0, 84.0)  # far off, but not a tenth
    assert not blunders.looks_like_a_tenth(8.4, 50.0)
    assert not blunders.looks_like_a_tenth(0.0, 0.0)


def test_publishing_lists_the_mistake_until_the_committee_confirms(
    app, login, committee, mistake_stage
):
    client = login(committee)
    url = f"/committee/stages/{mistake_stage.id}/publish"
    r = client.post(url, data={"confirm_open": "y"})
    assert r.status_code == 409
    page = _text(r.text)
    section = page[page.index("Nilai yang tampak salah ketik") :]
    assert "Inovasi 0" in section and "Juri Citra" in section and "total 8,40" in section
    assert "Nilai yang diumumkan tetap menghitungnya" in section
    assert f"/committee/stages/{mistake_stage.id}/ranking#mistakes" in r.text
    assert not db.session.scalar(select(Publication.id))
    r = client.post(url, data={"confirm_open": "y", "confirm_uncertain": "y"})
    assert r.status_code == 302 and db.session.scalar(select(Publication.id))


def test_a_clean_stage_publishes_without_a_mistakes_section(app, login, committee, clean_stage):
    assert not uncertainty_pages.publish_risks(clean_stage).mistakes


def test_the_method_sentences_say_a_far_off_score_counts_little(app, login, committee, clean_stage):
    """The method in five plain sentences (ranking page, berita acara) names the discount of
    a likely typing mistake, in both languages."""
    with app.test_request_context():  # the berita acara's sentences, Indonesian by default
        third = explain.method_sentences()[2]
    assert (
        "nilai yang jauh dari semua nilai lain juri itu (misalnya 9 yang diketik untuk 90)" in third
    )
    client = login(committee)
    with client.session_transaction() as s:
        s["lang"] = "en"
    page = _text(client.get(f"/committee/stages/{clean_stage.id}/ranking").text)
    assert "a score far from everything else its judge gave (such as 9 typed for 90) counts" in page
