"""From a new subject to a non-compliance decision, in a real browser, as ordered steps of one scenario.

Journeys 3 to 8 of issue 8 build on each other's state (the subject, its draft order, the partners' confirmations,
the made order, the register), so this module runs them in order on a live server and database of its own,
fresh and seeded for this module alone: nothing the session's other browser tests do can change what these steps
see. Each step is its own test, signing in again in a fresh browser context; if one fails, the later steps are
skipped (see `journey_steps` in conftest) instead of failing for the same reason.

axe runs on every kind of page each step visits, in each state it is seen in (`assert_page_ok`, which also saves
a screenshot of it under test-artifacts/screenshots/ with KCPO_SCREENSHOTS=1). The partner's acceptance
(journey 5), sign-in included, is driven with the keyboard alone.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import select

from tests.browser.conftest import (
    OFFICER,
    LiveServer,
    assert_page_ok,
    fill_date,
    keyboard_sign_in,
    serve_seeded_portal,
    sign_in_as,
    sign_out,
    tab_to,
)

pytestmark = [pytest.mark.browser, pytest.mark.journey_steps]

WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
SLOT = re.compile(r"\b(" + "|".join(WEEKDAYS) + r") (\d\d:\d\d)–(\d\d:\d\d)")
REFERENCE = "KCPO-BROWSER-001"
SUBJECT_NAME = "Zain Rahman"


@pytest.fixture(scope="module")
def journey_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    with serve_seeded_portal(tmp_path_factory.mktemp("order-journey") / "portal.sqlite3") as server:
        yield server


@pytest.fixture(scope="module")
def live_server(journey_server: LiveServer) -> str:
    """Overrides the session's server for this module: `page` opens this module's own server."""
    return journey_server.url


@pytest.fixture(scope="module")
def journey() -> dict:
    """What one step leaves for the next: URLs and names read off the pages."""
    return {}


def partner_for_referrals(server: LiveServer, order_id: int) -> dict[str, str]:
    """Sign-in email of a partner user for each organisation the order's referrals went to, by organisation name.

    The demo gives users to only some of its organisations; one that has none gets a partner user here, as an
    administrator's invitation would (the invitation itself is covered by tests/test_admin.py)."""
    from portal.data import accounts
    from portal.extensions import db
    from portal.models import Organisation, Referral, Requirement, Role, User
    from seed.demo import DEMO_PASSWORD

    emails: dict[str, str] = {}
    with server.app.app_context():
        organisations = db.session.scalars(
            select(Organisation)
            .join(Referral, Referral.organisation_id == Organisation.id)
            .join(Requirement, Requirement.id == Referral.requirement_id)
            .where(Requirement.order_id == order_id)
            .distinct()
        ).all()
        for organisation in organisations:
            user = db.session.scalar(
                select(User).where(User.organisation_id == organisation.id, User.role == Role.PARTNER).limit(1)
            )
            if user is None:
                user = accounts.create_user(
                    email=f"supervisor.{organisation.id}@partner.example.org",
                    full_name=f"Supervisor at {organisation.name}",
                    role=Role.PARTNER,
                    password=DEMO_PASSWORD,
                    organisation_id=organisation.id,
                )
            emails[organisation.name] = user.email
        db.session.commit()
    return emails


def weekly_slots(text: str) -> list[tuple[str, str, str]]:
    """Every "Tuesday 17:00–19:00" in the text, as (day, start, end)."""
    return SLOT.findall(text)


# --- journey 3 --------------------------------------------------------------------------------------------


