"""Demonstration content (phase-2 actions and follow-up, COPIL, plans, news, accounts), read from
`data/demo.json` (`actions.demo_specs`) and written here, with the follow-up of each action and
meeting (`actions.demo_followup`); `load_demo --remove` takes it out again. It is a world of its
own: actions, meetings, decisions and news have `is_demo=True` (a plan is demonstration when its
meeting is), demo COPIL say "(démonstration)" in their title, nothing attaches to a real record.

In the file, dates are ISO, choices their English values, organisations their slugs. An action's
`updates` (date, author's account key, text, and the `status`/`progress` they set) give its state
at any date, its `milestones` (title, due, done, note) its jalons; `added_on` dates an action
added after the first plan, `planned_before` the amount a
funding line had `until` a date. The history is replayed: at each COPIL date the actions are put
in their state of that day and the year's plan is validated, then later changes are applied.
A run creates what is missing and changes nothing that exists (the replay moves only rows made in
the same run): a user's edits, a changed password included, are never reset. The caller owns the
transaction.
"""

import datetime
from dataclasses import dataclass, field

from django.db.models import Q

from partners.models import Membership, Need, Organisation, User
from programme.models import AgendaItem, CopilMeeting, Intercommunality, NewsItem, Phase

from .demo_followup import ensure_decisions, sync_follow_up, sync_fundings, sync_milestones
from .demo_specs import (
    ACCOUNTS,
    ACTIONS,
    DEMO_PASSWORD,
    MEETINGS,
    NEWS,
    SETTINGS,
    exists_on,
    state_on,
)
from .models import Action, AnnualPlan
from .services import validate_annual_plan


@dataclass
class DemoResult:
    actions: list = field(default_factory=list)
    meetings: list = field(default_factory=list)
    plans: list = field(default_factory=list)
    created: int = 0


class MissingReferenceData(Exception):
    pass


class Writer:
    """Creates the rows that are missing; changes only rows it created itself (the replay): a
    row that existed before the run is never saved again, whatever a user made of it stands."""

    def __init__(self):
        self.fresh = set()
        self.chef = None

    def owns(self, obj):
        return (type(obj), obj.pk) in self.fresh

    def ensure(self, model, lookup, values):
        obj = model.objects.filter(**lookup).first()
        if obj is None:
            obj = model(**lookup, **values)
        elif not self.owns(obj):
            return obj
        else:
            changed = {k: v for k, v in values.items() if _differs(obj, k, v)}
            if not changed:
                return obj
            for name, value in changed.items():
                setattr(obj, name, value)
        obj._history_user = self.chef
        obj.save()
        self.fresh.add((model, obj.pk))
        return obj


def _differs(obj, name, value):
    attname = obj._meta.get_field(name).attname
    return getattr(obj, attname) != (value.pk if attname != name and value else value)


def _ensure_users(organisations, writer):
    """The demo accounts that are missing, with their membership; existing ones stay as they are
    (a changed password or name is a user's edit)."""
    users = {}
    for account in ACCOUNTS:
        user = User.objects.filter(email=account.email).first()
        if user is None:
            user = User.objects.create_user(
                account.email,
                DEMO_PASSWORD,
                first_name=account.first_name,
                last_name=account.last_name,
                is_staff=account.staff,
                is_superuser=account.staff,
            )
            if account.organisation:
                Membership.objects.create(
                    user=user, organisation=organisations[account.organisation], role=account.role
                )
        users[account.key] = user
    return users


def _taken_by_real_action(spec, phase):
    """A real action already holds the demo action's code or address: the demo one is left out."""
    same = Q(phase=phase, code=spec["code"]) | Q(slug=spec["slug"])
    return Action.objects.filter(same, is_demo=False).exists()


