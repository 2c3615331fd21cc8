"""A gunicorn worker compiles the busiest pages' templates and loads the translations when it
starts (``app.warm_up`` from gunicorn.conf.py's ``post_worker_init``), not in its first
request; the pages render the same."""

import re
import runpy
from pathlib import Path
from types import SimpleNamespace

import pytest
from flask_babel import get_babel

from app import HOT_TEMPLATES, warm_up

ROOT = Path(__file__).resolve().parents[1]


def _compiled(app) -> set[str]:
    return {t.name for t in app.jinja_env.cache.values()}


def _catalogues(app) -> set:
    return set(get_babel(app).instance.domain_instance.cache)


@pytest.mark.fresh_app  # a new app has compiled no template yet
def test_warm_up_compiles_the_hot_templates_and_loads_every_catalogue(app):
    assert not _compiled(app) & set(HOT_TEMPLATES)
    warm_up(app)
    assert set(HOT_TEMPLATES) <= _compiled(app)
    assert {("id", "messages"), ("en", "messages")} <= _catalogues(app)
    # the warmed template is the one a page renders with (no second compile)
    base = app.jinja_env.get_template("base.html")
    assert app.jinja_env.get_template("base.html") is base


def test_a_page_renders_the_same_after_the_warm_up(make_app, login, judge):
    cold = make_app()
    with cold.app_context():
        before = login(judge).get("/judge/")
    warm = make_app()
    warm_up(warm)
    with warm.app_context():
        after = warm.test_client(user=judge).get("/judge/")
    assert before.status_code == after.status_code == 200
    token = re.compile(r'name="csrf_token" value="[^"]+"')  # one per session
    assert token.sub("", before.text) == token.sub("", after.text)


def test_the_gunicorn_hook_warms_the_worker_app_and_skips_a_failed_load(app):
    conf = runpy.run_path(str(ROOT / "gunicorn.conf.py"))
    logged = []
    log = SimpleNamespace(exception=logged.append)
    conf["post_worker_init"](SimpleNamespace(wsgi=lambda environ, start: [], log=log))
    assert not logged  # gunicorn's error app (the app did not load): nothing to warm
    conf["post_worker_init"](SimpleNamespace(wsgi=app, log=log))
    assert set(HOT_TEMPLATES) <= _compiled(app) and not logged
