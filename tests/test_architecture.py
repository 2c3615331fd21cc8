"""The import rules of the style guide, checked on the source with ``ast``."""

import ast
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PURE = {"normalize.py", "ranking.py", "assign.py", "diagnostics.py"}
PURE_MODULES = {f"judging.{name[:-3]}" for name in PURE}


def _imports(path: Path):
    tree = ast.parse(path.read_text(), filename=str(path))
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


def test_no_imports_inside_functions():
    for package in ("competition", "judging"):
        for path in (ROOT / package).rglob("*.py"):
            tree = ast.parse(path.read_text())
            for func in ast.walk(tree):
                if isinstance(func, (ast.FunctionDef, ast.AsyncFunctionDef)):
                    for node in ast.walk(func):
                        assert not isinstance(node, (ast.Import, ast.ImportFrom)), (
                            f"{path}:{node.lineno} imports inside {func.name}()"
                        )


def test_app_never_calls_create_all():
    for path in [
        ROOT / "app.py",
        *(ROOT / "competition").rglob("*.py"),
        *(ROOT / "judging").rglob("*.py"),
    ]:
        assert "create_all(" not in path.read_text(), path
