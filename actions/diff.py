"""What changed in the action plan since a COPIL validated it.

`compute_plan_diff` is a pure function of the frozen snapshots and the actions as they stand;
`current_states` reads the actions from the database (three queries, their milestones
included) and `frozen_states` puts the snapshots already read in the same shape. The attributes
it compares are those `actions.fields` marks as compared (each frozen under its own name), and
the planned budget of the plan's year, funder by funder, the follow-through of the year's
funding lines (granted, spent, paid: `FOLLOW_THROUGH`, not compared for a plan frozen before
they were kept), and the milestones, one by one.

The public sees the diff between what it could see on both sides (`public_sides`): the rows
that were public when frozen, and the actions public today. An action published after the
validation is "added" for it; a row that was not public when frozen never shows, deleted or not.
"""

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from .fields import COMPARED
from .models import Action, Funding, Milestone, Status, code_sort_key

ZERO = Decimal("0")
# The totals of an action's funding lines of the plan's year that the plan freezes beside the
# planned budget: snapshot attribute -> (Funding field, label).
FOLLOW_THROUGH = {
    "granted_total": ("granted_amount", "Accordé"),
    "spent_total": ("actual_amount", "Réalisé"),
    "paid_total": ("paid_amount", "Versé"),
}


def follow_through_of(fundings):
    """{action pk: {FOLLOW_THROUGH attribute: Decimal}} summed over `fundings` (an empty
    amount counts 0)."""
    totals = defaultdict(lambda: dict.fromkeys(FOLLOW_THROUGH, ZERO))
    for funding in fundings:
        sums = totals[funding.action_id]
        for name, (field_name, _) in FOLLOW_THROUGH.items():
            sums[name] += getattr(funding, field_name) or ZERO
    return totals


@dataclass(frozen=True)
class Frozen:
    """An action as the plan froze it (one ActionSnapshot), with every attribute of COMPARED."""

    action_id: int | None
    code: str
    title: str
    status: str
    budget: dict  # {funder: Decimal}
    milestones: list = field(default_factory=list)  # Milestone.frozen() dicts, in order
    follow_through: dict = field(default_factory=dict)  # FOLLOW_THROUGH totals, {} if not kept


@dataclass(frozen=True)
class Current:
    """An action of the plan's phase as it stands, with its planned budget of the plan's year.

    Like `Frozen`, it has every attribute of COMPARED.
    """

    action_id: int
    code: str
    title: str
    status: str
    budget: dict  # {funder: Decimal}
    is_archived: bool = False
    is_public: bool = True
    slug: str = ""
    milestones: list = field(default_factory=list)  # Milestone.frozen() dicts, in order
    follow_through: dict = field(default_factory=dict)  # FOLLOW_THROUGH totals


@dataclass(frozen=True)
class BudgetChange:
    funder: str
    before: Decimal
    after: Decimal

    @property
    def delta(self):
        return self.after - self.before


@dataclass(frozen=True)
class FollowThroughChange:
    """A total of the year's funding lines (granted, spent or paid) that moved."""

    label: str  # « Accordé », « Réalisé », « Versé »
    before: Decimal
    after: Decimal


@dataclass
class ActionChange:
    code: str
    title: str
    action_id: int | None = None
    slug: str = ""
    is_public: bool = True
    added: bool = False
    removed: str = ""  # "archived" or "deleted"
    before: dict = field(default_factory=dict)  # {compared attribute: frozen value} if changed
    after: dict = field(default_factory=dict)  # its current value (all of them when added)
    budget_changes: list = field(default_factory=list)
    milestone_changes: list = field(default_factory=list)  # of str, in French
    follow_through_changes: list = field(default_factory=list)  # of FollowThroughChange
    total_before: Decimal = ZERO
    total_after: Decimal = ZERO

    @property
    def changed(self):
        """The compared attributes whose value changed since the validation."""
        return [name for name in self.before if name in self.after]

    @property
    def status_before(self):
        return self.before.get("status", "")

    @property
    def status_after(self):
        return self.after.get("status", "")

    @property
    def status_changed(self):
        return "status" in self.changed

    @property
    def status_before_label(self):
        return Status(self.status_before).label if self.status_before else ""

    @property
    def status_after_label(self):
        return Status(self.status_after).label if self.status_after else ""

    @property
    def removed_label(self):
        return {"archived": "archivée", "deleted": "supprimée"}.get(self.removed, "")

    @property
    def budget_changed(self):
        return bool(self.budget_changes) and not (self.added or self.removed)

    @property
    def milestones_changed(self):
        return bool(self.milestone_changes) and not (self.added or self.removed)

    @property
    def follow_through_changed(self):
        return bool(self.follow_through_changes) and not (self.added or self.removed)


