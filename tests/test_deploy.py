"""The reference deployment in deploy/ cannot drift from the code: every setting it names is one
the app (or gunicorn.conf.py, or a library it uses) reads, and the example env sets every one a
deployment of several hosts needs; every command the compose file and the systemd units run is
a command the app has, with the options given; the probes the healthchecks call are routes;
nginx's upstream port is JURI_BIND's; the units' paths are the ones the README tells to install;
nginx accepts exactly the app's largest request and sets the headers JURI_PROXY_HOPS=1 believes.
Where nginx, systemd-analyze or docker-compose is installed, each checks its own file."""

import ast
import json
import re
import runpy
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import botocore.credentials
import gunicorn.config
import pytest
import yaml
from click.testing import CliRunner
from flask.cli import FlaskGroup

from app import create_app

ROOT = Path(__file__).resolve().parents[1]
DEPLOY = ROOT / "deploy"
COMPOSE = DEPLOY / "compose.yaml"
NGINX = DEPLOY / "nginx" / "juri.conf"
UNITS = DEPLOY / "systemd"
NAME = re.compile(r"\bJURI_[A-Z0-9_]+")
# The app's own settings: JURI_*, and the two it reads without the prefix (app.py).
APP_SETTING = re.compile(r"^(JURI_[A-Z0-9_]+|DATABASE_URL|SECRET_KEY)$")
CONFIG_READ = re.compile(r"config(?:\.get\(|\[|\.setdefault\()\s*[\"']([A-Z][A-Z0-9_]*)[\"']")
ENV_READ = re.compile(r"environ(?:\.get\(|\[)\s*[\"']([A-Z][A-Z0-9_]*)[\"']")
# Variables the deployment sets for the tools around the app, each with what reads it.
TOOL_VARIABLES = {
    "FLASK_APP": "the flask command: the app module (app.py, create_app)",
    "PYTHONUNBUFFERED": "Python: log lines reach the journal as written",
    "PYTHONDONTWRITEBYTECODE": "Python, in the image",
    "XDG_RUNTIME_DIR": "gunicorn 25+: where its control socket goes",
    botocore.credentials.EnvProvider.ACCESS_KEY: "boto3: the object store's key",
    botocore.credentials.EnvProvider.SECRET_KEY: "boto3: the object store's secret",
}
# What a deployment of several hosts cannot leave to the default, and why (app.py): the
# database (default: a SQLite file in this host's instance folder), the key that signs sessions
# (default: generated per instance folder, so another host refuses them), the store (default:
# this host's upload folder), the public address (default: none, links name 127.0.0.1 and
# password reset is off), the proxy hop (default 0: the login throttle sees only nginx).
REQUIRED_IN_PRODUCTION = (
    "DATABASE_URL",
    "SECRET_KEY",
    "JURI_STORAGE_URL",
    "JURI_PUBLIC_URL",
    "JURI_PROXY_HOPS",
)
# Where the README's "Running at national scale" tells to install (and the units assume).
CHECKOUT = "/srv/juri"
VENV_BIN = f"{CHECKOUT}/.venv/bin/"
ENV_FILE = "/etc/juri/juri.env"


def _sources():
    yield ROOT / "app.py"
    yield ROOT / "gunicorn.conf.py"
    for package in ("competition", "judging"):
        yield from (ROOT / package).rglob("*.py")


def variables_read() -> set[str]:
    """The names the code reads: ``JURI_<KEY>`` for every config key read anywhere
    (``from_prefixed_env("JURI")`` maps one to the other) or given a default in
    ``create_app``, and the names read straight from the environment (``DATABASE_URL``,
    ``SECRET_KEY``, ``JURI_INSTANCE_PATH``, gunicorn.conf.py's ``JURI_BIND``...)."""
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
    """The names among ``names`` that nothing reads: app settings the code does not read, and
    any other name that is not one of the tools' variables."""
    read = variables_read()
    return {
        n for n in names if (n not in read if APP_SETTING.match(n) else n not in TOOL_VARIABLES)
    }


def env_file(path: Path) -> dict[str, str]:
    """``KEY=value`` lines, as both ``env_file:`` and systemd's ``EnvironmentFile=`` read them."""
    pairs = {}
    for line in path.read_text().splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            key, sep, value = line.partition("=")
            assert sep, f"{path.name}: not KEY=value: {line!r}"
            pairs[key.strip()] = value.strip()
    return pairs


