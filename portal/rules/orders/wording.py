"""Court-ready wording for a draft order's terms, in the form of the Act's requirements and prohibitions (s.21)."""

from dataclasses import dataclass
from datetime import date

from portal.rules.orders.facts import (
    WEEKDAY_NAMES,
    OrderFacts,
    ProhibitionFacts,
    RequirementFacts,
    format_date,
    format_time,
)

INTERNET_PROHIBITION = "must not use the internet to encourage or facilitate crime involving bladed articles"


@dataclass(frozen=True)
class SupervisorRow:
    """One line of the schedule naming who supervises each requirement (domain rule 12)."""

    number: int
    supervisor: str
    organisation: str
    requirement: str
    confirmed_by: str
    confirmed_at: str

    def cells(self) -> tuple[str, str, str, str]:
        confirmation = f"{self.confirmed_by}, {self.confirmed_at}" if self.confirmed_by else "Not yet confirmed"
        return self.supervisor, self.organisation or "—", f"{self.number}. {self.requirement}", confirmation


SUPERVISOR_SCHEDULE_HEADINGS = ("Supervisor", "Organisation", "Requirement", "Confirmed by")


def time_range(start: int, end: int) -> str:
    return f"{format_time(start)}–{format_time(end)}"


def session_time(requirement: RequirementFacts) -> str:
    """'Tuesday 17:00–19:00' or 'Any day 17:00–19:00'."""
    day = "Any day" if requirement.weekday is None else WEEKDAY_NAMES[requirement.weekday]
    return f"{day} {time_range(requirement.start, requirement.end)}"


def session_label(requirement: RequirementFacts) -> str:
    """'Tuesday 17:00–19:00 at Bow Boxing Club'."""
    return f"{session_time(requirement)} at {requirement.place_name}"


def requirement_label(requirement: RequirementFacts) -> str:
    """'boxing coaching, Tuesday 17:00–19:00 at Bow Boxing Club': short enough for messages and tables."""
    return f"{requirement.activity}, {session_label(requirement)}"


def prohibition_label(prohibition: ProhibitionFacts) -> str:
    return prohibition.description or prohibition.person_label or f"{prohibition.kind} prohibition"


def own_period_wording(starts_on: date | None, ends_on: date | None) -> str:
    """' from 1 December 2026 until 31 May 2027', only for the parts a term sets for itself."""
    parts = []
    if starts_on is not None:
        parts.append(f" from {format_date(starts_on)}")
    if ends_on is not None:
        parts.append(f" until {format_date(ends_on)}")
    return "".join(parts)


def _venue(requirement: RequirementFacts) -> str:
    parts = (requirement.place_name, requirement.place_address, requirement.place_postcode)
    return ", ".join(part.strip() for part in parts if part.strip())


def _days(weekday: int | None) -> str:
    return "on any day" if weekday is None else f"on {WEEKDAY_NAMES[weekday]}s"


def _supervision(requirement: RequirementFacts) -> str:
    organisation = f" ({requirement.supervisor_organisation})" if requirement.supervisor_organisation else ""
    return f"supervised by {requirement.supervisor_name}{organisation}"


def _requirement_opening(requirement: RequirementFacts) -> str:
    openings = {
        "participate": f"must participate in {requirement.activity} at",
        "be-at-place": "must be at",
        "present-to-person": f"must present themselves to {requirement.supervisor_name} at",
    }
    if requirement.kind not in openings:
        raise ValueError(f"Unknown requirement kind {requirement.kind!r}")
    return openings[requirement.kind]


def requirement_wording(requirement: RequirementFacts) -> str:
    """'must participate in boxing coaching at Bow Boxing Club, 12 Roman Road, E3 2AA between 17:00 and 19:00 on
    Tuesdays, supervised by Dan Hughes (Bow Boxing Club)'."""
    times = f"between {format_time(requirement.start)} and {format_time(requirement.end)}"
    return (
        f"{_requirement_opening(requirement)} {_venue(requirement)} {times} {_days(requirement.weekday)}"
        f"{own_period_wording(requirement.starts_on, requirement.ends_on)}, {_supervision(requirement)}"
    )


def _whole_number(value: float) -> str:
    return f"{value:,.0f}"


def _place_prohibition(prohibition: ProhibitionFacts) -> str:
    if prohibition.radius_m is None:
        return f"must not enter {prohibition.description}"
    centre = prohibition.place_postcode.strip()
    if not centre and prohibition.easting is not None and prohibition.northing is not None:
        centre = f"grid reference {_whole_number(prohibition.easting)} E, {_whole_number(prohibition.northing)} N"
    described = f" ({prohibition.description})" if prohibition.description else ""
    return f"must not enter the area within {_whole_number(prohibition.radius_m)} metres of {centre}{described}"


def _prohibition_core(prohibition: ProhibitionFacts) -> str:
    if prohibition.kind == "place":
        return _place_prohibition(prohibition)
    if prohibition.kind == "person":
        return f"must not associate with {prohibition.person_label}"
    if prohibition.kind == "activity":
        return f"must not participate in {prohibition.description}"
    if prohibition.kind == "article":
        return f"must not use or have with them {prohibition.description}"
    if prohibition.kind == "internet":
        detail = f" ({prohibition.description})" if prohibition.description else ""
        return INTERNET_PROHIBITION + detail
    raise ValueError(f"Unknown prohibition kind {prohibition.kind!r}")


def prohibition_wording(prohibition: ProhibitionFacts) -> str:
    """'must not enter the area within 800 metres of E1 1BB (Whitechapel Road area), except …'."""
    exceptions = f", except {prohibition.exceptions.strip()}" if prohibition.exceptions.strip() else ""
    return (
        f"{_prohibition_core(prohibition)}{own_period_wording(prohibition.starts_on, prohibition.ends_on)}{exceptions}"
    )


def duration_wording(order: OrderFacts) -> str:
    """How long the order has effect and from when (s.23)."""
    length = f"{order.duration_months} month{'s' if order.duration_months != 1 else ''}"
    if order.start is not None and order.end is not None:
        return f"This order has effect for {length}, from {format_date(order.start)} until {format_date(order.end)}."
    if order.start_on_release:
        return f"This order has effect for {length}, beginning on the day of release from custody."
    return f"This order has effect for {length}, from the day the court makes it."


def _supervisor_row(number: int, requirement: RequirementFacts) -> SupervisorRow:
    confirmed_at = requirement.confirmed_at
    return SupervisorRow(
        number=number,
        supervisor=requirement.supervisor_name,
        organisation=requirement.supervisor_organisation or "",
        requirement=requirement_label(requirement),
        confirmed_by=requirement.confirmed_by or "",
        confirmed_at=f"{format_date(confirmed_at.date())} {confirmed_at:%H:%M}" if confirmed_at else "",
    )


def schedule_of_supervisors(order: OrderFacts) -> tuple[SupervisorRow, ...]:
    """The person or organisation responsible for each requirement, numbered as in the order."""
    return tuple(_supervisor_row(number, r) for number, r in enumerate(order.requirements, start=1))
