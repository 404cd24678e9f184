"""Partner space: an action's milestones (jalons).

Members of the action see the list; the pilot's editors and staff create, edit, delete and
reorder milestones; contributors (editors of the pilot or of a partner organisation) mark one
done with a note. Every write goes through `actions.milestones`, at the version the user read:
when someone saved in between, nothing is written and the page (409) keeps the user's input and
shows the milestone as it is now. Anyone who may not see the action gets a 404 (`_get_action`),
a member whose role does not allow the change the 403 page that says why.
"""

import copy
from functools import wraps

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.validators import MaxLengthValidator
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from teritoire.text import RefuseControlCharacters

from ..milestones import (
    EDIT_FIELDS,
    MilestoneConflict,
    create_milestone,
    delete_milestone,
    mark_done,
    move_milestone,
    update_milestone,
)
from ..models import Milestone, MilestoneSummary
from ..perms import action_access, can_manage_milestones, can_mark_milestone_done
from .forms import DATE_FORMATS, DateInput, not_in_future, version_field
from .views import _get_action, action_view, forbidden

MANAGERS_ONLY = (
    "Seuls les contributeurs de la structure pilote et l'équipe projet ajoutent, modifient, "
    "suppriment ou réordonnent les jalons."
)
CONTRIBUTORS_ONLY = (
    "Seuls les contributeurs des structures pilote et partenaires de l'action et l'équipe "
    "projet marquent un jalon atteint."
)
NOTE_MAX_LENGTH = 2000
CONFLICT = (
    "Le jalon a été modifié par quelqu'un d'autre pendant votre saisie : rien n'a été "
    "enregistré. Votre saisie est conservée ci-dessous ; vérifiez-la au regard du jalon tel "
    "qu'il est maintenant, puis enregistrez à nouveau."
)


