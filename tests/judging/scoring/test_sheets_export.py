"""The committee exports a stage's score sheets (and the audit trail) as CSV and XLSX."""

import csv
import io

from openpyxl import load_workbook

from competition.db import db, utcnow
from judging.scoring import rubric as rubric_service
from judging.scoring import sheets as sheet_service
from tests import factories


def _stage_with_sheets(open_round, opd, judge):
    stage = factories.make_stage(open_round, criteria=[("Kebaruan", 60), ("Kemanfaatan", 40)])
    k, m = rubric_service.list_criteria(stage)
    entry = factories.make_entry(open_round, opd, title="=Posyandu Digital")
    other = factories.make_user(role="judge", username="juri2", name="Ir. Budi")
    late = factories.make_user(role="judge", username="juri3", name="Ir. Citra")
    sheet_service.save_sheet(
        assignment=factories.make_assignment(stage, entry, judge),
        submit=True,
        actor=judge,
        now=utcnow(),
        inputs={
            k.id: sheet_service.CriterionInput(9, "Sangat baru."),
            m.id: sheet_service.CriterionInput(8),
        },
    )
    sheet_service.save_sheet(
        assignment=factories.make_assignment(stage, entry, other),
        submit=False,
        actor=other,
        now=utcnow(),
        inputs={k.id: sheet_service.CriterionInput(6.5), m.id: sheet_service.CriterionInput(None)},
    )
    factories.make_assignment(stage, entry, late)
    db.session.commit()
    return stage, entry


def test_sheets_xlsx_has_one_row_per_assignment(app, login, committee, opd, judge, open_round):
    stage, entry = _stage_with_sheets(open_round, opd, judge)
    response = login(committee).get(f"/committee/stages/{stage.id}/sheets.xlsx")
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("application/vnd.openxmlformats")
    rows = list(load_workbook(io.BytesIO(response.data)).active.iter_rows(values_only=True))
    assert rows[0] == (
        "No.",
        "Inovasi",
        "OPD",
        "Kategori",
        "Juri",
        "Kebaruan (60%)",
        "Kemanfaatan (40%)",
        "Total",
        "Status",
        "Dikirim pada",
        "Komentar",
    )
    by_judge = {r[4]: r for r in rows[1:]}
    assert len(rows) == 4
    sari = by_judge["Dr. Hendra Saputra"]
    assert sari[:3] == (entry.id, "'=Posyandu Digital", "Dinas Kesehatan Kota Palembang")
    assert sari[5:9] == (9, 8, 8.6, "terkirim") and sari[9] and sari[10] == "Kebaruan: Sangat baru."
    assert by_judge["Ir. Budi"][5:9] == (6.5, None, None, "draf")
    assert by_judge["Ir. Citra"][5:10] == (None, None, None, "belum dimulai", None)


def test_sheets_csv_in_english(app, login, committee, opd, judge, open_round):
    stage, _entry = _stage_with_sheets(open_round, opd, judge)
    client = login(committee)
    client.post("/language", data={"lang": "en"})
    text = client.get(f"/committee/stages/{stage.id}/sheets.csv").data.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0][:5] == ["No.", "Innovation", "OPD", "Category", "Judge"]
    assert ["submitted", "draft", "not started"] == sorted(
        (r[8] for r in rows[1:]), key=["submitted", "draft", "not started"].index
    )


def test_audit_trail_as_xlsx(app, login, committee, open_round):
    factories.make_stage(open_round)
    db.session.commit()
    client = login(committee)
    response = client.get("/committee/audit/export.xlsx", query_string={"target_type": "stages"})
    rows = list(load_workbook(io.BytesIO(response.data)).active.iter_rows(values_only=True))
    assert rows[0][:3] == ("id", "created_at", "actor")
    assert len(rows) >= 2 and all(r[5] == "stages" for r in rows[1:])
    assert any("Penilaian Proposal" in (r[8] or "") for r in rows[1:])
    assert "export.xlsx" in client.get("/committee/audit/").text
