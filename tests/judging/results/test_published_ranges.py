"""Each published place is stored with its range of likely places and its tie with the next
place, as the committee saw them when publishing (the publish review's fit, not a second one):
the public page, its earlier versions, the API and the OPD's feedback read them and compute
nothing; a publication written before they were stored shows its places alone."""

import csv
import io
import re

import pytest
from openpyxl import load_workbook
from sqlalchemy import select, update

from competition.db import db, utcnow
from judging.analysis import uncertainty as unc_service
from judging.analysis import uncertainty_pages
from judging.analysis.uncertainty import PlaceRanges
from judging.results import publication as publication_service
from judging.results.models import Publication, Result
from judging.scoring import rubric as rubric_service
from judging.scoring import sheets as sheet_service
from tests import factories

pytestmark = pytest.mark.usefixtures("fewer_sweeps", "fits_once")

TITLES = ["Posyandu Digital", "SI-PANDAI", "Tirta Cepat", "Sampah Jadi Emas", "Lapor Camat"]
# two close pairs and a clear middle: some ranges span several places, some ties
CLOSE = [[7, 8, 6], [8, 6, 7], [6, 7, 8], [3, 2, 3], [2, 3, 2]]


@pytest.fixture(autouse=True)
def _fresh_cache():
    unc_service._CACHE.clear()
    yield
    unc_service._CACHE.clear()


@pytest.fixture
def scored(open_round, cached_data):
    def build():
        stage = factories.make_stage(open_round)
        judges = [factories.make_user(role="judge", username=f"penilai{i}") for i in range(3)]
        criteria = rubric_service.list_criteria(stage)
        owners = []
        for i, (title, values) in enumerate(zip(TITLES, CLOSE)):
            owner = factories.make_opd_user(f"OPD {title}", username=f"opd{i}")
            owners.append(owner)
            entry = factories.make_entry(open_round, owner, title=title)
            for judge, value in zip(judges, values):
                a = factories.make_assignment(stage, entry, judge)
                sheet_service.save_sheet(
                    assignment=a,
                    submit=True,
                    actor=judge,
                    now=utcnow(),
                    inputs={c.id: sheet_service.CriterionInput(float(value)) for c in criteria},
                )
        db.session.commit()
        return stage, owners

    return cached_data(build)


def _publish_from_the_page(client, stage):
    r = client.post(f"/committee/stages/{stage.id}/publish", data={"confirm_uncertain": "y"})
    assert r.status_code == 302, r.text[:500]
    return db.session.scalar(select(Publication).where(Publication.stage_id == stage.id))


def _rows(pub):
    return db.session.scalars(
        select(Result).where(Result.publication_id == pub.id).order_by(Result.rank)
    ).all()


def _row_html(page: str, title: str) -> str:
    found = [tr for tr in page.split("<tr")[1:] if f"<td>{title}</td>" in tr]
    assert len(found) == 1, title
    return found[0].split("</tr>")[0]


def _ordinal_id(n: int) -> str:  # each place kept on one line
    return f'<span class="nowrap">ke-{n}</span>'


def _ordinal_en(n: int) -> str:
    return f"""<span class="nowrap">{n}{ {1: "st", 2: "nd", 3: "rd"}.get(n, "th") }</span>"""


def _range(lo, hi, word) -> str:
    sep = " sampai " if word is _ordinal_id else "–"  # "ke-1 sampai ke-3", "1st–3rd"
    return word(lo) if lo == hi else f"{word(lo)}{sep}{word(hi)}"


def test_publishing_stores_the_ranges_the_review_showed_and_fits_once(
    login, committee, scored, monkeypatch
):
    stage, _owners = scored
    calls = []
    real = unc_service.stage_uncertainty

    def counted(*args, **kwargs):
        calls.append(args)
        return real(*args, **kwargs)

    monkeypatch.setattr(unc_service, "stage_uncertainty", counted)
    monkeypatch.setattr(uncertainty_pages, "stage_uncertainty", counted)
    pub = _publish_from_the_page(login(committee), stage)
    assert len(calls) == 1  # the review's fit, not computed again to publish
    page = uncertainty_pages.ranking_page(stage)
    rows = _rows(pub)
    assert rows and all(r.rank_lo and r.rank_hi for r in rows)
    for r in rows:
        shown = page.row_for(r.entry_id, r.rank)
        assert (r.rank_lo, r.rank_hi, r.tied_with_next) == (
            shown.rank_lo,
            shown.rank_hi,
            shown.tied_with_next,
        )
        assert r.rank_lo <= r.rank <= r.rank_hi
    # the close marks give at least one range of several places and one tie
    assert any(r.rank_hi > r.rank_lo for r in rows)
    assert any(r.tied_with_next for r in rows)


