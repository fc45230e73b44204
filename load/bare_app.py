"""Issue #8's yardstick: "a bare Flask page reading SQLite serves about 1,900 requests per second here under 50
connections, p99 31 ms". This is that page, so the yardstick can be measured on the machine of the day
(load/yardstick.sh): one query on a fresh SQLite connection, a line of text, no templates, no session, no login.
"""

import os
import random
import sqlite3
from pathlib import Path

from flask import Flask

DATABASE = Path(os.environ.get("BARE_DATABASE", "instance/load/bare.sqlite3"))
ROWS = 1000


def _create_once() -> None:
    if DATABASE.exists():
        return
    DATABASE.parent.mkdir(parents=True, exist_ok=True)
    connection = sqlite3.connect(DATABASE)
    with connection:
        connection.execute("CREATE TABLE programme (id INTEGER PRIMARY KEY, title TEXT NOT NULL)")
        connection.executemany("INSERT INTO programme VALUES (?, ?)", ((n, f"Programme {n}") for n in range(ROWS)))
    connection.close()


_create_once()
app = Flask(__name__)


@app.get("/")
def page() -> str:
    connection = sqlite3.connect(DATABASE)
    try:
        (title,) = connection.execute("SELECT title FROM programme WHERE id = ?", (random.randrange(ROWS),)).fetchone()
    finally:
        connection.close()
    return f"<p>{title}</p>"
