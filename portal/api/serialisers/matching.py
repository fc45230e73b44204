"""Matching: the sessions that fit a subject, and those ruled out with the reason."""

from dataclasses import asdict
from typing import Any

from matching import MatchResult
from matching.explain import clock
from matching.results import FeasibleSession, RuledOutSession
from portal.api.serialisers.base import BOOL, DATE, INT, NUM, STR, TIME, arr, null, obj, schema

FEASIBLE = obj(
    {
        "session_id": INT,
        "weekday": INT,
        "start_time": TIME,
        "end_time": TIME,
        "venue_id": INT,
        "venue_name": STR,
        "postcode": STR,
        "distance_m": NUM,
    }
)
RULED_OUT = obj(
    {
        "session_id": INT,
        "weekday": INT,
        "start_time": TIME,
        "end_time": TIME,
        "venue_name": STR,
        "postcode": STR,
        "reasons": arr(obj({"code": STR, "sentence": STR})),
    }
)
schema(
    "MatchResult",
    {
        "subject_id": null(INT),
        "starts_on": DATE,
        "ends_on": DATE,
        "feasible_total": INT,
        "excluded_total": INT,
        "page": INT,
        "per_page": INT,
        "total": INT,
        "suggestions": arr(
            obj(
                {
                    "programme_id": INT,
                    "title": STR,
                    "organisation_id": INT,
                    "organisation_name": STR,
                    "score": NUM,
                    "summary": STR,
                    "distance_m": NUM,
                    "components": arr(obj({"name": STR, "points": NUM, "max_points": NUM, "reason": STR})),
                    "sessions": arr(FEASIBLE),
                    "ruled_out_sessions": arr(RULED_OUT),
                    "late_start": null(STR),
                    "fits_interests_or_needs": BOOL,
                }
            )
        ),
        "exclusions": arr(
            obj(
                {
                    "programme_id": INT,
                    "title": STR,
                    "organisation_name": STR,
                    "distance_m": null(NUM),
                    "reasons": arr(obj({"code": STR, "sentence": STR, "session_ids": arr(INT)})),
                }
            )
        ),
        "other_exclusion_totals": {"type": "object", "additionalProperties": INT},
        "plan": obj(
            {
                "total_score": NUM,
                "note": null(STR),
                "sessions": arr(obj({"programme_id": INT, "title": STR, "session": FEASIBLE, "reason": STR})),
            }
        ),
    },
)


def feasible(found: FeasibleSession) -> dict[str, Any]:
    return {
        "session_id": found.session_id,
        "weekday": found.weekday,
        "start_time": clock(found.start),
        "end_time": clock(found.end),
        "venue_id": found.venue_id,
        "venue_name": found.venue_name,
        "postcode": found.postcode,
        "distance_m": round(found.distance_m, 1),
    }


def ruled_out(session: RuledOutSession) -> dict[str, Any]:
    return {
        "session_id": session.session_id,
        "weekday": session.weekday,
        "start_time": clock(session.start),
        "end_time": clock(session.end),
        "venue_name": session.venue_name,
        "postcode": session.postcode,
        "reasons": [asdict(reason) for reason in session.reasons],
    }


def match_result(result: MatchResult, subject_id: int | None, starts_on: Any, ends_on: Any) -> dict[str, Any]:
    return {
        "subject_id": subject_id,
        "starts_on": starts_on,
        "ends_on": ends_on,
        "feasible_total": result.feasible_total,
        "excluded_total": result.excluded_total,
        "total": result.feasible_total,
        "suggestions": [
            {
                "programme_id": s.programme_id,
                "title": s.title,
                "organisation_id": s.organisation_id,
                "organisation_name": s.organisation_name,
                "score": s.score,
                "summary": s.summary,
                "distance_m": round(s.distance_m, 1),
                "components": [asdict(c) for c in s.components],
                "sessions": [feasible(f) for f in s.sessions],
                "ruled_out_sessions": [ruled_out(r) for r in s.ruled_out],
                "late_start": s.late_start or None,
                "fits_interests_or_needs": s.fits_interests_or_needs,
            }
            for s in result.suggestions
        ],
        "exclusions": [
            {
                "programme_id": e.programme_id,
                "title": e.title,
                "organisation_name": e.organisation_name,
                "distance_m": round(e.distance_m, 1) if e.distance_m is not None else None,
                "reasons": [asdict(r) for r in e.reasons],
            }
            for e in result.exclusions
        ],
        "other_exclusion_totals": dict(result.other_exclusion_totals),
        "plan": {
            "total_score": result.plan.total_score,
            "note": result.plan.note or None,
            "sessions": [
                {"programme_id": p.programme_id, "title": p.title, "session": feasible(p.session), "reason": p.reason}
                for p in result.plan.sessions
            ],
        },
    }
