"""portal.orders is pure Python: no web framework, database or other portal code."""

import ast
from pathlib import Path

import pytest

import portal.orders

FORBIDDEN_ROOTS = {"flask", "sqlalchemy", "flask_sqlalchemy", "flask_login", "flask_wtf", "werkzeug", "wtforms"}
MODULES = sorted(Path(portal.orders.__file__).parent.rglob("*.py"))


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
        if module.split(".")[0] in FORBIDDEN_ROOTS or (module.split(".")[0] == "portal" and not _inside_orders(module))
    }


# Plain Python shared with the rest of the portal: calendar arithmetic, and the task-list statuses.
PURE_PORTAL_MODULES = {"portal.dates", "portal.tasks"}


def _inside_orders(module: str) -> bool:
    return module == "portal.orders" or module.startswith("portal.orders.") or module in PURE_PORTAL_MODULES


def test_every_module_is_checked():
    names = {path.name for path in MODULES}
    assert names >= {"__init__.py", "facts.py", "checks.py", "wording.py", "court_document.py"}


@pytest.mark.parametrize("path", MODULES, ids=lambda path: path.name)
def test_module_imports_no_web_database_or_other_portal_code(path):
    assert forbidden(imported_modules(path.read_text())) == set()


def test_the_check_sees_nested_from_and_portal_imports():
    source = "\n".join(
        [
            "def f():",
            "    import flask.json",
            "from sqlalchemy.orm import Session",
            "from portal import db",
            "import portal.geo",
        ]
    )

    assert forbidden(imported_modules(source)) == {"flask.json", "sqlalchemy.orm", "portal", "portal.geo"}


def test_imports_from_inside_the_package_are_allowed():
    assert forbidden({"portal.orders.facts", "portal.orders", "portal.dates", "docx", "datetime"}) == set()


def test_relative_imports_are_not_used_so_nothing_escapes_the_check():
    for path in MODULES:
        tree = ast.parse(path.read_text())
        assert not [node for node in ast.walk(tree) if isinstance(node, ast.ImportFrom) and node.level > 0], path.name


@pytest.mark.parametrize("module", sorted(PURE_PORTAL_MODULES))
def test_the_shared_modules_orders_may_use_are_pure_themselves(module):
    path = Path(portal.orders.__file__).parent.parent / (module.split(".", 1)[1].replace(".", "/") + ".py")
    assert forbidden(imported_modules(path.read_text())) == set()
