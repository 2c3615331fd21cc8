"""The templates' ``_()`` looks the request's catalogue up once (``app.request_translations``)
and still follows every change of language within the request: ``force_locale`` (a mail in
its recipient's language) and ``flask_babel.refresh`` (after a user changes their language)."""

from flask import render_template_string, session
from flask_babel import force_locale, get_translations, refresh

from app import request_translations


def _page():
    return render_template_string(
        "{{ _('Score sheet') }}|{{ ngettext('%(num)d file', '%(num)d files', 2) }}"
    )


def test_templates_translate_in_the_request_language_and_follow_its_changes(app):
    with app.test_request_context():
        assert _page().startswith("Lembar penilaian|")  # Bahasa Indonesia by default
        first = request_translations()
        assert request_translations() is first  # looked up once
        with force_locale("en"):
            assert _page() == "Score sheet|2 files"
            assert request_translations() is not first
        assert _page().startswith("Lembar penilaian|")  # back to the request's language
        session["lang"] = "en"
        refresh()
        assert _page() == "Score sheet|2 files"
        session["lang"] = "id"
        refresh()
        assert _page().startswith("Lembar penilaian|")


def test_each_request_finds_its_own_language(client):
    pages = []
    for lang in ("en", "id", "en"):
        with client.session_transaction() as s:
            s["lang"] = lang
        text = client.get("/login").text
        pages.append(
            {"Skip to the content": "en", "Langsung ke isi": "id"}[
                "Skip to the content" if "Skip to the content" in text else "Langsung ke isi"
            ]
            if ("Skip to the content" in text) != ("Langsung ke isi" in text)
            else "both or neither"
        )
    assert pages == ["en", "id", "en"]


def test_without_a_request_as_flask_babel_translates(app):
    with app.app_context():
        expected = get_translations().ugettext("Score sheet")
        assert app.jinja_env.from_string("{{ _('Score sheet') }}").render() == expected