def test_public_page_and_api_show_the_stored_ranges_in_both_languages(
    app, login, committee, scored, monkeypatch
):
    stage, _owners = scored
    pub = _publish_from_the_page(login(committee), stage)
    rows = _rows(pub)

    # reading them computes nothing: no fit, no uncertainty of any stage
    def refuse(*args, **kwargs):
        raise AssertionError("the public pages read the stored ranges")

    monkeypatch.setattr(unc_service, "stage_uncertainty", refuse)
    monkeypatch.setattr(unc_service, "_fit", refuse)
    anon = app.test_client()
    for url in (
        f"/results/{stage.round.slug}",
        f"/results/{stage.round.slug}/stages/{stage.id}/v1",
    ):
        page = anon.get(url).text
        assert "Kemungkinan peringkat" in page and "tidak dapat dibedakan" in page
        for r in rows:
            html = _row_html(page, r.entry.title)
            assert _range(r.rank_lo, r.rank_hi, _ordinal_id) in html
            assert ("≈" in html) == bool(r.tied_with_next)
        assert not re.search(r"ke-(\d+)–ke-\1\b", page)  # one place is one place, never "1-1"
    anon.post("/language", data={"lang": "en"})
    page = anon.get(f"/results/{stage.round.slug}").text
    assert "Likely places" in page and "the range always includes the place" in page
    for r in rows:
        assert _range(r.rank_lo, r.rank_hi, _ordinal_en) in _row_html(page, r.entry.title)

    data = anon.get(f"/api/v1/rounds/{stage.round.slug}/results").get_json()
    entries = {e["title"]: e for e in data["stages"][0]["categories"][0]["entries"]}
    for r in rows:
        e = entries[r.entry.title]
        assert (e["rank"], e["rank_lo"], e["rank_hi"], e["tied_with_next"]) == (
            r.rank,
            r.rank_lo,
            r.rank_hi,
            r.tied_with_next,
        )


def test_a_publication_without_stored_ranges_shows_its_places_alone(app, login, committee, scored):
    """As written before the ranges were stored: rows with NULL ranges."""
    stage, owners = scored
    pub = publication_service.publish_results(stage=stage, actor=committee, now=utcnow())
    db.session.commit()
    rows = _rows(pub)
    assert rows and all(
        r.rank_lo is None and r.rank_hi is None and r.tied_with_next is None for r in rows
    )
    anon = app.test_client()
    page = anon.get(f"/results/{stage.round.slug}").text
    assert "Kemungkinan peringkat" not in page and "≈" not in page
    for r in rows:
        html = _row_html(page, r.entry.title)
        assert f'<td class="num">{r.rank}</td>' in html and "ke-" not in html
    data = anon.get(f"/api/v1/rounds/{stage.round.slug}/results").get_json()
    for e in data["stages"][0]["categories"][0]["entries"]:
        assert e["rank"] and e["rank_lo"] is None and e["rank_hi"] is None
        assert e["tied_with_next"] is None


def test_the_opd_reads_the_stored_range(app, login, committee, scored, monkeypatch):
    stage, owners = scored
    pub = _publish_from_the_page(login(committee), stage)
    mine = _rows(pub)[2]
    # a stored range the current fit would not give: the page must show the stored one
    # (written under the ORM's guard of published rows: a test's doing, never the app's)
    db.session.execute(
        update(Result.__table__)
        .where(Result.__table__.c.id == mine.id)
        .values(rank_lo=1, rank_hi=len(TITLES))
    )
    db.session.commit()

    def refuse(*args, **kwargs):
        raise AssertionError("the OPD's page reads the stored range")

    monkeypatch.setattr(unc_service, "stage_uncertainty", refuse)
    owner = next(o for o in owners if o.organisation_id == mine.entry.organisation_id)
    page = login(owner).get(f"/opd/entries/{mine.entry_id}").text
    assert f"penilaian: {_range(1, len(TITLES), _ordinal_id)}." in page


def test_ranges_of_another_input_are_not_stored(committee, scored):
    """Sheets changed between the review and the publication: the ranges the review showed
    are not those of the published ranking, so none are stored."""
    stage, _owners = scored
    risks = uncertainty_pages.publish_risks(stage)
    assert risks.ranges is not None
    other = PlaceRanges(
        risks.ranges.entry_ids,
        risks.ranges.rank_lo,
        risks.ranges.rank_hi,
        risks.ranges.tied_with_next,
        "another input",
    )
    pub = publication_service.publish_results(
        stage=stage, actor=committee, now=utcnow(), ranges=other
    )
    assert all(r.rank_hi is None for r in _rows(pub))
    pub = publication_service.publish_results(
        stage=stage, actor=committee, now=utcnow(), reason="again", ranges=risks.ranges
    )
    assert all(r.rank_hi for r in _rows(pub))


def test_exports_carry_the_stored_ranges(app, login, committee, scored):
    stage, _owners = scored
    pub = _publish_from_the_page(login(committee), stage)
    rows = {r.entry.title: r for r in _rows(pub)}
    anon = app.test_client()
    text = anon.get(f"/results/{stage.round.slug}.csv").data.decode("utf-8-sig")
    table = list(csv.reader(io.StringIO(text)))
    header = table[0]
    lo_at = header.index("Kemungkinan peringkat: awal")
    hi_at = header.index("Kemungkinan peringkat: akhir")
    tie_at = header.index("Seri dengan peringkat berikutnya")
    title_at = header.index("Inovasi")
    assert len(table) == 1 + len(rows)
    for line in table[1:]:
        r = rows[line[title_at]]
        assert (line[lo_at], line[hi_at]) == (str(r.rank_lo), str(r.rank_hi))
        assert line[tie_at] == ("≈" if r.tied_with_next else "")
    ws = load_workbook(io.BytesIO(anon.get(f"/results/{stage.round.slug}.xlsx").data)).active
    for line in list(ws.iter_rows(values_only=True))[1:]:
        r = rows[line[title_at]]
        assert (line[lo_at], line[hi_at]) == (r.rank_lo, r.rank_hi)
    # a publication without stored ranges leaves the columns empty
    publication_service.publish_results(stage=stage, actor=committee, now=utcnow(), reason="x")
    db.session.commit()
    text = anon.get(f"/results/{stage.round.slug}.csv").data.decode("utf-8-sig")
    for line in list(csv.reader(io.StringIO(text)))[1:]:
        assert line[lo_at] == line[hi_at] == line[tie_at] == ""
