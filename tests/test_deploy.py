"""The reference deployment in deploy/ cannot rot: every JURI_* variable it sets is one the
app reads, the README's configuration table is all in the env example, nginx accepts exactly
the app's largest request and sets the headers JURI_PROXY_HOPS=1 believes, and the units and
the compose file start the app and the worker with the commands the app has."""

import ast
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from app import create_app

ROOT = Path(__file__).resolve().parents[1]
DEPLOY = ROOT / "deploy"
NAME = re.compile(r"\bJURI_[A-Z0-9_]+")
CONFIG_READ = re.compile(r"config(?:\.get\(|\[|\.setdefault\()\s*[\"']([A-Z][A-Z0-9_]*)[\"']")
ENV_READ = re.compile(r"environ(?:\.get\(|\[)\s*[\"'](JURI_[A-Z0-9_]+)[\"']")


def _sources():
    yield ROOT / "app.py"
    yield ROOT / "gunicorn.conf.py"
    for package in ("competition", "judging"):
        yield from (ROOT / package).rglob("*.py")


def variables_read() -> set[str]:
    """The JURI_* names the code reads: ``JURI_<KEY>`` for every config key read anywhere
    (``from_prefixed_env("JURI")`` maps one to the other) or given a default in
    ``create_app``, and the names read straight from the environment (gunicorn.conf.py)."""
    names = set()
    for path in _sources():
        text = path.read_text()
        names |= {f"JURI_{key}" for key in CONFIG_READ.findall(text)}
        names |= set(ENV_READ.findall(text))
    tree = ast.parse((ROOT / "app.py").read_text())
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and getattr(node.func, "attr", "") == "from_mapping":
            names |= {f"JURI_{k.arg}" for k in node.keywords if k.arg}
    return names


def unknown(names: set[str]) -> set[str]:
    return names - variables_read()


def _env_example() -> dict[str, str]:
    pairs = {}
    for line in (DEPLOY / "juri.env.example").read_text().splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            key, _, value = line.partition("=")
            pairs[key.strip()] = value.strip()
    return pairs


DEPLOY_FILES = sorted(p for p in DEPLOY.rglob("*") if p.is_file())


def test_the_checker_sees_a_name_the_app_does_not_read():
    assert unknown({"JURI_NOT_A_SETTING", "JURI_PUBLIC_URL", "JURI_WORKERS"}) == {
        "JURI_NOT_A_SETTING"
    }


@pytest.mark.parametrize("path", DEPLOY_FILES, ids=lambda p: str(p.relative_to(DEPLOY)))
def test_deploy_files_use_only_variables_the_app_reads(path):
    assert not unknown(set(NAME.findall(path.read_text())))


def test_env_example_holds_every_documented_variable():
    readme = (ROOT / "README.md").read_text()
    table = readme.split("### Configuration", 1)[1].split("\n## ", 1)[0]
    documented = set(NAME.findall(table)) - {"JURI_BASE_URL"}  # the older name
    assert documented and documented <= set(_env_example())
    assert {"DATABASE_URL", "SECRET_KEY"} <= set(_env_example())


def test_nginx_takes_the_apps_largest_request_and_sets_one_hop(tmp_path):
    conf = (DEPLOY / "nginx" / "juri.conf").read_text()
    size = re.search(r"client_max_body_size\s+(\d+)([km]?);", conf)
    limit = int(size[1]) * {"": 1, "k": 1024, "m": 1024 * 1024}[size[2]]
    env = _env_example()
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/x.db"})
    assert limit == int(env["JURI_MAX_CONTENT_LENGTH"]) == app.config["MAX_CONTENT_LENGTH"]
    # JURI_PROXY_HOPS=1: ProxyFix believes the last X-Forwarded-For/-Proto entry, which this
    # nginx must set (replacing what a client sent), not append to.
    assert env["JURI_PROXY_HOPS"] == "1"
    assert "proxy_set_header X-Forwarded-For $remote_addr;" in conf
    assert "proxy_set_header X-Forwarded-Proto $scheme;" in conf
    assert "proxy_set_header X-Request-ID $request_id;" in conf
    assert re.search(r"location /static/ \{\s*alias /srv/juri/competition/static/;", conf)
    assert (ROOT / "competition" / "static").is_dir()


