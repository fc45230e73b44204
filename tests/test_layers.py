"""Layer contracts, checked on the source of every module: which part of the portal may import which.

- The two doors (the pages, portal/blueprints; the JSON API, portal/api) never touch the database session or
  SQLAlchemy: they call portal.data, the only code that does.
- The API never imports page code, and no page imports the API: what both need (forms, data, the OpenAPI document)
  sits below both, in portal/forms, portal/data and portal/openapi.py.
- matching/ imports neither Flask, SQLAlchemy nor the portal: dataclasses in, dataclasses out.
- The pure rule modules (the ones tests/orders/test_purity.py covers) import neither Flask nor SQLAlchemy.

Every import counts, including one inside a function or an `if TYPE_CHECKING:` block. A failure names the module,
the line and the import.
"""

import ast
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.orders import test_purity

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
    """The modules the purity test covers: portal.orders and the plain modules it may use."""
    paths = {path.resolve().relative_to(ROOT).as_posix() for path in test_purity.MODULES}
    paths |= {module.replace(".", "/") + ".py" for module in test_purity.PURE_PORTAL_MODULES}
    return paths


CONTRACTS = [
    Contract("doors use no database session or SQLAlchemy", _under("portal/blueprints", "portal/api"), _no_database),
    Contract(
        "the API imports no page code",
        _under("portal/api"),
        _nothing_of(("portal.blueprints",), "the API imports page code; move what both need below both doors"),
    ),
    Contract(
        "pages import nothing of the API",
        _under("portal/blueprints"),
        _nothing_of(("portal.api",), "a page imports the API; move what both need below both doors"),
    ),
    Contract(
        "matching imports neither Flask, SQLAlchemy nor the portal",
        _under("matching"),
        _nothing_of((*FLASK_OR_SQLALCHEMY, "portal"), "matching/ is pure: translate at the edge, in portal/data"),
    ),
    Contract(
        "pure rules import neither Flask nor SQLAlchemy",
        lambda path: path in pure_rule_paths(),
        _nothing_of(test_purity.FORBIDDEN_ROOTS, "a pure rule module uses the web framework or the database"),
    ),
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
        (CONTRACTS[0], {"portal/api/orders.py", "portal/blueprints/orders/routes.py", "portal/api/__init__.py"}),
        (CONTRACTS[1], {"portal/api/programmes.py", "portal/api/registers.py"}),
        (CONTRACTS[2], {"portal/blueprints/account/routes.py", "portal/blueprints/suggestions/routes.py"}),
        (CONTRACTS[3], {"matching/__init__.py", "matching/directory.py"}),
        (CONTRACTS[4], {"portal/orders/checks.py", "portal/dates.py", "portal/tasks.py"}),
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
    [violation] = CONTRACTS[0].check(path, source)
    assert (violation.path, violation.line) == (path, line)
    assert violation.statement == source.splitlines()[line - 1].strip()
    assert path in str(violation) and violation.statement in str(violation)


def test_the_checker_reports_the_api_importing_a_page_and_a_page_importing_the_api():
    api_source = "from portal.forms.orders import WholeForm\nfrom portal.blueprints.orders.routes import LOCKED\n"
    [into_pages] = CONTRACTS[1].check("portal/api/orders.py", api_source)
    assert (into_pages.line, into_pages.statement) == (2, "from portal.blueprints.orders.routes import LOCKED")

    page_source = "from portal import api\n"
    [into_api] = CONTRACTS[2].check("portal/blueprints/account/routes.py", page_source)
    assert (into_api.line, into_api.statement) == (1, "from portal import api")

    relative = "from ..api import tokens\n"  # from portal/blueprints/account.py: portal.api.tokens
    [relative_into_api] = CONTRACTS[2].check("portal/blueprints/account.py", relative)
    assert relative_into_api.line == 1


def test_the_checker_reports_impure_matching_and_rule_modules():
    [web] = CONTRACTS[3].check("matching/made_up.py", "from dataclasses import dataclass\nimport flask\n")
    assert web.line == 2
    [portal] = CONTRACTS[3].check("matching/made_up.py", "from portal.geo import geocode\n")
    assert portal.line == 1
    [database] = CONTRACTS[4].check("portal/orders/made_up.py", "from sqlalchemy.orm import Session\n")
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
    assert CONTRACTS[0].check("portal/blueprints/orders/routes.py", door) == []
    assert CONTRACTS[1].check("portal/api/orders.py", door.replace("render_template", "url_for")) == []
    assert CONTRACTS[2].check("portal/blueprints/orders/routes.py", door) == []
    assert (
        CONTRACTS[3].check("matching/made_up.py", "import numpy as np\nfrom matching.model import SubjectProfile\n")
        == []
    )


def test_a_planted_import_fails_the_real_contract():
    """The whole check, end to end: a forbidden import added to a real door module is reported with its line."""
    source = read_module("portal/api/orders.py") + "\nfrom portal.blueprints.orders.routes import LOCKED  # planted\n"
    [violation] = violations(CONTRACTS[1], lambda path: source if path == "portal/api/orders.py" else read_module(path))
    assert violation.path == "portal/api/orders.py"
    assert violation.line == len(source.splitlines())
    assert violation.statement.startswith("from portal.blueprints.orders.routes import LOCKED")
