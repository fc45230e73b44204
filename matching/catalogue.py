"""The prepared catalogue: programmes and sessions as numpy arrays plus an inverted index of their words.

Built once (per catalogue change) and shared read-only by every match and directory search.
"""

import gc
from array import array
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

import numpy as np
from rapidfuzz.distance import Indel
from rapidfuzz.process import cdist

from matching.model import Enrolment, Programme, Session, SubjectProfile, Venue
from matching.residence import home_postcode_parts, inside_a_polygon
from matching.taxonomy import ACTIVITY_RELATIVES
from matching.text import (
    ACTIVITY_CHILDREN,
    ACTIVITY_SELECTIONS,
    CONCEPT_KEYWORDS,
    MIN_FUZZY_LENGTH,
    Interest,
    programme_terms,
    similarity_from_distance,
    text_strength,
    type_strength,
)

MINUTES_PER_DAY = 1440
OPEN_ENDED = date.max.toordinal()
GENDER_CODES = {"any": 0, "male": 1, "female": 2}
NO_GENDER_CODE = 3  # "other" and unknown genders never meet a single-gender requirement


@dataclass(frozen=True, eq=False)
class TextIndex:
    terms: tuple[str, ...]
    term_ids: dict[str, int]
    offsets: np.ndarray  # int64, len(terms) + 1
    postings: np.ndarray  # int32 programme indices, grouped by term
    fuzzy_groups: dict[str, tuple[list[str], np.ndarray]]  # first letter -> (terms, term ids), terms >= 4 letters
    type_postings: dict[str, np.ndarray]  # activity type slug -> programme indices having exactly that slug
    relative_postings: dict[str, np.ndarray]  # activity type slug -> programmes of its family's other activities

    def programmes_with_term(self, term_id: int) -> np.ndarray:
        return self.postings[self.offsets[term_id] : self.offsets[term_id + 1]]

    def term_matches(self, interest: Interest) -> dict[str, float]:
        """Vocabulary words that evidence the interest, with their similarity (0-100): one pass, not per programme."""
        if interest.concept is not None:
            return {word: 100.0 for word in CONCEPT_KEYWORDS.get(interest.concept, ()) if word in self.term_ids}
        keyword = interest.keyword or ""
        matches = {keyword: 100.0} if keyword in self.term_ids else {}
        if len(keyword) >= MIN_FUZZY_LENGTH and keyword[0] in self.fuzzy_groups:
            words, _ = self.fuzzy_groups[keyword[0]]
            distances = cdist([keyword], words, scorer=Indel.distance, dtype=np.int32, workers=1)[0]
            lengths = np.fromiter((len(w) for w in words), np.int32, len(words)) + len(keyword)
            for position in np.flatnonzero(distances <= 0.2 * lengths + 1):
                score = similarity_from_distance(int(distances[position]), int(lengths[position]))
                if score > 0.0:
                    matches.setdefault(words[position], score)
        return matches

    def interest_strengths(self, interest: Interest, programme_count: int) -> np.ndarray:
        strengths = np.zeros(programme_count)
        if interest.concept is not None:
            _raise_to(strengths, self.type_postings.get(interest.concept), type_strength(interest, {interest.concept}))
            for child in sorted(ACTIVITY_CHILDREN.get(interest.concept, frozenset())):
                _raise_to(strengths, self.type_postings.get(child), type_strength(interest, frozenset({child})))
            relatives = _relatives_only(interest.concept)
            _raise_to(strengths, self.relative_postings.get(interest.concept), type_strength(interest, relatives))
        for word, score in self.term_matches(interest).items():
            _raise_to(strengths, self.programmes_with_term(self.term_ids[word]), text_strength(interest, score))
        return strengths


def _relatives_only(slug: str) -> frozenset[str]:
    """The other activities of the slug's family that are not its own children (those count for more)."""
    return ACTIVITY_RELATIVES.get(slug, frozenset()) - ACTIVITY_CHILDREN.get(slug, frozenset()) - {slug}


def _raise_to(strengths: np.ndarray, indices: np.ndarray | None, value: float) -> None:
    if indices is not None and len(indices):
        strengths[indices] = np.maximum(strengths[indices], value)


