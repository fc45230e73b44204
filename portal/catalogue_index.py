"""The prepared catalogue, kept once per worker process and rebuilt when the catalogue version changes.

Never loading the whole catalogue per request is what keeps the directory and the matcher fast; the version
number in the database tells every worker (gunicorn process) when its copy is stale.
"""

import threading
from dataclasses import dataclass

from matching import PreparedCatalogue, prepare
from portal.data import catalogue


@dataclass
class _Cached:
    version: int = -1
    prepared: PreparedCatalogue | None = None


_cache = _Cached()
_lock = threading.Lock()


def prepared_catalogue() -> PreparedCatalogue:
    version = catalogue.current_version()
    if _cache.prepared is not None and _cache.version == version:
        return _cache.prepared
    with _lock:
        if _cache.prepared is None or _cache.version != version:
            _cache.prepared = prepare(catalogue.load_matching_catalogue())
            _cache.version = version
    return _cache.prepared


def forget() -> None:
    """Drop this process's copy (tests switch databases under the same process)."""
    with _lock:
        _cache.version, _cache.prepared = -1, None