def _env_example() -> dict[str, str]:
    return env_file(DEPLOY / "juri.env.example")


def compose() -> dict:
    return yaml.safe_load(COMPOSE.read_text())


def dockerfile() -> tuple[list[str], dict[str, str], str]:
    """The deploy/Dockerfile's CMD, ENV (``K=V`` pairs) and WORKDIR."""
    text = (DEPLOY / "Dockerfile").read_text().replace("\\\n", " ")
    cmd = json.loads(re.search(r"^CMD (\[.*\])$", text, re.M)[1])
    env = {}
    for line in re.findall(r"^ENV (.*)$", text, re.M):
        env |= dict(pair.split("=", 1) for pair in shlex.split(line))
    return cmd, env, re.search(r"^WORKDIR (\S+)$", text, re.M)[1]


def juri_services(spec: dict | None = None) -> dict[str, dict]:
    """The compose services that run this repository's image (built from deploy/Dockerfile)."""
    spec = compose() if spec is None else spec
    return {name: s for name, s in spec["services"].items() if "build" in s}


def service_env(service: dict) -> dict[str, str]:
    """What a compose service's process sees: its env files, then its ``environment``."""
    files = service.get("env_file") or []
    env = {}
    for path in [files] if isinstance(files, str) else files:
        env |= env_file(COMPOSE.parent / path)
    environment = service.get("environment") or {}
    if isinstance(environment, list):
        environment = dict(item.split("=", 1) for item in environment)
    return env | {key: str(value) for key, value in environment.items()}


def service_command(service: dict) -> list[str]:
    command = service.get("command") or dockerfile()[0]
    return shlex.split(command) if isinstance(command, str) else list(command)


def units() -> dict[str, str]:
    return {p.name: p.read_text() for p in sorted(UNITS.glob("*.service"))}


def unit_values(text: str, key: str) -> list[str]:
    return re.findall(rf"^{key}=(.*)$", text, re.M)


def unit_environment(text: str) -> dict[str, str]:
    pairs = {}
    for value in unit_values(text, "Environment"):
        pairs |= dict(pair.split("=", 1) for pair in shlex.split(value))
    return pairs


def settings_set() -> dict[str, set[str]]:
    """Every variable a deploy file sets, with where: the example env, the environment of the
    compose services running the app, the units' ``Environment=`` and the Dockerfile's ENV."""
    where: dict[str, set[str]] = {}
    for key in _env_example():
        where.setdefault(key, set()).add("juri.env.example")
    for name, service in juri_services().items():
        environment = service.get("environment") or {}
        if isinstance(environment, list):
            environment = dict(item.split("=", 1) for item in environment)
        for key in environment:
            where.setdefault(key, set()).add(f"compose.yaml:{name}")
    for name, text in units().items():
        for key in unit_environment(text):
            where.setdefault(key, set()).add(name)
    for key in dockerfile()[1]:
        where.setdefault(key, set()).add("Dockerfile")
    return where


def commands() -> dict[str, list[str]]:
    """Every command the deployment runs from the app's image or checkout, by where."""
    found = {f"compose.yaml:{n}": service_command(s) for n, s in juri_services().items()}
    for name, text in units().items():
        for line in unit_values(text, "ExecStart"):
            found[name] = shlex.split(line)
    return found


def flask_cli(app) -> FlaskGroup:
    """The ``flask`` command as the deployment runs it (FLASK_APP=app), on the test app."""
    return FlaskGroup(create_app=lambda: app, load_dotenv=False)


def readme_section() -> str:
    readme = (ROOT / "README.md").read_text()
    return readme.split("## Running at national scale", 1)[1].split("\n## ", 1)[0]


def bind_port(bind: str) -> int:
    return int(bind.rsplit(":", 1)[1])


# --- the checker's own checks ------------------------------------------------------------


def test_the_checker_sees_a_name_nothing_reads():
    assert unknown({"JURI_NOT_A_SETTING", "JURI_PUBLIC_URL", "JURI_WORKERS"}) == {
        "JURI_NOT_A_SETTING"
    }
    assert unknown({"DATABASE_URL", "SECRET_KEY", "FLASK_APP", "AWS_ACCESS_KEY_ID"}) == set()
    assert unknown({"DATABASE_URI", "FLASK_ENV", "AWS_SECRET_KEY"}) == {
        "DATABASE_URI",
        "FLASK_ENV",
        "AWS_SECRET_KEY",
    }


