"""Calendar feeds: an unguessable, revocable iCalendar URL an officer or partner subscribes to in their own calendar.

The token is the only credential: it is shown once when the feed is made and stored only as its hash. The URL holds
nothing else. Each fetch is audited as a consultation by the feed's owner.

An officer's feed covers one subject's requirement sessions under a made order; a partner's feed covers its
organisation's sessions with the young people referred there, and shows only what a partner may see: programme,
place, time and the allow-listed short name ("Ayaan K."). Events are the expanded occurrences (the same dates the
registers expect: `portal.rules.schedule`), as local times in Europe/London with a VTIMEZONE, so a 17:00
session stays at 17:00 across the clock changes.
"""

from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

from icalendar import Calendar, Event
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from portal.data import audit, short_name
from portal.extensions import db
from portal.infra.passwords import new_token, token_hash
from portal.models import (
    CalendarFeed,
    Order,
    OrderStatus,
    Organisation,
    ProgrammeSession,
    Referral,
    ReferralStatus,
    Requirement,
    Role,
    SessionCancellation,
    Subject,
    User,
    utcnow,
)
from portal.rules.schedule import expected_dates, requirement_period

LONDON = ZoneInfo("Europe/London")
PRODUCT_ID = "-//KCPO partner portal//Calendar feed//EN"
UID_DOMAIN = "kcpo-portal"
# Partners see sessions of referrals in these states: the young person is, or is about to be, expected there.
PARTNER_FEED_REFERRALS = (ReferralStatus.ACCEPTED, ReferralStatus.ACTIVE)


@dataclass(frozen=True)
class Occurrence:
    uid: str
    on_date: date
    start_time: time
    end_time: time
    summary: str
    location: str
    description: str


# Feeds


def live_feed(
    user_id: int, *, subject_id: int | None = None, organisation_id: int | None = None
) -> CalendarFeed | None:
    return db.session.scalar(_live(user_id, subject_id, organisation_id).order_by(CalendarFeed.id.desc()))


def create_feed(
    user_id: int, *, subject_id: int | None = None, organisation_id: int | None = None, without_names: bool = False
) -> tuple[CalendarFeed, str]:
    """A new feed for this owner and scope, replacing (revoking) any live one. Returns the feed and its token:
    the token is not stored, so this is the only time it can be shown."""
    if (subject_id is None) == (organisation_id is None):
        raise ValueError("A feed is either for one subject or for one organisation")
    for old in db.session.scalars(_live(user_id, subject_id, organisation_id)):
        _revoke(old, replaced=True)
    token = new_token()
    feed = CalendarFeed(
        token_hash=token_hash(token),
        user_id=user_id,
        subject_id=subject_id,
        organisation_id=organisation_id,
        without_names=without_names,
    )
    db.session.add(feed)
    db.session.flush()
    audit.record(
        audit.COLLECTION,
        "calendar-feed",
        feed.id,
        user_id=user_id,
        purpose="calendar feed created",
        subject_id=subject_id,
        feed_organisation_id=organisation_id,
        without_names=without_names,
    )
    return feed, token


def revoke_feed(user_id: int, *, subject_id: int | None = None, organisation_id: int | None = None) -> bool:
    """Stop the owner's live feed for this scope; its URL then gives 404. False when there was none."""
    feeds = list(db.session.scalars(_live(user_id, subject_id, organisation_id)))
    for feed in feeds:
        _revoke(feed)
    return bool(feeds)


def feed_for_token(token: str) -> CalendarFeed | None:
    """The live feed this token opens, or None: unknown, revoked, or its owner may no longer see it."""
    if not token or len(token) > 100:
        return None
    feed = db.session.scalar(
        select(CalendarFeed).where(CalendarFeed.token_hash == token_hash(token), CalendarFeed.revoked_at.is_(None))
    )
    if feed is None:
        return None
    owner = db.session.get(User, feed.user_id)
    if owner is None or owner.is_disabled:
        return None
    if feed.subject_id is not None:
        return feed if owner.role == Role.OFFICER else None
    organisation = db.session.get(Organisation, feed.organisation_id) if feed.organisation_id else None
    allowed = (
        owner.role == Role.PARTNER
        and organisation is not None
        and owner.organisation_id == organisation.id
        and organisation.is_approved
    )
    return feed if allowed else None


