"""The demo's data files: read as package resources, typed, and consistent with each other."""

import tomllib
from datetime import date
from pathlib import Path, PurePosixPath

import pytest

from judging.demo import content, kipp


def test_content_reads_every_data_file_as_a_package_resource():
    assert content.competition()["round"]["name"] == "KOINYANLIK 2026"
    assert len(content.organisations()) == len(content.entries()) == 45
    assert [j["username"] for j in content.judges()] == [f"juri{i}" for i in range(1, 10)]
    assert len(content.scale()["provinces"]) == 38
    assert len(content.proposals()["months"]) == 12


def test_content_data_files_are_declared_package_data():
    """An installed wheel holds only what pyproject declares: every data file must match."""
    root = Path(__file__).resolve().parents[3]
    config = tomllib.loads((root / "pyproject.toml").read_text(encoding="utf-8"))
    globs = config["tool"]["setuptools"]["package-data"]["judging"]
    files = [
        PurePosixPath(f.relative_to(root / "judging").as_posix())
        for f in (root / "judging" / "demo" / "data").rglob("*")
        if f.is_file()
    ]
    assert len(files) == 6
    assert all(any(f.match(g) for g in globs) for f in files)


def test_content_judges_scoring_parameters_are_floats():
    juri2 = next(j for j in content.judges() if j["username"] == "juri2")
    assert (juri2["offset"], juri2["spread"], juri2["noise"]) == (-1.5, 1.0, 0.5)
    assert juri2["name"] == "Dr. Ratna Juwita, S.E., Ak., M.Si."  # a quoted CSV field


def test_content_returns_fresh_objects_each_call():
    content.entries()[0]["title"] = "changed"
    content.judges()[0]["offset"] = 99.0
    assert content.entries()[0]["title"] != "changed"
    assert content.judges()[0]["offset"] != 99.0


def test_content_references_resolve():
    orgs = {o["key"]: o for o in content.organisations()}
    judges = {j["username"] for j in content.judges()}
    comp = content.competition()
    categories = {c["key"] for c in comp["categories"]}
    assert len(orgs) == 45  # unique keys
    assert {o["category"] for o in orgs.values()} == categories
    assert sorted(e["org"] for e in content.entries()) == sorted(orgs)  # one entry each
    assert {o["parent"] for o in orgs.values()} == {"", "dinkes"}  # the puskesmas' agency
    story = comp["story"]
    assert story["reopen"]["judge"] in judges
    assert comp["next_round"]["agency_review"]["org"] in orgs
    for c in comp["conflicts"]:
        assert c["judge"] in judges
        assert c.get("works_for", c.get("organisation", c.get("entry"))) in orgs
    assert set(comp["comments"]) == {"high", "mid", "low"}
    proposals = content.proposals()
    assert set(proposals["peers"]) == set(proposals["partners"]) == categories
    assert set(proposals["replication"]) <= set(orgs)
    assert all(len(p) >= 3 for p in proposals["partners"].values())  # three partners named


@pytest.mark.parametrize(
    ("text", "started"),
    [
        ("Diterapkan sejak Maret 2024 berdasarkan keputusan.", date(2024, 3, 1)),
        ("Berjalan sejak Desember 2023.", date(2023, 12, 1)),
        ("Dimulai akhir 2022 di tiga kelurahan.", date(2022, 11, 1)),
        ("Diluncurkan pada 2023.", date(2023, 7, 1)),
        ("Sudah lama berjalan.", date(2024, 7, 1)),
    ],
)
def test_start_date_reads_the_month_names_from_the_data(text, started):
    assert kipp.start_date(text) == started


def test_kipp_sections_picks_the_first_matching_sdg_and_the_replication_group():
    orgs = {o["key"]: o for o in content.organisations()}
    entries = content.entries()
    i, entry = next((i, e) for i, e in enumerate(entries) if e["org"] == "dinkes")
    sections = kipp.kipp_sections(entry, orgs["dinkes"], i)
    assert "Tujuan 2 SDGs, Tanpa Kelaparan" in sections["sdg"]  # stunting comes first
    assert sections["group"] == "umum" and "inspiration" not in sections
    i, entry = next((i, e) for i, e in enumerate(entries) if e["org"] == "pkm-merdeka")
    sections = kipp.kipp_sections(entry, orgs["pkm-merdeka"], i)
    assert sections["group"] == "replikasi"
    assert sections["inspiration"].startswith("VIDOT mereplikasi")
