"""The demonstration file, `data/demo.json`, read into specs: settings, accounts, actions, meetings
and news, their dates and choices as Python values (the file's format is described in
`actions.demo`), and what an action's updates tell of its state on a given day."""

import datetime
import json
from decimal import Decimal
from pathlib import Path
from typing import NamedTuple

from partners.models import Membership
from programme.models import CopilMeeting

from .models import Funding, Priority, Status

DATA_FILE = Path(__file__).resolve().parent / "data" / "demo.json"


class Account(NamedTuple):
    key: str
    email: str
    first_name: str
    last_name: str
    staff: bool
    organisation: str | None  # slug
    role: Membership.Role | None


def iso_date(text):
    return datetime.date.fromisoformat(text)


def _account(item):
    role = item["role"]
    return Account(**{**item, "role": Membership.Role(role) if role else None})


def _funding(item):
    before = item.get("planned_before")
    before = before and {"until": iso_date(before["until"]), "amount": before["amount"]}
    return {**item, "kind": Funding.Kind(item["kind"]), "planned_before": before}


def _indicator(item):
    return {
        **item,
        "baseline": Decimal(item.get("baseline", 0)),
        "target": Decimal(item["target"]),
        "target_date": iso_date(item["target_date"]),
        "measurements": [
            {"date": iso_date(m["date"]), "value": m["value"], "comment": m.get("comment", "")}
            for m in item["measurements"]
        ],
    }


def _update(item):
    status, progress = item.get("status"), item.get("progress")
    return {**item, "date": iso_date(item["date"]), "status": status and Status(status)} | {
        "progress": progress
    }


def _action(item, first_meeting):
    return {
        **item,
        "priority": Priority(item["priority"]),
        "start": iso_date(item["start"]),
        "end": iso_date(item["end"]),
        "added_on": iso_date(item["added_on"]) if "added_on" in item else first_meeting,
        "is_public": item.get("is_public", True),
        "fundings": [_funding(line) for line in item["fundings"]],
        "indicators": [_indicator(indicator) for indicator in item["indicators"]],
        "updates": [_update(update) for update in item["updates"]],
        "milestones": [_milestone(milestone) for milestone in item.get("milestones", [])],
        # « Qui contacter »: a fictitious referent (shown only with "consent": true).
        "contact": {k: item.get(k, "") for k in ("how_to_apply", "eligibility")}
        | {f"referent_{k}": value for k, value in item.get("referent", {}).items()},
    }


def _milestone(item):
    done = item.get("done")
    return {
        "title": item["title"],
        "due_date": iso_date(item["due"]),
        "done_on": iso_date(done) if done else None,
        "note": item.get("note", ""),
    }


def _meeting(item):
    return {
        **item,
        "date": iso_date(item["date"]),
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
        [{**item, "published_on": iso_date(item["published_on"])} for item in data.get("news", [])],
    )


SETTINGS, ACCOUNTS, ACTIONS, MEETINGS, NEWS = read_demo_data()
DEMO_PASSWORD = SETTINGS["password"]


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
