from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from django.utils.functional import lazy

from partners.views.accounts import admin_login

from . import health, identity, views

# The territory's name is read when a page of the admin is shown (teritoire.identity).
admin.site.site_header = lazy(lambda: f"{identity.site_name()} — administration", str)()
admin.site.site_title = "Administration du portail"
admin.site.index_title = "Pilotage du programme"

handler500 = views.server_error

urlpatterns = [
    path("", views.home, name="home"),
    path("mentions-legales/", views.legal, name="legal"),
    path("accessibilite/", views.accessibility, name="accessibility"),
    path("recherche/", include("teritoire.search.urls")),
    path("", include("programme.urls")),
    path("", include("actions.urls")),
    path("partenaires/", include("partners.urls_directory")),
    path("espace-partenaire/", include("partners.urls")),
    path("espace-partenaire/", include("actions.urls_space")),
    path("pilotage/", include("actions.urls_staff")),
    # Before the admin's own URLs: its login with the partner space's rule for `next`.
    path("admin/login/", admin_login),
    path("admin/", admin.site.urls),
    path("sante/", health.health, name="health"),
]

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