def test_3_officer_creates_a_subject_and_gets_suggestions(page: Page, journey: dict) -> None:
    sign_in_as(page, OFFICER)
    page.goto("/subjects/")
    page.get_by_role("button", name="Add a subject").click()
    assert_page_ok(page, "journey-subject-new", "Add a subject")

    page.get_by_label("Reference").fill(REFERENCE)
    page.get_by_label("First name").fill("Zain")
    page.get_by_label("Last name").fill("Rahman")
    fill_date(page, "Date of birth", date(2011, 5, 10))
    page.get_by_role("group", name="Gender").get_by_label("Male", exact=True).check()
    page.get_by_label("Home postcode").fill("E3 4QN")
    page.get_by_role("group", name="Subject category").get_by_label("Suspect").check()
    page.get_by_role("group", name="Languages").get_by_label("English", exact=True).check()
    interests = page.get_by_role("group", name="Interests", exact=True)
    interests.get_by_label("Football", exact=True).check()
    interests.get_by_label("Music and music production").check()
    page.get_by_label("Interests in their own words (optional)").fill("footy, grime")
    page.get_by_label("Curfew start (optional)").fill("21:00")
    page.get_by_label("Curfew end (optional)").fill("07:00")
    page.get_by_label("Maximum travel distance").fill("5")
    page.get_by_role("button", name="Save subject").click()
    assert_page_ok(page, "journey-subject", SUBJECT_NAME)
    journey["subject_url"] = page.url

    # A school timetable: one form adds Monday to Friday at once.
    page.get_by_role("button", name="Add a weekly commitment").click()
    assert_page_ok(page, "journey-subject-window-new", "Add a weekly commitment")
    page.get_by_label("School", exact=True).check()
    page.get_by_label("Description").fill("Bow School")
    page.get_by_label("Every weekday, Monday to Friday (a school timetable)").check()
    page.get_by_label("Start time").fill("08:40")
    page.get_by_label("End time").fill("15:30")
    page.get_by_role("button", name="Add commitment").click()
    expect(page.locator("h1")).to_contain_text(SUBJECT_NAME)

    # A faith observance.
    page.get_by_role("button", name="Add a weekly commitment").click()
    page.get_by_label("Faith observance").check()
    page.get_by_label("Description").fill("Friday prayers")
    page.get_by_label("Friday", exact=True).check()
    page.get_by_label("Start time").fill("12:30")
    page.get_by_label("End time").fill("14:00")
    page.get_by_role("button", name="Add commitment").click()

    commitments = page.locator("table", has=page.get_by_role("columnheader", name="Day and time"))
    expect(commitments.locator("tbody tr")).to_have_count(6)
    for day in ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday"):
        expect(commitments).to_contain_text(f"{day} 08:40–15:30")
    expect(commitments).to_contain_text("Friday prayers")

    # An exclusion zone.
    page.get_by_role("button", name="Add an exclusion zone").click()
    assert_page_ok(page, "journey-subject-zone-new", "Add an exclusion zone")
    page.get_by_label("Name of the place").fill("Whitechapel Road area")
    page.get_by_label("Postcode").fill("E1 1BB")
    page.get_by_label("Radius").fill("800")
    page.get_by_role("button", name="Add exclusion zone").click()
    assert_page_ok(page, "journey-subject-complete", SUBJECT_NAME)
    zones = page.locator("table", has=page.get_by_role("columnheader", name="Radius"))
    expect(zones).to_contain_text("Whitechapel Road area")
    expect(zones).to_contain_text("800 m")

    # Suggestions wait until the officer has said each section of the record is complete.
    expect(page.get_by_role("link", name="Find suggested requirements")).to_have_count(0)
    for section in (
        "Languages and interests",
        "Faith, culture and access needs",
        "School, work and faith observances",
        "Curfew and travel",
        "Exclusion zones",
        "Non-associations",
    ):
        page.get_by_role("link", name=section, exact=True).click()
        page.get_by_role("group", name="Have you completed this section?").get_by_label("Yes").check()
        page.get_by_role("button", name="Save and continue").click()
        expect(page.locator(".govuk-notification-banner")).to_contain_text(f"{section} saved.")

    page.get_by_role("link", name="Find suggested requirements").click()
    assert_page_ok(page, "journey-suggestions", "Suggested requirements")
    expect(page.locator(".govuk-caption-l")).to_contain_text(REFERENCE)
    suggestions = page.locator("#suggested .app-suggestions__item")
    expect(suggestions.first).to_be_visible()
    # Every suggestion is explained, and nothing suggested clashes with school, prayers or the curfew.
    first = suggestions.first
    first.get_by_text("Why this score").click()
    expect(first.locator(".govuk-details__text table")).to_be_visible()
    offered = [slot for text in suggestions.locator("li").all_inner_texts() for slot in weekly_slots(text)]
    assert offered
    for day, start, end in offered:
        assert not (day in WEEKDAYS[:5] and start < "15:30" and end > "08:40"), f"clashes with school: {day} {start}"
        assert not (day == "Friday" and start < "14:00" and end > "12:30"), f"clashes with prayers: {day} {start}"
        assert "07:00" <= start and end <= "21:00", f"inside the curfew: {day} {start}-{end}"
    page.get_by_role("tab", name=re.compile("Excluded")).click()
    expect(page.locator("#excluded")).to_be_visible()
    expect(page.locator("#excluded tbody tr").first).to_be_visible()
    assert_page_ok(page, "journey-suggestions-excluded", "Suggested requirements")
    sign_out(page)


