"""The home (labellisation) page and the small static pages of the site."""

from django.db.models import Avg, Count, Q, Sum
from django.shortcuts import render
from django.utils import timezone

from actions.models import Action, Funding, ProgressUpdate
from programme.models import Axis, Commune, CopilMeeting, NewsItem, Phase, Territory

# The labellisation's history: reference facts of the programme, not data edited in the admin.
TIMELINE = [
    ("2019-03", "mars 2019", "Labellisation « Territoire d'industrie » (phase 1)"),
    ("2019-04-23", "23 avril 2019", "Signature du protocole d'engagement à Amboise"),
    ("2021-03-29", "29 mars 2021", "Signature du contrat de Territoire d'industrie"),
    (
        "2023-11-09",
        "9 novembre 2023",
        "Labellisation renouvelée pour la phase 2 (2023-2027) à Chalon-sur-Saône, "
        "avec 182 autres territoires",
    ),
    (
        "2024-01-25",
        "25 janvier 2024",
        "Premier comité de pilotage de la phase 2 : plan d'actions et budget 2024 validés",
    ),
]


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

    figures = Commune.objects.aggregate(
        communes=Count("pk"),
        inhabitants=Sum("population"),
        intercommunalities=Count("intercommunality", distinct=True),
    )
    axes = []
    budget = None
    earlier_actions = []
    if phase:
        in_public = Q(actions__in=public_actions)
        axes = list(
            Axis.objects.filter(phase=phase).annotate(
                action_count=Count("actions", filter=in_public),
                average_progress=Avg("actions__progress", filter=in_public),
            )
        )
        budget = Funding.objects.filter(
            year=year, action__in=public_actions.filter(phase=phase)
        ).aggregate(total=Sum("planned_amount"))["total"]
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

    next_meeting = CopilMeeting.objects.public().upcoming(today).first()
    last_meeting = None
    if next_meeting is None:
        last_meeting = (
            CopilMeeting.objects.public()
            .filter(date__lt=today, status=CopilMeeting.Status.HELD)
            .order_by("-date")
            .first()
        )

    context = {
        "territory": territory,
        "phase": phase,
        "year": year,
        "figures": figures,
        "action_count": action_count,
        "progress": progress,
        "budget": budget,
        "axes": axes,
        "earlier_actions": earlier_actions,
        "timeline": TIMELINE,
        "next_meeting": next_meeting,
        "last_meeting": last_meeting,
        "updates": ProgressUpdate.objects.filter(action__in=public_actions)
        .select_related("action")
        .order_by("-date", "-pk")[:4],
        "news": NewsItem.objects.published()[:3],
    }
    return render(request, "home.html", context)


def legal(request):
    return render(request, "pages/legal.html")


def accessibility(request):
    return render(request, "pages/accessibility.html")
