"""The ranking's uncertainty on the committee's pages: ranges of places, chances, decided and
undecided cuts, why an entry has its place, and one more judge where it decides."""

import re

import numpy as np
import pytest
from flask_babel import force_locale
from sqlalchemy import func, select

from competition.accounts.models import User
from competition.audit.models import AuditRecord
from competition.db import db, utcnow
from competition.entries.models import Entry
from competition.jobs.models import Job
from competition.notifications.models import Notification
from judging.analysis import explain
from judging.analysis import uncertainty as unc_service
from judging.analysis.models import UncertaintyCache
from judging.panels.models import Assignment
from judging.scoring import rubric as rubric_service
from judging.scoring import sheets as sheet_service
from tests import factories
from tests.judging.analysis.conftest import score_by_panels

pytestmark = pytest.mark.usefixtures("fewer_sweeps", "fits_once")

QUALITY = {"Alpha": 8.0, "Beta": 7.5, "Gamma": 6.0, "Delta": 5.0, "Epsilon": 4.5}
PANELS = {"Alpha": [0, 2], "Beta": [0, 1], "Gamma": [1, 2], "Delta": [0, 1], "Epsilon": [1, 2]}
OFFSET = [0.0, 0.0, -3.0]  # the third judge is strict


@pytest.fixture(autouse=True)
def _fresh_cache():
    unc_service._CACHE.clear()
    yield
    unc_service._CACHE.clear()


@pytest.fixture
def scored_stage(app, committee, open_round, cached_data):
    """Built once per module and copied (see ``cached_data``)."""

    def build():
        return score_by_panels(
            open_round,
            quality=QUALITY,
            panels=PANELS,
            offset=OFFSET,
            judge_names=["Juri Netral", "Juri Biasa", "Juri Ketat", "Juri Cadangan"],
        )

    return cached_data(build)


def _entry(title):
    return db.session.scalar(select(Entry).where(Entry.title == title))


def _text(html):
    return re.sub(
        r"\s+", " ", re.sub(r"<[^>]+>", " ", re.sub(r"<svg.*?</svg>", "", html, flags=re.S))
    )


def test_ranking_page_shows_ranges_chances_and_decided_cuts(login, committee, scored_stage):
    page = _text(login(committee).get(f"/committee/stages/{scored_stage.id}/ranking").text)
    res = unc_service.stage_uncertainty(scored_stage).result
    assert "Nilai terkoreksi" in page
    assert "Seberapa pasti peringkat ini?" in page
    assert "Kesepakatan antarjuri: " in page and "alfa Krippendorff" in page
    assert "Sudah pasti / Masih bisa bertukar" in page and "Pemenang (peringkat 1–3)" in page
    assert "Peluang masuk 3 besar" in page  # the column says which places it counts
    data = unc_service.load_stage(scored_stage)
    html = login(committee).get(f"/committee/stages/{scored_stage.id}/ranking").text
    # each row's chance, under the column's heading (which says which places it counts)
    chances = re.findall(r'<small class="chance">([^<]*)</small>', html)
    assert len(chances) == data.n_entries
    for i in range(data.n_entries):
        lo, hi = int(res.rank_lo[i]), int(res.rank_hi[i])
        expected = f"ke-{lo}" if lo == hi else f"ke-{lo} sampai ke-{hi}"
        assert expected in page
        assert explain.percent(res.p_top[i]).replace("\u00a0", " ") in {
            c.replace("&lt;", "<").replace("&gt;", ">").replace("\u00a0", " ") for c in chances
        }
    # the tie mark appears exactly on the entries tied with the next place
    assert html.count("seri dengan peringkat berikutnya") == int(res.tied_with_next.sum())
    # every entry has a score: nothing is "ahead so far" only
    assert "belum memiliki nilai" not in page and "ementara unggul" not in page


