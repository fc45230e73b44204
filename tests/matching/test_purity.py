import ast
from pathlib import Path

import pytest

import bench
import matching

FORBIDDEN_ROOTS = {"flask", "sqlalchemy", "portal", "flask_sqlalchemy", "flask_login", "werkzeug"}
# The engine, and beside it in bench/ what tests and measures it: the naive oracle, the synthetic world, the benchmark.
BENCH = Path(bench.__file__).parent
MODULES = sorted(Path(matching.__file__).parent.rglob("*.py")) + [
    BENCH / "matcher.py",
    BENCH / "reference_matcher.py",
    BENCH / "synthetic_world.py",
]


def imported_roots(source: str) -> set[str]:
    roots = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            roots.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            roots.add(node.module.split(".")[0])
    return roots


def test_every_module_is_checked():
    assert {path.name for path in MODULES} >= {"engine.py", "catalogue.py", "reference_matcher.py", "directory.py"}


@pytest.mark.parametrize("path", MODULES, ids=lambda path: path.name)
def test_module_imports_no_web_or_database_code(path):
    assert imported_roots(path.read_text()) & FORBIDDEN_ROOTS == set()


def test_the_check_sees_nested_and_from_imports():
    source = "def f():\n    import flask.json\nfrom sqlalchemy.orm import Session\nfrom portal import db\n"
    assert imported_roots(source) >= {"flask", "sqlalchemy", "portal"}
