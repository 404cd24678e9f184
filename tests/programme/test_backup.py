"""Back up, wipe, restore: every row comes back."""

import pytest
from django.apps import apps
from django.core import serializers
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.db import connection

from actions.models import Action
from tests.actions.factories import DocumentFactory, FundingFactory, ProgressUpdateFactory
from tests.partners.factories import MembershipFactory


def _all_rows():
    rows = {}
    for model in apps.get_models():
        if model._meta.proxy or not model._meta.managed:
            continue
        rows[model._meta.label] = serializers.serialize(
            "json", model._default_manager.order_by("pk")
        )
    return rows


@pytest.mark.django_db(transaction=True)
def test_backup_wipe_restore_gives_back_every_row_and_file(tmp_path, settings):
    FundingFactory.create_batch(3)
    ProgressUpdateFactory()
    MembershipFactory()
    document = DocumentFactory()
    document.file.save("note.pdf", ContentFile(b"%PDF-1.4 contenu"))
    before = _all_rows()
    stored = document.file.path

    call_command("backup", output_dir=str(tmp_path / "bk"))
    dump = next(p for p in (tmp_path / "bk").iterdir() if p.name.startswith("base-"))
    archive = next((tmp_path / "bk").glob("media-*.tar.gz"))

    call_command("flush", interactive=False)
    (settings.MEDIA_ROOT / document.file.name).unlink()
    assert Action.objects.count() == 0

    connection.close()
    call_command("restore", str(dump), media=str(archive))
    assert _all_rows() == before
    with open(stored, "rb") as restored:
        assert restored.read() == b"%PDF-1.4 contenu"


@pytest.mark.django_db
def test_restore_of_a_missing_file_says_so(tmp_path):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="Fichier introuvable"):
        call_command("restore", str(tmp_path / "absent.dump"))
