"""COPIL decisions are followed up: owner organisation, due date, status and its date, note.

Until now a decision was a line of text in a meeting's record: nobody owned it, it had no due
date, and nothing said whether it had been carried out. Existing rows get a status from what
their meeting says, the only data they have:

- a decision of a meeting that was **held** becomes « réalisée », dated the day of the meeting:
  what the committee recorded so far were acts it took itself on that day (validating a plan and
  its budget, extending, pausing or abandoning an action); reopening them as « à engager », with
  no owner to close them, would list years of past decisions as open on every later meeting page
  and in the public register. The note says the status was set by this migration; the project
  team reopens (« en cours », an owner, a due date) any that still needs following up;
- a decision of a meeting still **planned** stays « à engager » (the default): it is prepared
  for a meeting to come, and its follow-up starts then;
- a decision of a **cancelled** meeting becomes « abandonnée », dated the day of the meeting:
  no committee took it.

So every row meets the new constraints: a status other than « à engager » has a status date
(CHECK), and neither the status date nor the due date precedes the meeting. That rule spans two
tables, which a CHECK cannot: triggers on SQLite and PostgreSQL refuse a decision dated before
its meeting, and moving a meeting after the dates of its decisions (as `actions/0006` does for an
action's axis and phase). `Decision.clean`, `CopilMeeting.clean` and the partner form say it
first, in French; the triggers hold for every other write. SQLite drops a table's triggers when it
rebuilds the table: a later migration that rebuilds `programme_decision` or
`programme_copilmeeting` must create them again (`tests/programme/test_decisions.py` fails on
SQLite if it does not).

The new fields are kept in the decisions' history; the historical rows written before this
migration keep the defaults (« à engager », no date), which is what they were.
"""

import django.db.models.deletion
from django.db import migrations, models
MESSAGE = "decision_dates_after_meeting: a decision cannot be dated before its meeting"

SQLITE_FORWARD = [
    f"""
    CREATE TRIGGER decision_dates_after_meeting_insert BEFORE INSERT ON programme_decision
    FOR EACH ROW WHEN NEW.status_date < (SELECT date FROM programme_copilmeeting
                                         WHERE id = NEW.meeting_id)
        OR NEW.due_date < (SELECT date FROM programme_copilmeeting WHERE id = NEW.meeting_id)
    BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END;
    """,
    f"""
    CREATE TRIGGER decision_dates_after_meeting_update
    BEFORE UPDATE OF status_date, due_date, meeting_id ON programme_decision
    FOR EACH ROW WHEN NEW.status_date < (SELECT date FROM programme_copilmeeting
                                         WHERE id = NEW.meeting_id)
        OR NEW.due_date < (SELECT date FROM programme_copilmeeting WHERE id = NEW.meeting_id)
    BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END;
    """,
    f"""
    CREATE TRIGGER meeting_before_its_decisions BEFORE UPDATE OF date ON programme_copilmeeting
    FOR EACH ROW WHEN EXISTS (
        SELECT 1 FROM programme_decision WHERE meeting_id = NEW.id
        AND (status_date < NEW.date OR due_date < NEW.date)
    )
    BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END;
    """,
]
SQLITE_BACKWARD = [
    "DROP TRIGGER IF EXISTS meeting_before_its_decisions;",
    "DROP TRIGGER IF EXISTS decision_dates_after_meeting_update;",
    "DROP TRIGGER IF EXISTS decision_dates_after_meeting_insert;",
]

