"""Layer contracts, checked on the source of every module: which part of the portal may import which.

- The two doors (the pages, portal/blueprints; the JSON API, portal/api) never touch the database session or
  SQLAlchemy: they call portal.data, the only code that does.
- The API never imports page code, and no page imports the API: what both need (forms, data, the OpenAPI document)
  sits below both, in portal/forms, portal/data and portal/openapi.py; the forms import neither door.
- matching/ imports neither Flask, SQLAlchemy nor the portal: dataclasses in, dataclasses out.
- The pure rules (everything in portal/rules/, as tests/rules/test_purity.py) import neither Flask nor SQLAlchemy.

Every import counts, including one inside a function or an `if TYPE_CHECKING:` block. A failure names the module,
the line and the import.
"""

import ast
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.rules import test_purity

ROOT = Path(__file__).resolve().parent.parent
FLASK_OR_SQLALCHEMY = ("flask", "flask_login", "flask_sqlalchemy", "flask_wtf", "sqlalchemy")


@dataclass(frozen=True)
class Violation:
    path: str
    line: int
    statement: str
    why: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.statement}  ({self.why})"


def module_name(path: str) -> str:
    """portal/api/orders.py -> portal.api.orders; a package's __init__.py is the package."""
    parts = Path(path).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imported(node: ast.Import | ast.ImportFrom, path: str) -> list[str]:
    """What an import statement reaches: `import a.b` reaches a.b; `from a import b, c` reaches a.b and a.c (b may be a
    module or a name in a; either way it comes from a). Relative imports are resolved against the module's package."""
    if isinstance(node, ast.Import):
        return [alias.name for alias in node.names]
    base = node.module or ""
    if node.level:
        package = module_name(path).split(".")
        if not path.endswith("__init__.py"):
            package = package[:-1]
        package = package[: len(package) - (node.level - 1)]
        base = ".".join([*package, *([base] if base else [])])
    return [f"{base}.{alias.name}" if alias.name != "*" else base for alias in node.names]


def reaches(target: str, module: str) -> bool:
    return target == module or target.startswith(module + ".")


@dataclass(frozen=True)
class Contract:
    name: str
    applies_to: Callable[[str], bool]
    forbidden: Callable[[str], str | None]  # the reason an import target is forbidden, or None

    def check(self, path: str, source: str) -> list[Violation]:
        found = []
        lines = source.splitlines()
        for node in ast.walk(ast.parse(source, filename=path)):
            if not isinstance(node, ast.Import | ast.ImportFrom):
                continue
            for target in imported(node, path):
                why = self.forbidden(target)
                if why:
                    found.append(Violation(path, node.lineno, lines[node.lineno - 1].strip(), f"{target}: {why}"))
                    break
        return found


def _under(*folders: str) -> Callable[[str], bool]:
    return lambda path: any(path.startswith(folder + "/") for folder in folders)


def _no_database(target: str) -> str | None:
    if any(reaches(target, root) for root in ("sqlalchemy", "flask_sqlalchemy")):
        return "a door uses SQLAlchemy; put the query in portal/data"
    if target in ("portal.extensions", "portal.database") or reaches(target, "portal.extensions.db"):
        return "a door touches the database session; call a portal/data function"
    if reaches(target, "portal.data.db"):
        return "a door takes the session through portal.data; call a portal/data function"
    return None


def _nothing_of(roots: Iterable[str], why: str) -> Callable[[str], str | None]:
    roots = tuple(roots)
    return lambda target: why if any(reaches(target, root) for root in roots) else None


def pure_rule_paths() -> set[str]:
    """The modules the purity test covers: everything in portal/rules/."""
    return {path.resolve().relative_to(ROOT).as_posix() for path in test_purity.MODULES}


DOORS_USE_NO_DATABASE = Contract(
    "doors use no database session or SQLAlchemy", _under("portal/blueprints", "portal/api"), _no_database
)
API_IMPORTS_NO_PAGES = Contract(
    "the API imports no page code",
    _under("portal/api"),
    _nothing_of(("portal.blueprints",), "the API imports page code; move what both need below both doors"),
)
PAGES_IMPORT_NO_API = Contract(
    "pages import nothing of the API",
    _under("portal/blueprints"),
    _nothing_of(("portal.api",), "a page imports the API; move what both need below both doors"),
)
FORMS_IMPORT_NO_DOOR = Contract(
    "forms import neither pages nor the API",
    _under("portal/forms"),
    _nothing_of(("portal.blueprints", "portal.api"), "forms sit below both doors, which both use them"),
)
MATCHING_IS_PURE = Contract(
    "matching imports neither Flask, SQLAlchemy nor the portal",
    _under("matching"),
    _nothing_of((*FLASK_OR_SQLALCHEMY, "portal"), "matching/ is pure: translate at the edge, in portal/data"),
)
RULES_ARE_PURE = Contract(
    "pure rules import neither Flask nor SQLAlchemy",
    lambda path: path in pure_rule_paths(),
    _nothing_of(test_purity.FORBIDDEN_ROOTS, "a pure rule module uses the web framework or the database"),
)
CONTRACTS = [
    DOORS_USE_NO_DATABASE,
    API_IMPORTS_NO_PAGES,
    PAGES_IMPORT_NO_API,
    FORMS_IMPORT_NO_DOOR,
    MATCHING_IS_PURE,
    RULES_ARE_PURE,
]


def all_modules() -> list[str]:
    return sorted(
        path.relative_to(ROOT).as_posix()
        for folder in ("portal", "matching")
        for path in (ROOT / folder).rglob("*.py")
        if "migrations" not in path.parts
    )


def read_module(path: str) -> str:
    return (ROOT / path).read_text()


