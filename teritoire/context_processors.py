from django.db.models import Exists

from programme.models import Territory

from . import identity


def site(request):
    """What every page needs: the territory it is about and whether demonstration data is present
    (shown as a banner), read together in one query."""
    from actions.models import Action

    demo = Action.objects.filter(is_demo=True)
    territory = identity.current_territory(Territory.objects.annotate(has_demo=Exists(demo)))
    has_demo = getattr(territory, "has_demo", None)
    if has_demo is None:  # no territory yet, or one already read without the flag
        has_demo = demo.exists()
    return {
        "demo_data_present": has_demo,
        "site_territory": territory,
        "site_name": territory.full_name if territory else identity.GENERIC_NAME,
        "site_short_name": territory.name if territory else identity.GENERIC_NAME,
    }
