"""Partner space: the dashboard, an action's page, editing the fiche (with conflict detection)
and archiving. Follow-up writes (notes, measurements, documents) are in `space_followup`.

Every page starts from `_get_action`, which answers 404 to anyone who may not see the action, so
nothing reveals that another organisation's action exists; a member whose role does not allow a
change gets a 403 page that says why (`action_view` does both for the pages that change an action).
"""

import datetime
from dataclasses import dataclass
from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.db.models import Count, Exists, F, OuterRef, Prefetch, Subquery
from django.db.models.functions import Coalesce
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from partners.models import Membership

from ..models import Action, Document, Indicator, Measurement, ProgressUpdate, Status
from ..perms import ActionAccess, action_access, can_edit_action
from .forms import ActionForm
from .notifications import notify_staff

STALE_AFTER_DAYS = 90
CLOSED = {Status.DONE, Status.ABANDONED}


# --------------------------------------------------------------------------- helpers


def _get_action(request, pk, *related):
    """The action if the user may see it in the partner space, else 404."""
    queryset = Action.objects.select_related("axis", "pilot", *related)
    action = get_object_or_404(queryset, pk=pk)
    if not action_access(request.user, action).can_view:
        raise Http404("Aucune action ne correspond à cette adresse.")
    return action


def forbidden(request, action, message):
    """403 for members whose role does not allow the change (outsiders get 404 before this)."""
    context = {"action": action, "message": message, "access": action_access(request.user, action)}
    return render(request, "space/forbidden.html", context, status=403)


def action_view(allowed, refusal):
    """A page that changes the action of the URL's `pk`; the view is called with the action.

    404 for whoever may not see the action (see `_get_action`); the 403 page, with the message
    `refusal`, for a member that `allowed(user, action)`, a function of `perms`, refuses.
    """

    def decorator(view):
        @wraps(view)
        def wrapper(request, pk):
            action = _get_action(request, pk)
            if not allowed(request.user, action):
                return forbidden(request, action, refusal)
            return view(request, action)

        return wrapper

    return decorator


def _bump_and_reload(pk, expected_version=None):
    """Increment the version in one UPDATE (which also locks the row) and read the row back.

    With `expected_version`, the UPDATE only matches that version: None is returned when someone
    saved in between (the caller shows the conflict page). Must run inside a transaction.
    """
    rows = Action.objects.filter(pk=pk)
    if expected_version is not None:
        rows = rows.filter(version=expected_version)
    if not rows.update(version=F("version") + 1):
        return None
    return Action.objects.get(pk=pk)


# --------------------------------------------------------------------------- dashboard


@dataclass
class Attention:
    label: str
    kind: str


def attention_flags(action, today):
    """What needs attention on an open action: stale follow-up, end date passed, indicators."""
    if action.status in CLOSED or action.is_archived:
        return []
    flags = []
    last = action.last_update_date
    if last is None:
        flags.append(Attention("Aucune note de suivi", "stale"))
    elif last < today - datetime.timedelta(days=STALE_AFTER_DAYS):
        flags.append(Attention(f"Pas de note de suivi depuis {STALE_AFTER_DAYS} jours", "stale"))
    if action.end_date and action.end_date < today:
        flags.append(Attention(f"Date de fin dépassée ({action.end_date:%d/%m/%Y})", "late"))
    if action.unmeasured_indicators:
        count = action.unmeasured_indicators
        plural = "s" if count > 1 else ""
        flags.append(
            Attention(f"{count} indicateur{plural} sans mesure en {today.year}", "indicator")
        )
    return flags


def dashboard_actions(user, today):
    """The user's actions with everything the dashboard shows, in one query."""
    last_update = (
        ProgressUpdate.objects.filter(action=OuterRef("pk"))
        .order_by("-date", "-pk")
        .values("date")[:1]
    )
    measured_this_year = Measurement.objects.filter(indicator=OuterRef("pk"), date__year=today.year)
    unmeasured = (
        Indicator.objects.filter(action=OuterRef("pk"))
        .filter(~Exists(measured_this_year))
        .order_by()
        .values("action")
        .annotate(count=Count("pk"))
        .values("count")
    )
    pilot_role = (
        Membership.objects.filter(user=user, organisation=OuterRef("pilot"))
        .order_by()
        .values("role")[:1]
    )
    partner_role = (
        Membership.objects.filter(user=user, organisation__partner_actions=OuterRef("pk"))
        .order_by("role")  # "editor" sorts before "reader": the strongest role first
        .values("role")[:1]
    )
    return (
        Action.objects.filter(pk__in=Action.objects.of_user(user).values("pk"))
        .select_related("axis", "pilot")
        .annotate(
            last_update_date=Subquery(last_update),
            unmeasured_indicators=Coalesce(Subquery(unmeasured), 0),
            pilot_role=Subquery(pilot_role),
            partner_role=Subquery(partner_role),
        )
        .order_by("code_sort", "pk")
    )


