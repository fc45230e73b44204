"""The vectorised matcher: hard constraints as numpy masks, ranking as array arithmetic, English only for
what is returned."""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from functools import lru_cache

import numpy as np

from matching import explain, rules, scoring
from matching.catalogue import GENDER_CODES, NO_GENDER_CODE, EnrolmentIndex, PreparedCatalogue, index_enrolments
from matching.lazy import LazyItems, LazyMapping, LazyTuple, Once
from matching.model import DEFAULT_PLAN_SETTINGS, NO_FILTERS, Enrolment, MatchFilters, PlanSettings, SubjectProfile
from matching.plan import plan_week
from matching.results import (
    Exclusion,
    FeasibleSession,
    MatchResult,
    RuledOutSession,
    Suggestion,
    by_time,
    feasible_session,
    ruled_out_session,
)
from matching.text import Interest, parse_interests, programme_text

EXCLUSION_DETAIL_LIMIT = 200
NEARBY_RADIUS_M = 10_000.0
BIT = explain.CODE_BIT
SUBJECT_GENDER_CODES = {"male": GENDER_CODES["male"], "female": GENDER_CODES["female"]}


@dataclass(frozen=True)
class _Request:
    profile: SubjectProfile
    catalogue: PreparedCatalogue
    enrolments: EnrolmentIndex
    period: scoring.Period
    filters: MatchFilters

    @property
    def date_from(self) -> date:
        return self.period.date_from

    @property
    def date_to(self) -> date:
        return self.period.date_to

    @property
    def today(self) -> date:
        return self.period.today


@dataclass(frozen=True, eq=False)
class _Masks:
    distances: np.ndarray  # metres from home, per session
    session_bits: np.ndarray  # reason bits of session-level rules, per session
    programme_bits: np.ndarray  # reason bits of programme-level rules, per programme
    taken: np.ndarray  # places taken by other subjects, per session


@dataclass(frozen=True, eq=False)
class _Groups:
    """Sessions (catalogue positions, sorted by programme) grouped by the programme they belong to."""

    sessions: np.ndarray
    programmes: np.ndarray
    starts: np.ndarray

    @classmethod
    def of(cls, sessions: np.ndarray, catalogue: PreparedCatalogue) -> "_Groups":
        owners = catalogue.session_programme[sessions]
        starts = np.flatnonzero(np.concatenate(([True], owners[1:] != owners[:-1]))) if len(owners) else owners[:0]
        return cls(sessions, owners[starts].astype(np.int64), starts)

    def reduce(self, ufunc: np.ufunc, values: np.ndarray) -> np.ndarray:
        return ufunc.reduceat(values, self.starts) if len(self.starts) else values[:0]

    def counts(self) -> np.ndarray:
        return np.diff(np.append(self.starts, len(self.sessions)))

    def members(self, group: int) -> np.ndarray:
        end = self.starts[group + 1] if group + 1 < len(self.starts) else len(self.sessions)
        return self.sessions[self.starts[group] : end]


