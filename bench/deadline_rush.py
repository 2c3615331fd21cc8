"""The deadline rush (issue 17, item 4): hundreds of OPDs saving, uploading and submitting their
proposals in the last minutes, against gunicorn + PostgreSQL on this machine.

Creates ``--users`` OPD accounts (each its own organisation) and a round open for submissions in
the database, starts gunicorn (``gunicorn.conf.py``) on loopback with the files in a temporary
upload folder (or the store of ``JURI_STORAGE_URL`` when set), and lets every OPD, in its own
thread with its own session, go through the proposal once, arriving spread over ``--spread``
seconds and pausing a random think time between steps (exponential, mean ``--think``):

    log in -> open the form -> save a draft -> open it again -> save with a 1 MB attachment (the
    SK decree, a PDF of its own random bytes) -> open it again -> submit

First one OPD alone goes through it (the baseline: the same requests without contention), then
all of them. Prints p50/p95/p99 per kind of request, throughput, errors and the ratio of each
kind's p95 under load to its p95 alone; then checks in the database and in the store that every
save the server accepted is there exactly once: one entry per OPD with the title it last sent,
submitted when the submission was accepted, one SK attachment whose stored file has the bytes
that were sent, and no stored file without its attachment.

    .venv/bin/python bench/deadline_rush.py --postgres            # throw-away local PostgreSQL db
    .venv/bin/python bench/deadline_rush.py --url postgresql+psycopg://u:pw@127.0.0.1/db
    .venv/bin/python bench/deadline_rush.py --users 30 --spread 10  # a quick run

Goal (issue 17): p95 under 300 ms for saves and submits, 0 errors, nothing lost.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import re
import secrets
import shutil
import signal
import sys
import tempfile
import threading
import time
from collections import defaultdict
from datetime import timedelta
from pathlib import Path

import numpy as np
import requests

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from flask_migrate import upgrade  # noqa: E402
from http_judges import (  # noqa: E402
    AUDIT_KEY,
    PASSWORD,
    check_audit_trail,
    cpu_times,
    report_cpu,
    start_gunicorn,
    start_postgres,
)
from sqlalchemy import func, insert, select  # noqa: E402

from app import create_app  # noqa: E402
from competition.accounts.models import Organisation, User  # noqa: E402
from competition.db import db, utcnow  # noqa: E402
from competition.entries.models import Attachment, AttachmentKind, Entry, EntryStatus  # noqa: E402
from competition.roles import Role
from competition.rounds.models import Category, Round, RoundStatus  # noqa: E402
from competition.storage import get_storage  # noqa: E402

CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
VERSION = re.compile(r'name="version_id"[^>]*value="([^"]*)"')
KINDS = ("log in", "open form", "save draft", "upload 1 MB", "submit")
WRITES = ("save draft", "upload 1 MB", "submit")
MB = 1024 * 1024
SECTIONS = {
    "summary": "Layanan administrasi kependudukan daring tanpa antre.",
    "novelty": "Antrean panjang diganti permohonan daring dengan tanda tangan elektronik.",
    "impact": "Waktu layanan turun dari tujuh hari menjadi satu hari kerja.",
    "sdg": "Mendukung SDG 16.9 identitas hukum bagi semua warga.",
    "adaptability": "Sudah ditiru oleh dua kabupaten tetangga.",
    "sustainability": "Diatur Peraturan Wali Kota dan dianggarkan setiap tahun.",
    "collaboration": "Bekerja sama dengan kelurahan dan rumah sakit.",
}


def build(url: str, n_users: int, upload_folder: str) -> tuple[int, int, list[str]]:
    """A round open for submissions and ``n_users`` OPD accounts: (round id, category id,
    usernames). Names carry this run's tag, so a database can hold several runs."""
    app = create_app(_config(url, upload_folder))
    tag = f"rush{secrets.token_hex(3)}"
    with app.app_context():
        upgrade()
        now = utcnow()
        round_ = Round(
            name=f"Uji tenggat {tag}",
            slug=f"uji-tenggat-{tag}",
            description="",
            status=RoundStatus.OPEN,
            submission_opens_at=now - timedelta(days=30),
            submission_closes_at=now + timedelta(hours=3),
        )
        category = Category(round=round_, name="Dinas/Badan")
        db.session.add_all([round_, category])
        db.session.flush()
        probe = User(username="-", name="-", role=Role.OPD)
        probe.set_password(PASSWORD)
        # the last three: two to warm the workers up (not measured), one for the baseline
        names = [f"{tag}-opd{i}" for i in range(n_users + 3)]
        db.session.execute(insert(Organisation), [{"name": f"Dinas Uji {n}"} for n in names])
        org_ids = db.session.scalars(
            select(Organisation.id).where(Organisation.name.like(f"Dinas Uji {tag}-%"))
        ).all()
        by_name = dict(
            db.session.execute(
                select(Organisation.name, Organisation.id).where(Organisation.id.in_(org_ids))
            ).all()
        )
        db.session.execute(
            insert(User),
            [
                {
                    "username": n,
                    "name": f"Admin {n}",
                    "role": Role.OPD,
                    "organisation_id": by_name[f"Dinas Uji {n}"],
                    "password_hash": probe.password_hash,
                    "is_enabled": True,
                    "created_at": now,
                }
                for n in names
            ],
        )
        db.session.commit()
        ids = (round_.id, category.id)
        db.session.remove()
        db.engine.dispose()
    return *ids, names


