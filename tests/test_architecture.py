"""The import rules of the style guide, checked on the source with ``ast``."""

import ast
import functools
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PURE = {"normalize.py", "ranking.py", "assign.py", "diagnostics.py"}
# judging.normalize's methods, one module each (judging.normalize imports and re-exports them)
PURE |= {
    "normalize_core.py",
    "normalize_graph.py",
    "normalize_simple.py",
    "normalize_sums.py",
    "normalize_bias.py",
    "normalize_bias_scale.py",
    "normalize_posterior.py",
}
# judging.ranking's parts, one module each (judging.ranking imports and re-exports them)
PURE |= {
    "ranking_places.py",
    "ranking_stages.py",
    "ranking_draws.py",
    "ranking_ties.py",
    "ranking_bootstrap.py",
}
PURE_MODULES = {f"judging.{name[:-3]}" for name in PURE}


@functools.cache
def _source(path: Path) -> str:
    """A file's text, read once per session (every rule below reads the same sources)."""
    return path.read_text()


@functools.cache
def _tree(path: Path) -> ast.Module:
    """A file's syntax tree, parsed once per session; rules only read it."""
    return ast.parse(_source(path), filename=str(path))


def _imports(path: Path):
    tree = _tree(path)
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node, alias.name
        elif isinstance(node, ast.ImportFrom):
            assert node.level == 0, f"{path}: use absolute imports"
            yield node, node.module or ""


def test_competition_never_imports_judging():
    for path in (ROOT / "competition").rglob("*.py"):
        for _, name in _imports(path):
            assert not name.startswith(("judging", "app")), f"{path} imports {name}"


def test_numerical_core_imports_only_numpy_and_stdlib():
    for path in (ROOT / "judging").glob("*.py"):
        if path.name not in PURE:
            continue
        for _, name in _imports(path):
            top = name.split(".")[0]
            allowed = name in PURE_MODULES or top in ("numpy", "__future__")
            assert allowed or top in sys.stdlib_module_names, f"{path.name} imports {name}"


def test_every_module_of_the_normalization_core_is_listed_as_pure():
    """A new ``judging/normalize_*.py`` module is part of the pure core: it must be in PURE,
    so that the rule above checks its imports."""
    found = {path.name for path in (ROOT / "judging").glob("normalize*.py")}
    assert found >= {"normalize.py", "normalize_core.py", "normalize_bias_scale.py"}
    assert found <= PURE, f"not listed in PURE: {sorted(found - PURE)}"


def test_every_module_of_the_ranking_core_is_listed_as_pure():
    """A new ``judging/ranking_*.py`` module is part of the pure core: it must be in PURE, so
    that the rule above checks its imports."""
    found = {path.name for path in (ROOT / "judging").glob("ranking*.py")}
    assert found >= {"ranking.py", "ranking_places.py", "ranking_bootstrap.py"}
    assert found <= PURE, f"not listed in PURE: {sorted(found - PURE)}"


def _imports_inside_functions(path: Path) -> list[str]:
    found = []

    def visit(node: ast.AST, func: str | None) -> None:
        if func and isinstance(node, (ast.Import, ast.ImportFrom)):
            found.append(f"{path}:{node.lineno} imports inside {func}()")
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            func = func or node.name
        for child in ast.iter_child_nodes(node):
            visit(child, func)

    visit(_tree(path), None)
    return found


def test_no_imports_inside_functions():
    found = [hit for path in MODULES.values() for hit in _imports_inside_functions(path)]
    assert not found, "\n".join(found)


def test_app_never_calls_create_all():
    for path in [
        ROOT / "app.py",
        *(ROOT / "competition").rglob("*.py"),
        *(ROOT / "judging").rglob("*.py"),
    ]:
        assert "create_all(" not in _source(path), path


# -- helpers shared by the rules below ------------------------------------------------------------


