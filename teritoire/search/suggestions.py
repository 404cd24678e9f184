"""What the search page offers when nothing is found: the axes of the current phase, and what
other parts of the site register here (`register`), each as a titled list of links.

A provider is a function of no argument returning a `Suggestion` or None; it runs at most one
query, and only when a search found nothing.
"""

from dataclasses import dataclass, field

from django.apps import apps

from programme.models import Axis

PROVIDERS = []


@dataclass(frozen=True)
class Suggestion:
    title: str
    links: list = field(default_factory=list)  # (label, url) pairs


def register(provider):
    """Add a provider (usable as a decorator); registering it twice keeps one."""
    if provider not in PROVIDERS:
        PROVIDERS.append(provider)
    return provider


@register
def current_axes():
    axes = list(Axis.objects.select_related("phase").order_by("-phase__number", "number"))
    current = [axis for axis in axes if axis.phase_id == axes[0].phase_id] if axes else []
    if not current:
        return None
    return Suggestion(
        "Les axes du plan d'actions",
        [(str(axis), axis.get_absolute_url()) for axis in current],
    )


@register
def firm_needs():
    """The firms' needs (« recruter »…), each leading to its page of the firms' door."""
    try:
        need_model = apps.get_model("partners", "Need")
    except LookupError:  # the firms' door is not installed
        return None
    needs = list(need_model.objects.all())
    if not needs:
        return None
    return Suggestion(
        "Les besoins des entreprises", [(need.name, need.get_absolute_url()) for need in needs]
    )


def suggestions():
    return [found for provider in PROVIDERS if (found := provider()) is not None]
