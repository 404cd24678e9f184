from django.urls import path

from .views import space

app_name = "space"

urlpatterns = [
    path("", space.dashboard, name="dashboard"),
    path("documents/<int:pk>/telecharger/", space.document_download, name="document_download"),
]
