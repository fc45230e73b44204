"""Builders for test data. Each opens its own app context, commits, and returns the new row's id."""

import itertools
from datetime import date, time
from typing import Any

from flask import Flask

from portal.data import catalogue
from portal.extensions import db
from portal.infra.passwords import hash_password
from portal.models import Organisation, OrganisationStatus, Programme, ProgrammeSession, Role, User, Venue
from portal.rules.schedule import london_today

TEST_PASSWORD = "a-long-test-password-42"
TEST_TOTP_SECRET = "TESTTESTTESTTESTTESTTESTTESTTEST"  # every factory user's authenticator key
_numbers = itertools.count(1)


class Factory:
    def __init__(self, app: Flask) -> None:
        self.app = app

    def _add(self, row: Any) -> int:
        with self.app.app_context():
            db.session.add(row)
            db.session.flush()
            catalogue.mark_changed()
            db.session.commit()
            return row.id

    def organisation(self, status: str = OrganisationStatus.APPROVED, **fields: Any) -> int:
        number = next(_numbers)
        values = {
            "name": f"Test Organisation {number}",
            "kind": "charity",
            "borough": "Tower Hamlets",
            "address": "1 Roman Road, London",
            "postcode": "E3 2AA",
            "email": f"org{number}@example.org",
            "phone": "020 7946 0000",
            "description": "Runs things for young people.",
            "status": status,
        }
        return self._add(Organisation(**(values | fields)))

    def user(self, role: str, organisation_id: int | None = None, **fields: Any) -> int:
        number = next(_numbers)
        if role == Role.PARTNER and organisation_id is None:
            organisation_id = self.organisation()
        values = {
            "email": f"user{number}@example.org",
            "full_name": f"Test User {number}",
            "role": Role(role),
            "password_hash": hash_password_for_tests(self.app),
            "totp_secret": TEST_TOTP_SECRET,
            "organisation_id": organisation_id,
            "unit": "Gangs Unit" if role == Role.OFFICER else "",
            "borough": "Tower Hamlets" if role == Role.OFFICER else "",
        }
        return self._add(User(**(values | fields)))

    def venue(
        self,
        organisation_id: int,
        postcode: str = "E3 2AA",
        easting: int = 536823,
        northing: int = 183099,
        **fields: Any,
    ) -> int:
        values = {"name": f"Venue {next(_numbers)}", "address": "1 Roman Road, London"}
        return self._add(
            Venue(
                organisation_id=organisation_id,
                postcode=postcode,
                easting=easting,
                northing=northing,
                **(values | fields),
            )
        )

    def programme(self, organisation_id: int, sessions: int = 1, venue_id: int | None = None, **fields: Any) -> int:
        values = {
            "title": f"Programme {next(_numbers)}",
            "description": "Weekly coaching for young people.",
            "activity_types": ["football"],
            "tags": [],
            "min_age": 12,
            "max_age": 18,
            "capacity": 10,
            "languages": ["en"],
            "provisions": [],
            "referral_process": "Email the coordinator.",
            "supervisor_name": "Sam Coach",
            "supervisor_role": "Head coach",
            "supervisor_email": "sam@example.org",
            "supervisor_phone": "020 7946 0001",
            "valid_from": date(2026, 1, 1),
            "valid_to": None,
            "assured_on": date(2026, 11, 1),
        }
        venue_id = venue_id or self.venue(organisation_id)
        programme = Programme(organisation_id=organisation_id, **(values | fields))
        programme.sessions = [
            ProgrammeSession(
                venue_id=venue_id,
                weekday=index % 7,
                start_time=time(17, 0),
                end_time=time(19, 0),
                term_start=date(2026, 9, 1),
                term_end=None,
            )
            for index in range(sessions)
        ]
        return self._add(programme)

    def subject(self, **fields: Any) -> int:
        from portal.models import Subject, SubjectCategory

        number = next(_numbers)
        values = {
            "reference": f"MPS-TEST-{number:04d}",
            "first_name": "Jordan",
            "last_name": f"Tester{number}",
            "date_of_birth": date(london_today().year - 16, 1, 1),
            "gender": "male",
            "home_postcode": "E3 2AA",
            "home_easting": 536823,
            "home_northing": 183099,
            "category": SubjectCategory.SUSPECT,
            "languages": ["en"],
        }
        return self._add(Subject(**(values | fields)))

    def session_ids(self, programme_id: int) -> list[int]:
        """The ids of a programme's weekly sessions."""
        from sqlalchemy import select

        with self.app.app_context():
            query = select(ProgrammeSession.id).where(ProgrammeSession.programme_id == programme_id)
            return list(db.session.scalars(query.order_by(ProgrammeSession.id)))

    def order(self, subject_id: int | None = None, **fields: Any) -> int:
        from portal.models import Order

        values = {
            "subject_id": subject_id or self.subject(),
            "proposed_start": date(2026, 10, 1),
            "duration_months": 12,
        }
        return self._add(Order(**(values | fields)))

    def requirement(self, order_id: int | None = None, session_id: int | None = None, **fields: Any) -> int:
        """A 'participate' requirement, at a programme session (its place, time and supervisor) when one is given."""
        from portal.models import Requirement, RequirementKind

        values: dict[str, Any] = {
            "kind": RequirementKind.PARTICIPATE,
            "activity": "Take part in weekly football coaching",
            "place_name": "Roman Road Gym",
            "weekday": 1,
            "start_time": time(17, 0),
            "end_time": time(19, 0),
            "supervisor_name": "Sam Coach",
            "starts_on": date(2026, 10, 6),
            "ends_on": date(2027, 3, 30),
        }
        if session_id is not None:
            with self.app.app_context():
                session = db.session.get(ProgrammeSession, session_id)
                values |= {
                    "programme_id": session.programme_id,
                    "session_id": session.id,
                    "place_name": session.venue.name,
                    "place_address": session.venue.address,
                    "place_postcode": session.venue.postcode,
                    "weekday": session.weekday,
                    "start_time": session.start_time,
                    "end_time": session.end_time,
                    "supervisor_name": session.programme.supervisor_name,
                    "supervisor_organisation_id": session.programme.organisation_id,
                }
        return self._add(Requirement(order_id=order_id or self.order(), **(values | fields)))

    def referral(self, session_id: int, requirement_id: int | None = None, status: str = "sent", **fields: Any) -> int:
        """A referral of a requirement at this session, in any status, written directly (no audit, no checks)."""
        from portal.models import Referral, Requirement

        requirement_id = requirement_id or self.requirement(session_id=session_id)
        with self.app.app_context():
            requirement = db.session.get(Requirement, requirement_id)
            session = db.session.get(ProgrammeSession, session_id)
            values = {
                "requirement_id": requirement_id,
                "subject_id": requirement.order.subject_id,
                "organisation_id": session.programme.organisation_id,
                "session_id": session_id,
                "status": status,
            }
        return self._add(Referral(**(values | fields)))

    def mark(self, requirement_id: int, on_date: date, status: str = "attended", **fields: Any) -> int:
        """An attendance mark written directly (no audit, no evaluation): the current mark unless told otherwise."""
        from portal.models import AttendanceMark

        return self._add(AttendanceMark(requirement_id=requirement_id, on_date=on_date, status=status, **fields))

    def weekly_session(self, organisation_id: int, weekday: int, **fields: Any) -> int:
        """A programme with one weekly session on `weekday` (17:00-19:00 unless told); returns the session's id."""
        session_id = self.session_ids(self.programme(organisation_id))[0]
        with self.app.app_context():
            session = db.session.get(ProgrammeSession, session_id)
            for name, value in ({"weekday": weekday} | fields).items():
                setattr(session, name, value)
            db.session.commit()
        return session_id

    def active_requirement(
        self, session_id: int, made_on: date, subject_id: int | None = None, duration_months: int = 12, **fields: Any
    ) -> int:
        """A requirement at this session under an order the court made on `made_on`, its referral `active`: the
        subject is expected at the session from then on. Its own dates are unset unless given. Returns its id."""
        from portal.models import OrderStatus

        order_id = self.order(subject_id, status=OrderStatus.MADE, made_on=made_on, duration_months=duration_months)
        requirement_id = self.requirement(
            order_id, session_id=session_id, **({"starts_on": None, "ends_on": None} | fields)
        )
        self.referral(session_id, requirement_id=requirement_id, status="active")
        return requirement_id

    def get(self, model: type, row_id: Any) -> Any:
        with self.app.app_context():
            row = db.session.get(model, row_id)
            if row is not None:
                db.session.expunge(row)
            return row

    def count(self, model: type) -> int:
        from sqlalchemy import func, select

        with self.app.app_context():
            return db.session.scalar(select(func.count()).select_from(model))


def hash_password_for_tests(app: Flask) -> str:
    with app.app_context():
        return hash_password(TEST_PASSWORD)