def match(
    profile: SubjectProfile,
    catalogue: PreparedCatalogue,
    enrolments: Iterable[Enrolment] | EnrolmentIndex,
    date_from: date,
    date_to: date,
    today: date,
    *,
    limit: int = 20,
    offset: int = 0,
    filters: MatchFilters = NO_FILTERS,
    plan_settings: PlanSettings = DEFAULT_PLAN_SETTINGS,
    exclusion_limit: int = EXCLUSION_DETAIL_LIMIT,
) -> MatchResult:
    if date_to < date_from:
        raise ValueError("date_to is before date_from")
    if not isinstance(enrolments, EnrolmentIndex):
        enrolments = index_enrolments(catalogue, enrolments)
    period = scoring.Period(date_from, date_to, today, plan_settings)
    request = _Request(profile, catalogue, enrolments, period, filters)
    distances = catalogue.distances_from(profile.easting, profile.northing)
    taken = _places_taken(request)
    masks = _Masks(distances, _session_bits(request, distances, taken), _programme_bits(request), taken)
    in_scope = _in_scope(request, distances)
    bits = masks.session_bits[in_scope.sessions] | masks.programme_bits[catalogue.session_programme[in_scope.sessions]]
    feasible = _Groups.of(in_scope.sessions[bits == 0], catalogue)
    first_page, shown = _suggest(request, masks, feasible, limit, offset)
    empty = _empty_programmes_in_scope(request)
    # Why the others are ruled out is worded only when read (the Excluded tab, the API), not on every match.
    # Each listed one is worded when it is read, so a page showing the nearest few words only those.
    report = Once(lambda: _exclusions(request, masks, in_scope, bits, feasible, empty, exclusion_limit))
    return MatchResult(
        suggestions=shown,
        feasible_total=len(feasible.programmes),
        exclusions=LazyItems(lambda: len(report().programmes), lambda i: _exclusion(request, masks, report(), i)),
        excluded_total=len(in_scope.programmes) - len(feasible.programmes) + len(empty),
        other_exclusion_totals=LazyMapping(lambda: report().other_totals),
        plan=plan_week(first_page, plan_settings, profile.name),  # every page shows the first page's plan
    )


def _in_scope(request: _Request, distances: np.ndarray) -> _Groups:
    catalogue = request.catalogue
    if request.filters == NO_FILTERS:  # every session: the grouping follows from the catalogue's offsets
        with_sessions = np.flatnonzero(np.diff(catalogue.session_offsets))
        sessions = np.arange(catalogue.session_count)
        return _Groups(sessions, with_sessions, catalogue.session_offsets[with_sessions])
    return _Groups.of(_sessions_in_scope(request, distances), catalogue)


def _sessions_in_scope(request: _Request, distances: np.ndarray) -> np.ndarray:
    catalogue, filters = request.catalogue, request.filters
    mask = _session_filter_mask(request, distances, slice(None))
    if filters.activity_type is not None:
        mask &= catalogue.activity_type_mask(filters.activity_type)[catalogue.session_programme]
    return np.flatnonzero(mask)


def _session_filter_mask(request: _Request, distances: np.ndarray, positions: slice | np.ndarray) -> np.ndarray:
    """The sessions at `positions` that the day and distance filters leave."""
    catalogue, filters = request.catalogue, request.filters
    mask = np.ones(len(catalogue.weekday[positions]), bool)
    if filters.weekday is not None:
        mask &= catalogue.weekday[positions] == filters.weekday
    if filters.max_distance_m is not None:
        mask &= distances[positions] <= filters.max_distance_m
    return mask


def _programme_bits(request: _Request) -> np.ndarray:
    catalogue, profile = request.catalogue, request.profile
    bits = np.zeros(catalogue.programme_count, np.uint16)
    subject_gender = SUBJECT_GENDER_CODES.get(profile.gender, NO_GENDER_CODE)
    failing = {
        "organisation_not_approved": ~catalogue.approved,
        "programme_inactive": ~catalogue.active,
        "not_valid_in_range": (catalogue.valid_from > request.date_to.toordinal())
        | (catalogue.valid_to < request.date_from.toordinal()),
        "age": (catalogue.min_age > profile.age) | (catalogue.max_age < profile.age),
        "gender": (catalogue.gender != 0) & (catalogue.gender != subject_gender),
        "residence": catalogue.outside_residence(profile),
    }
    for code, mask in failing.items():
        _flag(bits, mask, code)
    return bits


def _flag(bits: np.ndarray, mask: np.ndarray, code: str) -> None:
    # Multiplying is far faster than numpy's where= or boolean-index assignment for dense masks.
    np.bitwise_or(bits, mask * np.uint16(BIT[code]), out=bits)


