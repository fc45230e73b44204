"""Drafting Knife Crime Prevention Orders (OWA 2019 Part 2): checks, court wording and the court document.

Pure Python: dataclasses in, results out, so the rules can be tested and reused without the web app or database.
"""

from portal.rules.orders.checks import CheckResult, Problem, check_order
from portal.rules.orders.court_document import court_document_docx, court_document_sections
from portal.rules.orders.facts import (
    LegalBasisFacts,
    OccasionFacts,
    OrderFacts,
    Policy,
    ProhibitionFacts,
    RequirementFacts,
    WindowFacts,
)
from portal.rules.orders.wording import (
    SupervisorRow,
    duration_wording,
    prohibition_wording,
    requirement_wording,
    schedule_of_supervisors,
)

__all__ = [
    "CheckResult",
    "LegalBasisFacts",
    "OccasionFacts",
    "OrderFacts",
    "Policy",
    "Problem",
    "ProhibitionFacts",
    "RequirementFacts",
    "SupervisorRow",
    "WindowFacts",
    "check_order",
    "court_document_docx",
    "court_document_sections",
    "duration_wording",
    "prohibition_wording",
    "requirement_wording",
    "schedule_of_supervisors",
]
