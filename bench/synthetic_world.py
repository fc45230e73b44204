"""A deterministic synthetic national catalogue and varied subjects, for the benchmark and tests."""

import random
from dataclasses import dataclass
from datetime import date, timedelta

from matching.model import (
    DailyWindow,
    Enrolment,
    ExclusionZone,
    Programme,
    Session,
    SubjectProfile,
    Venue,
    WeeklyWindow,
)
from matching.taxonomy import ACTIVITY_TYPE_NAMES, PROVISIONS

TODAY = date(2025, 11, 24)

# (name, easting, northing, relative size, languages more common locally)
CITIES = (
    ("London", 530000, 180000, 9.0, ("bn", "so", "tr", "ur", "pl", "yo", "ak", "pt", "ar", "ro")),
    ("Birmingham", 407000, 287000, 2.5, ("ur", "pa", "bn", "ar", "pl")),
    ("Manchester", 384000, 398000, 2.0, ("ur", "ar", "pl", "so")),
    ("Leeds", 430000, 433000, 1.2, ("ur", "pa", "pl")),
    ("Glasgow", 259000, 665000, 1.2, ("pl", "ur", "ar")),
    ("Liverpool", 334000, 390000, 1.0, ("ar", "so", "pl")),
    ("Bristol", 358000, 173000, 1.0, ("so", "pl", "pa")),
    ("Sheffield", 435000, 387000, 0.9, ("ar", "ur", "so")),
    ("Edinburgh", 325000, 673000, 0.8, ("pl", "es")),
    ("Cardiff", 318000, 176000, 0.7, ("ar", "so", "bn")),
    ("Newcastle", 425000, 564000, 0.7, ("ar", "bn", "pl")),
    ("Nottingham", 457000, 340000, 0.7, ("pa", "ur", "pl")),
    ("Leicester", 458000, 304000, 0.7, ("gu", "pa", "so")),
    ("Bradford", 416000, 433000, 0.6, ("ur", "pa")),
    ("Coventry", 433000, 279000, 0.5, ("pa", "pl")),
)
RURAL_SHARE = 0.12
CITY_SPREAD_M = 7000.0

WORDS = (
    "young people weekly sessions coaches safe space confidence teamwork skills friendly qualified local community "
    "progression pathway free drop in referral support mentors positive build respect discipline fun trained "
    "experienced award accredited certificate leaders volunteers trips residential evening weekend holiday youth "
    "centre club hall park estate borough pitch studio kitchen gym ring court pool track equipment provided kit "
    "transport snacks healthy outcomes goals wellbeing resilience education employment future careers routine "
    "structured small groups one to one peer relationships conflict choices consequences leadership creative talent "
    "showcase performance competition league tournament fixtures training beginners welcome all abilities"
).split()
ACTIVITY_WORDS = {
    "football": "football footy soccer futsal five a side pitch",
    "boxing": "boxing boxercise sparring pads ring fitness",
    "basketball": "basketball hoops court shooting",
    "martial-arts": "martial arts kickboxing karate judo jiu jitsu mma",
    "cricket": "cricket batting bowling nets",
    "athletics": "athletics running sprinting track",
    "swimming": "swimming pool lifeguard",
    "gym-fitness": "gym weights fitness strength conditioning",
    "music": "music production grime drill rap beats studio recording dj",
    "dance": "dance street dance choreography",
    "drama": "drama acting theatre performance",
    "visual-arts": "art drawing graffiti painting design",
    "digital-media": "film video photography editing media",
    "mentoring": "mentoring mentor one to one role model",
    "employment-training": "cv job interview apprenticeship employment training",
    "education-life-skills": "education life skills maths english budgeting",
    "knife-crime-awareness": "knife crime awareness weapons consequences",
    "counselling": "counselling therapy mental health wellbeing",
    "anger-management": "anger management temper calm",
    "substance-misuse-support": "drugs alcohol cannabis substance support",
    "first-aid": "first aid cpr bleed control",
    "youth-club": "youth club games pool table",
    "outdoor-activities": "outdoor climbing hiking camping kayaking cycling",
    "cooking-nutrition": "cooking nutrition chef baking healthy eating",
}
# Fixed, so that the taxonomy growing leaves the benchmark's world (and its figures) comparable with earlier runs.
SUBJECT_INTEREST_TYPES = sorted({*ACTIVITY_WORDS, "sport", "music-creative-arts"})
INTEREST_TEXTS = (
    "footy, music",
    "wants to get into music production",
    "needs help with CV",
    "fotball and gym",
    "boxxing",
    "MMA, drill",
    "musik and drawing",
    "hoops",
    "likes graffiti and art",
    "acting",
    "cooking",
    "wants an apprenticeship",
    "kickboxing, weights",
    "photography and film",
    "",
    "gaming, hanging out with mates",
    "swimming and running",
    "DJ, beats, producing",
)
OBSERVANCES = (
    WeeklyWindow(4, 750, 840, "observance", "Friday prayers"),
    WeeklyWindow(5, 540, 780, "observance", "Shabbat services"),
    WeeklyWindow(6, 600, 750, "observance", "Sunday church"),
    WeeklyWindow(1, 1080, 1200, "observance", "Gurdwara seva"),
)
SESSION_STARTS = (930, 960, 990, 1020, 1050, 1080, 1110, 1140, 1170, 1200)
WEEKEND_STARTS = (600, 660, 720, 780, 840)
NAME_PARTS = ("Bow", "Ash", "Brook", "Hill", "Green", "Oak", "Mill", "Stone", "Wood", "Ford", "Lea", "Bridge", "Well")
NAME_ENDS = ("ton", "ham", "field", "wick", "bury", "ley", "side", "gate", "stead", "worth", "by", "mouth")


