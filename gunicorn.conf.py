"""Gunicorn settings, read automatically when gunicorn starts in this folder:

    .venv/bin/gunicorn --workers 4 --bind 127.0.0.1:8000 'portal:create_app()'

The app is loaded once in the master process (`preload_app`), which also builds the prepared programme catalogue
there before any worker starts; every worker is forked with that copy already in memory (shared, copy-on-write),
so no worker spends its first ~12 seconds (at 100,000 programmes) building its own, and no request waits for it.
What the master loaded is then frozen out of the garbage collector (`gc.freeze()`), so the workers' full collections
do not walk the catalogue's hundreds of thousands of objects again and again.
Each worker still checks the catalogue version in the database on use and rebuilds its copy when it changes
(portal/data/catalogue_index.py). Database connections opened in the master are closed before forking: a connection
is never shared between processes.

Each worker serves several connections on threads (`gthread`), so a browser's connection stays open between its
requests (keep-alive) instead of a new TCP connection per request, as the default `sync` worker does: measured on
the load test's reference page, 5.0 ms of gunicorn CPU per request instead of 6.8, and a third less for the client.
A thread waiting on PostgreSQL lets another run; Python still runs one at a time per worker, so workers, not threads,
are what use more cores.

Command-line options override these; GUNICORN_WORKERS and GUNICORN_THREADS set the numbers of workers and threads.
"""

import gc
import os

workers = int(os.environ.get("GUNICORN_WORKERS", "4"))
worker_class = "gthread"
threads = int(os.environ.get("GUNICORN_THREADS", "4"))
preload_app = True
# A worker that started just before a catalogue change answers from its old copy while the new one builds in the
# background, so no request needs more than the default 30 seconds; the margin covers a busy machine.
timeout = 60


def _flask_app(server):
    application = server.app.wsgi()
    return application if hasattr(application, "app_context") and "sqlalchemy" in application.extensions else None


def when_ready(server) -> None:
    """In the master, after the app is loaded and before the workers are forked: build the catalogue once."""
    application = _flask_app(server)
    if application is None:
        return
    from portal.data.catalogue_index import prepared_catalogue
    from portal.extensions import db

    try:
        with application.app_context():
            prepared_catalogue()
            server.log.info("Prepared the programme catalogue before starting the workers")
    except Exception:  # noqa: BLE001 - the workers build it on first use instead
        server.log.exception("Could not prepare the programme catalogue in advance; workers will build it on use")
    finally:
        with application.app_context():
            db.session.remove()
            db.engine.dispose()
    # Everything loaded so far lives as long as the process: keep it out of the garbage collector's full passes,
    # which would otherwise walk the whole catalogue (~350 ms at 100,000 programmes) every so often in every worker.
    gc.collect()
    gc.freeze()


def post_fork(server, worker) -> None:
    """A worker never reuses a database connection inherited from the master."""
    application = _flask_app(server)
    if application is None:
        return
    from portal.extensions import db

    with application.app_context():
        db.engine.dispose(close=False)
