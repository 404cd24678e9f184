from django.urls import reverse


def test_home_shows_territory_name_and_admin_link(client, db):
    response = client.get(reverse("home"))
    assert response.status_code == 200
    assert "Grand Est Touraine" in response.content.decode()
