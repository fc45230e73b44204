"""Prepare the load-test database `kcpo_load` (issue #8): create it, migrate it, seed it at national scale, and add the
accounts and records the locust scenario (load/locustfile.py) works on. Safe to run again: it tops up what a run used.

    .venv/bin/python load/prepare.py                 # everything; writes $LOAD_OUT/accounts.json
    .venv/bin/python load/prepare.py counts FILE     # row counts that the scenario's writes change, as JSON

Only ever touches the database named in LOAD_DATABASE_URL (default: kcpo_load on 127.0.0.1), and refuses the
test databases (`test`, `kcpo_test_*`). Fixture rows are written directly (like tests/factories.py), not through the
pages, so preparing adds no audit events; everything the scenario then does goes through the portal.

What it makes (numbers can be changed through the environment):

* LOAD_OFFICERS officers (25), each with LOAD_SUBJECTS_PER_OFFICER subjects (2) living somewhere in Great Britain
  near seeded programmes, with interests, a school timetable and sometimes a curfew, and a caseload of LOAD_CASELOAD
  made orders (2); 50 caseworkers (who never sign in) own every other order;
* LOAD_PARTNERS partner accounts (25), one per approved synthetic organisation, so no two virtual users share an
  organisation's registers or referrals;
* per partner organisation, LOAD_REGISTER_SESSIONS sessions (6) where LOAD_ATTENDEES subjects (2) each have an
  order made by the court on MADE_ON with an active requirement: registers to mark on every past session date; when
  fewer than LOAD_MIN_UNMARKED (60) places on past registers are left unmarked, one more young person joins each
  of those sessions;
* per partner organisation, LOAD_PENDING_REFERRALS referrals (60) waiting for an answer (draft orders of
  further subjects, up to five requirements each, at sessions with free places), topped up on every run.

Every account gets the password in accounts.json and, when the User model has `totp_secret`, a known
authenticator secret (also in accounts.json), so the scenario can sign in with a code.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import random
import subprocess
import sys
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

DEFAULT_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/kcpo_load"
LOAD_URL = os.environ.get("LOAD_DATABASE_URL", DEFAULT_URL)
OUT = Path(os.environ.get("LOAD_OUT") or Path(__file__).resolve().parent.parent / "instance" / "load")
SCALE = int(os.environ.get("LOAD_SCALE", "100000"))
OFFICERS = int(os.environ.get("LOAD_OFFICERS", "25"))
PARTNERS = int(os.environ.get("LOAD_PARTNERS", "25"))
SUBJECTS_PER_OFFICER = int(os.environ.get("LOAD_SUBJECTS_PER_OFFICER", "2"))
REGISTER_SESSIONS = int(os.environ.get("LOAD_REGISTER_SESSIONS", "6"))
ATTENDEES = int(os.environ.get("LOAD_ATTENDEES", "2"))
MIN_UNMARKED = int(os.environ.get("LOAD_MIN_UNMARKED", "60"))  # places on past registers left to mark, per partner
PENDING_REFERRALS = int(os.environ.get("LOAD_PENDING_REFERRALS", "60"))
REQUIREMENTS_PER_DRAFT = 5
CASELOAD = int(os.environ.get("LOAD_CASELOAD", "2"))  # made orders each signed-in officer has on their dashboard
CASEWORKERS = 50

PASSWORD = "load-test-password-kcpo-2026"  # a throwaway database's accounts; never use it anywhere else
EMAIL_DOMAIN = "load.kcpo.example.org"
MADE_ON = date(2026, 10, 12)  # the court made the register subjects' orders on this Monday
REFERENCE_PREFIX = "LOAD-"

# The tables whose rows the scenario's POSTs add, and how to count them (load/run.sh compares the difference with
# the successful POSTs locust counted).
COUNT_QUERIES = {
    "auth_sessions": "SELECT count(*) FROM auth_sessions",
    "auth_sessions_verified": "SELECT count(*) FROM auth_sessions WHERE {verified}",
    "saved_searches": "SELECT count(*) FROM saved_searches",
    "access_reasons": "SELECT count(*) FROM audit_events WHERE action = 'access-reason'",
    "referrals_accepted": "SELECT count(*) FROM referrals WHERE status = 'accepted'",
    "attendance_marks": "SELECT count(*) FROM attendance_marks",
    "audit_events": "SELECT count(*) FROM audit_events",
}


def database_name(url: str) -> str:
    return url.rsplit("/", 1)[1].split("?", 1)[0]


def refuse_unsafe_target(url: str) -> None:
    name = database_name(url)
    if not url.startswith("postgresql"):
        sys.exit(f"The load test runs on PostgreSQL only, not {url}")
    if name == "test" or name.startswith("kcpo_test") or name in ("postgres", "template0", "template1"):
        sys.exit(f"Refusing to prepare the database {name!r}: the load test has its own (kcpo_load)")


def totp_secret_for(email: str) -> str:
    """A known, per-account authenticator secret (base32, 160 bits), the same on every run."""
    return base64.b32encode(hashlib.sha256(f"kcpo-load-totp:{email}".encode()).digest()[:20]).decode()


def officer_email(number: int) -> str:
    return f"load-officer-{number:02d}@{EMAIL_DOMAIN}"


def caseworker_email(number: int) -> str:
    return f"load-caseworker-{number:02d}@{EMAIL_DOMAIN}"


def partner_email(number: int) -> str:
    return f"load-partner-{number:02d}@{EMAIL_DOMAIN}"


# --------------------------------------------------------------------------- database, schema, seed


def ensure_database(url: str) -> None:
    import psycopg
    from sqlalchemy.engine import make_url

    parsed = make_url(url)
    admin = parsed.set(database="postgres", drivername="postgresql")
    conninfo = admin.render_as_string(hide_password=False)
    with psycopg.connect(conninfo, autocommit=True) as connection:
        exists = connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", (parsed.database,)).fetchone()
        if not exists:
            connection.execute(f'CREATE DATABASE "{parsed.database}"')
            print(f"Created database {parsed.database}")


def flask_cli(*args: str) -> None:
    env = os.environ | {"DATABASE_URL": LOAD_URL, "PORTAL_ENV": "development"}
    subprocess.run([str(ROOT / ".venv" / "bin" / "flask"), "--app", "portal", *args], check=True, env=env, cwd=ROOT)


def seeded_enough() -> bool:
    from sqlalchemy import func, select

    from portal.extensions import db
    from portal.models import Organisation, Programme

    synthetic = db.session.scalar(
        select(func.count()).select_from(Programme).join(Organisation).where(Organisation.name.like("Synthetic %"))
    )
    return (synthetic or 0) >= SCALE


# --------------------------------------------------------------------------- fixtures


def upsert_user(email: str, full_name: str, role: str, organisation_id: int | None, password_hash: str):
    from sqlalchemy import select

    from portal.extensions import db
    from portal.models import Role, User

    user = db.session.scalar(select(User).where(User.email == email))
    if user is None:
        user = User(
            email=email,
            full_name=full_name,
            role=Role(role),
            password_hash=password_hash,
            organisation_id=organisation_id,
            unit="Load Test Unit" if role == "officer" else "",
            borough="Tower Hamlets" if role == "officer" else "",
        )
        db.session.add(user)
    user.password_hash = password_hash
    user.organisation_id = organisation_id
    user.disabled_at = None
    if hasattr(User, "totp_secret"):  # multi-factor sign-in: a known secret, so the scenario can make codes
        user.totp_secret = totp_secret_for(email)
        if hasattr(User, "totp_last_step"):
            user.totp_last_step = None
        if hasattr(User, "mfa_set_up_at") and user.mfa_set_up_at is None:
            user.mfa_set_up_at = datetime.now(UTC).replace(tzinfo=None)
    db.session.flush()
    return user


def partner_organisations(count: int) -> list:
    """Approved synthetic organisations with enough running sessions for registers and referrals."""
    from sqlalchemy import func, select

    from portal.extensions import db
    from portal.models import Organisation, OrganisationStatus, Programme, ProgrammeSession, ProgrammeStatus

    usable = (
        select(Programme.organisation_id, func.count(ProgrammeSession.id).label("sessions"))
        .join(ProgrammeSession)
        .where(Programme.status == ProgrammeStatus.ACTIVE)
        .group_by(Programme.organisation_id)
        .subquery()
    )
    rows = db.session.execute(
        select(Organisation)
        .join(usable, usable.c.organisation_id == Organisation.id)
        .where(
            Organisation.status == OrganisationStatus.APPROVED,
            Organisation.name.like("Synthetic %"),
            usable.c.sessions >= 60,
        )
        .order_by(Organisation.id)
    ).scalars()
    found = list(rows)
    # Spread over the country: every 97th usable organisation rather than the first few (all in one town).
    step = max(1, len(found) // max(count, 1))
    chosen = found[::step][:count]
    if len(chosen) < count:
        sys.exit(f"Only {len(chosen)} usable synthetic organisations; seed with --scale {SCALE} first")
    return chosen


def running_sessions(organisation_id: int, today: date) -> list:
    """The organisation's sessions that run now and ran since MADE_ON, at active programmes valid all that time."""
    from sqlalchemy import or_, select
    from sqlalchemy.orm import selectinload

    from portal.extensions import db
    from portal.models import Programme, ProgrammeSession, ProgrammeStatus

    return list(
        db.session.scalars(
            select(ProgrammeSession)
            .join(Programme)
            .where(
                Programme.organisation_id == organisation_id,
                Programme.status == ProgrammeStatus.ACTIVE,
                Programme.valid_from <= MADE_ON,
                or_(Programme.valid_to.is_(None), Programme.valid_to >= today + timedelta(days=60)),
                ProgrammeSession.term_start <= MADE_ON,
                or_(ProgrammeSession.term_end.is_(None), ProgrammeSession.term_end >= today),
            )
            .options(selectinload(ProgrammeSession.programme), selectinload(ProgrammeSession.venue))
            .order_by(ProgrammeSession.id)
        )
    )