# SQLSTATE 23514 (check_violation): Django raises IntegrityError, as for a CHECK constraint.
POSTGRESQL_FORWARD = [
    f"""
    CREATE FUNCTION decision_dates_after_meeting() RETURNS trigger AS $$
    BEGIN
        IF EXISTS (
            SELECT 1 FROM programme_copilmeeting WHERE id = NEW.meeting_id
            AND (NEW.status_date < date OR NEW.due_date < date)
        ) THEN
            RAISE EXCEPTION '{MESSAGE}' USING ERRCODE = '23514';
        END IF;
        RETURN NEW;
    END;
    $$ LANGUAGE plpgsql;
    """,
    """
    CREATE TRIGGER decision_dates_after_meeting
    BEFORE INSERT OR UPDATE OF status_date, due_date, meeting_id ON programme_decision
    FOR EACH ROW EXECUTE FUNCTION decision_dates_after_meeting();
    """,
    f"""
    CREATE FUNCTION meeting_before_its_decisions() RETURNS trigger AS $$
    BEGIN
        IF EXISTS (
            SELECT 1 FROM programme_decision WHERE meeting_id = NEW.id
            AND (status_date < NEW.date OR due_date < NEW.date)
        ) THEN
            RAISE EXCEPTION '{MESSAGE}' USING ERRCODE = '23514';
        END IF;
        RETURN NEW;
    END;
    $$ LANGUAGE plpgsql;
    """,
    """
    CREATE TRIGGER meeting_before_its_decisions BEFORE UPDATE OF date ON programme_copilmeeting
    FOR EACH ROW EXECUTE FUNCTION meeting_before_its_decisions();
    """,
]
POSTGRESQL_BACKWARD = [
    "DROP TRIGGER IF EXISTS meeting_before_its_decisions ON programme_copilmeeting;",
    "DROP FUNCTION IF EXISTS meeting_before_its_decisions();",
    "DROP TRIGGER IF EXISTS decision_dates_after_meeting ON programme_decision;",
    "DROP FUNCTION IF EXISTS decision_dates_after_meeting();",
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


MIGRATED_NOTE = (
    "Statut fixé à la mise en place du suivi des décisions, d'après la réunion ({meeting})."
)


def status_from_meeting(apps, schema_editor):
    Decision = apps.get_model("programme", "Decision")
    decisions = Decision.objects.using(schema_editor.connection.alias)
    for meeting_status, decision_status, label in (
        ("held", "done", "réunion tenue"),
        ("cancelled", "abandoned", "réunion annulée"),
    ):
        for decision in decisions.filter(meeting__status=meeting_status).select_related("meeting"):
            decision.status = decision_status
            decision.status_date = decision.meeting.date
            decision.follow_up = MIGRATED_NOTE.format(meeting=label)
            decision.save(update_fields=["status", "status_date", "follow_up"])


class Migration(migrations.Migration):
    dependencies = [
        ("partners", "0001_initial"),
        ("programme", "0003_demonstration_flags"),
    ]

    operations = [
        migrations.AddField(
            model_name="decision",
            name="due_date",
            field=models.DateField(blank=True, null=True, verbose_name="échéance"),
        ),
        migrations.AddField(
            model_name="decision",
            name="follow_up",
            field=models.TextField(blank=True, verbose_name="note de suivi"),
        ),
        migrations.AddField(
            model_name="decision",
            name="owner",
            field=models.ForeignKey(
                blank=True,
                help_text="Ses contributeurs mettent à jour le suivi dans l'espace partenaire.",
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="owned_decisions",
                to="partners.organisation",
                verbose_name="organisation responsable",
            ),
        ),
        migrations.AddField(
            model_name="decision",
            name="status",
            field=models.CharField(
                choices=[
                    ("to_engage", "À engager"),
                    ("in_progress", "En cours"),
                    ("done", "Réalisée"),
                    ("abandoned", "Abandonnée"),
                ],
                default="to_engage",
                max_length=12,
                verbose_name="statut",
            ),
        ),
        migrations.AddField(
            model_name="decision",
            name="status_date",
            field=models.DateField(
                blank=True,
                help_text="Depuis quand la décision est en cours, réalisée ou abandonnée.",
                null=True,
                verbose_name="date du statut",
            ),
        ),
        migrations.AddField(
            model_name="decision",
            name="version",
            field=models.PositiveIntegerField(default=1, editable=False, verbose_name="version"),
        ),
        migrations.AddField(
            model_name="historicaldecision",
            name="due_date",
            field=models.DateField(blank=True, null=True, verbose_name="échéance"),
        ),
        migrations.AddField(
            model_name="historicaldecision",
            name="follow_up",
            field=models.TextField(blank=True, verbose_name="note de suivi"),
        ),
        migrations.AddField(
            model_name="historicaldecision",
            name="owner",
            field=models.ForeignKey(
                blank=True,
                db_constraint=False,
                help_text="Ses contributeurs mettent à jour le suivi dans l'espace partenaire.",
                null=True,
                on_delete=django.db.models.deletion.DO_NOTHING,
                related_name="+",
                to="partners.organisation",
                verbose_name="organisation responsable",
            ),
        ),
        migrations.AddField(
            model_name="historicaldecision",
            name="status",
            field=models.CharField(
                choices=[
                    ("to_engage", "À engager"),
                    ("in_progress", "En cours"),
                    ("done", "Réalisée"),
                    ("abandoned", "Abandonnée"),
                ],
                default="to_engage",
                max_length=12,
                verbose_name="statut",
            ),
        ),
        migrations.AddField(
            model_name="historicaldecision",
            name="status_date",
            field=models.DateField(
                blank=True,
                help_text="Depuis quand la décision est en cours, réalisée ou abandonnée.",
                null=True,
                verbose_name="date du statut",
            ),
        ),
        migrations.AddField(
            model_name="historicaldecision",
            name="version",
            field=models.PositiveIntegerField(default=1, editable=False, verbose_name="version"),
        ),
        migrations.AddConstraint(
            model_name="decision",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("status__in", ["to_engage", "in_progress", "done", "abandoned"])
                ),
                name="decision_status_known",
                violation_error_message="Statut de décision inconnu.",
            ),
        ),
        migrations.RunPython(status_from_meeting, migrations.RunPython.noop, elidable=False),
        migrations.AddConstraint(
            model_name="decision",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("status", "to_engage"), ("status_date__isnull", False), _connector="OR"
                ),
                name="decision_status_dated",
                violation_error_message="Indiquez la date du statut\xa0: depuis quand la décision est en cours, réalisée ou abandonnée.",
            ),
        ),
        # Last: on SQLite, AddConstraint rebuilds the table, which drops its triggers.
        VendorSQL("sqlite", SQLITE_FORWARD, SQLITE_BACKWARD),
        VendorSQL("postgresql", POSTGRESQL_FORWARD, POSTGRESQL_BACKWARD),
    ]