def test_the_checker_finds_every_command():
    found = commands()
    assert found["compose.yaml:migrate"] == ["flask", "db", "upgrade"]
    assert found["compose.yaml:app1"][0] == "gunicorn"  # the image's CMD
    assert set(found) >= {"juri-app.service", "juri-worker@.service", "juri-migrate.service"}


# --- settings ------------------------------------------------------------------------------


DEPLOY_FILES = sorted(p for p in DEPLOY.rglob("*") if p.is_file())


@pytest.mark.parametrize("path", DEPLOY_FILES, ids=lambda p: str(p.relative_to(DEPLOY)))
def test_deploy_files_mention_only_settings_the_app_reads(path):
    """Every JURI_* name anywhere in deploy/, comments included."""
    assert not unknown(set(NAME.findall(path.read_text())))


def test_every_variable_the_deployment_sets_is_read():
    where = settings_set()
    assert {"DATABASE_URL", "SECRET_KEY", "JURI_BIND", "FLASK_APP"} <= set(where)
    assert {name: sorted(where[name]) for name in unknown(set(where))} == {}


def test_env_example_sets_what_several_hosts_need():
    env = _env_example()
    missing = [name for name in REQUIRED_IN_PRODUCTION if not env.get(name)]
    assert not missing, f"deploy/juri.env.example leaves {missing} to a one-machine default"
    assert env["JURI_STORAGE_URL"].startswith("s3://")
    assert env["DATABASE_URL"].startswith("postgresql")


def test_compose_sets_what_several_hosts_need():
    """Each app service gets every required setting, from the env file or its environment."""
    for name, service in juri_services().items():
        env = service_env(service)
        missing = [n for n in REQUIRED_IN_PRODUCTION if not env.get(n)]
        assert not missing, f"compose service {name} lacks {missing}"


def test_env_example_holds_every_documented_variable():
    readme = (ROOT / "README.md").read_text()
    table = readme.split("### Configuration", 1)[1].split("\n## ", 1)[0]
    documented = set(NAME.findall(table)) - {"JURI_BASE_URL"}  # the older name
    assert documented and documented <= set(_env_example())
    assert {"DATABASE_URL", "SECRET_KEY"} <= set(_env_example())


def test_units_read_the_env_file_the_readme_names():
    section = readme_section()
    assert f"`{ENV_FILE}`" in section
    for name, text in units().items():
        assert unit_values(text, "EnvironmentFile") == [ENV_FILE], name
        assert unit_values(text, "WorkingDirectory") == [CHECKOUT], name
    assert dockerfile()[2] == CHECKOUT  # the image keeps the same layout


# --- commands ------------------------------------------------------------------------------


def test_every_command_is_one_the_app_has(app):
    """``flask ...`` with its options is a command of the app's CLI (asked for its --help, so
    an unknown subcommand or option fails); ``gunicorn`` is started on gunicorn.conf.py."""
    runner = CliRunner()
    for where, argv in commands().items():
        program = argv[0]
        if where.endswith(".service"):
            assert program.startswith(VENV_BIN), f"{where}: {program} is not in {VENV_BIN}"
            assert (Path(sys.executable).parent / Path(program).name).exists(), program
            program = Path(program).name
        if program == "flask":
            result = runner.invoke(flask_cli(app), [*argv[1:], "--help"])
            assert result.exit_code == 0, f"{where}: {shlex.join(argv)}: {result.output}"
            assert result.output.startswith("Usage:"), result.output
        elif program == "gunicorn":
            assert argv[1:] == ["-c", "gunicorn.conf.py"], f"{where}: {argv}"
            assert (ROOT / "gunicorn.conf.py").is_file()
        else:
            pytest.fail(f"{where}: runs {program}, neither flask nor gunicorn")


def test_the_checker_refuses_a_command_the_app_lacks(app):
    runner = CliRunner()
    assert (
        runner.invoke(flask_cli(app), ["juri", "worker", "--concurrency", "2", "--help"]).exit_code
        == 0
    )
    assert runner.invoke(flask_cli(app), ["juri", "wroker", "--help"]).exit_code != 0
    assert (
        runner.invoke(flask_cli(app), ["juri", "worker", "--threads", "2", "--help"]).exit_code != 0
    )


