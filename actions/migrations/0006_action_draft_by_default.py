"""A new fiche is a draft; an action's axis belongs to its phase, guaranteed by the database.

1. `Action.is_public` now defaults to False: a fiche created in the admin or by an import stays a
   draft until a staff member publishes it. Existing fiches keep their value.
2. Django 5.2 has no composite foreign key (action → (axis, phase)), so a trigger on each database
   refuses an action whose phase differs from its axis's phase, on INSERT and on an UPDATE of either
   column, and another refuses moving an axis that has actions to another phase. Forms and imports
   say it first, in French (`Action.clean`, `actions.writes`); the triggers hold for every other
   write (a script, the shell, a bug).

SQLite drops a table's triggers when it rebuilds the table (what Django does for most
`AlterField`s there): a later migration that rebuilds `actions_action` or `programme_axis` must
create them again; `tests/actions/test_integrity.py` fails on SQLite if it does not.

Rows written before this migration are checked first: with a mismatch, the migration stops and
names the fiches to correct (in the admin, before migrating again), rather than leave a database
whose own rule its rows break.
"""

from django.db import migrations, models

MESSAGE = "action_axis_in_phase: the axis of an action must belong to the phase of the action"

SQLITE_FORWARD = [
    f"""
    CREATE TRIGGER action_axis_in_phase_insert BEFORE INSERT ON actions_action
    FOR EACH ROW WHEN (SELECT phase_id FROM programme_axis WHERE id = NEW.axis_id)
        IS NOT NEW.phase_id
    BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END;
    """,
    f"""
    CREATE TRIGGER action_axis_in_phase_update BEFORE UPDATE OF axis_id, phase_id
    ON actions_action
    FOR EACH ROW WHEN (SELECT phase_id FROM programme_axis WHERE id = NEW.axis_id)
        IS NOT NEW.phase_id
    BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END;
    """,
    f"""
    CREATE TRIGGER axis_keeps_actions_phase BEFORE UPDATE OF phase_id ON programme_axis
    FOR EACH ROW WHEN EXISTS (
        SELECT 1 FROM actions_action WHERE axis_id = NEW.id AND phase_id IS NOT NEW.phase_id
    )
    BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END;
    """,
]
SQLITE_BACKWARD = [
    "DROP TRIGGER IF EXISTS axis_keeps_actions_phase;",
    "DROP TRIGGER IF EXISTS action_axis_in_phase_update;",
    "DROP TRIGGER IF EXISTS action_axis_in_phase_insert;",
]

# SQLSTATE 23514 (check_violation): Django raises IntegrityError, as for a CHECK constraint.
POSTGRESQL_FORWARD = [
    f"""
    CREATE FUNCTION action_axis_in_phase() RETURNS trigger AS $$
    BEGIN
        IF NOT EXISTS (
            SELECT 1 FROM programme_axis WHERE id = NEW.axis_id AND phase_id = NEW.phase_id
        ) THEN
            RAISE EXCEPTION '{MESSAGE}' USING ERRCODE = '23514';
        END IF;
        RETURN NEW;
    END;
    $$ LANGUAGE plpgsql;
    """,
    """
    CREATE TRIGGER action_axis_in_phase BEFORE INSERT OR UPDATE OF axis_id, phase_id
    ON actions_action FOR EACH ROW EXECUTE FUNCTION action_axis_in_phase();
    """,
    f"""
    CREATE FUNCTION axis_keeps_actions_phase() RETURNS trigger AS $$
    BEGIN
        IF EXISTS (
            SELECT 1 FROM actions_action WHERE axis_id = NEW.id AND phase_id <> NEW.phase_id
        ) THEN
            RAISE EXCEPTION '{MESSAGE}' USING ERRCODE = '23514';
        END IF;
        RETURN NEW;
    END;
    $$ LANGUAGE plpgsql;
    """,
    """
    CREATE TRIGGER axis_keeps_actions_phase BEFORE UPDATE OF phase_id ON programme_axis
    FOR EACH ROW EXECUTE FUNCTION axis_keeps_actions_phase();
    """,
]
POSTGRESQL_BACKWARD = [
    "DROP TRIGGER IF EXISTS axis_keeps_actions_phase ON programme_axis;",
    "DROP FUNCTION IF EXISTS axis_keeps_actions_phase();",
    "DROP TRIGGER IF EXISTS action_axis_in_phase ON actions_action;",
    "DROP FUNCTION IF EXISTS action_axis_in_phase();",
]


class VendorSQL(migrations.RunSQL):
    """RunSQL on one database vendor only ("sqlite", "postgresql"); nothing on the others."""

    def __init__(self, vendor, sql, reverse_sql):
        super().__init__(sql, reverse_sql, elidable=False)
        self.vendor = vendor

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == self.vendor:
            super().database_forwards(app_label, schema_editor, from_state, to_state)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == self.vendor:
            super().database_backwards(app_label, schema_editor, from_state, to_state)


def refuse_mismatched_rows(apps, schema_editor):
    Action = apps.get_model("actions", "Action")
    wrong = (
        Action.objects.using(schema_editor.connection.alias)
        .exclude(axis__phase=models.F("phase"))
        .order_by("phase__number", "code_sort")
        .values_list("phase__number", "code")
    )
    if wrong:
        names = ", ".join(f"P{number} · {code}" for number, code in wrong)
        raise RuntimeError(
            "Ces fiches actions ont un axe d'une autre phase que la leur\u00a0: "
            f"{names}. Corrigez leur axe ou leur phase dans l'administration, puis relancez "
            "la migration."
        )


class Migration(migrations.Migration):
    dependencies = [
        ("actions", "0005_snapshot_public"),
    ]

    operations = [
        migrations.AlterField(
            model_name="action",
            name="is_public",
            field=models.BooleanField(
                default=False,
                help_text="Décochée, la fiche est un brouillon que seuls l'équipe projet et les "
                "partenaires de la fiche voient.",
                verbose_name="publique",
            ),
        ),
        migrations.AlterField(
            model_name="historicalaction",
            name="is_public",
            field=models.BooleanField(
                default=False,
                help_text="Décochée, la fiche est un brouillon que seuls l'équipe projet et les "
                "partenaires de la fiche voient.",
                verbose_name="publique",
            ),
        ),
        migrations.RunPython(refuse_mismatched_rows, migrations.RunPython.noop),
        VendorSQL("sqlite", SQLITE_FORWARD, SQLITE_BACKWARD),
        VendorSQL("postgresql", POSTGRESQL_FORWARD, POSTGRESQL_BACKWARD),
    ]
