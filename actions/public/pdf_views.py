"""The printable documents of the public pages: a fiche action and a validated annual plan.

Both are public documents whoever asks (a staff member gets the same file as a visitor): only
public actions, public frozen rows and public meetings, so one cached copy serves everyone.
"""

from django.shortcuts import get_object_or_404
from django.utils import timezone

from teritoire import identity, pagecache, pdf

from ..models import Action, MilestoneSummary
from . import plans
from .milestones import milestones_of
from .views import budget_by_year, fiche_queryset

# Above this many rows, the plan's document gives one line per action (no pilot, no funders):
# 2,000 actions are printed in under 10 s of CPU instead of 17 (bench/pdf.py).
DETAILED_PLAN_ROWS = 300


def _public_action(slug):
    return get_object_or_404(fiche_queryset(Action.objects.public()), slug=slug)


def _common():
    return {
        "site_name": identity.site_name(),
        "site_url": identity.site_url(),
        "logo_url": pdf.static_url("img/logo.svg"),  # a local file: nothing fetched elsewhere
    }


def action_pdf(request, slug):
    """The fiche action as a PDF: what its public page shows — milestones, « Qui contacter »,
    funding lines from the plan to the payment — indicators as tables. Addresses are absolute:
    a printed document has no site to resolve them against."""

    def build():
        action = _public_action(slug)
        indicators = []
        for indicator in action.indicators.all():
            measurements = list(indicator.measurements.all())
            indicators.append(
                {
                    "indicator": indicator,
                    "measurements": measurements[-6:],
                    "older": max(len(measurements) - 6, 0),
                    "latest": measurements[-1] if measurements else None,
                }
            )
        return pdf.render(
            "pdf/action.html",
            {
                **_common(),
                "action": action,
                "budget": budget_by_year(action.fundings.all()),
                "milestones": MilestoneSummary(milestones_of(action), timezone.localdate()),
                "pilot_url": identity.absolute_url(action.pilot.get_absolute_url()),
                "indicators": indicators,
                "updates": list(action.updates.all()),
                "page_url": identity.absolute_url(action.get_absolute_url()),
            },
        )

    return pdf.response(request, f"action:{slug}", f"fiche-action-{slug}.pdf", build)


@pagecache.cache_params("version")
def plan_pdf(request, year):
    """The validated plan of `year` (or `?version=<id>`) as the public sees /plans/<year>/."""
    year_plans = plans.plans_of_year(year)
    plan = plans.chosen_plan(request, year_plans)

    def build():
        figures = plans.plan_figures(plan, public=True)
        return pdf.render(
            "pdf/plan.html",
            {
                **_common(),
                "plan": plan,
                "validations": len(year_plans),
                "detailed": figures["frozen_count"] <= DETAILED_PLAN_ROWS,
                "page_url": identity.absolute_url(plan.get_absolute_url()),
                **figures,
            },
        )

    return pdf.response(request, f"plan:{plan.pk}", f"plan-actions-{year}.pdf", build)
