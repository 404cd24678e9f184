"""Demonstration content (phase-2 actions and follow-up, COPIL, plans, news, accounts), read from
`data/demo.json` and written here; `load_demo --remove` takes it out again. It is a world of its
own: actions, meetings, decisions and news have `is_demo=True` (a plan is demonstration when its
meeting is), demo COPIL say "(démonstration)" in their title, nothing attaches to a real record.

In the file, dates are ISO, choices their English values, organisations their slugs. An action's
`updates` (date, author's account key, text, and the `status`/`progress` they set) give its state
at any date; `added_on` dates an action added after the first plan, `planned_before` the amount a
funding line had `until` a date. The history is replayed: at each COPIL date the actions are put
in their state of that day and the year's plan is validated, then later changes are applied.
A run creates what is missing and changes nothing that exists (the replay moves only rows made in
the same run): a user's edits, a changed password included, are never reset. The caller owns the
transaction.
"""

import datetime
import json
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import NamedTuple

from django.db.models import Q

from partners.models import Membership, Organisation, User
from programme.models import AgendaItem, CopilMeeting, Decision, Intercommunality, NewsItem, Phase

from .models import (
    Action,
    AnnualPlan,
    Funding,
    Indicator,
    Measurement,
    Priority,
    ProgressUpdate,
    Status,
)
from .services import validate_annual_plan

DATA_FILE = Path(__file__).resolve().parent / "data" / "demo.json"


class Account(NamedTuple):
    key: str
    email: str
    first_name: str
    last_name: str
    staff: bool
    organisation: str | None  # slug
    role: Membership.Role | None


def _date(text):
    return datetime.date.fromisoformat(text)


def _account(item):
    role = item["role"]
    return Account(**{**item, "role": Membership.Role(role) if role else None})


def _funding(item):
    before = item.get("planned_before")
    before = before and {"until": _date(before["until"]), "amount": before["amount"]}
    return {**item, "kind": Funding.Kind(item["kind"]), "planned_before": before}


def _indicator(item):
    return {
        **item,
        "baseline": Decimal(item.get("baseline", 0)),
        "target": Decimal(item["target"]),
        "target_date": _date(item["target_date"]),
        "measurements": [
            {"date": _date(m["date"]), "value": m["value"], "comment": m.get("comment", "")}
            for m in item["measurements"]
        ],
    }


def _update(item):
    status, progress = item.get("status"), item.get("progress")
    return {**item, "date": _date(item["date"]), "status": status and Status(status)} | {
        "progress": progress
    }


def _action(item, first_meeting):
    return {
        **item,
        "priority": Priority(item["priority"]),
        "start": _date(item["start"]),
        "end": _date(item["end"]),
        "added_on": _date(item["added_on"]) if "added_on" in item else first_meeting,
        "is_public": item.get("is_public", True),
        "fundings": [_funding(line) for line in item["fundings"]],
        "indicators": [_indicator(indicator) for indicator in item["indicators"]],
        "updates": [_update(update) for update in item["updates"]],
    }


def _meeting(item):
    return {
        **item,
        "date": _date(item["date"]),
        "start_time": datetime.time.fromisoformat(item["start_time"]),
        "status": CopilMeeting.Status(item["status"]),
    }


def read_demo_data(path=DATA_FILE):
    """Settings, accounts, actions, meetings and news of the file, dates and choices as Python
    values. An action exists from the first demonstration COPIL unless it says `added_on`."""
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    meetings = [_meeting(item) for item in data["meetings"]]
    first_meeting = min(meeting["date"] for meeting in meetings)
    return (
        data["settings"],
        [_account(item) for item in data["accounts"]],
        [_action(item, first_meeting) for item in data["actions"]],
        meetings,
        [{**item, "published_on": _date(item["published_on"])} for item in data.get("news", [])],
    )


SETTINGS, ACCOUNTS, ACTIONS, MEETINGS, NEWS = read_demo_data()
DEMO_PASSWORD = SETTINGS["password"]


@dataclass
class DemoResult:
    actions: list = field(default_factory=list)
    meetings: list = field(default_factory=list)
    plans: list = field(default_factory=list)
    created: int = 0


class MissingReferenceData(Exception):
    pass


def state_on(spec, day):
    """Status and progress of an action on `day`, as its progress updates tell."""
    status, progress = Status.PLANNED, 0
    for update in spec["updates"]:
        if update["date"] > day:
            break
        status = update["status"] or status
        progress = update["progress"] if update["progress"] is not None else progress
    return status, progress


def exists_on(spec, day):
    return spec["added_on"] <= day


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
        },
    )
    if not writer.owns(action):
        return action
    if (Action, action.pk) not in fresh_before:  # created just now
        action.partners.set([organisations[slug] for slug in spec["partners"]])
        action.intercommunalities.set(
            [context["intercommunalities"][slug] for slug in spec["intercommunalities"]]
        )
    for line in spec["fundings"]:
        planned, actual, before = line["planned"], line["actual"], line["planned_before"]
        if day is not None and before and day < before["until"]:
            planned = before["amount"]
        # Actual amounts are known once the year is over, or as it goes.
        if day is not None and line["year"] >= day.year:
            actual = None
        funder = organisations[line["funder"]]
        writer.ensure(
            Funding,
            {"action": action, "year": line["year"], "funder": funder, "kind": line["kind"]},
            {
                "planned_amount": Decimal(planned),
                "actual_amount": Decimal(actual) if actual is not None else None,
            },
        )
    return action


def _sync_follow_up(action, spec, context):
    """Indicators, measurements and progress updates of an action created in this run."""
    writer, users = context["writer"], context["users"]
    for item in spec["indicators"]:
        fields = ("unit", "baseline", "target", "target_date")
        indicator = writer.ensure(
            Indicator, {"action": action, "name": item["name"]}, {k: item[k] for k in fields}
        )
        for measurement in item["measurements"]:
            writer.ensure(
                Measurement,
                {"indicator": indicator, "date": measurement["date"]},
                {
                    "value": Decimal(measurement["value"]),
                    "comment": measurement["comment"],
                    "author": writer.chef,
                },
            )
    for update in spec["updates"]:
        before, _ = state_on(spec, update["date"] - datetime.timedelta(days=1))
        writer.ensure(
            ProgressUpdate,
            {"action": action, "date": update["date"]},
            {
                "author": users[update["author"]],
                "text": update["text"],
                "status_before": before if update["status"] else "",
                "status_after": update["status"] or "",
                "progress_after": update["progress"],
            },
        )


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


def _ensure_decisions(meeting, spec, actions_by_code, writer):
    """The decisions of a meeting created in this run, linked to demonstration actions only."""
    if not writer.owns(meeting):
        return
    for order, item in enumerate(spec["decisions"], start=1):
        decision = writer.ensure(
            Decision, {"meeting": meeting, "order": order, "is_demo": True}, {"text": item["text"]}
        )
        linked = [actions_by_code[code] for code in item["actions"] if actions_by_code.get(code)]
        decision.actions.add(*linked)


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
            _sync_follow_up(action, spec, context)
        actions_by_code[spec["code"]] = action
    for spec in MEETINGS:
        _ensure_decisions(meetings[spec["key"]], spec, actions_by_code, writer)
    _ensure_news(writer)

    result.actions = [action for action in actions_by_code.values() if action is not None]
    result.meetings = list(meetings.values())
    result.created = len(writer.fresh)
    return result
