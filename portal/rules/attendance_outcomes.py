"""Each attendance outcome's colour and words, defined once.

The dashboard's bars, the evidence pack's chart (web and Word) and the register's summary all take their colours and
labels from here, so "Late" is the same colour everywhere, and every colour comes with its words beside it.
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class Outcome:
    label: str
    colour: str  # a GOV.UK Frontend palette name: the legend swatch is `app-legend__swatch--<colour>`
    hex: str

    @property
    def rgb(self) -> tuple[int, int, int]:
        return int(self.hex[1:3], 16), int(self.hex[3:5], 16), int(self.hex[5:7], 16)


OUTCOMES: dict[str, Outcome] = {
    "attended": Outcome("Attended", "green", "#00703c"),
    "late": Outcome("Late", "blue", "#1d70b8"),
    "absent": Outcome("Absent", "red", "#d4351c"),
    "absent_acceptable": Outcome("Absent, acceptable", "orange", "#f47738"),
    "absent_unacceptable": Outcome("Absent, not acceptable", "red", "#d4351c"),
    "cancelled": Outcome("Cancelled by the provider", "dark-grey", "#505a5f"),
    "unmarked": Outcome("Not marked", "mid-grey", "#b1b4b6"),
    "not-recorded": Outcome("Not recorded", "mid-grey", "#b1b4b6"),
}

# The order the dashboard bar and the register summary stack and list a requirement's sessions in.
SUMMARY_ORDER = ("attended", "late", "absent_acceptable", "absent_unacceptable", "unmarked")


def summary_key(status: str | None, absence_acceptable: bool | None) -> str:
    """The summary outcome of a current mark (None: not marked). A cancelled mark stands only beside a provider's
    cancellation, which summaries count on their own, so it counts as not marked here."""
    if status is None or status == "cancelled":
        return "unmarked"
    if status == "absent":
        return "absent_acceptable" if absence_acceptable else "absent_unacceptable"
    return str(status)
