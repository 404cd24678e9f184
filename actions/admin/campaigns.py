"""Update campaigns in the admin: open one for a COPIL (the phase's current actions pre-filled),
follow its completion, « Relancer » the pilots still waiting, and read the log of reminders."""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Exists, OuterRef, Q, Subquery
from django.http import Http404, HttpResponseNotAllowed, HttpResponseRedirect
from django.urls import path, reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html

from partners.views.accounts import is_local_path
from programme.models import CopilMeeting
from teritoire.templatetags.portal import percent

from ..models import Action, ProgressUpdate, ReminderLog, UpdateCampaign, UpdateConfirmation
from ..models.campaigns import DEFAULT_DEADLINE_BEFORE_COPIL
from ..reminders import remind_campaign

MAX_ERRORS_SHOWN = 10


def _answered_count():
    """The campaign's current actions answered since it opened, as a subquery on a campaign."""
    notes = ProgressUpdate.objects.filter(
        action=OuterRef("pk"), created_at__gte=OuterRef(OuterRef("opened_at"))
    )
    confirmed = UpdateConfirmation.objects.filter(
        campaign=OuterRef(OuterRef("pk")), action=OuterRef("pk")
    )
    answered = (
        Action.objects.current()
        .filter(update_campaigns=OuterRef("pk"))
        .filter(Exists(notes) | Exists(confirmed))
        .order_by()
        .values("update_campaigns")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Subquery(answered)


class ReminderLogInline(admin.TabularInline):
    model = ReminderLog
    extra = 0
    can_delete = False
    fields = ["sent_at", "organisation", "recipient_email", "action_codes", "outcome", "error"]
    readonly_fields = fields
    verbose_name_plural = "relances envoyées"
    ordering = ["-sent_at", "-pk"]

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("organisation")


@admin.register(UpdateCampaign)
class UpdateCampaignAdmin(admin.ModelAdmin):
    list_display = ["__str__", "opened_at", "deadline", "completion", "opened_by"]
    list_select_related = ["meeting", "opened_by"]
    fields = ["meeting", "deadline", "actions", "opened_at", "opened_by", "completion_detail"]
    readonly_fields = ["opened_at", "opened_by", "completion_detail"]
    filter_horizontal = ["actions"]
    inlines = [ReminderLogInline]
    change_form_template = "admin/actions/updatecampaign/change_form.html"

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        return queryset.annotate(
            action_count=Count("actions", filter=Q(actions__is_archived=False), distinct=True),
            answered_count=_answered_count(),
        )

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "meeting":
            kwargs.setdefault(
                "queryset", CopilMeeting.objects.exclude(status=CopilMeeting.Status.CANCELLED)
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.name == "actions":
            kwargs.setdefault("queryset", Action.objects.current().select_related("phase"))
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    def get_changeform_initial_data(self, request):
        """The COPIL of `?meeting=` (else the next one planned), a deadline a week before it,
        and every current action of its phase, public or not."""
        initial = super().get_changeform_initial_data(request)
        today = timezone.localdate()
        meetings = CopilMeeting.objects.exclude(status=CopilMeeting.Status.CANCELLED)
        meeting = None
        if str(initial.get("meeting", "")).isdigit():
            meeting = meetings.filter(pk=initial["meeting"]).first()
        meeting = meeting or CopilMeeting.objects.upcoming(today).first()
        if meeting is None:
            return initial
        campaign = UpdateCampaign(meeting=meeting)
        initial["meeting"] = meeting.pk
        initial.setdefault("deadline", max(today, meeting.date - DEFAULT_DEADLINE_BEFORE_COPIL))
        initial["actions"] = list(campaign.default_actions().values_list("pk", flat=True))
        return initial

    def save_model(self, request, obj, form, change):
        if not change:
            obj.opened_by = request.user
        super().save_model(request, obj, form, change)

    @admin.display(description="fiches à jour")
    def completion(self, obj):
        answered, total = obj.answered_count or 0, obj.action_count or 0
        rate = percent(round(100 * answered / total)) if total else "—"
        return f"{answered} sur {total} ({rate})"

    @admin.display(description="avancement")
    def completion_detail(self, obj):
        if obj.pk is None:
            return "—"
        return format_html(
            '{} — <a href="{}">détail par organisation et par fiche</a>',
            self.completion(obj),
            reverse("staff:dashboard"),
        )

    # ----------------------------------------------------------------------- « Relancer »

    def get_urls(self):
        remind = self.admin_site.admin_view(self.remind_view)
        return [
            path("<path:object_id>/relancer/", remind, name="actions_updatecampaign_remind"),
            *super().get_urls(),
        ]

    def remind_view(self, request, object_id):
        """POST: e-mail the pilots of the actions still waiting; each sending logged, failures
        reported one by one; what was saved stays saved."""
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        campaign = UpdateCampaign.objects.select_related("meeting").filter(pk=object_id).first()
        if campaign is None:
            raise Http404("Aucune campagne ne correspond à cette adresse.")
        if not self.has_change_permission(request, campaign):
            raise PermissionDenied
        report = remind_campaign(campaign, sent_by=request.user)
        self.report(request, report)
        target = request.POST.get("next", "")
        if not is_local_path(target):
            target = reverse("admin:actions_updatecampaign_change", args=[campaign.pk])
        return HttpResponseRedirect(target)

    def report(self, request, report):
        if report.sent:
            organisations = len(report.organisations)
            messages.success(
                request,
                f"{len(report.sent)} relance(s) envoyée(s) aux contributeurs de "
                f"{organisations} organisation(s) pilote(s).",
            )
        for log in report.failed[:MAX_ERRORS_SHOWN]:
            messages.error(
                request,
                f"Échec de l'envoi à {log.recipient_email} ({log.organisation})\u00a0: "
                f"{log.error}. L'échec est consigné dans «\u00a0Relances envoyées\u00a0»\u00a0; "
                "rien d'autre n'a changé, vous pouvez relancer plus tard.",
            )
        if len(report.failed) > MAX_ERRORS_SHOWN:
            messages.error(
                request,
                f"… et {len(report.failed) - MAX_ERRORS_SHOWN} autre(s) échec(s), "
                "voir «\u00a0Relances envoyées\u00a0».",
            )
        if report.already:
            names = ", ".join(str(batch.organisation) for batch in report.already)
            messages.warning(
                request, f"Déjà relancées aujourd'hui, rien n'est renvoyé\u00a0: {names}."
            )
        if report.without_editor:
            names = " ; ".join(
                f"{batch.organisation} ({batch.codes})" for batch in report.without_editor
            )
            messages.warning(
                request,
                f"Aucun contributeur à relancer, rattachez-en un à l'organisation\u00a0: {names}.",
            )
        if not (report.sent or report.failed or report.already or report.without_editor):
            messages.info(request, "Toutes les fiches sont à jour\u00a0: personne à relancer.")


@admin.register(ReminderLog)
class ReminderLogAdmin(admin.ModelAdmin):
    """The log is written by the sendings only: read, never changed."""

    list_display = [
        "sent_at", "kind", "copil", "organisation", "recipient_email", "action_codes",
        "outcome", "sender",
    ]  # fmt: skip
    list_filter = ["kind", "outcome", "day"]
    list_select_related = ["campaign__meeting", "organisation", "sent_by"]
    search_fields = ["recipient_email", "organisation__name", "organisation__acronym"]
    date_hierarchy = "sent_at"
    exclude = ["actions"]

    @admin.display(description="COPIL préparé")
    def copil(self, obj):
        return (
            date_format(obj.campaign.meeting.date, "SHORT_DATE_FORMAT") if obj.campaign_id else "—"
        )

    @admin.display(description="envoyé par")
    def sender(self, obj):
        return obj.by_label

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(UpdateConfirmation)
class UpdateConfirmationAdmin(admin.ModelAdmin):
    """« Rien de nouveau » answers, written from the partner space only."""

    list_display = ["confirmed_at", "campaign", "action", "confirmed_by"]
    list_select_related = ["campaign__meeting", "action", "confirmed_by"]
    list_filter = ["campaign"]
    search_fields = ["action__code", "action__title"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
