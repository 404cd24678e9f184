"""Demonstration content: illustrative phase-2 actions, their budget and follow-up, demo COPIL
meetings, the validated annual plans and the demo accounts, for trying the portal locally.

The content is in `data/demo.json` beside this module; this module reads it and writes it.
Everything there is fictitious and flagged as such: each action has `is_demo=True` and a summary
that starts with "Action de démonstration", each demo COPIL has "(démonstration)" in its title.

The file holds `settings` (territory slug, first COPIL date, password, wording), `accounts`,
`actions` and `meetings`. Dates are ISO (2024-03-15), choices are their English values
(`in_progress`, `operating`…), organisations their slugs (see `programme/data/`). An action's
`updates` give, each, a date, an author (an account key), a text and, where the update changes
them, the `status` and `progress` after it: the status and progress of an action at any date follow
from them, and so does its current state. An action with `added_on` was created after the first
validated plan; one with `"is_public": false` is private. A funding line whose planned amount was
changed has `planned_before`: the amount `until` that date.

The history is replayed so that the validated plans tell a coherent story: at each COPIL date the
actions are put in the state their progress updates give at that date, the plan of the year is
validated, and only then are the later changes applied. Runs again without creating or changing
anything (see `programme.reference.sync`). The caller owns the transaction.
"""

import datetime
import json
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import NamedTuple

from partners.models import Membership, Organisation, User
from programme.models import AgendaItem, CopilMeeting, Decision, Intercommunality, Phase
from programme.reference import sync, sync_m2m

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


# Reading the file ------------------------------------------------------------------------------


def _date(text):
    return datetime.date.fromisoformat(text)


def _account(item):
    role = item["role"]
    return Account(**{**item, "role": Membership.Role(role) if role else None})


def _funding(item):
    before = item.get("planned_before")
    return {
        "year": item["year"],
        "funder": item["funder"],
        "kind": Funding.Kind(item["kind"]),
        "planned": item["planned"],
        "actual": item["actual"],
        "planned_before": before and {"until": _date(before["until"]), "amount": before["amount"]},
    }


def _indicator(item):
    return {
        "name": item["name"],
        "unit": item["unit"],
        "baseline": Decimal(item.get("baseline", 0)),
        "target": Decimal(item["target"]),
        "target_date": _date(item["target_date"]),
        "measurements": [
            {"date": _date(m["date"]), "value": m["value"], "comment": m.get("comment", "")}
            for m in item["measurements"]
        ],
    }


def _update(item):
    status = item.get("status")
    return {
        "date": _date(item["date"]),
        "author": item["author"],
        "text": item["text"],
        "status": Status(status) if status else None,
        "progress": item.get("progress"),
    }


