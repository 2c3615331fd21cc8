"""Every route of the app against the access matrix.

Routes come from ``app.url_map``. Each blueprint must be listed in ``GUARDS`` (which role it
serves, or public), so a new blueprint without an entry fails. Every route of a guarded
blueprint is then checked for every other role (refused) and for anonymous users (sent to log
in). Routes of the OPD and judge areas that take an object id must also have an object-level
case in ``OBJECT_CASES``: OPD B and an unassigned judge get 404 for OPD A's objects, as if
they did not exist."""

import re

import pytest
from sqlalchemy import select

from competition.accounts.models import User
from competition.db import db
from competition.roles import Role
from judging.panels.models import Panel, PanelMember
from judging.scoring.models import ScoreSheet, SheetStatus
from tests import factories

SIGNED_IN = "any signed-in user"

GUARDS = {
    "public": None,
    "auth": None,
    "password_reset": None,
    "static": None,
    "account": SIGNED_IN,
    "notices": None,
    "committee": Role.COMMITTEE,
    "scoring": Role.COMMITTEE,
    "publishing": Role.COMMITTEE,
    "review": Role.COMMITTEE,
    "audit": Role.COMMITTEE,
    "imports": Role.COMMITTEE,
    "outbox": Role.COMMITTEE,
    "users": Role.COMMITTEE,
    "organisations": Role.COMMITTEE,
    "committee_entries": Role.COMMITTEE,
    "announcements": Role.COMMITTEE,
    "panels": Role.COMMITTEE,
    "analysis": Role.COMMITTEE,
    "opd_results": Role.OPD,
    "judge": Role.JUDGE,
    "judge_certificates": Role.JUDGE,
    "judge_files": Role.JUDGE,
    "opd": Role.OPD,
    "agency": Role.AGENCY,
    "api": None,
    "ops": None,
}

# endpoint -> URL template for OPD A's / judge A's objects; {entry}, {assignment}, {round}
OBJECT_CASES = {
    "opd_results.entry_detail": "/opd/entries/{entry}",
    "opd.entry_edit": "/opd/entries/{entry}/edit",
    "opd_results.certificate": "/opd/certificates/{code}.pdf",
    "opd_results.feedback_pdf": "/opd/entries/{entry}/feedback.pdf",
    "judge.sheet": "/judge/assignments/{assignment}",
    "judge_certificates.download": "/judge/certificates/{code}.pdf",
    "judge.recuse": "/judge/assignments/{assignment}/recuse",
    "judge.panel": "/judge/panels/{panel}",
    "judge.panel_sheet": "/judge/panels/{panel}/sheets/{sheet}",
    "opd.attachment": "/opd/attachments/{attachment}",
    "judge_files.attachment": "/judge/files/{attachment}",
    "agency.entry_detail": "/agency/entries/{entry}",
    "agency.entry_edit": "/agency/entries/{entry}/edit",
    "agency.attachment": "/agency/attachments/{attachment}",
    "agency.entry_return": "/agency/entries/{entry}/return",
    "agency.entry_submit": "/agency/entries/{entry}/submit",
    "opd.entry_withdraw": "/opd/entries/{entry}/withdraw",
    "agency.entry_withdraw": "/agency/entries/{entry}/withdraw",
    "agency.unit_reset_link": "/agency/users/{unit_user}/reset-link",
    "opd.attachment_delete": "/opd/attachments/{attachment}/delete",  # last: it deletes
}
# The committee's downloads (entries, score sheets, audit trail): refused to every other role.
COMMITTEE_EXPORTS = {
    "review.entries_export": [
        "/committee/rounds/{round}/entries.csv",
        "/committee/rounds/{round}/entries.xlsx",
    ],
    "scoring.sheets_export": [
        "/committee/stages/{stage}/sheets.csv",
        "/committee/stages/{stage}/sheets.xlsx",
    ],
    "audit.export": ["/committee/audit/export.csv"],
    "audit.export_xlsx": ["/committee/audit/export.xlsx"],
}
# Object routes that are not owned by one OPD or judge (shared by every OPD: a round).
SHARED_OBJECTS = {"opd.entry_new"}


def _rules(app):
    return [r for r in app.url_map.iter_rules() if r.endpoint != "static"]


def _url(rule) -> str:
    return re.sub(r"<(?:[^:>]+:)?[^>]+>", "1", rule.rule)


def test_every_blueprint_has_a_guard(app):
    missing = {r.endpoint.split(".")[0] for r in _rules(app)} - set(GUARDS)
    assert missing == set()


def test_every_owned_object_route_has_an_object_case(app):
    missing = []
    for rule in _rules(app):
        bp = rule.endpoint.split(".")[0]
        if GUARDS.get(bp) in (Role.OPD, Role.JUDGE, Role.AGENCY, SIGNED_IN) and rule.arguments:
            if rule.endpoint not in OBJECT_CASES and rule.endpoint not in SHARED_OBJECTS:
                missing.append(rule.endpoint)
    assert missing == []


