"""portal.rules is pure Python: no web framework, no database, no portal code outside portal.rules."""

import ast
from pathlib import Path

import pytest

import portal.rules

FORBIDDEN_ROOTS = {"flask", "sqlalchemy", "flask_sqlalchemy", "flask_login", "flask_wtf", "werkzeug", "wtforms"}
RULES = Path(portal.rules.__file__).parent
MODULES = sorted(RULES.rglob("*.py"))


def imported_modules(source: str) -> set[str]:
    modules = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            modules.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            modules.add(node.module)
    return modules


def forbidden(modules: set[str]) -> set[str]:
    return {
        module
        for module in modules
        if module.split(".")[0] in FORBIDDEN_ROOTS or (module.split(".")[0] == "portal" and not _inside_rules(module))
    }


def _inside_rules(module: str) -> bool:
    return module == "portal.rules" or module.startswith("portal.rules.")


def test_every_module_is_checked():
    names = {path.relative_to(RULES).as_posix() for path in MODULES}
    assert names >= {
        "__init__.py",
        "orders/__init__.py",
        "orders/facts.py",
        "orders/checks.py",
        "orders/wording.py",
        "orders/court_document.py",
        "orders/tasks.py",
        "noncompliance.py",
        "schedule.py",
        "retention.py",
        "dates.py",
        "tasks.py",
    }


@pytest.mark.parametrize("path", MODULES, ids=lambda path: path.relative_to(RULES).as_posix())
def test_module_imports_no_web_database_or_other_portal_code(path):
    assert forbidden(imported_modules(path.read_text())) == set()


def test_the_check_sees_nested_from_and_portal_imports():
    source = "\n".join(
        [
            "def f():",
            "    import flask.json",
            "from sqlalchemy.orm import Session",
            "from portal import db",
            "import portal.infra.geo",
            "from portal.extensions import db",
            "import portal.models",
        ]
    )

    assert forbidden(imported_modules(source)) == {
        "flask.json",
        "sqlalchemy.orm",
        "portal",
        "portal.infra.geo",
        "portal.extensions",
        "portal.models",
    }


def test_imports_from_inside_the_package_are_allowed():
    allowed = {"portal.rules.orders.facts", "portal.rules.orders", "portal.rules.dates", "portal.rules", "docx"}
    assert forbidden(allowed | {"datetime"}) == set()


def test_relative_imports_are_not_used_so_nothing_escapes_the_check():
    for path in MODULES:
        tree = ast.parse(path.read_text())
        assert not [node for node in ast.walk(tree) if isinstance(node, ast.ImportFrom) and node.level > 0], path.name
