"""Open Referral ids: HSDS wants a UUID for every record, the portal numbers its rows.

A published id is reversible: the first ten bytes come from a per-installation namespace and the record kind, the
last six hold the row's number. So `/services/{id}` needs no lookup table, and ids never collide between kinds or
between installations that set their own namespace. Nested records that have no row of their own (a programme's
service_at_location at a venue, an attribute, an address) get a name-based UUID of their parents' ids.
"""

import uuid

DEFAULT_NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "urn:kcpo-portal:openreferral")
DERIVED_NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "urn:kcpo-portal:openreferral:derived")

ORGANISATION = "organisation"
PROGRAMME = "programme"
VENUE = "venue"
SESSION = "session"
KINDS = (ORGANISATION, PROGRAMME, VENUE, SESSION)
MAX_LOCAL_ID = 2**48 - 1


def _prefix(namespace: uuid.UUID, kind: str) -> bytes:
    if kind not in KINDS:
        raise ValueError(f"Unknown record kind {kind!r}")
    return uuid.uuid5(namespace, kind).bytes[:10]  # keeps the version and variant bits of a name-based UUID


def local_uuid(namespace: uuid.UUID, kind: str, local_id: int) -> str:
    if not 0 < local_id <= MAX_LOCAL_ID:
        raise ValueError(f"Row id {local_id} cannot be published")
    return str(uuid.UUID(bytes=_prefix(namespace, kind) + local_id.to_bytes(6, "big")))


def local_id_from_uuid(namespace: uuid.UUID, kind: str, value: object) -> int | None:
    """The row number behind an id this installation published, or None for anyone else's id."""
    if not isinstance(value, str):
        return None
    try:
        parsed = uuid.UUID(value)
    except ValueError:
        return None
    if parsed.bytes[:10] != _prefix(namespace, kind):
        return None
    return int.from_bytes(parsed.bytes[10:], "big") or None


def derived_uuid(*parts: str) -> str:
    return str(uuid.uuid5(DERIVED_NAMESPACE, "/".join(parts)))


def is_uuid(value: object) -> bool:
    if not isinstance(value, str):
        return False
    try:
        uuid.UUID(value)
    except ValueError:
        return False
    return True