def test_no_place_is_decided_while_an_entry_has_no_score(login, committee, open_round):
    """An entry of the category still waiting for its first sheet could come above everyone:
    the box says so and calls the leaders "ahead so far", not decided."""
    stage = score_by_panels(
        open_round,
        quality={"Alpha": 9.5, "Beta": 5.2, "Gamma": 4.7, "Delta": 4.4, "Epsilon": 4.0},
        panels={t: [0, 1, 2] for t in ("Alpha", "Beta", "Gamma", "Delta", "Epsilon")},
        offset=[0.0, 0.1, -0.3],
        judge_names=["Juri Satu", "Juri Dua", "Juri Tiga"],
    )
    url = f"/committee/stages/{stage.id}/ranking"
    before = _text(login(committee).get(url).text)
    assert "Terbaik I (peringkat 1): sudah pasti: Alpha" in before
    assert "belum memiliki nilai" not in before and "ementara unggul" not in before
    opd = factories.make_opd_user("OPD Zeta", username="zeta")
    zeta = factories.make_entry(open_round, opd, title="Zeta")
    judge = db.session.scalar(select(User).where(User.username == "j0"))
    factories.make_assignment(stage, zeta, judge)
    db.session.commit()
    page = _text(login(committee).get(url).text)
    assert (
        "1 inovasi dalam kategori ini belum memiliki nilai yang dikirim: inovasi tersebut masih "
        "bisa berada di atas yang lain, jadi belum ada peringkat yang pasti" in page
    )
    assert "Terbaik I (peringkat 1): sementara unggul: Alpha" in page
    # and the summary above the table never says every cut is decided
    assert "1 inovasi belum memiliki nilai yang dikirim" in page
    assert "Semua batas penghargaan dan kelulusan sudah pasti" not in page
    assert "sudah pasti: Alpha" not in page
    english = _text(_in_english(login(committee)).get(url).text)
    assert "1 entry of this category has no submitted score yet" in english
    assert "ahead so far: Alpha" in english


def test_uncertainty_is_cached_until_a_sheet_changes(app, scored_stage, monkeypatch):
    calls = []
    real = unc_service.rank_uncertainty
    monkeypatch.setattr(
        unc_service, "rank_uncertainty", lambda *a, **k: calls.append(1) or real(*a, **k)
    )
    first = unc_service.stage_uncertainty(scored_stage).result
    assert unc_service.stage_uncertainty(scored_stage).result is first and len(calls) == 1
    sheet = db.session.scalars(select(Assignment)).first().sheet
    sheet.total = float(sheet.total) + 1
    db.session.commit()
    assert unc_service.stage_uncertainty(scored_stage).result is not first and len(calls) == 2


def test_large_stage_is_computed_off_the_request(login, committee, scored_stage, monkeypatch):
    started = []
    monkeypatch.setattr(unc_service, "LARGE_STAGE", 3)
    monkeypatch.setattr(
        unc_service.worker, "enqueue_detached", lambda kind, **kw: started.append((kind, kw))
    )
    client = login(committee)
    page = client.get(f"/committee/stages/{scored_stage.id}/ranking").text
    assert "Sedang menghitung rentang peringkat" in page and len(started) == 1
    assert started[0][0] == unc_service.KIND
    out = app_cli(scored_stage)
    assert "undecided" in out.output and out.exit_code == 0
    # the CLI stored its result in the shared cache (the database), which serves the page
    unc_service._CACHE.clear()
    page = client.get(f"/committee/stages/{scored_stage.id}/ranking").text
    assert "Sedang menghitung" not in page and "Kesepakatan antarjuri" in page


def test_large_stage_job_fills_the_shared_cache(login, committee, scored_stage, monkeypatch):
    """The background job (inline in tests) fits the stage into the database; another process
    (here: an emptied process cache) reads it without fitting again."""
    monkeypatch.setattr(unc_service, "LARGE_STAGE", 3)
    client = login(committee)
    client.get(f"/committee/stages/{scored_stage.id}/ranking")  # queues the job: it runs
    [job] = db.session.scalars(select(Job)).all()
    assert (job.kind, job.state) == (unc_service.KIND, "done")
    assert db.session.scalar(select(func.count()).select_from(UncertaintyCache)) == 1
    unc_service._CACHE.clear()
    calls = []
    monkeypatch.setattr(unc_service, "_fit", lambda *a: calls.append(a))
    page = client.get(f"/committee/stages/{scored_stage.id}/ranking").text
    assert "Sedang menghitung" not in page and "Kesepakatan antarjuri" in page
    assert calls == [] and len(db.session.scalars(select(Job)).all()) == 1


