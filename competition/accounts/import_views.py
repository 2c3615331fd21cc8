"""Account import by the committee (blueprint ``imports``): a CSV or XLSX file previewed, kept
in the shared storage until confirmed (a day at most), then imported by a background job whose
page shows its progress."""

from __future__ import annotations

import json
import secrets
import time

from flask import Blueprint, abort, redirect, render_template, session, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from competition.accounts import imports
from competition.accounts import tasks as import_tasks
from competition.accounts.forms import ConfirmForm, UploadForm
from competition.errors import InvalidState
from competition.jobs import services as jobs
from competition.jobs.models import JobState
from competition.permissions import require_role
from competition.roles import Role
from competition.storage import content_type, get_storage, read_bytes
from competition.web import writing

imports_bp = Blueprint("imports", __name__, url_prefix="/committee/imports")


require_role(imports_bp, Role.COMMITTEE)


_KEY = "import_file"


_PREVIEWS = "imports/"  # storage keys: imports/<unix time>-<token>.<ext>


def _forget_abandoned() -> None:
    """Previews never confirmed are not kept more than a day (a key starts with its time)."""
    storage = get_storage()
    limit = time.time() - 86400
    for key in list(storage.keys(_PREVIEWS)):
        made = key.removeprefix(_PREVIEWS).split("-", 1)[0]
        if not made.isdigit() or int(made) < limit:
            storage.delete(key)


def _stored() -> tuple[str, str] | None:
    """The storage key and token of this session's previewed file, if it is still there
    (in the shared storage: the confirmation may reach another server)."""
    value = session.get(_KEY)
    token, ext = value if isinstance(value, list) and len(value) == 2 else ("", "")
    if not token or ext not in imports.EXTENSIONS:
        return None
    key = f"{_PREVIEWS}{token}.{ext}"
    return (key, token) if get_storage().exists(key) else None


@imports_bp.route("/", endpoint="index", methods=["GET", "POST"])
def imports_index():
    form = UploadForm()
    if not form.validate_on_submit():
        return render_template("competition/accounts/imports.html", form=form, rows=None)
    upload = form.file.data
    filename = upload.filename or ""
    data = upload.read()
    try:
        rows = imports.check(imports.parse(filename, data))
    except InvalidState as exc:
        return render_template(
            "competition/accounts/imports.html", form=form, rows=None, problem=exc.message
        ), 422
    ok = not any(r.errors for r in rows)
    confirm = None
    if ok:
        old = _stored()
        if old:
            get_storage().delete(old[0])
        token = f"{int(time.time())}-{secrets.token_urlsafe(24)}"
        ext = filename.rsplit(".", 1)[-1].lower()
        _forget_abandoned()
        get_storage().put(f"{_PREVIEWS}{token}.{ext}", data, content_type(f"x.{ext}"))
        session[_KEY] = [token, ext]
        confirm = ConfirmForm(token=token)
    return render_template(
        "competition/accounts/imports.html",
        form=form,
        rows=rows,
        ok=ok,
        confirm=confirm,
        filename=filename,
    ), 200 if ok else 422


@imports_bp.post("/confirm")
def confirm():
    form = ConfirmForm()
    stored = _stored()
    if (
        not form.validate_on_submit()
        or stored is None
        or not secrets.compare_digest(form.token.data or "", stored[1])
    ):
        raise InvalidState(_l("Upload the file again: the previewed file is no longer available."))
    key, _token = stored
    with writing(flash_error=False) as w:
        job = jobs.enqueue(
            import_tasks.IMPORT,
            actor=current_user,
            subject=f"user:{current_user.id}",
            key=key,
            filename=key.rpartition("/")[2],
        )
    if w.failed:  # answered by the error page
        raise w.error
    session.pop(_KEY, None)
    return redirect(url_for("imports.job", job_id=job.id))


@imports_bp.route("/jobs/<int:job_id>")
def job(job_id: int):
    """An import's progress, then its accounts with their one-time passwords, shown once and
    only to the committee member who confirmed it (anyone else: 404)."""
    job = jobs.get_job(job_id)
    if job is None or job.kind != import_tasks.IMPORT or job.requested_by_id != current_user.id:
        abort(404)
    created = None
    if job.state == JobState.DONE and job.result_key:
        try:
            created = json.loads(read_bytes(job.result_key))
        except FileNotFoundError:
            created = None
        get_storage().delete(job.result_key)
    return render_template(
        "competition/accounts/imports_done.html",
        job=job,
        created=created,
        one_time_days=imports.ONE_TIME_PASSWORD_DAYS,
    )
