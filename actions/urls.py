from django.urls import path

from .views import plans, public

app_name = "actions"

urlpatterns = [
    path("actions/", public.action_list, name="list"),
    path("actions/<slug:slug>/", public.action_detail, name="detail"),
    path("plans/<int:year>/", plans.plan_detail, name="plan"),
    path("donnees/", public.open_data, name="open_data"),
]