def app_cli(stage):
    from flask import current_app

    return current_app.test_cli_runner().invoke(args=["juri", "uncertainty", str(stage.id)])


def test_why_this_place_lists_each_judge_with_their_habits(login, committee, scored_stage):
    alpha = _entry("Alpha")
    page = _text(
        login(committee).get(f"/committee/stages/{scored_stage.id}/entries/{alpha.id}/why").text
    )
    assert "Mengapa peringkat ini: Alpha" in page
    assert "Juri Netral 8,00" in page and "Juri Ketat 5,00" in page and "Juri Biasa" not in page
    assert "di bawah juri lain (ketat)" in page  # the strict judge's offset in words
    # why its range is as wide as it is: how far apart its judges are
    assert (
        "Total dari para juri untuk inovasi ini berselisih 3,0 poin (dari 5,00 sampai 8,00)" in page
    )
    assert "Nilai terkoreksi:" in page and "kemungkinan peringkat: ke-" in page


def test_why_this_place_is_404_for_an_entry_outside_the_stage(login, committee, scored_stage):
    client = login(committee)
    assert client.get(f"/committee/stages/{scored_stage.id}/entries/99999/why").status_code == 404
    assert client.get("/committee/stages/99999/entries/1/why").status_code == 404


def test_why_this_place_is_committee_only(login, judge, opd, scored_stage):
    alpha = _entry("Alpha")
    for user in (judge, opd):
        url = f"/committee/stages/{scored_stage.id}/entries/{alpha.id}/why"
        assert login(user).get(url).status_code in (403, 404)


def test_one_more_judge_for_exactly_the_undecided_entries(login, committee, scored_stage):
    client = login(committee)
    page = client.get(f"/committee/stages/{scored_stage.id}/undecided").text
    assert "Inovasi yang belum pasti" in page
    from judging.analysis import extra_judges

    plan = extra_judges.plan(scored_stage)
    undecided = {e.id for e, _cut, p in plan.undecided}
    assert undecided and all(0.1 < p < 0.9 for _e, _c, p in plan.undecided)
    assert {p.entry.id for p in plan.proposals} <= undecided
    assert "diperkirakan berkurang rata-rata sekitar" in page
    assert "belum dikirim" not in page  # every assigned sheet is in
    before = db.session.scalar(select(func.count(Assignment.id)))
    audits = db.session.scalar(select(func.count(AuditRecord.id)))
    notes = db.session.scalar(select(func.count(Notification.id)))
    bad = client.post(f"/committee/stages/{scored_stage.id}/undecided/assign", data={"digest": "x"})
    assert bad.status_code == 302
    assert db.session.scalar(select(func.count(Assignment.id))) == before
    client.post(
        f"/committee/stages/{scored_stage.id}/undecided/assign", data={"digest": plan.digest}
    )
    added = db.session.scalars(select(Assignment).where(Assignment.is_manual.is_(True))).all()
    assert len(added) == len(plan.proposals)
    assert {(a.entry_id, a.judge_id) for a in added} == {
        (p.entry.id, p.judge.id) for p in plan.proposals
    }
    assert db.session.scalar(select(func.count(AuditRecord.id))) > audits
    assert db.session.scalar(select(func.count(Notification.id))) > notes
    # the extra judges' sheets are now awaited: the page says so before proposing more
    n = len(added)
    page = _text(client.get(f"/committee/stages/{scored_stage.id}/undecided").text)
    assert f"{n} lembar penilaian yang ditugaskan belum dikirim: rentang peringkat" in page
    assert "belum memiliki nilai" not in page
    # an entry waiting for its first sheet is not among the undecided ones: said in words
    opd = factories.make_opd_user("OPD Zeta", username="zeta")
    zeta = factories.make_entry(scored_stage.round, opd, title="Zeta")
    factories.make_assignment(scored_stage, zeta, added[0].judge)
    db.session.commit()
    page = _text(_in_english(client).get(f"/committee/stages/{scored_stage.id}/undecided").text)
    assert f"{n + 1} assigned score sheets are not submitted yet" in page
    assert "1 entry has no submitted score yet, so it is not counted below." in page


