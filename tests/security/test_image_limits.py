"""Uploaded images (issue 15, item 9): format, pixel dimensions and decompression bombs are
checked before anything is stored, on every path that takes an image (certificate logo and
signatures, entry attachments, objection evidence); accepted certificate images are scaled
down to print size."""

import io
import struct
import time
import zlib

import pytest
from PIL import Image
from sqlalchemy import func, select

from competition import images
from competition.announcements.models import Objection
from competition.db import db
from competition.entries.models import Entry
from competition.storage import read_bytes
from judging.results import awards
from tests.competition.entries.test_entries import _form
from tests.field_errors import field_errors
from tests.security.test_objection_abuse import _data, announced  # noqa: F401 (a fixture)


def _chunk(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))


def declared_png(width: int, height: int) -> bytes:
    """A tiny PNG file declaring ``width`` × ``height`` pixels (a decompression bomb when
    large: nothing in it needs that much, but decoding it would allocate it all)."""
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)  # 8-bit RGB
    idat = zlib.compress(b"\0" * 1024, 9)
    return (
        b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", ihdr) + _chunk(b"IDAT", idat) + _chunk(b"IEND", b"")
    )


def _png(width, height, fmt="PNG") -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (width, height), (10, 80, 160)).save(buf, format=fmt)
    return buf.getvalue()


def declared_jpeg(width: int, height: int) -> bytes:
    """A small real JPEG whose frame header (SOF0) is rewritten to declare ``width`` ×
    ``height`` pixels."""
    data = bytearray(_png(8, 8, "JPEG"))
    sof = data.index(b"\xff\xc0")
    data[sof + 5 : sof + 9] = struct.pack(">HH", height, width)
    return bytes(data)


BOMB = declared_png(100_000, 100_000)  # 10 gigapixels in under 100 bytes
PROBE = declared_png(12_000, 12_000)  # the probe's logo: 144 megapixels


def test_bomb_files_are_small():
    assert len(BOMB) < 200 and len(PROBE) < 200


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        pytest.param(BOMB, "megapiksel", id="bomb"),
        pytest.param(PROBE, "12000 × 12000", id="12000x12000"),
        pytest.param(declared_png(6001, 10), "6001 × 10", id="too wide"),
        pytest.param(declared_jpeg(15000, 9000), "15000 × 9000", id="jpeg"),
        pytest.param(declared_png(6000, 6700), "6000 × 6700", id="over 40 megapixels"),
        pytest.param(b"GIF89a" + b"\0" * 40, "PNG / JPEG", id="another format"),
        pytest.param(b"\x89PNG\r\n\x1a\n" + b"\0" * 40, "PNG / JPEG", id="damaged"),
    ],
)
def test_check_image_refuses_with_the_reason(app, data, expected):
    start = time.process_time()
    with pytest.raises(images.ImageRefused) as exc:
        images.check_image(data)
    assert time.process_time() - start < 0.5
    assert expected in str(exc.value.message)


def test_check_image_accepts_images_within_the_limits(app):
    assert images.check_image(declared_png(6000, 6000)).width == 6000  # header only: 36 MP
    info = images.check_image(_png(30, 20, "JPEG"))
    assert (info.format, info.width, info.height, info.extension) == ("JPEG", 30, 20, "jpg")


def test_fit_for_print_scales_large_images_down(app):
    big = _png(3000, 1000)
    small = images.fit_for_print(big)
    with Image.open(io.BytesIO(small)) as img:
        assert img.size == (images.PRINT_SIDE, images.PRINT_SIDE // 3) and img.format == "PNG"
    tiny = _png(50, 50)
    assert images.fit_for_print(tiny) is tiny


def _layout(client, round_id, **files):
    return client.post(
        f"/committee/rounds/{round_id}/results/layout",
        data={
            "government": "Pemerintah Kota Palembang",
            "place": "Palembang",
            "signer1_name": "Dr. Siti Rahma",
            "signer1_title": "Sekretaris Daerah",
            **{slot: (io.BytesIO(data), f"{slot}.png") for slot, data in files.items()},
        },
        content_type="multipart/form-data",
    )


def test_certificate_layout_refuses_a_bomb_and_keeps_the_form(app, login, committee, open_round):
    client = login(committee)
    r = _layout(client, open_round.id, signer1_image=PROBE)
    assert r.status_code == 422
    assert "12000 × 12000" in r.text and "Pemerintah Kota Palembang" in r.text
    errors = field_errors(r.text)  # under the refused image, not under the logo
    assert "12000 × 12000" in " ".join(errors["signer1_image"]) and errors["logo"] == [], errors
    settings = awards.settings_of(open_round)
    assert settings.signer1_image is None and settings.logo is None
    r = _layout(client, open_round.id, logo=BOMB)
    assert r.status_code == 422
    errors = field_errors(r.text)
    assert len(errors["logo"]) == 1 and errors["signer1_image"] == [], errors
    # A large, acceptable logo is stored scaled to print size.
    assert _layout(client, open_round.id, logo=_png(2400, 1200)).status_code == 302
    stored = read_bytes(awards.settings_of(open_round).logo)
    with Image.open(io.BytesIO(stored)) as img:
        assert img.size == (images.PRINT_SIDE, images.PRINT_SIDE // 2)


def test_entry_attachment_bomb_is_refused_by_name(app, login, opd, open_round):
    r = login(opd).post(
        f"/opd/rounds/{open_round.id}/entries/new",
        data=_form(
            open_round,
            save="1",
            photos=[(io.BytesIO(PROBE), "foto besar.png")],
            data_files=[(io.BytesIO(BOMB), "grafik.png")],
        ),
    )
    assert r.status_code == 422
    assert "foto besar.png: " in r.text and "12000 × 12000" in r.text
    assert "grafik.png: " in r.text
    assert "Antrean panjang di kantor" in r.text  # the typed proposal is kept
    entry = db.session.scalar(select(Entry))
    assert [a.kind.value for a in entry.attachments] == ["sk"]  # no image was stored


def test_objection_evidence_bomb_is_refused(app, announced):
    announcement, entry = announced
    r = app.test_client().post(
        f"/announcements/{announcement.id}",
        data=_data(entry, "Bukti foto", evidence_file=(io.BytesIO(BOMB), "bukti.png")),
    )
    assert r.status_code == 422 and "bukti.png: " in r.text
    assert db.session.scalar(select(func.count()).select_from(Objection)) == 0
