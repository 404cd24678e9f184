"""Frozen snapshots keep whether their action was public when the plan was frozen.

Snapshots frozen before this migration did not record it. They are filled from their action
when it still exists (its `is_public` today, the best record left of what it was); a snapshot
whose action was deleted is left not public, so that nothing of an action that may have been
confidential reappears on a public page. Staff still see every snapshot.
"""

from django.db import migrations, models


def fill_from_actions(apps, schema_editor):
    ActionSnapshot = apps.get_model("actions", "ActionSnapshot")
    ActionSnapshot.objects.filter(action__is_public=True).update(is_public=True)


class Migration(migrations.Migration):
    dependencies = [
        ("actions", "0004_form_tokens"),
    ]

    operations = [
        migrations.AddField(
            model_name="actionsnapshot",
            name="is_public",
            field=models.BooleanField(
                default=False,
                help_text="Une fiche qui n'était pas publique quand le plan a été figé "
                "n'apparaît jamais sur les pages publiques du plan, ni dans leurs totaux.",
                verbose_name="publique à la validation",
            ),
        ),
        migrations.RunPython(fill_from_actions, migrations.RunPython.noop),
        # `validated_at` is when the validation was recorded, not the meeting's date.
        migrations.AlterField(
            model_name="annualplan",
            name="validated_at",
            field=models.DateTimeField(auto_now_add=True, verbose_name="enregistré le"),
        ),
    ]
