from django.urls import path

from .staff import copil
from .staff import views as staff

app_name = "staff"

urlpatterns = [
    path("", staff.dashboard, name="dashboard"),
    *copil.urlpatterns,
]
