import datetime

import pytest
from django.urls import reverse

from tests.programme.factories import NewsItemFactory

pytestmark = pytest.mark.django_db


class TestNewsList:
    def test_published_news_newest_first(self, client):
        NewsItemFactory(title="Labellisation renouvelée", published_on=datetime.date(2024, 2, 26))
        NewsItemFactory(title="Premier COPIL", published_on=datetime.date(2024, 3, 1))
        NewsItemFactory(title="Brouillon", is_published=False)
        response = client.get(reverse("programme:news_list"))
        assert response.status_code == 200
        html = response.content.decode()
        assert html.index("Premier COPIL") < html.index("Labellisation renouvelée")
        assert "26 février 2024" in html
        assert "Brouillon" not in html

    def test_pagination(self, client):
        for day in range(1, 13):
            NewsItemFactory(
                title=f"Nouvelle du {day:02d}", published_on=datetime.date(2024, 5, day)
            )
        first = client.get(reverse("programme:news_list")).content.decode()
        assert "Nouvelle du 12" in first and "Nouvelle du 02" not in first
        assert "Page 1 sur 2" in first
        second = client.get(reverse("programme:news_list"), {"page": 2}).content.decode()
        assert "Nouvelle du 02" in second and "Nouvelle du 12" not in second

    @pytest.mark.parametrize("page", ["abc", "0", "-1", "999", "1.5", "%00", ""])
    def test_malformed_page_never_errors(self, client, page):
        NewsItemFactory()
        response = client.get(reverse("programme:news_list"), {"page": page})
        assert response.status_code == 200

    @pytest.mark.parametrize("count", [1, 200])
    def test_query_count(self, client, django_assert_max_num_queries, count):
        NewsItemFactory.create_batch(count)
        with django_assert_max_num_queries(12):
            response = client.get(reverse("programme:news_list"), {"page": 2})
        assert response.status_code == 200


class TestNewsDetail:
    def test_body_is_rendered_safely(self, client):
        item = NewsItemFactory(
            title="Grand Est Touraine labellisé pour la phase 2",
            summary="Le territoire est labellisé de nouveau.",
            body="Le **9 novembre 2023**, à Chalon-sur-Saône.\n\n<img src=x onerror=alert(1)>",
        )
        NewsItemFactory(title="Une autre nouvelle")
        response = client.get(item.get_absolute_url())
        assert response.status_code == 200
        html = response.content.decode()
        assert "<h1>Grand Est Touraine labellisé pour la phase 2</h1>" in html
        assert "<strong>9 novembre 2023</strong>" in html
        assert "onerror" not in html
        assert "Une autre nouvelle" in html

    def test_unpublished_is_404(self, client):
        item = NewsItemFactory(is_published=False)
        assert client.get(item.get_absolute_url()).status_code == 404
        assert client.get(reverse("programme:news_detail", args=["inconnue"])).status_code == 404

    def test_query_count(self, client, django_assert_max_num_queries):
        item = NewsItemFactory()
        NewsItemFactory.create_batch(20)
        with django_assert_max_num_queries(12):
            assert client.get(item.get_absolute_url()).status_code == 200