def test_extra_judge_never_has_a_conflict(login, committee, scored_stage):
    from judging.analysis import extra_judges
    from judging.panels.conflicts import has_conflict

    plan = extra_judges.plan(scored_stage)
    assert plan.proposals
    for p in plan.proposals:
        assert not has_conflict(p.judge, p.entry)
        assert p.se_new < p.se_now or not np.isfinite(p.se_now)


@pytest.mark.parametrize(
    ("alpha", "word"),
    [(0.5, "rendah"), (0.7, "sementara"), (0.9, "baik"), (float("nan"), "tidak dapat diukur")],
)
def test_agreement_bands_in_words(app, alpha, word):
    with app.test_request_context(), force_locale("id"):
        assert word in explain.agreement(alpha)


def test_judge_habits_in_words(app):
    with app.test_request_context(), force_locale("en"):
        assert explain.leniency(8.0, 100) == "scores about 8 points above the others (lenient)"
        assert explain.leniency(-12.4, 100) == "scores about 12 points below the others (strict)"
        assert explain.leniency(1.0, 100) == "scores about like the others"
        assert explain.spread(0.7).startswith("uses a narrow range")
        assert explain.spread(1.3).startswith("uses a wide range")
        assert explain.spread(1.0) == "uses a range like the others"
        assert (
            explain.place_range(3, 6).striptags() == "3rd–6th"
            and explain.place_range(11, 11).striptags() == "11th"
        )
        assert '<span class="nowrap">3rd</span>' in explain.place_range(3, 6)
        assert explain.chance_top(0.72, 3) == "chance of a top-3 place: 72%"


def test_percentages_and_ranges_in_the_locales_format(app):
    """A percentage as both locales write it (CLDR: "72%", no space that a line could break at);
    the Indonesian range of places in words, not "ke-3–ke-6"."""
    with app.test_request_context():
        for lang in ("en", "id"):
            with force_locale(lang):
                assert explain.percent(0.72) == "72%"
                assert explain.percent(0.004) == "<\u00a01%"  # never "<" alone at a line's end
                assert explain.percent(0.996) == ">\u00a099%"
                assert explain.percent(0.0) == "0%" and explain.percent(1.0) == "100%"
        with force_locale("id"):
            assert explain.place_range(3, 6).striptags() == "ke-3 sampai ke-6"
            assert explain.place_range(2, 2).striptags() == "ke-2"
            assert explain.chance_top(0.5, 3) == "peluang masuk 3 besar: 50%"


def test_cache_is_bounded_by_memory(app, scored_stage, monkeypatch):
    first = unc_service.stage_uncertainty(scored_stage).result
    size = unc_service._nbytes(first)
    monkeypatch.setattr(unc_service, "CACHE_BYTES", size + 1)
    unc_service._store(("other",), first)  # a second result of the same size
    assert list(unc_service._CACHE) == [("other",)]  # the older one made room


def test_one_judge_per_entry_claims_no_decision(login, committee, open_round):
    stage = factories.make_stage(open_round, criteria=[("Mutu", 100)])
    judge = factories.make_user(role="judge", username="solo", name="Juri Tunggal")
    criterion = rubric_service.list_criteria(stage)[0]
    for k, title in enumerate(["Satu", "Dua", "Tiga", "Empat"]):
        opd = factories.make_opd_user(f"OPD {title}", username=f"o{k}")
        entry = factories.make_entry(open_round, opd, title=title)
        a = factories.make_assignment(stage, entry, judge)
        sheet_service.save_sheet(
            assignment=a,
            submit=True,
            actor=judge,
            now=utcnow(),
            inputs={criterion.id: sheet_service.CriterionInput(9.0 - k)},
        )
    db.session.commit()
    client = login(committee)
    warning = "Tidak ada inovasi yang dinilai dua juri, sehingga ketidakkonsistenan juri"
    page = client.get(f"/committee/stages/{stage.id}/ranking").text
    assert warning in page and "Semua batas penghargaan dan kelulusan sudah pasti" not in page
    page = client.get(f"/committee/stages/{stage.id}/undecided").text
    assert warning in page and "Tugaskan juri-juri ini" not in page
    r = client.post(f"/committee/stages/{stage.id}/publish")
    assert r.status_code == 409 and warning in r.text


