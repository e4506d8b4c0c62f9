"""Backups and the rehearsed restore (OPS-4).

A backup is one directory ``<OPS_BACKUP_DIR>/<UTC timestamp>/`` holding

- ``db.dump`` — ``pg_dump --format=custom`` of the default database (PostgreSQL), or ``db.sqlite3`` — a
  consistent copy made with SQLite's online backup API (embedded mode);
- ``media.tar.gz`` — every file under ``MEDIA_ROOT``;
- ``manifest.json`` — written last: SHA-256 and size of each file, the time, the database vendor and name,
  the migration heads, the Python/Django/platform versions (no git needed).

It is built as ``<timestamp>.partial`` and renamed when complete, so a crash never leaves something that
looks like a backup. The newest ``OPS_BACKUP_KEEP`` (7) backups are kept.

``restore_rehearse`` takes the newest backup, checks the manifest's checksums, restores it into a scratch
database (``<name>_rehearsal_<timestamp>`` via ``createdb`` + ``pg_restore``; a file copy on SQLite),
runs ``manage.py verify_ledger`` and ``manage.py verify_audit_log`` in a subprocess whose
``DATABASE_URL`` points at the scratch database, drops it, and reports.
"""

import contextlib
import hashlib
import json
import os
import platform
import shutil
import sqlite3
import subprocess
import sys
import tarfile
import tempfile
import time
import tomllib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote

import django
from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections

from platform_core import clock
from platform_core.operations import heartbeats

MANIFEST = "manifest.json"
PG_DUMP = "db.dump"
SQLITE_COPY = "db.sqlite3"
MEDIA_TAR = "media.tar.gz"
FORMAT_VERSION = 1


class BackupError(Exception):
    """A backup could not be made (pg_dump failed, disk full, …)."""


@dataclass(frozen=True)
class Backup:
    path: Path
    manifest: dict[str, Any]


# --- making a backup -------------------------------------------------------------------------------------


def backup_create(
    *, dest: Path | None = None, keep: int | None = None, alias: str = DEFAULT_DB_ALIAS
) -> Backup:
    """OPS-4: back up the database and the uploaded files into a new directory under ``dest``."""
    root = Path(dest) if dest is not None else Path(settings.OPS_BACKUP_DIR)
    root.mkdir(parents=True, exist_ok=True)
    stamp = clock.real_now().strftime("%Y%m%dT%H%M%S.%fZ")
    partial = root / f"{stamp}.partial"
    partial.mkdir()
    try:
        db = connections[alias]
        if db.vendor == "postgresql":
            _pg_dump(db.settings_dict, partial / PG_DUMP)
            db_file = PG_DUMP
        elif db.vendor == "sqlite":
            _sqlite_copy(alias, partial / SQLITE_COPY)
            db_file = SQLITE_COPY
        else:
            raise BackupError(f"no backup method for {db.vendor}")
        media_count = _tar_media(Path(settings.MEDIA_ROOT), partial / MEDIA_TAR)
        manifest = {
            "format_version": FORMAT_VERSION,
            "created_at": clock.real_now().isoformat(),
            "database": {"vendor": db.vendor, "name": str(db.settings_dict["NAME"]), "file": db_file},
            "media": {"root": str(settings.MEDIA_ROOT), "files": media_count, "file": MEDIA_TAR},
            "migrations": _migration_heads(alias),
            "version": _versions(),
            "files": {name: _file_facts(partial / name) for name in (db_file, MEDIA_TAR)},
        }
        _write_json(partial / MANIFEST, manifest)
        final = root / stamp
        partial.rename(final)
    except BaseException:
        shutil.rmtree(partial, ignore_errors=True)
        raise
    backups_prune(root=root, keep=settings.OPS_BACKUP_KEEP if keep is None else keep)
    heartbeats.mark(heartbeats.BACKUP, path=str(final))
    return Backup(path=final, manifest=manifest)


