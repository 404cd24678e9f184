from django.urls import path

from .views import directory

app_name = "directory"

urlpatterns = [
    path("", directory.organisation_list, name="list"),
    path("<slug:slug>/", directory.organisation_detail, name="detail"),
]
