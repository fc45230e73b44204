"""The facts a draft Knife Crime Prevention Order is checked and worded from (pure data, no web or database code).

Times are minutes since midnight, weekday 0 is Monday, coordinates are British National Grid metres.
"""

from dataclasses import dataclass, field
from datetime import date, datetime

from portal.rules.dates import age_on
from portal.rules.orders.period import OrderPeriod

WEEKDAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")

# Codes of checks that rest on unverified readings of s.22 (domain rules 9, 10 and 12): an admin may report
# them as warnings instead of problems. Checks grounded in verified statute text can never be demoted.
DEMOTABLE_CODES = frozenset(
    {"clash_commitment", "clash_observance", "clash_curfew", "requirements_overlap", "supervisor_not_confirmed"}
)


@dataclass(frozen=True)
class WindowFacts:
    weekday: int
    start: int
    end: int
    kind: str  # school | college | work | observance
    label: str


@dataclass(frozen=True)
class OccasionFacts:
    occurred_on: date
    location_type: str  # public-place | school-premises | further-education
    summary: str = ""
    good_reason_claimed: str = ""


@dataclass(frozen=True)
class ProgrammeFacts:
    """The programme a requirement was referred to: who it takes and when its sessions run."""

    title: str
    min_age: int
    max_age: int
    valid_from: date
    valid_to: date | None
    term_start: date
    term_end: date | None

    @property
    def first_day(self) -> date:
        return max(self.valid_from, self.term_start)

    @property
    def last_day(self) -> date | None:
        return min((day for day in (self.valid_to, self.term_end) if day), default=None)


@dataclass(frozen=True)
class RequirementFacts:
    id: int
    kind: str  # be-at-place | present-to-person | participate
    activity: str
    place_name: str
    place_address: str
    place_postcode: str
    easting: float | None
    northing: float | None
    weekday: int | None  # None = any day
    start: int
    end: int
    starts_on: date | None  # None = the order's own start
    ends_on: date | None  # None = the order's own end
    supervisor_name: str
    supervisor_organisation: str | None
    referral_status: str | None  # sent|viewed|accepted|declined|active|completed|withdrawn; None = hand-added
    confirmed_by: str | None
    confirmed_at: datetime | None
    co_attendee_subject_ids: tuple[int, ...]
    necessity_rationale: str
    programme: ProgrammeFacts | None = None  # None for a requirement added by hand


@dataclass(frozen=True)
class ProhibitionFacts:
    id: int
    kind: str  # place | person | activity | article | internet
    description: str
    exceptions: str
    easting: float | None
    northing: float | None
    radius_m: float | None
    person_subject_id: int | None
    person_label: str
    starts_on: date | None
    ends_on: date | None
    place_postcode: str = ""  # the centre of a place prohibition, for the wording


@dataclass(frozen=True)
class LegalBasisFacts:
    police_area: str
    regulation: str
    valid_from: date
    valid_to: date | None


@dataclass(frozen=True)
class Policy:
    """Local policy, admin-editable and labelled as policy, not law."""

    min_months: int = 6  # s.23 [V]
    max_months: int = 24  # s.23 [V]
    travel_speed_kmh: float = 15.0
    travel_buffer_minutes: int = 10
    under18_review_every_months: int | None = 4  # [U] extra reviews for under-18s; None = none
    # [U] rule 10: clashes with school, college or work block; religious observance only warns by default.
    reported_as_warnings: frozenset[str] = field(default_factory=lambda: frozenset({"clash_observance"}))

    def __post_init__(self) -> None:
        not_demotable = self.reported_as_warnings - DEMOTABLE_CODES
        if not_demotable:
            raise ValueError(f"These checks rest on statute and cannot be made warnings: {sorted(not_demotable)}")
        if not 0 < self.min_months <= self.max_months:
            raise ValueError("The minimum order length must be positive and no more than the maximum")


@dataclass(frozen=True)
class OrderFacts:
    route: str  # s14 | s19
    police_area: str
    applicant: str
    court: str
    proposed_start: date | None
    start_on_release: bool
    duration_months: int
    necessity_statement: str
    conviction_offence: str
    conviction_date: date | None
    sentence: str
    yot_team: str
    yot_consulted_on: date | None
    yot_outcome: str
    guardian_name: str
    guardian_relationship: str
    guardian_absent_reason: str
    subject_reference: str
    subject_name: str
    subject_date_of_birth: date
    subject_windows: tuple[WindowFacts, ...]
    curfew: tuple[int, int] | None  # may cross midnight, e.g. (1260, 420)
    non_associate_ids: tuple[int, ...]
    occasions: tuple[OccasionFacts, ...]
    requirements: tuple[RequirementFacts, ...]
    prohibitions: tuple[ProhibitionFacts, ...]
    legal_bases: tuple[LegalBasisFacts, ...]
    today: date
    made_on: date | None = None
    subject_postcode: str = ""

    @property
    def period(self) -> OrderPeriod:
        return OrderPeriod.of(self.proposed_start, self.start_on_release, self.duration_months, self.made_on)

    @property
    def start(self) -> date | None:
        """The day the order takes effect; unknown (None) while it waits for release from custody."""
        return self.period.start

    @property
    def end(self) -> date | None:
        """The last day the order has effect (see `period_end`)."""
        return self.period.end

    @property
    def making_date(self) -> date:
        """The day the court makes the order: the start, or today while the start waits for release."""
        return self.start or self.today

    def subject_age_on(self, day: date) -> int:
        return age_on(self.subject_date_of_birth, day)


def format_date(day: date) -> str:
    """'1 March 2026', the way court documents write dates."""
    return f"{day.day} {day:%B %Y}"


def format_time(minutes: int) -> str:
    return f"{minutes // 60 % 24:02d}:{minutes % 60:02d}"