@dataclass(frozen=True, eq=False)
class PreparedCatalogue:
    programmes: tuple[Programme, ...]
    programme_id: np.ndarray
    min_age: np.ndarray
    max_age: np.ndarray
    gender: np.ndarray
    active: np.ndarray
    approved: np.ndarray
    valid_from: np.ndarray  # date ordinals; open-ended ends are date.max
    valid_to: np.ndarray
    assured_on: np.ndarray
    with_residence_rule: np.ndarray  # positions of the programmes only for people living in an area
    residence_postcodes: dict[str, np.ndarray]  # postcode area, district or sector -> positions of those serving it
    with_residence_polygons: np.ndarray  # positions of the programmes serving a drawn area
    session_offsets: np.ndarray  # sessions of programme i are session_offsets[i]:session_offsets[i + 1]
    language_columns: dict[str, int]
    languages: np.ndarray  # bool, programme x language column
    provision_columns: dict[str, int]
    provisions: np.ndarray  # bool, programme x provision column
    text: TextIndex
    sessions: tuple[Session, ...]
    session_venues: tuple[Venue, ...]
    session_programme: np.ndarray
    session_id: np.ndarray
    weekday: np.ndarray
    start: np.ndarray
    end: np.ndarray
    week_start: np.ndarray  # minutes since Monday 00:00
    week_end: np.ndarray
    term_start: np.ndarray
    term_end: np.ndarray
    easting: np.ndarray
    northing: np.ndarray
    capacity: np.ndarray  # places per session, from its programme
    session_ids_sorted: np.ndarray
    session_index_by_sorted_id: np.ndarray
    sessions_by_easting: np.ndarray
    sorted_easting: np.ndarray

    @property
    def programme_count(self) -> int:
        return len(self.programmes)

    @property
    def session_count(self) -> int:
        return len(self.sessions)

    def sessions_near_easting(self, easting: float, half_width: float) -> np.ndarray:
        low, high = np.searchsorted(self.sorted_easting, [easting - half_width - 1.0, easting + half_width + 1.0])
        return self.sessions_by_easting[low:high]

    def distances_from(self, easting: float, northing: float, indices: np.ndarray | None = None) -> np.ndarray:
        eastings = self.easting if indices is None else self.easting[indices]
        northings = self.northing if indices is None else self.northing[indices]
        dx = eastings - easting
        dy = northings - northing
        np.multiply(dx, dx, out=dx)
        np.multiply(dy, dy, out=dy)
        np.add(dx, dy, out=dx)
        return np.sqrt(dx, out=dx)

    def outside_residence(self, profile: SubjectProfile) -> np.ndarray:
        """Per programme: True where it serves only an area the subject is not known to live in."""
        mask = np.zeros(self.programme_count, bool)
        mask[self.with_residence_rule] = True
        for part in home_postcode_parts(profile.home_postcode):
            mask[self.residence_postcodes.get(part, self.with_residence_rule[:0])] = False
        for position in self.with_residence_polygons:
            rule = self.programmes[position].residence
            if mask[position] and rule is not None and inside_a_polygon(rule, profile):
                mask[position] = False
        return mask

    def activity_type_mask(self, slug: str) -> np.ndarray:
        mask = np.zeros(self.programme_count, bool)
        for each in sorted(ACTIVITY_SELECTIONS.get(slug, {slug})):
            postings = self.text.type_postings.get(each)
            if postings is not None:
                mask[postings] = True
        return mask


def prepare(programmes: Iterable[Programme]) -> PreparedCatalogue:
    # Preparing allocates millions of short-lived acyclic objects; generational collections triggered by them
    # would repeatedly traverse the whole catalogue for nothing.
    collecting = gc.isenabled()
    gc.disable()
    try:
        return _prepare(tuple(programmes))
    finally:
        if collecting:
            gc.enable()


def _prepare(ordered: tuple[Programme, ...]) -> PreparedCatalogue:
    _check_unique([p.id for p in ordered], "programme")
    sessions, venues, owners = _flatten_sessions(ordered)
    _check_unique([s.id for s in sessions], "session")
    return PreparedCatalogue(
        programmes=ordered,
        **_programme_arrays(ordered),
        **_bool_matrix(ordered, "languages"),
        **_bool_matrix(ordered, "provisions"),
        text=_text_index(ordered),
        sessions=sessions,
        session_venues=venues,
        **_session_arrays(ordered, sessions, venues, owners),
    )


def _check_unique(ids: list[int], kind: str) -> None:
    if len(set(ids)) != len(ids):
        raise ValueError(f"{kind} ids must be unique")


def _flatten_sessions(programmes: tuple[Programme, ...]) -> tuple[tuple[Session, ...], tuple[Venue, ...], array]:
    sessions: list[Session] = []
    venues: list[Venue] = []
    owners = array("i")
    for index, programme in enumerate(programmes):
        venue_by_id = {venue.id: venue for venue in programme.venues}
        for session in programme.sessions:
            if session.venue_id not in venue_by_id:
                raise ValueError(f"session {session.id} uses venue {session.venue_id}, not one of its programme's")
            if not 0 <= session.start < session.end <= MINUTES_PER_DAY or not 0 <= session.weekday <= 6:
                raise ValueError(f"session {session.id} must start and end within one day")
            sessions.append(session)
            venues.append(venue_by_id[session.venue_id])
            owners.append(index)
    return tuple(sessions), tuple(venues), owners


