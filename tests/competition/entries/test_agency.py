"""Two levels as in KIPP's SiNovik: the Admin Lokal of an agency creates its units' accounts,
sees and corrects their proposals and submits them; caps count the agency as a whole."""

from sqlalchemy import select

from competition.accounts.models import Organisation, User
from competition.db import db
from competition.entries.models import Entry
from tests import factories
from tests.competition.entries.test_entries import _form


def test_admin_lokal_creates_a_unit_account_that_can_log_in(app, login, open_round):
    admin = factories.make_agency_admin("Pemerintah Kota Palembang", username="admin-plg")
    db.session.commit()
    client = login(admin)
    response = client.post(
        "/agency/units",
        data={
            "name": "Puskesmas Dempo",
            "contact_name": "dr. Sari",
            "username": "pkm-dempo",
            "password": "rahasia-dempo",
        },
    )
    assert response.status_code == 302
    unit = db.session.scalar(select(Organisation).where(Organisation.name == "Puskesmas Dempo"))
    assert unit.parent_id == admin.organisation_id
    user = db.session.scalar(select(User).where(User.username == "pkm-dempo"))
    assert user.is_opd and user.check_password("rahasia-dempo")
    response = app.test_client().post(
        "/login", data={"username": "pkm-dempo", "password": "rahasia-dempo"}
    )
    assert response.status_code == 302
    # A taken username is refused with the form kept.
    response = client.post(
        "/agency/units",
        data={"name": "Puskesmas Lain", "username": "pkm-dempo", "password": "rahasia-lain"},
    )
    assert response.status_code == 422 and 'value="Puskesmas Lain"' in response.text


def test_admin_lokal_reviews_corrects_and_submits_a_units_proposal(
    app, login, opd, other_opd, open_round
):
    admin = factories.make_agency_admin("Pemerintah Kota Palembang", username="admin-plg")
    opd.organisation.parent = admin.organisation
    draft = factories.make_entry(open_round, opd, title="Draf unit", submitted=False)
    foreign = factories.make_entry(open_round, other_opd, title="Milik agensi lain")
    db.session.commit()
    client = login(admin)
    page = client.get("/agency/").text
    assert "Draf unit" in page and "Milik agensi lain" not in page
    assert client.get(f"/agency/entries/{foreign.id}").status_code == 404
    response = client.post(
        f"/agency/entries/{draft.id}/edit",
        data=_form(open_round, title="Draf unit (dikoreksi)", send="1"),
    )
    assert response.status_code == 302
    db.session.refresh(draft)
    assert draft.is_submitted and draft.title == "Draf unit (dikoreksi)"
    # The unit sees its submitted entry.
    assert "Draf unit (dikoreksi)" in login(opd).get("/opd/").text


def test_cap_counts_the_whole_agency(app, login, opd, open_round):
    admin = factories.make_agency_admin("Pemerintah Kota Palembang", username="admin-plg")
    sibling = factories.make_opd_user("Puskesmas Dempo", username="pkm-dempo")
    for unit in (opd, sibling):
        unit.organisation.parent = admin.organisation
    open_round.cap_umum = 1
    factories.make_entry(open_round, sibling, title="Sudah dikirim unit lain")
    db.session.commit()
    response = login(opd).post(
        f"/opd/rounds/{open_round.id}/entries/new", data=_form(open_round, send="1")
    )
    assert response.status_code == 409
    assert not db.session.scalar(select(Entry).where(Entry.title == "SI-PANDAI")).is_submitted
