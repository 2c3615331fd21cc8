"""Importing accounts from CSV or XLSX: preview with per-row errors, nothing imported on error,
one-time passwords on success."""

import io
import time

from openpyxl import Workbook
from sqlalchemy import func, select

from competition.accounts import imports
from competition.accounts.models import Organisation, User
from competition.db import db
from competition.notifications.models import Notification
from competition.roles import Role
from competition.storage import get_storage
from tests import factories

GOOD = (
    "username;nama;peran;surel;organisasi\r\n"
    "dishub;Admin Dinas Perhubungan;opd;dishub@palembang.go.id;Dinas Perhubungan\r\n"
    "juri9;Prof. Siti Aminah;juri;siti@unsri.ac.id;Universitas Sriwijaya\r\n"
)


def _upload(client, data: bytes, name="akun.csv"):
    return client.post(
        "/committee/imports/",
        data={"file": (io.BytesIO(data), name)},
        content_type="multipart/form-data",
    )


def _users():
    return db.session.scalar(select(func.count(User.id)))


def test_semicolon_csv_with_bom_previews_then_imports(app, login, committee):
    client = login(committee)
    before = _users()
    page = _upload(client, ("\ufeff" + GOOD).encode())
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "Admin Dinas Perhubungan" in html
    assert "import-errors" not in html and _users() == before  # preview only
    token = client.get("/committee/imports/")  # the preview does not need a GET in between
    assert token.status_code == 200
    done = client.post(
        "/committee/imports/confirm",
        data={"token": html.split('name="token" type="hidden" value="')[1].split('"')[0]},
    )
    # The confirmation queues an import job (inline in tests) and goes to its page.
    assert done.status_code == 302 and "/committee/imports/jobs/" in done.location
    job_url = done.location
    done = client.get(job_url)
    assert done.status_code == 200
    dishub = db.session.scalar(select(User).where(User.username == "dishub"))
    assert dishub.role == Role.OPD and dishub.organisation.name == "Dinas Perhubungan"
    assert dishub.email == "dishub@palembang.go.id"
    judge = db.session.scalar(select(User).where(User.username == "juri9"))
    assert judge.role == Role.JUDGE and judge.affiliation == "Universitas Sriwijaya"
    invitation = db.session.scalar(
        select(Notification).where(
            Notification.user_id == dishub.id, Notification.kind == "invitation"
        )
    )
    assert invitation.recipient == "dishub@palembang.go.id" and "dishub" in invitation.subject
    # The one-time password on the page is the account's password.
    text = done.get_data(as_text=True)
    row = text.split("dishub</td>")[1]
    password = row.split("<code>")[1].split("</code>")[0]
    assert dishub.check_password(password)
    # The passwords are shown once: not again, and never to another committee member.
    again = client.get(job_url).get_data(as_text=True)
    assert password not in again and "<code>" not in again and "2 akun" in again
    other = factories.make_user(role="committee", username="panitia2", name="Panitia Dua")
    db.session.commit()
    assert login(other).get(job_url).status_code == 404
    # A second confirmation has nothing left to import.
    assert client.post("/committee/imports/confirm", data={"token": "x"}).status_code == 409


def test_rows_with_errors_are_shown_and_nothing_imported(app, login, committee, opd):
    committee.locale = "en"
    db.session.commit()
    client = login(committee)
    before = _users()
    data = (
        "username,name,role,email,organisation\n"
        "ok1,Fine Person,judge,,\n"
        ",No Username,opd,,Dinas A\n"
        "noname,,opd,,Dinas A\n"
        "wizard,Bad Role,wizard,,\n"
        "dup,First,judge,,\n"
        "dup,Second,judge,,\n"
        f"{opd.username},Taken,judge,,\n"
        "mail,Bad Mail,judge,not-an-email,\n"
        "orgless,No Org,opd,,\n"
    ).encode()
    page = _upload(client, data)
    html = page.get_data(as_text=True)
    assert page.status_code == 422 and "import-errors" in html
    for message in (
        "The username is missing.",
        "The name is missing.",
        "Unknown role",
        "Same username as line 6.",
        "This username is already taken.",
        "The email address is not valid.",
        "An OPD or agency account needs its organisation.",
    ):
        assert message in html, message
    assert 'name="token"' not in html  # no confirmation offered
    assert client.post("/committee/imports/confirm", data={"token": ""}).status_code == 409
    assert _users() == before


def test_xlsx_and_new_organisation_flag(app, login, committee, opd):
    wb = Workbook()
    ws = wb.active
    ws.append(["Username", "Name", "Role", "Organisation"])
    ws.append(["dinkes2", "Admin Puskesmas", "opd", opd.organisation.name])
    ws.append(["bapp", "Admin Bappeda", "admin lokal", "Bappeda"])
    buf = io.BytesIO()
    wb.save(buf)
    rows = imports.check(imports.parse("akun.xlsx", buf.getvalue()))
    assert [r.errors for r in rows] == [[], []]
    assert [r.new_organisation for r in rows] == [False, True]
    created = imports.import_rows(rows=rows, actor=committee)
    db.session.commit()
    assert created[0][0].organisation_id == opd.organisation_id
    assert (
        db.session.scalar(select(func.count(Organisation.id)).where(Organisation.name == "Bappeda"))
        == 1
    )


def test_unreadable_or_headerless_file_is_refused(app, login, committee):
    client = login(committee)
    assert _upload(client, b"not a workbook", name="akun.xlsx").status_code == 422
    assert "username, name, role" in _upload(client, b"a,b\n1,2\n").get_data(as_text=True)
    assert _upload(client, b"x", name="akun.txt").status_code == 422


def test_command_line_import(app, committee, tmp_path):
    from competition.accounts.cli import import_accounts_cli

    path = tmp_path / "akun.csv"
    path.write_text(GOOD, encoding="utf-8-sig")
    runner = app.test_cli_runner()
    dry = runner.invoke(import_accounts_cli, [str(path), "--as", "panitia", "--dry-run"])
    assert dry.exit_code == 0 and "2 rows" in dry.output
    assert db.session.scalar(select(User).where(User.username == "dishub")) is None
    done = runner.invoke(import_accounts_cli, [str(path), "--as", "panitia"])
    assert done.exit_code == 0, done.output
    line = next(x for x in done.output.splitlines() if x.startswith("dishub\t"))
    user = db.session.scalar(select(User).where(User.username == "dishub"))
    assert user.check_password(line.split("\t")[1])
    again = runner.invoke(import_accounts_cli, [str(path), "--as", "panitia"])
    assert again.exit_code == 1 and "nothing imported" in again.output


def test_abandoned_previews_are_removed(app, login, committee):
    store = get_storage()  # previews are shared by every server, like uploads
    day_old = f"imports/{int(time.time()) - 86500}-abandoned.csv"
    recent = f"imports/{int(time.time()) - 60}-another-tab.csv"
    for key in (day_old, recent):
        store.put(key, b"x", "text/csv")
    assert _upload(login(committee), GOOD.encode()).status_code == 200
    previews = list(store.keys("imports/"))
    assert day_old not in previews and recent in previews and len(previews) == 2
