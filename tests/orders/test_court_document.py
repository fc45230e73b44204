"""The draft order as a .docx and as sections for the print-friendly page: one source of wording."""

from dataclasses import replace
from datetime import date
from io import BytesIO

from docx import Document

from portal.rules.orders import check_order, court_document_docx, court_document_sections, requirement_wording
from portal.rules.orders.facts import OccasionFacts
from tests.orders.builders import order, requirement

YOUTH_HEADING = "Youth offending team"


def sections_of(facts) -> dict[str, list[str]]:
    return dict(court_document_sections(facts, check_order(facts)))


def open_docx(facts):
    return Document(BytesIO(court_document_docx(facts, check_order(facts))))


def test_sections_follow_the_order_of_the_draft():
    headings = [heading for heading, _ in court_document_sections(order(), check_order(order()))]

    assert headings == [
        "Draft Knife Crime Prevention Order",
        "Defendant",
        "Applicant and court",
        "Grounds",
        "Why the order is necessary",
        "Requirements",
        "Prohibitions",
        "Duration",
        "Review",
        "Schedule of supervisors",
        YOUTH_HEADING,
    ]


def test_s14_route_subject_terms_and_reviews_are_worded():
    sections = sections_of(order())

    assert sections["Draft Knife Crime Prevention Order"] == [
        "Application by complaint under section 14 of the Offensive Weapons Act 2019 (otherwise than on conviction), "
        "made by Commissioner of Police of the Metropolis."
    ]
    assert sections["Defendant"] == [
        "Name: Daniel Okafor",
        "Address: not recorded: add it from police records before filing",
        "Date of birth: 4 May 2010",
        "Reference: KCPO-2026-0042",
        "Parent or guardian: Grace Okafor (mother).",
    ]
    assert sections["Requirements"] == [f"1. The subject {requirement_wording(requirement())}."]
    assert sections["Prohibitions"][2] == (
        "3. The subject must not use the internet to encourage or facilitate crime involving bladed articles."
    )
    assert sections["Review"] == [
        "A review hearing must be held between 1 February 2027 and 28 February 2027, the last four weeks of the "
        "first year.",
        "Further reviews (local policy for under-18s): 1 July 2026, 1 November 2026, 1 March 2027, 1 July 2027.",
    ]
    assert sections[YOUTH_HEADING] == [
        "Youth offending team consulted: Tower Hamlets Youth Justice Service, on 2 February 2026.",
        "Outcome of the consultation: Supports boxing and mentoring; asks for evening sessions outside school.",
    ]


def test_s19_route_names_the_conviction_and_sentence():
    on_conviction = order(
        route="s19",
        applicant="Crown Prosecution Service",
        conviction_offence="possessing a bladed article in a public place",
        conviction_date=date(2026, 2, 20),
        sentence="12-month youth rehabilitation order",
    )

    assert sections_of(on_conviction)["Draft Knife Crime Prevention Order"] == [
        "Order on conviction under section 19 of the Offensive Weapons Act 2019, on the application of Crown "
        "Prosecution Service, following conviction for possessing a bladed article in a public place on "
        "20 February 2026, in addition to the sentence: 12-month youth rehabilitation order."
    ]


def test_a_draft_with_problems_says_it_is_not_ready():
    title_lines = sections_of(order(court=""))["Draft Knife Crime Prevention Order"]

    assert title_lines[-1] == "Not ready for court: 1 problem must be fixed first."


def test_an_adult_order_on_release_has_no_youth_section_and_starts_on_release():
    sections = sections_of(order(subject_date_of_birth=date(2000, 1, 1), proposed_start=None, start_on_release=True))

    assert YOUTH_HEADING not in sections
    assert sections["Duration"] == [
        "This order has effect for 18 months, beginning on the day of release from custody."
    ]
    assert sections["Review"] == [
        "A review hearing must be held in the last four weeks of the first year; its dates will be set on release."
    ]