def _modules() -> dict[str, Path]:
    """Dotted name -> path of every module of ``competition`` and ``judging``."""
    out = {}
    for package in ("competition", "judging"):
        for path in (ROOT / package).rglob("*.py"):
            parts = path.relative_to(ROOT).with_suffix("").parts
            if parts[-1] == "__init__":
                parts = parts[:-1]
            out[".".join(parts)] = path
    return out


MODULES = _modules()


def _imported_modules(path: Path) -> set[str]:
    """The project modules ``path`` imports (``from a import b`` counts as ``a.b`` when that is
    a module)."""
    out = set()
    for node, name in _imports(path):
        if isinstance(node, ast.ImportFrom):
            for alias in node.names:
                out.add(f"{name}.{alias.name}" if f"{name}.{alias.name}" in MODULES else name)
        else:
            out.add(name)
    return {name for name in out if name.split(".")[0] in ("competition", "judging")}


def _unit(module: str) -> str | None:
    """The node of the feature graph a module belongs to: its feature folder
    (``competition.entries``) or, for the shared top-level modules, itself (``competition.db``)."""
    parts = module.split(".")
    if len(parts) >= 2 and (ROOT / parts[0] / parts[1]).is_dir():
        return ".".join(parts[:2])
    return module if module in MODULES else None


def _feature_graph() -> dict[str, dict[str, set[str]]]:
    """unit -> imported unit -> the modules of the first unit that import the second."""
    graph: dict[str, dict[str, set[str]]] = {}
    for module, path in MODULES.items():
        src = _unit(module)
        for name in _imported_modules(path):
            dst = _unit(name)
            if dst and dst != src:
                graph.setdefault(src, {}).setdefault(dst, set()).add(module)
    return graph


def _path(graph, start: str, goal: str) -> list[str] | None:
    """A shortest import path from ``start`` to ``goal`` (breadth first), or None."""
    previous = {start: None}
    todo = [start]
    while todo:
        node = todo.pop(0)
        for nxt in sorted(graph.get(node, ())):
            if nxt in previous:
                continue
            previous[nxt] = node
            if nxt == goal:
                out = [nxt]
                while previous[out[-1]] is not None:
                    out.append(previous[out[-1]])
                return out[::-1]
            todo.append(nxt)
    return None


def _cycle_edges(graph) -> dict[tuple[str, str], list[str]]:
    """Every edge a -> b lying on a cycle, with the cycle a -> b -> ... -> a."""
    out = {}
    for src, dsts in graph.items():
        for dst in dsts:
            back = _path(graph, dst, src)
            if back:
                out[(src, dst)] = [src, *back]
    return out


# The feature folders in their documented order (README, "Where things live"): a folder imports
# only folders before it, so the folders form a DAG and the order says how to read the tree.
# ``i18n``, ``jobs``, ``audit`` and ``notifications`` are plumbing below the competition's
# features (the outbox knows a recipient only as an account id; each feature writes its own
# messages); judging's folders come after all of competition's. The shared top-level modules
# (``competition.db``, ``web``, ``roles``...) are not in the order: the cycle check covers them.
FEATURE_ORDER = (
    *(
        f"competition.{name}"
        for name in (
            "i18n",
            "jobs",
            "audit",
            "notifications",
            "accounts",
            "rounds",
            "entries",
            "announcements",
        )
    ),
    *(
        f"judging.{name}"
        for name in ("award_levels", "panels", "scoring", "analysis", "results", "demo")
    ),
)


def _feature_folders() -> set[str]:
    return {
        f"{package}.{path.name}"
        for package in ("competition", "judging")
        for path in (ROOT / package).iterdir()
        if (path / "__init__.py").is_file()
    }


def _imports_against_the_order(graph, order) -> list[str]:
    """Every import from a folder of ``order`` to a folder at or after it, with its modules."""
    rank = {unit: i for i, unit in enumerate(order)}
    return [
        f"{src} imports {dst} (via {', '.join(sorted(modules))})"
        for src, dsts in sorted(graph.items())
        for dst, modules in sorted(dsts.items())
        if src in rank and dst in rank and rank[dst] >= rank[src]
    ]