def _column(values: Iterable, dtype) -> np.ndarray:
    return np.fromiter(values, dtype)


def _programme_arrays(programmes: tuple[Programme, ...]) -> dict[str, np.ndarray]:
    counts = _column((len(p.sessions) for p in programmes), np.int64)
    return {
        "programme_id": _column((p.id for p in programmes), np.int64),
        "min_age": _column((p.min_age for p in programmes), np.int16),
        "max_age": _column((p.max_age for p in programmes), np.int16),
        "gender": _column((GENDER_CODES.get(p.gender, NO_GENDER_CODE) for p in programmes), np.int8),
        "active": _column((p.status == "active" for p in programmes), bool),
        "approved": _column((p.organisation_approved for p in programmes), bool),
        "valid_from": _column((p.valid_from.toordinal() for p in programmes), np.int32),
        "valid_to": _column((_ordinal_or_open(p.valid_to) for p in programmes), np.int32),
        "assured_on": _column((p.assured_on.toordinal() for p in programmes), np.int32),
        **_residence_index(programmes),
        "session_offsets": np.concatenate(([0], np.cumsum(counts))),
    }


def _residence_index(programmes: tuple[Programme, ...]) -> dict[str, object]:
    by_postcode: dict[str, list[int]] = {}
    for index, programme in enumerate(programmes):
        for postcode in programme.residence.postcodes if programme.residence else ():
            by_postcode.setdefault(postcode, []).append(index)
    return {
        "with_residence_rule": np.array([i for i, p in enumerate(programmes) if p.residence], np.int64),
        "residence_postcodes": {code: np.array(ids, np.int64) for code, ids in by_postcode.items()},
        "with_residence_polygons": np.array(
            [i for i, p in enumerate(programmes) if p.residence and p.residence.polygons], np.int64
        ),
    }


def _ordinal_or_open(day: date | None) -> int:
    return OPEN_ENDED if day is None else day.toordinal()


def _bool_matrix(programmes: tuple[Programme, ...], attribute: str) -> dict[str, object]:
    codes = sorted({code for p in programmes for code in getattr(p, attribute)})
    columns = {code: column for column, code in enumerate(codes)}
    matrix = np.zeros((len(programmes), len(codes)), bool)
    for row, programme in enumerate(programmes):
        for code in getattr(programme, attribute):
            matrix[row, columns[code]] = True
    name = attribute.rstrip("s")
    return {f"{name}_columns": columns, attribute: matrix}


def _session_arrays(
    programmes: tuple[Programme, ...], sessions: tuple[Session, ...], venues: tuple[Venue, ...], owners: array
) -> dict[str, np.ndarray]:
    count = len(sessions)
    session_programme = np.frombuffer(owners, np.int32).copy() if count else np.zeros(0, np.int32)
    weekday = np.fromiter((s.weekday for s in sessions), np.int8, count)
    start = np.fromiter((s.start for s in sessions), np.int16, count)
    end = np.fromiter((s.end for s in sessions), np.int16, count)
    session_id = np.fromiter((s.id for s in sessions), np.int64, count)
    easting = np.fromiter((v.easting for v in venues), np.float64, count)
    id_order = np.argsort(session_id, kind="stable")
    easting_order = np.argsort(easting, kind="stable")
    capacities = np.fromiter((p.capacity for p in programmes), np.int32, len(programmes))
    return {
        "session_programme": session_programme,
        "session_id": session_id,
        "weekday": weekday,
        "start": start,
        "end": end,
        "week_start": weekday.astype(np.int32) * MINUTES_PER_DAY + start,
        "week_end": weekday.astype(np.int32) * MINUTES_PER_DAY + end,
        "term_start": np.fromiter((s.term_start.toordinal() for s in sessions), np.int32, count),
        "term_end": np.fromiter((_ordinal_or_open(s.term_end) for s in sessions), np.int32, count),
        "easting": easting,
        "northing": np.fromiter((v.northing for v in venues), np.float64, count),
        "capacity": capacities[session_programme],
        "session_ids_sorted": session_id[id_order],
        "session_index_by_sorted_id": id_order.astype(np.int32),
        "sessions_by_easting": easting_order.astype(np.int32),
        "sorted_easting": easting[easting_order],
    }


