from django.db.models import Exists

from programme.models import CopilMeeting, NewsItem, Territory

from . import identity


def site(request):
    """What every page needs: the territory it is about and whether demonstration data is present
    (shown as a banner), read together in one query."""
    from actions.models import Action

    demo = [
        Action.objects.filter(is_demo=True),
        CopilMeeting.objects.demo(),
        NewsItem.objects.demo(),
    ]
    flags = {f"demo_{i}": Exists(rows) for i, rows in enumerate(demo)}
    territory = identity.current_territory(Territory.objects.annotate(**flags))
    if territory is not None and hasattr(territory, "demo_0"):
        has_demo = any(getattr(territory, name) for name in flags)
    else:  # no territory yet, or one already read without the flags: one query still
        first, *others = (rows.values_list("pk") for rows in demo)
        has_demo = first.union(*others, all=True).exists()
    return {
        "demo_data_present": has_demo,
        "site_territory": territory,
        "site_name": territory.full_name if territory else identity.GENERIC_NAME,
        "site_short_name": territory.name if territory else identity.GENERIC_NAME,
    }
