"""Bad input: malformed or unknown ids in any URL give a 4xx (never a 5xx) for every role, and
HTML typed into an entry is escaped wherever the entry is shown."""

from __future__ import annotations

import re

import pytest

from competition.db import db, utcnow
from judging.results import publication as publication_service
from judging.scoring import rubric as rubric_service
from judging.scoring import sheets as sheet_service
from tests import factories

BAD_IDS = ("0", "-1", "99999999", "abc")


def _get_rules(app):
    return sorted(
        (
            r
            for r in app.url_map.iter_rules()
            if "GET" in r.methods and r.arguments and r.endpoint != "static"
        ),
        key=lambda r: r.rule,
    )


@pytest.mark.parametrize("role", ["anonymous", "opd", "judge", "committee", "agency"])
def test_malformed_ids_never_give_a_server_error(app, login, role, committee, opd, judge):
    users = {
        "opd": opd,
        "judge": judge,
        "committee": committee,
        "agency": factories.make_agency_admin("Dinas Kesehatan", username="admin-dinkes"),
    }
    db.session.commit()
    client = app.test_client() if role == "anonymous" else login(users[role])
    failures = []
    for rule in _get_rules(app):
        for bad in BAD_IDS:
            url = re.sub(r"<[^>]+>", bad, rule.rule)
            status = client.get(url).status_code
            if status >= 500:
                failures.append(f"{url}: {status}")
    assert failures == []


def test_html_in_an_entry_is_escaped_on_every_page(app, login, committee, opd, judge, open_round):
    evil = '<script>alert("x")</script>'
    stage = factories.make_stage(open_round)
    entry = factories.make_entry(open_round, opd, title=f"SI-PANDAI {evil}")
    entry.summary = f"Ringkasan {evil}"
    assignment = factories.make_assignment(stage, entry, judge)
    db.session.commit()
    escaped = "&lt;script&gt;alert("
    pages = [
        (login(committee), f"/committee/rounds/{open_round.id}"),
        (login(opd), f"/opd/entries/{entry.id}"),
        (login(opd), "/opd/"),
        (login(judge), f"/judge/assignments/{assignment.id}"),
        (login(judge), "/judge/"),
    ]
    for client, url in pages:
        r = client.get(url)
        assert r.status_code == 200, url
        assert evil not in r.text, url
        assert escaped in r.text, url
    assert rubric_service.list_criteria(stage)


def test_very_long_input_is_refused_with_the_limit_shown(app, login, opd, open_round):
    client = login(opd)
    title = "Inovasi " + "x" * 400
    r = client.post(
        f"/opd/rounds/{open_round.id}/entries/new",
        data={
            "title": title,
            "category": open_round.categories[0].id,
            "group": "umum",
            "save": "1",
        },
    )
    assert r.status_code == 422
    assert "300" in r.text  # the limit is named next to the field
    assert title in r.text  # and what was typed is kept
    r = app.test_client().post("/login", data={"username": "u" * 5000, "password": "p"})
    assert r.status_code == 422 and "80" in r.text


def test_html_in_an_entry_is_escaped_on_the_public_results(app, committee, open_round):
    evil = '<script>alert("x")</script>'
    stage = factories.make_stage(open_round)
    judges = [factories.make_user(role="judge", username=f"penilai{i}") for i in range(3)]
    criteria = rubric_service.list_criteria(stage)
    for i in range(4):
        owner = factories.make_opd_user(f"OPD {i} {evil}", username=f"opd{i}")
        entry = factories.make_entry(open_round, owner, title=f"Inovasi {i} {evil}")
        for j, judge in enumerate(judges):
            a = factories.make_assignment(stage, entry, judge)
            sheet_service.save_sheet(
                assignment=a,
                submit=True,
                actor=judge,
                now=utcnow(),
                inputs={
                    c.id: sheet_service.CriterionInput(float(9 - i + (j % 2) * 0.5))
                    for c in criteria
                },
            )
    publication_service.publish_results(stage=stage, actor=committee, now=utcnow())
    db.session.commit()
    r = app.test_client().get(f"/results/{open_round.slug}")
    assert r.status_code == 200
    assert "Inovasi 0 &lt;script&gt;" in r.text and evil not in r.text
