import datetime

import pytest
from django.urls import reverse

from tests.budget import VISITORS, assert_no_n_plus_one, bulk, visit_as
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

    @pytest.mark.parametrize("visitor", VISITORS)
    def test_same_queries_with_1_and_200_news(self, client, count_queries, visitor):
        visit_as(client, visitor)
        NewsItemFactory()
        few = count_queries(reverse("programme:news_list"), {"page": 2})
        bulk(NewsItemFactory, 199)
        many = count_queries(reverse("programme:news_list"), {"page": 2})
        assert_no_n_plus_one(few, many)
        assert "Page 2 sur" in many.text


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

    def test_same_queries_with_1_and_200_news(self, client, count_queries):
        item = NewsItemFactory()
        few = count_queries(item.get_absolute_url())
        bulk(NewsItemFactory, 199)
        many = count_queries(item.get_absolute_url())
        assert_no_n_plus_one(few, many)
