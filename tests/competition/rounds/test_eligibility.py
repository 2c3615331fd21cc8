"""Who may enter a round (issue 16 item 11): by kind of organisation and/or a list; others
do not see the round as open to them and are refused with the reason."""

import re

import pytest
from sqlalchemy import select

from competition.accounts.kinds import OrganisationKind, guess_kind
from competition.accounts.models import Organisation
from competition.db import db
from competition.entries.models import Entry
from competition.errors import InvalidState, NotAllowed
from competition.rounds import eligibility
from competition.rounds import services as round_service
from competition.rounds.eligibility import is_eligible
from tests import factories
from tests.competition.entries.test_entries import _form


@pytest.mark.parametrize(
    ("name", "kind"),
    [
        ("Kelurahan 20 Ilir D IV", "kelurahan"),
        ("Kecamatan Sako", "kecamatan"),
        ("UPTD Puskesmas Dempo", "puskesmas"),
        ("Badan Penanggulangan Bencana Daerah Kota Palembang", "dinas_badan"),
        ("Dinas Kesehatan Kota Palembang", "dinas_badan"),
        ("PDAM Tirta Musi Palembang", "bumd"),
        ("RSUD Palembang BARI", "rsud"),
        ("Yayasan Contoh", "other"),
    ],
)
def test_guess_kind_reads_the_name(name, kind):
    assert guess_kind(name) == kind


def test_is_eligible_by_kind_list_or_agency(app, open_round):
    kelurahan = Organisation(name="Kelurahan Sialang")
    bpbd = Organisation(name="Badan Penanggulangan Bencana Daerah")
    dinkes = Organisation(name="Dinas Kesehatan")
    unit = Organisation(name="Puskesmas Dempo", parent=dinkes)
    odd = Organisation(name="Unit Layanan Terpadu", kind="kelurahan")  # set by hand
    db.session.add_all([kelurahan, bpbd, dinkes, unit, odd])
    db.session.flush()
    assert all(is_eligible(open_round, o) for o in (kelurahan, bpbd, unit))  # open to all
    open_round.eligible_kinds = ["kelurahan"]
    assert is_eligible(open_round, kelurahan) and is_eligible(open_round, odd)
    assert not is_eligible(open_round, bpbd) and not is_eligible(open_round, unit)
    open_round.eligible_organisations = [dinkes.id]  # an agency: its units with it
    assert is_eligible(open_round, unit) and is_eligible(open_round, dinkes)
    assert not is_eligible(open_round, bpbd) and not is_eligible(open_round, None)
    assert "Dinas Kesehatan" in eligibility.describe(
        open_round, eligibility.listed_names(open_round)
    )


def test_ineligible_opd_neither_sees_nor_enters_the_round(app, login, committee, open_round):
    bpbd = factories.make_opd_user("Badan Penanggulangan Bencana Daerah", username="bpbd")
    kelurahan = factories.make_opd_user("Kelurahan Sialang", username="sialang")
    db.session.commit()
    new_url = f"/opd/rounds/{open_round.id}/entries/new"
    assert new_url in login(bpbd).get("/opd/").text  # open to all at first

    # The committee opens the round to kelurahan only, on the round's page.
    client = login(committee)
    page = client.get(f"/committee/rounds/{open_round.id}").text
    assert 'name="elig-kinds"' in page and "Siapa yang boleh ikut" in page
    r = client.post(
        f"/committee/rounds/{open_round.id}/eligibility", data={"elig-kinds": ["kelurahan"]}
    )
    assert r.status_code == 302
    db.session.refresh(open_round)
    assert open_round.eligible_kinds == ["kelurahan"] and open_round.eligible_organisations == []
    page = client.get(f"/committee/rounds/{open_round.id}").text
    ticked = re.findall(r'<input checked[^>]*value="(\w+)"', page)
    assert ticked == ["kelurahan"]

    # The BPBD no longer sees the round; by URL it is told who may enter, and nothing is made.
    opd_client = login(bpbd)
    assert new_url not in opd_client.get("/opd/").text
    r = opd_client.get(new_url)
    assert r.status_code == 403 and "hanya terbuka bagi Kelurahan" in r.text
    r = opd_client.post(new_url, data=_form(open_round, send="1"))
    assert r.status_code == 403 and db.session.scalar(select(Entry)) is None
    # The kelurahan sees it and submits.
    kel_client = login(kelurahan)
    assert new_url in kel_client.get("/opd/").text
    assert kel_client.post(new_url, data=_form(open_round, send="1")).status_code == 302
    assert db.session.scalar(select(Entry)).is_submitted

    # Naming the BPBD in the list lets it in as well.
    r = client.post(
        f"/committee/rounds/{open_round.id}/eligibility",
        data={"elig-kinds": ["kelurahan"], "elig-organisations": [str(bpbd.organisation_id)]},
    )
    assert r.status_code == 302
    assert new_url in opd_client.get("/opd/").text
    assert opd_client.get(new_url).status_code == 200


def test_draft_of_an_organisation_no_longer_eligible_is_not_submitted(
    app, login, committee, opd, open_round
):
    client = login(opd)
    assert (
        client.post(
            f"/opd/rounds/{open_round.id}/entries/new", data=_form(open_round, save="1")
        ).status_code
        == 302
    )
    entry = db.session.scalar(select(Entry))
    round_service.set_eligibility(
        round_=open_round, kinds=["puskesmas"], organisation_ids=[], actor=committee
    )
    db.session.commit()
    r = client.post(f"/opd/entries/{entry.id}/edit", data=_form(open_round, send="1"))
    assert r.status_code == 403 and "Puskesmas" in r.text
    db.session.refresh(entry)
    assert not entry.is_submitted


def test_set_eligibility_refuses_unknown_kinds_and_non_committee(app, committee, opd, open_round):
    with pytest.raises(InvalidState):
        round_service.set_eligibility(
            round_=open_round, kinds=["kerajaan"], organisation_ids=[], actor=committee
        )
    round_service.set_eligibility(
        round_=open_round,
        kinds=[OrganisationKind.RSUD, OrganisationKind.KELURAHAN],
        organisation_ids=[],
        actor=committee,
    )
    assert open_round.eligible_kinds == ["kelurahan", "rsud"]  # in the list's order
    with pytest.raises(NotAllowed):
        round_service.set_eligibility(round_=open_round, kinds=[], organisation_ids=[], actor=opd)


def test_committee_sets_an_organisations_kind(app, login, committee, open_round):
    odd = factories.make_opd_user("Unit Layanan Terpadu Sialang", username="ult")
    db.session.commit()
    open_round.eligible_kinds = ["kelurahan"]
    db.session.commit()
    assert login(odd).get(f"/opd/rounds/{open_round.id}/entries/new").status_code == 403
    client = login(committee)
    page = client.get("/committee/organisations").text
    assert f'name="org{odd.organisation_id}-kind"' in page and "Lainnya" in page  # guessed
    r = client.post(
        f"/committee/organisations/{odd.organisation_id}/region",
        data={f"org{odd.organisation_id}-kind": "kelurahan"},
    )
    assert r.status_code == 302
    assert db.session.get(Organisation, odd.organisation_id).kind == "kelurahan"
    assert login(odd).get(f"/opd/rounds/{open_round.id}/entries/new").status_code == 200
