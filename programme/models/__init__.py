"""The territory and the programme's structure and governance, one module per concept; every
model is importable from here (Django discovers the app's models through this package)."""

from .fingerprints import ReferenceFingerprint
from .governance import AgendaItem, CopilMeeting, Decision
from .news import NewsItem
from .structure import Axis, Phase
from .territory import Commune, Intercommunality, Territory

__all__ = [
    "AgendaItem",
    "Axis",
    "Commune",
    "CopilMeeting",
    "Decision",
    "Intercommunality",
    "NewsItem",
    "Phase",
    "ReferenceFingerprint",
    "Territory",
]