FIRST_NAMES = (
    "Ayaan Jordan Kai Tyrese Mason Leon Zain Reuben Callum Ibrahim Amara Keisha Maya Nia Zara Imani Tiana Leah "
    "Ruby Aaliyah Kofi Tomasz Mihai Omar Yusuf Deji Femi Harvey Ellis Jayden"
).split()
LAST_NAMES = (
    "Okafor Khan Begum Nowak Popescu Mensah Campbell Williams Hussain Ali Ahmed Smith Brown Taylor Evans Hughes "
    "Adeyemi Osei Clarke Walker"
).split()


def make_subject(rng: random.Random, reference: str, home, officer_id: int, gender: str, age: int):
    from sqlalchemy import select

    from portal.extensions import db
    from portal.models import Subject, SubjectCategory, SubjectWindow, WindowKind
    from portal.rules.schedule import london_today

    subject = db.session.scalar(select(Subject).where(Subject.reference == reference))
    if subject is not None:
        return subject
    today = london_today()
    subject = Subject(
        reference=reference,
        first_name=rng.choice(FIRST_NAMES),
        last_name=rng.choice(LAST_NAMES),
        date_of_birth=date(today.year - age, rng.randint(1, 12), rng.randint(1, 28)),
        gender=gender,
        home_postcode=home.postcode,
        home_easting=home.easting,
        home_northing=home.northing,
        category=rng.choice([SubjectCategory.SUSPECT, SubjectCategory.CONVICTED]),
        languages=["en"] + ([rng.choice(["ur", "bn", "so", "pl", "pa", "ar"])] if rng.random() < 0.4 else []),
        interest_activity_types=rng.sample(
            ["football", "boxing", "music", "mentoring", "basketball", "digital-media", "gym-fitness", "dance"], 2
        ),
        interest_text=rng.choice(["likes football and grime", "wants to box", "making beats", "coding games", ""]),
        needs=[],
        curfew_start=time(21, 0) if rng.random() < 0.5 else None,
        curfew_end=time(6, 0) if rng.random() < 0.5 else None,
        max_travel_m=rng.choice([5000, 8000, 12000]),
        created_by_id=officer_id,
    )
    if (subject.curfew_start is None) != (subject.curfew_end is None):
        subject.curfew_start, subject.curfew_end = time(21, 0), time(6, 0)
    subject.windows = [
        SubjectWindow(
            kind=WindowKind.SCHOOL, label="School", weekday=day, start_time=time(8, 45), end_time=time(15, 30)
        )
        for day in range(5)
    ]
    db.session.add(subject)
    db.session.flush()
    return subject