def test_place_shown_always_lies_in_the_range_shown(login, committee, scored_stage):
    """The place is the stage's method's (or the method picked on the page); the range and
    chances are the judge model's, stretched where needed to hold the place."""
    from judging.analysis import uncertainty_pages
    from judging.analysis.services import rank_arrays
    from judging.normalize import METHODS

    page = uncertainty_pages.ranking_page(scored_stage)
    data = unc_service.load_stage(scored_stage)
    res = page.result
    for method in METHODS:
        ranked = rank_arrays(scored_stage, method, data=data)
        for i, entry_id in enumerate(data.entry_ids.tolist()):
            row = page.row_for(entry_id, int(ranked.rank[i]))
            assert row.rank_lo <= ranked.rank[i] <= row.rank_hi
            assert row.rank_lo <= res.rank_lo[i] and row.rank_hi >= res.rank_hi[i]
            assert row.widened == ((row.rank_lo, row.rank_hi) != (res.rank_lo[i], res.rank_hi[i]))
    client = login(committee)
    for method in ("bias_scale", "raw"):
        html = client.get(f"/committee/stages/{scored_stage.id}/ranking?method={method}").text
        assert "rentang itu selalu mencakup peringkat tersebut" in html
    # why this place shows the stage's method's place
    ranked = rank_arrays(scored_stage, data=data)
    for title in QUALITY:
        k = data.entry_ids.tolist().index(_entry(title).id)
        why = _text(
            client.get(f"/committee/stages/{scored_stage.id}/entries/{_entry(title).id}/why").text
        )
        assert f"Peringkat {int(ranked.rank[k])};" in why


def test_publishing_page_and_minutes_state_which_place_is_shown(login, committee, scored_stage):
    import io

    from pypdf import PdfReader

    client = login(committee)
    review = _text(client.get(f"/committee/rounds/{scored_stage.round_id}/results").text)
    assert "rentang itu selalu mencakup peringkat tersebut" in review
    assert "P(top" not in review
    assert (
        client.post(
            f"/committee/stages/{scored_stage.id}/publish", data={"confirm_uncertain": "y"}
        ).status_code
        == 302
    )
    pdf = client.get(f"/committee/rounds/{scored_stage.round_id}/results/berita-acara.pdf")
    text = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.data)).pages)
    assert "6. Peringkat berasal dari metode penilaian tahap ini" in " ".join(text.split())


JARGON = (
    "bootstrap",
    "P(top",
    "resample",
    "sampel ulang",
    "statistical tie",
    "seri secara statistik",
)


def _in_english(client):
    with client.session_transaction() as s:
        s["lang"] = "en"
    return client


def test_ranking_page_explains_its_numbers_without_jargon(login, committee, scored_stage):
    """A reader who never heard of a z-score: alpha on its 0-1 scale with its bands, what the
    ± and the two score columns are, in both languages; no bootstrap or P(top N)."""
    url = f"/committee/stages/{scored_stage.id}/ranking"
    page = _text(login(committee).get(url).text)
    assert "pada skala dari 0 (tidak lebih sepakat daripada kebetulan) sampai 1" in page
    assert "Di bawah 0,67 berarti rendah, 0,67 sampai 0,80 sementara, di atas 0,80 baik" in page
    assert "± di belakang nilai adalah ketidakpastiannya dalam poin rubrik" in page
    assert "Nilai: nilai menurut metode tahap ini, yang menentukan peringkat." in page
    assert "satu juri tambahan untuk entri itu akan memastikannya" not in page
    english = _text(_in_english(login(committee)).get(url).text)
    assert "on a scale from 0 (no more agreement than chance) to 1" in english
    assert "± after a score is its uncertainty in rubric points" in english
    assert "one more judge for them would settle it" not in english
    for text in (page, english):
        assert not [word for word in JARGON if word in text]


