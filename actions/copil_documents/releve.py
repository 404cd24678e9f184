"""The relevé de décisions of a COPIL meeting: the organisations present, then each decision
with its owner, due date, status and the actions it concerns (public ones only in the public
version)."""

from django.db.models import Prefetch

from ..models import Action


def releve(meeting, *, public):
    """The relevé de décisions: attending organisations, then each decision with its owner, due
    date, status and the actions it concerns (public ones only in the public version).

    Three queries (attendees, decisions with their owner, their actions).
    """
    actions = Action.objects.public() if public else Action.objects.current()
    decisions = list(
        meeting.decisions.select_related("owner")
        .prefetch_related(
            _prefetch_actions(actions.select_related("phase").order_by("code_sort", "pk"))
        )
        .order_by("order", "pk")
    )
    return {
        "meeting": meeting,
        "public": public,
        "attendees": list(meeting.attendees.order_by("name")),
        "decisions": decisions,
        "includes_demo": meeting.is_demo or any(d.is_demo for d in decisions),
    }


def _prefetch_actions(queryset):
    return Prefetch("actions", queryset=queryset, to_attr="listed_actions")