def test_units_and_compose_start_commands_the_app_has(app):
    commands = {c for c in app.cli.list_commands(None)}
    assert {"db", "juri"} <= commands
    units = {p.name: p.read_text() for p in (DEPLOY / "systemd").glob("*.service")}
    assert "gunicorn -c gunicorn.conf.py" in units["juri-app.service"]
    assert "flask juri worker" in units["juri-worker@.service"]
    assert "flask db upgrade" in units["juri-migrate.service"]
    for text in units.values():
        assert "EnvironmentFile=/etc/juri/juri.env" in text
    compose = (DEPLOY / "compose.yaml").read_text()
    assert '["flask", "juri", "worker"' in compose and '["flask", "db", "upgrade"]' in compose
    assert "env_file: juri.env.example" in compose
    assert re.findall(r"^  (app\d):", compose, re.M) == ["app1", "app2"]
    upstream = (DEPLOY / "nginx" / "juri.conf").read_text()
    assert "server app1:8000" in upstream and "server app2:8000" in upstream


def test_nginx_accepts_the_config(tmp_path):
    """``nginx -t`` on deploy/nginx/juri.conf inside a minimal http block (as the stock
    nginx.conf includes conf.d/), the compose host names of the upstream pointed at loopback
    (nginx resolves them when it loads the file). Skipped where nginx is not installed."""
    nginx = shutil.which("nginx") or next(
        (p for p in ("/usr/sbin/nginx", "/usr/local/sbin/nginx") if Path(p).exists()), None
    )
    if nginx is None:
        pytest.skip("nginx is not installed")
    conf = (DEPLOY / "nginx" / "juri.conf").read_text()
    assert re.findall(r"server (app\d):8000", conf) == ["app1", "app2"]
    conf = re.sub(r"server app(\d):8000", r"server 127.0.0.1:800\1", conf)
    (tmp_path / "juri.conf").write_text(conf)
    temp = " ".join(
        f"{kind}_temp_path {tmp_path}/{kind};" for kind in ("client_body", "proxy", "fastcgi")
    )
    (tmp_path / "nginx.conf").write_text(
        f"pid {tmp_path}/nginx.pid;\nerror_log {tmp_path}/error.log;\nevents {{}}\n"
        f"http {{ access_log off; {temp} uwsgi_temp_path {tmp_path}/uwsgi; "
        f"scgi_temp_path {tmp_path}/scgi; include {tmp_path}/juri.conf; }}\n"
    )
    result = subprocess.run(
        [
            nginx,
            "-t",
            "-p",
            str(tmp_path),
            "-e",
            str(tmp_path / "error.log"),
            "-c",
            str(tmp_path / "nginx.conf"),
        ],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
    assert "test is successful" in result.stderr


def test_systemd_accepts_the_units(tmp_path):
    """``systemd-analyze verify`` finds no unknown key or bad value in the units (the venv's
    paths in place of /srv/juri/.venv). Skipped where systemd-analyze is missing."""
    analyze = shutil.which("systemd-analyze")
    if analyze is None:
        pytest.skip("systemd-analyze is not installed")
    bin_dir = Path(sys.executable).parent
    names = []
    for unit in sorted((DEPLOY / "systemd").glob("*.service")):
        text = unit.read_text().replace("/srv/juri/.venv/bin/", f"{bin_dir}/")
        for command in re.findall(r"^ExecStart=(\S+)", text, re.M):
            assert Path(command).exists(), command  # gunicorn and flask are in the venv
        (tmp_path / unit.name).write_text(text)
        names.append(f"./{unit.name}")
    result = subprocess.run(
        [analyze, "verify", *names], cwd=tmp_path, capture_output=True, text=True
    )
    if result.returncode != 0 and "Failed to" in result.stderr and "bus" in result.stderr.lower():
        pytest.skip(f"systemd-analyze cannot run here: {result.stderr.strip()[:200]}")
    assert result.returncode == 0 and not result.stderr.strip(), result.stderr
