from django.contrib.sitemaps.views import sitemap
from django.urls import path

from .opendata import milestones as opendata_milestones
from .opendata import views as opendata
from .opendata.feeds import ProgressUpdatesFeed
from .opendata.sitemaps import SITEMAPS
from .public import copil_pdf, firms, fundings, pdf_views, plans, timeline
from .public import map as action_map
from .public import views as public

app_name = "actions"

urlpatterns = [
    path("actions/", public.action_list, name="list"),
    path("actions/export.csv", opendata.filtered_csv, name="export_csv"),
    path("actions/export.xlsx", opendata.filtered_xlsx, name="export_xlsx"),
    path("actions/carte/", action_map.action_map, name="map"),
    path("actions/calendrier/", timeline.action_timeline, name="timeline"),
    path("actions/<slug:slug>/", public.action_detail, name="detail"),
    path("actions/<slug:slug>/fiche.pdf", pdf_views.action_pdf, name="detail_pdf"),
    path("plans/", plans.plan_index, name="plans"),
    path("plans/<int:year>/", plans.plan_detail, name="plan"),
    path("plans/<int:year>/plan.pdf", pdf_views.plan_pdf, name="plan_pdf"),
    *copil_pdf.urlpatterns,
    path("financements/", fundings.funding_overview, name="fundings"),
    path("financements/financements.csv", fundings.figures_csv, name="fundings_csv"),
    path("financements/financements.xlsx", fundings.figures_xlsx, name="fundings_xlsx"),
    path("financements/financements.json", fundings.figures_json, name="fundings_json"),
    path("entreprises/", firms.firm_needs, name="firms"),
    path("entreprises/<slug:slug>/", firms.need_detail, name="need"),
    path("donnees/", opendata.open_data, name="open_data"),
    path("donnees/actions.csv", opendata.actions_csv, name="data_actions_csv"),
    path("donnees/financements.csv", opendata.fundings_csv, name="data_fundings_csv"),
    path("donnees/actions.xlsx", opendata.actions_xlsx, name="data_actions_xlsx"),
    path("donnees/actions.json", opendata.actions_json, name="data_actions_json"),
    path("donnees/jalons.csv", opendata_milestones.milestones_csv, name="data_milestones_csv"),
    path("donnees/jalons.xlsx", opendata_milestones.milestones_xlsx, name="data_milestones_xlsx"),
    path("donnees/copil.ics", opendata.copil_ics, name="data_copil_ics"),
    path("donnees/suivi.rss", ProgressUpdatesFeed(), name="feed"),
    path("sitemap.xml", sitemap, {"sitemaps": SITEMAPS}, name="sitemap"),
    path("robots.txt", opendata.robots_txt, name="robots"),
]