# --- journey 4 --------------------------------------------------------------------------------------------


def test_4_officer_accepts_the_weekly_plan_into_a_draft_order(page: Page, journey: dict) -> None:
    sign_in_as(page, OFFICER)
    page.goto(journey["subject_url"])
    page.get_by_role("link", name="Find suggested requirements").click()
    page.get_by_role("tab", name=re.compile("Weekly plan")).click()
    plan = page.locator("#weekly-plan")
    expect(plan).to_be_visible()
    rows = plan.locator("tbody tr")
    planned = rows.count()
    assert planned >= 1
    journey["planned"] = [rows.nth(index).locator("td").nth(1).inner_text().split("\n")[0] for index in range(planned)]
    assert_page_ok(page, "journey-suggestions-plan", "Suggested requirements")
    plan.get_by_role("button", name="Add this weekly plan to a new draft order").click()

    assert_page_ok(page, "journey-draft-order", "Draft Knife Crime Prevention Order")
    journey["order_url"] = page.url
    journey["order_id"] = int(page.url.rstrip("/").rsplit("/", 1)[1])
    requirements = page.locator("table", has=page.get_by_role("columnheader", name="Supervisor")).locator("tbody tr")
    expect(requirements).to_have_count(planned)
    for title in journey["planned"]:
        expect(requirements.filter(has_text=title)).not_to_have_count(0)
    for index in range(planned):
        expect(requirements.nth(index)).to_contain_text("Sent to partner")
        expect(requirements.nth(index)).to_contain_text("Needs a necessity rationale")
    # The prohibitions are drawn from the subject's record.
    expect(page.locator("main")).to_contain_text("Whitechapel Road area (800 m around E1 1BB)")

    page.goto(journey["subject_url"])
    expect(page.get_by_role("button", name="Open the draft order")).to_be_visible()
    assert_page_ok(page, "journey-subject-with-draft", SUBJECT_NAME)
    sign_out(page)


# --- journey 5 --------------------------------------------------------------------------------------------

STATEMENT = {
    "capacity": "Yes: we have a place in this session for him.",
    "dates": "From the start of the order for as long as it lasts.",
    "safeguarding": "DBS-checked coaches; our designated safeguarding lead is named in the programme.",
    "attendance": "We mark the register in the portal at every session.",
}


def test_5_partner_accepts_the_referral_with_a_statement_using_only_the_keyboard(
    page: Page, journey: dict, journey_server: LiveServer
) -> None:
    """Sign-in, finding the referral and the statement are done with Tab, typing and Enter: no clicks."""
    partners = partner_for_referrals(journey_server, journey["order_id"])
    assert partners, "the draft order sent no referrals"
    journey["partners"] = partners
    accepted = 0
    for email in partners.values():
        keyboard_sign_in(page, email)  # lands on the partner's home page: their referrals
        tab_to(page, '#app-navigation a[href="/partner/referrals/"]')
        page.keyboard.press("Enter")
        assert_page_ok(page, f"journey-partner-referrals-{accepted}", "Referrals")
        waiting = page.locator("table[data-group=new] tbody tr", has_text="Zain")
        expect(waiting).not_to_have_count(0)
        for _ in range(waiting.count()):
            keyboard_accept_referral(page, waiting.first.locator("a").first.get_attribute("href"), accepted)
            accepted += 1
            tab_to(page, 'a[href="/partner/referrals/"]', limit=60)  # "All referrals", the back link
            page.keyboard.press("Enter")
            expect(page.locator("h1")).to_have_text("Referrals")
        expect(waiting).to_have_count(0)
        tab_to(page, "header button.app-header__sign-out-button", limit=60)
        page.keyboard.press("Enter")
        expect(page.get_by_role("button", name="Sign out")).to_have_count(0)

    # The officer sees every partner's confirmation on the draft.
    sign_in_as(page, OFFICER)
    page.goto(journey["order_url"])
    requirements = page.locator("table", has=page.get_by_role("columnheader", name="Supervisor")).locator("tbody tr")
    for index in range(requirements.count()):
        expect(requirements.nth(index)).to_contain_text("Partner confirmed")
    sign_out(page)


