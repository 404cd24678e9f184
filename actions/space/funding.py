"""Partner space: what the pilot spent on a funding line (réalisé), with the date of the figure.

Members of the action's organisations see the page (404 for anyone else, so nothing reveals that
the line exists); the pilot's editors, and staff, enter the spent amount through
`actions.funding.record_spending`, at the version they read: when someone saved in between,
nothing is written and the conflict page (409) shows their input beside the current values. The
funder's decision and what it paid are the staff's, in the admin.
"""

import copy

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.validators import MaxLengthValidator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from teritoire.text import RefuseControlCharacters

from ..funding import SPENDING_FIELDS, FundingConflict, record_spending
from ..models import Funding
from ..models.funding import SPENT_OVER_GRANTED
from ..perms import action_access, can_record_spending
from .conflicts import conflict_rows
from .forms import DATE_FORMATS, DateInput, not_in_future, version_field

REFUSAL = (
    "Seuls les contributeurs de la structure pilote et l'équipe projet saisissent le montant "
    "réalisé d'un financement."
)
NOTE_MAX_LENGTH = 1000


class SpendingForm(RefuseControlCharacters, forms.ModelForm):
    """The spent amount, its date and a note, plus the version the user started from."""

    version = version_field()

    class Meta:
        model = Funding
        fields = ["actual_amount", "spent_on", "spent_note"]
        labels = {"actual_amount": "Montant réalisé (€)", "spent_on": "Réalisé à la date du"}
        widgets = {
            "spent_on": DateInput(),
            "spent_note": forms.Textarea(attrs={"rows": 4, "maxlength": NOTE_MAX_LENGTH}),
        }
        help_texts = {
            "actual_amount": (
                "Ce qui a été dépensé sur cette ligne, en euros (la virgule est acceptée). "
                "Laissez vide s'il n'est pas encore connu."
            ),
            "spent_on": "La date à laquelle le montant a été arrêté. Vide : la date du jour.",
            "spent_note": (
                "Obligatoire quand le réalisé dépasse le montant accordé ; visible du public."
            ),
        }
        error_messages = {
            "actual_amount": {"invalid": "Indiquez un montant en euros, par exemple 12500,50."}
        }

    field_order = ["actual_amount", "spent_on", "spent_note"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["actual_amount"].localize = True
        self.fields["actual_amount"].widget = forms.TextInput(
            attrs={"inputmode": "decimal", "autocomplete": "off"}
        )
        self.fields["spent_on"].input_formats = DATE_FORMATS
        self.fields["spent_note"].validators.append(MaxLengthValidator(NOTE_MAX_LENGTH))

    def clean_spent_on(self):
        return not_in_future(self.cleaned_data["spent_on"])

    def clean(self):
        cleaned = super().clean()
        amount, note = cleaned.get("actual_amount"), cleaned.get("spent_note", "").strip()
        cleaned["spent_note"] = note
        if amount is None:
            if cleaned.get("spent_on"):
                self.add_error("spent_on", "Indiquez le montant réalisé à cette date.")
            return cleaned
        if cleaned.get("spent_on") is None and "spent_on" not in self.errors:
            cleaned["spent_on"] = timezone.localdate()
        granted = self.instance.granted_amount
        if not note and granted is not None and amount > granted:
            self.add_error("spent_note", SPENT_OVER_GRANTED)
        return cleaned


def _get_funding(request, pk):
    """The line if the user may see its action in the partner space, else 404."""
    queryset = Funding.objects.select_related("action__pilot", "action__axis", "funder")
    funding = get_object_or_404(queryset, pk=pk)
    if not action_access(request.user, funding.action).can_view:
        raise Http404("Aucun financement ne correspond à cette adresse.")
    return funding


@login_required
@require_http_methods(["GET", "POST"])
def funding_spent(request, pk):
    funding = _get_funding(request, pk)
    action = funding.action
    if not can_record_spending(request.user, action):
        context = {"funding": funding, "action": action, "refused": REFUSAL}
        return render(request, "space/funding_form.html", context, status=403)
    if request.method == "POST":
        # A copy: validating the form sets its values on the instance, and the page shows the
        # stored figures beside the form.
        form = SpendingForm(request.POST, instance=copy.copy(funding))
        if form.is_valid():
            data = form.cleaned_data
            try:
                record_spending(
                    funding.pk,
                    {name: data[name] for name in SPENDING_FIELDS},
                    expected_version=data["version"],
                    user=request.user,
                    reason="Montant réalisé saisi dans l'espace partenaire",
                )
            except FundingConflict:
                return _conflict(request, funding.pk, data)
            messages.success(request, "Le montant réalisé est enregistré.")
            return redirect(reverse("space:action", args=[action.pk]) + "#financements")
    else:
        form = SpendingForm(instance=funding, initial={"version": funding.version})
    context = {"funding": funding, "action": action, "form": form, "conflict": False}
    return render(request, "space/funding_form.html", context)


def _conflict(request, pk, data):
    """Someone saved first: the user's input beside the current values, ready to merge."""
    current = Funding.objects.select_related("action__pilot", "action__axis", "funder").get(pk=pk)
    initial = {name: data[name] for name in SPENDING_FIELDS} | {"version": current.version}
    form = SpendingForm(instance=current, initial=initial)
    rows = conflict_rows(form, data, current)
    last = current.history.select_related("history_user").first()
    context = {
        "funding": current,
        "action": current.action,
        "form": form,
        "conflict": True,
        "rows": rows,
        "last_change": last,
    }
    return render(request, "space/funding_form.html", context, status=409)
