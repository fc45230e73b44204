"""The prepared catalogue, kept once per worker process and rebuilt when the catalogue version changes.

Never loading the whole catalogue per request is what keeps the directory and the matcher fast; the version
number in the database tells every worker (gunicorn process) when its copy is stale. At national scale a
rebuild takes seconds, so outside tests a worker that already has a copy keeps answering from it while a
background thread builds the new one: pages that act on a result (adding a session to an order, showing a
programme) re-check it against the database, so a copy a few seconds old never lets anything unsafe through.
"""

import threading
from dataclasses import dataclass

from flask import Flask, current_app

from matching import PreparedCatalogue, prepare
from portal.data import catalogue
from portal.extensions import db


@dataclass
class _Cached:
    version: int = -1
    prepared: PreparedCatalogue | None = None
    rebuilding: bool = False


_cache = _Cached()
_lock = threading.Lock()


def prepared_catalogue() -> PreparedCatalogue:
    version = catalogue.current_version()
    prepared = _cache.prepared
    if prepared is not None and _cache.version == version:
        return prepared
    if prepared is not None and current_app.config["CATALOGUE_REBUILD_IN_BACKGROUND"]:
        _rebuild_in_background(current_app._get_current_object())  # type: ignore[attr-defined]
        return prepared
    with _lock:
        if _cache.prepared is None or _cache.version != version:
            _cache.prepared, _cache.version = _build()
    return _cache.prepared


def _build() -> tuple[PreparedCatalogue, int]:
    version = catalogue.current_version()  # read first: a change during the build leaves this copy stale, not wrong
    return prepare(catalogue.load_matching_catalogue()), version


def _rebuild_in_background(app: Flask) -> None:
    with _lock:
        if _cache.rebuilding:
            return
        _cache.rebuilding = True

    def rebuild() -> None:
        try:
            with app.app_context():
                prepared, version = _build()
                db.session.remove()
            with _lock:
                _cache.prepared, _cache.version = prepared, version
        finally:
            _cache.rebuilding = False

    threading.Thread(target=rebuild, name="catalogue-rebuild", daemon=True).start()


def forget() -> None:
    """Drop this process's copy (tests switch databases under the same process)."""
    with _lock:
        _cache.version, _cache.prepared = -1, None
