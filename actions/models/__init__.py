"""The action plan's models, one module per concept; the models and the names the rest of the
project uses are importable from here."""

from .action import HISTORY_M2M_FIELDS, Action
from .choices import STALE_AFTER_DAYS, Priority, Status, code_sort_key
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
    "HISTORY_M2M_FIELDS",
    "STALE_AFTER_DAYS",
    "Action",
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
]