def test_ranking_page_while_computing_explains_without_jargon(
    login, committee, scored_stage, monkeypatch
):
    """While a large stage's fit is computed, the page falls back on the bootstrap's ties and
    ranges: said in plain words there too."""
    monkeypatch.setattr(unc_service, "LARGE_STAGE", 3)
    monkeypatch.setattr(unc_service.worker, "enqueue_detached", lambda kind, **kw: None)
    url = f"/committee/stages/{scored_stage.id}/ranking"
    page = _text(login(committee).get(url).text)
    assert "Sedang menghitung rentang peringkat" in page
    assert "pengundian ulang lembar penilaian" in page and "Peluang masuk 3 besar" in page
    english = _text(_in_english(login(committee)).get(url).text)
    assert "re-draws of the score sheets" in english
    for text in (page, english):
        assert not [word for word in JARGON if word in text]


def test_one_place_cuts_read_as_one_place(app):
    cut = unc_service.Cut
    with app.test_request_context(), force_locale("id"):
        assert explain.cut_label(cut(1, "level", "Terbaik I")) == "Terbaik I (peringkat 1)"
        assert (
            explain.cut_label(cut(2, "level", "Terbaik II")) == "Sampai Terbaik II (peringkat 1–2)"
        )
        assert explain.cut_label(cut(3, "award")) == "Pemenang (peringkat 1–3)"
        assert explain.cut_label(cut(5, "advance")) == "Lolos ke tahap berikutnya (peringkat 1–5)"
    with app.test_request_context(), force_locale("en"):
        assert explain.cut_label(cut(1, "level", "Juara I")) == "Juara I (place 1)"
        assert explain.cut_label(cut(1, "award")) == "Winner (place 1)"
        assert explain.cut_label(cut(3, "award")) == "Winners (places 1–3)"
        assert explain.cut_label(cut(3, "level", "Juara III")) == "Up to Juara III (places 1–3)"
        # before the last scored stage nobody wins: its top places
        assert explain.cut_label(cut(5, "top")) == "Top 5 (places 1–5)"
        assert explain.cut_label(cut(1, "top")) == "First place"


def test_reliability_says_why_it_can_exceed_the_agreement(app):
    with app.test_request_context(), force_locale("en"):
        both = explain.reliability(0.92, 0.44)
        assert "92%" in both and "higher than the agreement" in both
        assert "higher than the agreement" not in explain.reliability(0.31, 0.32)
        assert "higher than the agreement" not in explain.reliability(0.9)


def test_points_are_written_in_the_pages_language(app):
    from judging.analysis.comparison import _reason

    strict = factories.make_user(role="judge", username="ketat", name="Juri Ketat")
    with app.test_request_context(), force_locale("id"):
        assert explain.points(-16.06, signed=True) == "-16,1 poin"
        assert (
            _reason(3, [(strict, -16.06)])
            == "Dinilai oleh juri yang ketat: Juri Ketat (-16,1 poin)"
        )
        assert "0,3 poin di bawah panel" in _reason(1, [(strict, -0.4), (strict, -0.2)])
        # on a 0-100 scale a judge 0.6 points below the panel is not called severe
        mild = factories.make_user(role="judge", username="ringan", name="Juri Ringan")
        both = [(mild, -0.6), (strict, -15.0)]
        assert _reason(2, both, 100.0) == "Dinilai oleh juri yang ketat: Juri Ketat (-15,0 poin)"
        assert "Juri Ringan" not in _reason(2, both, 100.0)
        assert "Juri Ringan (-0,6 poin)" in _reason(2, both, 9.0)  # on 1-10 it is
    with app.test_request_context(), force_locale("en"):
        assert explain.points(4.2, signed=True) == "+4.2 points"


