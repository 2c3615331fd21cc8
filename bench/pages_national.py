"""The committee's pages of the national round, timed through gunicorn (issue 17, item 5).

Loads the city demo and then the national round (``flask demo load``, ``flask demo load --scale
national``: 3,000 entries, 300 judges, 15,000 sheets) into one database, starts gunicorn
(``gunicorn.conf.py``, 2 sync workers by default) on loopback, signs in as the committee and
requests each page ``--repeat`` times, one request at a time. For each page it prints the first
view (the first request after the server started: what the first visitor of the morning waits),
the median and p95 of the following views, the size of the answer, and the ratio of the median
to the same page of the city round (45 entries) measured in the same run on the same server:
the baseline. Then it starts a new server (new workers, nothing in their memory) on the same
database and prints each national page's first view there: what any other worker or server
pays once the first one computed the rankings (the shared cache). The pages:

- the round page, the round dashboard, the committee's results page;
- each scored stage's progress page, judges' page and ranking page (its first page and its
  third: 50 rows a page), and its undecided page (one more judge where it decides: its first page
  and its second page of both lists, 100 rows a page);
- ``/api/v1/rounds/<slug>/results`` (its first page).

    .venv/bin/python bench/pages_national.py --postgres       # throw-away local PostgreSQL db
    .venv/bin/python bench/pages_national.py --url postgresql+psycopg://u:pw@127.0.0.1/empty_db
    .venv/bin/python bench/pages_national.py --url ... --reuse  # the demos are already loaded
    .venv/bin/python bench/pages_national.py --url ... --reuse --cold  # no shared fits kept
    .venv/bin/python bench/pages_national.py                  # SQLite in a temporary folder
    .venv/bin/python bench/pages_national.py --url ... --reuse --compare ../juri-main
    .venv/bin/python bench/pages_national.py --url ... --reuse --only undecided  # some pages

``--only TEXT`` measures only the pages whose name holds TEXT (e.g. ``undecided``, ``ranking``).

``--compare DIR`` (another checkout of the app, e.g. ``git worktree add --detach DIR main``)
then measures the ranking pages' (or the ``--only`` pages') first views on a restarted
server, the same number of times for each code alternately, on the same database in the same
run: DIR's code (before) and this one's (after), each restart with new worker processes, the
shared caches as the first server left them. It prints each code's median first view and median
view, and the ratios.

Target (issue 17): every page's median under 300 ms and its HTML under 500 KB.
"""

from __future__ import annotations

import argparse
import http.cookiejar
import os
import re
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from http_judges import (  # noqa: E402
    AUDIT_KEY,
    PASSWORD,
    start_gunicorn,
    start_postgres,
)

CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
GOAL_MS, GOAL_KB = 300, 500


def flask(url: str, *args: str) -> str:
    """Run a ``flask`` command of the app against ``url``; its output."""
    env = dict(
        os.environ, DATABASE_URL=url, SECRET_KEY="bench", JURI_AUDIT_KEY=AUDIT_KEY, FLASK_APP="app"
    )
    exe = str(Path(sys.executable).with_name("flask"))
    done = subprocess.run(
        [exe, *args], cwd=ROOT, env=env, capture_output=True, text=True, check=False
    )
    if done.returncode:
        sys.exit(f"flask {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}")
    return done.stdout


def load(url: str) -> None:
    t0 = time.perf_counter()
    flask(url, "db", "upgrade")
    flask(url, "demo", "load")
    print(flask(url, "demo", "load", "--scale", "national").strip().splitlines()[0])
    print(f"loaded in {time.perf_counter() - t0:.0f} s")


def rounds(url: str) -> list[tuple[int, str, str, list[int]]]:
    """(id, slug, name, scored stage ids) of the city round and the national round."""
    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    with engine.connect() as conn:
        found = conn.execute(text("SELECT id, slug, name FROM rounds ORDER BY id")).all()
        out = []
        for rid, slug, name in found:
            stages = conn.execute(
                text(
                    "SELECT s.id FROM stages s WHERE s.round_id = :r AND EXISTS "
                    "(SELECT 1 FROM assignments a WHERE a.stage_id = s.id) ORDER BY s.position"
                ),
                {"r": rid},
            ).scalars()
            out.append((rid, slug, name, list(stages)))
    engine.dispose()
    city = next(r for r in out if not r[1].startswith("national"))
    national = next(r for r in out if r[1].startswith("national"))
    return [city, national]


def shared_fits(url: str, empty: bool = False) -> str:
    """Rows of the shared caches of computed rankings (``uncertainty_cache``, and
    ``ranking_cache`` where the schema has it): with ``--reuse`` the first views find the fits
    of an earlier run there, unless ``empty`` (``--cold``) deletes them first."""
    from sqlalchemy import create_engine, inspect, text

    engine = create_engine(url)
    out = []
    with engine.begin() as conn:
        for table in ("uncertainty_cache", "ranking_cache"):
            if inspect(conn).has_table(table):
                if empty:
                    conn.execute(text(f"DELETE FROM {table}"))
                n = conn.execute(text(f"SELECT count(*) FROM {table}")).scalar_one()
                out.append(f"{table} {n}")
    engine.dispose()
    return ", ".join(out)


