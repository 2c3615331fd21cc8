"""Bulk certificate generation: 1,000 certificates of a round into a ZIP, in one process and
in two worker processes in parallel (goal: 1,000 in < 4 s on 2 cores).

Builds a round with a certificate layout (logo and two signature images, PNG as a committee
uploads them) and N certificates in a throw-away SQLite database through the migrations, then
times, in the same run:

- one process: the ZIP job the committee's button queues (``judging.results.tasks.build_zip``,
  run here in this process): chunks of ``CHUNK`` certificates, the layout decoded once per job,
  PDFs appended to the ZIP, progress recorded after each chunk;
- two worker processes in parallel (``--workers``, forked with ``multiprocessing``): each
  renders its half of the certificates with the same functions (``zips.chunks``,
  ``zips.render_many``) into its own part of the ZIP, and the parts are joined;
- the baseline (``--baseline``): each certificate from scratch as the one-off download does
  when looked up by its number, with the older QR (mask search, PNG).

    .venv/bin/python bench/certificates.py              # 1,000 certificates
    .venv/bin/python bench/certificates.py --n 200      # quicker
"""

from __future__ import annotations

import argparse
import io
import multiprocessing
import os
import sys
import tempfile
import time
import zipfile

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import segno  # noqa: E402
from flask_migrate import upgrade  # noqa: E402
from PIL import Image, ImageDraw  # noqa: E402
from sqlalchemy import insert  # noqa: E402

from app import create_app  # noqa: E402
from competition import pdf_assets, pdf_skeleton
from competition.accounts.models import User
from competition.db import db, utcnow
from competition.rounds.models import Round, RoundStatus
from competition.storage import get_storage
from judging.demo.publishing import demo_logo
from judging.results import awards, certificates
from judging.results import tasks as results_tasks
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


_APP = None  # the forked workers' app (set before the pool starts)
_COLD = False  # the workers forget the process's caches first (a freshly started worker)


def forget_caches() -> None:
    """Empty what a process keeps between documents: parsed fonts and their subsets, glyph
    maps, images, PDF skeletons and QR frames (``competition.pdf_assets``, ``pdf_skeleton``, ``certificates``)."""
    for cache in (
        pdf_assets._templates,
        pdf_assets._subsets,
        pdf_assets._compressed,
        pdf_assets._streams,
        pdf_assets._cid_maps,
        pdf_assets._picked,
        pdf_assets._image_infos,
        pdf_skeleton._skeletons,
        certificates._qr_frames,
        certificates._qr_seen,
    ):
        cache.clear()


def _render_part(args: tuple[int, list[int]]) -> tuple[int, bytes, float]:
    """A worker process: render ``ids`` into a ZIP part (its own database connection)."""
    index, ids = args
    t0 = time.process_time()
    if _COLD:
        forget_caches()
    with _APP.app_context():
        db.engine.dispose(close=False)  # a forked process opens its own connections
        cert = db.session.get(Certificate, ids[0])
        layout = certificates.layout_for_round(cert.round)
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_STORED) as zf:
            for certs in bulk.chunks(ids):
                for name, pdf in bulk.render_many(certs, layout, certificates.verify_url):
                    zf.writestr(name, pdf)
        db.session.remove()
    return index, buf.getvalue(), time.process_time() - t0