@pytest.mark.parametrize("role", [None, *Role])
def test_guarded_routes_refuse_other_roles(app, login, role):
    user = factories.make_user(role=role, username=f"u-{role}") if role else None
    db.session.commit()
    client = login(user) if user else app.test_client()
    for rule in _rules(app):
        guard = GUARDS[rule.endpoint.split(".")[0]]
        if guard is None or guard == role or (guard == SIGNED_IN and user is not None):
            continue
        method = "GET" if "GET" in rule.methods else "POST"
        response = client.open(_url(rule), method=method)
        if user is None:
            assert response.status_code == 302, rule.endpoint
            assert "/login" in response.headers["Location"], rule.endpoint
        else:
            assert response.status_code == 403, rule.endpoint


def test_exports_are_for_the_committee_only(app, login, committee, opd, judge, open_round):
    stage = factories.make_stage(open_round)
    agency = factories.make_agency_admin("Pemerintah Kota Palembang", username="admin-plg")
    db.session.commit()
    endpoints = {r.endpoint for r in _rules(app)}
    for endpoint, templates in COMMITTEE_EXPORTS.items():
        assert endpoint in endpoints
        for template in templates:
            url = template.format(round=open_round.id, stage=stage.id)
            assert login(committee).get(url).status_code == 200, url
            for user in (opd, judge, agency):
                assert login(user).get(url).status_code == 403, (url, user.role)
            assert app.test_client().get(url).status_code == 302, url


@pytest.fixture
def owned(app, opd, other_opd, judge, open_round):
    stage = factories.make_stage(open_round)
    entry = factories.make_entry(open_round, opd, submitted=False)
    assignment = factories.make_assignment(stage, entry, judge)
    attachment = factories.make_attachment(entry)
    other_judge = factories.make_user(role="judge", username="juri-lain")
    # Judge A chairs a panel and reads another member's submitted sheet.
    member = factories.make_user(role="judge", username="juri-anggota")
    panel = Panel(
        stage_id=stage.id,
        name="Panel A",
        members=[PanelMember(judge_id=judge.id, is_chair=True), PanelMember(judge_id=member.id)],
    )
    sheet = ScoreSheet(
        assignment=factories.make_assignment(stage, entry, member),
        status=SheetStatus.SUBMITTED,
        total=7.0,
    )
    db.session.add_all([panel, sheet])
    # OPD A is a unit of agency A; agency B's Admin Lokal must not see it.
    agency = factories.make_agency_admin("Pemerintah Kota Palembang", username="admin-plg")
    opd.organisation.parent = agency.organisation
    factories.make_agency_admin("Pemerintah Kabupaten Banyuasin", username="admin-bna")
    db.session.commit()
    return {
        "entry": entry.id,
        "assignment": assignment.id,
        "code": "0000-0000-0000",
        "round": open_round.id,
        "attachment": attachment.id,
        "panel": panel.id,
        "sheet": sheet.id,
        "unit_user": opd.id,
    }, other_judge


def test_objects_of_others_are_404(app, login, opd, other_opd, judge, owned):
    ids, other_judge = owned
    get_endpoints = {r.endpoint for r in _rules(app) if "GET" in r.methods}
    for endpoint, template in OBJECT_CASES.items():
        url = template.format(**ids)
        if endpoint.startswith(("opd.", "opd_results.")):
            owner, stranger = opd, other_opd
        elif endpoint.startswith("agency."):
            owner, stranger = (
                db.session.scalar(select(User).where(User.username == u))
                for u in ("admin-plg", "admin-bna")
            )
        else:
            owner, stranger = judge, other_judge
        for method in ("GET", "POST"):
            assert login(stranger).open(url, method=method).status_code in (404, 405), (
                endpoint,
                method,
            )
        # (the made-up certificate code has no certificate at all; nothing is published yet,
        # so there is no feedback)
        if (
            endpoint
            not in (
                "opd_results.certificate",
                "judge_certificates.download",
                "opd_results.feedback_pdf",
            )
            and endpoint in get_endpoints
        ):
            response = login(owner).get(url)
            assert response.status_code in (200, 302), endpoint
            response.close()


# Committee pages added later, checked by name so that moving one out of a committee blueprint
# (or dropping it) is noticed: the final ranking combining the scored stages, and its weights;
# asking a judge to check a score that looks like a typing mistake (it reopens the sheet).
COMMITTEE_ONLY = {
    "analysis.final_ranking": "GET",
    "analysis.stage_weights": "POST",
    "analysis.check_score": "POST",
}


@pytest.mark.parametrize("endpoint", sorted(COMMITTEE_ONLY))
def test_committee_only_pages_are_behind_the_committee_guard(app, login, opd, judge, endpoint):
    (rule,) = [r for r in _rules(app) if r.endpoint == endpoint]
    assert GUARDS[endpoint.split(".")[0]] == Role.COMMITTEE
    method = COMMITTEE_ONLY[endpoint]
    assert app.test_client().open(_url(rule), method=method).status_code == 302
    for user in (opd, judge):
        assert login(user).open(_url(rule), method=method).status_code == 403