class MilestoneForm(RefuseControlCharacters, forms.ModelForm):
    """Title, due date, done date and note, plus the version the user started from."""

    version = version_field()

    class Meta:
        model = Milestone
        fields = list(EDIT_FIELDS)
        widgets = {
            "due_date": DateInput(),
            "done_on": DateInput(),
            "note": forms.Textarea(attrs={"rows": 4, "maxlength": NOTE_MAX_LENGTH}),
        }
        help_texts = {
            "title": "Par exemple « Enquête auprès des entreprises lancée ».",
            "note": "Ce qui a été fait, ce qui reste ; visible du public sur la fiche.",
        }

    def __init__(self, *args, new=False, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("due_date", "done_on"):
            self.fields[name].input_formats = DATE_FORMATS
        self.fields["done_on"].validators.append(not_in_future)
        self.fields["note"].validators.append(MaxLengthValidator(NOTE_MAX_LENGTH))
        if new:
            del self.fields["version"]


class MilestoneDoneForm(RefuseControlCharacters, forms.Form):
    """Mark a milestone reached: the day, a note, the version the user read."""

    done_on = forms.DateField(
        label="Atteint le",
        widget=DateInput(),
        input_formats=DATE_FORMATS,
        validators=[not_in_future],
    )
    note = forms.CharField(
        label="Note",
        required=False,
        widget=forms.Textarea(attrs={"rows": 4, "maxlength": NOTE_MAX_LENGTH}),
        validators=[MaxLengthValidator(NOTE_MAX_LENGTH)],
        help_text="Ce qui a été fait ; visible du public sur la fiche.",
    )
    version = version_field()


def _get_milestone(request, pk):
    """The milestone and its action if the user may see the action, else 404."""
    milestone = get_object_or_404(Milestone.objects.only("pk", "action_id"), pk=pk)
    action = _get_action(request, milestone.action_id)
    milestone = get_object_or_404(Milestone, pk=pk, action=action)
    milestone.action = action
    return milestone


def milestone_view(allowed, refusal):
    """A page that changes the milestone of the URL's `pk` (see `views.action_view`)."""

    def decorator(view):
        @wraps(view)
        def wrapper(request, pk):
            milestone = _get_milestone(request, pk)
            if not allowed(request.user, milestone.action):
                return forbidden(request, milestone.action, refusal)
            return view(request, milestone)

        return wrapper

    return decorator


# --------------------------------------------------------------------------- the list


@login_required
def milestone_list(request, pk):
    action = _get_action(request, pk)
    access = action_access(request.user, action)
    summary = MilestoneSummary(action.milestones.in_order(), timezone.localdate())
    context = {
        "action": action,
        "access": access,
        "summary": summary,
        "can_manage": can_manage_milestones(request.user, action),
        "can_mark_done": can_mark_milestone_done(request.user, action),
    }
    return render(request, "space/milestones.html", context)


def _back(action):
    return redirect("space:milestones", pk=action.pk)


# --------------------------------------------------------------------------- create, edit


@login_required
@require_http_methods(["GET", "POST"])
@action_view(can_manage_milestones, MANAGERS_ONLY)
def milestone_create(request, action):
    form = MilestoneForm(request.POST or None, new=True, instance=Milestone(action=action))
    if request.method == "POST" and form.is_valid():
        values = {name: form.cleaned_data[name] for name in EDIT_FIELDS}
        milestone = create_milestone(
            action, values, user=request.user, reason="Jalon ajouté dans l'espace partenaire"
        )
        messages.success(request, f"Le jalon « {milestone.title} » est ajouté.")
        return _back(action)
    context = {"action": action, "form": form, "mode": "create"}
    return render(request, "space/milestone_form.html", context)


@login_required
@require_http_methods(["GET", "POST"])
@milestone_view(can_manage_milestones, MANAGERS_ONLY)
def milestone_edit(request, milestone):
    action = milestone.action
    status = 200
    if request.method == "POST":
        # A copy: validating sets the values on the instance; the page shows the stored one.
        form = MilestoneForm(request.POST, instance=copy.copy(milestone))
        if form.is_valid():
            data = form.cleaned_data
            try:
                update_milestone(
                    milestone.pk,
                    {name: data[name] for name in EDIT_FIELDS},
                    expected_version=data["version"],
                    user=request.user,
                    reason="Jalon modifié dans l'espace partenaire",
                )
            except MilestoneConflict:
                milestone, form = _conflict_form(request, milestone, MilestoneForm)
                status = 409
            else:
                messages.success(request, f"Le jalon « {data['title']} » est enregistré.")
                return _back(action)
    else:
        form = MilestoneForm(instance=milestone, initial={"version": milestone.version})
    context = {
        "action": action,
        "milestone": milestone,
        "form": form,
        "mode": "edit",
        "conflict": status == 409,
    }
    return render(request, "space/milestone_form.html", context, status=status)


def _conflict_form(request, milestone, form_class):
    """The user's input, at the current version, with the conflict explained."""
    current = Milestone.objects.get(pk=milestone.pk)
    current.action = milestone.action
    data = request.POST.copy()
    data["version"] = current.version
    kwargs = {"instance": copy.copy(current)} if form_class is MilestoneForm else {}
    form = form_class(data, **kwargs)
    form.is_valid()
    form.add_error(None, CONFLICT)
    return current, form


# --------------------------------------------------------------------------- mark done


@login_required
@require_http_methods(["GET", "POST"])
@milestone_view(can_mark_milestone_done, CONTRIBUTORS_ONLY)
def milestone_done(request, milestone):
    action = milestone.action
    status = 200
    if request.method == "POST":
        form = MilestoneDoneForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                mark_done(
                    milestone.pk,
                    done_on=data["done_on"],
                    note=data["note"],
                    expected_version=data["version"],
                    user=request.user,
                )
            except MilestoneConflict:
                milestone, form = _conflict_form(request, milestone, MilestoneDoneForm)
                status = 409
            else:
                messages.success(request, f"Le jalon « {milestone.title} » est marqué atteint.")
                return _back(action)
    else:
        initial = {
            "done_on": milestone.done_on or timezone.localdate(),
            "note": milestone.note,
            "version": milestone.version,
        }
        form = MilestoneDoneForm(initial=initial)
    context = {
        "action": action,
        "milestone": milestone,
        "form": form,
        "mode": "done",
        "conflict": status == 409,
    }
    return render(request, "space/milestone_form.html", context, status=status)


# --------------------------------------------------------------------------- delete, reorder


@login_required
@require_http_methods(["GET", "POST"])
@milestone_view(can_manage_milestones, MANAGERS_ONLY)
def milestone_delete(request, milestone):
    action = milestone.action
    if request.method == "POST":
        form = forms.Form(request.POST)
        form.fields["version"] = version_field()
        if form.is_valid():
            try:
                delete_milestone(
                    milestone.pk, expected_version=form.cleaned_data["version"], user=request.user
                )
            except MilestoneConflict:
                messages.error(
                    request,
                    f"Le jalon « {milestone.title} » a été modifié pendant ce temps : il n'est "
                    "pas supprimé. Vérifiez-le, puis recommencez si besoin.",
                )
                return _back(action)
            messages.success(request, f"Le jalon « {milestone.title} » est supprimé.")
            return _back(action)
    context = {"action": action, "milestone": milestone}
    return render(request, "space/milestone_confirm_delete.html", context)


@login_required
@require_POST
@milestone_view(can_manage_milestones, MANAGERS_ONLY)
def milestone_move(request, milestone):
    offset = {"haut": -1, "bas": 1}.get(request.POST.get("sens", ""))
    if offset and move_milestone(milestone, offset, user=request.user):
        where = "monté" if offset < 0 else "descendu"
        messages.success(request, f"Le jalon « {milestone.title} » est {where} d'un rang.")
    return redirect(
        reverse("space:milestones", args=[milestone.action_id]) + f"#jalon-{milestone.pk}"
    )


# --------------------------------------------------------------------------- the fiche form


def warn_open_milestones(form, action):
    """The fiche form's warning (never a refusal): progress at 100 % with milestones still open.

    Returns the French warning when the form sets 100 % while `action` has open milestones, and
    adds a reminder to the progress field's help text whenever some are open."""
    open_count = action.milestones.open().count()
    if not open_count:
        return ""
    plural = "s" if open_count > 1 else ""
    reminder = (
        f"{open_count} jalon{plural} de cette action n'{'ont' if plural else 'est'} pas encore "
        f"atteint{plural} : marquez-le{plural} atteint{plural} avant d'indiquer 100 %."
    )
    field = form.fields.get("progress")
    if field is not None and reminder not in (field.help_text or ""):
        field.help_text = f"{field.help_text} {reminder}".strip()
    data = getattr(form, "cleaned_data", None) or {}
    if data.get("progress") == 100:
        return (
            f"Avancement à 100 % alors que {open_count} jalon{plural} "
            f"n'{'ont' if plural else 'est'} pas atteint{plural} : pensez à les mettre à jour."
        )
    return ""
