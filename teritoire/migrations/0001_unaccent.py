"""What the search needs on PostgreSQL (teritoire/search/matching.py): the `unaccent` extension
and `search_unaccent(text)`, an IMMUTABLE wrapper of it, so that an index can be built on the
searched texts (PostgreSQL's own `unaccent` is only STABLE). The wrapper names the extension's
schema, as a restore (pg_dump, empty search_path) rebuilds such an index. Nothing on SQLite,
whose search folds accents itself."""

from django.db import migrations

WRAPPER = """
CREATE OR REPLACE FUNCTION search_unaccent(text) RETURNS text
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
    AS $$ SELECT {schema}.unaccent('{schema}.unaccent'::regdictionary, $1) $$
"""


def forward(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS unaccent")
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(
            "SELECT quote_ident(nspname) FROM pg_extension e "
            "JOIN pg_namespace n ON n.oid = e.extnamespace WHERE extname = 'unaccent'"
        )
        (schema,) = cursor.fetchone()
    schema_editor.execute(WRAPPER.format(schema=schema))


def backward(apps, schema_editor):
    # The extension stays: other objects may use it.
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP FUNCTION IF EXISTS search_unaccent(text)")


class Migration(migrations.Migration):
    initial = True
    dependencies = []
    operations = [migrations.RunPython(forward, backward, elidable=False)]