def _pg_env(settings_dict: dict[str, Any]) -> dict[str, str]:
    env = {**os.environ}
    if settings_dict.get("PASSWORD"):
        env["PGPASSWORD"] = str(settings_dict["PASSWORD"])
    return env


def _pg_args(settings_dict: dict[str, Any]) -> list[str]:
    args = []
    if settings_dict.get("HOST"):
        args += ["--host", str(settings_dict["HOST"])]
    if settings_dict.get("PORT"):
        args += ["--port", str(settings_dict["PORT"])]
    if settings_dict.get("USER"):
        args += ["--username", str(settings_dict["USER"])]
    return args


def _run(cmd: list[str], *, env: dict[str, str] | None = None, timeout: float = 3600) -> str:
    proc = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=timeout, check=False)  # noqa: S603
    if proc.returncode != 0:
        raise BackupError(
            f"{Path(cmd[0]).name} exited {proc.returncode}: {(proc.stderr or proc.stdout)[-2000:]}"
        )
    return proc.stdout


def _pg_dump(settings_dict: dict[str, Any], target: Path) -> None:
    _run(
        [
            _binary("pg_dump"),
            *_pg_args(settings_dict),
            "--format=custom",
            "--no-owner",
            "--no-privileges",
            "--file",
            str(target),
            str(settings_dict["NAME"]),
        ],
        env=_pg_env(settings_dict),
    )


def _sqlite_copy(alias: str, target: Path) -> None:
    """A consistent copy while others write: SQLite's online backup API, page by page."""
    db = connections[alias]
    db.ensure_connection()
    destination = sqlite3.connect(target)
    try:
        db.connection.backup(destination)
    finally:
        destination.close()


def _tar_media(root: Path, target: Path) -> int:
    count = 0
    with tarfile.open(target, "w:gz") as tar:
        if root.is_dir():
            for path in sorted(root.rglob("*")):
                if path.is_file():
                    tar.add(path, arcname=str(path.relative_to(root)), recursive=False)
                    count += 1
    return count


def _migration_heads(alias: str) -> dict[str, str]:
    from django.db.migrations.recorder import MigrationRecorder

    heads: dict[str, str] = {}
    for app, name in sorted(MigrationRecorder(connections[alias]).applied_migrations()):
        heads[app] = max(heads.get(app, ""), name)
    return heads


def _versions() -> dict[str, str]:
    project = "unknown"
    pyproject = Path(settings.BASE_DIR) / "pyproject.toml"
    with contextlib.suppress(OSError, KeyError, tomllib.TOMLDecodeError):
        project = str(tomllib.loads(pyproject.read_text())["project"]["version"])
    return {"platform": project, "django": django.get_version(), "python": platform.python_version()}


def _file_facts(path: Path) -> dict[str, Any]:
    return {"sha256": sha256_of(path), "size": path.stat().st_size}


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1024 * 1024), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _write_json(path: Path, value: dict[str, Any]) -> None:
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(value, indent=2, sort_keys=True))
    tmp.replace(path)


# --- finding and checking backups ------------------------------------------------------------------------


def backups_list(*, root: Path | None = None) -> list[Path]:
    """Complete backups (a manifest, not ``.partial``), oldest first."""
    base = Path(root) if root is not None else Path(settings.OPS_BACKUP_DIR)
    if not base.is_dir():
        return []
    return sorted(
        p
        for p in base.iterdir()
        if p.is_dir() and not p.name.endswith(".partial") and (p / MANIFEST).is_file()
    )


def backup_latest(*, root: Path | None = None) -> Path | None:
    found = backups_list(root=root)
    return found[-1] if found else None


def backups_prune(*, root: Path, keep: int) -> list[Path]:
    """Delete all but the newest ``keep`` complete backups; returns what was deleted."""
    doomed = backups_list(root=root)[: -keep or None] if keep > 0 else []
    for path in doomed:
        shutil.rmtree(path)
    return doomed


