"""The ``label`` filter (competition/i18n/labels.py) in the language of each request."""

import pytest
from flask_babel import force_locale

from competition.db import db
from tests import factories


def test_a_constant_label_is_translated_at_every_render_not_once(app):
    """Jinja folds a filter of a constant when it compiles the template unless the filter
    takes the context: ``"not started"|label`` then kept the first render's language."""
    template = app.jinja_env.from_string('{{ "not started"|label }} / {{ "reopened"|label }}')
    with app.test_request_context("/"):
        shown = []
        for locale in ("en", "id", "en"):
            with force_locale(locale):
                shown.append(template.render())
    assert shown == [
        "not started / reopened",
        "belum dimulai / dibuka kembali",
        "not started / reopened",
    ]


@pytest.mark.parametrize("first", ["en", "id"])
def test_score_sheet_badge_follows_the_judges_language(app, login, opd, judge, open_round, first):
    """The sheet page's "not started" badge (templates/judging/scoring/sheet.html), whichever
    language the template was first compiled in."""
    stage = factories.make_stage(open_round)
    a = factories.make_assignment(stage, factories.make_entry(open_round, opd), judge)
    db.session.commit()
    client = login(judge)
    words = {"en": "not started", "id": "belum dimulai"}
    for lang in (first, {"en": "id", "id": "en"}[first], first):
        client.post("/language", data={"lang": lang})
        page = client.get(f"/judge/assignments/{a.id}").text
        other = words["id" if lang == "en" else "en"]
        assert f'<span class="badge">{words[lang]}</span>' in page, lang
        assert f'<span class="badge">{other}</span>' not in page, lang
