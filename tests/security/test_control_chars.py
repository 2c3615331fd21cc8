"""Control characters typed or pasted into text fields (issue 15, item 7): cleaned at the form
layer for every text field, and exports survive those that older data may still hold."""

from __future__ import annotations

import io

import pytest
from flask_wtf import FlaskForm
from openpyxl import load_workbook
from sqlalchemy import select
from wtforms import PasswordField, StringField, TextAreaField

import app as app_module  # noqa: F401 - every form module is imported with the app
from competition.accounts import imports
from competition.audit.models import AuditRecord
from competition.db import db, utcnow
from competition.entries.models import Entry
from competition.forms import JuriForm
from competition.i18n.forms import FlaskForm as TranslatedForm
from competition.text import clean_text
from judging.scoring import rubric as rubric_service
from judging.scoring import sheets as sheet_service
from tests import factories
from tests.competition.entries.test_entries import _form

DIRTY = "Judul\x00 satu\x01\x0bbaris\x0cdua\tkolom\r\nakhir\x1f"
CLEAN = "Judul satu\nbaris\ndua\tkolom\r\nakhir"


def test_clean_text_keeps_tab_and_newlines_and_drops_other_controls():
    assert clean_text(DIRTY) == CLEAN
    assert clean_text(None) is None and clean_text(3) == 3


def _subclasses(cls):
    for sub in cls.__subclasses__():
        yield sub
        yield from _subclasses(sub)


def test_every_form_derives_from_the_cleaning_base():
    forms = [
        f
        for f in _subclasses(FlaskForm)
        if f.__module__.startswith(("competition", "judging"))
        and f is not JuriForm
        and f is not TranslatedForm  # JuriForm's own base (WTForms' messages translated)
    ]
    assert len(forms) > 30
    assert [f.__qualname__ for f in forms if not issubclass(f, JuriForm)] == []


class _Form(JuriForm):
    title = StringField()
    body = TextAreaField()
    secret = PasswordField()


def test_text_fields_are_cleaned_but_passwords_are_not(app):
    data = {"title": DIRTY, "body": DIRTY, "secret": "a\x01b"}
    with app.test_request_context(method="POST", data=data):
        form = _Form()
        assert form.title.data == CLEAN and form.body.data == CLEAN
        assert form.secret.data == "a\x01b"


def test_nul_in_the_login_form_is_not_stored(app, judge):
    r = app.test_client().post("/login", data={"username": "juri1\x00", "password": "salah"})
    assert r.status_code in (422, 302)
    record = db.session.scalar(select(AuditRecord).where(AuditRecord.action == "login_failed"))
    assert record is None or "\x00" not in record.target_id + record.after


def test_entry_title_typed_with_controls_is_stored_clean(app, login, opd, open_round):
    data = _form(open_round, title="Posyandu\x01\x00 Digital")
    r = login(opd).post(f"/opd/rounds/{open_round.id}/entries/new", data=data)
    assert r.status_code == 302
    assert db.session.scalar(select(Entry)).title == "Posyandu Digital"


@pytest.fixture
def dirty_stage(open_round, opd, judge):
    """Sheets and an entry stored with control characters (data from before the cleaning; no NUL,
    which PostgreSQL never stores in text)."""
    stage = factories.make_stage(open_round, criteria=[("Kebaruan", 100)])
    (k,) = rubric_service.list_criteria(stage)
    entry = factories.make_entry(open_round, opd, title="Posyandu\x01 Digital\x0b")
    sheet_service.save_sheet(
        assignment=factories.make_assignment(stage, entry, judge),
        submit=True,
        actor=judge,
        now=utcnow(),
        inputs={k.id: sheet_service.CriterionInput(9, "Baru\x0bsekali\x01.")},
    )
    db.session.commit()
    return stage


@pytest.mark.parametrize("kind", ["sheets", "entries"])
def test_xlsx_exports_survive_control_characters_in_old_data(
    app, login, committee, dirty_stage, kind
):
    url = (
        f"/committee/stages/{dirty_stage.id}/sheets.xlsx"
        if kind == "sheets"
        else f"/committee/rounds/{dirty_stage.round_id}/entries.xlsx"
    )
    response = login(committee).get(url)
    assert response.status_code == 200
    rows = list(load_workbook(io.BytesIO(response.data)).active.iter_rows(values_only=True))
    text = " ".join(str(c) for row in rows for c in row if c is not None)
    assert "Posyandu Digital" in text
    assert not any(ch in text for ch in "\x00\x01\x0b")


@pytest.mark.parametrize("url", ["/verify/AB%00CD", "/?q=%00", "/login?next=%00"])
def test_nul_in_a_url_is_a_bad_request(app, url):
    assert app.test_client().get(url).status_code == 400


def test_account_import_cells_are_cleaned(app):
    data = b"username;name;role\ndishub;Dinas\x01 Perhubungan\x0b;opd\n"
    (row,) = imports.parse("akun.csv", data)
    assert row.name == "Dinas Perhubungan"
