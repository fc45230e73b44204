"""Activity types, spoken languages and provisions read as separate tags with commas between, never run together."""

from tests.utils import page

PROGRAMME = {
    "activity_types": ["football", "mentoring"],
    "languages": ["en", "bn"],
    "provisions": ["halal-food", "prayer-space"],
}
SEPARATED = ["Football, Mentoring", "English, Bengali", "Halal food, Prayer space"]


def values_of(soup) -> list[str]:
    return [" ".join(tags.get_text("", strip=False).split()) for tags in soup.select(".app-tag-list")]


def test_a_partner_programme_page_shows_each_value_as_a_tag_separated_by_commas(
    client, partner_organisation, make
) -> None:
    programme_id = make.programme(partner_organisation, **PROGRAMME)
    soup = page(client.get(f"/partner/programmes/{programme_id}"))
    values = values_of(soup)
    for expected in SEPARATED:
        assert expected in values
    assert "Football Mentoring" not in soup.get_text(" ", strip=True)
    tags = [tag.get_text(strip=True) for tag in soup.select(".app-tag-list .govuk-tag")]
    assert tags[:2] == ["Football", "Mentoring"]


def test_officers_read_programmes_and_subjects_the_same_way(client, sign_in, make) -> None:
    programme_id = make.programme(make.organisation(), **PROGRAMME)
    subject_id = make.subject(languages=["en", "bn"], interest_activity_types=["football", "mentoring"])
    sign_in(client, "officer")
    assert set(SEPARATED) <= set(values_of(page(client.get(f"/directory/programmes/{programme_id}"))))
    subject_values = values_of(page(client.get(f"/subjects/{subject_id}")))
    assert {"English, Bengali", "Football, Mentoring"} <= set(subject_values)
