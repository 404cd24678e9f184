"""Issue 16, item 15: `backup` and `restore` go through the configured file storage.

`backup` used to archive the local MEDIA_ROOT even when uploads live elsewhere (an S3 bucket), so
the archive missed every document. Here the default storage is Django's InMemoryStorage, which
is not a folder on disk: a stand-in for S3 that shares its API (listdir, open, save, delete). It
does not exercise what is S3's own: network errors, credentials, listing pages of 1,000 keys,
a bucket prefix (`location`), nor django-storages' `file_overwrite=False` renaming.
"""

import io
import tarfile
from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import FileSystemStorage, storages
from django.core.management import call_command
from django.db import connection

from actions.models import Document
from teritoire.backup import backup_media, restore_media
from tests.actions.factories import DocumentFactory


@pytest.fixture
def memory_storage(settings):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    }
    storage = storages["default"]
    assert not isinstance(storage, FileSystemStorage)
    return storage


def archived(path):
    with tarfile.open(path, "r:gz") as archive:
        return {m.name: archive.extractfile(m).read() for m in archive.getmembers() if m.isfile()}


@pytest.mark.django_db(transaction=True)
def test_backup_and_restore_go_through_the_configured_storage(memory_storage, settings, tmp_path):
    document = DocumentFactory()
    document.file.save("compte-rendu.pdf", ContentFile(b"%PDF-1.4 compte rendu"))
    memory_storage.save("logos/partenaire.png", ContentFile(b"\x89PNG logo"))
    # A file left in the local folder is not one of the site's files any more.
    Path(settings.MEDIA_ROOT).mkdir(parents=True, exist_ok=True)
    (Path(settings.MEDIA_ROOT) / "ancien-local.txt").write_bytes(b"local")

    call_command("backup", output_dir=str(tmp_path))
    dump = next(tmp_path.glob("base-*"))
    archive = next(tmp_path.glob("media-*.tar.gz"))
    files = archived(archive)
    assert files[f"media/{document.file.name}"] == b"%PDF-1.4 compte rendu"
    assert files["media/logos/partenaire.png"] == b"\x89PNG logo"
    assert "media/ancien-local.txt" not in files

    # Lost, and one overwritten with other content under the same name.
    memory_storage.delete(document.file.name)
    memory_storage.delete("logos/partenaire.png")
    memory_storage.save("logos/partenaire.png", ContentFile(b"autre contenu"))
    connection.close()
    call_command("restore", str(dump), media=str(archive))

    restored = Document.objects.get(pk=document.pk)
    with memory_storage.open(restored.file.name, "rb") as content:
        assert content.read() == b"%PDF-1.4 compte rendu"
    with memory_storage.open("logos/partenaire.png", "rb") as content:
        assert content.read() == b"\x89PNG logo"
    assert memory_storage.listdir("logos") == ([], ["partenaire.png"])  # no renamed twin


def test_an_empty_storage_gives_an_empty_archive(memory_storage, tmp_path):
    assert archived(backup_media(tmp_path)) == {}


def _archive_with(tmp_path, members):
    path = tmp_path / "media-hostile.tar.gz"
    with tarfile.open(path, "w:gz") as archive:
        for name, data in members:
            info = tarfile.TarInfo(name)
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
        link = tarfile.TarInfo("media/lien")
        link.type, link.linkname = tarfile.SYMTYPE, "/etc/passwd"
        archive.addfile(link)
    return path


def test_restore_writes_only_files_inside_the_storage(memory_storage, tmp_path):
    path = _archive_with(
        tmp_path,
        [
            ("media/../../evasion.txt", b"x"),
            ("/media/absolu.txt", b"x"),
            ("autre/hors-media.txt", b"x"),
            ("media/documents/ok.txt", b"contenu"),
        ],
    )
    restore_media(path)
    assert memory_storage.listdir("") == (["documents"], [])
    assert memory_storage.listdir("documents") == ([], ["ok.txt"])
    assert not (tmp_path.parent / "evasion.txt").exists()