def _session_bits(request: _Request, distances: np.ndarray, taken: np.ndarray) -> np.ndarray:
    catalogue, profile = request.catalogue, request.profile
    bits = np.zeros(catalogue.session_count, np.uint16)
    outside_term = (catalogue.term_start > request.date_to.toordinal()) | (
        catalogue.term_end < request.date_from.toordinal()
    )
    _flag(bits, outside_term, "not_valid_in_range")
    _flag_windows(bits, catalogue, profile.commitments, "commitment_clash")
    _flag_windows(bits, catalogue, profile.observances, "observance_clash")
    _flag_curfew(bits, request)
    _flag_zones(bits, request)
    blocked = request.enrolments.positions_of(profile.non_associates)
    bits[blocked] |= BIT["non_associate"]
    if profile.max_travel_m is not None:
        _flag(bits, distances > profile.max_travel_m, "too_far")
    _flag(bits, taken >= catalogue.capacity, "full")
    return bits


def _flag_windows(bits: np.ndarray, catalogue: PreparedCatalogue, windows, code: str) -> None:
    for window in windows:
        offset = window.weekday * rules.MINUTES_PER_DAY
        clash = (catalogue.week_start < offset + window.end) & (catalogue.week_end > offset + window.start)
        _flag(bits, clash, code)


def _flag_curfew(bits: np.ndarray, request: _Request) -> None:
    if request.profile.curfew is None:
        return
    catalogue = request.catalogue
    for start, end in rules.curfew_intervals(request.profile.curfew):
        clash = (catalogue.start < end) & (catalogue.end > start)
        _flag(bits, clash, "curfew_clash")


def _flag_zones(bits: np.ndarray, request: _Request) -> None:
    catalogue = request.catalogue
    for zone in request.profile.exclusion_zones:
        candidates = catalogue.sessions_near_easting(zone.easting, zone.radius_m)
        inside = catalogue.distances_from(zone.easting, zone.northing, candidates) <= zone.radius_m
        bits[candidates[inside]] |= BIT["exclusion_zone"]


def _places_taken(request: _Request) -> np.ndarray:
    own = request.enrolments.positions_of((request.profile.id,), places_only=True)
    if not len(own):
        return request.enrolments.taken
    return request.enrolments.taken - np.bincount(own, minlength=request.catalogue.session_count)


# ---- ranking ----


def _suggest(
    request: _Request, masks: _Masks, feasible: _Groups, limit: int, offset: int
) -> tuple[tuple[Suggestion, ...], tuple[Suggestion, ...]]:
    """The first page's suggestions (for the weekly plan) and the requested page's, best first; only these two
    pages are put into words, and the requested page's ruled-out sessions only when read."""
    distances = masks.distances
    if not len(feasible.programmes) or limit <= 0:
        return (), ()
    interests = parse_interests(request.profile)
    term_matches = [request.catalogue.text.term_matches(interest) for interest in interests]
    fractions = _fractions(request, feasible, distances, interests)
    tenths = scoring.score_tenths(scoring.total_score(*(fractions[name] for name in scoring.SCORE_WEIGHTS)))
    top = _top(tenths, request.catalogue.programme_id[feasible.programmes], offset + limit).tolist()
    shown_groups = top[offset:]
    shown_programmes = feasible.programmes[shown_groups].tolist() if shown_groups else []
    batch = Once(lambda: _ruled_out(request, masks, shown_programmes))
    shown = tuple(
        _suggestion(request, feasible, group, fractions, interests, term_matches, LazyTuple(lambda i=i: batch()[i]))
        for i, group in enumerate(shown_groups)
    )
    if offset == 0:
        return shown, shown
    first = tuple(
        _suggestion(request, feasible, group, fractions, interests, term_matches, ()) for group in top[:limit]
    )
    return first, shown


def _fractions(
    request: _Request, feasible: _Groups, distances: np.ndarray, interests: tuple[Interest, ...]
) -> dict[str, np.ndarray]:
    catalogue, profile = request.catalogue, request.profile
    programmes = feasible.programmes
    return {
        "interests": _interest_fractions(catalogue, interests, programmes),
        "cultural": _cultural_fractions(catalogue, profile, programmes),
        "distance": scoring.distance_fraction(
            feasible.reduce(np.minimum, distances[feasible.sessions]), scoring.distance_scale(profile)
        ),
        "schedule": scoring.schedule_fraction(
            feasible.counts(), feasible.reduce(np.maximum, _after_school(request, distances, feasible.sessions))
        ),
        "freshness": scoring.freshness_fraction(request.today.toordinal() - catalogue.assured_on[programmes]),
    }


