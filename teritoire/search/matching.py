"""The SQL side of a search: rows whose texts hold every word of a `terms.Query`.

PostgreSQL: French full text (`french` configuration, so « recrutement » finds « recruter »)
over the texts passed through `unaccent` (teritoire/migrations/0001), each
word also matching as a prefix. SQLite has neither: each word, lightly stemmed (`terms.stem`),
becomes a GLOB pattern whose letters accept their accented and upper-case forms
(« energ » → `*[eEéÉèÈêÊëË][nN]…*`), which one of the texts must match. The texts stay as they
are: SQLite compares them itself, no row is read into Python.

Used by the search page and by the action plan's `?q=` filter, so the two always agree.
"""

from django.db import connections
from django.db.models import BooleanField, ExpressionWrapper, F, Func, Lookup, Q, TextField, Value

CONFIG = "french"
# The forms of a folded letter (terms.fold) in a text, upper case aside.
ACCENTED_FORMS = {
    "a": "aàâäáãå",
    "c": "cç",
    "e": "eéèêë",
    "i": "iîïíì",
    "n": "nñ",
    "o": "oôöóòõ",
    "u": "uùûüú",
    "y": "yÿý",
}


def glob_pattern(word):
    """A SQLite GLOB pattern finding `word` (folded: letters, digits, '.', '-') in a text,
    whatever its case and accents."""
    classes = []
    for char in word:
        forms = ACCENTED_FORMS.get(char, char)
        forms += forms.upper()
        classes.append(f"[{forms}]" if len(set(forms)) > 1 else char)
    return "*" + "".join(classes) + "*"


class Glob(Lookup):
    """`text GLOB pattern` (SQLite): case-sensitive, `*` and `[…]` as in a shell."""

    lookup_name = "glob"
    prepare_rhs = False

    def as_sql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        rhs, rhs_params = self.process_rhs(compiler, connection)
        return f"{lhs} GLOB {rhs}", [*lhs_params, *rhs_params]


class Unaccent(Func):
    """PostgreSQL's `unaccent`, through the IMMUTABLE wrapper of teritoire/migrations/0001 (an
    index can then be built on the expression, see ACTION_INDEX_SQL in kinds.py)."""

    function = "search_unaccent"
    output_field = TextField()


def _expression(field):
    return F(field) if isinstance(field, str) else field


def _is_postgresql(queryset):
    return connections[queryset.db].vendor == "postgresql"


def _match(queryset, fields, query, name):
    """`queryset` (with an alias `name` on PostgreSQL) and the condition, a Q, that its texts
    hold every word of `query`."""
    if _is_postgresql(queryset):
        from django.contrib.postgres.search import SearchQuery, SearchVector

        vector = SearchVector(*(Unaccent(_expression(f)) for f in fields), config=CONFIG)
        search = SearchQuery(query.tsquery, config=CONFIG, search_type="raw")
        return queryset.alias(**{name: vector}), Q(**{name: search})
    condition = Q()
    for stem in query.stems:  # every word, each in one of the texts
        pattern = Value(glob_pattern(stem), output_field=TextField())
        anywhere = Q()
        for field in fields:
            anywhere |= Q(Glob(_expression(field), pattern))
        condition &= anywhere
    return queryset, condition


def index_sql(table, fields, name):
    """The PostgreSQL index a search over `fields` of `table` uses (same expression as
    `_match`): without it every search reads and parses every row's texts (seconds at 10,000
    actions with long descriptions); with it, a few milliseconds."""
    expression = " || ' ' || ".join(f"COALESCE(search_unaccent({f}), '')" for f in fields)
    return (
        f"CREATE INDEX IF NOT EXISTS {name} ON {table} "
        f"USING gin (to_tsvector('{CONFIG}'::regconfig, {expression}))"
    )


def text_filter(queryset, fields, query):
    """The rows of `queryset` whose `fields` (names or expressions) hold every word of `query`;
    all of them when the query has no word."""
    if not query:
        return queryset
    queryset, condition = _match(queryset, fields, query, "search_vector")
    return queryset.filter(condition)


def annotate_hit(queryset, fields, query, name):
    """Annotate `name`: whether `fields` alone hold every word (to rank title matches first)."""
    if not query:
        return queryset.annotate(**{name: Value(False)})
    queryset, condition = _match(queryset, fields, query, f"{name}_vector")
    return queryset.annotate(**{name: ExpressionWrapper(condition, output_field=BooleanField())})
