"""Judges under load: gunicorn with several workers, many simulated judges scoring at once.

Builds the national round (``flask demo load --scale national``) in a throw-away database, adds
an open stage in which each simulated judge has 40 entries to score, starts gunicorn (sync
workers, ``gunicorn.conf.py``) on loopback and lets every judge loop: open the workspace, open a
score sheet, save a draft, submit it. First one judge alone for a few seconds (the baseline:
the same requests without contention), then ``--judges`` at once for ``--seconds``. Prints
throughput, p50/p95/p99 latency per kind of request and errors, the ratio of the loaded p95 to
the baseline's, and then checks in the database that every submission the server accepted is
stored exactly once, as submitted, with the values sent.

    .venv/bin/python bench/http_judges.py --postgres          # starts the local PostgreSQL cluster
    .venv/bin/python bench/http_judges.py --url postgresql+psycopg://user:pw@127.0.0.1/empty_db
    .venv/bin/python bench/http_judges.py                     # SQLite (one writer: not the target)
    .venv/bin/python bench/http_judges.py --postgres --in-process 40  # CPU (app, database), SQL per request
    .venv/bin/python bench/http_judges.py --postgres --in-process 40 --profile "save draft"

(Named http_judges.py, not http.py: a bench/http.py would shadow the standard library's http
package for every script in this folder.)

Target (issue 9): p95 under 100 ms for the judge's pages, 0 errors, with 50 judges.
"""

from __future__ import annotations

import argparse  # noqa: E402
import http.cookiejar  # noqa: E402
import os  # noqa: E402
import re  # noqa: E402
import secrets  # noqa: E402
import shutil  # noqa: E402
import signal  # noqa: E402
import socket  # noqa: E402
import subprocess  # noqa: E402
import sys
import tempfile  # noqa: E402
import threading  # noqa: E402
import time  # noqa: E402
import urllib.error  # noqa: E402
import urllib.parse  # noqa: E402
import urllib.request  # noqa: E402
from collections import defaultdict  # noqa: E402
from datetime import timedelta  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from flask_migrate import upgrade  # noqa: E402
from sqlalchemy import func, insert, select  # noqa: E402

from app import create_app  # noqa: E402
from competition.accounts.models import User
from competition.audit import services as audit
from competition.db import db, utcnow
from competition.entries.models import Entry
from competition.roles import Role
from competition.rounds.models import Round, Stage
from judging.demo import content as demo_content  # noqa: E402
from judging.demo import scale as demo_scale
from judging.panels.models import Assignment
from judging.scoring.models import Criterion, Score, ScoreSheet, SheetStatus

PASSWORD = "juri-demo"
# One audit key for the build, the servers and the check (the servers' SECRET_KEY is random).
AUDIT_KEY = "bench-audit-key"
PER_JUDGE = 40
CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
FIELD = re.compile(r'name="((?:score|comment)_\d+)"')
SHEET = re.compile(r'href="(/judge/assignments/\d+)"')


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_gunicorn(
    env: dict, workers: int, log_dir: str, code: Path = ROOT
) -> tuple[subprocess.Popen, str, int]:
    """gunicorn (``gunicorn.conf.py``, ``workers`` sync workers) running the app of the
    checkout ``code`` (this one by default) on a free loopback port with ``env``, its errors
    logged in ``log_dir``; returns once it answers ``/login`` (or after about 30 s):
    (process, base URL, port)."""
    port = free_port()
    server = subprocess.Popen(
        [
            str(Path(sys.executable).with_name("gunicorn")),
            "-c",
            "gunicorn.conf.py",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(workers),
            "--access-logfile",
            "/dev/null",
            "--error-logfile",
            f"{log_dir}/gunicorn.log" if code == ROOT else f"{log_dir}/gunicorn-{code.name}.log",
        ],
        cwd=code,
        env=env,
    )
    base = f"http://127.0.0.1:{port}"
    for _ in range(150):
        try:
            urllib.request.urlopen(base + "/login", timeout=2)
            break
        except OSError:
            time.sleep(0.2)
    return server, base, port


