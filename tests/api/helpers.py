"""Bodies the API tests reuse."""

from datetime import date, timedelta

from portal.rules.schedule import london_today

PROGRAMME = {
    "title": "Boxing club",
    "description": "Weekly boxing with mentoring.",
    "activity_types": ["boxing"],
    "tags": ["boxing", "fitness"],
    "min_age": 12,
    "max_age": 18,
    "gender": "any",
    "capacity": 10,
    "cost_pence": 250,
    "languages": ["en"],
    "referral_process": "Email the coordinator.",
    "supervisor_name": "Sam Coach",
    "supervisor_role": "Head coach",
    "supervisor_email": "sam@example.org",
    "supervisor_phone": "020 7946 0001",
    "valid_from": "2026-01-01",
}


def subject_body(reference: str = "API-T-0001", **overrides: object) -> dict:
    today = london_today()
    return {
        "reference": reference,
        "first_name": "Jordan",
        "last_name": "Tester",
        "date_of_birth": date(today.year - 16, 1, 1).isoformat(),
        "gender": "male",
        "home_postcode": "E3 2AA",
        "category": "suspect",
        "languages": ["en"],
        "interest_activity_types": ["football"],
    } | overrides


def days_ago(days: int) -> str:
    return (london_today() - timedelta(days=days)).isoformat()