@login_required
def dashboard(request):
    today = timezone.localdate()
    user = request.user
    memberships = list(
        Membership.objects.filter(user=user)
        .select_related("organisation")
        .order_by("organisation__name")
    )
    current, archived = [], []
    for action in dashboard_actions(user, today):
        access = ActionAccess(user.is_staff, action.pilot_role, action.partner_role)
        action.role = access.label
        action.can_edit = access.can_edit
        action.attention = attention_flags(action, today)
        (archived if action.is_archived else current).append(action)
    context = {
        "memberships": memberships,
        "actions": current,
        "archived_actions": archived,
        "attention_count": sum(1 for action in current if action.attention),
        "today": today,
        "stale_days": STALE_AFTER_DAYS,
        "space_section": "dashboard",
    }
    return render(request, "space/dashboard.html", context)


# --------------------------------------------------------------------------- one action


@login_required
def action_detail(request, pk):
    action = _get_action(request, pk, "updated_by", "phase")
    user = request.user
    access = action_access(user, action)
    visibilities = [Document.Visibility.PUBLIC, Document.Visibility.PARTNERS]
    if access.is_staff:
        visibilities.append(Document.Visibility.STAFF)
    documents = list(
        action.documents.filter(visibility__in=visibilities).select_related("uploaded_by")
    )
    for document in documents:
        document.can_remove = access.can_edit or (
            access.can_contribute and document.uploaded_by_id == user.pk
        )
    indicators = list(
        action.indicators.prefetch_related(
            Prefetch("measurements", queryset=Measurement.objects.order_by("-date", "-pk"))
        )
    )
    context = {
        "action": action,
        "access": access,
        "partners": list(action.partners.all()),
        "updates": list(action.updates.select_related("author")),
        "indicators": indicators,
        "documents": documents,
    }
    return render(request, "space/action_detail.html", context)


# --------------------------------------------------------------------------- edit the fiche


def _display(action, name):
    value = getattr(action, name)
    if name == "status":
        return action.get_status_display()
    if name == "progress":
        return f"{value} %"
    if isinstance(value, datetime.date):
        return value.strftime("%d/%m/%Y")
    return value or ""


def _input_display(data, name):
    value = data.get(name)
    if name == "status":
        return dict(Status.choices).get(value, "")
    if name == "progress":
        return f"{value} %" if value is not None else ""
    if isinstance(value, datetime.date):
        return value.strftime("%d/%m/%Y")
    return value or ""


def _save_fiche(pk, data, user):
    """Apply the form to the action if nobody saved since the form was opened; else None."""
    with transaction.atomic():
        action = _bump_and_reload(pk, expected_version=data["version"])
        if action is None:
            return None
        status_before = action.status
        for name in ActionForm.Meta.fields:
            setattr(action, name, data[name])
        action.updated_by = user
        action._history_user = user
        action.save()
        notify_staff(action, user, status_before=status_before)
    return action


@login_required
@require_http_methods(["GET", "POST"])
@action_view(
    can_edit_action,
    "Seuls les contributeurs de la structure pilote et l'équipe projet modifient la fiche.",
)
def action_edit(request, action):
    if request.method == "POST":
        form = ActionForm(request.POST, instance=action)
        if form.is_valid():
            saved = _save_fiche(action.pk, form.cleaned_data, request.user)
            if saved is not None:
                messages.success(request, "La fiche action est enregistrée.")
                return redirect("space:action", pk=saved.pk)
            return _conflict(request, action.pk, form.cleaned_data)
    else:
        form = ActionForm(instance=action, initial={"version": action.version})
    context = {"action": action, "form": form, "conflict": False}
    return render(request, "space/action_form.html", context)


def _conflict(request, pk, data):
    """Someone saved first: the user's input beside the current values, ready to merge."""
    current = Action.objects.select_related("axis", "pilot", "updated_by").get(pk=pk)
    initial = {name: data[name] for name in ActionForm.Meta.fields}
    initial["version"] = current.version
    form = ActionForm(instance=current, initial=initial)
    rows = []
    for name in ActionForm.field_order:
        differs = data[name] != getattr(current, name)
        if differs:
            # Screen readers announce the current value with the field.
            described = [f"id_{name}_current"]
            if form.fields[name].help_text:
                described.append(f"id_{name}_helptext")
            form.fields[name].widget.attrs["aria-describedby"] = " ".join(described)
        rows.append(
            {
                "field": form[name],
                "mine": _input_display(data, name),
                "current": _display(current, name),
                "differs": differs,
            }
        )
    context = {"action": current, "form": form, "conflict": True, "rows": rows}
    return render(request, "space/action_form.html", context, status=409)


# --------------------------------------------------------------------------- archive


@login_required
@require_http_methods(["GET", "POST"])
@action_view(
    can_edit_action,
    "Seuls les contributeurs de la structure pilote et l'équipe projet archivent une fiche.",
)
def action_archive(request, action):
    user = request.user
    if request.method == "POST":
        archive = request.POST.get("archived") == "1"
        with transaction.atomic():
            if archive != action.is_archived:
                action = _bump_and_reload(action.pk)
                action.is_archived = archive
                action.updated_by = user
                action._history_user = user
                action.save()
                notify_staff(action, user, archived=archive)
        if archive:
            messages.success(request, "La fiche est archivée : elle n'apparaît plus sur le site.")
        else:
            messages.success(request, "La fiche n'est plus archivée.")
        return redirect("space:action", pk=action.pk)
    return render(request, "space/action_archive.html", {"action": action})
