from django.urls import path

from .space import campaigns as space_campaigns
from .space import decisions as space_decisions
from .space import followup as space_followup
from .space import funding as space_funding
from .space import milestones as space_milestones
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
    path("actions/<int:pk>/jalons/", space_milestones.milestone_list, name="milestones"),
    path(
        "actions/<int:pk>/jalons/ajouter/",
        space_milestones.milestone_create,
        name="milestone_create",
    ),
    path("jalons/<int:pk>/modifier/", space_milestones.milestone_edit, name="milestone_edit"),
    path("jalons/<int:pk>/atteint/", space_milestones.milestone_done, name="milestone_done"),
    path("jalons/<int:pk>/supprimer/", space_milestones.milestone_delete, name="milestone_delete"),
    path("jalons/<int:pk>/deplacer/", space_milestones.milestone_move, name="milestone_move"),
    path("decisions/<int:pk>/suivi/", space_decisions.decision_edit, name="decision_edit"),
    path(
        "campagnes/<int:campaign_pk>/actions/<int:pk>/rien-de-nouveau/",
        space_campaigns.nothing_new,
        name="nothing_new",
    ),
    path("financements/<int:pk>/realise/", space_funding.funding_spent, name="funding_spent"),
    path("documents/<int:pk>/retirer/", space_followup.document_delete, name="document_delete"),
    path(
        "documents/<int:pk>/telecharger/",
        space_followup.document_download,
        name="document_download",
    ),
]
