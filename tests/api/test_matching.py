"""The matching API explains every session of a suggested programme and pages through every suggestion."""

from datetime import time

from portal.models import SubjectWindow, WindowKind
from tests.api.conftest import Api


def test_each_suggestion_lists_its_ruled_out_sessions_and_every_suggestion_is_reachable(make, officer: Api) -> None:
    organisation = make.organisation()
    clubs = [make.programme(organisation, title=f"Club {n}", sessions=2) for n in range(5)]  # Monday and Tuesday
    job = SubjectWindow(kind=WindowKind.WORK, label="Job", weekday=0, start_time=time(16), end_time=time(20))
    subject_id = make.subject(interest_activity_types=["football"], windows=[job])
    pages = [officer.post(f"/matching?page={n}&per_page=2", json={"subject_id": subject_id}) for n in (1, 2, 3)]
    assert [p.status_code for p in pages] == [200, 200, 200], pages[0].json
    assert [(p.json["page"], p.json["per_page"], p.json["total"]) for p in pages] == [(n, 2, 5) for n in (1, 2, 3)]
    suggestions = [s for p in pages for s in p.json["suggestions"]]
    assert sorted(s["programme_id"] for s in suggestions) == sorted(clubs)
    assert pages[2].json["plan"] == pages[0].json["plan"]
    for suggestion in suggestions:
        monday = make.session_ids(suggestion["programme_id"])[0]
        assert [s["weekday"] for s in suggestion["sessions"]] == [1]
        (ruled_out,) = suggestion["ruled_out_sessions"]
        assert ruled_out["session_id"] == monday and ruled_out["start_time"] == "17:00"
        assert ruled_out["reasons"] == [
            {"code": "commitment_clash", "sentence": "Monday 17:00–19:00 clashes with Job (Monday 16:00–20:00)"}
        ]
        assert suggestion["late_start"] is None and suggestion["fits_interests_or_needs"] is True
    refused = officer.post("/matching?per_page=500", json={"subject_id": subject_id})
    assert refused.json["error"]["fields"] == {"per_page": "per_page must be a whole number from 1 to 100"}
