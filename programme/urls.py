from django.urls import path

from . import views

app_name = "programme"

urlpatterns = [
    path("territoire/", views.territory, name="territory"),
    path("territoire/<slug:slug>/", views.intercommunality, name="intercommunality"),
    path("axes/<slug:slug>/", views.axis, name="axis"),
    path("copil/", views.copil_list, name="copil_list"),
    path("copil/decisions/", views.decision_list, name="decision_list"),
    path("copil/decisions/export.csv", views.decisions_csv, name="decisions_csv"),
    path("copil/decisions/export.json", views.decisions_json, name="decisions_json"),
    path("copil/<int:pk>/", views.copil_detail, name="copil_detail"),
    path("actualites/", views.news_list, name="news_list"),
    path("actualites/<slug:slug>/", views.news_detail, name="news_detail"),
]