def _action(item, first_copil):
    return {
        **item,
        "priority": Priority(item["priority"]),
        "start": _date(item["start"]),
        "end": _date(item["end"]),
        "added_on": _date(item["added_on"]) if "added_on" in item else first_copil,
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
    """Settings, accounts, actions and meetings of the file, dates and choices as Python values."""
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    settings = {**data["settings"], "first_copil": _date(data["settings"]["first_copil"])}
    return (
        settings,
        [_account(item) for item in data["accounts"]],
        [_action(item, settings["first_copil"]) for item in data["actions"]],
        [_meeting(item) for item in data["meetings"]],
    )


SETTINGS, ACCOUNTS, ACTIONS, MEETINGS = read_demo_data()
DEMO_PASSWORD = SETTINGS["password"]


# Writing ---------------------------------------------------------------------------------------


@dataclass
class DemoResult:
    actions: list = field(default_factory=list)
    meetings: list = field(default_factory=list)
    plans: list = field(default_factory=list)
    users: dict = field(default_factory=dict)


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


def _sync_users(organisations):
    users = {}
    for account in ACCOUNTS:
        staff = account.staff
        user = User.objects.filter(email=account.email).first()
        if user is None:
            user = User.objects.create_user(
                account.email,
                DEMO_PASSWORD,
                first_name=account.first_name,
                last_name=account.last_name,
                is_staff=staff,
                is_superuser=staff,
            )
        else:
            wanted = {
                "first_name": account.first_name,
                "last_name": account.last_name,
                "is_staff": staff,
                "is_superuser": staff,
                "is_active": True,
            }
            changed = {k: v for k, v in wanted.items() if getattr(user, k) != v}
            for name, value in changed.items():
                setattr(user, name, value)
            if not user.check_password(DEMO_PASSWORD):
                user.set_password(DEMO_PASSWORD)
                changed["password"] = True
            if changed:
                user.save()
        if account.organisation:
            sync(
                Membership,
                {"user": user, "organisation": organisations[account.organisation]},
                {"role": account.role},
            )
        users[account.key] = user
    return users


def _sync_action(spec, context, day=None):
    """Write the action as it stood on `day` (its current state when `day` is None)."""
    status, progress = state_on(spec, day or datetime.date.max)
    chef = context["users"]["chef"]
    action = sync(
        Action,
        {"phase": context["phase"], "code": spec["code"]},
        {
            "axis": context["axes"][spec["axis"]],
            "slug": spec["slug"],
            "title": spec["title"],
            "summary": SETTINGS["summary_prefix"] + spec["summary"],
            "description": f"{spec['description']}\n\n{SETTINGS['notice']}",
            "objectives": spec["objectives"],
            "status": status,
            "priority": spec["priority"],
            "pilot": context["organisations"][spec["pilot"]],
            "start_date": spec["start"],
            "end_date": spec["end"],
            "progress": progress,
            "is_public": spec["is_public"],
            "is_archived": False,
            "is_demo": True,
            "updated_by": chef,
        },
        history_user=chef,
    )
    organisations = context["organisations"]
    sync_m2m(action.partners, [organisations[slug] for slug in spec["partners"]])
    sync_m2m(
        action.intercommunalities,
        [context["intercommunalities"][slug] for slug in spec["intercommunalities"]],
    )
    for line in spec["fundings"]:
        planned, actual, before = line["planned"], line["actual"], line["planned_before"]
        if day is not None and before and day < before["until"]:
            planned = before["amount"]
        # Actual amounts are known once the year is over, or as it goes.
        if day is not None and line["year"] >= day.year:
            actual = None
        sync(
            Funding,
            {
                "action": action,
                "year": line["year"],
                "funder": organisations[line["funder"]],
                "kind": line["kind"],
            },
            {
                "planned_amount": Decimal(planned),
                "actual_amount": Decimal(actual) if actual is not None else None,
            },
            history_user=chef,
        )
    return action


def _sync_follow_up(action, spec, users):
    """Indicators, measurements and progress updates (current state only)."""
    chef = users["chef"]
    for item in spec["indicators"]:
        indicator = sync(
            Indicator,
            {"action": action, "name": item["name"]},
            {
                "unit": item["unit"],
                "baseline": item["baseline"],
                "target": item["target"],
                "target_date": item["target_date"],
            },
            history_user=chef,
        )
        for measurement in item["measurements"]:
            sync(
                Measurement,
                {"indicator": indicator, "date": measurement["date"]},
                {
                    "value": Decimal(measurement["value"]),
                    "comment": measurement["comment"],
                    "author": chef,
                },
                history_user=chef,
            )
    for update in spec["updates"]:
        before, _ = state_on(spec, update["date"] - datetime.timedelta(days=1))
        sync(
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


def _sync_meeting(spec, context):
    organisations = context["organisations"]
    meeting = sync(
        CopilMeeting,
        {"phase": context["phase"], "date": spec["date"]},
        {
            "title": SETTINGS["meeting_title"],
            "start_time": spec["start_time"],
            "place": spec["place"],
            "status": spec["status"],
            "minutes": spec["minutes"],
            "minutes_public": True,
            "is_public": True,
        },
        history_user=context["users"]["chef"],
    )
    sync_m2m(meeting.attendees, [organisations[slug] for slug in spec["attendees"]])
    for order, title in enumerate(spec["agenda"], start=1):
        sync(AgendaItem, {"meeting": meeting, "order": order}, {"title": title})
    return meeting


def _sync_decisions(meeting, spec, actions_by_code, chef):
    for order, item in enumerate(spec["decisions"], start=1):
        decision = sync(
            Decision,
            {"meeting": meeting, "order": order},
            {"text": item["text"]},
            history_user=chef,
        )
        for code in item["actions"]:
            action = actions_by_code[code]
            if not action.decisions.filter(pk=decision.pk).exists():
                action.decisions.add(decision)


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
    """Write the demonstration data; the caller wraps it in a transaction."""
    phase = Phase.objects.filter(territory__slug=SETTINGS["territory"], number=2).first()
    first_copil = phase and phase.copil_meetings.filter(date=SETTINGS["first_copil"]).first()
    if first_copil is None:
        raise MissingReferenceData
    context = {
        "phase": phase,
        "axes": {axis.slug: axis for axis in phase.axes.all()},
        "organisations": {o.slug: o for o in Organisation.objects.all()},
        "intercommunalities": {i.slug: i for i in Intercommunality.objects.all()},
    }
    result = DemoResult()
    result.users = context["users"] = _sync_users(context["organisations"])

    meetings = {spec["key"]: _sync_meeting(spec, context) for spec in MEETINGS}

    # Replay: each validated plan freezes the actions as they stood on its COPIL's date.
    result.plans.append(_validate_once(first_copil, 2024, SETTINGS["first_copil"], context))
    for spec in MEETINGS:
        if spec["validates"]:
            meeting = meetings[spec["key"]]
            result.plans.append(_validate_once(meeting, spec["validates"], spec["date"], context))

    # Today's state.
    actions_by_code = {}
    for spec in ACTIONS:
        action = _sync_action(spec, context)
        _sync_follow_up(action, spec, context["users"])
        actions_by_code[spec["code"]] = action
    for spec in MEETINGS:
        _sync_decisions(meetings[spec["key"]], spec, actions_by_code, context["users"]["chef"])

    result.actions = list(actions_by_code.values())
    result.meetings = list(meetings.values())
    return result
