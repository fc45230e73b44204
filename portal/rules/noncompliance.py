"""Which failures to comply with an order are raised for the officer to review (pure data, no web or database code).

These are local policy, not law. The under-18 examples of a failure that is "more than trivial" come from the Met's
KCPO partner guide (domain rules, section H, rule 18), not from the Act or statutory guidance, so every threshold and
its wording is admin-editable. A finding is a non-compliance report to draft: deciding whether it is a breach is for
the police and the CPS. Acceptable absences and sessions the provider cancelled never count.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time

from portal.rules.dates import age_on

WEEKDAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")

# Rule codes: stored on each report as `rule_code`.
U18_ABSENCES = "u18-absences"
U18_CURFEW = "u18-curfew"
U18_PROHIBITION = "u18-prohibition"
ADULT_ABSENCE = "adult-absence"
ADULT_CURFEW = "adult-curfew"
ADULT_PROHIBITION = "adult-prohibition"

RULE_NAMES = {
    U18_ABSENCES: "Under 18: missed sessions of a required activity",
    U18_CURFEW: "Under 18: curfew missed by more than the threshold",
    U18_PROHIBITION: "Under 18: a prohibition contravened",
    ADULT_ABSENCE: "18 or over: a missed session",
    ADULT_CURFEW: "18 or over: curfew missed",
    ADULT_PROHIBITION: "18 or over: a prohibition contravened",
}

# Event kinds (the values of models.ComplianceEventKind, repeated here so this module stays free of the database).
CURFEW = "curfew"
PROHIBITED_PLACE = "prohibited-place"
PROHIBITED_PERSON = "prohibited-person"
OTHER_PROHIBITION = "other-prohibition"
PROHIBITION_KINDS = (PROHIBITED_PLACE, PROHIBITED_PERSON, OTHER_PROHIBITION)
EVENT_NAMES = {
    CURFEW: "Curfew",
    PROHIBITED_PLACE: "In a prohibited place",
    PROHIBITED_PERSON: "With a prohibited person",
    OTHER_PROHIBITION: "Another prohibition",
}

ABSENT = "absent"  # models.AttendanceStatus.ABSENT; "cancelled" is the provider's, "late" is attendance

ADULT_AGE = 18


@dataclass(frozen=True)
class NonCompliancePolicy:
    """Local policy, not law: when a failure is raised for the officer to review, and how each rule is worded."""

    under18_absences_threshold: int = 2  # unacceptable absences from the same required activity
    under18_curfew_minutes: int = 15  # reported when MORE than this many minutes late
    under18_prohibition_breach: bool = True  # a prohibited place, person or other prohibition is raised
    adults_report_any_failure: bool = True  # False: adults are held to the under-18 thresholds
    wording_absences: str = (
        "Failing to attend two or more sessions of an activity stated in a requirement is normally more than trivial."
    )
    wording_curfew: str = "Failing to obey a curfew by more than 15 minutes is normally more than trivial."
    wording_prohibition: str = (
        "Being in a prohibited place, associating with a prohibited person or contravening any other prohibition "
        "is normally more than trivial."
    )
    wording_adults: str = "For someone aged 18 or over, any failure to comply is raised for the officer to review."

    def __post_init__(self) -> None:
        if self.under18_absences_threshold < 1:
            raise ValueError("The number of missed sessions must be 1 or more")
        if self.under18_curfew_minutes < 0:
            raise ValueError("The curfew threshold cannot be negative")


@dataclass(frozen=True)
class MarkFacts:
    """A current attendance mark, with the requirement it is for."""

    id: int
    requirement_id: int
    on_date: date
    status: str  # attended | late | absent | cancelled
    absence_acceptable: bool | None = None  # None: no acceptable reason recorded
    absence_reason: str = ""
    contact_attempts: str = ""
    evidence_note: str = ""
    minutes_late: int | None = None
    activity: str = ""
    place_name: str = ""
    start_time: time | None = None
    end_time: time | None = None

    @property
    def unacceptable_absence(self) -> bool:
        return self.status == ABSENT and self.absence_acceptable is not True


@dataclass(frozen=True)
class EventFacts:
    """Something recorded outside the register: a curfew missed, a prohibited place or person, another prohibition."""

    id: int
    kind: str  # curfew | prohibited-place | prohibited-person | other-prohibition
    occurred_at: datetime
    minutes_late: int | None = None  # curfew only; None: the time home was not recorded
    description: str = ""


@dataclass(frozen=True)
class Finding:
    rule_code: str
    requirement_id: int | None
    facts: str  # what happened: sessions, dates, times, marks, minutes late, reasons given, contact attempts
    mark_ids: tuple[int, ...] = ()
    event_ids: tuple[int, ...] = ()
    dates: tuple[date, ...] = ()
    rule_wording: str = ""  # why it was raised: the local policy it was raised under, kept apart from the facts
    under_18: bool = False

    @property
    def evidence_ids(self) -> tuple[int, ...]:
        return self.mark_ids + self.event_ids

    @property
    def evidence_key(self) -> frozenset[str]:
        """What the finding rests on, in a form that stays the same however often it is evaluated."""
        if self.mark_ids:  # a session is one requirement on one date, whichever revision of its mark is current
            return frozenset(f"session:{self.requirement_id}:{day.isoformat()}" for day in self.dates)
        return frozenset(f"event:{event_id}" for event_id in self.event_ids)


AgeOn = Callable[[date], int]


def age_from_birth(date_of_birth: date) -> AgeOn:
    return lambda day: age_on(date_of_birth, day)


def evaluate(
    age: AgeOn | int,
    marks: list[MarkFacts],
    events: list[EventFacts],
    policy: NonCompliancePolicy | None = None,
) -> list[Finding]:
    """The findings to raise. `age` is the subject's age on a given day (or a fixed age): it is taken on the date of
    each failure, so a failure before the 18th birthday is judged by the under-18 rules."""
    policy = policy or NonCompliancePolicy()
    age_on_day: AgeOn = (lambda _day: age) if isinstance(age, int) else age
    return [
        *_absence_findings(age_on_day, marks, policy),
        *_event_findings(age_on_day, events, policy),
    ]


def _absence_findings(age_on_day: AgeOn, marks: list[MarkFacts], policy: NonCompliancePolicy) -> list[Finding]:
    findings: list[Finding] = []
    by_requirement: dict[int, list[MarkFacts]] = {}
    for mark in sorted(marks, key=lambda m: (m.requirement_id, m.on_date, m.id)):
        if mark.unacceptable_absence:
            by_requirement.setdefault(mark.requirement_id, []).append(mark)
    for requirement_id, absences in by_requirement.items():
        young = [mark for mark in absences if age_on_day(mark.on_date) < ADULT_AGE]
        adult = [mark for mark in absences if age_on_day(mark.on_date) >= ADULT_AGE]
        if young and len(young) >= policy.under18_absences_threshold:
            findings.append(
                _absences_finding(U18_ABSENCES, requirement_id, young, policy.wording_absences, True, policy)
            )
        if not adult:
            continue
        if policy.adults_report_any_failure:
            findings.extend(
                _absences_finding(ADULT_ABSENCE, requirement_id, [mark], policy.wording_adults, False, policy)
                for mark in adult
            )
        elif len(adult) >= policy.under18_absences_threshold:
            findings.append(
                _absences_finding(ADULT_ABSENCE, requirement_id, adult, policy.wording_absences, False, policy)
            )
    return findings


def _event_findings(age_on_day: AgeOn, events: list[EventFacts], policy: NonCompliancePolicy) -> list[Finding]:
    findings: list[Finding] = []
    for event in sorted(events, key=lambda e: (e.occurred_at, e.id)):
        young = age_on_day(event.occurred_at.date()) < ADULT_AGE
        adults_any = not young and policy.adults_report_any_failure
        if event.kind == CURFEW:
            threshold = 0 if adults_any else policy.under18_curfew_minutes
            if event.minutes_late is not None and event.minutes_late <= threshold:
                continue
            code = U18_CURFEW if young else ADULT_CURFEW
            wording = policy.wording_adults if adults_any else policy.wording_curfew
        elif event.kind in PROHIBITION_KINDS:
            if not adults_any and not policy.under18_prohibition_breach:
                continue
            code = U18_PROHIBITION if young else ADULT_PROHIBITION
            wording = policy.wording_adults if adults_any else policy.wording_prohibition
        else:
            continue
        findings.append(
            Finding(
                rule_code=code,
                requirement_id=None,
                facts=event_facts_text(event),
                event_ids=(event.id,),
                dates=(event.occurred_at.date(),),
                rule_wording=wording,
                under_18=young,
            )
        )
    return findings


def _absences_finding(
    code: str,
    requirement_id: int,
    absences: list[MarkFacts],
    wording: str,
    under_18: bool,
    policy: NonCompliancePolicy,
) -> Finding:
    return Finding(
        rule_code=code,
        requirement_id=requirement_id,
        facts=absences_facts_text(absences, policy, under_18),
        mark_ids=tuple(mark.id for mark in absences),
        dates=tuple(mark.on_date for mark in absences),
        rule_wording=wording,
        under_18=under_18,
    )


# The facts: what was recorded, as recorded. No opinion, no assessment, no rule wording.


def _day(value: date) -> str:
    return f"{WEEKDAY_NAMES[value.weekday()]} {value.day} {value:%B %Y}"


def _clock(value: time | None) -> str:
    return "" if value is None else f"{value:%H:%M}"


def absences_facts_text(absences: list[MarkFacts], policy: NonCompliancePolicy, under_18: bool) -> str:
    first = absences[0]
    times = f", {_clock(first.start_time)} to {_clock(first.end_time)}" if first.start_time else ""
    lines = [
        f"Requirement: {first.activity or 'required activity'}"
        + (f" at {first.place_name}" if first.place_name else "")
        + times,
        f"Unacceptable absences recorded: {len(absences)}"
        + (f" (local policy threshold: {policy.under18_absences_threshold})" if under_18 else ""),
    ]
    for mark in absences:
        lines.append(f"- Session on {_day(mark.on_date)}{times}: marked absent.")
        lines.append(f"  Reason given: {mark.absence_reason.strip() or 'none recorded'}.")
        acceptable = "not yet decided" if mark.absence_acceptable is None else "no"
        lines.append(f"  Absence accepted by the supervisor: {acceptable}.")
        lines.append(f"  Contact attempts: {mark.contact_attempts.strip() or 'none recorded'}.")
        if mark.evidence_note.strip():
            lines.append(f"  Supervisor's note: {mark.evidence_note.strip()}.")
    return "\n".join(lines)


def event_facts_text(event: EventFacts) -> str:
    when = f"{_day(event.occurred_at.date())} at {event.occurred_at:%H:%M}"
    lines = [f"{EVENT_NAMES.get(event.kind, event.kind)}: {when}."]
    if event.kind == CURFEW:
        late = "not recorded" if event.minutes_late is None else f"{event.minutes_late}"
        lines.append(f"Minutes late: {late}.")
    if event.description.strip():
        lines.append(f"What was recorded: {event.description.strip()}")
    return "\n".join(lines)
