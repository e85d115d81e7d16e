"""Backups that restore: the database with its own tools and the files, in one archive.

An archive (tar, gzip) holds `manifest.json` first — the format, the engine, the tool's
version, and every other member's size and SHA-256 — then `database.pgdump` (pg_dump's
custom format) or `database.sqlite3` (SQLite's online backup), then `media/…` (uploaded
and generated files). A restore reads and checks the whole archive before it changes
anything; the database is replaced in one transaction (pg_restore --single-transaction,
SQLite's backup API), then the files folder by a rename. A corrupted or truncated archive
is refused with a French message and nothing is restored.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import re
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import connection, connections
from django.utils import timezone

FORMAT = "observatoire-sauvegarde"
VERSION = 1
CHUNK = 1 << 20


class BackupError(Exception):
    """A backup or restore that cannot be done; the message is French, for the operator."""


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        while chunk := f.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def _pg_env() -> dict[str, str]:
    db = connection.settings_dict
    env = {**os.environ, "PGDATABASE": db["NAME"], "PGHOST": db["HOST"] or "127.0.0.1"}
    env.update({"PGPORT": str(db["PORT"] or 5432), "PGUSER": db["USER"] or ""})
    if db["PASSWORD"]:
        env["PGPASSWORD"] = db["PASSWORD"]
    return env


def _tool_major(tool: str) -> int:
    """The major version of a PostgreSQL client tool (pg_dump 15.20 → 15)."""
    if shutil.which(tool) is None:
        raise BackupError(
            f"{tool} est introuvable : installez le client PostgreSQL (postgresql-client)."
        )
    out = subprocess.run([tool, "--version"], capture_output=True, text=True, check=True).stdout
    found = re.search(r"(\d+)(?:\.\d+)?", out)
    if found is None:
        raise BackupError(f"Version de {tool} illisible : {out.strip()}")
    return int(found.group(1))


def _server_major() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version_num")
        return int(cursor.fetchone()[0]) // 10000


def _dump_database(folder: Path) -> tuple[str, dict[str, Any]]:
    """Write the database into `folder`; its member name and what the manifest says of it."""
    if connection.vendor == "postgresql":
        tool, server = _tool_major("pg_dump"), _server_major()
        if tool < server:
            raise BackupError(
                f"pg_dump {tool} ne peut pas sauvegarder un serveur PostgreSQL {server} : "
                f"installez postgresql-client-{server}."
            )
        path = folder / "database.pgdump"
        done = subprocess.run(
            ["pg_dump", "--format=custom", "--no-owner", "--no-privileges", "--file", str(path)],
            env=_pg_env(),
            capture_output=True,
            text=True,
            check=False,
        )
        if done.returncode:
            raise BackupError(f"pg_dump a échoué : {done.stderr.strip()}")
        return path.name, {"engine": "postgresql", "pg_dump": tool, "server": server}
    if connection.vendor == "sqlite":
        path = folder / "database.sqlite3"
        connection.ensure_connection()
        target = sqlite3.connect(path)
        with target:
            connection.connection.backup(target)  # online: writers may go on meanwhile
        target.close()
        return path.name, {"engine": "sqlite", "sqlite": sqlite3.sqlite_version}
    raise BackupError(f"Base de données non prise en charge : {connection.vendor}.")


def backup(archive: Path, progress: Callable[[int], None] | None = None) -> dict[str, Any]:
    """Write the database and the media files into `archive`; returns the manifest."""
    media = Path(settings.MEDIA_ROOT)
    archive = archive.resolve()
    with tempfile.TemporaryDirectory(dir=archive.parent, prefix=".sauvegarde-") as tmp:
        name, database = _dump_database(Path(tmp))
        members = {name: Path(tmp) / name}
        if media.is_dir():
            for path in sorted(media.rglob("*")):
                if path.is_file():
                    members[f"media/{path.relative_to(media).as_posix()}"] = path
        manifest = {
            "format": FORMAT,
            "version": VERSION,
            "created_at": timezone.now().isoformat(),
            "database": {"member": name, **database},
            "files": {
                member: {"size": path.stat().st_size, "sha256": _sha256(path)}
                for member, path in members.items()
            },
        }
        partial = archive.with_name(archive.name + ".partiel")
        with tarfile.open(partial, "w:gz") as tar:
            data = json.dumps(manifest, indent=1, ensure_ascii=False).encode()
            info = tarfile.TarInfo("manifest.json")
            info.size, info.mtime = len(data), int(timezone.now().timestamp())
            tar.addfile(info, io.BytesIO(data))
            for member, path in members.items():
                tar.add(path, arcname=member, recursive=False)
                if progress:
                    progress(1)
        partial.replace(archive)  # a half-written archive never bears the name asked for
    return manifest


def _read_archive(archive: Path, folder: Path) -> dict[str, Any]:
    """Extract `archive` into `folder`, checking every member against the manifest."""
    broken = f"Archive illisible ou incomplète ({archive.name}) : rien n'a été restauré."
    try:
        with tarfile.open(archive, "r:gz") as tar:
            first = tar.next()
            if first is None or first.name != "manifest.json":
                raise BackupError(f"{broken} Le manifeste manque.")
            reader = tar.extractfile(first)
            assert reader is not None
            manifest = json.loads(reader.read())
            if manifest.get("format") != FORMAT or manifest.get("version") != VERSION:
                raise BackupError(f"{broken} Ce n'est pas une sauvegarde d'Observatoire.")
            expected = manifest["files"]
            seen = set()
            for member in tar:
                if member is first:
                    continue
                wanted = expected.get(member.name)
                if wanted is None or not member.isfile() or ".." in Path(member.name).parts:
                    raise BackupError(f"{broken} Élément inattendu : {member.name}.")
                target = folder / member.name
                target.parent.mkdir(parents=True, exist_ok=True)
                source = tar.extractfile(member)
                assert source is not None
                digest = hashlib.sha256()
                with target.open("wb") as out:
                    while chunk := source.read(CHUNK):
                        digest.update(chunk)
                        out.write(chunk)
                if digest.hexdigest() != wanted["sha256"] or member.size != wanted["size"]:
                    raise BackupError(
                        f"{broken} L'empreinte de {member.name} ne correspond pas au manifeste."
                    )
                seen.add(member.name)
            missing = sorted(set(expected) - seen)
            if missing:
                raise BackupError(f"{broken} Éléments manquants : {', '.join(missing[:5])}.")
    except (tarfile.TarError, EOFError, OSError, ValueError, KeyError, TypeError) as exc:
        raise BackupError(f"{broken} ({exc})") from exc
    return manifest


def _restore_database(manifest: dict[str, Any], path: Path) -> None:
    engine = manifest["database"]["engine"]
    if engine != connection.vendor:
        raise BackupError(
            f"Cette sauvegarde vient d'une base {engine} ; la base configurée (DATABASE_URL) "
            f"est {connection.vendor}. Rien n'a été restauré."
        )
    connections.close_all()
    if engine == "postgresql":
        tool, made_by = _tool_major("pg_restore"), manifest["database"]["pg_dump"]
        if tool < made_by:
            raise BackupError(
                f"pg_restore {tool} ne lit pas une sauvegarde de pg_dump {made_by} : "
                f"installez postgresql-client-{made_by}. Rien n'a été restauré."
            )
        done = subprocess.run(
            ["pg_restore", "--single-transaction", "--clean", "--if-exists", "--no-owner",
             "--no-privileges", "--exit-on-error", "--dbname", _pg_env()["PGDATABASE"], str(path)],
            env=_pg_env(), capture_output=True, text=True, check=False,
        )  # fmt: skip
        if done.returncode:
            raise BackupError(f"pg_restore a échoué, rien n'a été restauré : {done.stderr.strip()}")
        return
    source = sqlite3.connect(path)
    target = sqlite3.connect(connection.settings_dict["NAME"], timeout=60)
    try:
        source.backup(target)  # one transaction on the target: all pages or none
    finally:
        source.close()
        target.close()


def restore(archive: Path) -> dict[str, Any]:
    """Replace the database and the media files by those of `archive`; returns its manifest."""
    media = Path(settings.MEDIA_ROOT)
    media.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=media.parent, prefix=".restauration-") as tmp:
        folder = Path(tmp)
        manifest = _read_archive(archive, folder)
        _restore_database(manifest, folder / manifest["database"]["member"])
        (folder / "media").mkdir(exist_ok=True)
        old = folder / "media-avant"
        if media.exists():
            media.rename(old)
        (folder / "media").rename(media)
    cache.clear()  # its pages and counters describe the database before
    return manifest
