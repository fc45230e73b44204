"""Issue 15's property: random catalogues pushed through export -> import, with the rule on who may take part said
in random vocabularies (the portal's terms, other taxonomies' terms, eligibility text) and random unknown terms
added, never yield a suggestion that breaks a hard rule the source catalogue states (gender, ages, and where people
must live, said as a service area)."""

import json
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from convertbng.util import convert_lonlat
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from matching.catalogue import prepare
from matching.engine import match
from matching.model import Programme as MatchProgramme
from matching.model import Session as MatchSession
from matching.model import SubjectProfile
from matching.model import Venue as MatchVenue
from portal.data.catalogue import residence_rule
from portal.oruk import ids, taxonomy
from portal.oruk.export import service
from portal.oruk.importing import MappedService, map_service
from tests.oruk.test_mapping import e3
from tests.oruk.test_mapping import programme_dict as mapping_programme

TODAY = date(2026, 11, 24)
MOMENT = datetime(2026, 11, 1, 9, 30)
HOME = (536823.0, 183099.0)  # the mapping tests' venue, Roman Road Gym
AUDIENCE_ID = taxonomy.TAXONOMY_BY_SLUG[taxonomy.AUDIENCE].id
SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# Ways feeds say who may take part: some the importer understands, some it cannot (those must hold the listing).
SAID = {
    "female": ["Girls only", "Young women", "Female only", "Women & girls", "GIRLS", "Ladies", "Womxn only",
               "Female-identifying youth", "Sisterhood circle", "For young women who want to box"],
    "male": ["Boys only", "Young men", "Male only", "Lads", "Boys & young men", "BOYS", "Brotherhood project",
             "Young fathers", "Men's shed", "For young men who want to box"],
    "any": ["Mixed", "Open to all", "Boys and girls", "Everyone welcome", "All genders"],
}  # fmt: skip
UNKNOWN_TERMS = ["Coding", "Street dance", "Members only", "LGBTQ+", "Wheelchair users", "Year 9 to Year 11",
                 "Hackney residents", "Referral from CAMHS only", "Muslim", "Chess", "Boys", "Girls",
                 "16+"]  # fmt: skip
AGES_SAID = ["Ages {low}-{high}", "{low} to {high} year olds", "aged {low}–{high}", "Years {low} to {high}",
             "Secondary school age"]  # fmt: skip

# Homes: postcode, grid reference, and whether it is in Greater London.
HOMES = [("E1 6AN", 533416, 181746, True), ("E2 0QN", 535401, 182884, True), ("E3 4AB", 537226, 182642, True),
         ("E14 9AB", 537196, 179978, True), ("EC1A 1BB", 531073, 182317, True), ("N1 9GU", 530374, 183450, True),
         ("SE1 7PB", 530625, 179850, True), ("BR6 0AA", 545778, 166033, True), ("IG7 6AA", 543685, 193346, False),
         ("RM4 1AA", 548452, 196930, False)]  # fmt: skip
DISTRICTS = ["E1", "E2", "E3", "E14", "N1", "SE1", "IG7"]
DISTRICTS_SAID = ["{}", "Postcodes {}", "Residents of {} only", "Young people living in {}"]
BOW = (536000, 182000, 1500)  # a square's centre and half its side, in metres
# Ways feeds say where people must live, and who lives there in truth.
AREAS = {
    "national": (["UK", "England", "Nationwide", "Online", "United Kingdom"], lambda home, districts: True),
    "districts": (DISTRICTS_SAID, lambda home, districts: home[0].split()[0] in districts),
    "sector": (["E14 9"], lambda home, districts: home[0].startswith("E14 9")),
    "london": (["London", "Greater London"], lambda home, districts: home[3]),
    "borough": (["Tower Hamlets", "East London", "London Borough of Hackney", "E1 and beyond"],
                lambda home, districts: home[0].split()[0] in ("E1", "E2", "E3", "E14")),
    "extent": (["Bow"], lambda home, districts: abs(home[1] - BOW[0]) < BOW[2] and abs(home[2] - BOW[1]) < BOW[2]),
}  # fmt: skip


def square_extent() -> str:
    x, y, half = BOW
    corners = [(x - half, y - half), (x + half, y - half), (x + half, y + half), (x - half, y + half)]
    longitudes, latitudes = convert_lonlat([c[0] for c in corners], [c[1] for c in corners])
    ring = [[lon, lat] for lon, lat in zip(longitudes, latitudes, strict=True)]
    return json.dumps({"type": "Polygon", "coordinates": [[*ring, ring[0]]]})


