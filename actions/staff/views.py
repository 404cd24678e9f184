"""Staff-only pages, shown inside the admin's layout."""

from django.contrib import admin
from django.contrib.admin.views.decorators import staff_member_required
from django.shortcuts import render

from .campaigns import campaign_completion
from .queries import dashboard_data


@staff_member_required
def dashboard(request):
    """Actions by status and axis, budget by year and funder, stale actions, next COPIL."""
    context = {
        **admin.site.each_context(request),
        "title": "Tableau de bord du programme",
        **dashboard_data(),
        "campaign_status": campaign_completion(),
    }
    return render(request, "staff/dashboard.html", context)