def pages(round_id: int, slug: str, stages: list[int], only: str = "") -> list[tuple[str, str]]:
    """(name, path) of the committee's pages of a round (those whose name holds ``only``)."""
    out = [
        ("round page", f"/committee/rounds/{round_id}"),
        ("round dashboard", f"/committee/rounds/{round_id}/dashboard"),
        ("results page", f"/committee/rounds/{round_id}/results"),
        ("API results", f"/api/v1/rounds/{slug}/results"),
    ]
    for k, stage in enumerate(stages, 1):
        out += [
            (f"progress, stage {k}", f"/committee/stages/{stage}/progress"),
            (f"judges, stage {k}", f"/committee/stages/{stage}/judges"),
            (f"ranking, stage {k}", f"/committee/stages/{stage}/ranking"),
            # a later page of the same list (50 rows a page; the city round has one page)
            (f"ranking p.3, stage {k}", f"/committee/stages/{stage}/ranking?page=3"),
            # 100 rows a page of each list (a national stage: ~800 undecided rows, ~700 pairs)
            (f"undecided, stage {k}", f"/committee/stages/{stage}/undecided"),
            (
                f"undecided p.2, stage {k}",
                f"/committee/stages/{stage}/undecided?page=2&pairs_page=2",
            ),
        ]
    return [(name, path) for name, path in out if only in name]


class Client:
    def __init__(self, base: str):
        self.base = base
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
        )

    def get(self, path: str) -> tuple[float, int, int]:
        """(seconds, status, bytes) of one GET."""
        t0 = time.perf_counter()
        try:
            with self.opener.open(self.base + path, timeout=120) as resp:
                body, status = resp.read(), resp.status
        except urllib.error.HTTPError as exc:
            body, status = exc.read(), exc.code
        return time.perf_counter() - t0, status, len(body)

    def login(self, username: str) -> None:
        with self.opener.open(self.base + "/login", timeout=30) as resp:
            token = CSRF.search(resp.read().decode())[1]
        data = urllib.parse.urlencode(
            {"csrf_token": token, "username": username, "password": PASSWORD}
        ).encode()
        with self.opener.open(self.base + "/login", data, timeout=30) as resp:
            if "/login" in resp.url:
                sys.exit(f"could not sign in as {username}")


def measure(client: Client, listed: list[tuple[str, str]], repeat: int) -> dict[str, dict]:
    """Each page once (its first view), then ``repeat`` more times in turns."""
    out = {}
    for name, path in listed:
        dt, status, size = client.get(path)
        out[name] = {"path": path, "first": dt, "times": [], "status": {status}, "size": size}
    for _ in range(repeat):
        for name, path in listed:
            dt, status, size = client.get(path)
            out[name]["times"].append(dt)
            out[name]["status"].add(status)
            out[name]["size"] = size
    return out


def report(national: dict, city: dict) -> bool:
    print(
        f"\n{'page':24s} {'first ms':>9s} {'median ms':>10s} {'p95 ms':>8s} {'KB':>7s} "
        f"{'city median':>12s} {'ratio':>6s}  status"
    )
    ok = True
    for name, m in national.items():
        t = np.array(m["times"]) * 1000
        med, p95 = float(np.median(t)), float(np.percentile(t, 95))
        base = float(np.median(city[name]["times"])) * 1000 if name in city else float("nan")
        kb = m["size"] / 1024
        good = med < GOAL_MS and kb < GOAL_KB and m["status"] == {200}
        ok &= good
        print(
            f"{name:24s} {m['first'] * 1000:9.0f} {med:10.0f} {p95:8.0f} {kb:7.0f} "
            f"{base:12.0f} {med / base:6.1f}  {','.join(map(str, sorted(m['status'])))}"
            f"{'' if good else '  <- over the goal'}"
        )
    print(
        f"\ngoal: median < {GOAL_MS} ms and < {GOAL_KB} KB on every page: "
        f"{'met' if ok else 'NOT met'}"
    )
    return ok


