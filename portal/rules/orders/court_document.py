"""The draft order for the court: the same headings and words as a .docx and for the print-friendly page."""

from io import BytesIO

from docx import Document

from portal.rules.orders.checks import CheckResult
from portal.rules.orders.facts import OccasionFacts, OrderFacts, format_date
from portal.rules.orders.wording import (
    SUPERVISOR_SCHEDULE_HEADINGS,
    duration_wording,
    prohibition_wording,
    requirement_wording,
    schedule_of_supervisors,
)

TITLE = "Draft Knife Crime Prevention Order"
PROTECTIVE_MARKING = "OFFICIAL-SENSITIVE"
SCHEDULE_HEADING = "Schedule of supervisors"
Section = tuple[str, list[str]]


def _route_line(order: OrderFacts) -> str:
    if order.route == "s19":
        convicted_on = format_date(order.conviction_date) if order.conviction_date else "a date not yet recorded"
        return (
            f"Order on conviction under section 19 of the Offensive Weapons Act 2019, on the application of "
            f"{order.applicant}, following conviction for {order.conviction_offence} on {convicted_on}, "
            f"in addition to the sentence: {order.sentence}."
        )
    return (
        f"Application by complaint under section 14 of the Offensive Weapons Act 2019 (otherwise than on "
        f"conviction), made by {order.applicant}."
    )


def _readiness(result: CheckResult) -> list[str]:
    if result.ready_for_court:
        return []
    count = len(result.problems)
    return [f"Not ready for court: {count} problem{'s' if count != 1 else ''} must be fixed first."]


def _sentence(text: str) -> str:
    """Text ending in exactly one full stop, whatever punctuation was typed ("to school." does not become "..")."""
    return text.strip().rstrip(".") + "."


def _numbered(terms: list[str]) -> list[str]:
    return [_sentence(f"{number}. The subject {term}") for number, term in enumerate(terms, start=1)] or ["None."]


LOCATION_WORDS = {
    "public-place": "in a public place",
    "school-premises": "on school premises",
    "further-education": "on further education premises",
}


def _occasion_line(number: int, occasion: OccasionFacts) -> str:
    where = LOCATION_WORDS.get(occasion.location_type, occasion.location_type)
    line = f"{number}. On {format_date(occasion.occurred_on)}, {where}: {_sentence(occasion.summary or 'no summary')}"
    if occasion.good_reason_claimed.strip():
        line += f" Good reason or lawful authority claimed: {_sentence(occasion.good_reason_claimed)}"
    return line


def _grounds(order: OrderFacts) -> list[str]:
    """What the application rests on (r.2): each occasion with a summary of the facts, or the conviction."""
    if order.route == "s19":
        convicted_on = format_date(order.conviction_date) if order.conviction_date else "a date not yet recorded"
        offence = (order.conviction_offence or "an offence not yet recorded").strip().rstrip(".")
        return [
            f"The defendant was convicted of {offence} on {convicted_on}.",
            f"Sentence or conditional discharge the order accompanies: {_sentence(order.sentence or 'not recorded')}",
        ]
    count = len(order.occasions)
    lead = (
        f"The applicant relies on {count} occasion{'s' if count != 1 else ''} on which the defendant had a bladed "
        f"article without good reason or lawful authority (section 14(3)):"
    )
    lines = [_occasion_line(number, occasion) for number, occasion in enumerate(order.occasions, start=1)]
    return [lead, *lines] if lines else ["No occasions are recorded yet."]


def _guardian_line(order: OrderFacts, result: CheckResult) -> str:
    if not _is_youth(order, result):
        return "Parent or guardian: not required, as the defendant is 18 or over."
    if order.guardian_name.strip():
        relationship = f" ({order.guardian_relationship})" if order.guardian_relationship.strip() else ""
        return f"Parent or guardian: {order.guardian_name}{relationship}."
    return f"No parent or guardian is named: {_sentence(order.guardian_absent_reason or 'no reason recorded')}"


def _address(order: OrderFacts) -> str:
    if not order.subject_postcode:
        return "not recorded: add it from police records before filing"
    return f"postcode {order.subject_postcode} (the portal keeps only the postcode: add the rest from police records)"