@dataclass(frozen=True)
class SyntheticWorld:
    programmes: tuple[Programme, ...]
    enrolments: tuple[Enrolment, ...]
    subjects: tuple[SubjectProfile, ...]


def build_world(programme_count: int, subject_count: int, seed: int = 2025) -> SyntheticWorld:
    rng = random.Random(seed)
    places = _place_names(rng, 1500)
    surnames = _surnames(rng, 8000)
    programmes = tuple(_programme(rng, index, places, surnames) for index in range(programme_count))
    session_ids = [s.id for p in programmes for s in p.sessions]
    enrolments = _enrolments(rng, session_ids)
    enrolled = sorted({e.subject_id for e in enrolments})
    subjects = tuple(_subject(rng, 900_000 + i, enrolled) for i in range(subject_count))
    return SyntheticWorld(programmes, enrolments, subjects)


def _surnames(rng: random.Random, count: int) -> list[str]:
    """Made-up surnames and street names, so the vocabulary is as varied as real listings."""
    syllables = ("ab", "ol", "ka", "ri", "don", "mel", "ston", "war", "ne", "tu", "be", "ham", "lin", "os", "va", "ek")
    return sorted({"".join(rng.choice(syllables) for _ in range(rng.randint(2, 4))) for _ in range(count)})


def _place_names(rng: random.Random, count: int) -> list[str]:
    names = {rng.choice(NAME_PARTS) + rng.choice(NAME_ENDS) for _ in range(count)}
    names |= {a + b.lower() for a in NAME_PARTS for b in NAME_PARTS if a != b}
    return sorted(names)


def _location(rng: random.Random) -> tuple[float, float, tuple[str, ...]]:
    if rng.random() < RURAL_SHARE:
        return rng.uniform(100000, 650000), rng.uniform(10000, 1200000), ()
    city = rng.choices(CITIES, weights=[c[3] for c in CITIES])[0]
    spread = CITY_SPREAD_M * (city[3] ** 0.5)
    return rng.gauss(city[1], spread), rng.gauss(city[2], spread), city[4]


def _postcode(rng: random.Random) -> str:
    letters = "ABDEFGHJLNPQRSTUWXYZ"
    area = rng.choice(("E", "N", "SE", "SW", "B", "M", "LS", "G", "L", "BS", "S", "EH", "CF", "NE", "NG", "LE"))
    return f"{area}{rng.randint(1, 20)} {rng.randint(1, 9)}{rng.choice(letters)}{rng.choice(letters)}"


def _programme(rng: random.Random, index: int, places: list[str], surnames: list[str]) -> Programme:
    easting, northing, local_languages = _location(rng)
    types = tuple(rng.sample(sorted(ACTIVITY_WORDS), rng.choice((1, 1, 1, 2, 2, 3))))
    place = rng.choice(places)
    venues = tuple(_venue(rng, index * 3 + k, place, easting, northing) for k in range(rng.choice((1, 1, 1, 2))))
    valid_from = TODAY - timedelta(days=rng.randint(-60, 700))
    min_age = rng.choice((8, 10, 11, 12, 13, 14, 15, 16))
    return Programme(
        id=index + 1,
        organisation_id=index // 3 + 1,
        organisation_name=f"{place} {rng.choice(('Youth Trust', 'Community Project', 'Foundation', 'CIC'))}",
        organisation_approved=rng.random() < 0.95,
        status=rng.choices(("active", "paused", "archived"), weights=(88, 8, 4))[0],
        title=f"{place} {ACTIVITY_TYPE_NAMES[types[0]]} {rng.choice(('Club', 'Academy', 'Project', 'Sessions'))}",
        description=_description(rng, types, place, surnames),
        activity_types=types,
        tags=tuple(rng.sample(" ".join(ACTIVITY_WORDS[t] for t in types).split(), 2)),
        min_age=min_age,
        max_age=min(25, min_age + rng.randint(3, 10)),
        gender=rng.choices(("any", "male", "female"), weights=(80, 12, 8))[0],
        capacity=rng.randint(6, 30),
        languages=("en",) + tuple(rng.sample(local_languages, rng.choice((0, 0, 1, 2))) if local_languages else ()),
        provisions=tuple(p.slug for p in PROVISIONS if rng.random() < 0.2),
        valid_from=valid_from,
        valid_to=None if rng.random() < 0.6 else valid_from + timedelta(days=rng.randint(120, 900)),
        assured_on=TODAY - timedelta(days=rng.randint(0, 500)),
        venues=venues,
        sessions=_sessions(rng, index, venues, valid_from),
    )


