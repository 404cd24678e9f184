"""What /pilotage/ shows of the funding follow-through: per funder, what was granted against what
was planned; the actions with the largest gaps. Two grouped queries, whatever the number of lines;
current actions (public or not: this is the staff's page)."""

from ..models import Action, Funding
from ..models.funding import execution_rate


def funding_follow_through(limit=10):
    lines = Funding.objects.filter(action__in=Action.objects.current())
    funders = list(
        lines.sums_by("funder__name", "funder__acronym").order_by("-planned", "funder__name")
    )
    gaps = list(
        lines.sums_by("action", "action__code", "action__title", "action__phase__number")
        .filter(gap__gt=0)
        .order_by("-gap", "action__code")[:limit]
    )
    for row in (*funders, *gaps):
        row["execution"] = execution_rate(row["spent"], row["granted"])
    return {"funder_rows": funders, "largest_gaps": gaps}
