"""Time the scenario's pages and form posts (wall clock and this process's CPU time) in one process against the
load database, with their SQL statement counts, to see what a load run spends its time on without the noise of 50
users. Optionally cProfile one of them.

    .venv/bin/python load/profile_pages.py                                  # every page: ms, CPU ms, statements
    .venv/bin/python load/profile_pages.py --only match --profile match     # and the top functions of one

Run load/prepare.py first. It signs in as the first load officer and partner by creating their sessions directly,
and the posts change the load database as the scenario's do (a register marked, a referral accepted).
"""

from __future__ import annotations

import argparse
import cProfile
import json
import os
import pstats
import re
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
OUT = Path(os.environ.get("LOAD_OUT") or Path(__file__).resolve().parent.parent / "instance" / "load")
STATEMENT = {name: "Yes, we can." for name in ("capacity", "dates", "safeguarding", "attendance")}
Request = Callable[[], tuple[str, str, dict | None]]  # (method, path, form data), made afresh for each call


def signed_in_clients(app, accounts: dict) -> tuple:
    """Test clients for the first load officer and partner, with server-side sessions made directly."""
    from sqlalchemy import select

    from portal.data import accounts as account_data
    from portal.extensions import db
    from portal.models import User

    clients = []
    with app.app_context():
        for role in ("officers", "partners"):
            user = db.session.scalar(select(User).where(User.email == accounts[role][0]["email"]))
            token = account_data.start_session(user)
            db.session.commit()
            client = app.test_client()
            with client.session_transaction() as session:
                session["_user_id"] = token
            clients.append(client)
    return tuple(clients)


def scenario(officer, partner, accounts: dict) -> dict[str, tuple]:
    """Every page and post of the scenario, by name: (client, request maker)."""
    subject_id = accounts["officers"][0]["subject_ids"][0]
    listing = partner.get("/partner/registers/").get_data(as_text=True)
    register = re.search(r'href="(/partner/registers/\d+/\d{4}-\d{2}-\d{2})"', listing)
    register_path = register.group(1) if register else "/partner/registers/"
    referrals = partner.get("/partner/referrals/").get_data(as_text=True)
    new_group = referrals.split('data-group="new"', 1)[-1].split("</table>", 1)[0]
    referral_ids = re.findall(r'href="/partner/referrals/(\d+)"', new_group)
    postcode = accounts["postcodes"][0]
    search = officer.post("/directory/", data={"keyword": "football", "postcode": postcode, "distance_km": "10"})
    results = officer.get(search.headers["Location"]).get_data(as_text=True)
    programme = re.search(r'href="(/directory/programmes/\d+)"', results)

    def get(path: str) -> Request:
        return lambda: ("GET", path, None)

    def mark_register() -> tuple:
        """Change every mark on the register (so each adds a row), as a correction."""
        page = partner.get(register_path).get_data(as_text=True)
        data = {}
        for prefix in sorted(set(re.findall(r'name="(r\d+)-status"', page))):
            revision = re.search(rf'name="{prefix}-revision"[^>]*value="(\d+)"', page)
            was_late = re.search(rf'name="{prefix}-status"[^>]*value="late"[^>]*checked', page)
            data |= {
                f"{prefix}-revision": revision.group(1) if revision else "0",
                f"{prefix}-status": "attended" if was_late else "late",
                f"{prefix}-minutes_late": "5",
                f"{prefix}-correction_reason": "Profiling",
            }
        return "POST", register_path, data

    def accept_referral() -> tuple:
        referral_id = referral_ids.pop()
        page = partner.get(f"/partner/referrals/{referral_id}").get_data(as_text=True)
        version = re.search(r'name="version"[^>]*value="(\d+)"', page)
        return "POST", f"/partner/referrals/{referral_id}/accept", {"version": version.group(1)} | STATEMENT

    def search_directory() -> tuple:
        return "POST", "/directory/", {"keyword": "boxing", "postcode": accounts["postcodes"][1], "distance_km": "20"}

    return {
        "officer home": (officer, get("/dashboard/")),
        "directory form": (officer, get("/directory/")),
        "search POST": (officer, search_directory),
        "directory results": (officer, get(search.headers["Location"])),
        "programme": (officer, get(programme.group(1) if programme else "/directory/")),
        "subject": (officer, get(f"/subjects/{subject_id}")),
        "match": (officer, get(f"/subjects/{subject_id}/suggestions")),
        "registers": (partner, get("/partner/registers/")),
        "register": (partner, get(register_path)),
        "mark POST": (partner, mark_register),
        "referrals": (partner, get("/partner/referrals/")),
        "referral": (partner, get(f"/partner/referrals/{referral_ids[0]}" if referral_ids else "/partner/referrals/")),
        "accept POST": (partner, accept_referral),
    }


def time_one(client, make: Request, statements: dict, repeat: int) -> tuple:
    def call() -> tuple:
        method, path, data = make()
        started, started_cpu, statements["n"] = time.perf_counter(), time.process_time(), 0
        response = client.open(path, method=method, data=data)
        return response.status_code, time.perf_counter() - started, time.process_time() - started_cpu

    call()  # once untimed: compiled statements and templates, caches
    results = [call() for _ in range(repeat)]
    wall = [seconds * 1000 for _status, seconds, _cpu in results]
    cpu = [seconds * 1000 for _status, _wall, seconds in results]
    return results[-1][0], statistics.median(wall), min(wall), statistics.median(cpu), statements["n"]


def profile_one(client, make: Request, repeat: int, order: str) -> None:
    profiler = cProfile.Profile()
    for _ in range(repeat):
        method, path, data = make()
        profiler.enable()
        client.open(path, method=method, data=data)
        profiler.disable()
    pstats.Stats(profiler).sort_stats(order).print_stats(45)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--profile", default="", help="cProfile the page of this name too")
    parser.add_argument("--repeat", type=int, default=15)
    parser.add_argument("--sort", default="cumulative", help="pstats order for --profile: cumulative, tottime, ...")
    parser.add_argument("--only", default="", help="time only the pages whose name contains this")
    args = parser.parse_args()

    os.environ["DATABASE_URL"] = os.environ.get(
        "LOAD_DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/kcpo_load"
    )
    from sqlalchemy import event

    from portal import create_app
    from portal.data.catalogue_index import prepared_catalogue
    from portal.extensions import db

    app = create_app({"WTF_CSRF_ENABLED": False, "ACCESS_REASON_REQUIRED": False})
    accounts = json.loads((OUT / "accounts.json").read_text())
    statements = {"n": 0}
    with app.app_context():
        event.listen(db.engine, "before_cursor_execute", lambda *_a, **_k: statements.update(n=statements["n"] + 1))
        started = time.perf_counter()
        prepared_catalogue()
        print(f"catalogue built in {time.perf_counter() - started:.1f} s")

    officer, partner = signed_in_clients(app, accounts)
    print(f"{'page':<20} {'status':>6} {'median ms':>10} {'min ms':>8} {'cpu ms':>8} {'statements':>10}")
    for name, (client, make) in scenario(officer, partner, accounts).items():
        if args.only and args.only not in name:
            continue
        status, median, fastest, cpu, count = time_one(client, make, statements, args.repeat)
        print(f"{name:<20} {status:>6} {median:>10.1f} {fastest:>8.1f} {cpu:>8.1f} {count:>10}")
        if name == args.profile:
            profile_one(client, make, args.repeat, args.sort)


if __name__ == "__main__":
    main()
