"""The follow-up of a demonstration action or meeting, as it stood on a day of the replay: funding
lines (the funder's answer, spending, payment), milestones, indicators and their measurements,
progress updates, and a meeting's decisions with their own follow-up. Each writes through the
run's `actions.demo.Writer`, which changes only rows made in the same run."""

import datetime
from decimal import Decimal

from programme.models import Decision

from .demo_specs import iso_date, state_on
from .models import Funding, Indicator, Measurement, Milestone, ProgressUpdate


def sync_fundings(action, spec, writer, organisations, day=None):
    """The action's funding lines as they stood on `day` (their current state when None)."""
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
                **_funding_follow_through(line, planned, actual, day),
            },
        )


def sync_milestones(action, spec, writer, day=None):
    """The action's milestones in their order, as they stood on `day` (as they are when None)."""
    for order, item in enumerate(spec["milestones"], start=1):
        # Reached on `day` only if done by then: a plan validated earlier froze it open.
        reached = item["done_on"] and (day is None or item["done_on"] <= day)
        values = item | {"done_on": item["done_on"] if reached else None}
        writer.ensure(Milestone, {"action": action, "order": order}, values)


OVERSPENT_NOTE = "Dépassement pris en charge par la structure pilote (donnée de démonstration)."


def _funding_follow_through(line, planned, actual, day):
    """The funder's answer, the spent date and the payment of a demo line, as they stood on
    `day`. Without a `status`, a line is « accordé » (its planned amount) when something was
    spent, else « prévu » — the rule of migration actions/0010."""
    status = line.get("status") or ("granted" if line["actual"] is not None else "planned")
    decided_on = iso_date(line["decision_date"]) if line.get("decision_date") else None
    if day is not None and decided_on and decided_on > day:
        status, decided_on = "requested", None
    granted = Decimal(line.get("granted", planned)) if status == "granted" else None
    paid_on = iso_date(line["paid_on"]) if line.get("paid") is not None else None
    paid = Decimal(line["paid"]) if paid_on and status == "granted" else None
    if paid is None or (day is not None and paid_on > day):
        paid = paid_on = None
    spent_on = None
    if actual is not None:
        spent_on = min(datetime.date(line["year"], 12, 31), day or datetime.date.today())
    overspent = actual is not None and granted is not None and Decimal(actual) > granted
    return {
        "status": status,
        "decision_date": decided_on if status in ("granted", "refused") else None,
        "decision_reference": line.get("reference", "") if decided_on else "",
        "granted_amount": granted,
        "spent_on": spent_on,
        "spent_note": OVERSPENT_NOTE if overspent else "",
        "paid_amount": paid,
        "paid_on": paid_on,
    }


def sync_follow_up(action, spec, context):
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


def _decision_follow_up(item, organisations):
    """A decision's follow-up in the file (owner's slug, ISO dates, status value) as fields."""
    return {
        "owner": organisations.get(item["owner"]) if item.get("owner") else None,
        "due_date": iso_date(item["due"]) if item.get("due") else None,
        "status": Decision.Status(item.get("status", Decision.Status.TO_ENGAGE)),
        "status_date": iso_date(item["status_date"]) if item.get("status_date") else None,
        "follow_up": item.get("follow_up", ""),
    }


def ensure_decisions(meeting, spec, actions_by_code, writer, organisations):
    """The decisions of a meeting created in this run, linked to demonstration actions only."""
    if not writer.owns(meeting):
        return
    for order, item in enumerate(spec["decisions"], start=1):
        values = {"text": item["text"], **_decision_follow_up(item, organisations)}
        decision = writer.ensure(
            Decision, {"meeting": meeting, "order": order, "is_demo": True}, values
        )
        linked = [actions_by_code[code] for code in item["actions"] if actions_by_code.get(code)]
        decision.actions.add(*linked)