@dataclass
class PlanDiff:
    changes: list  # of ActionChange, by code

    def __bool__(self):
        return bool(self.changes)

    @property
    def added(self):
        return [c for c in self.changes if c.added]

    @property
    def removed(self):
        return [c for c in self.changes if c.removed]

    @property
    def status_changed(self):
        return [c for c in self.changes if c.status_changed]

    @property
    def budget_changed(self):
        return [c for c in self.changes if c.budget_changed]

    @property
    def milestones_changed(self):
        return [c for c in self.changes if c.milestones_changed]

    @property
    def follow_through_changed(self):
        return [c for c in self.changes if c.follow_through_changed]

    @property
    def total_delta(self):
        """How much the planned budget of the year moved, summed over the changes listed."""
        return sum((c.total_after - c.total_before for c in self.changes), ZERO)


def public_sides(snapshots, current):
    """What the public may compare: the frozen rows it may see, the actions public today.

    `snapshots`: ActionSnapshot rows (their action selected); `current`: `Current` states.
    """
    return (
        [s for s in snapshots if s.is_visible_to_public],
        [c for c in current if c.is_public],
    )


def _compared(item):
    return {name: getattr(item, name) for name in COMPARED}


def _amounts(budget):
    return {funder: Decimal(str(amount)) for funder, amount in budget.items()}


def _budget_changes(before, after):
    changes = []
    for funder in sorted(set(before) | set(after), key=str.casefold):
        old, new = before.get(funder, ZERO), after.get(funder, ZERO)
        if old != new:
            changes.append(BudgetChange(funder, old, new))
    return changes


def follow_through_changes(before, after):
    """The FOLLOW_THROUGH totals that moved; none when the plan did not keep them (`before`
    empty or None, a plan frozen before they were)."""
    changes = []
    for name, (_, label) in FOLLOW_THROUGH.items():
        then = (before or {}).get(name)
        if then is None:
            continue
        now = (after or {}).get(name, ZERO)
        if Decimal(str(then)) != now:
            changes.append(FollowThroughChange(label, Decimal(str(then)), now))
    return changes


def _day(iso):
    return datetime.date.fromisoformat(iso).strftime("%d/%m/%Y") if iso else ""


def milestone_changes(before, after):
    """What happened to an action's milestones since the plan froze them, in French: added,
    removed, reached, reopened, renamed, due date moved (matched by their id)."""
    old = {item["id"]: item for item in before}
    new = {item["id"]: item for item in after}
    changes = []
    for item in after:
        title = item["titre"]
        was = old.get(item["id"])
        if was is None:
            changes.append(f"Jalon ajouté : « {title} » (échéance {_day(item['echeance'])})")
            continue
        if was["titre"] != title:
            changes.append(f"Jalon renommé : « {was['titre']} » devient « {title} »")
        if was["echeance"] != item["echeance"]:
            changes.append(
                f"Échéance de « {title} » : {_day(was['echeance'])} → {_day(item['echeance'])}"
            )
        if not was["atteint_le"] and item["atteint_le"]:
            changes.append(f"Jalon atteint : « {title} » (le {_day(item['atteint_le'])})")
        elif was["atteint_le"] and not item["atteint_le"]:
            changes.append(f"Jalon de nouveau ouvert : « {title} »")
    changes.extend(
        f"Jalon retiré : « {item['titre']} »" for item in before if item["id"] not in new
    )
    return changes


