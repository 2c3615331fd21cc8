"""Panels per stage and category: assignment within panels, the chair reads panel sheets."""

from sqlalchemy import select

from competition.db import db
from judging.panels import assignment as assignment_service
from judging.panels import services as panels
from judging.panels.models import Assignment, Panel
from judging.scoring.models import ScoreSheet, SheetStatus
from tests import factories


def _arrange(open_round):
    round_ = factories.make_round(name="KOINYANLIK 2027", categories=("Dinas", "Wilayah"))
    dinas, wilayah = round_.categories
    opds = [factories.make_opd_user(f"OPD {i}", username=f"opd{i}") for i in range(6)]
    entries = [
        factories.make_entry(round_, u, title=f"Inovasi {i}", category=dinas if i < 3 else wilayah)
        for i, u in enumerate(opds)
    ]
    judges = [
        factories.make_user(role="judge", username=f"j{i}", name=f"Juri {i}") for i in range(6)
    ]
    stage = factories.make_stage(round_)
    db.session.commit()
    return stage, dinas, wilayah, entries, judges


def test_panels_restrict_assignment_and_let_the_chair_read(app, login, committee, open_round):
    stage, dinas, wilayah, entries, judges = _arrange(open_round)
    client = login(committee)
    for name, cat in (("Panel Dinas", dinas), ("Panel Wilayah", wilayah)):
        assert (
            client.post(
                f"/committee/stages/{stage.id}/panels", data={"name": name, "category": cat.id}
            ).status_code
            == 302
        )
    p_dinas, p_wilayah = panels.list_panels(stage)
    # Judges 0-2 on the Dinas panel (0 chairs), 2-5 on the Wilayah panel: judge 2 sits on both.
    for i, panel in (
        (0, p_dinas),
        (1, p_dinas),
        (2, p_dinas),
        (2, p_wilayah),
        (3, p_wilayah),
        (4, p_wilayah),
        (5, p_wilayah),
    ):
        r = client.post(
            f"/committee/stages/{stage.id}/panels/{panel.id}/members",
            data={"judge": judges[i].id, "is_chair": "y" if i in (0, 3) else ""},
        )
        assert r.status_code == 302
    page = client.get(f"/committee/stages/{stage.id}/panels").text
    assert "Panel Dinas" in page and "ketua" in page

    assignment_service.auto_assign(stage=stage, judges_per_entry=2, actor=committee)
    db.session.commit()
    members = {p.category_id: {m.judge_id for m in p.members} for p in (p_dinas, p_wilayah)}
    rows = db.session.execute(select(Assignment.entry_id, Assignment.judge_id)).all()
    assert len(rows) == 12
    category = {e.id: e.category_id for e in entries}
    for entry_id, judge_id in rows:
        assert judge_id in members[category[entry_id]]

    # Judge 1 submits a sheet on a Dinas entry; the Dinas chair (judge 0) reads it.
    assignments = assignment_service.list_assignments(stage)
    theirs = [a for a in assignments if a.judge_id == judges[1].id]
    draft_a = next(
        a for a in assignments if a.judge_id != judges[1].id and category[a.entry_id] == dinas.id
    )
    wilayah_a = next(a for a in assignments if category[a.entry_id] == wilayah.id)
    sheet = ScoreSheet(assignment=theirs[0], status=SheetStatus.SUBMITTED, total=7.5)
    draft = ScoreSheet(assignment=draft_a, status=SheetStatus.DRAFT)
    other = ScoreSheet(assignment=wilayah_a, status=SheetStatus.SUBMITTED, total=6.0)
    db.session.add_all([sheet, draft, other])
    db.session.commit()
    chair = login(judges[0])
    assert "Panel Dinas" in chair.get("/judge/").text
    page = chair.get(f"/judge/panels/{p_dinas.id}").text
    assert "Juri 1" in page and "7,50" in page
    assert chair.get(f"/judge/panels/{p_dinas.id}/sheets/{sheet.id}").status_code == 200
    # Not a draft, not another category's sheet, not another panel.
    assert chair.get(f"/judge/panels/{p_dinas.id}/sheets/{draft.id}").status_code == 404
    assert chair.get(f"/judge/panels/{p_dinas.id}/sheets/{other.id}").status_code == 404
    assert chair.get(f"/judge/panels/{p_wilayah.id}").status_code == 404
    # A member who is not the chair reads nothing.
    assert login(judges[1]).get(f"/judge/panels/{p_dinas.id}").status_code == 404


