"""The period of a Knife Crime Prevention Order (s.23), as one value every page, check, document and register reads.

A full order starts on the day the court makes it, or on release for a subject in custody, and runs for 6 to 24
months. Before the court decides, a draft plans the day it expects the order to be made (its proposed start); once
made, the made date is the start. The end is derived, never stored.
"""

from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from portal.rules.dates import long_date, period_end


class StartRule(StrEnum):
    ON_DATE = "on-date"  # the draft plans the day the court is asked to make it
    ON_THE_DAY_MADE = "on-the-day-made"  # no day planned yet: it starts whenever the court makes it
    ON_RELEASE = "on-release"  # s.23: a subject in custody; the start waits for release


@dataclass(frozen=True)
class OrderPeriod:
    rule: StartRule
    duration_months: int
    planned_start: date | None = None
    made_on: date | None = None

    @classmethod
    def of(
        cls, proposed_start: date | None, start_on_release: bool, duration_months: int, made_on: date | None = None
    ) -> "OrderPeriod":
        """The period from an order's columns."""
        if start_on_release:
            rule = StartRule.ON_RELEASE
        else:
            rule = StartRule.ON_DATE if proposed_start else StartRule.ON_THE_DAY_MADE
        return cls(rule, duration_months, proposed_start, made_on)

    @property
    def start(self) -> date | None:
        """The first day the order has effect; None while that day is not known.

        A made order starts on the day it was made: the portal keeps no release date, so an order made to start on
        release is taken to start when the officer records it as made (see the made page's hint)."""
        if self.made_on is not None:
            return self.made_on
        return None if self.rule == StartRule.ON_RELEASE else self.planned_start

    @property
    def end(self) -> date | None:
        return None if self.start is None else period_end(self.start, self.duration_months)

    @property
    def made(self) -> bool:
        return self.made_on is not None

    def contains(self, day: date) -> bool:
        start, end = self.start, self.end
        return start is not None and end is not None and start <= day <= end

    def term(self, starts_on: date | None, ends_on: date | None) -> tuple[date | None, date | None]:
        """A requirement's or prohibition's own days: its own dates where set, else the order's."""
        return starts_on or self.start, ends_on or self.end

    def wording(self) -> str:
        """'1 December 2026 to 30 November 2027 (12 months)', or how the start will be fixed."""
        months = f"{self.duration_months} months"
        if self.start is not None:
            return f"{long_date(self.start)} to {long_date(self.end)} ({months})"  # type: ignore[arg-type]
        if self.rule == StartRule.ON_RELEASE:
            return f"{months} from release from custody"
        return f"{months} from the day the court makes the order"