def test_why_this_place_shows_the_score_that_gives_the_place(login, committee, scored_stage):
    from judging.analysis.services import rank_arrays

    data = unc_service.load_stage(scored_stage)
    ranked = rank_arrays(scored_stage, data=data)
    client = login(committee)
    for title in QUALITY:
        entry = _entry(title)
        k = data.entry_ids.tolist().index(entry.id)
        why = _text(client.get(f"/committee/stages/{scored_stage.id}/entries/{entry.id}/why").text)
        score = f"{ranked.score[k]:.2f}".replace(".", ",")
        assert f"Nilai menurut metode tahap ini, yang menentukan peringkat: {score}." in why
        assert "± di belakang nilai adalah ketidakpastiannya" in why
        assert "perkiraan model juri" in why
        assert "murah" not in why and "Longgar atau ketat" in why


def test_judges_page_reads_alpha_in_words(login, committee, scored_stage):
    page = _text(login(committee).get(f"/committee/stages/{scored_stage.id}/judges").text)
    assert "Kesepakatan antarjuri:" in page and "pada skala dari 0" in page
    assert "Reliabilitas antarpenilai (alfa Krippendorff, interval)" not in page
    assert "Derau: berapa poin total juri biasanya menyimpang" in page
    assert "korelasi" not in page  # the judge's agreement in words, its scale and its dash
    assert "Kesepakatan: seberapa sejalan total juri dengan konsensus juri lain" in page
    assert "dari -1 sampai 1 (1: selalu sejalan dengan juri lain; 0: tidak ada hubungan" in page
    assert "– bila juri itu berbagi kurang dari 3 inovasi dengan juri lain" in page
    client = login(committee)
    client.post("/language", data={"lang": "en"})
    page = _text(client.get(f"/committee/stages/{scored_stage.id}/judges").text)
    assert "correlation" not in page
    assert "Agreement: how closely the judge's totals follow the other judges' consensus" in page
    assert "from -1 to 1 (1: always in step with the others; 0: no relation" in page


def test_undecided_page_gives_uncertainty_in_points(login, committee, scored_stage):
    page = _text(login(committee).get(f"/committee/stages/{scored_stage.id}/undecided").text)
    assert re.search(r"±&nbsp;\d+,\d\d poin", page)  # never "±" alone at a line's end


def test_publishing_page_marks_awards_whose_order_is_undecided(login, committee, scored_stage):
    from judging.analysis import uncertainty_pages

    html = login(committee).get(f"/committee/rounds/{scored_stage.round_id}/results").text
    page = uncertainty_pages.ranking_page(scored_stage)
    undecided = [e.id for e in db.session.scalars(select(Entry)) if page.award_undecided(e.id)]
    assert undecided  # the fixture's strict judge leaves some award cut open
    assert html.count('<span class="badge">belum pasti</span>') == len(undecided)
    assert "“Belum pasti” di samping penghargaan" in _text(html)
    # the page it points to is a link, not a name to look for on another page
    link = f'<a href="/committee/stages/{scored_stage.id}/undecided">Tambah juri di tempat yang'
    assert link in html and "lihat “Tambah juri" not in html
    assert not [word for word in JARGON if word in _text(html)]


