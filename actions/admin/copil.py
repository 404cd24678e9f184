"""COPIL admin, extended from `programme`: annual plan validation, documents, decisions' actions."""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html

from programme import admin as programme_admin
from programme.models import CopilMeeting, Decision
from teritoire.templatetags.portal import euros

from ..models import Action, AnnualPlan
from ..services import check_meeting, preview_annual_plan, validate_annual_plan
from .action import DocumentInline
from .history import PlainHistoryMixin
from .stamps import StampInlinesMixin


class MeetingDocumentInline(DocumentInline):
    fk_name = "meeting"
    show_change_link = False
    verbose_name = "document (compte rendu, présentation…)"
    verbose_name_plural = "documents de la réunion"


class AnnualPlanInline(admin.TabularInline):
    model = AnnualPlan
    extra = 0
    can_delete = False
    fields = ["year", "validated_at", "validated_by", "action_count", "total", "link"]
    readonly_fields = fields
    verbose_name_plural = "plans d'actions validés à cette réunion"

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    @admin.display(description="budget prévu total")
    def total(self, obj):
        return euros(obj.total_planned)

    @admin.display(description="détail")
    def link(self, obj):
        return format_html(
            '<a href="{}">Plan figé</a> · <a href="{}">page publique</a>',
            reverse("admin:actions_annualplan_change", args=[obj.pk]),
            obj.get_absolute_url(),
        )


class ValidatePlanForm(forms.Form):
    year = forms.IntegerField(
        label="Année du plan",
        min_value=2000,
        max_value=2100,
        error_messages={
            "min_value": "L'année doit être comprise entre 2000 et 2100.",
            "max_value": "L'année doit être comprise entre 2000 et 2100.",
        },
    )
    confirm = forms.BooleanField(
        label="Valider une nouvelle version du plan de cette année (l'ancienne est conservée)",
        required=False,
    )
    preview = forms.CharField(widget=forms.HiddenInput, required=False)


PREVIEW_SALT = "actions.admin.copil.plan-preview"
PREVIEW_MAX_AGE = 12 * 3600  # seconds: an older preview is shown again before validating
NO_PREVIEW = (
    "Aperçu absent ou expiré\u00a0: rien n'a été validé. Vérifiez l'aperçu ci-dessous, puis "
    "validez-le."
)


def sign_preview(preview):
    """The token the confirmation POST carries: the preview's fingerprint, signed."""
    content = {"meeting": preview.meeting.pk, "year": preview.year, "fp": preview.fingerprint}
    return signing.dumps(content, salt=PREVIEW_SALT)


def confirmed_fingerprint(token, meeting, year):
    """The fingerprint of the preview the user confirmed for this meeting and year, or None."""
    try:
        content = signing.loads(token, salt=PREVIEW_SALT, max_age=PREVIEW_MAX_AGE)
    except signing.BadSignature:
        return None
    if content.get("meeting") != meeting.pk or content.get("year") != year:
        return None
    return content.get("fp")


admin.site.unregister(CopilMeeting)


