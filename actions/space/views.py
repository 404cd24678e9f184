"""Partner space: the dashboard, an action's page, editing the fiche (with conflict detection)
and archiving. Follow-up writes (notes, measurements, documents) are in `followup`; every
change of the action itself goes through `actions.writes`.

Every page starts from `_get_action`, which answers 404 to anyone who may not see the action, so
nothing reveals that another organisation's action exists; a member whose role does not allow a
change gets a 403 page that says why (`action_view` does both for the pages that change an action).
"""

from dataclasses import dataclass
from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Count, Exists, OuterRef, Prefetch, Subquery
from django.db.models.functions import Coalesce
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.formats import date_format
from django.views.decorators.http import require_http_methods

from partners.models import Membership
from teritoire.paging import forgiving_page
from teritoire.templatetags.portal import percent

from ..models import STALE_AFTER_DAYS, Action, Document, Indicator, Measurement, Status
from ..models.milestones import late_count
from ..perms import ActionAccess, action_access, can_edit_action, role_annotations
from ..writes import VersionConflict, save_action
from .conflicts import conflict_rows
from .decisions import dashboard_decisions
from .forms import ActionForm, ArchiveForm

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


# --------------------------------------------------------------------------- dashboard


@dataclass
class Attention:
    label: str
    kind: str


def attention_flags(action, today):
    """What needs attention on an open action: stale follow-up, end date passed, indicators."""
    if not action.is_open:
        return []
    flags = []
    if action.is_stale(today=today):
        if action.last_update_on is None:
            flags.append(Attention("Aucune note de suivi", "stale"))
        else:
            flags.append(
                Attention(f"Pas de note de suivi depuis {STALE_AFTER_DAYS} jours", "stale")
            )
    if action.end_date and action.end_date < today:
        end = date_format(action.end_date, "SHORT_DATE_FORMAT")
        flags.append(Attention(f"Date de fin dépassée ({end})", "late"))
    if getattr(action, "late_milestones", 0):
        count = action.late_milestones
        plural = "s" if count > 1 else ""
        flags.append(Attention(f"{count} jalon{plural} en retard", "late"))
    if action.unmeasured_indicators:
        count = action.unmeasured_indicators
        plural = "s" if count > 1 else ""
        flags.append(
            Attention(f"{count} indicateur{plural} sans mesure en {today.year}", "indicator")
        )
    return flags


def dashboard_actions(user, today):
    """The user's actions with everything the dashboard shows, in one query."""
    measured_this_year = Measurement.objects.filter(indicator=OuterRef("pk"), date__year=today.year)
    unmeasured = (
        Indicator.objects.filter(action=OuterRef("pk"))
        .filter(~Exists(measured_this_year))
        .order_by()
        .values("action")
        .annotate(count=Count("pk"))
        .values("count")
    )
    return (
        Action.objects.filter(pk__in=Action.objects.of_user(user).values("pk"))
        .select_related("axis", "pilot")
        .with_last_update()
        .annotate(unmeasured_indicators=Coalesce(Subquery(unmeasured), 0), **role_annotations(user))
        .annotate(late_milestones=late_count(today))
        .order_by("code_sort", "pk")
    )


# A page of the dashboard's table: an organisation that pilots a whole axis still reads its
# actions a screen at a time (and the page stays light).
DASHBOARD_PAGE_SIZE = 25


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
        (current if action.is_current else archived).append(action)
    paginator = Paginator(current, DASHBOARD_PAGE_SIZE)
    page, page_notice = forgiving_page(paginator, request.GET.get("page"))
    context = {
        "memberships": memberships,
        "actions": page.object_list,
        "action_count": len(current),
        "page_obj": page,
        "page_range": paginator.get_elided_page_range(page.number),
        "page_notice": page_notice,
        "archived_actions": archived,
        "attention_count": sum(1 for action in current if action.attention),
        "decisions": dashboard_decisions(user, today),
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
        "fundings": list(action.fundings.in_reading_order()),
    }
    return render(request, "space/action_detail.html", context)


# --------------------------------------------------------------------------- edit the fiche


# How the conflict page writes the fiche's values that are not plain text, dates or yes/no.
SHOWN = {"status": lambda value: dict(Status.choices).get(value, ""), "progress": percent}


@login_required
@require_http_methods(["GET", "POST"])
@action_view(
    can_edit_action,
    "Seuls les contributeurs de la structure pilote et l'équipe projet modifient la fiche.",
)
def action_edit(request, action):
    from .milestones import warn_open_milestones  # a module that imports this one

    if request.method == "POST":
        form = ActionForm(request.POST, instance=action)
        if form.is_valid():
            data = form.cleaned_data
            milestone_warning = warn_open_milestones(form, action)
            try:
                save_action(
                    action.pk,
                    {name: data[name] for name in ActionForm.Meta.fields},
                    expected_version=data["version"],
                    user=request.user,
                    reason="Fiche modifiée dans l'espace partenaire",
                )
            except VersionConflict:
                return _conflict(request, action.pk, data)
            messages.success(request, "La fiche action est enregistrée.")
            if milestone_warning:
                messages.warning(request, milestone_warning)
            return redirect("space:action", pk=action.pk)
    else:
        form = ActionForm(instance=action, initial={"version": action.version})
    warn_open_milestones(form, action)
    context = {"action": action, "form": form, "conflict": False}
    return render(request, "space/action_form.html", context)


def _conflict(request, pk, data):
    """Someone saved first: the user's input beside the current values, ready to merge."""
    current = Action.objects.select_related("axis", "pilot", "updated_by").get(pk=pk)
    initial = {name: data[name] for name in ActionForm.Meta.fields}
    initial["version"] = current.version
    form = ActionForm(instance=current, initial=initial)
    rows = conflict_rows(form, data, current, SHOWN)
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
    form = ArchiveForm(request.POST or None, initial={"version": action.version})
    status = 200
    if form.is_valid():
        archive = form.cleaned_data["archived"]
        if archive != action.is_archived:
            try:
                save_action(
                    action.pk,
                    {"is_archived": archive},
                    expected_version=form.cleaned_data["version"],
                    user=request.user,
                    reason="Fiche archivée" if archive else "Fiche désarchivée",
                )
            except VersionConflict:
                action = Action.objects.select_related("axis", "pilot").get(pk=action.pk)
                form = ArchiveForm(initial={"version": action.version})
                form.conflict = True
                status = 409
        if status == 200:
            if archive:
                text = "La fiche est archivée : elle n'apparaît plus sur le site."
            else:
                text = "La fiche n'est plus archivée."
            messages.success(request, text)
            return redirect("space:action", pk=action.pk)
    context = {"action": action, "form": form}
    return render(request, "space/action_archive.html", context, status=status)
