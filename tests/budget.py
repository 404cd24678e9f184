"""Query budgets that catch an N+1 directly, and the bulk rows they are measured against.

A page's test measures the same request with few rows (one action) and with many (200), and
asserts the two counts are *equal* and within the page's budget (12 queries on public pages):

    few = count_queries(url)
    bulk_actions(199, axis=axis, pilot=pilot)
    many = count_queries(url)
    assert_no_n_plus_one(few, many, budget=12)

`count_queries` is the fixture of tests/conftest.py; it switches the page cache off (a second
GET of the same address would otherwise be served from it, in 0 queries, when CACHE_URL points
to a shared cache) and empties Django's per-process caches (content types) before measuring.

The many rows are inserted with bulk_create (a few queries for 200 rows): no history rows and
no signals, which the public pages do not read.
"""

from dataclasses import dataclass, field

import factory
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.test.utils import CaptureQueriesContext

from actions.models import Action, code_sort_key
from tests.actions.factories import ActionFactory, FundingFactory
from tests.partners.factories import MembershipFactory, OrganisationFactory, StaffFactory
from tests.programme.factories import AxisFactory

PUBLIC_BUDGET = 12  # at most 12 queries on a public page, measured with 1 and with 200 actions


@dataclass
class Measured:
    """One request: its response, its whole body (streams consumed) and the queries it made."""

    response: object
    content: bytes
    sql: list = field(repr=False)

    @property
    def count(self):
        return len(self.sql)

    @property
    def text(self):
        return self.content.decode()


def measure(client, url, data=None, *, status=200, **extra):
    ContentType.objects.clear_cache()  # both measurements start cold
    # SQLite probes JSON support once per connection, on its first JSON query (SAVEPOINT,
    # SELECT JSON(…), RELEASE): a cost of the connection, not of the page, made before measuring.
    connection.features.supports_json_field  # noqa: B018
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, data, **extra)
        # A streamed export runs its queries while it is read: read it inside the measurement.
        content = b"".join(response) if response.streaming else response.content
    assert response.status_code == status, (url, response.status_code)
    return Measured(response, content, [query["sql"] for query in queries.captured_queries])


def assert_no_n_plus_one(few, many, budget=PUBLIC_BUDGET):
    """The same number of queries with few and with many rows, and no more than `budget`
    (None: the page has no budget of its own beyond not growing)."""
    if many.count != few.count:
        extra = "\n".join(sql for sql in many.sql if sql not in few.sql)
        raise AssertionError(
            f"{few.count} requêtes avec peu de lignes, {many.count} avec beaucoup "
            f"(N+1) ; requêtes en plus :\n{extra}"
        )
    if budget is not None:
        assert many.count <= budget, "\n".join([f"{many.count} > {budget} requêtes :", *many.sql])


def bulk(factory_class, count, **fields):
    """`count` rows built by `factory_class` from `fields` and inserted at once.

    Related rows must be given, saved: one instance for all, or `factory.Iterator(instances)`
    for one each.
    """
    rows = factory_class.build_batch(count, **fields)
    model = factory_class._meta.model
    if model is Action:  # what Action.save() computes
        for action in rows:
            action.code_sort = code_sort_key(action.code)
    return model.objects.bulk_create(rows)


def bulk_actions(count, *, partners=(), intercommunalities=(), **fields):
    """`count` public actions saved at once (see `bulk`), in one axis and of one pilot unless
    `axis` and `pilot` are given; `partners` and `intercommunalities` are added to each."""
    if "axis" not in fields:
        fields["axis"] = AxisFactory(**({"phase": fields["phase"]} if "phase" in fields else {}))
    fields.setdefault("pilot", OrganisationFactory())
    actions = bulk(ActionFactory, count, **fields)
    for relation, targets in (("partners", partners), ("intercommunalities", intercommunalities)):
        through = getattr(Action, relation).through
        column = getattr(Action, relation).field.m2m_reverse_field_name()
        through.objects.bulk_create(
            through(action_id=action.pk, **{f"{column}_id": target.pk})
            for action in actions
            for target in targets
        )
    return actions


def bulk_fundings(actions, **fields):
    """One funding line for each of `actions`, of one funder unless `funder` is given."""
    fields.setdefault("funder", OrganisationFactory())
    return bulk(FundingFactory, len(actions), action=factory.Iterator(actions), **fields)


# Anonymous visitors are mostly served from the page cache in production; logged-in ones never
# are, so their public pages are measured too.
VISITORS = ("anonyme", "partenaire")


def visit_as(client, visitor, organisation=None):
    """Log `client` in as `visitor`: nobody, a member of `organisation` (partenaire), staff."""
    if visitor == "partenaire":
        member = MembershipFactory(**({"organisation": organisation} if organisation else {}))
        client.force_login(member.user)
    elif visitor == "staff":
        client.force_login(StaffFactory())
    else:
        assert visitor == "anonyme", visitor
