"""Issue 14, observation 9: an auditor filters the log by the subject reference they know, reads London times,
types dates in GOV.UK date inputs, and the table stays inside its own region."""

import csv
import io
from datetime import datetime

from flask import Flask

from portal.data import audit
from portal.extensions import db
from tests.utils import error_summary, page


def add_event_at(app: Flask, occurred_at: datetime, **spec) -> None:
    """An event recorded at a given UTC moment (the log stores naive UTC)."""
    with app.app_context():
        event = audit.record(**spec)
        event.occurred_at = occurred_at
        db.session.commit()


def rows(response) -> list[str]:
    return [row.get_text(" ", strip=True) for row in page(response).select("table tbody tr")]


def test_the_auditor_filters_by_the_subject_reference(client, auditor, app, make, events) -> None:
    subject_id = make.subject(reference="MPS-2026-0101")
    other_id = make.subject(reference="MPS-2026-0202")
    add_event_at(app, datetime(2026, 7, 1, 9), action=audit.CONSULTATION, record_type="subject", record_id=subject_id)
    add_event_at(
        app, datetime(2026, 7, 1, 10), action=audit.ALTERATION, record_type="subject-note", subject_id=subject_id
    )
    add_event_at(app, datetime(2026, 7, 1, 11), action=audit.CONSULTATION, record_type="subject", record_id=other_id)
    looked_up = client.get("/audit/events", query_string={"subject": "MPS-2026-0101"})
    assert looked_up.status_code == 303  # the address then names the subject by its ID, not its reference
    assert looked_up.headers["Location"] == f"/audit/events?subject={subject_id}"
    response = client.get(looked_up.headers["Location"])
    shown = rows(response)
    assert len(shown) == 2 and "MPS-2026-0101" in shown[1] and "MPS-2026-0202" not in " ".join(shown)
    assert page(response).select_one("input#subject")["value"] == "MPS-2026-0101"
    lower_case = client.get("/audit/events", query_string={"subject": " mps-2026-0101 "}, follow_redirects=True)
    assert len(rows(lower_case)) == 2
    assert len(rows(client.get("/audit/events", query_string={"subject": str(subject_id)}))) == 2  # the ID still
    assert events(audit.CONSULTATION, "audit-log")[0].detail["filter_subject_id"] == str(subject_id)


def test_a_reference_nobody_has_is_a_field_error(client, auditor, make) -> None:
    make.subject(reference="MPS-2026-0101")
    response = client.get("/audit/events", query_string={"subject": "MPS-2026-9999"})
    assert response.status_code == 400
    assert error_summary(response) == ["There is no subject with that reference. Check it and try again"]
    assert page(response).select_one(".govuk-error-summary__list a")["href"] == "#subject"
    assert page(response).find(id="subject-error") is not None


def test_times_are_london_time_and_dates_are_london_days(client, auditor, app) -> None:
    # 23:30 UTC on 30 June is 00:30 on 1 July in London (BST); 11:05 UTC on 1 December is 11:05 in London (GMT).
    add_event_at(app, datetime(2026, 6, 30, 23, 30), action=audit.CONSULTATION, record_type="subject", record_id=1)
    add_event_at(app, datetime(2026, 12, 1, 11, 5), action=audit.CONSULTATION, record_type="subject", record_id=2)
    everything = page(client.get("/audit/events"))
    assert "Time (London)" in everything.select_one("thead").get_text()
    times = [cell.get_text(strip=True) for cell in everything.select("tbody tr td:nth-of-type(2)")]
    assert "1 July 2026 00:30" in times and "1 December 2026 11:05" in times
    assert "Times are UTC" not in everything.get_text()
    first_of_july = {"from-day": "1", "from-month": "7", "from-year": "2026"}
    first_of_july |= {"to-day": "1", "to-month": "7", "to-year": "2026"}
    on_the_day = rows(client.get("/audit/events", query_string=first_of_july))
    assert len(on_the_day) == 1 and "subject #1" in on_the_day[0]


def test_dates_are_gov_uk_date_inputs_not_browser_pickers(client, auditor) -> None:
    shown = page(client.get("/audit/events"))
    assert shown.select("input[type=date]") == []
    for name, legend in (("from", "From date"), ("to", "To date")):
        fieldset = shown.select_one(f"#{name}").find_parent("fieldset")
        assert fieldset.select_one("legend").get_text(strip=True) == legend
        assert [box["name"] for box in fieldset.select("input")] == [f"{name}-day", f"{name}-month", f"{name}-year"]
    refused = client.get("/audit/events", query_string={"from-day": "31", "from-month": "2", "from-year": "2026"})
    assert refused.status_code == 400 and error_summary(refused) == ["From date must be a real date"]
    assert page(refused).select_one(".govuk-error-summary__list a")["href"] == "#from-day"
    assert page(refused).select_one("input#from-day")["value"] == "31"  # what was typed stays


def test_filters_stay_on_every_page_and_in_the_download(client, auditor, app, make) -> None:
    subject_id = make.subject(reference="MPS-2026-0101")
    for hour in range(25):
        add_event_at(
            app, datetime(2026, 7, 1, hour % 24), action=audit.CONSULTATION, record_type="subject", record_id=subject_id
        )
    query = {"subject": "MPS-2026-0101", "from-day": "1", "from-month": "7", "from-year": "2026"}
    first = page(client.get("/audit/events", query_string=query, follow_redirects=True))
    assert first.select_one("input#subject")["value"] == "MPS-2026-0101"
    next_link = first.select_one(".govuk-pagination__next a")["href"]
    assert f"subject={subject_id}" in next_link and "from-day=1" in next_link
    download = next(a for a in first.select("main a") if "events.csv" in a["href"])["href"]
    assert f"subject={subject_id}" in download
    assert client.get(download).get_data(as_text=True).count("\n") == 26  # the header and 25 events


def test_the_table_scrolls_inside_its_own_region(client, auditor) -> None:
    region = page(client.get("/audit/events")).select_one("div.app-table-scroll")
    assert region["role"] == "region" and region["tabindex"] == "0"
    assert region.select_one("table caption")["id"] == region["aria-labelledby"]


def test_the_download_gives_london_time_beside_utc(client, auditor, app) -> None:
    add_event_at(app, datetime(2026, 6, 30, 23, 30), action=audit.CONSULTATION, record_type="subject", record_id=1)
    body = client.get("/audit/events.csv").get_data(as_text=True).lstrip("\ufeff")
    [row] = [row for row in csv.DictReader(io.StringIO(body)) if row["record_type"] == "subject"]
    assert (row["occurred_at_utc"], row["occurred_at_london"]) == ("2026-06-30T23:30:00Z", "2026-07-01T00:30:00+01:00")