def feed_calendar(feed: CalendarFeed) -> bytes:
    """The feed as iCalendar bytes; reading it is a consultation by the feed's owner, and is audited."""
    if feed.subject_id is not None:
        occurrences, detail = officer_occurrences(feed.subject_id, feed.without_names)
    else:
        occurrences, detail = partner_occurrences(feed.organisation_id, feed.without_names)
    owner = db.session.get(User, feed.user_id)
    audit.record(
        audit.CONSULTATION,
        "calendar-feed",
        feed.id,
        user_id=feed.user_id,
        organisation_id=owner.organisation_id if owner else None,
        purpose="calendar feed",
        events=len(occurrences),
        **detail,
    )
    name = "KCPO sessions" if feed.subject_id is not None else "KCPO sessions: referred young people"
    return to_ical(occurrences, name)


# Occurrences


def officer_occurrences(subject_id: int, without_names: bool = False) -> tuple[list[Occurrence], dict]:
    """Every session the subject is expected at under a made order; the officer's own feed, so it names them unless
    made without names."""
    subject = db.session.get(Subject, subject_id)
    if subject is None:
        return [], {"subject_id": subject_id}
    orders = db.session.scalars(
        select(Order)
        .where(Order.subject_id == subject_id, Order.status == OrderStatus.MADE)
        .options(selectinload(Order.requirements))
    ).all()
    requirements = [requirement for order in orders for requirement in order.requirements]
    name = short_name(subject.first_name, subject.last_name)
    skipped = _skipped_dates({r.session_id for r in requirements if r.session_id})
    found = []
    for requirement in requirements:
        order = requirement.order
        for day in _requirement_dates(requirement, skipped):
            found.append(
                Occurrence(
                    uid=f"requirement-{requirement.id}-{day.isoformat()}@{UID_DOMAIN}",
                    on_date=day,
                    start_time=requirement.start_time,
                    end_time=requirement.end_time,
                    summary=requirement.activity if without_names else f"{name}: {requirement.activity}",
                    location=_place(requirement.place_name, requirement.place_address, requirement.place_postcode),
                    description=(
                        f"Requirement of KCPO order O-{order.id} (supervisor: {requirement.supervisor_name}).\n"
                        f"Sign in to the portal for details: /subjects/{subject.id}"
                    ),
                )
            )
    found.sort(key=lambda item: (item.on_date, item.start_time, item.uid))
    return found, {"subject_id": subject_id, "requirement_ids": [r.id for r in requirements]}


def partner_occurrences(organisation_id: int | None, without_names: bool = False) -> tuple[list[Occurrence], dict]:
    """The organisation's sessions that referred young people attend, with their short names (or, without names,
    how many) and nothing else."""
    referrals = db.session.scalars(
        select(Referral)
        .where(
            Referral.organisation_id == organisation_id,
            Referral.status.in_(PARTNER_FEED_REFERRALS),
            Referral.session_id.is_not(None),
        )
        .options(
            selectinload(Referral.subject),
            selectinload(Referral.requirement).selectinload(Requirement.order),
            selectinload(Referral.session).selectinload(ProgrammeSession.programme),
            selectinload(Referral.session).selectinload(ProgrammeSession.venue),
        )
        .order_by(Referral.id)
    ).all()
    skipped = _skipped_dates({referral.session_id for referral in referrals})
    expected: dict[tuple[int, date], list[str]] = defaultdict(list)
    sessions: dict[int, ProgrammeSession] = {}
    for referral in referrals:
        sessions[referral.session.id] = referral.session
        name = short_name(referral.subject.first_name, referral.subject.last_name)
        for day in _requirement_dates(referral.requirement, skipped, referral.session):
            expected[(referral.session.id, day)].append(name)
    found = []
    for (session_id, day), names in expected.items():
        session = sessions[session_id]
        venue = session.venue
        found.append(
            Occurrence(
                uid=f"session-{session_id}-{day.isoformat()}@{UID_DOMAIN}",
                on_date=day,
                start_time=session.start_time,
                end_time=session.end_time,
                summary=session.programme.title,
                location=_place(venue.name, venue.address, venue.postcode),
                description=_expected(names, without_names),
            )
        )
    found.sort(key=lambda item: (item.on_date, item.start_time, item.uid))
    return found, {"referral_ids": [referral.id for referral in referrals]}


