from django.urls import path

from .views import accounts

app_name = "partners"

urlpatterns = [
    path("connexion/", accounts.login, name="login"),
    path("deconnexion/", accounts.logout, name="logout"),
    path("mot-de-passe/", accounts.password_change, name="password_change"),
    path("mot-de-passe-oublie/", accounts.password_reset, name="password_reset"),
    path("mot-de-passe-oublie/envoye/", accounts.password_reset_done, name="password_reset_done"),
    path(
        "mot-de-passe-oublie/<uidb64>/<token>/",
        accounts.password_reset_confirm,
        name="password_reset_confirm",
    ),
    path(
        "mot-de-passe-oublie/termine/",
        accounts.password_reset_complete,
        name="password_reset_complete",
    ),
    path("invitation/<uidb64>/<token>/", accounts.invitation, name="invitation"),
]
