"""Bulk certificate generation: 1,000 certificates of a round into a ZIP (target < 20 s).

Builds a round with a certificate layout (logo and two signature images, PNG as a committee
uploads them) and N certificates in a throw-away SQLite database through the migrations, then
times, in the same run:

- the bulk path the committee uses (``competition.bulk``: chunks of ``CHUNK`` certificates,
  the layout decoded once per chunk, certificates loaded once per chunk, QR with a fixed mask,
  PDFs appended to the ZIP);
- the baseline: each certificate made from scratch as the one-off download does when looked up
  by its number (query the certificate and the round's layout, decode the logo and
  signatures, render), and, as the older code did, a QR code whose mask is chosen by segno's
  search and embedded as a PNG.

    .venv/bin/python bench/certificates.py              # 1,000 certificates
    .venv/bin/python bench/certificates.py --n 200      # quicker
"""

from __future__ import annotations

import argparse
import io
import os
import sys
import tempfile
import time
import zipfile

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import segno  # noqa: E402
from flask_migrate import upgrade  # noqa: E402
from PIL import Image, ImageDraw  # noqa: E402
from sqlalchemy import insert, select  # noqa: E402

from app import create_app  # noqa: E402
from competition.accounts.models import User
from competition.db import db, utcnow
from competition.rounds.models import Round, RoundStatus
from competition.storage import get_storage
from judging.demo.publishing import demo_logo
from judging.results import awards, certificates
from judging.results import zips as bulk
from judging.results.models import Certificate


def _signature(seed: int) -> bytes:
    img = Image.new("RGBA", (300, 110), (255, 255, 255, 0))
    draw = ImageDraw.Draw(img)
    pts = [(20 + i * 13, 55 + ((i * seed * 7) % 40) - 20) for i in range(20)]
    draw.line(pts, fill=(10, 20, 120, 255), width=4)
    buf = io.BytesIO()
    img.save(buf, format="PNG")
    return buf.getvalue()


def build(n: int) -> Round:
    now = utcnow()
    actor = User(username="bench", name="Panitia", role="committee", password_hash="x")
    round_ = Round(
        name="KOINYANLIK 2026",
        slug="koinyanlik-2026",
        status=RoundStatus.CLOSED,
        submission_opens_at=now,
        submission_closes_at=now,
    )
    db.session.add_all([actor, round_])
    db.session.flush()
    certificates.save_layout(
        round_=round_,
        government="Pemerintah Kota Palembang",
        place="Palembang",
        signers=[
            ("Dr. H. Ahmad Fauzi, M.Si.", "Sekretaris Daerah Kota Palembang"),
            ("Rina Kartika, S.STP., M.Si.", "Kepala Bagian Organisasi Setda"),
        ],
        images={
            "logo": demo_logo(),
            "signer1_image": _signature(3),
            "signer2_image": _signature(5),
        },
        actor=actor,
    )
    kinds = ["award"] * 3 + ["participation"] * 7
    codes = awards.numbers.new_numbers(n)
    db.session.execute(
        insert(Certificate),
        [
            {
                "code": code,
                "kind": kinds[i % 10],
                "round_id": round_.id,
                "holder": f"Dinas Contoh Nomor {i} Kota Palembang",
                "title": f"Inovasi Pelayanan Publik Terpadu Berbasis Digital Nomor {i}",
                "category": "Dinas/Badan",
                "award": "Juara I" if kinds[i % 10] == "award" else "Peserta",
                "issued_at": now,
                "revoked_reason": "",
            }
            for i, code in enumerate(codes)
        ],
    )
    round_.results_published_at = now
    db.session.commit()
    return round_


def baseline_one(cert_id: int, verify_url) -> bytes:
    """One certificate from scratch, with the older QR (mask search, PNG)."""
    cert = db.session.get(Certificate, cert_id)
    layout = certificates.layout_for(cert)
    pdf = certificates.new_document(f"Piagam {cert.award}")
    original = certificates.qr_image

    def png_qr(url):
        buf = io.BytesIO()
        segno.make(url, error="m").save(
            buf, kind="png", scale=certificates.QR_SCALE, border=certificates.QR_BORDER
        )
        buf.seek(0)
        return buf

    certificates.qr_image = png_qr
    try:
        certificates.draw_certificate(pdf, cert, verify_url(cert), layout)
    finally:
        certificates.qr_image = original
    return bytes(pdf.output())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--n", type=int, default=1000, help="certificates (default 1,000)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        app = create_app(
            {
                "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp}/bench.sqlite3",
                "SECRET_KEY": "bench",
                "UPLOAD_FOLDER": f"{tmp}/uploads",
                "SERVER_NAME": "juri.example",
                "PREFERRED_URL_SCHEME": "https",
            }
        )
        with app.app_context(), app.test_request_context():
            upgrade()
            round_ = build(args.n)

            def verify_url(cert):
                return certificates.verify_url(cert)

            t0 = time.perf_counter()
            job = bulk.start_job(round_=round_, now=utcnow())
            steps = 0
            while not job.finished:
                layout = certificates.layout_for_round(round_)
                job = bulk.run_step(
                    job=job,
                    layout=layout,
                    verify_url=verify_url,
                    now=utcnow(),
                )
                db.session.expunge_all()
                steps += 1
            t_bulk = time.perf_counter() - t0
            path = get_storage().location(bulk.zip_key(round_.id))  # the local folder here
            with zipfile.ZipFile(path) as zf:
                n_files = len(zf.namelist())
            size = os.path.getsize(path)
            print(
                f"bulk ZIP: {n_files:,} certificates in {steps} steps of {bulk.CHUNK}: "
                f"{t_bulk:.2f} s ({1000 * t_bulk / n_files:.1f} ms each), "
                f"ZIP {size / 1e6:.1f} MB   (target: 1,000 in < 20 s)"
            )

            ids = list(db.session.scalars(select(Certificate.id).order_by(Certificate.id)))
            sample = ids[: min(len(ids), 300)]
            db.session.expunge_all()
            t0 = time.perf_counter()
            for cert_id in sample:
                baseline_one(cert_id, verify_url)
                db.session.expunge_all()
            t_base = (time.perf_counter() - t0) * len(ids) / len(sample)
            print(
                f"baseline, each from scratch (query, decode layout, QR mask search, PNG): "
                f"{t_base:.2f} s for {len(ids):,} (measured on {len(sample)}, scaled)"
            )
            print(f"ratio: the bulk path is {t_base / t_bulk:.1f}x faster, and also writes the ZIP")


if __name__ == "__main__":
    main()
