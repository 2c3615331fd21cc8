"""Confirmation of destructive actions (competition/static/confirm.js): the pages mark their
forms and buttons with data-confirm, the script (run in Node against a stand-in DOM) stops a
submission the user does not confirm, and the server still needs its POST with CSRF."""

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from competition.db import db, utcnow
from judging.results import certificate_register
from judging.results import publication as publication_service
from tests import factories
from tests.conftest import csrf_token
from tests.judging.results.test_publishing import scored  # noqa: F401 (fixture)

SCRIPT = Path(__file__).parents[3] / "competition" / "static" / "confirm.js"

HARNESS = r"""
const fs = require("fs");
const [script, answer, target] = process.argv.slice(1);
const listeners = {};
global.document = { addEventListener(type, fn) { (listeners[type] = listeners[type] || []).push(fn); } };
const asked = [];
global.window = { confirm(message) { asked.push(message); return answer === "yes"; } };
eval(fs.readFileSync(script, "utf8"));
function el(tag, attrs) {
  return { tagName: tag, dataset: {}, attrs, getAttribute(n) { return n in attrs ? attrs[n] : null; },
           closest(sel) { return "data-confirm" in attrs ? this : null; } };
}
const form = el("FORM", target === "form" ? { "data-confirm": "Hapus kriteria?" } : {});
const button = el("INPUT", target === "button" ? { "data-confirm": "Cabut piagam?" } : {});
button.form = form;
function fire(type, t) {
  const ev = { target: t, prevented: false, preventDefault() { this.prevented = true; },
               stopImmediatePropagation() {} };
  (listeners[type] || []).forEach((fn) => fn(ev));
  return ev.prevented;
}
const clickPrevented = fire("click", button);
const submitPrevented = clickPrevented ? true : fire("submit", form);
console.log(JSON.stringify({ asked, clickPrevented, submitPrevented }));
"""


def _run(answer, target):
    node = shutil.which("node")
    if node is None:
        pytest.skip("Node.js is not installed")
    done = subprocess.run(
        [node, "-e", HARNESS, str(SCRIPT), answer, target],
        capture_output=True,
        text=True,
        check=True,
        timeout=30,
    )
    return json.loads(done.stdout)


@pytest.mark.parametrize("target", ["form", "button"])
def test_confirm_stops_the_submission_unless_confirmed(target):
    refused = _run("no", target)
    assert len(refused["asked"]) == 1 and refused["submitPrevented"] is True
    agreed = _run("yes", target)
    # Asked once, even when both the button and its form are involved.
    assert len(agreed["asked"]) == 1 and agreed["submitPrevented"] is False


def test_no_question_without_data_confirm():
    result = _run("no", "none")
    assert result["asked"] == [] and result["submitPrevented"] is False


def test_every_page_loads_confirm_js(app, client):
    page = client.get("/").text
    assert '<script src="/static/confirm.js" defer></script>' in page
    with client.get("/static/confirm.js") as response:
        assert response.status_code == 200 and b"data-confirm" in response.data


def test_destructive_actions_ask_for_confirmation(app, login, committee, judge, open_round):
    stage = factories.make_stage(open_round)
    db.session.commit()
    client = login(committee)
    rubric = client.get(f"/committee/stages/{stage.id}/rubric").text
    assert 'data-confirm="Hapus kriteria Kebaruan dari rubrik?"' in rubric
    assert 'data-confirm="Ganti rubrik dengan templat ini?' in rubric
    users = client.get("/committee/users/").text
    assert f'data-confirm="Nonaktifkan akun {judge.name}?' in users


def test_revoking_asks_and_stays_a_post_with_csrf(app, make_app, login, committee, scored):  # noqa: F811
    stage, entries, _ = scored
    publication_service.publish_results(stage=stage, actor=committee, now=utcnow())
    db.session.commit()
    cert = certificate_register.valid_certificates_by_entry(stage)[entries[0].id]
    url = f"/committee/rounds/{stage.round_id}/results/certificates/{cert.id}"
    page = login(committee).get(url).text
    assert f'data-confirm="Cabut piagam {cert.code}?' in page
    # With CSRF on, a POST without the token does nothing; with it, the revocation goes.
    strict = make_app(WTF_CSRF_ENABLED=True)
    with strict.app_context():
        client = strict.test_client(user=committee)
        client.post(url, data={"reason": "Salah", "revoke": "1"})
        db.session.expire_all()
        assert not db.session.get(type(cert), cert.id).is_revoked
        token = csrf_token(client.get(url).text)
        response = client.post(url, data={"reason": "Salah", "revoke": "1", "csrf_token": token})
        assert response.status_code == 302
        db.session.expire_all()
        assert db.session.get(type(cert), cert.id).is_revoked