def subject_gender_for(programme) -> str:
    return "female" if str(programme.gender) == "female" else "male"


def subject_age_for(programme) -> int:
    return max(programme.min_age, min(programme.max_age, 16))


def requirement_at(order, session):
    from portal.models import Requirement, RequirementKind

    programme, venue = session.programme, session.venue
    requirement = Requirement(
        order_id=order.id,
        kind=RequirementKind.PARTICIPATE,
        activity=f"Take part in {programme.title}",
        programme_id=programme.id,
        session_id=session.id,
        place_name=venue.name,
        place_address=venue.address,
        place_postcode=venue.postcode,
        place_easting=venue.easting,
        place_northing=venue.northing,
        weekday=session.weekday,
        start_time=session.start_time,
        end_time=session.end_time,
        supervisor_name=programme.supervisor_name,
        supervisor_organisation_id=programme.organisation_id,
        starts_on=None,
        ends_on=None,
        necessity_rationale="Positive activity at a time the young person is otherwise unsupervised.",
        accepted_from_suggestion=True,
    )
    from portal.extensions import db

    db.session.add(requirement)
    db.session.flush()
    return requirement


def register_order_owner(
    partner_number: int, index: int, attendee: int, officer_ids: list, caseworker_ids: list
) -> int:
    """The officer of a register subject's order: the first CASELOAD per signed-in officer, the rest caseworkers'."""
    number = ((partner_number - 1) * REGISTER_SESSIONS + (index - 1)) * ATTENDEES + (attendee - 1)
    if number < CASELOAD * len(officer_ids):
        return officer_ids[number % len(officer_ids)]
    return caseworker_ids[number % len(caseworker_ids)]