def violations(contract: Contract, read: Callable[[str], str] = read_module) -> list[Violation]:
    found = []
    for path in all_modules():
        if contract.applies_to(path):
            found += contract.check(path, read(path))
    return found


@pytest.mark.parametrize("contract", CONTRACTS, ids=lambda contract: contract.name)
def test_layer_contract_holds(contract: Contract):
    found = violations(contract)
    assert not found, f"{contract.name}, broken by:\n" + "\n".join(str(violation) for violation in found)


@pytest.mark.parametrize(
    ("contract", "expected"),
    [
        (
            DOORS_USE_NO_DATABASE,
            {"portal/api/orders.py", "portal/api/__init__.py", "portal/blueprints/orders/routes.py"},
        ),
        (API_IMPORTS_NO_PAGES, {"portal/api/programmes.py", "portal/api/registers.py"}),
        (PAGES_IMPORT_NO_API, {"portal/blueprints/account/routes.py", "portal/blueprints/suggestions/routes.py"}),
        (FORMS_IMPORT_NO_DOOR, {"portal/forms/common.py", "portal/forms/orders.py"}),
        (MATCHING_IS_PURE, {"matching/__init__.py", "matching/directory.py"}),
        (RULES_ARE_PURE, {"portal/rules/orders/checks.py", "portal/rules/dates.py", "portal/rules/tasks.py"}),
    ],
    ids=lambda value: value.name if isinstance(value, Contract) else "",
)
def test_each_contract_reaches_the_modules_it_is_about(contract: Contract, expected: set[str]):
    """A folder renamed or moved must not leave a contract quietly checking nothing."""
    assert expected <= {path for path in all_modules() if contract.applies_to(path)}


# The checker itself, on made-up modules: it must report what it exists to catch, and nothing else.


@pytest.mark.parametrize(
    ("path", "source", "line"),
    [
        ("portal/api/made_up.py", "import json\nfrom portal.extensions import db\n", 2),
        ("portal/api/made_up.py", "from portal import extensions\n", 1),
        ("portal/blueprints/made_up/routes.py", "def view():\n    from sqlalchemy import select\n", 2),
        ("portal/blueprints/made_up/routes.py", "import sqlalchemy.orm\n", 1),
        ("portal/blueprints/made_up/routes.py", "from portal.data import db\n", 1),
    ],
)
def test_the_checker_reports_a_door_using_the_database(path: str, source: str, line: int):
    [violation] = DOORS_USE_NO_DATABASE.check(path, source)
    assert (violation.path, violation.line) == (path, line)
    assert violation.statement == source.splitlines()[line - 1].strip()
    assert path in str(violation) and violation.statement in str(violation)


def test_the_checker_reports_the_api_importing_a_page_and_a_page_importing_the_api():
    api_source = "from portal.forms.orders import WholeForm\nfrom portal.blueprints.orders.routes import LOCKED\n"
    [into_pages] = API_IMPORTS_NO_PAGES.check("portal/api/orders.py", api_source)
    assert (into_pages.line, into_pages.statement) == (2, "from portal.blueprints.orders.routes import LOCKED")

    page_source = "from portal import api\n"
    [into_api] = PAGES_IMPORT_NO_API.check("portal/blueprints/account/routes.py", page_source)
    assert (into_api.line, into_api.statement) == (1, "from portal import api")

    relative = "from ..api import tokens\n"  # from portal/blueprints/account.py: portal.data.tokens
    [relative_into_api] = PAGES_IMPORT_NO_API.check("portal/blueprints/account.py", relative)
    assert relative_into_api.line == 1


def test_the_checker_reports_impure_matching_and_rule_modules():
    [web] = MATCHING_IS_PURE.check("matching/made_up.py", "from dataclasses import dataclass\nimport flask\n")
    assert web.line == 2
    [portal] = MATCHING_IS_PURE.check("matching/made_up.py", "from portal.infra.geo import geocode\n")
    assert portal.line == 1
    [database] = RULES_ARE_PURE.check("portal/rules/orders/made_up.py", "from sqlalchemy.orm import Session\n")
    assert database.line == 1


def test_the_checker_leaves_allowed_imports_alone():
    door = "\n".join(
        [
            "from flask import render_template",
            "from portal.extensions import csrf",
            "from portal.data import EditConflict, orders",
            "from portal.forms.orders import WholeForm",
            "from portal.openapi import build_document",
            "from portal.models import Order",
        ]
    )
    assert DOORS_USE_NO_DATABASE.check("portal/blueprints/orders/routes.py", door) == []
    assert API_IMPORTS_NO_PAGES.check("portal/api/orders.py", door.replace("render_template", "url_for")) == []
    assert PAGES_IMPORT_NO_API.check("portal/blueprints/orders/routes.py", door) == []
    pure = "import numpy as np\nfrom matching.model import SubjectProfile\n"
    assert MATCHING_IS_PURE.check("matching/made_up.py", pure) == []
    assert FORMS_IMPORT_NO_DOOR.check("portal/forms/orders.py", "from portal.data.orders import OrderLocked\n") == []


def test_a_planted_import_fails_the_real_contract():
    """The whole check, end to end: a forbidden import added to a real door module is reported with its line."""
    source = read_module("portal/api/orders.py") + "\nfrom portal.blueprints.orders.routes import LOCKED  # planted\n"
    with_plant = {"portal/api/orders.py": source}
    [violation] = violations(API_IMPORTS_NO_PAGES, lambda path: with_plant.get(path) or read_module(path))
    assert violation.path == "portal/api/orders.py"
    assert violation.line == len(source.splitlines())
    assert violation.statement.startswith("from portal.blueprints.orders.routes import LOCKED")
