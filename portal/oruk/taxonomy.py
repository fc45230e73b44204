"""The portal's published taxonomies: activity types, provisions and who can take part, as ORUK taxonomy terms.

Term and taxonomy ids are name-based UUIDs of the stable slugs in `matching.taxonomy`, the same in every
installation, so consumers can filter on them and an export imports back to the same slugs.
"""

import uuid
from collections.abc import Callable
from dataclasses import dataclass

from matching.taxonomy import ACTIVITY_TYPES, PROVISIONS, Term
from portal.models import Gender

TAXONOMY_NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "urn:kcpo-portal:openreferral:taxonomy")
VERSION = "1"

ACTIVITY = "kcpo-activity-types"
PROVISION = "kcpo-provisions"
AUDIENCE = "kcpo-who-can-take-part"


@dataclass(frozen=True)
class Taxonomy:
    slug: str
    name: str
    description: str
    link_type: str  # what an attribute of this taxonomy says about a service

    @property
    def id(self) -> str:
        return str(uuid.uuid5(TAXONOMY_NAMESPACE, self.slug))


@dataclass(frozen=True)
class TaxonomyTerm:
    taxonomy: Taxonomy
    slug: str
    name: str
    parent_slug: str | None = None

    @property
    def id(self) -> str:
        return term_id(self.taxonomy.slug, self.slug)

    @property
    def parent_id(self) -> str | None:
        return term_id(self.taxonomy.slug, self.parent_slug) if self.parent_slug else None


def term_id(taxonomy_slug: str, slug: str) -> str:
    return str(uuid.uuid5(TAXONOMY_NAMESPACE, f"{taxonomy_slug}/{slug}"))


TAXONOMIES: tuple[Taxonomy, ...] = (
    Taxonomy(ACTIVITY, "KCPO portal activity types", "What young people do on a programme.", "activity"),
    Taxonomy(
        PROVISION,
        "KCPO portal cultural, faith and access provisions",
        "Cultural, faith and access provisions a programme offers.",
        "provision",
    ),
    Taxonomy(AUDIENCE, "KCPO portal: who can take part", "Whether a programme is open to anyone.", "eligibility"),
)
TAXONOMY_BY_SLUG = {taxonomy.slug: taxonomy for taxonomy in TAXONOMIES}
TAXONOMY_BY_ID = {taxonomy.id: taxonomy for taxonomy in TAXONOMIES}

GENDER_TERMS: tuple[Term, ...] = (
    Term(Gender.ANY.value, "Anyone"),
    Term(Gender.MALE.value, "Boys and young men only"),
    Term(Gender.FEMALE.value, "Girls and young women only"),
)


def _terms(taxonomy_slug: str, terms: tuple[Term, ...]) -> list[TaxonomyTerm]:
    taxonomy = TAXONOMY_BY_SLUG[taxonomy_slug]
    return [TaxonomyTerm(taxonomy, term.slug, term.name, term.parent) for term in terms]


TERMS: tuple[TaxonomyTerm, ...] = (
    *_terms(ACTIVITY, ACTIVITY_TYPES),
    *_terms(PROVISION, PROVISIONS),
    *_terms(AUDIENCE, GENDER_TERMS),
)
TERM_BY_ID = {term.id: term for term in TERMS}
TERM_BY_SLUG = {(term.taxonomy.slug, term.slug): term for term in TERMS}


def term(taxonomy_slug: str, slug: str) -> TaxonomyTerm | None:
    return TERM_BY_SLUG.get((taxonomy_slug, slug))


def descendants(found: TaxonomyTerm) -> set[str]:
    """The term's slug and the slugs of the terms below it (a search for 'Sport' finds football)."""
    slugs = {found.slug}
    for candidate in TERMS:
        if candidate.taxonomy == found.taxonomy and candidate.parent_slug in slugs:
            slugs.add(candidate.slug)
    return slugs


def taxonomy_json(taxonomy: Taxonomy, uri: Callable[[str], str] | None = None) -> dict:
    found = {"id": taxonomy.id, "name": taxonomy.name, "description": taxonomy.description, "version": VERSION}
    if uri is not None:
        found["uri"] = uri(taxonomy.id)
    return found


def term_json(found: TaxonomyTerm, uri: Callable[[str], str] | None = None) -> dict:
    """An ORUK taxonomy_term; `term` and HSDS's `code` carry the portal's stable slug."""
    result = {
        "id": found.id,
        "name": found.name,
        "description": f"{found.name} ({found.taxonomy.name})",
        "taxonomy": found.taxonomy.name,
        "taxonomy_id": found.taxonomy.id,
        "term": found.slug,
        "code": found.slug,
    }
    if found.parent_id:
        result["parent_id"] = found.parent_id
    if uri is not None:
        result["term_uri"] = uri(found.id)
    return result


def match_term(raw: object) -> TaxonomyTerm | None:
    """The portal term an imported taxonomy_term means: by id, by taxonomy and code, or by its exact name."""
    if not isinstance(raw, dict):
        return None
    by_id = TERM_BY_ID.get(str(raw.get("id", "")))
    if by_id is not None:
        return by_id
    taxonomy = TAXONOMY_BY_ID.get(str(raw.get("taxonomy_id", "")))
    codes = {str(raw.get(key, "")).strip().lower() for key in ("code", "term") if raw.get(key)}
    for candidate in TERMS:
        if (taxonomy is None or candidate.taxonomy == taxonomy) and candidate.slug in codes:
            return candidate
    name = str(raw.get("name", "")).strip().lower()
    matches = [candidate for candidate in TERMS if candidate.name.lower() == name]
    return matches[0] if len(matches) == 1 else None