def extra_attendees(partner_number: int, organisation_id: int) -> int:
    """Young people added to the register sessions after the first ATTENDEES: one more each time the registers to
    mark run low, so a run marks registers for the first time rather than correcting the same marks again and
    again (corrections happen too, once nothing is left to mark)."""
    from sqlalchemy import func, select

    from portal.data.attendance import _expected
    from portal.extensions import db
    from portal.models import Subject
    from portal.rules.schedule import london_today

    pattern = f"{REFERENCE_PREFIX}R{partner_number:02d}-1-%"
    existing = db.session.scalar(select(func.count()).select_from(Subject).where(Subject.reference.like(pattern)))
    extra = max(0, (existing or 0) - ATTENDEES)
    if not existing:
        return extra
    unmarked = sum(
        not attendee.marked
        for expected in _expected(organisation_id=organisation_id, date_from=None, date_to=london_today())
        if not expected.cancelled
        for attendee in expected.attendees
    )
    return extra + 1 if unmarked < MIN_UNMARKED else extra


def ensure_register_subjects(rng: random.Random, partner_number: int, organisation, owners: tuple[list, list]) -> list:
    """Subjects with a made order and an active requirement at each of this organisation's register sessions."""
    from sqlalchemy import select

    from portal.extensions import db
    from portal.models import Order, OrderStatus, Referral, ReferralStatus
    from portal.rules.schedule import london_today

    sessions = running_sessions(organisation.id, london_today())
    chosen, seen_programmes = [], set()
    for session in sessions:  # one session per programme, so the registers list shows different programmes
        if session.programme_id not in seen_programmes:
            chosen.append(session)
            seen_programmes.add(session.programme_id)
        if len(chosen) == REGISTER_SESSIONS:
            break
    attendees = ATTENDEES + extra_attendees(partner_number, organisation.id)
    for index, session in enumerate(chosen, start=1):
        for attendee in range(1, attendees + 1):
            reference = f"{REFERENCE_PREFIX}R{partner_number:02d}-{index}-{attendee}"
            if attendee <= ATTENDEES:
                officer_id = register_order_owner(partner_number, index, attendee, *owners)
            else:
                officer_id = owners[1][(partner_number * 7 + index * 3 + attendee) % len(owners[1])]
            subject = make_subject(
                rng,
                reference,
                session.venue,
                officer_id,
                subject_gender_for(session.programme),
                subject_age_for(session.programme),
            )
            existing = db.session.scalar(select(Order).where(Order.subject_id == subject.id))
            if existing is not None:
                existing.officer_id = officer_id
                continue
            order = Order(
                subject_id=subject.id,
                officer_id=officer_id,
                status=OrderStatus.MADE,
                applicant="Commissioner of Police of the Metropolis (Load Test Unit)",
                court="Thames Magistrates' Court",
                proposed_start=MADE_ON,
                duration_months=12,
                necessity_statement="Load-test order.",
                filed_at=datetime.combine(MADE_ON - timedelta(days=14), time(10, 0)),
                made_on=MADE_ON,
                made_by_court="Thames Magistrates' Court",
                final_terms="As filed.",
            )
            db.session.add(order)
            db.session.flush()
            requirement = requirement_at(order, session)
            db.session.add(
                Referral(
                    requirement_id=requirement.id,
                    subject_id=subject.id,
                    organisation_id=organisation.id,
                    session_id=session.id,
                    status=ReferralStatus.ACTIVE,
                    sent_at=datetime.combine(MADE_ON - timedelta(days=21), time(10, 0)),
                    sent_by_id=officer_id,
                    viewed_at=datetime.combine(MADE_ON - timedelta(days=20), time(10, 0)),
                    responded_at=datetime.combine(MADE_ON - timedelta(days=20), time(11, 0)),
                    statement_capacity="Yes",
                    statement_dates="As proposed",
                    statement_safeguarding="DBS-checked staff",
                    statement_attendance="Register each session",
                )
            )
            db.session.flush()
    return [session.id for session in chosen]