def keyboard_accept_referral(page: Page, href: str, index: int) -> None:
    """From the referrals list, open one referral and accept it with a statement, by keyboard alone."""
    tab_to(page, f'a[href="{href}"]', limit=60)
    page.keyboard.press("Enter")
    assert_page_ok(page, f"journey-partner-referral-{index}", "Zain")
    expect(page.locator("main")).to_contain_text("The requirement to supervise")
    for name, text in STATEMENT.items():
        tab_to(page, f"textarea[name={name}]", limit=40)
        page.keyboard.type(text)
    submit = tab_to(page, "form[action$='/accept'] [type=submit]", limit=3)
    assert submit["text"] == "Accept and confirm supervision"
    page.keyboard.press("Space")
    expect(page.locator(".govuk-panel")).to_contain_text("Referral accepted")
    assert_page_ok(page, f"journey-partner-referral-accepted-{index}", "Zain")
    for text in STATEMENT.values():
        expect(page.locator("main")).to_contain_text(text)


# --- journey 6 --------------------------------------------------------------------------------------------


def test_6_officer_completes_the_order_the_checks_pass_and_the_court_document_downloads(
    page: Page, journey: dict, tmp_path: Path, today: date
) -> None:
    from docx import Document

    sign_in_as(page, OFFICER)
    page.goto(journey["order_url"])
    page.get_by_role("link", name="Check against the rules").click()
    assert_page_ok(page, "journey-order-checks-before", "Checks against the rules")
    expect(page.locator("#problems li")).not_to_have_count(0)
    page.get_by_role("link", name="Back to the order").click()

    page.get_by_role("link", name="Change order details").click()
    assert_page_ok(page, "journey-order-details", "Order details")
    page.get_by_label("Without conviction: police application by complaint (section 14)").check()
    page.get_by_label("Police area").fill("Metropolitan Police district")
    page.get_by_label("Applicant").fill("Commissioner of Police of the Metropolis")
    page.get_by_label("Court").fill("Thames Magistrates' Court")
    fill_date(page, "Proposed start date", today + timedelta(days=7))
    page.get_by_label("Duration").select_option("12")
    page.get_by_label("Why the order is necessary").fill("To protect him and the public from knife crime.")
    page.get_by_label("Youth offending team consulted").fill("Tower Hamlets Youth Justice Service")
    fill_date(page, "Date of the youth offending team consultation", today - timedelta(days=50))
    page.get_by_label("Outcome of the consultation").fill("Supports positive requirements in football and music.")
    page.get_by_label("Parent or guardian's name").fill("Nadia Rahman")
    page.get_by_label("Relationship to the subject").fill("Mother")
    page.get_by_role("button", name="Save order details").click()
    expect(page.locator("h1")).to_contain_text("Knife Crime Prevention Order")

    for days_ago in (100, 86):
        page.get_by_role("link", name="Add an occasion").click()
        assert_page_ok(page, "journey-order-occasion-new", "Add an occasion with a bladed article")
        fill_date(page, "Date of the occasion", today - timedelta(days=days_ago))
        page.get_by_label("A public place").check()
        page.get_by_label("Summary of the facts").fill("Stopped near Mile End station with a kitchen knife.")
        page.get_by_role("button", name="Add occasion").click()
        expect(page.locator("h1")).to_contain_text("Knife Crime Prevention Order")

    requirements = page.locator("table", has=page.get_by_role("columnheader", name="Supervisor")).locator("tbody tr")
    for index in range(requirements.count()):
        requirements.nth(index).get_by_role("link", name=re.compile("^Change")).click()
        if index == 0:
            assert_page_ok(page, "journey-order-requirement", "")
        page.get_by_label("Why this requirement is necessary").fill("Structured, supervised activity after school.")
        page.get_by_role("button", name="Save requirement").click()
        expect(page.locator("h1")).to_contain_text("Knife Crime Prevention Order")
    expect(page.get_by_text("Needs a necessity rationale")).to_have_count(0)

    expect(page.locator("main")).to_contain_text("Ready for court")
    assert_page_ok(page, "journey-order-ready", "Knife Crime Prevention Order")
    page.get_by_role("link", name="Check against the rules").click()
    expect(page.locator("main")).to_contain_text("No problems remain")
    expect(page.locator("#problems")).to_have_count(0)
    assert_page_ok(page, "journey-order-checks-pass", "Checks against the rules")
    page.get_by_role("link", name="Back to the order").click()

    with page.expect_download() as info:
        page.get_by_role("link", name="Download court document (.docx)").click()
    download = info.value
    assert download.suggested_filename.endswith(".docx"), download.suggested_filename
    saved = tmp_path / download.suggested_filename
    download.save_as(saved)
    text = "\n".join(paragraph.text for paragraph in Document(str(saved)).paragraphs)
    assert "Zain" in text and "Rahman" in text
    assert re.search(r"must participate in .+ between \d\d:\d\d and \d\d:\d\d on \w+days", text), text[:2000]
    assert "Whitechapel Road area" in text
    sign_out(page)


