"""Consistent database dumps and media archives, and putting them back.

PostgreSQL: pg_dump custom format and pg_restore. SQLite: the online-backup API, so a dump taken
while the site runs is consistent. Media: a gzip tar of the files of the default storage (a
MEDIA_ROOT folder or an S3 bucket alike), read and written back through the storage API.

Home-made: django-dbbackup wraps these same calls in its own storage layer, settings and commands.
"""

import os
import posixpath
import shutil
import sqlite3
import subprocess
import tarfile
from pathlib import Path

from django.core.files import File
from django.core.files.storage import storages
from django.db import connection
from django.utils import timezone

# Files sit under this folder in the archive (as in the archives of MEDIA_ROOT made before).
ARCHIVE_ROOT = "media"


class BackupError(Exception):
    pass


def _engine():
    vendor = connection.vendor
    if vendor not in ("postgresql", "sqlite"):
        raise BackupError(f"Base de données non prise en charge : {vendor}.")
    return vendor


def _pg_env():
    db = connection.settings_dict
    env = os.environ.copy()
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = db["PASSWORD"]
    args = ["--dbname", db["NAME"]]
    if db.get("HOST"):
        args += ["--host", db["HOST"]]
    if db.get("PORT"):
        args += ["--port", str(db["PORT"])]
    if db.get("USER"):
        args += ["--username", db["USER"]]
    return env, args


def _run(command, env=None):
    if not shutil.which(command[0]):
        raise BackupError(f"Commande introuvable : {command[0]} (installez le client PostgreSQL).")
    result = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise BackupError(f"{command[0]} a échoué : {result.stderr.strip()}")


def backup_database(target_dir, stamp=None):
    """Write a dump of the database into target_dir; return its path."""
    stamp = stamp or timezone.now().strftime("%Y%m%dT%H%M%SZ")
    target_dir = Path(target_dir)
    target_dir.mkdir(parents=True, exist_ok=True)
    if _engine() == "postgresql":
        path = target_dir / f"base-{stamp}.dump"
        env, args = _pg_env()
        _run(["pg_dump", "--format=custom", "--no-owner", "--file", str(path), *args], env=env)
        return path
    path = target_dir / f"base-{stamp}.sqlite3"
    connection.ensure_connection()
    with sqlite3.connect(path) as target:
        connection.connection.backup(target)
    target.close()
    return path


def stored_files(storage, folder=""):
    """Every file name of a storage, walked folder by folder with listdir."""
    try:
        folders, files = storage.listdir(folder)
    except FileNotFoundError:  # a MEDIA_ROOT not created yet: nothing uploaded
        return
    for name in sorted(files):
        yield posixpath.join(folder, name)
    for sub in sorted(folders):
        yield from stored_files(storage, posixpath.join(folder, sub))


def _modified(storage, name):
    try:
        return storage.get_modified_time(name).timestamp()
    except (NotImplementedError, OSError):
        return timezone.now().timestamp()


def backup_media(target_dir, stamp=None):
    """Archive every file of the default storage, wherever it keeps them; return its path."""
    stamp = stamp or timezone.now().strftime("%Y%m%dT%H%M%SZ")
    target_dir = Path(target_dir)
    target_dir.mkdir(parents=True, exist_ok=True)
    path = target_dir / f"media-{stamp}.tar.gz"
    storage = storages["default"]
    with tarfile.open(path, "w:gz") as archive:
        for name in stored_files(storage):
            info = tarfile.TarInfo(f"{ARCHIVE_ROOT}/{name}")
            info.size = storage.size(name)
            info.mtime = _modified(storage, name)
            with storage.open(name, "rb") as content:
                archive.addfile(info, content)
    return path


def restore_database(dump):
    dump = Path(dump)
    if not dump.exists():
        raise BackupError(f"Fichier introuvable : {dump}")
    if _engine() == "postgresql":
        env, args = _pg_env()
        connection.close()
        _run(
            ["pg_restore", "--clean", "--if-exists", "--no-owner", "--single-transaction",
             *args, str(dump)],
            env=env,
        )  # fmt: skip
        return
    connection.ensure_connection()
    with sqlite3.connect(dump) as source:
        source.backup(connection.connection)
    source.close()


def _archived_name(member):
    """The storage name of an archived file, or None for anything else (folder, link, odd path)."""
    if not member.isfile() or not member.name.startswith(f"{ARCHIVE_ROOT}/"):
        return None
    name = posixpath.normpath(member.name.removeprefix(f"{ARCHIVE_ROOT}/"))
    if name in (".", "..") or name.startswith(("/", "../")):
        return None
    return name


def restore_media(archive_path):
    """Write each archived file back through the default storage, replacing one of that name."""
    archive_path = Path(archive_path)
    if not archive_path.exists():
        raise BackupError(f"Fichier introuvable : {archive_path}")
    storage = storages["default"]
    with tarfile.open(archive_path, "r:gz") as archive:
        for member in archive:
            name = _archived_name(member)
            if name is None:
                continue
            if storage.exists(name):
                storage.delete(name)
            saved = storage.save(name, File(archive.extractfile(member), name=name))
            if saved != name:
                raise BackupError(f"Fichier restauré sous un autre nom : {name} → {saved}")