def test_minutes_give_each_place_its_published_range(login, committee, scored_stage):
    """The berita acara does not present an undecided order as decided: each ranked entry has
    its range of likely places (and ~ when tied with the next), those stored with the
    publication, which stay its ranges when the sheets change afterwards."""
    import io

    from pypdf import PdfReader

    from judging.results import publications
    from judging.results.feedback import likely_places

    client = login(committee)
    url = f"/committee/rounds/{scored_stage.round_id}/results/berita-acara.pdf"
    assert (
        client.post(
            f"/committee/stages/{scored_stage.id}/publish", data={"confirm_uncertain": "y"}
        ).status_code
        == 302
    )
    [(stage, pub, results)] = publications.list_published_results(scored_stage.round)
    places = likely_places(stage, pub, results)
    assert set(places) == {r.entry_id for r in results if r.rank > 0}
    assert any(lo < hi for lo, hi, _tied in places.values())  # some order is undecided

    def pdf_text():
        pdf = client.get(url)
        return " ".join(
            " ".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.data)).pages).split()
        )

    text = pdf_text()
    assert "Kemungkinan peringkat: rentang peringkat yang dicapai inovasi pada 90%" in text
    for r in results:
        lo, hi, tied = places[r.entry_id]
        shown = str(lo) if lo == hi else f"{lo}-{hi}"
        mark = " ~" if tied else ""
        score = f"{r.score:.2f}".replace(".", ",")
        row = rf"{r.rank}{mark} {re.escape(r.entry.title)} .*?{score} {shown} "
        assert re.search(row, text), row
    assert places == {r.entry_id: (r.rank_lo, r.rank_hi, r.tied_with_next) for r in results}
    # a sheet changed after publication: the published ranges are still the publication's
    sheet = db.session.scalars(select(Assignment)).first().sheet
    sheet.total = float(sheet.total) + 1
    db.session.commit()
    unc_service._CACHE.clear()
    assert likely_places(stage, pub, results) == places
    assert text == pdf_text()


def test_minutes_of_a_publication_without_stored_ranges_while_the_sheets_are_unchanged(
    login, committee, scored_stage
):
    """A publication written before the ranges were stored: the berita acara gives each place
    its range from the current fit as long as the sheets are those that were published, and
    none once they changed (they would no longer be those of the ranking)."""
    import io

    from pypdf import PdfReader

    from judging.results import publication as publication_service
    from judging.results import publications
    from judging.results.feedback import likely_places

    publication_service.publish_results(stage=scored_stage, actor=committee, now=utcnow())
    db.session.commit()
    [(stage, pub, results)] = publications.list_published_results(scored_stage.round)
    assert all(r.rank_hi is None for r in results)
    places = likely_places(stage, pub, results)
    assert set(places) == {r.entry_id for r in results if r.rank > 0}
    assert any(lo < hi for lo, hi, _tied in places.values())
    client = login(committee)
    url = f"/committee/rounds/{scored_stage.round_id}/results/berita-acara.pdf"

    def pdf_text():
        pdf = client.get(url)
        return " ".join(
            " ".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.data)).pages).split()
        )

    assert "Kemungkinan peringkat" in pdf_text()
    sheet = db.session.scalars(select(Assignment)).first().sheet
    sheet.total = float(sheet.total) + 1
    db.session.commit()
    unc_service._CACHE.clear()
    assert likely_places(stage, pub, results) == {}
    assert "Kemungkinan peringkat" not in pdf_text()


def test_publish_risks_are_listed_award_by_award(app, committee, open_round):
    """The check before publishing lists its entries as a reader checks them: by category,
    then by place (not in the order the entries were submitted, here the reverse)."""
    from judging.analysis import uncertainty_pages
    from judging.analysis.services import rank_arrays

    stage = factories.make_stage(open_round, criteria=[("Mutu", 100)])
    stage.pass_mark = 10.0  # above every score: each award is below it
    judges = [factories.make_user(role="judge", username=f"u{j}") for j in range(2)]
    criterion = rubric_service.list_criteria(stage)[0]
    for k, quality in enumerate([4.0, 5.0, 6.0, 6.2, 7.0, 8.0]):  # weakest first
        entry = factories.make_entry(
            open_round, factories.make_opd_user(f"OPD {k}", username=f"w{k}"), title=f"E{k}"
        )
        for j, judge in enumerate(judges):
            sheet_service.save_sheet(
                assignment=factories.make_assignment(stage, entry, judge),
                submit=True,
                actor=judge,
                now=utcnow(),
                inputs={criterion.id: sheet_service.CriterionInput(quality + 0.3 * j)},
            )
    db.session.commit()
    risks = uncertainty_pages.publish_risks(stage)
    ranked = rank_arrays(stage)
    place = dict(zip(ranked.data.entry_ids.tolist(), ranked.rank.tolist()))
    places = [place[entry.id] for entry, _score, _title in risks.below_pass]
    assert places == [1, 2, 3]
    undecided = [place[entry.id] for entry, _cut, _p in risks.undecided]
    assert undecided == sorted(undecided)
