"""Tables as CSV or XLSX downloads: the one place that writes spreadsheets for the committee's
exports (entries, score sheets, audit trail).

CSV is UTF-8 with a byte-order mark (so Excel reads it) and commas; XLSX is written in
openpyxl's write-only mode (constant memory, for the audit trail of a national round), header
row bold and frozen. Text that a spreadsheet would run as a formula (typed by an OPD or a judge)
is quoted with an apostrophe in both, and control characters are dropped."""

from __future__ import annotations

import csv
import importlib
import io
from collections.abc import Iterable, Sequence

from competition import downloads
from competition.text import clean_text

XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FORMATS = ("csv", "xlsx")


def openpyxl(module: str = ""):
    """openpyxl (or its submodule ``module``), imported when a spreadsheet is first written or
    read: only exports and account imports use it, and importing it would cost every process's
    start (each server worker, each ``flask`` command) a few tenths of a second."""
    return importlib.import_module(f"openpyxl.{module}" if module else "openpyxl")


def safe(cell):
    """Neutralize spreadsheet formulas typed by a user (CSV/formula injection), and drop the
    control characters an XLSX file cannot hold (older data may have them: see
    ``competition.text``)."""
    cell = clean_text(cell)
    if isinstance(cell, str) and cell[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + cell
    return cell


def to_csv(rows: Iterable[Sequence]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    for row in rows:
        writer.writerow([safe(c) for c in row])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def to_xlsx(rows: Iterable[Sequence], title: str, widths: Sequence[int] = ()) -> bytes:
    """One sheet named ``title`` (cut to Excel's 31 characters); the first row is the header.
    ``widths`` are column widths in characters, left to right."""
    workbook = openpyxl().Workbook(write_only=True)
    sheet = workbook.create_sheet(title[:31] or "Sheet")
    for i, width in enumerate(widths, start=1):
        sheet.column_dimensions[openpyxl("utils").get_column_letter(i)].width = width
    sheet.freeze_panes = "A2"
    bold = openpyxl("styles").Font(bold=True)
    write_only_cell = openpyxl("cell").WriteOnlyCell
    for n, row in enumerate(rows):
        if n == 0:
            cells = []
            for value in row:
                cell = write_only_cell(sheet, value=safe(value))
                cell.font = bold
                cells.append(cell)
            sheet.append(cells)
        else:
            sheet.append([safe(c) for c in row])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def download(
    rows: Iterable[Sequence],
    fmt: str,
    filename: str,
    *,
    title: str = "",
    widths: Sequence[int] = (),
):
    """A Flask response tuple serving ``rows`` as ``filename.csv`` or ``filename.xlsx``."""
    if fmt == "csv":
        body, mimetype = to_csv(rows), "text/csv; charset=utf-8"
    else:
        body, mimetype = to_xlsx(rows, title or filename, widths), XLSX_MIMETYPE
    return (
        body,
        200,
        {
            "Content-Type": mimetype,
            "Content-Disposition": downloads.disposition(f"{filename}.{fmt}"),
        },
    )