# --- journey 7 --------------------------------------------------------------------------------------------


def _filed_six_weeks_ago(server: LiveServer, order_url: str) -> None:
    """Test set-up: the court cannot make an order before it is filed, and this journey needs the order made five
    weeks ago (so there are past registers to mark), so its filing is moved back; no page can do that."""
    from portal.extensions import db
    from portal.models import Order

    with server.app.app_context():
        order = db.session.get(Order, int(order_url.rstrip("/").rsplit("/", 1)[1]))
        order.filed_at = datetime.now(UTC).replace(tzinfo=None) - timedelta(weeks=6)
        db.session.commit()
        db.session.remove()


def test_7_order_is_filed_and_made_and_the_partner_keeps_the_register(
    page: Page, journey: dict, journey_server: LiveServer, today: date
) -> None:
    sign_in_as(page, OFFICER)
    page.goto(journey["order_url"])
    page.get_by_role("link", name="Mark as filed").click()
    assert_page_ok(page, "journey-order-check-answers", "Check the order before you file it")
    page.get_by_role("button", name="Confirm and file").click()
    assert_page_ok(page, "journey-order-filed-confirmation", "Order filed")
    page.get_by_role("link", name="Back to the order").click()
    expect(page.locator("h1")).to_contain_text("Filed")
    assert_page_ok(page, "journey-order-filed", "Knife Crime Prevention Order")
    _filed_six_weeks_ago(journey_server, journey["order_url"])

    page.get_by_role("link", name="Record that the court made the order").click()
    assert_page_ok(page, "journey-order-made-form", "Record that the court made the order")
    # made five weeks ago: every weekly session has at least three past dates to mark, even with a holiday week off
    fill_date(page, "Date the court made the order", today - timedelta(days=35))
    page.get_by_label("Court", exact=True).fill("Thames Magistrates' Court")
    page.get_by_role("button", name="Record the order as made").click()
    expect(page.locator("h1")).to_contain_text("Made")
    assert_page_ok(page, "journey-order-made", "Knife Crime Prevention Order")
    requirements = page.locator("table", has=page.get_by_role("columnheader", name="Supervisor")).locator("tbody tr")
    for index in range(requirements.count()):
        expect(requirements.nth(index)).to_contain_text("Active")
    sign_out(page)

    # The partner of the first requirement finds its past sessions on the register list.
    organisation, email = next(iter(journey["partners"].items()))
    sign_in_as(page, email)
    page.get_by_role("link", name="Registers").first.click()
    assert_page_ok(page, "journey-partner-registers", "Registers")
    rows = page.locator("table[data-group=recent] tbody tr")
    past: dict[str, list[str]] = {}
    for index in range(rows.count()):
        row = rows.nth(index)
        on_date = row.get_attribute("data-date")
        if date.fromisoformat(on_date) < today:
            past.setdefault(row.get_attribute("data-session"), []).append(on_date)
    session_id, dates = max(past.items(), key=lambda item: len(item[1]))
    dates.sort()
    assert len(dates) >= 3, past  # weekly since the order was made five weeks ago
    journey["register"] = {"email": email, "session_id": session_id, "dates": dates}

    mark_register(page, session_id, dates[0], "Attended")
    assert_page_ok(page, "journey-register-saved", "Register for")
    page.get_by_role("link", name="All registers").click()
    assert_page_ok(page, "journey-partner-registers-marked", "Registers")
    row = page.locator(f"table[data-group] tr[data-session='{session_id}'][data-date='{dates[0]}']")
    if date.fromisoformat(dates[0]) < today - timedelta(days=14):
        expect(row).to_have_count(0)  # no longer overdue, and older than the list's fortnight
    else:
        expect(row).to_contain_text("Complete")
    sign_out(page)