def to_ical(occurrences: list[Occurrence], name: str) -> bytes:
    calendar = Calendar()
    calendar.add("prodid", PRODUCT_ID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", name)
    calendar.add("x-wr-timezone", "Europe/London")
    stamp = datetime.now(UTC).replace(microsecond=0)
    for occurrence in occurrences:
        event = Event()
        event.add("uid", occurrence.uid)
        event.add("dtstamp", stamp)
        event.add("dtstart", datetime.combine(occurrence.on_date, occurrence.start_time, tzinfo=LONDON))
        event.add("dtend", datetime.combine(occurrence.on_date, occurrence.end_time, tzinfo=LONDON))
        event.add("summary", occurrence.summary)
        event.add("location", occurrence.location)
        event.add("description", occurrence.description)
        event.add("class", "PRIVATE")
        event.add("transp", "OPAQUE")
        calendar.add_component(event)
    if occurrences:
        calendar.add_missing_timezones()
    return calendar.to_ical()


# Helpers


def _expected(names: list[str], without_names: bool) -> str:
    if without_names:
        return f"Referred young people expected: {len(names)}"
    return "Referred young people expected: " + ", ".join(sorted(names))


def _live(user_id: int, subject_id: int | None, organisation_id: int | None):
    query = select(CalendarFeed).where(CalendarFeed.user_id == user_id, CalendarFeed.revoked_at.is_(None))
    if subject_id is not None:
        return query.where(CalendarFeed.subject_id == subject_id)
    return query.where(CalendarFeed.organisation_id == organisation_id, CalendarFeed.subject_id.is_(None))


def _revoke(feed: CalendarFeed, replaced: bool = False) -> None:
    feed.revoked_at = utcnow()
    audit.record(
        audit.ALTERATION,
        "calendar-feed",
        feed.id,
        change="revoked",
        reason="replaced by a new feed" if replaced else "revoked by its owner",
    )


def _skipped_dates(session_ids: set[int]) -> dict[int, list[date]]:
    """Dates a provider cancelled, by session: nobody is expected then."""
    cancelled: dict[int, list[date]] = defaultdict(list)
    if session_ids:
        rows = db.session.execute(
            select(SessionCancellation.session_id, SessionCancellation.on_date).where(
                SessionCancellation.session_id.in_(session_ids)
            )
        )
        for session_id, on_date in rows:
            cancelled[session_id].append(on_date)
    return cancelled


def _requirement_dates(
    requirement: Requirement, cancelled: dict[int, list[date]], session: ProgrammeSession | None = None
) -> list[date]:
    order = requirement.order
    period = requirement_period(requirement.starts_on, requirement.ends_on, order.made_on, order.duration_months)
    if period is None:
        return []
    if session is None and requirement.session_id is not None:
        session = db.session.get(ProgrammeSession, requirement.session_id)
    return expected_dates(
        requirement.weekday,
        period[0],
        period[1],
        session.term_start if session else None,
        session.term_end if session else None,
        session.exception_dates if session else (),
        cancelled.get(session.id, []) if session else (),
    )


def _place(*parts: str) -> str:
    return ", ".join(part for part in parts if part)