def _interest_fractions(
    catalogue: PreparedCatalogue, interests: tuple[Interest, ...], programmes: np.ndarray
) -> np.ndarray:
    if not interests:
        return scoring.interest_fraction(np.zeros(len(programmes)), np.zeros(len(programmes)), False)
    strengths = np.stack(
        [catalogue.text.interest_strengths(i, catalogue.programme_count)[programmes] for i in interests]
    )
    return scoring.interest_fraction(strengths.max(axis=0), (strengths > 0.0).sum(axis=0), True)


def _cultural_fractions(catalogue: PreparedCatalogue, profile: SubjectProfile, programmes: np.ndarray) -> np.ndarray:
    columns = catalogue.language_columns
    spoken = [columns[code] for code in profile.languages if code in columns]
    preferred = profile.languages[0] if profile.languages else None
    has_preferred = (
        catalogue.languages[programmes, columns[preferred]] if preferred in columns else np.zeros(len(programmes), bool)
    )
    has_other = catalogue.languages[np.ix_(programmes, spoken)].any(axis=1) if spoken else has_preferred
    language = scoring.language_fraction(has_preferred, has_other, bool(profile.languages))
    need_columns = [catalogue.provision_columns[n] for n in profile.needs if n in catalogue.provision_columns]
    met = catalogue.provisions[np.ix_(programmes, need_columns)].sum(axis=1) if need_columns else 0 * programmes
    return scoring.cultural_fraction(language, met, len(profile.needs))


def _after_school(request: _Request, distances: np.ndarray, sessions: np.ndarray) -> np.ndarray:
    """Sessions starting soon after school or college, leaving time to travel there (as the plan allows)."""
    catalogue, settings = request.catalogue, request.period.settings
    school = [w for w in request.profile.commitments if w.kind in scoring.AFTER_SCHOOL_KINDS]
    soon = np.zeros(len(sessions), bool)
    weekday, start = catalogue.weekday[sessions], catalogue.start[sessions].astype(np.int32)
    for window in school:
        gap = start - window.end
        soon |= (weekday == window.weekday) & (gap >= 0) & (gap <= scoring.AFTER_SCHOOL_MINUTES)
    candidates = np.flatnonzero(soon)
    gap = np.full(len(candidates), -1, np.int32)  # from the first window each starts soon after, as the reference
    for window in school:
        window_gap = start[candidates] - window.end
        first = (gap < 0) & (weekday[candidates] == window.weekday)
        first &= (window_gap >= 0) & (window_gap <= scoring.AFTER_SCHOOL_MINUTES)
        gap[first] = window_gap[first]
    metres_per_minute = settings.travel_speed_kmh * 1000.0 / 60.0
    travel = np.ceil(distances[sessions[candidates]] / metres_per_minute) + settings.buffer_minutes
    soon[candidates] = gap >= travel
    return soon


def _top(tenths: np.ndarray, ids: np.ndarray, limit: int) -> np.ndarray:
    """Positions of the best `limit` scores, ties by programme id, without sorting everything."""
    candidates = np.arange(len(tenths))
    if len(tenths) > limit:
        threshold = -np.partition(-tenths, limit - 1)[limit - 1]
        candidates = np.flatnonzero(tenths >= threshold)
    order = np.lexsort((ids[candidates], -tenths[candidates]))
    return candidates[order[:limit]]