def free_places(organisation_id: int, exclude_session_ids: set[int]) -> list[tuple]:
    """(session, free places) for the organisation's running sessions, counting every live referral as a place."""
    from sqlalchemy import func, select

    from portal.extensions import db
    from portal.models import LIVE_REFERRALS, Referral
    from portal.rules.schedule import london_today

    sessions = [s for s in running_sessions(organisation_id, london_today()) if s.id not in exclude_session_ids]
    taken = dict(
        db.session.execute(
            select(Referral.session_id, func.count())
            .where(Referral.organisation_id == organisation_id, Referral.status.in_(LIVE_REFERRALS))
            .group_by(Referral.session_id)
        ).all()
    )
    return [
        (s, s.programme.capacity - taken.get(s.id, 0)) for s in sessions if s.programme.capacity > taken.get(s.id, 0)
    ]


def top_up_pending_referrals(
    rng: random.Random, organisations: list, register_sessions: dict, caseworker_ids: list
) -> int:
    """Bring every partner organisation back to PENDING_REFERRALS referrals awaiting an answer."""
    from sqlalchemy import func, select

    from portal.extensions import db
    from portal.models import Order, OrderStatus, Referral, ReferralStatus, Subject
    from portal.rules.schedule import london_today

    awaiting = (ReferralStatus.SENT, ReferralStatus.VIEWED)
    slots = []  # (organisation, session) per referral to add, interleaved across organisations
    wanted = {}
    for organisation in organisations:
        have = db.session.scalar(
            select(func.count())
            .select_from(Referral)
            .where(Referral.organisation_id == organisation.id, Referral.status.in_(awaiting))
        )
        need = max(0, PENDING_REFERRALS - (have or 0))
        places = free_places(organisation.id, set(register_sessions[organisation.id]))
        queue = []
        while len(queue) < need and places:
            for index, (session, free) in enumerate(places):
                if len(queue) >= need:
                    break
                if free > 0:
                    queue.append(session)
                    places[index] = (session, free - 1)
            places = [(s, f) for s, f in places if f > 0]
        if len(queue) < need:
            print(f"  {organisation.name}: only {len(queue)} free places for {need} referrals")
        wanted[organisation.id] = queue
    longest = max((len(queue) for queue in wanted.values()), default=0)
    for position in range(longest):
        for organisation in organisations:
            if position < len(wanted[organisation.id]):
                slots.append((organisation, wanted[organisation.id][position]))
    existing = db.session.scalar(
        select(func.count()).select_from(Subject).where(Subject.reference.like(f"{REFERENCE_PREFIX}P%"))
    )
    number = existing or 0
    sent_at = datetime.now(UTC).replace(tzinfo=None) - timedelta(days=2)
    for start in range(0, len(slots), REQUIREMENTS_PER_DRAFT):
        chunk = slots[start : start + REQUIREMENTS_PER_DRAFT]
        number += 1
        officer_id = caseworker_ids[number % len(caseworker_ids)]
        first_programme = chunk[0][1].programme
        subject = make_subject(
            rng,
            f"{REFERENCE_PREFIX}P{number:06d}",
            chunk[0][1].venue,
            officer_id,
            "male",
            max(12, min(17, first_programme.max_age)),
        )
        order = Order(
            subject_id=subject.id,
            officer_id=officer_id,
            status=OrderStatus.DRAFT,
            applicant="Commissioner of Police of the Metropolis (Load Test Unit)",
            proposed_start=london_today() + timedelta(days=42),
            duration_months=12,
        )
        db.session.add(order)
        db.session.flush()
        for organisation, session in chunk:
            requirement = requirement_at(order, session)
            db.session.add(
                Referral(
                    requirement_id=requirement.id,
                    subject_id=subject.id,
                    organisation_id=organisation.id,
                    session_id=session.id,
                    status=ReferralStatus.SENT,
                    sent_at=sent_at,
                    sent_by_id=officer_id,
                )
            )
        db.session.flush()
    return len(slots)