def test_feature_folders_import_each_other_without_cycles():
    graph = _feature_graph()
    cycles = {
        " -> ".join(cycle) + "  (via " + ", ".join(sorted(graph[src][dst])) + ")"
        for (src, dst), cycle in _cycle_edges(graph).items()
    }
    assert not cycles, "import cycles:\n" + "\n".join(sorted(cycles))


def test_feature_folders_follow_the_documented_order():
    assert _feature_folders() == set(FEATURE_ORDER), "place every feature folder in FEATURE_ORDER"
    found = _imports_against_the_order(_feature_graph(), FEATURE_ORDER)
    assert not found, "\n".join(found)


def test_order_check_sees_an_upward_import():
    graph = {"a": {"x": {"a.m"}}, "b": {"a": {"b.n"}}, "c": {"b": {"c.o"}}}
    assert _imports_against_the_order(graph, ("a", "b", "c")) == []
    assert _imports_against_the_order(graph, ("b", "a", "c")) == ["b imports a (via b.n)"]


def test_feature_graph_counts_imports_inside_functions_and_type_checking(tmp_path):
    """An import hidden in a function or under ``if TYPE_CHECKING:`` is still an arrow of the
    graph: moving an import into a function does not break a cycle."""
    path = tmp_path / "services.py"
    path.write_text(
        "from typing import TYPE_CHECKING\n"
        "if TYPE_CHECKING:\n"
        "    from competition.rounds.models import Round\n"
        "def f():\n"
        "    from competition.entries import services\n"
    )
    assert _imported_modules(path) == {"competition.rounds.models", "competition.entries.services"}


def test_cycle_detection_finds_a_cycle():
    graph = {"a": {"b": {"a.x"}}, "b": {"c": {"b.y"}}, "c": {"a": {"c.z"}}, "d": {"a": {"d.w"}}}
    cycles = _cycle_edges(graph)
    assert set(cycles) == {("a", "b"), ("b", "c"), ("c", "a")}
    assert cycles[("a", "b")] == ["a", "b", "c", "a"]


# -- domain code stays out of the request ---------------------------------------------------------

# Modules of the web and command-line layers: everything else is domain code (models, services,
# the per-noun service modules, permissions, the numpy core).
# Background jobs (``tasks.py``, the runner ``competition/jobs/worker.py``) are entry points
# like commands: each owns its transaction.
WEB_MODULES = {
    "views.py",
    "cli.py",
    "error_pages.py",
    "forms.py",
    "web.py",
    "tasks.py",
    "worker.py",
}
REQUEST_GLOBALS = {"request", "session", "flash", "g"}


def _is_web(path: Path) -> bool:
    """A views/CLI module by name, or a module holding blueprints under another name
    (``judging/results/public.py``, ``api.py``)."""
    return path.name in WEB_MODULES or "Blueprint(" in _source(path)


def _rel(path: Path) -> str:
    return str(path.relative_to(ROOT)) if path.is_relative_to(ROOT) else str(path)


def _domain_modules():
    return [path for path in MODULES.values() if not _is_web(path)]


def _request_globals_used(path: Path) -> list[str]:
    tree = _tree(path)
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module == "flask":
            found += [
                f"{_rel(path)}:{node.lineno} imports flask.{a.name}"
                for a in node.names
                if a.name in REQUEST_GLOBALS
            ]
        elif (
            isinstance(node, ast.Attribute)
            and isinstance(node.value, ast.Name)
            and node.value.id == "flask"
            and node.attr in REQUEST_GLOBALS
        ):
            found.append(f"{_rel(path)}:{node.lineno} uses flask.{node.attr}")
    return found


def _is_entry_point(func: ast.AST) -> bool:
    """A function registered as a CLI command or a route (``@cli.command(...)``,
    ``@bp.route(...)``): it may commit, wherever it lives."""
    return isinstance(func, (ast.FunctionDef, ast.AsyncFunctionDef)) and any(
        isinstance(d, ast.Call)
        and isinstance(d.func, ast.Attribute)
        and d.func.attr in ("command", "route", "get", "post")
        for d in func.decorator_list
    )


