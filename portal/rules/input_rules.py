"""One rule for text at every door (form fields and query strings, the JSON API, ORUK imports): control characters
are refused. NUL is never meaningful text, PostgreSQL refuses to store it (a 500 otherwise) and C libraries stop at
it; the other C0 controls (all but tab, line feed and carriage return) and DEL are invisible and make XML, so .docx
and calendar files, invalid. What was stored before the rule is taken out on the way out (`oruk export`)."""

import re
from typing import Any

CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
REFUSED = "must not contain control characters, such as NUL"


def control_character_in(text: str) -> str | None:
    """The first control character in the text, named for people ("NUL", "U+001B"), or None when there is none."""
    found = CONTROL_CHARACTERS.search(text)
    if found is None:
        return None
    return "NUL" if found.group() == "\x00" else f"U+{ord(found.group()):04X}"


def without_control_characters(value: Any) -> Any:
    """The value (text, or lists and dicts of it, as JSON holds) with every control character taken out."""
    if isinstance(value, str):
        return CONTROL_CHARACTERS.sub("", value)
    if isinstance(value, list):
        return [without_control_characters(item) for item in value]
    if isinstance(value, dict):
        return {without_control_characters(key): without_control_characters(item) for key, item in value.items()}
    return value
