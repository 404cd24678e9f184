"""The update campaign on `/pilotage/`: completion per pilot organisation and per action, in
four queries whatever the number of actions."""

from django.db.models import Case, Count, IntegerField, Max, OuterRef, Q, Subquery, Value, When

from ..models import ProgressUpdate, ReminderLog, UpdateCampaign, UpdateConfirmation

ANSWERED = Q(noted=True) | Q(confirmed=True)


def _percent(part, whole):
    return round(100 * part / whole) if whole else 0


def campaign_completion(campaign=None, action_limit=100):
    """The current campaign (nearest COPIL) with its completion, or {"campaign": None}."""
    if campaign is None:
        campaign = UpdateCampaign.objects.current().select_related("meeting").first()
    if campaign is None:
        return {"campaign": None}
    answers = campaign.actions_with_answer()
    organisations = list(
        answers.order_by()
        .values("pilot_id", "pilot__name", "pilot__acronym")
        .annotate(total=Count("pk"), answered=Count("pk", filter=ANSWERED))
        .order_by("pilot__name")
    )
    for row in organisations:
        row["waiting"] = row["total"] - row["answered"]
        row["percent"] = _percent(row["answered"], row["total"])
    total = sum(row["total"] for row in organisations)
    answered = sum(row["answered"] for row in organisations)

    notes = ProgressUpdate.objects.filter(action=OuterRef("pk"), created_at__gte=campaign.opened_at)
    confirmation = UpdateConfirmation.objects.filter(campaign=campaign, action=OuterRef("pk"))
    reminders = ReminderLog.objects.filter(
        campaign=campaign, actions=OuterRef("pk"), outcome=ReminderLog.Outcome.SENT
    )
    actions = list(
        answers.select_related("pilot")
        .annotate(
            noted_at=Subquery(
                notes.order_by().values("action").annotate(last=Max("created_at")).values("last")
            ),
            confirmed_at=Subquery(confirmation.values("confirmed_at")[:1]),
            reminded_at=Subquery(
                reminders.order_by().values("campaign").annotate(last=Max("sent_at")).values("last")
            ),
            waiting_first=Case(
                When(ANSWERED, then=Value(1)), default=Value(0), output_field=IntegerField()
            ),
        )
        .order_by("waiting_first", "code_sort", "pk")[: action_limit + 1]
    )
    return {
        "campaign": campaign,
        "meeting": campaign.meeting,
        "organisations": organisations,
        "total": total,
        "answered": answered,
        "waiting": total - answered,
        "percent": _percent(answered, total),
        "actions": actions[:action_limit],
        "actions_more": len(actions) > action_limit,
    }