def test_each_panels_member_form_is_labelled_with_ids_of_its_own(app, login, committee, open_round):
    """The judge's select of "Add to the panel" had no label, and every panel's form repeated
    the ids ``judge`` and ``is_chair`` (the second panel's "Ketua panel" ticked the first's)."""
    stage, dinas, wilayah, _entries, _judges = _arrange(open_round)
    client = login(committee)
    for name, cat in (("Panel Dinas", dinas), ("Panel Wilayah", wilayah)):
        client.post(f"/committee/stages/{stage.id}/panels", data={"name": name, "category": cat.id})
    page = client.get(f"/committee/stages/{stage.id}/panels").text
    for panel in panels.list_panels(stage):
        assert f'aria-label="Juri" id="judge-{panel.id}"' in page
        assert f'<label for="is_chair-{panel.id}">' in page and f'id="is_chair-{panel.id}"' in page
    assert 'id="judge"' not in page and 'id="is_chair"' not in page


def test_one_chair_per_panel(app, login, committee, open_round):
    stage, dinas, wilayah, entries, judges = _arrange(open_round)
    panel = panels.create_panel(stage=stage, name="Panel", category=None, actor=committee)
    panels.add_panel_member(panel=panel, judge=judges[0], is_chair=True, actor=committee)
    panels.add_panel_member(panel=panel, judge=judges[1], is_chair=True, actor=committee)
    db.session.commit()
    panel = db.session.get(Panel, panel.id)
    assert [(m.judge_id, m.is_chair) for m in panel.members] == [
        (judges[0].id, False),
        (judges[1].id, True),
    ]


def test_chaired_panels_are_each_judges_own(app, committee, open_round):
    """The workspace's list of chaired panels (its statement is built once per process, the
    judge a bound parameter): each judge gets the panels they chair, in stage order, with the
    stage and category loaded; a member who does not chair gets none."""
    stage, dinas, wilayah, entries, judges = _arrange(open_round)
    later = factories.make_stage(stage.round)
    later.name = "Final"
    made = {}
    for name, on, category, chair, member in (
        ("Final Dinas", later, dinas, judges[0], judges[1]),
        ("Dinas", stage, dinas, judges[0], judges[1]),
        ("Semua", stage, None, judges[2], judges[0]),
    ):
        made[name] = panels.create_panel(stage=on, name=name, category=category, actor=committee)
        panels.add_panel_member(panel=made[name], judge=chair, is_chair=True, actor=committee)
        panels.add_panel_member(panel=made[name], judge=member, is_chair=False, actor=committee)
    db.session.commit()
    db.session.expire_all()

    first = panels.list_chaired_panels(judges[0])
    assert [p.name for p in first] == ["Dinas", "Final Dinas"]
    assert [(p.stage.name, p.category.name) for p in first] == [
        (stage.name, "Dinas"),
        ("Final", "Dinas"),
    ]
    assert [(p.name, p.category) for p in panels.list_chaired_panels(judges[2])] == [
        ("Semua", None)
    ]
    assert panels.list_chaired_panels(judges[1]) == []
    assert [p.name for p in panels.list_chaired_panels(judges[0])] == ["Dinas", "Final Dinas"]


def test_refused_panel_forms_are_shown_again_with_their_choices(app, login, committee, open_round):
    stage, dinas, wilayah, entries, judges = _arrange(open_round)
    client = login(committee)
    url = f"/committee/stages/{stage.id}/panels"
    # 0 is a panel for every category.
    assert client.post(url, data={"name": "Semua", "category": 0}).status_code == 302
    (panel,) = panels.list_panels(stage)
    assert panel.category_id is None
    # Without a name: the page again with the form as posted, its categories named.
    r = client.post(url, data={"name": "", "category": dinas.id})
    assert r.status_code == 422
    assert f'<option selected value="{dinas.id}">Dinas</option>' in r.text
    assert '<option value="0">semua kategori</option>' in r.text
    # A category that is not offered (another round's, or none).
    assert client.post(url, data={"name": "Lain", "category": 999999}).status_code == 422
    # A member who is not a judge is not offered; the judges are, by name.
    r = client.post(f"{url}/{panel.id}/members", data={"judge": committee.id})
    assert r.status_code == 422
    assert f'<option value="{judges[5].id}">Juri 5</option>' in r.text
    db.session.expire_all()
    assert [p.name for p in panels.list_panels(stage)] == ["Semua"] and panel.members == []
