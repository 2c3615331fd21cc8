"""Generated large rounds (``flask demo load --scale``): shape, judge design and publication."""

import re

import numpy as np
import pytest
from sqlalchemy import func, select

from competition.accounts.models import User
from competition.db import db
from competition.entries.models import Entry
from competition.entries.services import in_stage
from competition.rounds.models import Round
from judging.demo import scale as demo_scale
from judging.panels.models import Assignment
from judging.results import public
from judging.results.models import Result
from judging.scoring.models import Score, ScoreSheet, SheetStatus

pytestmark = pytest.mark.usefixtures("fewer_sweeps")

SMALL = demo_scale.Scale(
    "small",
    entries=120,
    judges=24,
    organisations=30,
    desk_judges=3,
    finalists=40,
    final_judges=3,
    final_submitted=90,
    criteria=True,
)


def _load(scale=SMALL):
    counts = demo_scale.load_scaled(scale, password_hash="x")
    db.session.commit()
    return counts, db.session.get(Round, counts["round"])


@pytest.fixture
def small(app, cached_data):
    """``_load()``: the SMALL round, generated and published once per module and copied (see
    ``cached_data``)."""
    return cached_data(_load)


def test_generated_round_has_the_asked_size(app, small):
    counts, round_ = small
    desk, final = round_.stages
    assert (
        counts["entries"]
        == db.session.scalar(select(func.count(Entry.id)).where(Entry.round_id == round_.id))
        == 120
    )
    n_sheets = {
        s.id: db.session.scalar(
            select(func.count(ScoreSheet.id))
            .join(Assignment)
            .where(Assignment.stage_id == s.id, ScoreSheet.status == SheetStatus.SUBMITTED)
        )
        for s in (desk, final)
    }
    assert n_sheets == {desk.id: 360, final.id: 90}
    assert counts["sheets"] == 450
    # only the finalists take part in the final stage (the confirmed advancement)
    assert db.session.scalar(select(func.count(Entry.id)).where(in_stage(final))) == 40
    # the final stage still has work for its judges
    assert (
        db.session.scalar(select(func.count(Assignment.id)).where(Assignment.stage_id == final.id))
        == 120
    )


def test_design_balanced_connected_and_scores_consistent(app, small):
    _, round_ = small
    desk = round_.stages[0]
    rows = db.session.execute(
        select(Assignment.entry_id, Assignment.judge_id).where(Assignment.stage_id == desk.id)
    ).all()
    entries, judges = map(np.array, zip(*rows))
    per_entry = np.unique(entries, return_counts=True)[1]
    assert set(per_entry.tolist()) == {3}
    loads = np.unique(judges, return_counts=True)[1]
    assert loads.max() - loads.min() <= 1
    # connected: a union-find over entries joins every judge into one component
    parent = {int(j): int(j) for j in judges}

    def find(x):
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for e in np.unique(entries):
        js = judges[entries == e]
        for j in js[1:]:
            parent[find(int(j))] = find(int(js[0]))
    assert len({find(int(j)) for j in judges}) == 1
    # the stored total is the weighted total of the stored criterion values
    sheet = db.session.scalars(
        select(ScoreSheet).join(Assignment).where(Assignment.stage_id == desk.id).limit(1)
    ).one()
    weighted = sum(s.value * s.criterion.weight for s in sheet.scores) / 100
    assert abs(weighted - sheet.total) < 0.01
    assert db.session.scalar(select(func.count(Score.id))) == 5 * (360 + 90)


def test_desk_stage_is_published_and_pages_render(app, small, login):
    _, round_ = small
    desk = round_.stages[0]
    assert desk.published_at is not None
    assert db.session.scalar(select(func.count(Result.id)).where(Result.stage_id == desk.id)) == 120
    committee = db.session.scalar(select(User).where(User.username == "panitia"))
    client = login(committee)
    page = client.get(f"/committee/stages/{desk.id}/ranking")
    assert page.status_code == 200
    # 10 clusters, at most 50 rows each by default; "show all" lists every ranked entry
    assert page.get_data(as_text=True).count('class="rank-') <= 120
    full = client.get(f"/committee/stages/{desk.id}/ranking?all=1").get_data(as_text=True)
    assert full.count('class="rank-') == 120
    assert app.test_client().get(f"/results/{round_.slug}").status_code == 200