def _stat(pid: str) -> tuple[int, float] | None:
    """(parent pid, CPU seconds used) of a process, from /proc (Linux); None if it is gone."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return int(fields[1]), (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def cpu_times(server_pid: int, database: str) -> dict[str, float]:
    """CPU seconds used so far by this process (the client, all its threads), the gunicorn
    workers of ``server_pid``, the PostgreSQL backends connected to ``database``, and the whole
    machine (all cores, from /proc/stat); a difference of two is where a run's time went.
    Backends and workers that ended in between are not counted (neither is started here)."""
    app = db = 0.0
    tag = f" {database} ".encode()
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        stat = _stat(pid)
        if stat is None:
            continue
        if stat[0] == server_pid:
            app += stat[1]
            continue
        try:
            with open(f"/proc/{pid}/cmdline", "rb") as f:
                command = f.read()
        except OSError:
            continue
        if command.startswith(b"postgres: ") and tag in command:
            db += stat[1]
    with open("/proc/stat") as f:
        ticks = [int(x) for x in f.readline().split()[1:]]
    busy = sum(ticks) - ticks[3] - ticks[4]  # all but idle and iowait
    return {
        "client": time.process_time(),
        "app": app,
        "database": db,
        "machine": busy / os.sysconf("SC_CLK_TCK"),
    }


class BackendCPU:
    """CPU seconds used so far by the PostgreSQL backends connected to ``database`` (Linux:
    ``/proc/<pid>/schedstat``, in nanoseconds, so one request's share is measurable), for the
    in-process mode: its requests run one after the other on the pool's connection, so the
    difference across a request is that request's database CPU. The backends are looked up
    once they exist (``refresh``) and again when one is gone."""

    def __init__(self, database: str):
        self.tag = f" {database} ".encode()
        self.pids: list[str] = []

    def refresh(self) -> None:
        self.pids = []
        for pid in os.listdir("/proc"):
            try:
                with open(f"/proc/{pid}/cmdline", "rb") as f:
                    command = f.read()
            except OSError:
                continue
            if pid.isdigit() and command.startswith(b"postgres: ") and self.tag in command:
                self.pids.append(pid)

    def __call__(self) -> float | None:
        total = 0
        for pid in self.pids:
            try:
                with open(f"/proc/{pid}/schedstat") as f:
                    total += int(f.read().split()[0])
            except OSError:  # a backend ended (or no schedstat): look again next time
                self.pids = []
                return None
        return total / 1e9


def report_cpu(before: dict, after: dict, elapsed: float, requests: int, what: str) -> None:
    """Where the CPU time of a run went: per request, and in cores over the run."""
    used = {k: after[k] - before[k] for k in before}
    others = used["machine"] - used["client"] - used["app"] - used["database"]
    print(
        f"\nCPU during the {what} ({elapsed:.0f} s, {os.cpu_count()} cores, "
        f"load average {os.getloadavg()[0]:.1f}): "
        + ", ".join(
            f"{name} {used[name]:.1f} s = {used[name] / elapsed:.2f} cores = "
            f"{1000 * used[name] / max(requests, 1):.1f} ms per request"
            for name in ("app", "database", "client")
        )
        + f"; everything else on the machine {max(others, 0):.1f} s = "
        f"{max(others, 0) / elapsed:.2f} cores"
    )


def start_postgres() -> tuple[str, callable]:
    """Start the local cluster (as .ci/run does) and create a throw-away database."""
    if not shutil.which("pg_ctlcluster"):
        sys.exit("PostgreSQL is not installed here (no pg_ctlcluster); use --url or SQLite")
    version = sorted(
        os.listdir("/usr/lib/postgresql"), key=lambda v: [int(x) for x in v.split(".")]
    )[-1]
    clusters = subprocess.run(["pg_lsclusters", "-h"], capture_output=True, text=True).stdout
    rows = [r.split() for r in clusters.splitlines() if r.split()[:1] == [version]]
    if not rows:
        subprocess.run(["pg_createcluster", version, "main"], check=True, stdout=subprocess.DEVNULL)
        rows = [[version, "main", "5432"]]
    cluster, port = rows[0][1], rows[0][2]
    subprocess.run(["pg_ctlcluster", version, cluster, "start"], stderr=subprocess.DEVNULL)
    as_pg = ["su", "postgres", "-c"] if os.getuid() == 0 else ["sudo", "-u", "postgres", "sh", "-c"]
    name = f"juri_bench_{os.getpid()}"
    pw = secrets.token_hex(8)
    subprocess.run(
        as_pg + [f'psql -q -p {port} -c "DROP ROLE IF EXISTS {name}"'],
        check=True,
        stdout=subprocess.DEVNULL,
    )
    subprocess.run(
        as_pg + [f"psql -q -p {port} -c \"CREATE ROLE {name} LOGIN PASSWORD '{pw}'\""],
        check=True,
        stdout=subprocess.DEVNULL,
    )
    subprocess.run(as_pg + [f"createdb -p {port} -O {name} {name}"], check=True)

    def drop():
        subprocess.run(as_pg + [f"dropdb -p {port} --if-exists {name}"])
        subprocess.run(
            as_pg + [f'psql -q -p {port} -c "DROP ROLE IF EXISTS {name}"'],
            stdout=subprocess.DEVNULL,
        )

    return f"postgresql+psycopg://{name}:{pw}@127.0.0.1:{port}/{name}", drop


def build(url: str, n_judges: int) -> tuple[list[tuple[str, list[str]]], int]:
    """The national round plus an open stage "Uji Beban" with PER_JUDGE entries per judge."""
    app = create_app(
        {"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench", "AUDIT_KEY": AUDIT_KEY}
    )
    with app.app_context():
        upgrade()
        probe = User(username="-", name="-", role=Role.JUDGE)
        probe.set_password(PASSWORD)
        t0 = time.perf_counter()
        counts = demo_scale.load_scaled("national", password_hash=probe.password_hash)
        round_ = db.session.get(Round, counts["round"])
        now = utcnow()
        stage = Stage(
            round=round_,
            name="Uji Beban",
            position=2,
            opens_at=now - timedelta(hours=1),
            closes_at=now + timedelta(days=1),
            scale_min=0,
            scale_max=100,
            method="bias_scale",
        )
        db.session.add(stage)
        db.session.flush()
        for k, c in enumerate(demo_content.scale()["desk_criteria"]):
            db.session.add(
                Criterion(stage_id=stage.id, name=c["name"], weight=c["weight"], position=k)
            )
        judges = db.session.execute(
            select(User.id, User.username)
            .where(User.username.like("%-juri%"))
            .order_by(User.id)
            .limit(n_judges)
        ).all()
        entry_ids = db.session.scalars(
            select(Entry.id).where(Entry.round_id == round_.id).order_by(Entry.id)
        ).all()
        rng = np.random.default_rng(9)
        rows = []
        for judge_id, _ in judges:
            for e in rng.choice(len(entry_ids), PER_JUDGE, replace=False).tolist():
                rows.append(
                    {
                        "stage_id": stage.id,
                        "entry_id": entry_ids[e],
                        "judge_id": judge_id,
                        "created_at": now,
                    }
                )
        db.session.execute(insert(Assignment), rows)
        db.session.commit()
        todo = defaultdict(list)
        for a_id, username in db.session.execute(
            select(Assignment.id, User.username)
            .join(User, User.id == Assignment.judge_id)
            .where(Assignment.stage_id == stage.id)
        ):
            todo[username].append(f"/judge/assignments/{a_id}")
        print(
            f"built: {counts['entries']:,} entries, {counts['judges']} judges, "
            f"{counts['sheets']:,} sheets, + {len(rows):,} assignments to score "
            f"({time.perf_counter() - t0:.1f} s, {db.engine.dialect.name})"
        )
        db.session.remove()
        db.engine.dispose()  # no connection left open: the throw-away database can be dropped
        return [(u, todo[u]) for _, u in judges], stage.id


class Judge:
    """One simulated judge: a cookie jar and the four steps of scoring."""

    def __init__(self, base: str, username: str, record, rng, think: float):
        self.base, self.username, self.record, self.rng = base, username, record, rng
        self.think = think
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()), _NoRedirect()
        )
        self.submitted: list[tuple[str, float]] = []

    def request(
        self, kind: str, path: str, data: dict | None = None, expect: str | None = None
    ) -> str | None:
        """One request, timed; the page's text, or None when it failed. ``expect``: a POST
        must redirect to a location ending so (an accepted form), anything else is an error."""
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        t0 = time.perf_counter()
        try:
            with self.opener.open(self.base + path, body, timeout=30) as resp:
                text, status = resp.read().decode(), resp.status
                location = resp.headers.get("Location", "")
        except urllib.error.HTTPError as exc:
            text, status, location = exc.read().decode(errors="replace"), exc.code, ""
        except OSError as exc:
            self.record(kind, time.perf_counter() - t0, f"{type(exc).__name__}")
            return None
        if expect is not None:
            ok = status in (302, 303) and urllib.parse.urlsplit(location).path.endswith(expect)
        else:
            ok = status == 200
        error = None if ok else f"HTTP {status}" + (f" -> {location}" if location else "")
        self.record(kind, time.perf_counter() - t0, error)
        if self.think:
            time.sleep(self.rng.exponential(self.think))
        return text if ok else None

    def login(self) -> bool:
        page = self.request("login page", "/login")
        token = CSRF.search(page or "")
        if not token:
            return False
        return (
            self.request(
                "log in",
                "/login",
                {"csrf_token": token[1], "username": self.username, "password": PASSWORD},
                expect="/judge/",
            )
            is not None
        )

    def score_one(self, pending: list[str]) -> bool:
        """Workspace -> sheet -> save draft -> submit. False when nothing is left to score."""
        if self.request("workspace", "/judge/") is None or not pending:
            return False
        path = pending.pop()
        form = self.request("open sheet", path)
        if form is None:
            return True
        token = CSRF.search(form)[1]
        fields = sorted(set(FIELD.findall(form)))
        values = {
            f: (
                f"{self.rng.uniform(40, 95):.1f}"
                if f.startswith("score_")
                else "Catatan juri (uji beban)."
            )
            for f in fields
        }
        draft = dict(values, csrf_token=token, save="1")
        if self.request("save draft", path, draft, expect=path) is None:
            return True
        form = self.request("open sheet", path)
        if form is None:
            return True
        final = dict(values, csrf_token=CSRF.search(form)[1], send="1")
        if self.request("submit", path, final, expect="/judge/") is not None:
            self.submitted.append(
                (
                    path,
                    float(np.mean([float(v) for f, v in values.items() if f.startswith("score_")])),
                )
            )
        return True


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):  # a 302 is an answer, not a step
        return None

    def http_error_302(self, req, fp, code, msg, headers):
        return fp

    http_error_303 = http_error_302


class LockWaits:
    """Samples, every ``interval`` seconds while running, the database's backends that wait for
    a lock (``pg_stat_activity``, ``pg_locks``): how often writers queue behind each other, and
    on what, whatever the machine's load does to the latencies. It connects to the cluster's
    ``postgres`` database, so its own backend is not counted as the bench database's CPU."""

    def __init__(self, url: str, interval: float = 0.02):
        from sqlalchemy import create_engine
        from sqlalchemy.engine import make_url

        self.url, self.interval = make_url(url), interval
        self.engine = create_engine(self.url.set(database="postgres"))
        self.samples = 0
        self.waiting = 0  # backend-samples waiting for a lock
        self.active = 0  # backend-samples running a statement
        self.on: dict[tuple, int] = defaultdict(int)  # (lock type, relation, statement): count
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join()
        self.engine.dispose()

    def _run(self) -> None:
        from sqlalchemy import text

        activity = text(
            "SELECT a.wait_event_type = 'Lock', l.locktype, l.relation, left(a.query, 2000) "
            "FROM pg_stat_activity a "
            "LEFT JOIN pg_locks l ON l.pid = a.pid AND NOT l.granted "
            "WHERE a.datname = :db AND a.state = 'active' AND a.pid <> pg_backend_pid()"
        )
        with self.engine.connect() as conn:
            while not self._stop.wait(self.interval):
                rows = conn.execute(activity, {"db": self.url.database}).all()
                conn.rollback()
                self.samples += 1
                self.active += len(rows)
                for waiting, locktype, relation, query in rows:
                    if waiting:
                        self.waiting += 1
                        self.on[(locktype, relation, self.statement(query))] += 1

    @staticmethod
    def statement(query: str) -> str:
        """What a waiting statement does, in a few words (a row lock's table is not in
        ``pg_locks``: the statement names it)."""
        words = query.split()
        verb = words[0].upper() if words else "?"
        for marker in ("FROM", "INTO", "UPDATE"):
            if marker in words[:-1] and (marker != "UPDATE" or verb == "UPDATE"):
                table = words[words.index(marker) + 1]
                locking = " FOR SHARE" if "FOR SHARE" in query else ""
                locking = " FOR UPDATE" if "FOR UPDATE" in query else locking
                return f"{verb} {table}{locking}"
        return verb

    def report(self) -> None:
        """Prints the share of sampled statements that were waiting for a lock, by lock."""
        from sqlalchemy import create_engine, text

        engine = create_engine(self.url)
        with engine.connect() as conn:
            names = dict(conn.execute(text("SELECT oid::bigint, relname FROM pg_class")).all())
        engine.dispose()

        def name(key: tuple) -> str:
            kind, oid, statement = key
            return f"{statement} ({kind}" + (f" of {names.get(oid, oid)})" if oid else ")")

        print(
            f"\nlock waits during the load ({self.samples} samples of pg_stat_activity): "
            f"{self.waiting} of {self.active} running statements seen waiting for a lock "
            f"({100 * self.waiting / max(self.active, 1):.0f}%), on average "
            f"{self.waiting / max(self.samples, 1):.2f} backends waiting"
            + "".join(
                f"; {name(k)}: {n}" for k, n in sorted(self.on.items(), key=lambda kv: -kv[1])
            )
        )


def run(
    base: str,
    judges_todo: list[tuple[str, list[str]]],
    seconds: float,
    think: float,
    cpu=None,
    watch: LockWaits | None = None,
) -> tuple[dict, dict, list]:
    """All judges log in at once (timed on their own: a deliberately slow password hash each),
    then score at once for ``seconds``; returns the login phase's and the scoring phase's
    latencies per kind (with ``cpu``, a function returning ``cpu_times``, the CPU used in each
    phase) and the submissions. ``watch`` runs during the scoring phase only."""
    phases = {
        name: {"lat": defaultdict(list), "errors": defaultdict(int)} for name in ("login", "score")
    }
    lock = threading.Lock()
    phase = ["login"]

    def record(kind, dt, error):
        with lock:
            phases[phase[0]]["lat"][kind].append(dt)
            if error:
                phases[phase[0]]["errors"][f"{kind}: {error}"] += 1

    judges = [
        Judge(base, u, record, np.random.default_rng(i), think)
        for i, (u, _) in enumerate(judges_todo)
    ]
    logged_in = {}

    def log_in(judge: Judge):
        think, judge.think = judge.think, 0
        logged_in[judge.username] = judge.login()
        judge.think = think

    def work(judge: Judge, todo: list[str]):
        todo = list(todo) if logged_in.get(judge.username) else []
        # judges do not all click in the same millisecond: spread the first step
        time.sleep(judge.rng.uniform(0, 2 * think))
        while todo and time.perf_counter() < deadline and judge.score_one(todo):
            pass

    for name, target, args in (
        ("login", log_in, [(j,) for j in judges]),
        ("score", work, [(j, todo) for j, (_, todo) in zip(judges, judges_todo)]),
    ):
        phase[0] = name
        threads = [threading.Thread(target=target, args=a) for a in args]
        if watch is not None and name == "score":
            watch.start()
        before = cpu() if cpu else None
        t0 = time.perf_counter()
        deadline = t0 + seconds
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        phases[name]["elapsed"] = time.perf_counter() - t0
        if cpu:
            phases[name]["cpu"] = (before, cpu())
        if watch is not None and name == "score":
            watch.stop()
    subs = [s for j in judges for s in j.submitted]
    return phases["login"], phases["score"], subs


def report(title: str, res: dict) -> float:
    lat, errors = res["lat"], res["errors"]
    n = sum(len(v) for v in lat.values())
    print(
        f"\n{title}: {n:,} requests in {res['elapsed']:.1f} s = "
        f"{n / res['elapsed']:.0f} requests/s, errors: {sum(errors.values())}"
    )
    print(f"  {'request':14s} {'n':>6s} {'p50 ms':>8s} {'p95 ms':>8s} {'p99 ms':>8s}")
    pages = []
    for kind in ("login page", "log in", "workspace", "open sheet", "save draft", "submit"):
        if kind not in lat:
            continue
        a = np.array(lat[kind]) * 1000
        if kind not in ("login page", "log in"):
            pages.append(a)
        p50, p95, p99 = np.percentile(a, [50, 95, 99])
        print(f"  {kind:14s} {a.size:6d} {p50:8.1f} {p95:8.1f} {p99:8.1f}")
    for what, count in sorted(errors.items()):
        print(f"  error {what}: {count}")
    judge_pages = np.concatenate(pages) if pages else np.zeros(1)
    p95 = float(np.percentile(judge_pages, 95))
    print(f"  judge's pages (workspace, sheet, draft, submit): p95 {p95:.1f} ms")
    return p95


def check_audit_trail() -> bool:
    """The audit chain written by all the workers at once verifies (no fork, no gap)."""
    t0 = time.perf_counter()
    check = audit.verify_chain()
    print(
        f"audit trail: {check.checked:,} records, "
        + ("chain intact" if check.ok else f"BROKEN at record {check.first_bad}: {check.problem}")
        + f" (verified in {time.perf_counter() - t0:.1f} s)"
    )
    return check.ok


def verify(url: str, stage_id: int, submissions: list[tuple[str, float]]) -> bool:
    """Every accepted submission is stored exactly once, submitted, with the values sent."""
    app = create_app(
        {"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench", "AUDIT_KEY": AUDIT_KEY}
    )
    with app.app_context():
        ids = [int(p.rsplit("/", 1)[1]) for p, _ in submissions]
        rows = db.session.execute(
            select(ScoreSheet.assignment_id, ScoreSheet.status, func.avg(Score.value))
            .join(Assignment)
            .join(Score, Score.sheet_id == ScoreSheet.id)
            .where(Assignment.stage_id == stage_id)
            .group_by(ScoreSheet.id, ScoreSheet.assignment_id, ScoreSheet.status)
        ).all()
        by_assignment = defaultdict(list)
        for a, status, mean in rows:
            by_assignment[a].append((status, mean))
        dupes = sum(len(v) > 1 for v in by_assignment.values())
        missing = [i for i in ids if i not in by_assignment]
        wrong = [
            i
            for (i, (_, mean)) in zip(ids, submissions)
            if i in by_assignment
            and (
                by_assignment[i][0][0] != SheetStatus.SUBMITTED
                or abs(by_assignment[i][0][1] - mean) > 0.051
            )
        ]
        stored = sum(1 for v in by_assignment.values() if v[0][0] == SheetStatus.SUBMITTED)
        print(
            f"\ndatabase: {len(ids):,} submissions accepted, {stored:,} submitted sheets "
            f"stored, {len(missing)} missing, {dupes} duplicated, {len(wrong)} with other "
            "values or status"
        )
        ok = not missing and not dupes and not wrong and stored == len(set(ids))
        print("every accepted sheet is present exactly once" if ok else "MISMATCH")
        ok = check_audit_trail() and ok
        db.session.remove()
        db.engine.dispose()
        return ok


def in_process(
    url: str,
    judges_todo: list[tuple[str, list[str]]],
    cycles: int,
    profile: str | None = None,
    profile_file: str | None = None,
) -> None:
    """The same four steps through Flask's test client in this process, one judge after the
    other (no server, no contention): CPU time (this thread's) and SQL statements per request
    of each kind, the first request of the process apart (compiling templates and statements;
    ``app.warm_up`` runs first, as gunicorn.conf.py has every worker do), and on PostgreSQL
    the database's CPU time for each request (its backends' ``schedstat``). With ``profile`` (a
    kind), cProfile runs during that kind's requests (after the first cycle) and its 30
    costliest functions are printed, by their own time and by cumulative time (and the whole
    profile written to ``profile_file``, for ``python -m pstats``)."""
    import cProfile
    import pstats
    import statistics

    from sqlalchemy import event

    from app import warm_up

    app = create_app(
        {"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench", "AUDIT_KEY": AUDIT_KEY}
    )
    warm_up(app)
    counted = [0]
    statements: list[str] = []  # the SQL of the request being timed

    def count(_conn, _cursor, statement, *_args):
        counted[0] += 1
        statements.append(" ".join(statement.split()))

    with app.app_context():
        event.listen(db.engine, "before_cursor_execute", count)
    rows: list[tuple[str, float, int, float | None]] = []
    on_postgresql = url.startswith("postgresql")
    backend_cpu = BackendCPU(url.rsplit("/", 1)[-1].split("?")[0])

    # CPU time, not wall-clock: waiting for the database is not the app's cost
    profiler = cProfile.Profile(time.thread_time) if profile else None
    profiled_sql: list[str] = []

    def timed(kind, fn, path, **kw):
        profiling = kind == profile and len(rows) >= 5
        statements.clear()
        if profiling:
            profiler.enable()
        if on_postgresql and len(rows) >= 5 and not backend_cpu.pids:  # the pool's connection
            backend_cpu.refresh()  # is open by now
        d0 = backend_cpu()
        n0, c0 = counted[0], time.thread_time()
        response = fn(path, **kw)
        c1 = time.thread_time()
        d1 = backend_cpu()
        database = d1 - d0 if on_postgresql and None not in (d0, d1) else None
        rows.append((kind, c1 - c0, counted[0] - n0, database))
        if profiling:
            profiler.disable()
            profiled_sql[:] = statements
        return response

    done = 0
    for username, todo in judges_todo:
        client = app.test_client()
        token = CSRF.search(client.get("/login").text)[1]
        client.post(
            "/login", data={"csrf_token": token, "username": username, "password": PASSWORD}
        )
        for path in todo:
            if done > cycles:
                break
            done += 1
            timed("workspace", client.get, "/judge/")
            form = timed("open sheet", client.get, path).text
            values = {
                f: "75,5" if f.startswith("score_") else "Catatan juri (uji beban)."
                for f in set(FIELD.findall(form))
            }
            token = CSRF.search(form)[1]
            r = timed(
                "save draft", client.post, path, data=dict(values, csrf_token=token, save="1")
            )
            assert r.status_code == 302, r.status_code
            token = CSRF.search(timed("open sheet", client.get, path).text)[1]
            r = timed("submit", client.post, path, data=dict(values, csrf_token=token, send="1"))
            assert r.status_code == 302, r.status_code
        if done > cycles:
            break
    with app.app_context():
        db.session.remove()
        db.engine.dispose()  # no connection left open: the throw-away database can be dropped
    first, rest = rows[:5], rows[5:]
    print(
        f"\nin process: {cycles} cycles after the first, load average "
        f"{os.getloadavg()[0]:.1f} (CPU times rise on a busy machine: compare runs made together)"
    )
    print(
        f"  {'request':12s} {'n':>4s} {'CPU p50 ms':>11s} {'mean':>7s} {'statements':>11s}"
        f" {'first':>7s} {'DB CPU p50 ms':>14s}"
    )
    for kind in ("workspace", "open sheet", "save draft", "submit"):
        cpu = [1000 * t for k, t, _, _ in rest if k == kind]
        statements = sorted({n for k, _, n, _ in rest if k == kind})
        first_cpu = next(1000 * t for k, t, _, _ in first if k == kind)
        database = [1000 * d for k, _, _, d in rest if k == kind and d is not None]
        print(
            f"  {kind:12s} {len(cpu):4d} {statistics.median(cpu):11.2f} {statistics.mean(cpu):7.2f}"
            f" {'-'.join(map(str, statements[:: max(len(statements) - 1, 1)])):>11s}"
            f" {first_cpu:7.1f}"
            + (f" {statistics.median(database):14.2f}" if database else f" {'-':>14s}")
        )
    if profiler is not None:
        print(f"\ncProfile of the {profile!r} requests (CPU times inflated by the profiler):")
        for order in ("tottime", "cumulative"):
            pstats.Stats(profiler).sort_stats(order).print_stats(30)
        if profile_file:
            profiler.dump_stats(profile_file)
        print(f"The last {profile!r} request's SQL statements:")
        for sql in profiled_sql:
            print(f"  {sql[:200]}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--url", help="an empty database")
    parser.add_argument(
        "--postgres",
        action="store_true",
        help="start the local PostgreSQL cluster and use a throw-away database",
    )
    parser.add_argument("--judges", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument(
        "--think",
        type=float,
        default=1.0,
        help="mean seconds a judge spends between two requests (reading, "
        "typing); 0 = as fast as possible",
    )
    parser.add_argument("--workers", type=int, default=(os.cpu_count() or 1) * 2 + 1)
    parser.add_argument(
        "--in-process",
        type=int,
        metavar="CYCLES",
        help="no server: time CYCLES scoring cycles through Flask's test client in this "
        "process (CPU and SQL statements per request)",
    )
    parser.add_argument(
        "--profile",
        choices=("workspace", "open sheet", "save draft", "submit"),
        help="with --in-process: cProfile that kind of request and print where its time goes",
    )
    parser.add_argument("--profile-file", help="with --profile: also write the profile there")
    args = parser.parse_args()
    cleanup = None
    tmp = tempfile.mkdtemp(prefix="juri-bench-")
    if args.postgres:
        url, cleanup = start_postgres()
    else:
        url = args.url or f"sqlite:///{tmp}/bench.sqlite3"
    server = None
    try:
        usernames, stage_id = build(url, args.judges + 1)
        if args.in_process:
            in_process(url, usernames, args.in_process, args.profile, args.profile_file)
            ok = True
            return
        env = dict(
            os.environ, DATABASE_URL=url, SECRET_KEY=secrets.token_hex(16), JURI_AUDIT_KEY=AUDIT_KEY
        )
        server, base, port = start_gunicorn(env, args.workers, tmp)
        print(
            f"gunicorn: {args.workers} sync workers on 127.0.0.1:{port}, "
            f"{os.cpu_count()} CPU cores (client threads share them)"
        )
        database = url.rsplit("/", 1)[-1].split("?")[0]
        _login1, res1, subs1 = run(base, usernames[-1:], 5, 0)
        base_p95 = report("baseline: 1 judge alone, no think time, for 5 s", res1)
        waits = LockWaits(url) if url.startswith("postgresql") else None
        logins, res, subs = run(
            base,
            usernames[: args.judges],
            args.seconds,
            args.think,
            cpu=lambda: cpu_times(server.pid, database),
            watch=waits,
        )
        report(f"{args.judges} judges log in at once", logins)
        report_cpu(*logins["cpu"], logins["elapsed"], args.judges, "logins")
        p95 = report(
            f"load: {args.judges} judges at once for {args.seconds:.0f} s, think time "
            f"{args.think:g} s (exponential mean) between requests",
            res,
        )
        n_requests = sum(len(v) for v in res["lat"].values())
        report_cpu(*res["cpu"], res["elapsed"], n_requests, "load")
        if waits is not None:
            waits.report()
        print(
            f"\nratio: p95 under load / p95 alone = {p95 / base_p95:.1f}x; "
            f"target p95 < 100 ms: {'met' if p95 < 100 else 'NOT met'}; "
            f"errors: {sum(res['errors'].values()) + sum(res1['errors'].values())}"
        )
        ok = verify(url, stage_id, subs1 + subs)
    finally:
        if server is not None:
            server.send_signal(signal.SIGTERM)
            try:
                server.wait(timeout=60)
            except subprocess.TimeoutExpired:  # a loaded machine: do not leave it running
                server.kill()
                server.wait()
        if cleanup:  # always: a throw-away database must not outlive the run
            cleanup()
        shutil.rmtree(tmp, ignore_errors=True)
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