def test_flask_app_names_the_app_module():
    """FLASK_APP (the image, every unit) is the module gunicorn serves: app.py's create_app."""
    wsgi_module = runpy.run_path(str(ROOT / "gunicorn.conf.py"))["wsgi_app"].split(":")[0]
    for env in [dockerfile()[1], *map(unit_environment, units().values())]:
        assert env.get("FLASK_APP") == wsgi_module == "app"
    assert (ROOT / "app.py").is_file()


def test_gunicorn_conf_reads_the_settings_the_deployment_sets(monkeypatch):
    """gunicorn.conf.py with the example env: bind, workers, threads and the trusted proxies
    are the values set; every name it defines is a gunicorn setting; the app it serves exists."""
    env = _env_example()
    read = set(ENV_READ.findall((ROOT / "gunicorn.conf.py").read_text()))
    assert read and read <= set(env), f"not in the example env: {read - set(env)}"
    for key in read:
        monkeypatch.setenv(key, env[key])
    conf = runpy.run_path(str(ROOT / "gunicorn.conf.py"))
    settings = {k: v for k, v in conf.items() if not k.startswith("_") and k not in ("os",)}
    settings.pop("multiprocessing", None)
    known = {s.name for s in gunicorn.config.KNOWN_SETTINGS}
    assert not set(settings) - known, f"not gunicorn settings: {set(settings) - known}"
    assert conf["bind"] == env["JURI_BIND"]
    assert conf["workers"] == int(env["JURI_WORKERS"])
    assert conf["threads"] == int(env["JURI_THREADS"])
    assert conf["forwarded_allow_ips"] == env["JURI_FORWARDED_ALLOW_IPS"]
    module, _, call = conf["wsgi_app"].partition(":")
    assert module == "app" and call == "create_app()"


# --- probes and ports ----------------------------------------------------------------------


def _probe_paths() -> dict[str, set[str]]:
    """The paths the healthchecks and comments of deploy/ send probes to."""
    found: dict[str, set[str]] = {}
    for path in DEPLOY_FILES:
        for probe in re.findall(
            r"(?<![\w/])/(?:healthz|readyz|livez|health|ready)\b", path.read_text()
        ):
            found.setdefault(probe, set()).add(path.name)
    return found


def test_probes_named_in_deploy_are_routes(app, client):
    probes = _probe_paths()
    assert {"/healthz", "/readyz"} <= set(probes)
    adapter = app.url_map.bind("localhost")
    for probe in probes:
        endpoint, _ = adapter.match(probe, method="GET")  # NotFound: no such route
        assert endpoint.startswith("ops."), (probe, endpoint)
    assert client.get("/healthz").status_code == 200


def test_compose_app_healthcheck_asks_readyz_on_juri_bind():
    """The app services' healthcheck: /readyz on JURI_BIND's port, with a trusted Host."""
    for name, service in juri_services().items():
        if service_command(service)[0] != "gunicorn":
            continue
        test = " ".join(service["healthcheck"]["test"])
        url = re.search(r"http://127\.0\.0\.1:(\d+)(/\w+)", test)
        assert url and url[2] == "/readyz", f"{name}: {test}"
        assert int(url[1]) == bind_port(service_env(service)["JURI_BIND"]), name
        host = re.search(r"['\"]Host['\"]: ['\"]([^'\"]+)['\"]", test)[1]
        trusted = service_env(service)["JURI_TRUSTED_HOSTS"].split(",")
        assert host in trusted, f"{name}: Host {host} not in JURI_TRUSTED_HOSTS {trusted}"


def test_nginx_sends_to_the_app_services_on_juri_bind():
    conf = NGINX.read_text()
    upstreams = dict(re.findall(r"upstream (\w+) \{(.*?)\n\}", conf, re.S))
    passes = re.findall(r"proxy_pass http://(\w+);", conf)
    assert passes and set(passes) <= set(upstreams), passes
    servers = re.findall(r"^\s*server ([\w.-]+):(\d+)\b", upstreams[passes[0]], re.M)
    ports = {int(port) for _, port in servers}
    assert ports == {bind_port(_env_example()["JURI_BIND"])}, (ports, _env_example()["JURI_BIND"])
    # The compose network: one upstream server per app service, each listening on that port.
    spec = compose()
    apps = {n for n, s in juri_services(spec).items() if service_command(s)[0] == "gunicorn"}
    assert {host for host, _ in servers} == apps
    for name in apps:
        assert bind_port(service_env(spec["services"][name])["JURI_BIND"]) in ports
    assert set(spec["services"]["nginx"]["depends_on"]) == apps
    expose = re.search(r"^EXPOSE (\d+)$", (DEPLOY / "Dockerfile").read_text(), re.M)
    assert {int(expose[1])} == ports


