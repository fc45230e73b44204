"""The GOV.UK "complete multiple tasks" pattern: a task, and the four statuses the Design System names. Rendered by
templates/macros/tasks.html; worked out for a subject's record (portal.data.subjects) and a draft order
(portal.rules.orders.tasks)."""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

COMPLETED, IN_PROGRESS, NOT_STARTED, CANNOT_START = "completed", "in-progress", "not-started", "cannot-start"


@dataclass(frozen=True)
class Task:
    key: str
    title: str
    status: str
    hint: str = ""


# How govukTaskList shows each status, worded and styled as the Design System does.
STATUS_SHOWN: dict[str, dict[str, Any]] = {
    COMPLETED: {"text": "Completed"},
    IN_PROGRESS: {"tag": {"text": "In progress", "classes": "govuk-tag--light-blue"}},
    NOT_STARTED: {"tag": {"text": "Not started", "classes": "govuk-tag--blue"}},
    CANNOT_START: {"text": "Cannot start yet", "classes": "govuk-task-list__status--cannot-start-yet"},
}


def task_list_items(tasks: Iterable[Task], links: Mapping[str, str | None]) -> list[dict[str, Any]]:
    """govukTaskList's items for TASKS, each linked to its page in LINKS (by key); a task that cannot start yet is
    never a link. Prepared here, once, rather than item by item in the template."""
    items = []
    for task in tasks:
        item: dict[str, Any] = {"title": {"text": task.title}, "status": STATUS_SHOWN[task.status]}
        if task.hint:
            item["hint"] = {"text": task.hint}
        href = links.get(task.key)
        if task.status != CANNOT_START and href:
            item["href"] = href
        items.append(item)
    return items
