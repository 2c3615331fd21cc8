"""What the public sees of a publication (``publications.public_results_statement``): every ranked
row, except in the alphabetical style, which announces only the awarded rows when it has any.
One rule for the public page, its exports and the API, for the rows and for the counts."""

import pytest

from competition.db import db
from judging.results import awards, public, publications
from judging.results import publication as publication_service
from judging.scoring import rubric as rubric_service
from judging.scoring import sheets as sheet_service
from tests import factories

TITLES = {"Dinas/Badan": ["Zebra", "alpha", "Beta", "Cakap"], "Kecamatan": ["delta", "Echo"]}


def _publish(style: str, winners: int):
    """A round of two categories in ``style``, ``winners`` places awarded in each, published:
    the stage, its publication and the expected public entries' titles by category."""
    round_ = factories.make_round(name=f"Lomba {style} {winners}", categories=tuple(TITLES))
    settings = awards.settings_of(round_)
    settings.style = style
    db.session.add(settings)
    stage = factories.make_stage(round_)
    stage.winners_per_category = winners
    judge = factories.make_user(role="judge", username=f"juri-{style}-{winners}")
    criteria = rubric_service.list_criteria(stage)
    for category in round_.categories:
        for i, title in enumerate(TITLES[category.name]):  # placed in the listed order
            owner = factories.make_opd_user(
                f"OPD {title} {style} {winners}", username=f"opd-{style}{winners}-{title}"
            )
            entry = factories.make_entry(round_, owner, title=title, category=category)
            sheet_service.save_sheet(
                assignment=factories.make_assignment(stage, entry, judge),
                inputs={c.id: sheet_service.CriterionInput(float(9 - i)) for c in criteria},
                submit=True,
                actor=judge,
                now=stage.opens_at,
            )
    pub = publication_service.publish_results(stage=stage, actor=judge, now=stage.closes_at)
    db.session.commit()
    return stage, pub


def _expected(style: str, winners: int) -> dict[str, list[str]]:
    """The titles the public sees by category, in the page's order."""
    out = {}
    for name, titles in TITLES.items():
        shown = titles[:winners] if style == "alphabetical" and winners else titles
        out[name] = sorted(shown, key=str.casefold) if style == "alphabetical" else shown
    return out


@pytest.mark.parametrize(
    ("style", "winners"),
    [("alphabetical", 3), ("alphabetical", 0), ("ranked", 3)],
    ids=["alphabetical-awarded-only", "alphabetical-no-award-shows-all", "ranked-shows-all"],
)
def test_rows_counts_and_api_rows_follow_one_rule(app, committee, style, winners):
    stage, pub = _publish(style, winners)
    expected = _expected(style, winners)
    rows = publications.list_results(pub, public=True)
    by_category: dict[str, list[str]] = {}
    for r in rows:
        by_category.setdefault(r.category.name, []).append(r.entry.title)
    assert by_category == expected
    assert all(r.award for r in rows) == (style == "alphabetical" and winners > 0)
    assert [(name, n) for _cid, name, n in publications.count_public_results(pub)] == [
        (name, len(titles)) for name, titles in expected.items()
    ]
    plain = publications.public_result_rows(pub, offset=0, limit=100)
    assert [r.entry_id for r in plain] == [r.entry_id for r in rows]
    assert [r.title for r in plain] == [r.entry.title for r in rows]
    middle = publications.public_result_rows(pub, offset=2, limit=3)
    assert [r.entry_id for r in middle] == [r.entry_id for r in rows][2:5]
    # all rows, whatever the public sees
    assert len(publications.list_results(pub)) == sum(len(t) for t in TITLES.values())


def test_the_page_offers_the_rest_only_of_what_the_public_sees(app, monkeypatch):
    """The page shows the first places of each category and offers "show all" when the public
    may see more: not in the alphabetical style, which shows every awarded entry at once."""
    monkeypatch.setattr(public, "PUBLIC_PLACES", 2)
    client = app.test_client()
    stage, _pub = _publish("alphabetical", 3)
    page = client.get(f"/results/{stage.round.slug}").text
    assert "Zebra" in page and "Cakap" not in page and "Tampilkan semua" not in page
    stage, _pub = _publish("ranked", 3)
    page = client.get(f"/results/{stage.round.slug}").text
    assert "Menampilkan 2 pertama dari 4 inovasi. Tampilkan semua" in page
    assert "Beta" not in page