def test_compose_files_and_paths_exist():
    spec = compose()
    for name, service in spec["services"].items():
        if "build" in service:
            context = COMPOSE.parent / service["build"]["context"]
            assert (context / service["build"]["dockerfile"]).is_file(), name
            assert (context / ".dockerignore").is_file()
        if isinstance(service.get("env_file"), str):
            assert (COMPOSE.parent / service["env_file"]).is_file(), name
        for volume in service.get("volumes") or []:
            source = volume.split(":", 1)[0]
            if source.startswith("."):
                assert (COMPOSE.parent / source).exists(), f"{name}: {volume}"


def test_image_leaves_out_local_state():
    """``COPY . .`` from the repository root: never the virtualenv or the instance folder
    (secret key, SQLite database, uploads) of the checkout it is built from."""
    lines = (ROOT / ".dockerignore").read_text().splitlines()
    ignored = {line.strip() for line in lines if line.strip() and not line.startswith("#")}
    assert {".venv", "instance", ".git"} <= ignored


# --- the README ----------------------------------------------------------------------------


def test_readme_names_what_the_units_run():
    """Each unit and the command it runs (the venv's path included), as the README's "Running at
    national scale" section shows them."""
    section = readme_section()
    assert f"`{CHECKOUT}`" in section
    for name, text in units().items():
        assert f"`{name}`" in section, name
        for line in unit_values(text, "ExecStart"):
            assert f"`{line}`" in section, (name, line)


def test_readme_install_steps_exist():
    """The README's install step names Makefile targets, the translations among them (the
    pages are in English without the compiled catalogues), and makes every folder the units
    may write (ReadWritePaths= must exist, or the unit does not start), which is the instance
    folder the example env names."""
    section = readme_section()
    makefile = (ROOT / "Makefile").read_text()
    targets = set(re.findall(r"^([\w.-]+):", makefile, re.M))
    steps = [step.split() for step in re.findall(r"`make ([\w ]+)`", section)]
    assert ["install", "translations"] in steps, steps
    assert all(set(step) <= targets for step in steps), (steps, targets)
    for name, text in units().items():
        for path in unit_values(text, "ReadWritePaths"):
            assert f"`install -d -o juri {path}`" in section, (name, path)
            assert path == _env_example()["JURI_INSTANCE_PATH"], (name, path)


# --- nginx, systemd, compose: their own checks ---------------------------------------------


def test_nginx_takes_the_apps_largest_request_and_sets_one_hop(tmp_path):
    conf = NGINX.read_text()
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


def test_nginx_accepts_the_config(tmp_path):
    """``nginx -t`` on deploy/nginx/juri.conf inside a minimal http block (as the stock
    nginx.conf includes conf.d/), the compose host names of the upstream pointed at loopback
    (nginx resolves them when it loads the file). Skipped where nginx is not installed."""
    nginx = shutil.which("nginx") or next(
        (p for p in ("/usr/sbin/nginx", "/usr/local/sbin/nginx") if Path(p).exists()), None
    )
    if nginx is None:
        pytest.skip("nginx is not installed")
    conf = NGINX.read_text()
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
    for unit in sorted(UNITS.glob("*.service")):
        text = unit.read_text().replace(VENV_BIN, f"{bin_dir}/")
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


def test_compose_accepts_the_file():
    """``docker-compose config`` (Compose v1, which needs no engine for it) or ``docker compose
    config`` validates the file against the Compose schema and resolves the anchors, env file
    and paths. Skipped where neither is installed."""
    if shutil.which("docker-compose"):
        command = ["docker-compose", "-f", str(COMPOSE), "config", "--quiet"]
    elif (
        shutil.which("docker")
        and subprocess.run(["docker", "compose", "version"], capture_output=True).returncode == 0
    ):
        command = ["docker", "compose", "-f", str(COMPOSE), "config", "--quiet"]
    else:
        pytest.skip("neither docker-compose nor the docker compose plugin is installed")
    result = subprocess.run(command, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0 and not result.stderr.strip(), result.stderr
