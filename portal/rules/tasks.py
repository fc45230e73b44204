"""The GOV.UK "complete multiple tasks" pattern: a task, and the four statuses the Design System names. Rendered by
templates/macros/tasks.html; worked out for a subject's record (portal.data.subjects) and a draft order
(portal.rules.orders.tasks)."""

from dataclasses import dataclass

COMPLETED, IN_PROGRESS, NOT_STARTED, CANNOT_START = "completed", "in-progress", "not-started", "cannot-start"


@dataclass(frozen=True)
class Task:
    key: str
    title: str
    status: str
    hint: str = ""