def test_the_docx_opens_and_holds_the_same_words_as_the_sections():
    document = open_docx(order())
    paragraphs = [paragraph.text for paragraph in document.paragraphs]

    assert paragraphs[0] == "Draft Knife Crime Prevention Order"
    assert f"1. The subject {requirement_wording(requirement())}." in paragraphs
    for heading, lines in court_document_sections(order(), check_order(order())):
        assert heading in paragraphs
        if heading != "Schedule of supervisors":
            assert set(lines) <= set(paragraphs)


def test_the_docx_has_the_schedule_of_supervisors_table():
    [table] = open_docx(order()).tables

    assert [[cell.text for cell in row.cells] for row in table.rows] == [
        ["Supervisor", "Organisation", "Requirement", "Confirmed by"],
        [
            "Dan Hughes",
            "Bow Boxing Club",
            "1. boxing coaching, Tuesday 17:00–19:00 at Bow Boxing Club",
            "Sam Patel, 3 February 2026 14:05",
        ],
    ]


def test_the_docx_is_marked_official_sensitive_at_top_and_bottom():
    [section] = open_docx(order()).sections

    assert section.header.paragraphs[0].text == "OFFICIAL-SENSITIVE"
    assert section.footer.paragraphs[0].text == "OFFICIAL-SENSITIVE"


def test_an_order_without_requirements_still_renders():
    document = open_docx(order(subject_date_of_birth=date(2000, 1, 1), requirements=()))

    assert document.tables == []
    assert "No requirements." in [paragraph.text for paragraph in document.paragraphs]


def test_every_element_rule_2_names_is_in_the_document_and_the_print_view():
    """Magistrates' Courts (KCPO) Rules 2020 r.2: complaint, name, address, date of birth, guardian or why not,
    the grounds with a summary of each occasion, plus the requirements with supervisors and the prohibitions."""
    facts = order(
        subject_postcode="E3 2AA",
        occasions=(
            OccasionFacts(date(2025, 6, 14), "public-place", "Stopped on Roman Road with a kitchen knife."),
            OccasionFacts(
                date(2025, 11, 2), "school-premises", "Knife found in his bag at school", "Said it was for DT"
            ),
        ),
        prohibitions=(replace(order().prohibitions[0], exceptions="travelling to school."),),
    )
    sections = sections_of(facts)

    assert sections["Draft Knife Crime Prevention Order"][0].startswith("Application by complaint")
    assert sections["Defendant"][:3] == [
        "Name: Daniel Okafor",
        "Address: postcode E3 2AA (the portal keeps only the postcode: add the rest from police records)",
        "Date of birth: 4 May 2010",
    ]
    assert "Parent or guardian: Grace Okafor (mother)." in sections["Defendant"]
    assert sections["Grounds"] == [
        "The applicant relies on 2 occasions on which the defendant had a bladed article without good reason or "
        "lawful authority (section 14(3)):",
        "1. On 14 June 2025, in a public place: Stopped on Roman Road with a kitchen knife.",
        "2. On 2 November 2025, on school premises: Knife found in his bag at school. Good reason or lawful "
        "authority claimed: Said it was for DT.",
    ]
    assert sections["Prohibitions"][0].endswith("except travelling to school.")  # never "school.."
    assert "supervised by Dan Hughes" in sections["Requirements"][0]
    paragraphs = [paragraph.text for paragraph in open_docx(facts).paragraphs]
    for lines in sections.values():
        assert all(".." not in line for line in lines)
    assert set(sections["Grounds"]) | set(sections["Defendant"]) <= set(paragraphs)


def test_an_order_on_conviction_gives_the_conviction_as_its_grounds_and_an_adult_needs_no_guardian():
    sections = sections_of(
        order(
            route="s19",
            subject_date_of_birth=date(2000, 1, 1),
            conviction_offence="possessing a bladed article in a public place",
            conviction_date=date(2026, 2, 20),
            sentence="12-month community order",
        )
    )

    assert sections["Grounds"] == [
        "The defendant was convicted of possessing a bladed article in a public place on 20 February 2026.",
        "Sentence or conditional discharge the order accompanies: 12-month community order.",
    ]
    assert "Parent or guardian: not required, as the defendant is 18 or over." in sections["Defendant"]
