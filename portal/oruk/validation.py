"""Validation against the official ORUK 3.0 JSON Schemas, offline.

`openapi.json` refers to the compiled schemas by their raw GitHub URLs; a `referencing` registry serves those URLs
from local files, so nothing is fetched. Formats (uuid, email, uri, date, date-time) are checked, not just noted.
"""

import json
from datetime import date, datetime
from functools import lru_cache
from pathlib import Path
from urllib.parse import urlsplit

from jsonschema import Draft202012Validator, FormatChecker
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

VENDORED_SCHEMA_DIR = Path(__file__).resolve().parent / "schema"
REMOTE_BASES = (
    "https://raw.githubusercontent.com/openreferral/uk-profile/main/schema/compiled/",
    "https://raw.githubusercontent.com/openreferral/uk-profile/main/schema/",
    "https://raw.githubusercontent.com/OpenReferralUK/uk-profile/main/schema/compiled/",
)
OPENAPI_URI = "urn:oruk:openapi.json"
MAX_ERRORS = 5

format_checker = FormatChecker()


@format_checker.checks("date-time", raises=ValueError)
def _is_date_time(instance: object) -> bool:
    if not isinstance(instance, str):
        return True
    if "T" not in instance.upper():
        return False
    datetime.fromisoformat(instance.replace("z", "Z").replace("Z", "+00:00"))
    return True


@format_checker.checks("date", raises=ValueError)
def _is_date(instance: object) -> bool:
    if not isinstance(instance, str):
        return True
    return len(instance) == 10 and bool(date.fromisoformat(instance))


@format_checker.checks("uri")
def _is_uri(instance: object) -> bool:
    if not isinstance(instance, str):
        return True
    parts = urlsplit(instance)
    return bool(parts.scheme) and (bool(parts.netloc) or parts.scheme in ("mailto", "tel", "urn"))


class SchemaSet:
    """The schemas in one folder: the vendored copies at run time, `shared/standards/oruk/schema` in tests."""

    def __init__(self, schema_dir: Path) -> None:
        self.schema_dir = schema_dir
        resources = []
        for path in sorted(schema_dir.glob("*.json")):
            contents = json.loads(path.read_text(encoding="utf-8"))
            resource = Resource.from_contents(contents, default_specification=DRAFT202012)
            resources.append((path.resolve().as_uri(), resource))
            resources += [(base + path.name, resource) for base in REMOTE_BASES]
            if path.name == "openapi.json":
                resources.append((OPENAPI_URI, resource))
        self.registry = Registry().with_resources(resources)

    def validator(self, name: str) -> Draft202012Validator:
        """A validator for a schema file (`service.json`) or a pointer into openapi.json (`openapi.json#/...`)."""
        file_name, _, pointer = name.partition("#")
        base = OPENAPI_URI if file_name == "openapi.json" else (self.schema_dir / file_name).resolve().as_uri()
        return Draft202012Validator(
            {"$ref": f"{base}#{pointer}"}, registry=self.registry, format_checker=format_checker
        )

    def errors(self, name: str, instance: object) -> list[str]:
        found = sorted(self.validator(name).iter_errors(instance), key=lambda error: list(error.absolute_path))
        return [describe(error) for error in found]

    def service_page_errors(self, page: object) -> list[str]:
        """A `/services` response checked against the response schema in openapi.json (Page + service_list)."""
        return self.errors(SERVICES_RESPONSE, page)


SERVICES_RESPONSE = "openapi.json#/paths/~1services/get/responses/200/content/application~1json/schema"


def describe(error: object) -> str:
    path = "/".join(str(part) for part in getattr(error, "absolute_path", ())) or "(top level)"
    return f"{path}: {getattr(error, 'message', error)}"


@lru_cache(maxsize=1)
def vendored() -> SchemaSet:
    return SchemaSet(VENDORED_SCHEMA_DIR)


def service_errors(service: object) -> list[str]:
    return vendored().errors("service.json", service)[:MAX_ERRORS]


def organization_errors(organization: object) -> list[str]:
    return vendored().errors("organization.json", organization)[:MAX_ERRORS]
