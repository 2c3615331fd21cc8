"""Account imports (issue 15, item 8) refuse oversized or hostile files before reading them in
full: file size, zip bombs (the uncompressed size in the zip directory), declared and actual
rows and columns, overlong cells; quickly and in little memory, with a clear message."""

import functools
import io
import re
import time
import tracemalloc
import zipfile

import pytest
from openpyxl import Workbook

from competition.accounts import imports
from competition.errors import InvalidState

HEADER = ["username", "name", "role", "organisation"]


def _xlsx(rows, *, strip_dimension=False) -> bytes:
    wb = Workbook()
    ws = wb.active
    for row in rows:
        ws.append(row)
    return _save(wb, strip_dimension)


def _save(wb, strip_dimension=False) -> bytes:
    buf = io.BytesIO()
    wb.save(buf)
    if not strip_dimension:
        return buf.getvalue()
    return _edit_sheet(buf.getvalue(), _without_dimension)


def _without_dimension(body: bytes) -> bytes:
    """The sheet without its <dimension>: the file no longer declares its size."""
    body = re.sub(rb"<dimension[^>]*/>", b"", body)
    assert b"<dimension" not in body
    return body


def _edit_sheet(data: bytes, edit) -> bytes:
    """The XLSX ``data`` with its first sheet's XML replaced by ``edit(xml)``."""
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(data)) as src,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst,
    ):
        for info in src.infolist():
            body = src.read(info.filename)
            if info.filename == "xl/worksheets/sheet1.xml":
                body = edit(body)
            dst.writestr(info.filename, body)
    return out.getvalue()


@functools.cache
def _last_column_workbook(strip_dimension=False) -> bytes:
    """The probe's file: one cell in the last column (XFD) of 8,000 rows (about 46 KB).
    openpyxl writes the header and the first such row; the other rows are copies of it
    written into the sheet's XML (openpyxl takes seconds to write 8,000 of them)."""
    wb = Workbook()
    ws = wb.active
    for column, title in enumerate(HEADER, start=1):
        ws.cell(row=1, column=column, value=title)
    ws.cell(row=2, column=16384, value="x")

    def grow(body: bytes) -> bytes:
        row = re.search(rb'<row r="2">.*?</row>', body).group()
        assert b'r="XFD2"' in row
        rows = b"".join(
            row.replace(b'r="2"', b'r="%d"' % n).replace(b'r="XFD2"', b'r="XFD%d"' % n)
            for n in range(3, 8001)
        )
        body = body.replace(row, row + rows)
        return body.replace(b'<dimension ref="A1:XFD2"', b'<dimension ref="A1:XFD8000"')

    return _edit_sheet(_save(wb, strip_dimension), grow)


def _refused(filename, data) -> tuple[str, float, int]:
    """Parse and expect a refusal: (message in Indonesian, the default language, CPU seconds,
    peak bytes allocated). CPU time, not wall time, so that a machine shared with other work
    does not fail the test; timed and traced in two runs, since tracing allocations slows
    Python down several times."""
    start = time.process_time()
    with pytest.raises(InvalidState) as exc:
        imports.parse(filename, data)
    seconds = time.process_time() - start
    tracemalloc.start()
    try:
        with pytest.raises(InvalidState):
            imports.parse(filename, data)
        _now, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return str(exc.value.message), seconds, peak


@pytest.mark.parametrize("strip_dimension", [False, True], ids=["declared", "undeclared"])
def test_last_column_workbook_is_refused_fast_and_small(app, strip_dimension):
    data = _last_column_workbook(strip_dimension)
    assert len(data) < 100_000
    message, seconds, peak = _refused("akun.xlsx", data)
    assert seconds < 2 and peak < 200 * 1024 * 1024, (seconds, peak)
    assert ("kolom" in message) if not strip_dimension else ("baris" in message)


def test_zip_bomb_is_refused_from_the_zip_directory(app):
    good = io.BytesIO(_xlsx([HEADER, ["budi", "Budi", "judge", ""]]))
    bomb = io.BytesIO()
    with zipfile.ZipFile(good) as src, zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            dst.writestr(info.filename, src.read(info.filename))
        dst.writestr("xl/media/padding.bin", b"\0" * (imports.MAX_UNCOMPRESSED_BYTES + 1))
    data = bomb.getvalue()
    assert len(data) < 100_000  # small on disk, over the limit unpacked
    message, seconds, peak = _refused("akun.xlsx", data)
    assert "lebih dari 10 MB setelah dibuka" in message
    assert seconds < 2 and peak < 5 * 1024 * 1024  # nothing was decompressed


def test_file_too_large_is_refused_before_parsing(app):
    data = ("username,name,role\n" + "a" * imports.MAX_FILE_BYTES).encode()
    message, _seconds, _peak = _refused("akun.csv", data)
    assert "lebih besar dari 2 MB" in message


@pytest.mark.parametrize("ext", ["csv", "xlsx"])
def test_too_many_rows_columns_or_characters(app, ext):
    def file(rows):
        if ext == "xlsx":
            return _xlsx(rows)
        return "\n".join(",".join(r) for r in rows).encode()

    name = f"akun.{ext}"
    many = [HEADER] + [[f"u{i}", "Nama", "judge", ""] for i in range(imports.MAX_LINES)]
    assert "lebih dari 4001 baris" in _refused(name, file(many))[0]
    wide = [HEADER + [f"c{i}" for i in range(imports.MAX_COLUMNS)], ["u", "N", "judge", "x"]]
    assert f"lebih dari {imports.MAX_COLUMNS} kolom" in _refused(name, file(wide))[0]
    if ext == "xlsx":  # the same without a declared dimension: found while reading
        undeclared = _xlsx(wide, strip_dimension=True)
        assert f"lebih dari {imports.MAX_COLUMNS} kolom" in _refused(name, undeclared)[0]
    long_cell = [HEADER, ["budi", "B" * (imports.MAX_CELL_CHARS + 1), "judge", ""]]
    message = _refused(name, file(long_cell))[0]
    assert "Baris 2, kolom 2" in message and str(imports.MAX_CELL_CHARS) in message
    # Within every limit, the same shapes are read.
    fine = [HEADER, ["budi", "B" * imports.MAX_CELL_CHARS, "judge", ""]]
    assert [r.username for r in imports.parse(name, file(fine))] == ["budi"]


def test_the_import_page_explains_the_refusal(app, login, committee):
    client = login(committee)
    data = _last_column_workbook()
    start = time.process_time()
    r = client.post(
        "/committee/imports/",
        data={"file": (io.BytesIO(data), "akun.xlsx")},
        content_type="multipart/form-data",
    )
    assert time.process_time() - start < 2
    assert r.status_code == 422 and f"lebih dari {imports.MAX_COLUMNS} kolom" in r.text
