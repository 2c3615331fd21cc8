"""The committee's account import (blueprint ``imports``): upload a CSV or XLSX file, see every
row with its errors, confirm, and read the one-time passwords once.

Between the preview and the confirmation the uploaded file is kept on the server under
``instance/imports/`` (``JURI_IMPORT_FOLDER``) with a random name recorded in the session, so
the confirmation imports exactly the file that was previewed, and never anything the browser
sends back."""

from __future__ import annotations

import secrets
import time
from pathlib import Path

from flask import Blueprint, current_app, render_template, session
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import HiddenField

from competition import imports
from competition.db import db
from competition.errors import InvalidState
from competition.models import Role
from competition.permissions import require_role

bp = Blueprint("imports", __name__, url_prefix="/committee/imports")
require_role(bp, Role.COMMITTEE)

_KEY = "import_file"


class UploadForm(FlaskForm):
    file = FileField(_l("CSV or XLSX file"), validators=[FileRequired()])


class ConfirmForm(FlaskForm):
    token = HiddenField()


def _folder() -> Path:
    folder = Path(current_app.config.get("IMPORT_FOLDER")
                  or Path(current_app.instance_path) / "imports")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _forget_abandoned(folder: Path) -> None:
    """Previews never confirmed are not kept more than a day."""
    limit = time.time() - 86400
    for path in folder.iterdir():
        if path.is_file() and path.stat().st_mtime < limit:
            path.unlink(missing_ok=True)


def _stored() -> tuple[Path, str] | None:
    """The previewed file of this session, if it is still there."""
    value = session.get(_KEY)
    token, ext = value if isinstance(value, list) and len(value) == 2 else ("", "")
    path = _folder() / f"{token}.{ext}"
    if not token or ext not in imports.EXTENSIONS or not path.is_file():
        return None
    return path, token


@bp.route("/", methods=["GET", "POST"])
def index():
    form = UploadForm()
    if not form.validate_on_submit():
        return render_template("committee/imports.html", form=form, rows=None)
    upload = form.file.data
    filename = upload.filename or ""
    data = upload.read()
    try:
        rows = imports.check(imports.parse(filename, data))
    except InvalidState as exc:
        return render_template("committee/imports.html", form=form, rows=None,
                               problem=exc.message), 422
    ok = not any(r.errors for r in rows)
    confirm = None
    if ok:
        old = _stored()
        if old:
            old[0].unlink(missing_ok=True)
        token, ext = secrets.token_urlsafe(24), filename.rsplit(".", 1)[-1].lower()
        _forget_abandoned(_folder())
        (_folder() / f"{token}.{ext}").write_bytes(data)
        session[_KEY] = [token, ext]
        confirm = ConfirmForm(token=token)
    return render_template("committee/imports.html", form=form, rows=rows, ok=ok,
                           confirm=confirm, filename=filename), 200 if ok else 422


@bp.post("/confirm")
def confirm():
    form = ConfirmForm()
    stored = _stored()
    if not form.validate_on_submit() or stored is None \
            or not secrets.compare_digest(form.token.data or "", stored[1]):
        raise InvalidState(_l("Upload the file again: the previewed file is no longer "
                              "available."))
    path, _token = stored
    rows = imports.parse(path.name, path.read_bytes())
    created = imports.import_rows(rows=rows, actor=current_user)
    db.session.commit()
    path.unlink(missing_ok=True)
    session.pop(_KEY, None)
    return render_template("committee/imports_done.html", created=created)
