"""Optimistic locking of score sheets across two browser tabs: the form carries the sheet's
version, a save from a stale tab is refused (409) showing what is stored beside what was typed,
and saving again from that page is then a deliberate overwrite."""

from __future__ import annotations

import re

from sqlalchemy import select

from competition.db import db
from judging.scoring import rubric as rubric_service
from judging.scoring.models import ScoreSheet
from tests import factories


def _form(html: str, criteria, value: str, tag: str) -> dict:
    data = {f"score_{c.id}": value for c in criteria}
    data.update({f"comment_{c.id}": f"{tag} {c.id}" for c in criteria})
    data["version"] = re.search(
        r'id="version" name="version" type="hidden" value="(\d*)"', html
    ).group(1)
    data["save"] = "1"
    return data


def _stored_tags():
    db.session.expire_all()
    sheet = db.session.scalar(select(ScoreSheet))
    return {s.comment.split(" ")[0] for s in sheet.scores}


def test_stale_tab_is_refused_with_both_versions_then_can_save_again(app, login, opd, open_round):
    stage = factories.make_stage(open_round)
    judge = factories.make_user(role="judge", username="juri1")
    a = factories.make_assignment(stage, factories.make_entry(open_round, opd), judge).id
    db.session.commit()
    criteria = rubric_service.list_criteria(stage)
    one, two = login(judge), login(judge)
    p1, p2 = one.get(f"/judge/assignments/{a}"), two.get(f"/judge/assignments/{a}")
    assert (
        one.post(f"/judge/assignments/{a}", data=_form(p1.text, criteria, "4", "one")).status_code
        == 302
    )
    r = two.post(f"/judge/assignments/{a}", data=_form(p2.text, criteria, "9", "two"))
    assert r.status_code == 409
    assert f"two {criteria[0].id}" in r.text  # what this tab typed is still in the form
    assert f"one {criteria[0].id}" in r.text  # and what is stored is shown beside it
    assert _stored_tags() == {"one"}
    # The refused page carries the stored version: saving again overwrites knowingly.
    r = two.post(f"/judge/assignments/{a}", data=_form(r.text, criteria, "9", "two"))
    assert r.status_code == 302
    assert _stored_tags() == {"two"}


def test_comment_only_change_bumps_the_version(app, login, opd, open_round):
    stage = factories.make_stage(open_round)
    judge = factories.make_user(role="judge", username="juri1")
    a = factories.make_assignment(stage, factories.make_entry(open_round, opd), judge).id
    db.session.commit()
    criteria = rubric_service.list_criteria(stage)
    client = login(judge)
    client.post(
        f"/judge/assignments/{a}",
        data=_form(client.get(f"/judge/assignments/{a}").text, criteria, "5", "x"),
    )
    version = db.session.scalar(select(ScoreSheet.version_id))
    client.post(
        f"/judge/assignments/{a}",
        data=_form(client.get(f"/judge/assignments/{a}").text, criteria, "5", "y"),
    )
    db.session.expire_all()
    assert db.session.scalar(select(ScoreSheet.version_id)) == version + 1
