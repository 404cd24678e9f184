"""The site search's index on the texts of the fiches (PostgreSQL only: without it each search
reads and parses every fiche's texts), and the words no fiche may take as its address.

The index's expression is the one `teritoire.search` filters with (`ACTION_INDEX_SQL`, checked
against this text by tests/test_search.py): written out here, as a migration must not change when
the code does.
"""

import actions.models.action
from django.db import migrations, models

INDEX_SQL = (
    "CREATE INDEX IF NOT EXISTS action_search_idx ON actions_action USING gin "
    "(to_tsvector('french'::regconfig, COALESCE(search_unaccent(code), '') || ' ' || "
    "COALESCE(search_unaccent(title), '') || ' ' || COALESCE(search_unaccent(summary), '') "
    "|| ' ' || COALESCE(search_unaccent(description), '') || ' ' || "
    "COALESCE(search_unaccent(objectives), '')))"
)


def create_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(INDEX_SQL)


def drop_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS action_search_idx")


def slug_field():
    return models.SlugField(
        max_length=250,
        validators=[actions.models.action.validate_not_reserved_slug],
        verbose_name="identifiant d'URL",
    )


class Migration(migrations.Migration):
    dependencies = [
        ("actions", "0007_needs_and_contact"),
        ("teritoire", "0001_unaccent"),
    ]

    operations = [
        migrations.AlterField(
            model_name="action",
            name="slug",
            field=models.SlugField(
                max_length=250,
                unique=True,
                validators=[actions.models.action.validate_not_reserved_slug],
                verbose_name="identifiant d'URL",
            ),
        ),
        migrations.AlterField(model_name="historicalaction", name="slug", field=slug_field()),
        migrations.RunPython(create_index, drop_index),
    ]
