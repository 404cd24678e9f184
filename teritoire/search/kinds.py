"""What the search looks in, kind by kind: only what the public pages show (public actions,
published news, public COPIL meetings and their decisions, partners, communes), and how a result
is shown. Each kind is read in one query, its total counted in the same query (a window).
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.db.models import Case, Count, F, TextField, Value, When, Window
from django.urls import reverse
from django.utils.http import urlencode

from actions.models import Action
from partners.models import Organisation
from programme.models import Commune, CopilMeeting, Decision, NewsItem

from . import highlight
from .matching import annotate_hit, index_sql, text_filter

# The texts of an action searched, here and by the action plan's `?q=` (actions/public/filters).
ACTION_FIELDS = ("code", "title", "summary", "description", "objectives")
# For an actions migration (RunSQL, PostgreSQL only): the index these searches use.
ACTION_INDEX_SQL = index_sql("actions_action", ACTION_FIELDS, "action_search_idx")


def filter_actions(queryset, query):
    return text_filter(queryset, ACTION_FIELDS, query)


@dataclass(frozen=True)
class Result:
    title: str  # highlighted, safe
    url: str
    excerpt: str = ""  # highlighted, safe
    meta: str = ""
    date: object = None  # shown after `meta`, French format
    is_demo: bool = False
    code: str = ""
    status: str = ""
    status_label: str = ""


@dataclass(frozen=True)
class Kind:
    key: str  # the value of `type=` for this kind's own pages
    label: str  # « Fiches actions »
    plural: str  # « fiches actions », after « Voir les 12 »
    rows: Callable  # query -> the matching rows, ordered
    present: Callable  # (row, query) -> Result
    list_url: Callable | None = None  # query -> the filtered list of the site, if there is one

    def found(self, query, start=0, stop=None):
        """(results, total) for rows start..stop, read in one query."""
        rows = list(self.rows(query).annotate(search_total=Window(Count("pk")))[start:stop])
        total = rows[0].search_total if rows else 0
        return [self.present(row, query) for row in rows], total

    def more_url(self, query):
        if self.list_url is not None:
            return self.list_url(query)
        return reverse("search") + "?" + urlencode({"q": query.text, "type": self.key})


def _best_excerpt(query, *texts):
    """The excerpt of the first text holding a word found, else of the first non-empty text."""
    for text in texts:
        if highlight.has_match(text, query):
            return highlight.excerpt(text, query)
    return next((highlight.excerpt(text, query) for text in texts if text), "")


# Actions ------------------------------------------------------------------------------------


def _action_rows(query):
    rows = filter_actions(Action.objects.public(), query)
    rows = annotate_hit(rows, ("code", "title"), query, "title_hit")
    return rows.select_related("axis", "phase", "pilot").order_by(
        F("title_hit").desc(), "-phase__number", "code_sort", "pk"
    )


def _action(action, query):
    return Result(
        title=highlight.highlight(action.title, query),
        url=action.get_absolute_url(),
        excerpt=_best_excerpt(query, action.summary, action.description, action.objectives),
        meta=f"Phase {action.phase.number} · {action.axis.name} · pilote : {action.pilot}",
        is_demo=action.is_demo,
        code=action.code,
        status=action.status,
        status_label=action.get_status_display(),
    )


def _actions_list_url(query):
    return reverse("actions:list") + "?" + urlencode({"q": query.text})


# Programme ----------------------------------------------------------------------------------


def _news_rows(query):
    return text_filter(NewsItem.objects.published(), ("title", "summary", "body"), query)


def _news(item, query):
    return Result(
        title=highlight.highlight(item.title, query),
        url=item.get_absolute_url(),
        excerpt=_best_excerpt(query, item.summary, item.body),
        meta="Actualité publiée le",
        date=item.published_on,
        is_demo=item.is_demo,
    )


# A meeting's minutes are searched only when they are public.
PUBLIC_MINUTES = Case(
    When(minutes_public=True, then=F("minutes")), default=Value(""), output_field=TextField()
)


def _meeting_rows(query):
    fields = ("title", "place", PUBLIC_MINUTES)
    return text_filter(CopilMeeting.objects.public(), fields, query).order_by("-date", "-pk")


def _meeting(meeting, query):
    minutes = meeting.minutes if meeting.minutes_public else ""
    return Result(
        title=highlight.highlight(str(meeting), query),
        url=meeting.get_absolute_url(),
        excerpt=_best_excerpt(query, minutes, meeting.place),
        meta=meeting.get_status_display(),
        is_demo=meeting.is_demo,
    )


def _decision_rows(query):
    decisions = Decision.objects.filter(meeting__in=CopilMeeting.objects.public())
    return (
        text_filter(decisions, ("text",), query)
        .select_related("meeting")
        .order_by("-meeting__date", "meeting", "order", "pk")
    )


def _decision(decision, query):
    return Result(
        title=f"Décision du {decision.meeting}",
        url=decision.meeting.get_absolute_url() + "#decisions",
        excerpt=highlight.excerpt(decision.text, query),
        is_demo=decision.is_demo or decision.meeting.is_demo,
    )


def _commune_rows(query):
    communes = text_filter(Commune.objects.all(), ("name", "insee"), query)
    return communes.select_related("intercommunality").order_by("name", "pk")


def _commune(commune, query):
    return Result(
        title=highlight.highlight(commune.name, query),
        url=commune.intercommunality.get_absolute_url(),
        meta=f"Commune de la {commune.intercommunality.name}",
    )


# Partners -----------------------------------------------------------------------------------


def _organisation_rows(query):
    fields = ("name", "acronym", "description")
    return text_filter(Organisation.objects.all(), fields, query).order_by("name", "pk")


def _organisation(organisation, query):
    return Result(
        title=highlight.highlight(organisation.display_name, query),
        url=organisation.get_absolute_url(),
        excerpt=_best_excerpt(query, organisation.description),
        meta=organisation.get_kind_display(),
    )


KINDS = [
    Kind("actions", "Fiches actions", "fiches actions", _action_rows, _action, _actions_list_url),
    Kind("actualites", "Actualités", "actualités", _news_rows, _news),
    Kind("reunions", "Réunions du COPIL", "réunions du COPIL", _meeting_rows, _meeting),
    Kind("decisions", "Décisions du COPIL", "décisions du COPIL", _decision_rows, _decision),
    Kind("partenaires", "Partenaires", "partenaires", _organisation_rows, _organisation),
    Kind("communes", "Communes", "communes", _commune_rows, _commune),
]
BY_KEY = {kind.key: kind for kind in KINDS}