@admin.register(CopilMeeting)
class CopilMeetingAdmin(StampInlinesMixin, PlainHistoryMixin, programme_admin.CopilMeetingAdmin):
    inlines = programme_admin.CopilMeetingAdmin.inlines + [
        MeetingDocumentInline,
        AnnualPlanInline,
    ]
    change_form_template = "admin/programme/copilmeeting/change_form.html"

    def get_urls(self):
        return [
            path(
                "<path:object_id>/valider-plan/",
                self.admin_site.admin_view(self.validate_plan_view),
                name="programme_copilmeeting_validate_plan",
            ),
        ] + super().get_urls()

    def validate_plan_view(self, request, object_id):
        """Show exactly what validating the year's plan freezes; a POST confirms that preview.

        GET (`?year=`): the preview of the year (the meeting's by default). POST: the year and
        the signed fingerprint of the preview shown; refused, with the new preview, when the
        plan changed since.
        """
        meeting = self._meeting_for_plan(request, object_id)
        change_url = reverse("admin:programme_copilmeeting_change", args=[meeting.pk])
        try:
            check_meeting(meeting)
        except ValidationError as error:
            hint = (
                " Passez d'abord la réunion au statut « Tenu »." if error.code == "not_held" else ""
            )
            messages.error(request, " ".join(error.messages) + hint)
            return HttpResponseRedirect(change_url)

        data = request.POST if request.method == "POST" else None
        if data is None and "year" in request.GET:
            data = request.GET
        form = ValidatePlanForm(data, initial={"year": meeting.date.year})
        if data is None:
            year = meeting.date.year
        elif form.is_valid():
            year = form.cleaned_data["year"]
        else:
            return self._render_validate_plan(request, meeting, form, None, change_url)
        if request.method == "POST":
            response = self._confirm(request, meeting, form, year)
            if response is not None:
                return response
        return self._render_validate_plan(request, meeting, form, year, change_url)

    def _confirm(self, request, meeting, form, year):
        """Freeze the confirmed preview and redirect to the plan; None (form errors) if refused."""
        if validated_plans(meeting.phase, year) and not form.cleaned_data["confirm"]:
            form.add_error(
                "confirm",
                f"Un plan {year} a déjà été validé. Cochez la case pour en valider une "
                "nouvelle version ; la précédente reste consultable.",
            )
            return None
        fingerprint = confirmed_fingerprint(form.cleaned_data["preview"], meeting, year)
        if fingerprint is None:
            form.add_error(None, NO_PREVIEW)
            return None
        try:
            plan = validate_annual_plan(meeting, year, request.user, fingerprint=fingerprint)
        except ValidationError as error:
            form.add_error(None, error)
            return None
        self.log_change(request, meeting, f"Validation du plan d'actions {year}")
        messages.success(
            request,
            f"Plan d'actions {year} validé : {plan.action_count} fiche(s), "
            f"{euros(plan.total_planned)} de budget prévu.",
        )
        return HttpResponseRedirect(reverse("admin:actions_annualplan_change", args=[plan.pk]))

    def _meeting_for_plan(self, request, object_id):
        """The meeting, if the user may validate a plan at it; 404 or 403 otherwise."""
        meeting = self.get_object(request, unquote(object_id))
        if meeting is None:
            raise Http404("Réunion introuvable.")
        if not (
            self.has_change_permission(request, meeting)
            and request.user.has_perm("actions.add_annualplan")
        ):
            raise PermissionDenied
        return meeting

    def _render_validate_plan(self, request, meeting, form, year, change_url):
        preview = existing = None
        if year is not None:
            existing = validated_plans(meeting.phase, year)
            preview = preview_annual_plan(meeting, year)
        context = {
            **self.admin_site.each_context(request),
            "title": "Valider le plan d'actions de l'année",
            "opts": self.opts,
            "original": meeting,
            "meeting": meeting,
            "form": form,
            "year": year,
            "existing": existing,
            "preview": preview,
            "token": sign_preview(preview) if preview else "",
            "change_url": change_url,
        }
        return TemplateResponse(request, "admin/programme/copilmeeting/validate_plan.html", context)


def validated_plans(phase, year):
    """The versions of the plan already validated for this phase and year."""
    return list(
        AnnualPlan.objects.filter(phase=phase, year=year).select_related("meeting", "validated_by")
    )


class DecisionActionInline(admin.TabularInline):
    model = Action.decisions.through
    extra = 0
    autocomplete_fields = ["action"]
    verbose_name = "fiche action concernée"
    verbose_name_plural = "fiches actions concernées"


admin.site.unregister(Decision)


@admin.register(Decision)
class DecisionAdmin(PlainHistoryMixin, programme_admin.DecisionAdmin):
    inlines = [DecisionActionInline]