def test_ranking_page_is_paged_by_category_then_place_and_downloads_whole(app, login):
    # The pages' paging is checked, not the places' intervals: 200 posterior sweeps, not 1,600
    app.config["UNCERTAINTY_SWEEPS"] = 200
    scale = demo_scale.Scale(
        "one",
        entries=600,
        judges=30,
        organisations=20,
        desk_judges=2,
        finalists=0,
        final_judges=0,
        final_submitted=0,
        criteria=False,
    )
    _, round_ = _load(scale)
    desk = round_.stages[0]
    committee = db.session.scalar(select(User).where(User.username == "panitia"))
    client = login(committee)
    url = f"/committee/stages/{desk.id}/ranking"
    first = client.get(url)
    html = first.get_data(as_text=True)
    sizes = dict(
        db.session.execute(
            select(Entry.category_id, func.count(Entry.id))
            .where(Entry.round_id == round_.id)
            .group_by(Entry.category_id)
        ).all()
    )
    assert len(sizes) == 10 and sum(sizes.values()) == 600
    # page 1 of 12: the first 50 rows of the list by category then place, bounded in size
    assert html.count('class="rank-') == 50
    assert len(first.data) < 150_000
    assert "Halaman 1 dari 12" in html and f"{url}?page=2" in html
    # every category is linked, and the whole list is a download
    for category_id in sizes:
        assert f"{url}?method=" in html and f"category={category_id}" in html
    assert f"/committee/stages/{desk.id}/ranking.csv" in html
    # paging through shows every entry once, categories one after the other
    seen, order = [], []
    for page in range(1, 13):
        text = client.get(f"{url}?page={page}").get_data(as_text=True)
        seen += re.findall(r"/entries/(\d+)/why", text)
        order += [int(c) for c in re.findall(r'id="cat-(\d+)"', text)]
    assert len(seen) == len(set(seen)) == 600
    # a category split across pages goes on at the top of the next one ("continued"), and
    # no category comes back later
    runs = [c for k, c in enumerate(order) if k == 0 or order[k - 1] != c]
    assert len(runs) == len(set(runs)) == 10
    assert "(lanjutan)" in client.get(f"{url}?page=2").get_data(as_text=True)
    # one category, paged on its own; an old "show all" link still answers
    category_id, size = max(sizes.items(), key=lambda kv: kv[1])
    one = client.get(f"{url}?category={category_id}").get_data(as_text=True)
    assert one.count('class="rank-') == min(size, 50)
    assert set(re.findall(r'id="cat-(\d+)"', one)) == {str(category_id)}
    assert client.get(f"{url}?all=1").get_data(as_text=True).count('class="rank-') == 500
    csv = client.get(f"/committee/stages/{desk.id}/ranking.csv")
    assert csv.status_code == 200 and csv.mimetype == "text/csv"
    assert len(csv.get_data(as_text=True).strip().splitlines()) == 1 + 600


def test_cli_loads_national_scale(app):
    result = app.test_cli_runner().invoke(args=["demo", "load", "--scale", "national"])
    assert result.exit_code == 0, result.output
    assert "3000 entries" in result.output and "15000 sheets" in result.output
    judge = db.session.scalar(select(User).where(User.username.like("%-juri1")))
    assert judge.check_password("juri-demo")


def test_public_page_shows_the_first_places_per_category(app, small, monkeypatch):
    monkeypatch.setattr(public, "PUBLIC_PLACES", 5)
    _, round_ = small
    page = app.test_client().get(f"/results/{round_.slug}").get_data(as_text=True)
    assert page.count('class="rank-') + page.count('class="awarded rank-') == 10 * 5
    assert f"/results/{round_.slug}?all=1" in page
    full = app.test_client().get(f"/results/{round_.slug}?all=1").get_data(as_text=True)
    assert full.count("rank-") == 120