def hand_drafts_to_caseworkers(officer_ids: list, caseworker_ids: list) -> None:
    """Draft orders of the pending referrals belong to caseworkers (an earlier version of this script gave them to
    the signed-in officers)."""
    from sqlalchemy import select

    from portal.extensions import db
    from portal.models import Order, OrderStatus

    for order in db.session.scalars(
        select(Order).where(Order.status == OrderStatus.DRAFT, Order.officer_id.in_(officer_ids))
    ):
        order.officer_id = caseworker_ids[order.subject_id % len(caseworker_ids)]
    db.session.flush()


def officer_subjects(rng: random.Random, officers: list) -> dict[int, list[int]]:
    """Subjects each officer is working on: homes at real postcodes across Great Britain, near seeded venues."""
    from sqlalchemy import select

    from portal.extensions import db
    from portal.models import Organisation, Venue

    venues = list(
        db.session.scalars(
            select(Venue).join(Organisation).where(Organisation.name.like("Synthetic %")).order_by(Venue.id)
        )
    )
    picks = random.Random(8).sample(venues, len(officers) * SUBJECTS_PER_OFFICER)
    found: dict[int, list[int]] = {}
    for number, officer in enumerate(officers, start=1):
        found[officer.id] = []
        for index in range(1, SUBJECTS_PER_OFFICER + 1):
            home = picks[(number - 1) * SUBJECTS_PER_OFFICER + index - 1]
            gender = "female" if (number + index) % 3 == 0 else "male"
            subject = make_subject(
                rng, f"{REFERENCE_PREFIX}O{number:02d}-{index}", home, officer.id, gender, 13 + (number + index) % 5
            )
            found[officer.id].append(subject.id)
    return found


def sample_postcodes() -> list[str]:
    from sqlalchemy import select

    from portal.extensions import db
    from portal.infra.geo import geocode
    from portal.models import Venue

    postcodes = sorted(set(db.session.scalars(select(Venue.postcode).order_by(Venue.id).limit(20000))))
    usable = [postcode for postcode in postcodes if geocode(postcode) is not None]  # as the search form checks
    return random.Random(9).sample(usable, min(200, len(usable)))