def parallel(
    app, ids: list[int], workers: int, cold: bool = False
) -> tuple[float, int, list[float]]:
    """Render ``ids`` in ``workers`` forked processes and join their parts into one ZIP;
    returns (wall seconds, certificates in the ZIP, each process's CPU seconds)."""
    global _APP, _COLD
    _APP, _COLD = app, cold
    size = -(-len(ids) // workers)
    parts = [(k, ids[k * size : (k + 1) * size]) for k in range(workers)]
    db.engine.dispose()
    t0 = time.perf_counter()
    ctx = multiprocessing.get_context("fork")
    with ctx.Pool(workers) as pool:
        results = sorted(pool.map(_render_part, [p for p in parts if p[1]]))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_STORED) as joined:
        for _k, data, _t in results:
            with zipfile.ZipFile(io.BytesIO(data)) as part:
                for name in part.namelist():
                    joined.writestr(name, part.read(name))
    wall = time.perf_counter() - t0
    with zipfile.ZipFile(out) as zf:
        return wall, len(zf.namelist()), [t for _k, _d, t in results]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--n", type=int, default=1000, help="certificates (default 1,000)")
    parser.add_argument("--workers", type=int, default=2, help="parallel processes (default 2)")
    parser.add_argument(
        "--cold",
        action="store_true",
        help="the workers start with empty caches (fonts, skeletons, QR frames) as a freshly "
        "started worker does; by default they are forked warm, as a worker after its first ZIP",
    )
    parser.add_argument(
        "--baseline", action="store_true", help="also time each certificate from scratch"
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        app = create_app(
            {
                "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp}/bench.sqlite3",
                "SECRET_KEY": "bench",
                "UPLOAD_FOLDER": f"{tmp}/uploads",
                "PUBLIC_URL": "https://juri.example",
                "JOBS": "inline",
            }
        )
        with app.app_context():
            upgrade()
            round_ = build(args.n)
            ids = bulk.certificate_ids(round_.id)
            db.session.info.pop("juri_jobs_pending", None)

            # one process: the job itself, run here (not on commit: timed alone)
            job = bulk.start_job(round_=round_, actor=None)
            db.session.info.pop("juri_jobs_pending", None)
            db.session.commit()
            job_id = job.id
            load = os.getloadavg()[0]
            t0, c0 = time.perf_counter(), time.process_time()
            results_tasks.build_zip(db.session.get(type(job), job_id))
            db.session.commit()
            t_one, c_one = time.perf_counter() - t0, time.process_time() - c0
            job = db.session.get(type(job), job_id)
            path = get_storage().location(job.result_key)  # the local folder here
            with zipfile.ZipFile(path) as zf:
                n_files = len(zf.namelist())
            size = os.path.getsize(path)
            print(
                f"one process (the ZIP job): {n_files:,} certificates in chunks of {bulk.CHUNK}: "
                f"{t_one:.2f} s ({1000 * t_one / n_files:.1f} ms each; CPU {c_one:.2f} s), "
                f"ZIP {size / 1e6:.1f} MB"
            )
            db.session.remove()

            t_par, n_par, cpu = parallel(app, ids, args.workers, cold=args.cold)
            print(
                f"{args.workers} {'freshly started' if args.cold else 'warm'} worker processes "
                f"in parallel: {n_par:,} certificates in "
                f"{t_par:.2f} s ({1000 * t_par / n_par:.1f} ms each, parts joined into one ZIP; "
                f"CPU per process {', '.join(f'{c:.2f}' for c in cpu)} s) on {os.cpu_count()} "
                f"cores   (goal: 1,000 in < 4 s on 2 cores)"
            )
            print(f"ratio: {args.workers} processes are {t_one / t_par:.2f}x as fast as one")
            print(
                f"CPU per certificate: {1000 * c_one / n_files:.1f} ms in one process, "
                f"{1000 * sum(cpu) / n_par:.1f} ms in the workers; on an idle {args.workers}-core "
                f"machine the workers need about {max(cpu):.2f} s for {n_par:,} (the busiest "
                f"process's CPU time, what the wall time comes to when nothing else runs)"
            )
            print(
                f"load average at the start {load:.1f}, at the end {os.getloadavg()[0]:.1f} "
                f"(other work on the machine slows both figures)"
            )

            if not args.baseline:
                return
            sample = ids[: min(len(ids), 300)]
            db.session.expunge_all()
            t0 = time.perf_counter()
            for cert_id in sample:
                baseline_one(cert_id, certificates.verify_url)
                db.session.expunge_all()
            t_base = (time.perf_counter() - t0) * len(ids) / len(sample)
            print(
                f"baseline, each from scratch (query, decode layout, QR mask search, PNG): "
                f"{t_base:.2f} s for {len(ids):,} (measured on {len(sample)}, scaled); "
                f"the one-process job is {t_base / t_one:.1f}x faster"
            )


if __name__ == "__main__":
    main()
