"""Partner space, the update campaign: the banner every page shows while a campaign runs, and
the « Rien de nouveau » confirmation of one action.

The banner is read once per request (kept on the request), in two queries whatever the number
of actions: the current campaign with its COPIL, then the user's piloted actions of it with
their answer and the user's role.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.utils import timezone
from django.views.decorators.http import require_POST

from partners.models import Membership
from partners.views.accounts import is_local_path
from teritoire.templatetags.portal import date_fr

from ..models import UpdateCampaign
from ..models.campaigns import is_answered
from ..perms import EDITOR, can_edit_action, role_annotations
from ..writes import confirm_nothing_new
from .views import _get_action, forbidden

PILOT_EDITORS_ONLY = (
    "Seuls les contributeurs de la structure pilote et l'équipe projet confirment qu'il n'y a "
    "rien de nouveau sur une fiche ; vous pouvez ajouter une note de suivi."
)

_UNSET = object()


def banner(request):
    """What the campaign banner shows to `request.user`, or None (no campaign running, or no
    action of it piloted by the user's organisations). Computed once per request."""
    cached = getattr(request, "_campaign_banner", _UNSET)
    if cached is _UNSET:
        cached = request._campaign_banner = _banner(request.user)
    return cached


def _banner(user):
    if not user.is_authenticated or not user.is_active:
        return None
    campaign = UpdateCampaign.objects.current().select_related("meeting").first()
    if campaign is None:
        return None
    mine = Membership.objects.filter(user=user).values("organisation")
    actions = list(
        campaign.actions_with_answer()
        .filter(pilot__in=mine)
        .annotate(**role_annotations(user))
        .order_by("code_sort", "pk")
    )
    if not actions:
        return None
    waiting = [action for action in actions if not is_answered(action)]
    for action in waiting:
        action.can_answer = user.is_staff or action.pilot_role == EDITOR
    today = timezone.localdate()
    return {
        "campaign": campaign,
        "meeting": campaign.meeting,
        "total": len(actions),
        "answered": len(actions) - len(waiting),
        "waiting": waiting,
        "deadline_passed": campaign.deadline_passed(today),
        "days_left": (campaign.deadline - today).days,
    }


@login_required
@require_POST
def nothing_new(request, campaign_pk, pk):
    """« Rien de nouveau » on one action of a running campaign: recorded once, however often
    it is sent. 404 for whoever may not see the action or when the action is not in a running
    campaign; 403 for a member who may not edit the fiche."""
    campaign = get_object_or_404(UpdateCampaign.objects.select_related("meeting"), pk=campaign_pk)
    action = _get_action(request, pk)
    if not campaign.is_current() or not campaign.actions_with_answer().filter(pk=pk).exists():
        raise Http404("Cette fiche n'attend pas de mise à jour.")
    if not can_edit_action(request.user, action):
        return forbidden(request, action, PILOT_EDITORS_ONLY)
    confirm_nothing_new(campaign, action, user=request.user)
    messages.success(
        request,
        f"C'est noté : rien de nouveau sur l'action {action.code} depuis la dernière note. "
        f"Elle est à jour pour le COPIL du {date_fr(campaign.meeting.date)}.",
    )
    target = request.POST.get("next", "")
    return redirect(target if is_local_path(target) else "space:dashboard")