def _suggestion(
    request: _Request,
    feasible: _Groups,
    group: int,
    fractions: dict[str, np.ndarray],
    interests: tuple[Interest, ...],
    term_matches: list[dict[str, float]],
    ruled_out: tuple[RuledOutSession, ...],
) -> Suggestion:
    catalogue = request.catalogue
    programme = catalogue.programmes[feasible.programmes[group]]
    sessions = sorted(
        (_feasible_session(request, position) for position in feasible.members(group)),
        key=lambda s: (s.weekday, s.start, s.session_id),
    )
    by_interest = dict(zip(interests, term_matches, strict=True))
    matches = scoring.interest_matches(
        interests,
        programme_text(programme),
        lambda interest, word: by_interest[interest].get(word, 0.0),
        [by_interest[interest].keys() for interest in interests],
    )
    values = scoring.Fractions(**{name: float(fractions[name][group]) for name in scoring.SCORE_WEIGHTS})
    return scoring.build_suggestion(programme, sessions, values, matches, request.profile, request.period, ruled_out)


def _ruled_out(request: _Request, masks: _Masks, programme_indices: list[int]) -> list[tuple[RuledOutSession, ...]]:
    """Per programme, its sessions within the filters that break a rule, each with its sentences."""
    catalogue, offsets = request.catalogue, request.catalogue.session_offsets
    flagged = [np.flatnonzero(masks.session_bits[offsets[p] : offsets[p + 1]]) + offsets[p] for p in programme_indices]
    if request.filters != NO_FILTERS:
        flagged = [positions[_session_filter_mask(request, masks.distances, positions)] for positions in flagged]
    context = _context(request, masks, flagged)
    explained = []
    for programme_index, positions in zip(programme_indices, flagged, strict=True):
        programme = catalogue.programmes[programme_index]
        found = []
        for position in positions.tolist():
            session, venue = catalogue.sessions[position], catalogue.session_venues[position]
            codes = _codes(int(masks.session_bits[position]))
            found.append(
                ruled_out_session(session, venue, rules.session_findings(programme, session, venue, context, codes))
            )
        explained.append(by_time(found))
    return explained


def _feasible_session(request: _Request, position: int) -> FeasibleSession:
    session = request.catalogue.sessions[position]
    venue = request.catalogue.session_venues[position]
    return feasible_session(session, venue, request.profile)


# ---- exclusions ----


@dataclass(frozen=True, eq=False)
class _ExclusionReport:
    """The excluded programmes to explain, nearest first, with their in-scope sessions, and counts for the rest."""

    programmes: np.ndarray  # catalogue positions
    members: tuple[np.ndarray, ...]  # each one's in-scope sessions (none when it lists no sessions)
    nearest: np.ndarray  # each one's nearest in-scope session, metres
    other_totals: dict[str, int]


def _exclusions(
    request: _Request,
    masks: _Masks,
    in_scope: _Groups,
    bits: np.ndarray,
    feasible: _Groups,
    empty: np.ndarray,
    limit: int,
) -> _ExclusionReport:
    catalogue = request.catalogue
    is_feasible = np.zeros(catalogue.programme_count, bool)
    is_feasible[feasible.programmes] = True
    excluded_groups = np.flatnonzero(~is_feasible[in_scope.programmes])
    programmes = np.concatenate((in_scope.programmes[excluded_groups], empty))
    reason_bits = np.concatenate(
        (in_scope.reduce(np.bitwise_or, bits)[excluded_groups], masks.programme_bits[empty] | BIT["no_sessions"])
    )
    groups = np.concatenate((excluded_groups, np.full(len(empty), -1)))
    nearest = _nearest(request, masks, in_scope, excluded_groups, len(programmes) <= limit)[programmes]
    listed = _listed(programmes, nearest, catalogue, len(programmes) <= limit, limit)
    rest = np.ones(len(programmes), bool)
    rest[listed] = False
    members = tuple(in_scope.members(groups[i]) if groups[i] >= 0 else np.zeros(0, np.int64) for i in listed)
    return _ExclusionReport(programmes[listed], members, nearest[listed], _totals(reason_bits[rest]))