def _sync_action(spec, context, day=None):
    """Write the action as it stood on `day` (its current state when `day` is None)."""
    if _taken_by_real_action(spec, context["phase"]):
        return None
    writer, organisations = context["writer"], context["organisations"]
    status, progress = state_on(spec, day or datetime.date.max)
    fresh_before = writer.fresh.copy()
    action = writer.ensure(
        Action,
        {"phase": context["phase"], "code": spec["code"], "is_demo": True},
        {
            "axis": context["axes"][spec["axis"]],
            "slug": spec["slug"],
            "title": spec["title"],
            "summary": SETTINGS["summary_prefix"] + spec["summary"],
            "description": f"{spec['description']}\n\n{SETTINGS['notice']}",
            "objectives": spec["objectives"],
            "status": status,
            "priority": spec["priority"],
            "pilot": organisations[spec["pilot"]],
            "start_date": spec["start"],
            "end_date": spec["end"],
            "progress": progress,
            "is_public": spec["is_public"],
            "is_archived": False,
            "updated_by": writer.chef,
            **spec["contact"],
        },
    )
    if not writer.owns(action):
        return action
    if (Action, action.pk) not in fresh_before:  # created just now
        action.partners.set([organisations[slug] for slug in spec["partners"]])
        action.intercommunalities.set(
            [context["intercommunalities"][slug] for slug in spec["intercommunalities"]]
        )
        action.needs.set(
            [context["needs"][s] for s in spec.get("needs", []) if s in context["needs"]]
        )
    sync_fundings(action, spec, writer, organisations, day)
    sync_milestones(action, spec, writer, day)
    return action


def _ensure_meeting(spec, context):
    """A demonstration meeting of its own (never a real one), with its agenda when created."""
    writer = context["writer"]
    meeting = writer.ensure(
        CopilMeeting,
        {"phase": context["phase"], "date": spec["date"], "is_demo": True},
        {
            "title": SETTINGS["meeting_title"],
            "start_time": spec["start_time"],
            "place": spec["place"],
            "status": spec["status"],
            "minutes": spec["minutes"],
            "minutes_public": True,
            "is_public": True,
        },
    )
    if writer.owns(meeting):
        meeting.attendees.set([context["organisations"][slug] for slug in spec["attendees"]])
        for order, title in enumerate(spec["agenda"], start=1):
            writer.ensure(AgendaItem, {"meeting": meeting, "order": order}, {"title": title})
    return meeting


def _ensure_news(writer):
    fields = ("title", "published_on", "summary", "body")
    for item in NEWS:
        values = {name: item[name] for name in fields} | {"is_published": True}
        writer.ensure(NewsItem, {"slug": item["slug"], "is_demo": True}, values)


def _validate_once(meeting, year, day, context):
    """Validate the plan of `year` at `meeting`, with the actions as they stood on `day`."""
    plan = AnnualPlan.objects.filter(meeting=meeting, year=year).first()
    if plan is not None:
        return plan
    for spec in ACTIONS:
        if exists_on(spec, day):
            _sync_action(spec, context, day)
    return validate_annual_plan(meeting, year, context["users"]["chef"])


def load_demo():
    """Write what is missing of the demonstration data; the caller wraps it in a transaction."""
    phase = Phase.objects.filter(territory__slug=SETTINGS["territory"], number=2).first()
    if phase is None:
        raise MissingReferenceData
    writer = Writer()
    context = {
        "phase": phase,
        "writer": writer,
        "axes": {axis.slug: axis for axis in phase.axes.all()},
        "organisations": {o.slug: o for o in Organisation.objects.all()},
        "intercommunalities": {i.slug: i for i in Intercommunality.objects.all()},
        "needs": {need.slug: need for need in Need.objects.all()},
    }
    result = DemoResult()
    context["users"] = _ensure_users(context["organisations"], writer)
    writer.chef = context["users"]["chef"]
    meetings = {spec["key"]: _ensure_meeting(spec, context) for spec in MEETINGS}

    # Replay: each validated plan freezes the actions as they stood on its COPIL's date.
    for spec in MEETINGS:
        if spec["validates"]:
            meeting = meetings[spec["key"]]
            result.plans.append(_validate_once(meeting, spec["validates"], spec["date"], context))

    # Today's state.
    actions_by_code = {}
    for spec in ACTIONS:
        action = _sync_action(spec, context)
        if action is not None and writer.owns(action):
            sync_follow_up(action, spec, context)
        actions_by_code[spec["code"]] = action
    for spec in MEETINGS:
        ensure_decisions(
            meetings[spec["key"]], spec, actions_by_code, writer, context["organisations"]
        )
    _ensure_news(writer)

    result.actions = [action for action in actions_by_code.values() if action is not None]
    result.meetings = list(meetings.values())
    result.created = len(writer.fresh)
    return result
