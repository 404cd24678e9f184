"""The home (labellisation) page and the small static pages of the site."""

from django.db.models import Avg, Count, Q, Sum
from django.http import HttpResponseServerError
from django.shortcuts import render
from django.template import TemplateDoesNotExist, loader
from django.utils import timezone
from django.views.decorators.csrf import requires_csrf_token

from actions.models import Action, Funding, Milestone, ProgressUpdate
from programme.models import Axis, Commune, CopilMeeting, NewsItem, Phase, Territory

from . import checks, identity


def current_phase(today):
    """The latest phase already started, else the first one; None before any data is loaded."""
    phases = Phase.objects.select_related("territory")
    return (
        phases.filter(start_date__lte=today).order_by("-number").first()
        or phases.order_by("number").first()
    )


def home(request):
    today = timezone.localdate()
    year = today.year
    phase = current_phase(today)
    territory = phase.territory if phase else Territory.objects.first()
    public_actions = Action.objects.public()
    context = {
        "territory": territory,
        "phase": phase,
        "year": year,
        "figures": Commune.objects.aggregate(
            communes=Count("pk"),
            inhabitants=Sum("population"),
            intercommunalities=Count("intercommunality", distinct=True),
        ),
        **phase_summary(phase, public_actions, year),
        # The labellisation's history: reference data of the territory (programme.json).
        "timeline": territory.timeline if territory else [],
        **copil_meetings(today),
        "updates": ProgressUpdate.objects.filter(action__in=public_actions)
        .select_related("action")
        .order_by("-date", "-pk")[:4],
        "news": NewsItem.objects.published()[:3],
        # « Prochaines échéances »: the next milestones of public actions.
        "next_milestones": Milestone.objects.public()
        .upcoming(today)
        .select_related("action")
        .order_by("due_date", "order", "pk")[:5],
    }
    return render(request, "home.html", context)


def phase_summary(phase, public_actions, year):
    """The phase's axes with their public actions' count and average progress, the whole
    phase's count and progress, its budget for the year, and a few actions of earlier phases."""
    axes = []
    budget = None
    earlier_actions = []
    if phase:
        axes = axes_with_progress(phase, public_actions)
        budget = Funding.objects.filter(
            year=year, action__in=public_actions.filter(phase=phase)
        ).aggregate(total=Sum("planned_amount"), demo=Count("pk", filter=Q(action__is_demo=True)))
        earlier_actions = list(
            public_actions.filter(phase__number__lt=phase.number)
            .select_related("pilot", "phase")
            .order_by("phase__number", "code_sort")[:6]
        )
    action_count = sum(axis.action_count for axis in axes)
    progress = (
        sum((axis.average_progress or 0) * axis.action_count for axis in axes) / action_count
        if action_count
        else None
    )
    return {
        "action_count": action_count,
        "progress": progress,
        "budget": budget and budget["total"],
        # The key figures count demonstration rows: the page says so beside them.
        "figures_include_demo": bool(budget and budget["demo"])
        or any(axis.demo_count for axis in axes),
        "axes": axes,
        "earlier_actions": earlier_actions,
    }


def axes_with_progress(phase, public_actions):
    in_public = Q(actions__in=public_actions)
    return list(
        Axis.objects.filter(phase=phase).annotate(
            action_count=Count("actions", filter=in_public),
            average_progress=Avg("actions__progress", filter=in_public),
            demo_count=Count("actions", filter=in_public & Q(actions__is_demo=True)),
        )
    )


def copil_meetings(today):
    """The next public COPIL meeting, or failing that the last one held."""
    next_meeting = CopilMeeting.objects.public().upcoming(today).first()
    last_meeting = None
    if next_meeting is None:
        last_meeting = (
            CopilMeeting.objects.public()
            .filter(date__lt=today, status=CopilMeeting.Status.HELD)
            .order_by("-date")
            .first()
        )
    return {"next_meeting": next_meeting, "last_meeting": last_meeting}


def legal(request):
    return render(request, "pages/legal.html", {"legal_notice": checks.legal_notice()})


def accessibility(request):
    return render(request, "pages/accessibility.html")


@requires_csrf_token
def server_error(request):
    """The 500 page. It names the territory only if the request had already read it: it never
    queries the database, which may be what failed."""
    territory = identity.remembered()
    context = (
        {"site_name": territory.full_name, "site_short_name": territory.name} if territory else {}
    )
    try:
        template = loader.get_template("500.html")
    except TemplateDoesNotExist:
        return HttpResponseServerError(
            b"<h1>Erreur du serveur (500)</h1>", content_type="text/html"
        )
    return HttpResponseServerError(template.render(context))
