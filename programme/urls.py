from django.urls import path

from . import views

app_name = "programme"

urlpatterns = [
    path("territoire/", views.territory, name="territory"),
    path("territoire/<slug:slug>/", views.intercommunality, name="intercommunality"),
    path("axes/<slug:slug>/", views.axis, name="axis"),
    path("copil/", views.copil_list, name="copil_list"),
    path("copil/<int:pk>/", views.copil_detail, name="copil_detail"),
    path("actualites/", views.news_list, name="news_list"),
    path("actualites/<slug:slug>/", views.news_detail, name="news_detail"),
]
