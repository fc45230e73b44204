"""Preparing a draft order for court as a GOV.UK task list. Each status comes from the same checks that decide
whether the draft can be filed (portal.rules.orders.checks), so the list never says "Completed" while a check still
fails for that part, and "Check and file" opens only when filing would be allowed.

Pure Python: the check result and a few counts in, the tasks out.
"""

from collections.abc import Sequence
from dataclasses import dataclass

from portal.rules.orders.checks import CheckResult
from portal.rules.tasks import CANNOT_START, COMPLETED, IN_PROGRESS, NOT_STARTED, Task

# Problems fixed on the order details page (the rest are about grounds, requirements, supervisors or prohibitions).
DETAIL_CODES = frozenset(
    {
        "missing_details",
        "start_on_release",
        "power_not_in_force",
        "too_young",
        "under_18_no_yot",
        "under_18_no_guardian",
        "duration",
        "s19_conviction",
    }
)
SUPERVISION = "supervisor_not_confirmed"
AWAITING_PARTNER = frozenset({"sent", "viewed"})


@dataclass(frozen=True)
class DraftState:
    """What the checks do not say: what has been entered at all, and where each partner's referral stands."""

    route: str  # "s14" (without conviction: grounds are occasions) or "s19"
    details_started: bool
    occasions: int
    referral_states: Sequence[str | None]  # one per requirement: its referral's status, None when added by hand
    prohibitions: int
    prohibitions_out_of_step: bool


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'s' if count != 1 else ''}"


def _to_resolve(count: int) -> str:
    return f"{_plural(count, 'problem')} to resolve"


def draft_tasks(result: CheckResult, draft: DraftState) -> list[Task]:
    problems = result.problems
    tasks = [_details(problems, draft)]
    if draft.route == "s14":
        tasks.append(_grounds(problems, draft))
    tasks += [_requirements(problems, draft), _confirmations(problems, draft), _prohibitions(problems, draft)]
    tasks.append(_check_and_file(result, draft, tasks))
    return tasks


def _details(problems: Sequence, draft: DraftState) -> Task:
    left = [p for p in problems if p.code in DETAIL_CODES]
    status = COMPLETED if not left else IN_PROGRESS if draft.details_started else NOT_STARTED
    return Task("details", "Order details and period", status, _to_resolve(len(left)) if left else "")


def _grounds(problems: Sequence, draft: DraftState) -> Task:
    short = any(p.code == "s14_occasions" for p in problems)
    status = COMPLETED if not short else IN_PROGRESS if draft.occasions else NOT_STARTED
    hint = "Section 14 needs at least two occasions with a bladed article" if short else ""
    return Task("grounds", "Grounds: occasions with a bladed article", status, hint)


def _requirements(problems: Sequence, draft: DraftState) -> Task:
    left = [
        p
        for p in problems
        if (p.requirement_id is not None and p.code != SUPERVISION) or p.code == "under_18_no_positive_requirement"
    ]
    if not draft.referral_states:
        hint = "An order for someone under 18 must include at least one" if left else ""
        return Task("requirements", "Requirements from suggestions", NOT_STARTED, hint)
    count = _plural(len(draft.referral_states), "requirement")
    if left:
        return Task("requirements", "Requirements from suggestions", IN_PROGRESS, f"{count}, {_to_resolve(len(left))}")
    return Task("requirements", "Requirements from suggestions", COMPLETED, count)


def _confirmations(problems: Sequence, draft: DraftState) -> Task:
    title = "Partner confirmations"
    states = draft.referral_states
    if not states:
        return Task("confirmations", title, CANNOT_START, "Add requirements first")
    unconfirmed = {p.requirement_id for p in problems if p.code == SUPERVISION}
    if not unconfirmed:
        return Task("confirmations", title, COMPLETED, f"{len(states)} of {len(states)} confirmed")
    parts = [f"{len(states) - len(unconfirmed)} of {len(states)} confirmed"]
    waiting = sum(1 for state in states if state in AWAITING_PARTNER)
    declined = sum(1 for state in states if state == "declined")
    by_hand = sum(1 for state in states if state is None)
    if waiting:
        parts.append(f"{waiting} awaiting the partner")
    if declined:
        parts.append(f"{declined} declined")
    if by_hand:
        parts.append(f"{by_hand} added by hand, with no partner to confirm")
    return Task("confirmations", title, IN_PROGRESS, ", ".join(parts))


def _prohibitions(problems: Sequence, draft: DraftState) -> Task:
    left = [p for p in problems if p.code == "prohibition_outside_order"]
    if draft.prohibitions_out_of_step:
        return Task(
            "prohibitions", "Prohibitions", IN_PROGRESS, "The subject's record has changed: bring them up to date"
        )
    if not draft.prohibitions:
        return Task("prohibitions", "Prohibitions", NOT_STARTED, "Optional: add any the court should impose")
    if left:
        return Task("prohibitions", "Prohibitions", IN_PROGRESS, _to_resolve(len(left)))
    return Task("prohibitions", "Prohibitions", COMPLETED, _plural(draft.prohibitions, "prohibition"))


def _check_and_file(result: CheckResult, draft: DraftState, before: list[Task]) -> Task:
    if result.ready_for_court and not draft.prohibitions_out_of_step:
        return Task("file", "Check and file", NOT_STARTED)
    waiting = [task.title for task in before if task.status != COMPLETED and task.key != "prohibitions"]
    if draft.prohibitions_out_of_step:
        waiting.append("Prohibitions")
    hint = f"Finish {', '.join(waiting)} first" if waiting else _to_resolve(len(result.problems)) + " first"
    return Task("file", "Check and file", CANNOT_START, hint)