def mark_register(page: Page, session_id: str, on_date: str, status: str, **absence: str) -> None:
    """Open one register from the list, mark Zain's attendance and save it."""
    page.goto("/partner/registers/")
    page.locator(f"table[data-group] tr[data-session='{session_id}'][data-date='{on_date}'] a").click()
    assert_page_ok(page, f"journey-register-{status.lower()}", "Register for")
    row = page.locator("table.app-register tbody tr", has_text="Zain")
    row.get_by_role("group", name=re.compile("^Attendance for")).get_by_label(status, exact=True).check()
    if status == "Absent":
        row.get_by_label(re.compile("Why was .* absent")).fill(absence["reason"])
        row.get_by_role("group", name=re.compile("absence acceptable")).get_by_label("No", exact=True).check()
        row.get_by_label(re.compile("How you tried to contact")).fill(absence["contact"])
    page.get_by_role("button", name="Save register").click()
    expect(page.locator("h1")).to_contain_text("Complete")
    expect(page.locator(".govuk-notification-banner--success")).to_be_visible()
    expect(row.locator(".app-earlier-mark")).to_contain_text(status)


# --- journey 8 --------------------------------------------------------------------------------------------


def test_8_two_unacceptable_absences_raise_a_report_and_the_officer_submits_a_decision(
    page: Page, journey: dict
) -> None:
    register = journey["register"]
    sign_in_as(page, register["email"])
    for on_date in register["dates"][1:3]:
        mark_register(page, register["session_id"], on_date, "Absent", reason="No reason given", contact="Phoned twice")
    sign_out(page)

    sign_in_as(page, OFFICER)
    page.get_by_role("link", name="Non-compliance").first.click()
    assert_page_ok(page, "journey-reports", "Non-compliance reports")
    report = page.locator("table[data-group=open] tbody tr", has_text=REFERENCE)
    expect(report).to_have_count(1)
    report.get_by_role("link").click()
    assert_page_ok(page, "journey-report", "Non-compliance report")
    expect(page.locator("[data-section=facts]")).to_contain_text("Phoned twice")
    expect(page.locator("[data-section=evidence-marks] tbody tr")).to_have_count(2)
    expect(page.locator(".govuk-warning-text")).to_contain_text("under 18")

    page.get_by_label("Your assessment").fill("Two missed sessions without a reason, after a good start.")
    page.get_by_role("group", name="Decision").get_by_label("Warning", exact=True).check()
    page.get_by_label("Reason for the decision").fill("First failure: a warning letter to him and his mother.")
    page.get_by_role("button", name="Submit decision and lock the report").click()

    assessment = page.locator("[data-section=assessment]")
    expect(assessment).to_contain_text("Warning")
    expect(assessment).to_contain_text("First failure")
    expect(page.get_by_text("This report was submitted and cannot change.")).to_be_visible()
    assert_page_ok(page, "journey-report-submitted", "Non-compliance report")

    page.get_by_role("link", name="All non-compliance reports").click()
    assert_page_ok(page, "journey-reports-decided", "Non-compliance reports")
    expect(page.locator("table[data-group=submitted] tbody tr", has_text=REFERENCE)).to_contain_text("Warning")
    expect(page.locator("table[data-group=open] tbody tr", has_text=REFERENCE)).to_have_count(0)
    sign_out(page)