def _empty_programmes_in_scope(request: _Request) -> np.ndarray:
    catalogue, filters = request.catalogue, request.filters
    if filters.weekday is not None or filters.max_distance_m is not None:
        return np.zeros(0, np.int64)
    empty = np.diff(catalogue.session_offsets) == 0
    if filters.activity_type is not None:
        empty &= catalogue.activity_type_mask(filters.activity_type)
    return np.flatnonzero(empty)


def _nearby_radius(profile: SubjectProfile) -> float:
    return max(profile.max_travel_m or 0.0, NEARBY_RADIUS_M)


def _nearest(request: _Request, masks: _Masks, in_scope: _Groups, excluded_groups: np.ndarray, few: bool) -> np.ndarray:
    """Nearest in-scope session per programme (inf when unknown): for every excluded programme when they are
    few enough to list them all, otherwise only for programmes with a session nearby."""
    if few:
        members = [in_scope.members(group) for group in excluded_groups]
        sessions = np.concatenate(members) if members else np.zeros(0, np.int64)
    else:
        sessions = in_scope.sessions[masks.distances[in_scope.sessions] <= _nearby_radius(request.profile)]
    groups = _Groups.of(sessions, request.catalogue)
    nearest = np.full(request.catalogue.programme_count, np.inf)
    nearest[groups.programmes] = groups.reduce(np.minimum, masks.distances[sessions])
    return nearest


def _listed(
    programmes: np.ndarray, nearest: np.ndarray, catalogue: PreparedCatalogue, few: bool, limit: int
) -> np.ndarray:
    """Excluded programmes worth explaining: all of them when few, otherwise the nearby ones, nearest first."""
    candidates = np.arange(len(programmes)) if few else np.flatnonzero(np.isfinite(nearest))
    order = np.lexsort((catalogue.programme_id[programmes[candidates]], nearest[candidates]))
    return candidates[order[:limit]]


def _totals(reason_bits: np.ndarray) -> dict[str, int]:
    totals = {code: int(np.count_nonzero(reason_bits & BIT[code])) for code in explain.REASON_CODES}
    return {code: count for code, count in totals.items() if count}


def _exclusion(request: _Request, masks: _Masks, report: _ExclusionReport, number: int) -> Exclusion:
    catalogue, positions = request.catalogue, report.members[number]
    context = _context(request, masks, [positions])
    programme_index = int(report.programmes[number])
    programme = catalogue.programmes[programme_index]
    programme_level = rules.programme_findings(programme, context, _codes(int(masks.programme_bits[programme_index])))
    if not len(positions):
        programme_level.append(("no_sessions", explain.no_sessions_sentence()))
    session_level = []
    for position in positions.tolist():
        session_bits = int(masks.session_bits[position])
        if session_bits:
            session, venue = catalogue.sessions[position], catalogue.session_venues[position]
            findings = rules.session_findings(programme, session, venue, context, _codes(session_bits))
            session_level.append((session.id, findings))
    session_ids = [catalogue.sessions[p].id for p in positions.tolist()]
    reasons = scoring.assemble_reasons(programme_level, session_level, session_ids)
    distance = float(report.nearest[number]) if len(positions) else None
    return Exclusion(programme.id, programme.title, programme.organisation_name, distance, reasons)


def _context(request: _Request, masks: _Masks, members: Iterable[np.ndarray]) -> rules.MatchContext:
    """Just enough of the enrolment picture to word the reasons of the listed sessions."""
    sessions = request.catalogue.sessions
    positions = np.concatenate([np.zeros(0, np.int64), *members])
    flagged = positions[(masks.session_bits[positions] & (BIT["full"] | BIT["non_associate"])) != 0].tolist()
    return rules.MatchContext(
        profile=request.profile,
        date_from=request.date_from,
        date_to=request.date_to,
        taken={sessions[p].id: int(masks.taken[p]) for p in flagged},
        blocked_session_ids=frozenset(sessions[p].id for p in flagged if masks.session_bits[p] & BIT["non_associate"]),
    )


@lru_cache(maxsize=1 << 14)
def _codes(bits: int) -> frozenset[str]:
    return frozenset(code for code, bit in BIT.items() if bits & bit)
