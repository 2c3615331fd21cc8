"""The committee's round dashboard: counts, deadlines, missing submissions, filters, and the
entry list as CSV and XLSX."""

import csv
import io

import pytest
from openpyxl import load_workbook

from competition.db import db
from competition.entries import screening
from competition.entries.dashboard import overview
from tests import factories


@pytest.fixture
def round_with_entries(app, committee, opd, other_opd, open_round):
    factories.make_opd_user("Kecamatan Ilir Timur I", username="kec-it1")  # never submits
    submitted = factories.make_entry(open_round, opd, title="SI-GESIT Stunting")
    opd.organisation.region, opd.organisation.province = "Kota Palembang", "Sumatera Selatan"
    factories.make_entry(open_round, other_opd, title="Tirta Cepat", submitted=False)
    rejected = factories.make_entry(open_round, other_opd, title='=HYPERLINK("x")')
    db.session.commit()
    screening.decide(
        entry=rejected,
        eligible=False,
        reason="SK tidak sah.",
        actor=committee,
        now=rejected.submitted_at,
    )
    db.session.commit()
    return open_round, submitted


def test_dashboard_counts_deadlines_and_missing_submissions(
    app, login, committee, round_with_entries
):
    round_, _ = round_with_entries
    page = login(committee).get(f"/committee/rounds/{round_.id}/dashboard").text
    assert "SI-GESIT Stunting" in page and "Tirta Cepat" in page
    assert "Kecamatan Ilir Timur I" in page  # an OPD without a submitted entry
    from competition.db import utcnow

    ov = overview(round_, utcnow())
    assert ov.totals == {
        "draft": 1,
        "submitted": 2,
        "pending": 1,
        "eligible": 0,
        "ineligible": 1,
        "total": 3,
    }
    assert "Seleksi: 1 dari 2 inovasi terkirim sudah diputuskan." in page
    assert "1 proposal masih berupa draf." in page
    client = login(committee)
    client.post("/language", data={"lang": "en"})
    page = client.get(f"/committee/rounds/{round_.id}/dashboard").text
    assert "1 proposal is still a draft." in page  # not "1 proposals are still drafts."


def test_dashboard_filters(app, login, committee, round_with_entries):
    round_, _ = round_with_entries
    client = login(committee)
    url = f"/committee/rounds/{round_.id}/dashboard"
    page = client.get(url, query_string={"q": "gesit"}).text
    assert "SI-GESIT Stunting" in page and "Tirta Cepat" not in page
    page = client.get(url, query_string={"q": "pdam"}).text  # the OPD's name matches too
    assert "Tirta Cepat" in page and "SI-GESIT Stunting" not in page
    page = client.get(url, query_string={"state": "draft"}).text
    assert "Tirta Cepat" in page and "SI-GESIT Stunting" not in page
    page = client.get(url, query_string={"state": "ineligible"}).text
    assert "HYPERLINK" in page and "SI-GESIT Stunting" not in page


def test_export_csv_and_xlsx_follow_the_filters(app, login, committee, round_with_entries):
    round_, submitted = round_with_entries
    client = login(committee)
    response = client.get(
        f"/committee/rounds/{round_.id}/entries.csv", query_string={"state": "submitted"}
    )
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.data.decode("utf-8-sig"))))
    assert rows[0][:3] == ["No.", "Judul inovasi", "OPD"]
    titles = [r[1] for r in rows[1:]]
    assert titles == ["SI-GESIT Stunting", '\'=HYPERLINK("x")']  # the formula is neutralized
    assert rows[1][3:5] == ["Kota Palembang", "Sumatera Selatan"]
    assert rows[2][9] == "SK tidak sah."
    assert rows[0][3:5] == ["Kabupaten/kota", "Provinsi"]

    response = client.get(f"/committee/rounds/{round_.id}/entries.xlsx")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.data)).active
    values = list(sheet.values)
    assert values[0][1] == "Judul inovasi"
    assert {v[1] for v in values[1:]} == {"SI-GESIT Stunting", "Tirta Cepat", '\'=HYPERLINK("x")'}
    assert sheet.cell(row=2, column=1).value == submitted.id