@dataclass(frozen=True)
class Source:
    """One programme of the source catalogue, with the rule it states and how its feed says it."""

    number: int
    gender: str
    low: int
    high: int
    gender_said: str  # "portal" (the portal's own term), "term" (a term of another taxonomy) or "text"
    gender_words: str
    ages_in_text: str | None  # the ages said only in eligibility text, the age fields left out
    unknown_terms: tuple[str, ...]
    weekday: int
    area: str | None = None  # a key of AREAS
    area_words: str = ""
    districts: tuple[str, ...] = ()

    def admits(self, subject: SubjectProfile) -> bool:
        return (
            self.low <= subject.age <= self.high and self.gender in ("any", subject.gender) and self.lives_in(subject)
        )

    def lives_in(self, subject: SubjectProfile) -> bool:
        if self.area is None:
            return True
        home = next(home for home in HOMES if home[0] == subject.home_postcode)
        return AREAS[self.area][1](home, self.districts)


@st.composite
def sources(draw, number: int) -> Source:
    gender = draw(st.sampled_from(sorted(SAID)))
    low = draw(st.integers(12, 20))
    high = draw(st.integers(low, 25))
    ages = draw(st.none() | st.sampled_from(AGES_SAID))
    words = draw(
        st.lists(st.sampled_from(UNKNOWN_TERMS) | st.text("abcdefghij +", min_size=1, max_size=12), max_size=2)
    )
    return Source(
        number,
        gender,
        low,
        high,
        draw(st.sampled_from(["portal", "term", "text"])),
        draw(st.sampled_from(SAID[gender])),
        ages.format(low=low, high=high) if ages else None,
        tuple(word for word in words if word.strip()),
        draw(st.integers(0, 6)),
        *draw(areas()),
    )


@st.composite
def areas(draw) -> tuple[str | None, str, tuple[str, ...]]:
    kind = draw(st.none() | st.sampled_from(sorted(AREAS)))
    if kind is None:
        return None, "", ()
    districts = tuple(draw(st.lists(st.sampled_from(DISTRICTS), min_size=1, max_size=3, unique=True)))
    said = draw(st.sampled_from(AREAS[kind][0]))
    return kind, said.format(" and ".join(districts)) if kind == "districts" else said, districts


subjects = st.builds(
    lambda number, age, gender, home: SubjectProfile(
        id=number, age=age, gender=gender, easting=home[1], northing=home[2], languages=("en",),
        interest_activity_types=("boxing",), interest_text="", needs=(), commitments=(), observances=(), curfew=None,
        exclusion_zones=(), non_associates=(), max_travel_m=None, home_postcode=home[0],
    ),
    st.just(1000),
    st.integers(11, 22),
    st.sampled_from(["male", "female", "other"]),
    st.sampled_from(HOMES),
)  # fmt: skip


def programme_dict(source: Source) -> dict:
    """The source programme as the exporter reads it: the mapping tests' programme with this one's rule and day."""
    found = mapping_programme(
        oruk_id=ids.local_uuid(ids.DEFAULT_NAMESPACE, ids.PROGRAMME, source.number),
        title=f"Programme {source.number}",
        activity_types=["boxing"],
        languages=["en"],
        gender=source.gender,
        min_age=source.low,
        max_age=source.high,
    )
    session = found["sessions"][0] | {"weekday": source.weekday, "term_end": None, "exception_dates": []}
    found["sessions"] = [session | {"oruk_id": ids.local_uuid(ids.DEFAULT_NAMESPACE, ids.SESSION, source.number)}]
    return found


def term(text: str) -> dict:
    identifier = ids.derived_uuid("urn:test", "term", text)
    return {"id": identifier, "taxonomy_term": {"id": identifier, "name": text, "description": text}}


def feed(source: Source) -> dict:
    """The exported service, rewritten the way another directory's feed might say the same thing."""
    found = service(programme_dict(source), TODAY)
    eligibility: list[str] = []
    if source.gender_said != "portal":
        found["attributes"] = [a for a in found["attributes"] if a["taxonomy_term"].get("taxonomy_id") != AUDIENCE_ID]
        if source.gender_said == "term":
            found["attributes"].append(term(source.gender_words))
        else:
            eligibility.append(source.gender_words)
    if source.ages_in_text:
        del found["minimum_age"], found["maximum_age"]
        eligibility.append(source.ages_in_text)
    found["attributes"] += [term(word) for word in source.unknown_terms]
    if eligibility:
        found["eligibility_description"] = ". ".join(eligibility)
    if source.area is not None:
        area = {"id": ids.derived_uuid("urn:test", "area", source.area_words), "name": source.area_words}
        found["service_areas"] = [area | ({"extent": square_extent()} if source.area == "extent" else {})]
    return found


