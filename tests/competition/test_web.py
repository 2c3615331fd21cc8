"""``competition.web.writing``: one write per view, committed and flashed, or rolled back with
the refusal kept for the form."""

import pytest
from flask import get_flashed_messages, session
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from competition.accounts.models import Organisation
from competition.db import db
from competition.errors import ConcurrentChange, IncompleteError, InvalidState, StaleChange
from competition.forms import ReasonForm
from competition.web import writing


def _names() -> list[str]:
    return list(db.session.scalars(select(Organisation.name)))


def test_writing_commits_and_flashes_the_success(app):
    with app.test_request_context():
        with writing("Tersimpan.") as w:
            db.session.add(Organisation(name="Dinas A"))
        assert not w.failed and w.status == 200
        assert get_flashed_messages(with_categories=True) == [("success", "Tersimpan.")]
    db.session.rollback()  # nothing left to roll back: it was committed
    assert _names() == ["Dinas A"]


def test_writing_rolls_back_a_refusal_and_keeps_it(app):
    with app.test_request_context():
        with writing("Tersimpan.") as w:
            db.session.add(Organisation(name="Dinas B"))
            db.session.flush()
            raise InvalidState("Tidak boleh.")
        assert w.failed and w.status == 409 and str(w.error.message) == "Tidak boleh."
        assert get_flashed_messages(with_categories=True) == [("danger", "Tidak boleh.")]
    assert _names() == []


def test_writing_can_leave_the_error_to_the_form(app):
    with app.test_request_context():
        with writing(flash_error=False) as w:
            raise InvalidState("Tidak boleh.")
        assert w.failed and get_flashed_messages() == []


def test_writing_shows_a_refusal_under_the_field_it_is_given(app):
    with app.test_request_context(method="POST", data={"reason": "Alasan"}):
        form = ReasonForm()
        assert form.validate()
        with writing("Tersimpan.", field=form.reason) as w:
            db.session.add(Organisation(name="Dinas H"))
            db.session.flush()
            raise InvalidState("Tidak boleh.")
        assert w.failed and form.reason.errors == ["Tidak boleh."]
        assert session.get("_flashes", []) == []  # shown on the form, not flashed
        with writing("Tersimpan.", field=form.reason) as w:
            db.session.add(Organisation(name="Dinas I"))
        assert not w.failed and form.reason.errors == ["Tidak boleh."]  # nothing added
        assert session["_flashes"] == [("success", "Tersimpan.")]
        unvalidated = ReasonForm(formdata=None)  # its errors are still a tuple
        with writing(field=unvalidated.reason):
            raise InvalidState("Tidak boleh.")
        assert unvalidated.reason.errors == ["Tidak boleh."]
    db.session.rollback()
    assert _names() == ["Dinas I"]


def test_writing_shows_a_refusal_under_the_field_it_names(app):
    """A refusal naming a field (``JuriError.field``) goes under that field of the form posted;
    one naming a field the form lacks, or none, under the ``field`` given, else is flashed."""
    with app.test_request_context(method="POST", data={"reason": "Alasan"}):
        form = ReasonForm()
        assert form.validate()
        with writing(form=form, field=form.submit) as w:
            raise InvalidState("Alasan kurang.", field="reason")
        assert w.failed and w.error.field == "reason"
        assert form.reason.errors == ["Alasan kurang."] and not form.submit.errors
        with writing(form=form, field=form.submit):
            raise InvalidState("Skala salah.", field="scale_max")  # not a field of this form
        with writing(form=form, field=form.submit):
            raise InvalidState("Tidak boleh.")
        assert form.submit.errors == ["Skala salah.", "Tidak boleh."]
        assert form.reason.errors == ["Alasan kurang."]
        assert session.get("_flashes", []) == []
        with writing(form=form):
            raise InvalidState("Di tempat lain.", field="scale_max")
        assert session["_flashes"] == [("danger", "Di tempat lain.")]
        with writing(field=form.submit):  # without the form, the named field is not looked up
            raise InvalidState("Tanpa formulir.", field="reason")
        assert form.submit.errors[-1] == "Tanpa formulir."
        assert form.reason.errors == ["Alasan kurang."]


def test_writing_flashes_a_message_set_inside(app):
    with app.test_request_context():
        with writing() as w:
            w.success = "3 disimpan."
        assert get_flashed_messages() == ["3 disimpan."]


def test_writing_refuses_a_concurrent_duplicate_only_when_told_how(app):
    db.session.add(Organisation(name="Dinas D"))
    db.session.commit()
    with app.test_request_context():
        with writing("Tersimpan.", conflict="Sudah ada.") as w:
            db.session.add(Organisation(name="Dinas D"))  # names are unique
        assert w.failed and w.status == 409 and isinstance(w.error, ConcurrentChange)
        assert get_flashed_messages(with_categories=True) == [("danger", "Sudah ada.")]
        with pytest.raises(IntegrityError), writing("Tersimpan."):
            db.session.add(Organisation(name="Dinas D"))
    db.session.rollback()
    assert _names() == ["Dinas D"]


def test_writing_refuses_a_stale_row_only_when_told_how(app):
    with app.test_request_context():
        with writing("Tersimpan.", stale="Diubah di tempat lain.") as w:
            db.session.add(Organisation(name="Dinas E"))
            db.session.flush()
            raise StaleDataError("UPDATE matched 0 rows")  # what a version_id_col mismatch raises
        assert w.failed and w.status == 409 and isinstance(w.error, StaleChange)
        assert get_flashed_messages(with_categories=True) == [("danger", "Diubah di tempat lain.")]
        with pytest.raises(StaleDataError), writing("Tersimpan."):
            raise StaleDataError("UPDATE matched 0 rows")
    db.session.rollback()
    assert _names() == []


def test_writing_keeps_what_was_flushed_before_a_kept_refusal(app):
    with app.test_request_context():
        with writing("Terkirim.", keep=(IncompleteError,)) as w:
            db.session.add(Organisation(name="Dinas F"))  # the draft
            db.session.flush()
            raise IncompleteError(["score_1"])  # the submission
        assert w.failed and w.status == 422 and w.error.missing == ["score_1"]
        assert [c for c, _m in get_flashed_messages(with_categories=True)] == ["danger"]
        with writing("Tersimpan.", keep=(IncompleteError,)) as w:
            db.session.add(Organisation(name="Dinas G"))
            db.session.flush()
            raise InvalidState("Tidak boleh.")  # not a kept type: rolled back
        assert w.failed
    db.session.rollback()  # nothing left to roll back: the draft was committed
    assert _names() == ["Dinas F"]


def test_other_errors_propagate(app):
    with app.test_request_context(), pytest.raises(ZeroDivisionError), writing():
        db.session.add(Organisation(name="Dinas C"))
        raise ZeroDivisionError
    db.session.rollback()
    assert _names() == []