def _venue(rng: random.Random, venue_id: int, place: str, easting: float, northing: float) -> Venue:
    name = f"{place} {rng.choice(('Community Centre', 'Leisure Centre', 'Youth Hub', 'Boxing Club', 'Studios'))}"
    return Venue(venue_id, name, _postcode(rng), easting + rng.gauss(0, 800), northing + rng.gauss(0, 800))


def _description(rng: random.Random, types: tuple[str, ...], place: str, surnames: list[str]) -> str:
    activity = " ".join(ACTIVITY_WORDS[t] for t in types).split()
    words = rng.sample(activity, min(4, len(activity))) + rng.sample(WORDS, rng.randint(12, 28))
    rng.shuffle(words)
    coach = rng.choice(surnames).capitalize()
    street = rng.choice(surnames).capitalize()
    return f"Based in {place}, {street} Road, led by coach {coach}. " + " ".join(words).capitalize() + "."


def _sessions(rng: random.Random, index: int, venues: tuple[Venue, ...], valid_from: date) -> tuple[Session, ...]:
    count = rng.choices((0, 1, 2, 3, 4, 5), weights=(2, 22, 30, 25, 13, 8))[0]
    sessions = []
    for k in range(count):
        weekday = rng.choices(range(7), weights=(5, 5, 5, 5, 4, 3, 2))[0]
        start = rng.choice(WEEKEND_STARTS if weekday >= 5 else SESSION_STARTS)
        term_start = valid_from + timedelta(days=rng.randint(0, 60))
        term_end = None if rng.random() < 0.5 else term_start + timedelta(days=rng.randint(60, 400))
        venue = rng.choice(venues)
        sessions.append(
            Session(
                index * 10 + k + 1, venue.id, weekday, start, start + rng.choice((60, 90, 120)), term_start, term_end
            )
        )
    return tuple(sessions)


def _enrolments(rng: random.Random, session_ids: list[int]) -> tuple[Enrolment, ...]:
    if not session_ids:
        return ()
    popular = rng.sample(session_ids, max(1, len(session_ids) // 50))
    enrolments = [Enrolment(rng.randint(1, 60_000), rng.choice(session_ids)) for _ in range(len(session_ids) // 2)]
    enrolments += [Enrolment(rng.randint(1, 60_000), rng.choice(popular)) for _ in range(len(session_ids) // 5)]
    return tuple(enrolments)


def _subject(rng: random.Random, subject_id: int, enrolled: list[int]) -> SubjectProfile:
    easting, northing, local_languages = _location(rng)
    age = rng.randint(12, 17)
    first_language = rng.choice(local_languages) if local_languages and rng.random() < 0.4 else "en"
    return SubjectProfile(
        id=subject_id,
        age=age,
        gender=rng.choices(("male", "female", "other"), weights=(80, 17, 3))[0],
        easting=easting,
        northing=northing,
        languages=(first_language,) if first_language == "en" else (first_language, "en"),
        interest_activity_types=tuple(rng.sample(SUBJECT_INTEREST_TYPES, rng.choice((0, 1, 1, 2)))),
        interest_text=rng.choice(INTEREST_TEXTS),
        needs=tuple(p.slug for p in PROVISIONS if rng.random() < 0.1),
        commitments=_commitments(rng, age),
        observances=tuple(o for o in OBSERVANCES if rng.random() < 0.15),
        curfew=DailyWindow(rng.choice((1140, 1200, 1260)), 420) if rng.random() < 0.6 else None,
        exclusion_zones=tuple(_zone(rng, easting, northing, k) for k in range(rng.choice((0, 1, 1, 2)))),
        non_associates=tuple(rng.sample(enrolled, min(len(enrolled), rng.choice((0, 1, 2, 3))))),
        max_travel_m=None if rng.random() < 0.3 else float(rng.choice((3000, 5000, 8000, 12000, 15000))),
    )


def _commitments(rng: random.Random, age: int) -> tuple[WeeklyWindow, ...]:
    if age <= 16 or rng.random() < 0.5:
        end = rng.choice((900, 915, 930, 950))
        return tuple(WeeklyWindow(day, 520, end, "school", "school") for day in range(5))
    days = rng.sample(range(5), 3)
    college = tuple(WeeklyWindow(day, 540, 960, "college", "college") for day in sorted(days))
    return college + (WeeklyWindow(5, 600, 960, "work", "Saturday job"),)


def _zone(rng: random.Random, easting: float, northing: float, k: int) -> ExclusionZone:
    return ExclusionZone(
        f"{rng.choice(('High Street', 'Market', 'Station', 'Estate'))} area {k + 1}",
        easting + rng.uniform(-4000, 4000),
        northing + rng.uniform(-4000, 4000),
        float(rng.choice((300, 500, 800, 1500))),
    )