def backup_verify_files(path: Path) -> list[str]:
    """Problems with the backup's files against its manifest (missing, size or SHA-256 differs)."""
    try:
        manifest = json.loads((path / MANIFEST).read_text())
    except (OSError, ValueError) as exc:
        return [f"manifest unreadable: {exc}"]
    problems = []
    files = manifest.get("files") or {}
    if not files:
        problems.append("manifest lists no files")
    for name, facts in files.items():
        file = path / name
        if not file.is_file():
            problems.append(f"{name}: missing")
            continue
        if file.stat().st_size != facts.get("size"):
            problems.append(f"{name}: size {file.stat().st_size} != manifest {facts.get('size')}")
        digest = sha256_of(file)
        if digest != facts.get("sha256"):
            problems.append(f"{name}: sha256 {digest} != manifest {facts.get('sha256')}")
    return problems


# --- the rehearsal ---------------------------------------------------------------------------------------


@dataclass
class Step:
    name: str
    ok: bool
    output: str
    seconds: float


@dataclass
class RehearsalReport:
    ok: bool
    backup: str
    scratch_database: str
    started_at: str
    finished_at: str = ""
    steps: list[Step] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def restore_rehearse(
    *, backup: Path | None = None, root: Path | None = None, alias: str = DEFAULT_DB_ALIAS
) -> RehearsalReport:
    """OPS-4: restore ``backup`` (default: the newest) into a scratch database and verify it.

    Never raises for a bad backup: the report says what failed. The scratch database is always dropped.
    """
    path = Path(backup) if backup is not None else backup_latest(root=root)
    report = RehearsalReport(ok=False, backup=str(path or ""), scratch_database="", started_at=_now())
    if path is None:
        report.steps.append(Step("find_backup", False, "no complete backup found", 0.0))
        return _finish(report)

    with _step(report, "checksums") as out:
        problems = backup_verify_files(path)
        out.append("; ".join(problems) if problems else "all files match the manifest")
        if problems:
            raise BackupError(out[-1])
    if not report.steps[-1].ok:
        return _finish(report)
    manifest = json.loads((path / MANIFEST).read_text())

    with _step(report, "media_archive") as out:
        with tarfile.open(path / MEDIA_TAR, "r:gz") as tar:
            members = [m for m in tar.getmembers() if m.isfile()]
        expected = manifest["media"]["files"]
        out.append(f"{len(members)} files (manifest: {expected})")
        if len(members) != expected:
            raise BackupError(out[-1])

    vendor = manifest["database"]["vendor"]
    with tempfile.TemporaryDirectory(prefix="rehearsal-") as scratch_dir:
        if vendor == "postgresql":
            source = connections[alias].settings_dict
            scratch = _scratch_name(str(source["NAME"]))
            report.scratch_database = scratch
            created = False
            try:
                with _step(report, "createdb") as out:
                    out.append(_run([_binary("createdb"), *_pg_args(source), scratch], env=_pg_env(source)))
                    created = True
                if created:
                    with _step(report, "pg_restore") as out:
                        out.append(
                            _run(
                                [
                                    _binary("pg_restore"),
                                    *_pg_args(source),
                                    "--no-owner",
                                    "--no-privileges",
                                    "--exit-on-error",
                                    "--dbname",
                                    scratch,
                                    str(path / PG_DUMP),
                                ],
                                env=_pg_env(source),
                            )
                        )
                    if report.steps[-1].ok:
                        _verify_steps(report, _pg_url(source, scratch), taken_at=_taken_at(path))
            finally:
                if created:
                    with _step(report, "dropdb") as out:
                        out.append(
                            _run(
                                [_binary("dropdb"), *_pg_args(source), "--if-exists", scratch],
                                env=_pg_env(source),
                            )
                        )
        elif vendor == "sqlite":
            copy = Path(scratch_dir) / "rehearsal.sqlite3"
            report.scratch_database = str(copy)
            with _step(report, "restore_copy") as out:
                shutil.copyfile(path / SQLITE_COPY, copy)
                check = sqlite3.connect(copy)
                try:
                    result = check.execute("PRAGMA integrity_check").fetchone()[0]
                finally:
                    check.close()
                out.append(f"integrity_check: {result}")
                if result != "ok":
                    raise BackupError(out[-1])
            if report.steps[-1].ok:
                _verify_steps(report, f"sqlite:///{copy}", taken_at=_taken_at(path))
        else:
            report.steps.append(Step("restore", False, f"no restore method for {vendor}", 0.0))
    report.ok = all(step.ok for step in report.steps)
    return _finish(report)