def compare(
    env: dict, workers: int, log_dir: str, before: Path, stages, rounds_: int, only: str = ""
) -> None:
    """The ranking pages' (or the ``only`` pages') first views after a restart (and their next
    views), ``rounds_`` times for each of ``before`` and this checkout alternately (see
    ``--compare``)."""
    # by default the ranking's page 1 and p.3: each served by a fresh worker
    listed = pages(0, "", stages, only or "ranking")
    codes = {"before": before.resolve(), "after": ROOT}
    first = {k: [] for k in codes}
    later = {k: [] for k in codes}
    by_page = {(k, name): [] for k in codes for name, _path in listed}
    # one untimed restart each first: each code keeps its results in the shared cache under
    # its own keys (the first server of the run computed only this checkout's)
    for code in codes.values():
        server, base, _port = start_gunicorn(env, workers, log_dir, code)
        try:
            client = Client(base)
            client.login("panitia")
            for _name, path in listed:
                client.get(path)
        finally:
            server.send_signal(signal.SIGTERM)
            server.wait(timeout=30)
    for _ in range(rounds_):
        for label, code in codes.items():
            server, base, _port = start_gunicorn(env, workers, log_dir, code)
            try:
                client = Client(base)
                client.login("panitia")
                for name, path in listed:
                    dt, status, _size = client.get(path)
                    if status != 200:
                        sys.exit(f"{label}: {path} answered {status}")
                    first[label].append(dt)
                    by_page[label, name].append(dt)
                for _ in range(3):
                    for _name, path in listed:
                        later[label].append(client.get(path)[0])
            finally:
                server.send_signal(signal.SIGTERM)
                server.wait(timeout=30)
    med = {k: (np.median(first[k]) * 1000, np.median(later[k]) * 1000) for k in codes}
    print(
        f"\n{only or 'ranking'} pages, {rounds_} restarts per code, alternately "
        f"({len(listed)} pages, first view each; then 3 views each): "
        f"before = {codes['before']}, after = {ROOT}"
    )
    print(f"{'':8s} {'first view median ms':>21s} {'max ms':>8s} {'view median ms':>15s}")
    for k in codes:
        print(f"{k:8s} {med[k][0]:21.0f} {max(first[k]) * 1000:8.0f} {med[k][1]:15.0f}")
    print(
        f"ratio after/before: first view {med['after'][0] / med['before'][0]:.2f}, "
        f"view {med['after'][1] / med['before'][1]:.2f}"
    )
    print(f"\n{'first view, median ms':24s} {'before':>8s} {'after':>8s} {'ratio':>6s}")
    for name, _path in listed:
        b, a = (np.median(by_page[k, name]) * 1000 for k in codes)
        print(f"{name:24s} {b:8.0f} {a:8.0f} {a / b:6.2f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--url", help="a database: empty (the demos are loaded), or see --reuse")
    parser.add_argument("--reuse", action="store_true", help="the demos are already in --url")
    parser.add_argument(
        "--postgres", action="store_true", help="a throw-away database in the local cluster"
    )
    parser.add_argument(
        "--cold", action="store_true", help="empty the shared caches of rankings first"
    )
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--repeat", type=int, default=10)
    parser.add_argument(
        "--compare", type=Path, help="another checkout: its ranking pages' first views beside these"
    )
    parser.add_argument("--rounds", type=int, default=3, help="restarts per code for --compare")
    parser.add_argument(
        "--only", default="", help="measure only the pages whose name holds this text"
    )
    parser.add_argument(
        "--compare-only", action="store_true", help="with --compare: skip the other measurements"
    )
    args = parser.parse_args()
    tmp = tempfile.mkdtemp(prefix="juri-pages-")
    cleanup = server = None
    ok = False
    try:
        if args.postgres:
            url, cleanup = start_postgres()
        else:
            url = args.url or f"sqlite:///{tmp}/bench.sqlite3"
        if not args.reuse:
            load(url)
        city, national = rounds(url)
        print(f"shared fits already in the database: {shared_fits(url, empty=args.cold)}")
        # One audit key for the loader and the servers, as on a real site (else every audited write
        # logs that the key differs from the one the trail was written with).
        env = dict(
            os.environ,
            DATABASE_URL=url,
            SECRET_KEY=secrets.token_hex(16),
            JURI_AUDIT_KEY=AUDIT_KEY,
        )
        if args.compare and args.compare_only:
            compare(env, args.workers, tmp, args.compare, national[3], args.rounds, args.only)
            return
        server, base, port = start_gunicorn(env, args.workers, tmp)
        dialect = url.split(":", 1)[0].split("+")[0]
        load_avg = os.getloadavg()[0]
        print(
            f"gunicorn: {args.workers} sync workers, {dialect}, {os.cpu_count()} CPU cores, "
            f"load average {load_avg:.1f} before the run"
        )
        client = Client(base)
        client.login("panitia")
        measured_national = measure(
            client, pages(national[0], national[1], national[3], args.only), args.repeat
        )
        measured_city = measure(client, pages(city[0], city[1], city[3], args.only), args.repeat)
        print(
            f"national round: {national[2]} ({len(national[3])} scored stages); "
            f"baseline: {city[2]}; {args.repeat} views per page after the first"
        )
        ok = report(measured_national, measured_city)
        print(f"load average after the run: {os.getloadavg()[0]:.1f}")
        # A new server (new worker processes, empty process caches) on the same database: each
        # page's first view there reads what the first server computed (shared cache).
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)
        server, base, port = start_gunicorn(env, args.workers, tmp)
        client = Client(base)
        client.login("panitia")
        print(f"\nafter a restart (shared fits: {shared_fits(url)}), each page's first view:")
        for name, path in pages(national[0], national[1], national[3], args.only):
            dt, status, _size = client.get(path)
            print(f"{name:24s} {dt * 1000:9.0f} ms  {status}")
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)
        server = None
        if args.compare:
            compare(env, args.workers, tmp, args.compare, national[3], args.rounds, args.only)
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