def _text_index(programmes: tuple[Programme, ...]) -> TextIndex:
    term_ids: dict[str, int] = {}
    posting_terms = array("i")
    posting_programmes = array("i")
    type_lists: dict[str, array] = {}
    for index, programme in enumerate(programmes):
        for term in programme_terms(programme):
            posting_terms.append(term_ids.setdefault(term, len(term_ids)))
            posting_programmes.append(index)
        for slug in set(programme.activity_types):
            type_lists.setdefault(slug, array("i")).append(index)
    by_term = np.argsort(np.frombuffer(posting_terms, np.int32), kind="stable")
    postings = np.frombuffer(posting_programmes, np.int32)[by_term]
    counts = np.bincount(np.frombuffer(posting_terms, np.int32), minlength=len(term_ids))
    terms = tuple(term_ids)
    type_postings = {slug: np.frombuffer(ids, np.int32).copy() for slug, ids in type_lists.items()}
    return TextIndex(
        terms=terms,
        term_ids=term_ids,
        offsets=np.concatenate(([0], np.cumsum(counts))).astype(np.int64),
        postings=postings,
        fuzzy_groups=_fuzzy_groups(terms),
        type_postings=type_postings,
        relative_postings=_relative_postings(type_postings),
    )


def _relative_postings(type_postings: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """Per activity, the programmes of its family's other activities in one array: a family interest then raises
    one array, not one per member (the directory's keyword search runs this for every query)."""
    found = {}
    for slug in ACTIVITY_RELATIVES:
        arrays = [type_postings[other] for other in sorted(_relatives_only(slug)) if other in type_postings]
        if arrays:
            found[slug] = np.unique(np.concatenate(arrays))
    return found


def _fuzzy_groups(terms: tuple[str, ...]) -> dict[str, tuple[list[str], np.ndarray]]:
    groups: dict[str, list[int]] = {}
    for term_id, term in enumerate(terms):
        if len(term) >= MIN_FUZZY_LENGTH:
            groups.setdefault(term[0], []).append(term_id)
    return {letter: ([terms[i] for i in ids], np.array(ids, np.int32)) for letter, ids in groups.items()}


@dataclass(frozen=True, eq=False)
class EnrolmentIndex:
    """Enrolments resolved to catalogue positions, reusable across many matches."""

    taken: np.ndarray  # places taken per session position
    subject_ids: np.ndarray  # sorted
    session_positions: np.ndarray  # aligned with subject_ids
    holds_place: np.ndarray  # aligned with subject_ids

    def positions_of(self, subject_ids: Iterable[int], *, places_only: bool = False) -> np.ndarray:
        wanted = np.fromiter(subject_ids, np.int64)
        low = np.searchsorted(self.subject_ids, wanted, side="left")
        high = np.searchsorted(self.subject_ids, wanted, side="right")
        chunks = [
            self.session_positions[a:b][self.holds_place[a:b]] if places_only else self.session_positions[a:b]
            for a, b in zip(low, high, strict=True)
            if b > a
        ]
        return np.concatenate(chunks) if chunks else np.zeros(0, np.int64)


def index_enrolments(catalogue: PreparedCatalogue, enrolments: Iterable[Enrolment]) -> EnrolmentIndex:
    rows = [(e.subject_id, e.session_id, e.holds_place) for e in enrolments]
    return index_enrolment_rows(catalogue, rows)


def index_enrolment_rows(
    catalogue: PreparedCatalogue, rows: np.ndarray | list[tuple[int, int, bool]]
) -> EnrolmentIndex:
    """The index from (subject id, session id, holds place) rows, as an (n, 3) integer array or a list of triples:
    a database's rows can be indexed without making an object for each."""
    columns = np.asarray(rows, np.int64).reshape(-1, 3)
    return _index_enrolment_columns(catalogue, columns[:, 0], columns[:, 1], columns[:, 2].astype(bool))


def _index_enrolment_columns(
    catalogue: PreparedCatalogue, subjects: np.ndarray, session_ids: np.ndarray, holds_place: np.ndarray
) -> EnrolmentIndex:
    positions = np.searchsorted(catalogue.session_ids_sorted, session_ids)
    positions = np.minimum(positions, max(catalogue.session_count - 1, 0))
    known = catalogue.session_ids_sorted[positions] == session_ids if catalogue.session_count else positions < 0
    session_positions = catalogue.session_index_by_sorted_id[positions[known]].astype(np.int64)
    subjects, holds_place = subjects[known], holds_place[known]
    order = np.argsort(subjects, kind="stable")
    return EnrolmentIndex(
        taken=np.bincount(session_positions[holds_place], minlength=catalogue.session_count).astype(np.int32),
        subject_ids=subjects[order],
        session_positions=session_positions[order],
        holds_place=holds_place[order],
    )