def _taken_at(path: Path) -> datetime | None:
    """When the backup in ``path`` started (its directory's name), before its database dump was taken."""
    try:
        return datetime.strptime(path.name, "%Y%m%dT%H%M%S.%fZ").replace(tzinfo=UTC)
    except ValueError:
        return None


def _verify_steps(report: RehearsalReport, database_url: str, *, taken_at: datetime | None) -> None:
    """The two verify commands, each in a fresh ``manage.py`` whose only database is the scratch one.

    AUD-1: the audit log is compared with the anchors written before the backup started (later ones name
    entries the backup cannot hold)."""
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "DJANGO_SETTINGS_MODULE": "platform_core.settings",
        "AUDIT_ANCHOR_DIR": str(settings.AUDIT_ANCHOR_DIR),
    }
    manage = str(Path(settings.BASE_DIR) / "manage.py")
    audit_args = [f"--anchors-until={taken_at.isoformat()}"] if taken_at is not None else []
    for command, args in (("verify_ledger", []), ("verify_audit_log", audit_args)):
        with _step(report, command) as out:
            proc = subprocess.run(  # noqa: S603
                [sys.executable, manage, command, *args],
                env=env,
                capture_output=True,
                text=True,
                timeout=3600,
                check=False,
                cwd=str(settings.BASE_DIR),
            )
            out.append((proc.stdout + proc.stderr).strip()[-2000:])
            if proc.returncode != 0:
                raise BackupError(out[-1])


@contextmanager
def _step(report: RehearsalReport, name: str) -> Iterator[list[str]]:
    out: list[str] = []
    started = time.perf_counter()
    try:
        yield out
        ok = True
    except Exception as exc:
        ok = False
        if not out:
            out.append(f"{type(exc).__name__}: {exc}"[:2000])
    report.steps.append(
        Step(name, ok, "\n".join(o for o in out if o).strip(), round(time.perf_counter() - started, 3))
    )


def _finish(report: RehearsalReport) -> RehearsalReport:
    report.ok = bool(report.steps) and all(step.ok for step in report.steps)
    report.finished_at = _now()
    heartbeats.mark(f"{heartbeats.REHEARSAL}:last", restore_rehearsal=report.ok, backup=report.backup)
    if report.ok:
        heartbeats.mark(heartbeats.REHEARSAL, backup=report.backup)
    return report


def _scratch_name(source: str) -> str:
    suffix = "_rehearsal_" + clock.real_now().strftime("%Y%m%d%H%M%S")
    return source[: 63 - len(suffix)] + suffix  # PostgreSQL names stop at 63 bytes


def _pg_url(settings_dict: dict[str, Any], name: str) -> str:
    user = quote(str(settings_dict.get("USER") or ""), safe="")
    password = settings_dict.get("PASSWORD")
    auth = user + (f":{quote(str(password), safe='')}" if password else "")
    host = settings_dict.get("HOST") or "127.0.0.1"
    port = settings_dict.get("PORT") or 5432
    return f"postgres://{auth}@{host}:{port}/{name}"


def _binary(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        raise BackupError(f"{name} not found on PATH (install the PostgreSQL client)")
    return found


def _now() -> str:
    return clock.real_now().isoformat()
