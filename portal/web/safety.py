"""Small guards shared by several views."""

from urllib.parse import urlsplit

from flask import request


def safe_next_url(target: str | None) -> str | None:
    """Only a path on this site: never another host, scheme or protocol-relative URL.

    Browsers treat a backslash like a slash and drop tabs and newlines, so `/\\evil`, `\\\\evil` and `/<TAB>/evil`
    would all leave the site: anything holding a backslash, whitespace or a control character is refused.
    """
    if not target or len(target) > 2000:
        return None
    if "\\" in target or " " in target or not target.isprintable():
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    return target


def same_site_referrer() -> str | None:
    """The page the request came from, as a path on this site, or None when it came from anywhere else."""
    referrer = request.referrer
    if not referrer:
        return None
    parts = urlsplit(referrer)
    if parts.netloc != request.host or parts.scheme not in ("http", "https"):
        return None
    return safe_next_url(parts.path + (f"?{parts.query}" if parts.query else ""))
