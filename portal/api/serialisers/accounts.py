"""The signed-in account (`/me`)."""

from typing import Any

from portal.api.serialisers.base import INT, STR, null, obj, schema

schema(
    "Me",
    {"id": INT, "full_name": STR, "email": STR, "role": STR, "organisation": null(obj({"id": INT, "name": STR}))},
)


def me(user: Any) -> dict[str, Any]:
    account = user.account
    organisation = user.organisation
    return {
        "id": account.id,
        "full_name": account.full_name,
        "email": account.email,
        "role": str(account.role),
        "organisation": {"id": organisation.id, "name": organisation.name} if organisation else None,
    }
