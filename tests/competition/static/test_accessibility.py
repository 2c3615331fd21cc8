"""Accessibility of every page: a skip link to the content, titles that say where you are, a
favicon (no 404 for /favicon.ico) and visible focus styles."""

import re

from competition.db import db
from tests import factories


def _title(page: str) -> str:
    return re.search(r"<title>(.*?)</title>", page, re.S).group(1).strip()


def test_skip_link_leads_to_the_content(app, client):
    page = client.get("/").text
    assert '<a class="skip-link" href="#main">Langsung ke isi</a>' in page
    assert '<main id="main" tabindex="-1">' in page
    # It comes first, before the menu.
    assert page.index("skip-link") < page.index('class="topbar"')


def test_titles_say_where_you_are(app, client, login, committee, opd, open_round):
    assert _title(client.get("/").text) == "Kompetisi inovasi pelayanan publik · Juri"
    assert _title(client.get("/verify").text) == "Verifikasi piagam · Juri"
    entry = factories.make_entry(open_round, opd)
    db.session.commit()
    assert _title(login(opd).get(f"/opd/entries/{entry.id}").text) == f"{entry.title} · Juri"
    titles = [_title(client.get(url).text) for url in ("/", "/login", "/verify")]
    assert all(t.count("Juri") == 1 for t in titles) and len(set(titles)) == 3


def test_favicon_is_linked_and_served(app, client):
    page = client.get("/").text
    assert '<link rel="icon" href="/static/favicon.svg" type="image/svg+xml">' in page
    response = client.get("/favicon.ico")
    assert response.status_code == 301 and response.location == "/static/favicon.svg"
    with client.get("/static/favicon.svg") as icon:
        assert icon.status_code == 200 and icon.mimetype == "image/svg+xml"
        assert b"<svg" in icon.data


def test_focus_is_visible(app, client):
    with client.get("/static/juri.css") as css:
        text = css.data.decode()
    assert ".skip-link:focus" in text
    rule = re.search(r"a:focus-visible[^{]*\{([^}]*)\}", text)
    assert rule and "outline: 3px solid" in rule.group(1)
