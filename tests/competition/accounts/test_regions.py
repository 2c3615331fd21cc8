"""The region of organisations (kabupaten/kota and province): edited by the committee, filled
by the account import's optional columns."""

import io

from openpyxl import Workbook
from sqlalchemy import select

from competition.accounts.models import Organisation, User
from competition.db import db
from tests import factories


def test_committee_records_the_region_of_an_organisation(app, login, committee, opd):
    client = login(committee)
    org = opd.organisation
    page = client.get("/committee/organisations")
    assert page.status_code == 200 and org.name in page.text
    response = client.post(
        f"/committee/organisations/{org.id}/region",
        data={
            f"org{org.id}-region": "  Kota   Palembang ",
            f"org{org.id}-province": "Sumatera Selatan",
        },
    )
    assert response.status_code == 302
    db.session.refresh(org)
    assert (org.region, org.province) == ("Kota Palembang", "Sumatera Selatan")
    assert 'value="Kota Palembang"' in client.get("/committee/organisations").text
    # Too long: refused, nothing changed, the typed text is kept.
    response = client.post(
        f"/committee/organisations/{org.id}/region",
        data={f"org{org.id}-region": "x" * 201, f"org{org.id}-province": "Jawa Barat"},
    )
    assert response.status_code == 422 and 'value="Jawa Barat"' in response.text
    db.session.refresh(org)
    assert org.province == "Sumatera Selatan"


def test_a_unit_counts_under_its_agencys_region(app, opd):
    agency = factories.make_agency_admin("Pemerintah Kota Palembang", username="admin-plg")
    agency.organisation.region, agency.organisation.province = "Kota Palembang", "Sumatera Selatan"
    opd.organisation.parent = agency.organisation
    db.session.commit()
    assert opd.organisation.place == ("Kota Palembang", "Sumatera Selatan")
    opd.organisation.region = "Kecamatan Ilir Barat I"
    assert opd.organisation.place == ("Kecamatan Ilir Barat I", "")


def test_other_roles_cannot_record_regions(app, login, opd):
    org = opd.organisation
    response = login(opd).post(
        f"/committee/organisations/{org.id}/region", data={f"org{org.id}-region": "Kota Palembang"}
    )
    assert response.status_code == 403
    db.session.refresh(org)
    assert org.region == ""


def _confirm(client, page):
    token = page.text.split('name="token" type="hidden" value="')[1].split('"')[0]
    return client.post("/committee/imports/confirm", data={"token": token}, follow_redirects=True)


def test_import_fills_regions_from_the_optional_columns(app, login, committee, opd):
    opd.organisation.region = "Kota Palembang"
    db.session.commit()
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["username", "nama", "peran", "organisasi", "Kabupaten/Kota", "Provinsi"])
    sheet.append(
        [
            "bappeda-bna",
            "Admin Bappeda",
            "opd",
            "Bappeda Kabupaten Banyuasin",
            "Kabupaten Banyuasin",
            "Sumatera Selatan",
        ]
    )
    sheet.append(
        ["dinkes2", "Admin Dinkes 2", "opd", opd.organisation.name, "Kota Bandung", "Jawa Barat"]
    )  # existing region: not overwritten
    sheet.append(["tanpa", "Tanpa Wilayah", "opd", "Kelurahan Tanpa Wilayah", "", ""])
    out = io.BytesIO()
    workbook.save(out)
    client = login(committee)
    page = client.post(
        "/committee/imports/",
        content_type="multipart/form-data",
        data={"file": (io.BytesIO(out.getvalue()), "akun.xlsx")},
    )
    assert page.status_code == 200 and "Kabupaten Banyuasin, Sumatera Selatan" in page.text
    assert _confirm(client, page).status_code == 200
    new = db.session.scalar(
        select(Organisation).where(Organisation.name == "Bappeda Kabupaten Banyuasin")
    )
    assert (new.region, new.province) == ("Kabupaten Banyuasin", "Sumatera Selatan")
    db.session.refresh(opd.organisation)
    assert (opd.organisation.region, opd.organisation.province) == ("Kota Palembang", "")
    plain = db.session.scalar(select(User).where(User.username == "tanpa")).organisation
    assert (plain.region, plain.province) == ("", "")


def test_import_without_region_columns_still_works(app, login, committee):
    client = login(committee)
    page = client.post(
        "/committee/imports/",
        content_type="multipart/form-data",
        data={
            "file": (
                io.BytesIO(b"username,name,role,organisation\r\nx1,X Satu,opd,Dinas X\r\n"),
                "akun.csv",
            )
        },
    )
    assert page.status_code == 200
    assert _confirm(client, page).status_code == 200
    org = db.session.scalar(select(Organisation).where(Organisation.name == "Dinas X"))
    assert org.region == "" and org.province == ""
