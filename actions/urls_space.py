from django.urls import path

from .space import followup as space_followup
from .space import views as space

app_name = "space"

urlpatterns = [
    path("", space.dashboard, name="dashboard"),
    path("actions/<int:pk>/", space.action_detail, name="action"),
    path("actions/<int:pk>/modifier/", space.action_edit, name="action_edit"),
    path("actions/<int:pk>/archiver/", space.action_archive, name="action_archive"),
    path("actions/<int:pk>/notes/ajouter/", space_followup.update_create, name="update_create"),
    path(
        "actions/<int:pk>/mesures/ajouter/",
        space_followup.measurement_create,
        name="measurement_create",
    ),
    path(
        "actions/<int:pk>/documents/ajouter/",
        space_followup.document_create,
        name="document_create",
    ),
    path("documents/<int:pk>/retirer/", space_followup.document_delete, name="document_delete"),
    path(
        "documents/<int:pk>/telecharger/",
        space_followup.document_download,
        name="document_download",
    ),
]
