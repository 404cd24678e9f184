from django.urls import path

from .views import accounts

app_name = "partners"

urlpatterns = [
    path("connexion/", accounts.login, name="login"),
    path("deconnexion/", accounts.logout, name="logout"),
]