def offered(mapped: MappedService, number: int) -> MatchProgramme:
    """An imported programme as the matcher's catalogue loads it once its partner has set the places."""
    fields = mapped.programme
    venue = mapped.venues[0].fields
    place = MatchVenue(number, venue["name"], venue["postcode"], float(venue["easting"]), float(venue["northing"]))
    return MatchProgramme(
        id=number, organisation_id=1, organisation_name="Imported", organisation_approved=True,
        status=str(fields["status"]), title=fields["title"], description=fields["description"],
        activity_types=tuple(fields["activity_types"]), tags=tuple(fields.get("tags", ())),
        min_age=fields["min_age"], max_age=fields["max_age"], gender=str(fields["gender"]), capacity=10,
        languages=tuple(fields["languages"]), provisions=tuple(fields["provisions"]),
        valid_from=fields["valid_from"], valid_to=fields["valid_to"], assured_on=fields["assured_on"] or TODAY,
        venues=(place,), residence=residence_rule(fields["residence_rule"]),
        sessions=tuple(
            MatchSession(number * 10 + index, number, session.fields["weekday"],
                         session.fields["start_time"].hour * 60, session.fields["end_time"].hour * 60,
                         session.fields["term_start"], session.fields["term_end"])
            for index, session in enumerate(mapped.sessions)
        ),
    )  # fmt: skip


@st.composite
def catalogues(draw) -> list[Source]:
    return [draw(sources(number)) for number in range(1, draw(st.integers(1, 5)) + 1)]


@SETTINGS
@given(catalogues(), st.lists(subjects, min_size=1, max_size=4))
def test_no_suggestion_from_an_imported_catalogue_breaks_a_rule_the_source_states(
    source_catalogue: list[Source], people: list[SubjectProfile]
) -> None:
    imported = []
    for source in source_catalogue:
        mapped = map_service(feed(source), None, e3, TODAY)
        if mapped.valid and not mapped.held_for_review:  # held listings never reach the matcher's catalogue
            imported.append(offered(mapped, source.number))
    prepared = prepare(imported)
    by_number = {source.number: source for source in source_catalogue}
    for subject in people:
        result = match(subject, prepared, (), TODAY, TODAY + timedelta(days=180), TODAY, limit=50)
        for suggestion in result.suggestions:
            source = by_number[suggestion.programme_id]
            assert source.admits(subject), (source, subject.age, subject.gender)


def test_the_property_sees_the_failure_it_guards_against() -> None:
    """A girls-only club said in another taxonomy's words is not offered to a boy (it was, before issue 15)."""
    source = Source(1, "female", 12, 18, "term", "Sisterhood circle", None, (), 1)
    mapped = map_service(feed(source), None, e3, TODAY)
    assert mapped.held_for_review
    understood = Source(2, "female", 12, 18, "term", "Young women", None, (), 1)
    assert map_service(feed(understood), None, e3, TODAY).programme["gender"] == "female"


def test_the_property_offers_what_a_service_area_allows_and_only_that() -> None:
    """A service area the importer reads is published (not held, which would make the property vacuous) and keeps
    a subject living elsewhere out; one it cannot read is held."""
    source = Source(
        1, "any", 12, 18, "portal", "Mixed", None, (), 1, "districts", "Residents of E1 and E2", ("E1", "E2")
    )
    mapped = map_service(feed(source), None, e3, TODAY)
    assert not mapped.held_for_review
    prepared = prepare([offered(mapped, 1)])
    for postcode, easting, northing, _london in HOMES:
        subject = SubjectProfile(
            id=1000, age=15, gender="male", easting=easting, northing=northing, languages=("en",),
            interest_activity_types=("boxing",), interest_text="", needs=(), commitments=(), observances=(),
            curfew=None, exclusion_zones=(), non_associates=(), max_travel_m=None, home_postcode=postcode,
        )  # fmt: skip
        result = match(subject, prepared, (), TODAY, TODAY + timedelta(days=180), TODAY)
        assert bool(result.suggestions) is (postcode.split()[0] in ("E1", "E2")), postcode
    borough = Source(2, "any", 12, 18, "portal", "Mixed", None, (), 1, "borough", "Tower Hamlets")
    assert map_service(feed(borough), None, e3, TODAY).held_for_review
