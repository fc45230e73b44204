"""The beta phase banner on every page, its feedback page, and the admins' list of what people said."""

from tests.utils import page


def test_every_page_carries_the_beta_banner_and_signed_in_people_follow_it_to_the_feedback_page(
    client, sign_in
) -> None:
    banner = page(client.get("/sign-in")).select_one(".govuk-phase-banner")
    assert banner.select_one(".govuk-tag").get_text(strip=True) == "Beta"
    assert "This is a new service. Your feedback will help us improve it." in banner.get_text(" ", strip=True)

    sign_in(client, "officer")
    banner = page(client.get("/dashboard/")).select_one(".govuk-phase-banner")
    link = banner.select_one("a")
    assert link.get_text(strip=True) == "Your feedback" and link["href"] == "/feedback"
    form_page = page(client.get("/feedback"))
    assert "Do not include names, dates of birth" in form_page.get_text(" ", strip=True)
    assert form_page.select_one("form input[name=csrf_token]")


def test_feedback_is_kept_with_the_role_only_and_admins_read_it(app, client, sign_in) -> None:
    sign_in(client, "partner", full_name="Dana Okafor")
    response = client.post("/feedback", data={"doing": "Adding a programme", "suggestion": "Let me save half of it"})
    assert response.status_code == 302
    assert "Thank you" in page(client.get(response.headers["Location"], follow_redirects=True)).get_text()

    sign_in(client, "admin")
    soup = page(client.get("/admin/feedback"))
    row = [cell.get_text(strip=True) for cell in soup.select("tbody tr td")]
    assert row[1:] == ["Partner", "Adding a programme", "Let me save half of it"]
    assert "Dana Okafor" not in soup.get_text()
    assert "Feedback" in [link.get_text(strip=True) for link in soup.select(".govuk-service-navigation__link")]


def test_empty_feedback_names_each_missing_answer_and_saves_nothing(client, sign_in) -> None:
    sign_in(client, "officer")
    soup = page(client.post("/feedback", data={"doing": " ", "suggestion": ""}))
    assert soup.title.get_text().startswith("Error:")
    summary = [link.get_text(strip=True) for link in soup.select(".govuk-error-summary a")]
    assert summary == ["Enter what you were doing", "Enter what went wrong or what would help"]
    sign_in(client, "admin")
    assert "Nobody has sent feedback yet." in page(client.get("/admin/feedback")).get_text()


def test_only_admins_read_the_feedback(client, sign_in) -> None:
    for role in ("officer", "partner", "auditor"):
        sign_in(client, role)
        assert client.get("/admin/feedback").status_code == 403, role
