"""The API's own description and the caller's identity."""

from flask import current_app
from flask.typing import ResponseReturnValue
from flask_login import current_user

# The module, not its function: portal.openapi reads the API package, which imports this module while it loads.
from portal import openapi as openapi_document
from portal.api import serialisers
from portal.api.registry import operation, respond
from portal.models import Role
from portal.web.auth import ANY_STATUS


@operation(
    "/openapi.json",
    "GET",
    public=True,
    summary="This OpenAPI 3.1 document (public: it describes the API and holds no data)",
    tag="Meta",
)
def openapi() -> ResponseReturnValue:
    document = current_app.extensions.get("kcpo_openapi")
    if document is None:
        document = current_app.extensions["kcpo_openapi"] = openapi_document.build_document()
    return respond(document)


@operation(
    "/me",
    "GET",
    roles=tuple(Role),
    organisations=ANY_STATUS,
    summary="Who the token belongs to",
    tag="Meta",
    response="Me",
)
def me() -> ResponseReturnValue:
    return respond(serialisers.me(current_user))