def _review_lines(order: OrderFacts, result: CheckResult) -> list[str]:
    lines = []
    if result.review_window:
        first, last = (format_date(day) for day in result.review_window)
        lines.append(
            f"A review hearing must be held between {first} and {last}, the last four weeks of the first year."
        )
    elif order.start_on_release and order.duration_months > 12:
        lines.append(
            "A review hearing must be held in the last four weeks of the first year; its dates will be set on release."
        )
    else:
        lines.append("No term runs past the first year, so no review hearing is required.")
    if result.extra_reviews:
        dates = ", ".join(format_date(day) for day in result.extra_reviews)
        lines.append(f"Further reviews (local policy for under-18s): {dates}.")
    return lines


def _youth_lines(order: OrderFacts) -> list[str]:
    consulted_on = format_date(order.yot_consulted_on) if order.yot_consulted_on else "not recorded"
    return [
        f"Youth offending team consulted: {order.yot_team or 'not recorded'}, on {consulted_on}.",
        f"Outcome of the consultation: {_sentence(order.yot_outcome or 'not recorded')}",
    ]


def _schedule_lines(order: OrderFacts) -> list[str]:
    return [" — ".join(row.cells()) for row in schedule_of_supervisors(order)] or ["No requirements."]


def _is_youth(order: OrderFacts, result: CheckResult) -> bool:
    age = result.age_at_start if result.age_at_start is not None else order.subject_age_on(order.today)
    return age < 18


def court_document_sections(order: OrderFacts, result: CheckResult) -> list[Section]:
    """Headings and paragraphs of the draft order, in order; the .docx and the HTML page both render these."""
    sections: list[Section] = [
        (TITLE, [_route_line(order), *_readiness(result)]),
        (
            "Defendant",
            [
                f"Name: {order.subject_name}",
                f"Address: {_address(order)}",
                f"Date of birth: {format_date(order.subject_date_of_birth)}",
                f"Reference: {order.subject_reference}",
                _guardian_line(order, result),
            ],
        ),
        ("Applicant and court", [f"Applicant: {order.applicant}", f"Court: {order.court}"]),
        ("Grounds", _grounds(order)),
        ("Why the order is necessary", [order.necessity_statement]),
        ("Requirements", _numbered([requirement_wording(r) for r in order.requirements])),
        ("Prohibitions", _numbered([prohibition_wording(p) for p in order.prohibitions])),
        ("Duration", [duration_wording(order)]),
        ("Review", _review_lines(order, result)),
        (SCHEDULE_HEADING, _schedule_lines(order)),
    ]
    if _is_youth(order, result):
        sections.append(("Youth offending team", _youth_lines(order)))
    return sections


def _add_schedule_table(document: Document, order: OrderFacts) -> None:
    rows = schedule_of_supervisors(order)
    if not rows:
        document.add_paragraph("No requirements.")
        return
    table = document.add_table(rows=1, cols=len(SUPERVISOR_SCHEDULE_HEADINGS))
    table.style = "Table Grid"
    for cell, heading in zip(table.rows[0].cells, SUPERVISOR_SCHEDULE_HEADINGS, strict=True):
        cell.text = heading
    for row in rows:
        for cell, text in zip(table.add_row().cells, row.cells(), strict=True):
            cell.text = text


def _mark(document: Document) -> None:
    for section in document.sections:
        section.header.paragraphs[0].text = PROTECTIVE_MARKING
        section.footer.paragraphs[0].text = PROTECTIVE_MARKING


def court_document_docx(order: OrderFacts, result: CheckResult) -> bytes:
    """The draft order as a Word document, marked OFFICIAL-SENSITIVE at the top and bottom of every page."""
    document = Document()
    _mark(document)
    for index, (heading, paragraphs) in enumerate(court_document_sections(order, result)):
        document.add_heading(heading, level=0 if index == 0 else 1)
        if heading == SCHEDULE_HEADING:
            _add_schedule_table(document, order)
            continue
        for paragraph in paragraphs:
            document.add_paragraph(paragraph)
    buffer = BytesIO()
    document.save(buffer)
    return buffer.getvalue()
