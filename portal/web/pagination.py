"""Page numbers from the query string and the GOV.UK pagination component's parameters."""

import math

from flask import request, url_for


def page_number() -> int:
    raw = request.args.get("page", "1")
    return max(1, min(int(raw), 100_000)) if raw.isdigit() else 1


def pagination(page: int, total: int, per_page: int, endpoint: str, **values: object) -> dict | None:
    pages = max(1, math.ceil(total / per_page))
    if pages == 1:
        return None
    params: dict = {"items": []}
    if page > 1:
        params["previous"] = {"href": url_for(endpoint, page=page - 1, **values)}
    if page < pages:
        params["next"] = {"href": url_for(endpoint, page=page + 1, **values)}
    for number in sorted({1, pages, *range(max(1, page - 2), min(pages, page + 2) + 1)}):
        params["items"].append(
            {"number": number, "href": url_for(endpoint, page=number, **values), "current": number == page}
        )
    return params
