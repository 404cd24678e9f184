"""Partner space: the follow-up of a COPIL decision (status, its date, a note) by its owner.

Members of the decision's owner organisation see the page; its editors, and staff, update the
follow-up through `programme.decisions.update_follow_up`, at the version they read: when someone
saved in between, nothing is written and the conflict page (409) shows their input beside the
current values, to merge. Anyone else gets a 404, so nothing reveals that the decision exists; a
reader of the owner organisation gets a 403 page that says why.
"""

import copy

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.validators import MaxLengthValidator
from django.db.models import F, OuterRef, Subquery
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from partners.models import Membership
from programme.decisions import FOLLOW_UP_FIELDS, DecisionConflict, update_follow_up
from programme.models import Decision
from teritoire.text import RefuseControlCharacters

from ..perms import EDITOR, can_update_decision, can_view_decision, decisions_of_user
from .conflicts import conflict_rows
from .forms import DATE_FORMATS, DateInput, version_field

REFUSAL = (
    "Seuls les contributeurs de l'organisation responsable et l'équipe projet mettent à jour "
    "le suivi d'une décision."
)
FOLLOW_UP_MAX_LENGTH = 2000


class DecisionFollowUpForm(RefuseControlCharacters, forms.ModelForm):
    """Status, status date and follow-up note, plus the version the user started from."""

    version = version_field()

    class Meta:
        model = Decision
        fields = ["status", "status_date", "follow_up"]
        widgets = {
            "status_date": DateInput(),
            "follow_up": forms.Textarea(attrs={"rows": 5, "maxlength": FOLLOW_UP_MAX_LENGTH}),
        }
        help_texts = {
            "status_date": (
                "Depuis quand la décision est en cours, réalisée ou abandonnée. Laissez vide "
                "pour la date du jour."
            ),
            "follow_up": "Où en est la décision, ce qui reste à faire ; visible du public.",
        }

    field_order = ["status", "status_date", "follow_up"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["status_date"].input_formats = DATE_FORMATS
        self.fields["follow_up"].validators.append(MaxLengthValidator(FOLLOW_UP_MAX_LENGTH))

    def clean(self):
        cleaned = super().clean()
        status, day = cleaned.get("status"), cleaned.get("status_date")
        today = timezone.localdate()
        if status and status != Decision.Status.TO_ENGAGE and day is None:
            cleaned["status_date"] = day = today
        if day and day > today:
            self.add_error("status_date", "La date ne peut pas être dans le futur.")
        # A date before the meeting: `Decision.clean`, run by the ModelForm, says it.
        return cleaned


def _get_decision(request, pk):
    """The decision if the user may see it in the partner space, else 404."""
    decision = get_object_or_404(Decision.objects.select_related("meeting", "owner"), pk=pk)
    if not can_view_decision(request.user, decision):
        raise Http404("Aucune décision ne correspond à cette adresse.")
    return decision


# The status by its label on the conflict page.
SHOWN = {"status": lambda value: dict(Decision.Status.choices).get(value, "")}


@login_required
@require_http_methods(["GET", "POST"])
def decision_edit(request, pk):
    decision = _get_decision(request, pk)
    if not can_update_decision(request.user, decision):
        context = {"decision": decision, "refused": REFUSAL}
        return render(request, "space/decision_form.html", context, status=403)
    if request.method == "POST":
        # A copy: validating the form sets its values on the instance, and the page shows the
        # stored follow-up beside the form.
        form = DecisionFollowUpForm(request.POST, instance=copy.copy(decision))
        if form.is_valid():
            data = form.cleaned_data
            changes = {name: data[name] for name in FOLLOW_UP_FIELDS}
            try:
                update_follow_up(
                    decision.pk,
                    changes,
                    expected_version=data["version"],
                    user=request.user,
                    reason="Suivi mis à jour dans l'espace partenaire",
                )
            except DecisionConflict:
                return _conflict(request, decision.pk, data)
            messages.success(request, "Le suivi de la décision est enregistré.")
            return redirect("space:dashboard")
    else:
        form = DecisionFollowUpForm(instance=decision, initial={"version": decision.version})
    decision.overdue = decision.is_overdue(timezone.localdate())
    context = {"decision": decision, "form": form, "conflict": False}
    return render(request, "space/decision_form.html", context)


def _conflict(request, pk, data):
    """Someone saved first: the user's input beside the current values, ready to merge."""
    current = Decision.objects.select_related("meeting", "owner").get(pk=pk)
    initial = {name: data[name] for name in FOLLOW_UP_FIELDS} | {"version": current.version}
    form = DecisionFollowUpForm(instance=current, initial=initial)
    rows = conflict_rows(form, data, current, SHOWN)
    last = current.history.select_related("history_user").first()
    context = {
        "decision": current,
        "form": form,
        "conflict": True,
        "rows": rows,
        "last_change": last,
    }
    return render(request, "space/decision_form.html", context, status=409)


def dashboard_decisions(user, today):
    """« Décisions à suivre » of the dashboard: the open decisions the user sees (those of their
    organisations; every one for staff), each with `can_update` and `overdue`, in one query."""
    role = Membership.objects.filter(user=user, organisation=OuterRef("owner")).values("role")[:1]
    decisions = decisions_of_user(user, Decision.objects.open())
    decisions = decisions.select_related("meeting", "owner").annotate(my_role=Subquery(role))
    rows = list(
        decisions.order_by(F("due_date").asc(nulls_last=True), "meeting__date", "order", "pk")
    )
    for decision in rows:
        decision.can_update = user.is_staff or decision.my_role == EDITOR
        decision.overdue = decision.is_overdue(today)
    return rows
