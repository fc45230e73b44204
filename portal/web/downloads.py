"""Every file download, named one way (RFC 6266 with RFC 8187's `filename*`), safe whatever the name holds: a
subject reference with a quote, a line break or a euro sign cannot add a header parameter, break the response or
reach the browser garbled."""

import re
import unicodedata
from urllib.parse import quote

from flask import Response

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
NOT_PLAIN = re.compile(r"[^A-Za-z0-9._-]+")


def content_disposition(filename: str, disposition: str = "attachment") -> str:
    """`filename` is a plain ASCII fallback for old clients; `filename*` carries the name itself, percent-encoded."""
    name = "".join(character for character in filename if character.isprintable() and character not in "/\\")
    unaccented = "".join(c for c in unicodedata.normalize("NFKD", name) if not unicodedata.combining(c))
    fallback = NOT_PLAIN.sub("_", unaccented).strip("._") or "download"
    return f"{disposition}; filename=\"{fallback}\"; filename*=UTF-8''{quote(name, safe='')}"


def download(
    body: bytes | str, mimetype: str, filename: str, *, inline: bool = False, headers: dict[str, str] | None = None
) -> Response:
    disposition = content_disposition(filename, "inline" if inline else "attachment")
    return Response(body, mimetype=mimetype, headers={"Content-Disposition": disposition} | (headers or {}))
