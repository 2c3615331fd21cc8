"""The committee's progress page: per judge and per entry, reminders to copy or email."""

import smtplib

from competition.db import db
from judging.scoring.models import ScoreSheet, SheetStatus
from tests import factories


def _arrange(open_round):
    opds = [factories.make_opd_user(f"OPD {i}", username=f"opd{i}") for i in range(2)]
    entries = [
        factories.make_entry(open_round, u, title=f"Inovasi {i}") for i, u in enumerate(opds)
    ]
    late = factories.make_user(role="judge", username="lambat", name="Ir. Lambat")
    late.email = "lambat@example.id"
    quick = factories.make_user(role="judge", username="cepat", name="Dr. Cepat")
    stage = factories.make_stage(open_round)
    sheets = []
    for judge in (late, quick):
        for e in entries:
            sheets.append(factories.make_assignment(stage, e, judge))
    db.session.add(ScoreSheet(assignment=sheets[0], status=SheetStatus.DRAFT))
    db.session.add(ScoreSheet(assignment=sheets[2], status=SheetStatus.SUBMITTED))
    db.session.add(ScoreSheet(assignment=sheets[3], status=SheetStatus.SUBMITTED))
    db.session.commit()
    return stage


def _rows(html, name):
    start = html.index(f"<td>{name}</td>")
    return [c.split("</td>")[0] for c in html[start:].split('<td class="num">')[1:4]]


def test_progress_per_judge_and_entry_with_reminders_to_copy(app, login, committee, open_round):
    stage = _arrange(open_round)
    page = login(committee).get(f"/committee/stages/{stage.id}/progress").text
    assert "2 dari 4 lembar penilaian telah dikirim, 1 masih draf" in page
    assert _rows(page, "Ir. Lambat") == ["2", "1", "0"]
    assert _rows(page, "Dr. Cepat") == ["2", "0", "2"]
    assert _rows(page, "Inovasi 0") == ["2", "1", "1"]
    reminders = page.split('class="reminders"')[1].split("</textarea>")[0]
    assert "Ir. Lambat &lt;lambat@example.id&gt;" in reminders
    assert "2 dari 2 lembar penilaian Anda" in reminders
    assert "Dr. Cepat" not in reminders
    assert "JURI_MAIL_SERVER" in page  # no mail server: a list to copy, no email button
    assert "/progress/remind" not in page


class FakeSMTP:
    sent: list = []

    def __init__(self, host, port, timeout=None):
        self.host, self.port = host, port

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False

    def starttls(self):
        pass

    def login(self, user, password):
        pass

    def send_message(self, msg):
        FakeSMTP.sent.append(msg)


def test_reminders_by_email_when_smtp_is_configured(make_app, monkeypatch):
    app = make_app(MAIL_SERVER="smtp.example.id", MAIL_FROM="panitia@example.id")
    monkeypatch.setattr(smtplib, "SMTP", FakeSMTP)
    FakeSMTP.sent = []
    with app.app_context():
        db.create_all()
        committee = factories.make_user(role="committee", username="panitia")
        round_ = factories.make_round()
        stage = _arrange(round_)
        client = app.test_client(user=committee)
        page = client.get(f"/committee/stages/{stage.id}/progress").text
        assert "/progress/remind" in page
        r = client.post(f"/committee/stages/{stage.id}/progress/remind", follow_redirects=True)
        assert "1 pengingat terkirim." in r.text
    assert [m["To"] for m in FakeSMTP.sent] == ["lambat@example.id"]
    assert FakeSMTP.sent[0]["From"] == "panitia@example.id"
    assert "Ir. Lambat" in FakeSMTP.sent[0].get_content()


def test_progress_entries_are_paged_searched_and_filtered(app, login, committee, open_round):
    stage = _arrange(open_round)
    client = login(committee)
    url = f"/committee/stages/{stage.id}/progress"
    page = client.get(f"{url}?per_page=1").text
    # The totals count every assignment, whatever the page shows.
    assert "2 dari 4 lembar penilaian telah dikirim, 1 masih draf" in page
    # Furthest behind first: Inovasi 0 (1 of 2 submitted) then Inovasi 1 (1 of 2, by title).
    assert "<td>Inovasi 0</td>" in page and "<td>Inovasi 1</td>" not in page
    assert f'href="{url}?per_page=1&amp;page=2"' in page
    assert f'href="{url}?per_page=1&amp;jpage=2"' in page  # the judges, one a page too
    second = client.get(f"{url}?per_page=1&page=2").text
    assert _rows(second, "Inovasi 1") == ["2", "0", "1"] and "<td>Inovasi 0</td>" not in second
    found = client.get(f"{url}?q=INOVASI%201").text
    assert "<td>Inovasi 1</td>" in found and "<td>Inovasi 0</td>" not in found
    assert "<td>Inovasi 0</td>" in client.get(f"{url}?q=OPD%200").text  # by the OPD's name
    behind = client.get(f"{url}?behind=1").text
    assert "<td>Inovasi 0</td>" in behind and "<td>Inovasi 1</td>" in behind
    for sheet in db.session.scalars(db.select(ScoreSheet)):
        sheet.status = SheetStatus.SUBMITTED
    db.session.commit()
    done = client.get(f"{url}?behind=1").text.split('id="entries"')[1]
    assert "<td>Inovasi 0</td>" not in done and _rows(done, "Inovasi 1") == ["2", "0", "1"]
    done = client.get(f"{url}?behind=1&q=Inovasi%200").text
    assert "Tidak ada inovasi yang cocok." in done


def test_stage_progress_counts_in_sql(app, committee, open_round):
    from judging.scoring import progress as progress_service

    stage = _arrange(open_round)
    progress = progress_service.stage_progress(stage)
    assert (progress.expected, progress.drafted, progress.submitted) == (4, 1, 2)
    assert [(r.subject.name, r.expected, r.drafted, r.submitted) for r in progress.judges] == [
        ("Ir. Lambat", 2, 1, 0),
        ("Dr. Cepat", 2, 0, 2),
    ]
    assert [r.subject.name for r in progress.behind] == ["Ir. Lambat"]
    rows, at = progress_service.entry_progress(stage, page=2, per_page=1)
    assert at.total == 2 and at.pages == 2 and [r.subject.title for r in rows] == ["Inovasi 1"]


def test_one_reminder_is_said_in_the_singular_in_english(app, login, committee, open_round):
    stage = _arrange(open_round)
    client = login(committee)
    with client.session_transaction() as s:
        s["lang"] = "en"
    r = client.post(f"/committee/stages/{stage.id}/progress/remind", follow_redirects=True)
    assert "1 reminder sent." in r.text and "1 reminders" not in r.text
