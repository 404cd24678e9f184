"""Consistent database dumps and media archives, and putting them back.

PostgreSQL: pg_dump custom format and pg_restore. SQLite: the online-backup API, so a dump taken
while the site runs is consistent. Media: a gzip tar of MEDIA_ROOT.

Home-made: django-dbbackup wraps these same calls in its own storage layer, settings and commands.
"""

import os
import shutil
import sqlite3
import subprocess
import tarfile
from pathlib import Path

from django.conf import settings
from django.db import connection
from django.utils import timezone


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


def backup_media(target_dir, stamp=None):
    stamp = stamp or timezone.now().strftime("%Y%m%dT%H%M%SZ")
    path = Path(target_dir) / f"media-{stamp}.tar.gz"
    media = Path(settings.MEDIA_ROOT)
    with tarfile.open(path, "w:gz") as archive:
        if media.exists():
            archive.add(media, arcname="media")
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


def restore_media(archive_path):
    archive_path = Path(archive_path)
    if not archive_path.exists():
        raise BackupError(f"Fichier introuvable : {archive_path}")
    media = Path(settings.MEDIA_ROOT)
    with tarfile.open(archive_path, "r:gz") as archive:
        members = [m for m in archive.getmembers() if m.name.startswith("media")]
        archive.extractall(media.parent / "_restore", members=members, filter="data")
    restored = media.parent / "_restore" / "media"
    media.mkdir(parents=True, exist_ok=True)
    if restored.exists():
        shutil.copytree(restored, media, dirs_exist_ok=True)
    shutil.rmtree(media.parent / "_restore", ignore_errors=True)
