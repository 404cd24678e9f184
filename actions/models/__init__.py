"""The action plan's models, one module per concept; the models and the names the rest of the
project uses are importable from here."""

from .action import HISTORY_M2M_FIELDS, Action
from .campaigns import ReminderLog, UpdateCampaign, UpdateConfirmation
from .choices import STALE_AFTER_DAYS, Priority, Status, code_sort_key
from .followup import Document, Indicator, Measurement, ProgressUpdate, document_upload_to
from .funding import Funding
from .milestones import Milestone, MilestoneSummary
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
    "Milestone",
    "MilestoneSummary",
    "Priority",
    "ProgressUpdate",
    "ReminderLog",
    "Status",
    "UpdateCampaign",
    "UpdateConfirmation",
    "code_sort_key",
    "document_upload_to",
]
