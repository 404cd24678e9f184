from django.contrib.sitemaps.views import sitemap
from django.urls import path

from .opendata import views as opendata
from .opendata.feeds import ProgressUpdatesFeed
from .opendata.sitemaps import SITEMAPS
from .public import plans
from .public import views as public

app_name = "actions"

urlpatterns = [
    path("actions/", public.action_list, name="list"),
    path("actions/export.csv", opendata.filtered_csv, name="export_csv"),
    path("actions/export.xlsx", opendata.filtered_xlsx, name="export_xlsx"),
    path("actions/<slug:slug>/", public.action_detail, name="detail"),
    path("plans/<int:year>/", plans.plan_detail, name="plan"),
    path("donnees/", opendata.open_data, name="open_data"),
    path("donnees/actions.csv", opendata.actions_csv, name="data_actions_csv"),
    path("donnees/financements.csv", opendata.fundings_csv, name="data_fundings_csv"),
    path("donnees/actions.xlsx", opendata.actions_xlsx, name="data_actions_xlsx"),
    path("donnees/actions.json", opendata.actions_json, name="data_actions_json"),
    path("donnees/copil.ics", opendata.copil_ics, name="data_copil_ics"),
    path("donnees/suivi.rss", ProgressUpdatesFeed(), name="feed"),
    path("sitemap.xml", sitemap, {"sitemaps": SITEMAPS}, name="sitemap"),
    path("robots.txt", opendata.robots_txt, name="robots"),
]