def _commits(path: Path) -> list[str]:
    found = []

    def visit(node: ast.AST) -> None:
        if _is_entry_point(node):
            return
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr == "commit"
            and ast.unparse(node.func.value).endswith("session")
        ):
            found.append(f"{_rel(path)}:{node.lineno} commits")
        for child in ast.iter_child_nodes(node):
            visit(child)

    visit(_tree(path))
    return found


def test_domain_code_never_touches_the_request():
    found = [hit for path in _domain_modules() for hit in _request_globals_used(path)]
    assert not found, "\n".join(found)


def test_only_views_and_commands_commit():
    found = [hit for path in _domain_modules() for hit in _commits(path)]
    assert not found, "\n".join(found)


def test_rule_checks_see_a_violation(tmp_path):
    bad = tmp_path / "services.py"
    bad.write_text(
        "from flask import flash, request\n"
        "import flask\n"
        "def f():\n"
        "    flask.g.x = 1\n"
        "    db.session.commit()\n"
        "@cli.command('load')\n"
        "def load():\n"
        "    db.session.commit()\n"
    )
    assert len(_request_globals_used(bad)) == 3
    assert len(_commits(bad)) == 1


def test_import_check_sees_one_inside_a_function(tmp_path):
    bad = tmp_path / "services.py"
    bad.write_text("import os\ndef f():\n    def g():\n        import sys\n")
    assert [hit.split(":", 1)[1] for hit in _imports_inside_functions(bad)] == [
        "4 imports inside f()"
    ]


# Views write through ``competition.web.writing`` (commit, flash, or roll back and keep the
# refusal for the form), never with their own commit/rollback blocks.
WRITE_HELPER = {"competition/web.py"}  # ``writing`` itself


def _view_modules() -> list[Path]:
    """Modules holding blueprints (views.py, or ``public.py``/``api.py`` and the like)."""
    return [
        path
        for path in MODULES.values()
        if path.name != "cli.py"
        and _rel(path) not in WRITE_HELPER
        and (path.name == "views.py" or "Blueprint(" in _source(path))
    ]


def _session_writes(path: Path) -> list[str]:
    """Every ``<...>session.commit()`` / ``<...>session.rollback()`` call in ``path``."""
    calls = [
        node
        for node in ast.walk(_tree(path))
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr in ("commit", "rollback")
        and ast.unparse(node.func.value).endswith("session")
    ]
    return [
        f"{_rel(path)}:{node.lineno} {ast.unparse(node.func)}()"
        for node in sorted(calls, key=lambda node: node.lineno)
    ]


def test_views_write_through_the_write_helper():
    found = [hit for path in _view_modules() for hit in _session_writes(path)]
    assert not found, "use competition.web.writing:\n" + "\n".join(found)


def test_view_write_check_sees_one(tmp_path):
    bad = tmp_path / "views.py"
    bad.write_text(
        "def save():\n"
        "    try:\n"
        "        service()\n"
        "    except JuriError:\n"
        "        db.session.rollback()\n"
        "    db.session.commit()\n"
        "    other.commit()\n"
    )
    assert [hit.split(":", 1)[1] for hit in _session_writes(bad)] == [
        "5 db.session.rollback()",
        "6 db.session.commit()",
    ]


# -- no hook registries ---------------------------------------------------------------------------

# ``register(app)``-style installers (``register_error_handlers(app)``, ``register(app_cli)``)
# wire one module into the app; a ``register_*`` function taking anything else (a callback, a
# provider) feeds a module-level registry of hooks, which the restructure removed.
INSTALLER_ARGS = ("app", "app_cli", "cli")
HOOK_NAME_ENDINGS = ("_HOOKS", "_PROVIDERS", "_COUNTERS", "_CALLBACKS", "_LISTENERS", "_PLUGINS")