def prepare_fixtures() -> dict:
    from portal.extensions import db
    from portal.infra.passwords import hash_password

    rng = random.Random(20261127)
    password_hash = hash_password(PASSWORD)
    officers = [
        upsert_user(officer_email(n), f"Load Officer {n:02d}", "officer", None, password_hash)
        for n in range(1, OFFICERS + 1)
    ]
    officer_ids = [officer.id for officer in officers]
    # Colleagues who never sign in during the run: they own most orders, so a signed-in officer has a realistic
    # caseload (CASELOAD made orders) rather than a share of every order in the database.
    caseworker_ids = [
        upsert_user(caseworker_email(n), f"Load Caseworker {n:02d}", "officer", None, password_hash).id
        for n in range(1, CASEWORKERS + 1)
    ]
    organisations = partner_organisations(PARTNERS)
    partners = [
        upsert_user(partner_email(n), f"Load Partner {n:02d}", "partner", organisation.id, password_hash)
        for n, organisation in enumerate(organisations, start=1)
    ]
    subjects_by_officer = officer_subjects(rng, officers)
    register_sessions = {
        organisation.id: ensure_register_subjects(rng, n, organisation, (officer_ids, caseworker_ids))
        for n, organisation in enumerate(organisations, start=1)
    }
    added = top_up_pending_referrals(rng, organisations, register_sessions, caseworker_ids)
    hand_drafts_to_caseworkers(officer_ids, caseworker_ids)
    db.session.commit()
    print(f"Load fixtures: {len(officers)} officers, {len(partners)} partners, {added} new pending referrals")
    return {
        "password": PASSWORD,
        "totp": any(getattr(user, "totp_secret", None) for user in officers),
        "officers": [
            {
                "email": user.email,
                "totp_secret": totp_secret_for(user.email),
                "subject_ids": subjects_by_officer[user.id],
            }
            for user in officers
        ],
        "partners": [
            {
                "email": user.email,
                "totp_secret": totp_secret_for(user.email),
                "organisation_id": user.organisation_id,
                "register_session_ids": register_sessions[user.organisation_id],
            }
            for user in partners
        ],
        "postcodes": sample_postcodes(),
    }


# --------------------------------------------------------------------------- counts


def counts() -> dict[str, int]:
    from sqlalchemy import text

    from portal.extensions import db
    from portal.models import AuthSession

    verified = "mfa_verified_at IS NOT NULL" if hasattr(AuthSession, "mfa_verified_at") else "true"
    result = {}
    for name, query in COUNT_QUERIES.items():
        result[name] = db.session.execute(text(query.format(verified=verified))).scalar_one()
    db.session.rollback()
    return result


def app_context():
    os.environ["DATABASE_URL"] = LOAD_URL
    os.environ.setdefault("PORTAL_ENV", "development")
    if os.environ["PORTAL_ENV"] == "production":
        os.environ["PORTAL_ENV"] = "development"  # the CLI side needs no production cookie settings
    from portal import create_app

    return create_app().app_context()


def main(argv: list[str]) -> None:
    refuse_unsafe_target(LOAD_URL)
    if argv[:1] == ["counts"]:
        with app_context():
            data = counts()
        text_out = json.dumps(data, indent=2)
        if len(argv) > 1:
            Path(argv[1]).write_text(text_out + "\n")
        print(text_out)
        return
    OUT.mkdir(parents=True, exist_ok=True)
    ensure_database(LOAD_URL)
    flask_cli("db", "upgrade")
    with app_context():
        needs_seed = not seeded_enough()
    if needs_seed:
        flask_cli("seed", "--scale", str(SCALE))
    else:
        print(f"Seed: already at --scale {SCALE}")
    with app_context():
        from portal.database import refresh_planner_statistics

        accounts = prepare_fixtures()
        refresh_planner_statistics()  # the fixtures, and every run's writes, grow tables the planner must know of
    accounts["database"] = database_name(LOAD_URL)
    (OUT / "accounts.json").write_text(json.dumps(accounts, indent=2) + "\n")
    print(f"Wrote {OUT / 'accounts.json'}")


if __name__ == "__main__":
    main(sys.argv[1:])
