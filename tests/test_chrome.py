"""The service's chrome: the header (service name, who is signed in, "Sign out") and the GOV.UK service navigation."""

import pytest

from tests.utils import page

HOMES = {"officer": "/dashboard/", "admin": "/admin/organisations", "auditor": "/audit/events"}


@pytest.mark.parametrize("role", ["officer", "admin", "auditor"])
def test_each_role_finds_its_pages_in_the_service_navigation_with_the_current_one_marked(
    client, sign_in, role: str
) -> None:
    sign_in(client, role)
    soup = page(client.get(HOMES[role]))
    navigation = soup.select_one(".govuk-service-navigation nav")
    assert navigation is not None and navigation.find_parent("header") is None
    links = navigation.select("a.govuk-service-navigation__link")
    assert len(links) >= 1
    current = navigation.select('a[aria-current="page"]')
    assert [link["href"] for link in current] == [HOMES[role]]
    assert current[0].find_parent("li")["class"] == [
        "govuk-service-navigation__item",
        "govuk-service-navigation__item--active",
    ]


def test_partners_see_their_pages_and_a_menu_button_for_small_screens(partner_organisation, client) -> None:
    soup = page(client.get("/partner/referrals/"))
    labels = [link.get_text(strip=True) for link in soup.select(".govuk-service-navigation__link")]
    assert labels[:3] == ["Referrals", "Registers", "Programmes"]
    toggle = soup.select_one("button.govuk-service-navigation__toggle")
    assert toggle["aria-controls"] == "app-navigation" and soup.select_one("ul#app-navigation")


def test_the_header_names_the_service_and_the_person_and_signs_out_by_a_post_with_csrf(client, sign_in) -> None:
    sign_in(client, "officer", full_name="Priya Shah")
    header = page(client.get("/dashboard/")).select_one("header.govuk-header")
    assert header.select_one(".govuk-header__link--homepage").get_text(strip=True) == "KCPO partner portal"
    assert header.select("svg") == [] and header.select(".govuk-header__logotype") == []
    assert "Signed in as Priya Shah" in header.get_text(" ", strip=True)
    form = header.select_one("form")
    assert form["method"] == "post" and form["action"].endswith("/sign-out")
    assert form.select_one("input[name=csrf_token]")["value"]
    assert form.select_one("button").get_text(strip=True) == "Sign out"


def test_signed_out_pages_show_no_service_navigation(client) -> None:
    soup = page(client.get("/sign-in"))
    assert soup.select(".govuk-service-navigation") == []
    assert soup.select_one("header.govuk-header")