def _added(action):
    """An action of the phase that the plan did not freeze."""
    after = _amounts(action.budget)
    return ActionChange(
        code=action.code,
        title=action.title,
        action_id=action.action_id,
        slug=action.slug,
        is_public=action.is_public,
        added=True,
        after=_compared(action),
        budget_changes=_budget_changes({}, after),
        total_after=sum(after.values(), ZERO),
    )


def compute_plan_diff(frozen, current):
    """Actions added, removed (archived or deleted), with a changed status or a changed budget.

    `frozen`: the plan's snapshots as `Frozen`; `current`: every action of the plan's phase,
    archived ones included, as `Current`. An action frozen in the plan but no longer among
    the current ones counts as deleted. A removed action keeps its frozen code and title.
    """
    current_by_id = {action.action_id: action for action in current}
    frozen_ids = set()
    changes = []
    for snapshot in frozen:
        before = _amounts(snapshot.budget)
        now = current_by_id.get(snapshot.action_id) if snapshot.action_id else None
        if snapshot.action_id:
            frozen_ids.add(snapshot.action_id)
        change = ActionChange(
            code=snapshot.code,
            title=snapshot.title,
            action_id=snapshot.action_id,
            total_before=sum(before.values(), ZERO),
        )
        if now is None or now.is_archived:
            # Removed: shown as it was frozen, never with what it became since.
            change.removed = "archived" if now else "deleted"
            changes.append(change)
            continue
        change.code, change.title, change.slug = now.code, now.title, now.slug
        change.is_public = now.is_public
        after = _amounts(now.budget)
        change.total_after = sum(after.values(), ZERO)
        for name in COMPARED:
            then, still = getattr(snapshot, name), getattr(now, name)
            if then != still:
                change.before[name], change.after[name] = then, still
        change.budget_changes = _budget_changes(before, after)
        change.milestone_changes = milestone_changes(snapshot.milestones, now.milestones)
        change.follow_through_changes = follow_through_changes(
            snapshot.follow_through, now.follow_through
        )
        if (
            change.changed
            or change.budget_changes
            or change.milestone_changes
            or change.follow_through_changes
        ):
            changes.append(change)
    changes.extend(
        _added(action)
        for action in current
        if action.action_id not in frozen_ids and not action.is_archived
    )
    changes.sort(key=lambda change: (code_sort_key(change.code), change.added))
    return PlanDiff(changes)


def frozen_states(snapshots):
    return [
        Frozen(
            action_id=s.action_id,
            code=s.code,
            title=s.title,
            budget=s.budget_by_funder,
            milestones=s.milestones or [],
            follow_through={name: getattr(s, name) for name in FOLLOW_THROUGH},
            **_compared(s),
        )
        for s in snapshots
    ]


def current_states(plan):
    """Every action of the plan's phase, with its planned budget of the plan's year by funder."""
    budgets = defaultdict(lambda: defaultdict(Decimal))
    fundings = Funding.objects.filter(action__phase_id=plan.phase_id, year=plan.year)
    fundings = list(fundings.select_related("funder").order_by())
    for funding in fundings:
        budgets[funding.action_id][str(funding.funder)] += funding.planned_amount
    follow_through = follow_through_of(fundings)
    milestones = defaultdict(list)
    rows = Milestone.objects.filter(action__phase_id=plan.phase_id).order_by(
        "action", "order", "due_date", "pk"
    )
    for milestone in rows:
        milestones[milestone.action_id].append(milestone.frozen())
    actions = Action.objects.filter(phase_id=plan.phase_id).order_by()
    return [
        Current(
            action_id=action.pk,
            code=action.code,
            title=action.title,
            budget=dict(budgets.get(action.pk, {})),
            is_archived=action.is_archived,
            is_public=action.is_public,
            slug=action.slug,
            milestones=milestones.get(action.pk, []),
            follow_through=follow_through.get(action.pk, dict.fromkeys(FOLLOW_THROUGH, ZERO)),
            **_compared(action),
        )
        for action in actions.only(
            "pk", "code", "title", "is_archived", "is_public", "slug", *COMPARED
        )
    ]