def _config(url: str, upload_folder: str) -> dict:
    return {
        "SQLALCHEMY_DATABASE_URI": url,
        "SECRET_KEY": "bench",
        "AUDIT_KEY": AUDIT_KEY,
        "UPLOAD_FOLDER": upload_folder,
    }


class Opd:
    """One OPD: a session and the steps of a proposal, each request timed."""

    def __init__(self, base, username, round_id, category_id, record, rng, think):
        self.base, self.username, self.record, self.rng = base, username, record, rng
        self.round_id, self.category_id, self.think = round_id, category_id, think
        self.http = requests.Session()
        # What the server accepted (answered as such), and what it may have done without
        # answering (a request that timed out): the check accepts either for those.
        self.sent: dict = {"username": username, "title": None, "sha256": None, "maybe": {}}
        self.entry_path = None
        self.unanswered = False

    def _go(self, kind, method, path, expect=None, **kw):
        t0 = time.perf_counter()
        try:
            r = self.http.request(method, self.base + path, allow_redirects=False, timeout=60, **kw)
        except requests.RequestException as exc:
            # No answer: the server may still have done it (checked as "maybe" below).
            self.record(kind, time.perf_counter() - t0, type(exc).__name__)
            self.unanswered = True
            return None
        dt = time.perf_counter() - t0
        location = r.headers.get("Location", "")
        if expect is not None:
            ok = r.status_code in (302, 303) and re.search(expect, location)
        else:
            ok = r.status_code == 200
        self.record(kind, dt, None if ok else f"HTTP {r.status_code} {location}".strip())
        if self.think:
            time.sleep(self.rng.exponential(self.think))
        return r if ok else None

    def _form(self, title: str, **extra) -> dict:
        return {
            "title": title,
            "category": str(self.category_id),
            "group": "umum",
            "innovation_started_on": "2023-01-02",
            "innovators": "Rina, Kepala Seksi, 0811111111",
            "video_url": "https://youtu.be/abc",
            "truth_declaration": "y",
            **SECTIONS,
            **extra,
        }

    def _tokens(self, page) -> dict:
        token = CSRF.search(page.text)
        version = VERSION.search(page.text)
        return {
            "csrf_token": token[1] if token else "",
            "version_id": version[1] if version else "",
        }

    def proposal(self) -> None:
        page = self._go("log in", "GET", "/login")
        if page is None:
            return
        data = {"csrf_token": self._tokens(page)["csrf_token"], "username": self.username}
        if (
            self._go("log in", "POST", "/login", r"/opd/", data=dict(data, password=PASSWORD))
            is None
        ):
            return
        page = self._go("open form", "GET", f"/opd/rounds/{self.round_id}/entries/new")
        if page is None:
            return
        title = f"Inovasi {self.username} (draf)"
        saved = self._go(
            "save draft",
            "POST",
            f"/opd/rounds/{self.round_id}/entries/new",
            r"/opd/entries/\d+/edit$",
            data=self._form(title, save="1", **self._tokens(page)),
        )
        if saved is None:
            if self.unanswered:
                self.sent["maybe"] = {"title": title}
            return
        self.sent["title"] = title
        self.entry_path = re.search(r"/opd/entries/\d+", saved.headers["Location"])[0]
        page = self._go("open form", "GET", f"{self.entry_path}/edit")
        if page is None:
            return
        pdf = b"%PDF-1.4\n%" + self.rng.bytes(MB - 30) + b"\ntrailer <<>>\n%%EOF\n"
        title = f"Inovasi {self.username}"
        saved = self._go(
            "upload 1 MB",
            "POST",
            f"{self.entry_path}/edit",
            r"/opd/entries/\d+/edit$",
            data=self._form(title, save="1", **self._tokens(page)),
            files={"sk_file": ("sk-tim-inovasi.pdf", pdf, "application/pdf")},
        )
        sha256 = hashlib.sha256(pdf).hexdigest()
        if saved is None:
            if self.unanswered:
                self.sent["maybe"] = {"title": title, "sha256": sha256}
            return
        self.sent.update(title=title, sha256=sha256)
        page = self._go("open form", "GET", f"{self.entry_path}/edit")
        if page is None:
            return
        if self._go(
            "submit",
            "POST",
            f"{self.entry_path}/edit",
            r"/opd/entries/\d+$",
            data=self._form(title, send="1", **self._tokens(page)),
        ):
            self.sent["submitted"] = True
        elif self.unanswered:
            self.sent["maybe"] = {"submitted": True}


