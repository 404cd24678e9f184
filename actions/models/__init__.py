"""The action plan's models, one module per concept; every name is importable from here."""

from .action import HISTORY_M2M_FIELDS, Action, ActionQuerySet, stale_cutoff
from .choices import (
    AMOUNT_MIN,
    CLOSED_STATUSES,
    PROGRESS_RANGE,
    STALE_AFTER_DAYS,
    YEAR_RANGE,
    Priority,
    Status,
    code_sort_key,
)
from .followup import (
    Document,
    Funding,
    Indicator,
    Measurement,
    ProgressUpdate,
    document_upload_to,
)
from .plans import ActionSnapshot, AnnualPlan

__all__ = [
    "AMOUNT_MIN",
    "CLOSED_STATUSES",
    "HISTORY_M2M_FIELDS",
    "PROGRESS_RANGE",
    "STALE_AFTER_DAYS",
    "YEAR_RANGE",
    "Action",
    "ActionQuerySet",
    "ActionSnapshot",
    "AnnualPlan",
    "Document",
    "Funding",
    "Indicator",
    "Measurement",
    "Priority",
    "ProgressUpdate",
    "Status",
    "code_sort_key",
    "document_upload_to",
    "stale_cutoff",
]
