"""A draft order as a GOV.UK task list: each task's status follows the checks that decide whether it can be filed,
and "Check and file" opens only when filing would be allowed. Plain test client: JavaScript off."""

from datetime import date

from portal.rules.orders.checks import CheckResult, Problem
from portal.rules.orders.tasks import DraftState, draft_tasks
from tests.test_orders import accept_weekly_plan, add_occasions, fill_details, give_rationales, partners_accept_all
from tests.test_orders import officer as officer  # noqa: F401, PLC0414 (the fixture)
from tests.utils import page


def shown_tasks(client, order_id: int) -> dict[str, tuple[str, str, str | None]]:
    """Each task as the officer reads it: (status, hint, link)."""
    soup = page(client.get(f"/orders/{order_id}"))
    found = {}
    for item in soup.select("#draft-tasks + p + .govuk-task-list .govuk-task-list__item"):
        link = item.select_one("a.govuk-task-list__link")
        name = item.select_one(".govuk-task-list__name-and-hint > :first-child").get_text(strip=True)
        hint = item.select_one(".govuk-task-list__hint")
        found[name] = (
            item.select_one(".govuk-task-list__status").get_text(" ", strip=True),
            hint.get_text(" ", strip=True) if hint else "",
            link["href"] if link else None,
        )
    return found


def statuses(client, order_id: int) -> dict[str, str]:
    return {name: shown[0] for name, shown in shown_tasks(client, order_id).items()}


def test_the_task_list_follows_the_draft_from_suggestions_to_ready(app, officer, sign_in, demo) -> None:  # noqa: F811
    order_id = accept_weekly_plan(officer, demo)
    tasks = shown_tasks(officer, order_id)
    assert list(tasks) == [
        "Order details and period",
        "Grounds: occasions with a bladed article",
        "Requirements from suggestions",
        "Partner confirmations",
        "Prohibitions",
        "Check and file",
    ]
    assert tasks["Order details and period"][0] == "In progress"  # the suggested period is in; the court is not
    assert tasks["Order details and period"][2] == f"/orders/{order_id}/details"
    assert tasks["Grounds: occasions with a bladed article"][0] == "Not started"
    assert tasks["Requirements from suggestions"][0] == "In progress"  # no necessity rationales yet
    assert tasks["Requirements from suggestions"][2] == f"/subjects/{demo}/suggestions"
    status, hint, link = tasks["Partner confirmations"]
    assert status == "In progress" and link == f"/orders/{order_id}#requirements"
    assert hint.startswith("0 of ") and "awaiting the partner" in hint  # the referrals are sent, none answered
    assert tasks["Prohibitions"][0] == "Completed"  # drawn from the record's zones and non-associations
    status, hint, link = tasks["Check and file"]
    assert status == "Cannot start yet" and link is None and hint.startswith("Finish Order details and period")

    fill_details(officer, order_id)
    add_occasions(officer, order_id)
    give_rationales(officer, order_id, app)
    assert statuses(officer, order_id) == {
        "Order details and period": "Completed",
        "Grounds: occasions with a bladed article": "Completed",
        "Requirements from suggestions": "Completed",
        "Partner confirmations": "In progress",  # still waiting for the partners
        "Prohibitions": "Completed",
        "Check and file": "Cannot start yet",
    }
    assert shown_tasks(officer, order_id)["Check and file"][1] == "Finish Partner confirmations first"

    partners_accept_all(app, sign_in, order_id)
    tasks = shown_tasks(officer, order_id)
    assert tasks["Partner confirmations"][0] == "Completed"
    assert tasks["Partner confirmations"][1].endswith("confirmed")
    assert tasks["Check and file"] == ("Not started", "", f"/orders/{order_id}/file")
    check = page(officer.get(tasks["Check and file"][2]))
    assert check.find("h1").get_text(strip=True) == "Check the order before you file it"
    cards = {
        card.select_one(".govuk-summary-card__title").get_text(strip=True): card
        for card in check.select(".govuk-summary-card")
    }
    changes = [link["href"] for link in cards["Requirements"].select(".govuk-summary-list__actions a")]
    assert changes and all(href.startswith(f"/orders/{order_id}/requirements/") for href in changes)
    assert "confirmed by the partner" in cards["Requirements"].get_text(" ", strip=True)
    assert all("/prohibitions/" in a["href"] for a in cards["Prohibitions"].select(".govuk-summary-list__actions a"))


def test_a_filed_order_has_no_task_list(app, officer, sign_in, demo) -> None:  # noqa: F811
    order_id = accept_weekly_plan(officer, demo)
    fill_details(officer, order_id)
    add_occasions(officer, order_id)
    give_rationales(officer, order_id, app)
    partners_accept_all(app, sign_in, order_id)
    version = page(officer.get(f"/orders/{order_id}")).select_one('input[name="version"]')["value"]
    assert officer.post(f"/orders/{order_id}/file", data={"version": version}).status_code == 302
    assert shown_tasks(officer, order_id) == {}


def result(*problems: Problem) -> CheckResult:
    return CheckResult(problems, (), date(2026, 12, 1), None, 15, None, ())


def draft(**changes: object) -> DraftState:
    values = {
        "route": "s19",
        "details_started": True,
        "occasions": 0,
        "referral_states": ["accepted", "declined", None],
        "prohibitions": 0,
        "prohibitions_out_of_step": False,
    }
    return DraftState(**(values | changes))


def by_title(tasks: list) -> dict[str, tuple[str, str]]:
    return {task.title: (task.status, task.hint) for task in tasks}


def test_confirmations_say_who_is_still_to_confirm() -> None:
    unconfirmed = [Problem("supervisor_not_confirmed", "…", requirement_id=rid) for rid in (2, 3)]
    tasks = by_title(draft_tasks(result(*unconfirmed), draft()))
    assert "Grounds: occasions with a bladed article" not in tasks  # section 19: the grounds are a conviction
    assert tasks["Partner confirmations"] == (
        "in-progress",
        "1 of 3 confirmed, 1 declined, 1 added by hand, with no partner to confirm",
    )
    assert tasks["Check and file"] == ("cannot-start", "Finish Partner confirmations first")


def test_no_requirements_means_confirmations_cannot_start_and_under_18s_are_told() -> None:
    none_yet = Problem("under_18_no_positive_requirement", "…", field="requirements")
    tasks = by_title(draft_tasks(result(none_yet), draft(referral_states=[], details_started=False)))
    assert tasks["Requirements from suggestions"] == (
        "not-started",
        "An order for someone under 18 must include at least one",
    )
    assert tasks["Partner confirmations"] == ("cannot-start", "Add requirements first")
    assert tasks["Order details and period"] == ("completed", "")
    assert tasks["Prohibitions"] == ("not-started", "Optional: add any the court should impose")


def test_prohibitions_behind_the_record_hold_back_filing_even_when_the_checks_pass() -> None:
    tasks = by_title(
        draft_tasks(result(), draft(referral_states=["accepted"], prohibitions=2, prohibitions_out_of_step=True))
    )
    assert tasks["Prohibitions"] == ("in-progress", "The subject's record has changed: bring them up to date")
    assert tasks["Check and file"] == ("cannot-start", "Finish Prohibitions first")
    ready = by_title(draft_tasks(result(), draft(referral_states=["accepted"], prohibitions=2)))
    assert ready["Prohibitions"] == ("completed", "2 prohibitions") and ready["Check and file"] == ("not-started", "")