def run(base, users, round_id, category_id, spread, think) -> tuple[dict, list[dict]]:
    """Every user once, arriving uniformly over ``spread`` seconds."""
    lat: dict[str, list[float]] = defaultdict(list)
    errors: dict[str, int] = defaultdict(int)
    lock = threading.Lock()

    def record(kind, dt, error):
        with lock:
            lat[kind].append(dt)
            if error:
                errors[f"{kind}: {error}"] += 1

    opds = [
        Opd(base, u, round_id, category_id, record, np.random.default_rng(i), think)
        for i, u in enumerate(users)
    ]
    t0 = time.perf_counter()

    def work(opd: Opd, at: float):
        time.sleep(max(0.0, t0 + at - time.perf_counter()))
        opd.proposal()

    arrivals = np.sort(np.random.default_rng(1).uniform(0, spread, len(opds)))
    threads = [threading.Thread(target=work, args=(o, a)) for o, a in zip(opds, arrivals)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return {"lat": lat, "errors": errors, "elapsed": time.perf_counter() - t0}, [
        o.sent for o in opds
    ]


def report(title: str, res: dict, alone: dict | None = None) -> dict[str, float]:
    lat, errors = res["lat"], res["errors"]
    n = sum(len(v) for v in lat.values())
    print(
        f"\n{title}: {n:,} requests in {res['elapsed']:.1f} s = "
        f"{n / res['elapsed']:.1f} requests/s, errors: {sum(errors.values())}"
    )
    ratio = "  p95/alone" if alone else ""
    print(f"  {'request':12s} {'n':>6s} {'p50 ms':>8s} {'p95 ms':>8s} {'p99 ms':>8s}{ratio}")
    p95s = {}
    for kind in KINDS:
        if kind not in lat:
            continue
        a = np.array(lat[kind]) * 1000
        p50, p95, p99 = np.percentile(a, [50, 95, 99])
        p95s[kind] = p95
        extra = f"  {p95 / alone[kind]:9.1f}x" if alone and kind in alone else ""
        print(f"  {kind:12s} {a.size:6d} {p50:8.1f} {p95:8.1f} {p99:8.1f}{extra}")
    for what, count in sorted(errors.items()):
        print(f"  error {what}: {count}")
    return p95s


def verify(url: str, upload_folder: str, round_id: int, sent: list[dict]) -> bool:
    """Every accepted save is stored exactly once, in the database and in the store."""
    app = create_app(_config(url, upload_folder))
    with app.app_context():
        entries = defaultdict(list)
        for e in db.session.scalars(
            select(Entry)
            .join(User, User.organisation_id == Entry.organisation_id)
            .where(Entry.round_id == round_id)
        ):
            entries[e.organisation_id].append(e)
        org_of = dict(
            db.session.execute(
                select(User.username, User.organisation_id).where(
                    User.username.in_([s["username"] for s in sent])
                )
            ).all()
        )
        problems: dict[str, int] = defaultdict(int)
        store = get_storage()
        for s in sent:
            found = entries.get(org_of[s["username"]], [])
            maybe = s["maybe"]
            if s["title"] is None:  # no save accepted: nothing stored, unless one timed out
                problems["stored though never accepted"] += len(found) > bool(maybe)
                if not found:
                    continue
            if len(found) != 1:
                problems["entries missing or duplicated"] += 1
                continue
            entry = found[0]
            titles = {s["title"], maybe.get("title")} - {None}
            problems["title not the last one accepted"] += entry.title not in titles
            submitted = entry.status == EntryStatus.SUBMITTED
            problems["submission lost or unasked"] += submitted != bool(
                s.get("submitted")
            ) and not maybe.get("submitted")
            sks = [a for a in entry.attachments if a.kind == AttachmentKind.SK]
            hashes = {s["sha256"], maybe.get("sha256")} - {None}
            if s["sha256"] is None and not sks:
                continue  # no upload accepted and none stored
            if len(sks) != 1 or not hashes:
                problems["attachment missing, duplicated or never accepted"] += 1
                continue
            with store.open(sks[0].stored_name) as f:
                problems["stored file differs"] += hashlib.sha256(f.read()).hexdigest() not in (
                    hashes
                )
        stored_names = set(
            db.session.scalars(
                select(Attachment.stored_name).join(Entry).where(Entry.round_id == round_id)
            )
        )
        prefixes = {f"{e.id}-" for es in entries.values() for e in es}
        in_store = {k for k in store.keys() if any(k.startswith(p) for p in prefixes)}
        orphans = len(in_store - stored_names)
        missing = len(stored_names - in_store)
        accepted = sum(s["title"] is not None for s in sent)
        uploads = sum(s["sha256"] is not None for s in sent)
        submitted = sum(bool(s.get("submitted")) for s in sent)
        n_entries = db.session.scalar(
            select(func.count(Entry.id)).where(Entry.round_id == round_id)
        )
        unanswered = sum(bool(s["maybe"]) for s in sent)
        print(
            f"\ndatabase and store: {accepted} OPDs with an accepted save, {uploads} accepted "
            f"uploads, {submitted} accepted submissions, {unanswered} writes not answered "
            f"(timed out: either outcome is right); {n_entries} entries, "
            f"{len(stored_names)} attachments, {len(in_store)} files in the store "
            f"({orphans} without an attachment, {missing} attachments without a file)"
        )
        for what, n in problems.items():
            if n:
                print(f"  MISMATCH {what}: {n}")
        ok = not any(problems.values()) and not orphans and not missing
        print(
            "every accepted save, file and submission is there exactly once" if ok else "MISMATCH"
        )
        ok = check_audit_trail() and ok
        db.session.remove()
        db.engine.dispose()
        return ok


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--url", help="a database (a round and accounts are added to it)")
    parser.add_argument(
        "--postgres", action="store_true", help="a throw-away database in the local cluster"
    )
    parser.add_argument("--users", type=int, default=300)
    parser.add_argument("--spread", type=float, default=120, help="seconds over which they arrive")
    parser.add_argument("--think", type=float, default=2.0, help="mean seconds between steps")
    parser.add_argument("--workers", type=int, default=(os.cpu_count() or 1) * 2 + 1)
    args = parser.parse_args()
    tmp = tempfile.mkdtemp(prefix="juri-rush-")
    uploads = f"{tmp}/uploads"
    cleanup = server = None
    ok = False
    try:
        if args.postgres:
            url, cleanup = start_postgres()
        else:
            url = args.url or f"sqlite:///{tmp}/bench.sqlite3"
        t0 = time.perf_counter()
        round_id, category_id, users = build(url, args.users, uploads)
        print(f"built: a round and {len(users)} OPD accounts ({time.perf_counter() - t0:.1f} s)")
        env = dict(
            os.environ,
            DATABASE_URL=url,
            SECRET_KEY=secrets.token_hex(16),
            JURI_UPLOAD_FOLDER=uploads,
            JURI_AUDIT_KEY=AUDIT_KEY,
        )
        server, base, port = start_gunicorn(env, args.workers, tmp)
        dialect = url.split(":", 1)[0].split("+")[0]
        print(
            f"gunicorn: {args.workers} sync workers, {dialect}, {os.cpu_count()} CPU cores "
            f"(the client's threads share them), load average {os.getloadavg()[0]:.1f}"
        )
        # Each worker's first requests compile templates and open connections: not measured.
        _warm, sent0 = run(base, users[-3:-1], round_id, category_id, 0, 0)
        res1, sent1 = run(base, users[-1:], round_id, category_id, 0, 0)
        alone = report("baseline: 1 OPD alone, no think time (after a warm-up)", res1)
        database = url.rsplit("/", 1)[-1].split("?")[0]
        cpu0 = cpu_times(server.pid, database)
        res, sent = run(base, users[:-3], round_id, category_id, args.spread, args.think)
        n_requests = sum(len(v) for v in res["lat"].values())
        report_cpu(cpu0, cpu_times(server.pid, database), res["elapsed"], n_requests, "rush")
        p95 = report(
            f"rush: {len(users) - 3} OPDs arriving over {args.spread:.0f} s, think time "
            f"{args.think:g} s (exponential mean) between steps",
            res,
            alone,
        )
        writes = max(p95.get(k, 0.0) for k in WRITES)
        errors = sum(res["errors"].values()) + sum(res1["errors"].values())
        print(
            f"\nsaves and submits: worst p95 {writes:.0f} ms (goal < 300 ms: "
            f"{'met' if writes < 300 else 'NOT met'}); errors: {errors}; "
            f"load average {os.getloadavg()[0]:.1f}"
        )
        ok = verify(url, uploads, round_id, sent0 + sent1 + sent) and errors == 0
    finally:
        if server is not None:
            server.send_signal(signal.SIGTERM)
            server.wait(timeout=30)
        if cleanup:
            cleanup()
        shutil.rmtree(tmp, ignore_errors=True)
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
