"""Schema building blocks: JSON Schema types, the registry of named schemas (the OpenAPI components), pages."""

from typing import Any

from portal.api.inputs import CLOCK_PATTERN

STR: dict[str, Any] = {"type": "string"}
INT: dict[str, Any] = {"type": "integer"}
NUM: dict[str, Any] = {"type": "number"}
BOOL: dict[str, Any] = {"type": "boolean"}
DATE: dict[str, Any] = {"type": "string", "format": "date"}
TIME: dict[str, Any] = {"type": "string", "pattern": CLOCK_PATTERN}
DATETIME: dict[str, Any] = {"type": "string", "format": "date-time"}
FREE: dict[str, Any] = {"type": "object"}


def null(schema: dict[str, Any]) -> dict[str, Any]:
    return {"anyOf": [schema, {"type": "null"}]}


def arr(schema: dict[str, Any]) -> dict[str, Any]:
    return {"type": "array", "items": schema}


def ref(name: str) -> dict[str, Any]:
    return {"$ref": f"#/components/schemas/{name}"}


def obj(properties: dict[str, Any]) -> dict[str, Any]:
    return {"type": "object", "properties": properties, "required": list(properties)}


STRS = arr(STR)
SCHEMAS: dict[str, dict[str, Any]] = {}


def schema(name: str, properties: dict[str, Any]) -> None:
    SCHEMAS[name] = obj(properties)


def page_schema(item: str) -> dict[str, Any]:
    return obj({"items": arr(ref(item)), "page": INT, "per_page": INT, "total": INT})


schema(
    "Error",
    {
        "error": {
            "type": "object",
            "properties": {
                "code": STR,
                "message": STR,
                "fields": {"type": "object", "additionalProperties": STR},
            },
            "required": ["code", "message", "fields"],
        }
    },
)
