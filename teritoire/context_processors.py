from django.conf import settings


def site(request):
    """What every page needs: whether demonstration data is present (shown as a banner)."""
    from actions.models import Action

    return {
        "demo_data_present": Action.objects.filter(is_demo=True).exists(),
        "site_name": "Territoire d'industrie Grand Est Touraine",
        "debug": settings.DEBUG,
    }