def _hook_registries(path: Path) -> list[str]:
    tree = _tree(path)
    found = []
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            args = [a.arg for a in node.args.posonlyargs + node.args.args]
            installer = args[:1] and args[0] in INSTALLER_ARGS
            if node.name.startswith("register") and not installer:
                found.append(f"{_rel(path)}:{node.lineno} defines {node.name}({', '.join(args)})")
    for node in tree.body:  # module-level names
        targets = []
        if isinstance(node, ast.Assign):
            targets = node.targets
        elif isinstance(node, ast.AnnAssign):
            targets = [node.target]
        for target in targets:
            if isinstance(target, ast.Name) and target.id.upper().endswith(HOOK_NAME_ENDINGS):
                found.append(f"{_rel(path)}:{node.lineno} defines {target.id}")
    return found


def test_no_hook_registries():
    paths = [ROOT / "app.py", *MODULES.values()]
    found = [hit for path in paths for hit in _hook_registries(path)]
    assert not found, "\n".join(found)


def test_hook_registry_check_sees_one(tmp_path):
    bad = tmp_path / "hooks.py"
    bad.write_text(
        "STATS_PROVIDERS = []\n"
        "def register_stats_provider(fn):\n"
        "    STATS_PROVIDERS.append(fn)\n"
        "    return fn\n"
        "def register(app):\n"
        "    pass\n"
        "def register_ops(app):\n"
        "    pass\n"
    )
    assert [hit.split(" ", 1)[1] for hit in _hook_registries(bad)] == [
        "defines register_stats_provider(fn)",
        "defines STATS_PROVIDERS",
    ]


# -- services record their actor ------------------------------------------------------------------

# Modules whose services still ignore their actor: only shrinks (empty since issue 13).
ACTOR_NOT_YET_RECORDED: set[str] = set()
# record() takes it; query_records() takes it as a filter
ACTOR_IS_NOT_A_SERVICE = {"competition/audit/services.py", "competition/audit/records.py"}


def _services_ignoring_their_actor(path: Path) -> list[str]:
    tree = _tree(path)
    return [
        f"{_rel(path)}:{f.lineno} {f.name}()"
        for f in tree.body
        if isinstance(f, ast.FunctionDef)
        and not f.name.startswith("_")
        and any(a.arg == "actor" for a in f.args.kwonlyargs)
        and not any(ast.unparse(d).endswith("records_actor") for d in f.decorator_list)
    ]


def test_services_with_an_actor_record_it():
    """A service taking ``actor`` is decorated with ``records_actor``, so what it changes is
    recorded as done by that actor even outside a request (a command, a script)."""
    found = [
        hit
        for path in _domain_modules()
        if _rel(path) not in ACTOR_NOT_YET_RECORDED | ACTOR_IS_NOT_A_SERVICE
        for hit in _services_ignoring_their_actor(path)
    ]
    assert not found, "decorate with competition.actors.records_actor:\n" + "\n".join(found)


# -- one registry of normalization methods --------------------------------------------------------

# Every method's name but "rank", also the ``flask juri rank`` command and a row's field.
METHOD_NAMES = {"raw", "median", "zscore", "bias", "bias_scale"}


def test_method_names_are_spelled_only_in_the_registry():
    """Pages, forms and analysis read ``judging.analysis.methods``; a method's name written as a
    string literal elsewhere is a second registry waiting to drift."""
    paths = [*(ROOT / "judging" / "analysis").rglob("*.py"), ROOT / "judging" / "cli.py"]
    found = [
        f"{_rel(path)}:{node.lineno} {node.value!r}"
        for path in paths
        if path.name != "methods.py"
        for node in ast.walk(_tree(path))
        if isinstance(node, ast.Constant) and node.value in METHOD_NAMES
    ]
    for path in (ROOT / "templates" / "judging" / "analysis").rglob("*.html"):
        text = path.read_text()
        found += [
            f"{_rel(path)} {q}{name}{q}"
            for name in METHOD_NAMES
            for q in "'\""
            if q + name + q in text
        ]
    assert not found, "\n".join(found)