def test_dashboard_draws_progress_per_stage_as_svg_bars(
    app, login, committee, judge, round_with_entries
):
    round_, submitted = round_with_entries
    from competition.db import utcnow
    from competition.rounds.models import Stage, StageKind
    from judging.scoring import rubric as rubric_service
    from judging.scoring import sheets as sheet_service

    now = utcnow()
    for kind, name in (
        (StageKind.SUBMISSION, "Pengiriman"),
        (StageKind.SCREENING, "Seleksi"),
        (StageKind.ANNOUNCEMENT, "Pengumuman"),
    ):
        db.session.add(
            Stage(round=round_, name=name, kind=kind, opens_at=now, closes_at=now, position=-1)
        )
    stage = factories.make_stage(round_)
    other = factories.make_user(role="judge", username="juri2")
    done = factories.make_assignment(stage, submitted, judge)
    factories.make_assignment(stage, submitted, other)  # not scored yet
    sheet_service.save_sheet(
        assignment=done,
        submit=True,
        actor=judge,
        now=now,
        inputs={
            c.id: sheet_service.CriterionInput(8.0) for c in rubric_service.list_criteria(stage)
        },
    )
    db.session.commit()

    page = login(committee).get(f"/committee/rounds/{round_.id}/dashboard").text
    svg = page[page.index("<svg") : page.index("</svg>")]
    # Numbers as text (readable printed in black and white), one bar per countable stage.
    assert "Pengiriman" in svg and "2 / 3 (67%) proposal terkirim" in svg
    assert "Seleksi" in svg and "1 / 2 (50%) inovasi terkirim sudah diseleksi" in svg
    assert "Penilaian Proposal" in svg and "1 / 2 (50%) lembar penilaian terkirim" in svg
    assert "Pengumuman" not in svg  # nothing to count
    assert svg.count('fill="#7a1420"') == 3


def test_dashboard_list_is_paged_keeping_the_filters(app, login, committee, round_with_entries):
    round_, _ = round_with_entries
    client = login(committee)
    url = f"/committee/rounds/{round_.id}/dashboard"
    first = client.get(url, query_string={"state": "submitted", "per_page": 1}).text
    listed = first.split("<tbody>")[-1]
    # Two submitted entries, one a page: the first by number, and a link to the second page
    # that keeps the filter.
    assert "SI-GESIT Stunting" in listed and "HYPERLINK" not in listed
    assert "Tirta Cepat" not in listed
    assert f'href="{url}?state=submitted&amp;per_page=1&amp;page=2"' in first
    second = client.get(url, query_string={"state": "submitted", "per_page": 1, "page": 2}).text
    assert "HYPERLINK" in second.split("<tbody>")[-1] and 'rel="next"' not in second
    # The counts above the list count every entry of the round, whatever the page.
    assert "Seleksi: 1 dari 2 inovasi terkirim sudah diputuskan." in second
    # Past the last page: the last page.
    assert "HYPERLINK" in client.get(url, query_string={"per_page": 1, "page": 99}).text


def test_round_page_lists_entries_a_page_at_a_time(app, login, committee, round_with_entries):
    round_, _ = round_with_entries
    client = login(committee)
    url = f"/committee/rounds/{round_.id}"
    page = client.get(url, query_string={"per_page": 2}).text
    listed = page.split('id="entries"')[1]
    assert "(3)" in listed.split("</h2>")[0]  # every entry counted
    assert listed.count("/committee/entries/") == 2 and "Tirta Cepat" in listed
    assert f'href="{url}?per_page=2&amp;page=2"' in page
    last = client.get(url, query_string={"per_page": 2, "page": 2}).text.split('id="entries"')[1]
    assert last.count("/committee/entries/") == 1 and "HYPERLINK" in last


@pytest.mark.parametrize(
    "lang, heading, last_column",
    [
        ("id", "Inovasi per kategori", "tidak memenuhi syarat"),
        ("en", "Entries per category", "not eligible"),
    ],
)
def test_entries_per_category_table_takes_the_whole_width(
    app, login, committee, round_with_entries, lang, heading, last_column
):
    """The table has a column per state and a total: in half of the page its last columns
    were cut off, so it stands on its own above the deadlines (which share a row)."""
    round_, _ = round_with_entries
    client = login(committee)
    client.post("/language", data={"lang": lang})
    page = client.get(f"/committee/rounds/{round_.id}/dashboard").text
    card = page.split(f"<h2>{heading}</h2>", 1)[1].split("</table>", 1)[0]
    assert last_column in card
    before = page.split(f"<h2>{heading}</h2>", 1)[0]
    assert 'class="grid2"' not in before.split("</h1>", 1)[1]  # not the half of a grid
