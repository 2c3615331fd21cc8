"""CPU per request of the public results page and the API's results, before/after a change.

Builds the city demo (``flask demo load``) in a throw-away SQLite database through the
migrations of the code under test, publishes the 2026 round's desk evaluation again from the
committee's publishing page (``POST /committee/stages/<id>/publish``: the path that stores the
ranges of likely places with the places, where the code does), then requests
``/results/koinyanlik-2026``, its version page and ``/api/v1/rounds/koinyanlik-2026/results``
``--repeat`` times each, one at a time in this process, and prints each one's median CPU time
(``time.process_time``: user + system of this process) after ``--warmup`` requests.

    .venv/bin/python bench/public_results.py                    # this checkout
    .venv/bin/python bench/public_results.py --compare ../base  # alternately with another
                                                                # checkout (the baseline)

``--compare DIR`` runs this script under DIR's code and this checkout's, ``--rounds`` times
each, alternately (base, this, base, this...), and prints each page's median of the runs'
medians and the ratio this/base.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PAGES = ("results page", "version page", "api results")


def measure(root: Path, repeat: int, warmup: int) -> dict[str, float]:
    """Milliseconds of CPU per request (median), with ``root``'s code."""
    sys.path.insert(0, str(root))
    os.chdir(root)
    from flask_login import FlaskLoginClient
    from flask_migrate import upgrade
    from sqlalchemy import select

    from app import create_app
    from competition.accounts.models import User
    from competition.db import db
    from competition.rounds.models import Round
    from judging.demo.loader import load_demo
    from judging.results.models import Publication
    from judging.scoring import progress

    with tempfile.TemporaryDirectory() as tmp:
        app = create_app(
            {
                "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp}/bench.sqlite3",
                "SECRET_KEY": "bench",
                "WTF_CSRF_ENABLED": False,
                "UPLOAD_FOLDER": tmp,
            }
        )
        app.test_client_class = FlaskLoginClient
        with app.app_context():
            upgrade()
            load_demo()
            db.session.commit()
            round_ = db.session.scalar(select(Round).where(Round.slug == "koinyanlik-2026"))
            committee = db.session.scalar(select(User).where(User.username == "panitia"))
            # the desk evaluation: the stage with the most submitted sheets
            stage = max(round_.stages, key=lambda s: progress.sheet_counts(s)[0])
            client = app.test_client(user=committee)
            r = client.post(
                f"/committee/stages/{stage.id}/publish",
                data={"confirm_uncertain": "y", "confirm_open": "y", "reason": "bench"},
            )
            assert r.status_code == 302, (r.status_code, r.text[:400])
            pub = db.session.scalar(
                select(Publication)
                .where(Publication.stage_id == stage.id)
                .order_by(Publication.version.desc())
            )
            urls = {
                "results page": f"/results/{round_.slug}",
                "version page": f"/results/{round_.slug}/stages/{stage.id}/v{pub.version}",
                "api results": f"/api/v1/rounds/{round_.slug}/results",
            }
            stage_id = stage.id
        anon = app.test_client()
        out = {}
        for name, url in urls.items():
            times = []
            for k in range(warmup + repeat):
                t0 = time.process_time()
                r = anon.get(url)
                dt = time.process_time() - t0
                assert r.status_code == 200, (url, r.status_code)
                if k >= warmup:
                    times.append(dt * 1000)
            out[name] = statistics.median(times)
        page = anon.get(urls["results page"]).text
        out["ranges shown"] = float("Kemungkinan peringkat" in page)
        out["stage"] = float(stage_id)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--root", default=str(ROOT), help="the checkout whose code is measured")
    parser.add_argument("--repeat", type=int, default=40)
    parser.add_argument("--warmup", type=int, default=5)
    parser.add_argument("--compare", help="another checkout: the baseline, run alternately")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--json", action="store_true", help="print one JSON line (internal)")
    args = parser.parse_args()
    if not args.compare:
        result = measure(Path(args.root).resolve(), args.repeat, args.warmup)
        if args.json:
            print(json.dumps(result))
        else:
            for name in PAGES:
                print(f"{name:14} {result[name]:7.2f} ms CPU (median of {args.repeat})")
            print(f"ranges shown on the results page: {bool(result['ranges shown'])}")
        return
    roots = {"base": Path(args.compare).resolve(), "this": ROOT}
    runs: dict[str, list[dict]] = {"base": [], "this": []}
    for _ in range(args.rounds):
        for label, root in roots.items():
            cmd = [
                sys.executable,
                str(Path(__file__).resolve()),
                "--root",
                str(root),
                "--repeat",
                str(args.repeat),
                "--warmup",
                str(args.warmup),
                "--json",
            ]
            done = subprocess.run(cmd, capture_output=True, text=True, check=True)
            runs[label].append(json.loads(done.stdout.strip().splitlines()[-1]))
    print(f"{args.rounds} runs each, alternately; per run the median of {args.repeat} requests")
    for name in PAGES:
        base = statistics.median(r[name] for r in runs["base"])
        this = statistics.median(r[name] for r in runs["this"])
        ratios = [t[name] / b[name] for b, t in zip(runs["base"], runs["this"])]
        print(
            f"{name:14} base {base:7.2f} ms  this {this:7.2f} ms  ratio {this / base:5.2f} "
            f"(per pair {min(ratios):.2f}-{max(ratios):.2f})"
        )
    for label in roots:
        shown = [bool(r["ranges shown"]) for r in runs[label]]
        print(f"{label}: ranges shown on the results page: {shown}")


if __name__ == "__main__":
    main()
