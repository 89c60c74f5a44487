"""SQLite storage for registries; knows nothing of HTTP.

One connection shared by Starlette's worker threads (`check_same_thread=False`) behind one lock:
every method is a short transaction, so a lock is simpler and faster than a connection pool.
`path=None` keeps everything in memory; a file survives restarts. Registries are also mirrored in
memory (written through, loaded at start), so listing 1,000 of them parses no JSON.
"""

from __future__ import annotations

import copy
import json
import secrets
import sqlite3
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from typing import Any, Literal

Family = Literal["basic", "ecr"]
FAMILIES: tuple[Family, ...] = ("basic", "ecr")
Scope = Literal["system", "tenant"]  # registries are tenant-level; system on self-hosted Palette

_SCHEMA = """
CREATE TABLE IF NOT EXISTS registries (
    uid TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    kind TEXT NOT NULL,
    scope TEXT NOT NULL,
    spec TEXT NOT NULL,
    sync_capable INTEGER NOT NULL,
    created REAL NOT NULL,
    modified REAL NOT NULL,
    sync_generation INTEGER NOT NULL DEFAULT 0,
    sync_started REAL,
    sync_result TEXT NOT NULL DEFAULT '',
    sync_message TEXT NOT NULL DEFAULT '',
    sync_finished REAL
);
CREATE TABLE IF NOT EXISTS registry_annotations (
    uid TEXT PRIMARY KEY,
    annotations TEXT NOT NULL
);
"""

_REGISTRY_COLUMNS = (
    "uid, name, kind, scope, spec, sync_capable, created, modified,"
    " sync_generation, sync_started, sync_result, sync_message, sync_finished"
)


def new_uid() -> str:
    """A Palette-style uid: 24 lowercase hex characters."""
    return secrets.token_hex(12)


class NameTaken(Exception):
    """Another registry in the same scope already has this name."""


@dataclass
class SyncRun:
    """The latest synchronisation of a registry. `result` is "" while it runs, then Success or Failed."""

    generation: int = 0
    started: float | None = None
    result: str = ""
    message: str = ""
    finished: float | None = None


@dataclass
class Registry:
    uid: str
    name: str
    family: Family  # which API holds it: /oci/{uid}/basic or /oci/{uid}/ecr (column `kind`)
    scope: Scope
    spec: dict[str, Any]
    sync_capable: bool
    created: float = field(default_factory=time.time)
    modified: float = field(default_factory=time.time)
    sync: SyncRun = field(default_factory=SyncRun)
    # metadata.annotations as the client sent them (kept in their own table, see _write_annotations)
    annotations: dict[str, str] = field(default_factory=dict)

    @property
    def provider_type(self) -> str:
        return str(self.spec.get("providerType") or "helm")

    @property
    def sync_enabled(self) -> bool:
        """Synchronization was asked for (spec.isSyncSupported)."""
        return bool(self.spec.get("isSyncSupported"))

    @property
    def syncing(self) -> bool:
        """It synchronizes: asked for, and the registry can (one created before Palette 4.5.0 cannot)."""
        return self.sync_enabled and self.sync_capable


def _registry_row(reg: Registry) -> tuple[Any, ...]:
    run = reg.sync
    return (
        reg.uid,
        reg.name,
        reg.family,
        reg.scope,
        json.dumps(reg.spec),
        int(reg.sync_capable),
        reg.created,
        reg.modified,
        run.generation,
        run.started,
        run.result,
        run.message,
        run.finished,
    )


def _snapshot(reg: Registry) -> Registry:
    """A private copy for the in-memory mirror, so later changes to `reg` do not leak into it."""
    return replace(reg, spec=copy.deepcopy(reg.spec), sync=replace(reg.sync), annotations=dict(reg.annotations))


def _write_annotations(db: sqlite3.Connection, reg: Registry) -> None:
    if reg.annotations:
        db.execute(
            "INSERT OR REPLACE INTO registry_annotations (uid, annotations) VALUES (?, ?)",
            (reg.uid, json.dumps(reg.annotations)),
        )
    else:
        db.execute("DELETE FROM registry_annotations WHERE uid = ?", (reg.uid,))


def _registry_from(row: tuple[Any, ...]) -> Registry:
    (uid, name, family, scope, spec, capable, created, modified, generation, started, result, message, finished) = row
    return Registry(
        uid=uid,
        name=name,
        family=family,
        scope=scope,
        spec=json.loads(spec),
        sync_capable=bool(capable),
        created=created,
        modified=modified,
        sync=SyncRun(generation, started, result, message, finished),
    )


class Store:
    def __init__(self, path: str | None = None) -> None:
        self._lock = threading.Lock()
        self._db = sqlite3.connect(path or ":memory:", check_same_thread=False, isolation_level=None)
        if path:
            self._db.execute("PRAGMA journal_mode=WAL")
        self._db.executescript(_SCHEMA)
        self._registries = self._load_registries()

    @contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        with self._lock:
            self._db.execute("BEGIN")
            try:
                yield self._db
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            self._db.execute("COMMIT")

    def close(self) -> None:
        with self._lock:
            self._db.close()

    # Registries: SQLite holds them; a write-through copy in memory answers reads without parsing JSON.

    def _load_registries(self) -> dict[str, Registry]:
        rows = self._db.execute(f"SELECT {_REGISTRY_COLUMNS} FROM registries ORDER BY rowid").fetchall()
        registries = {row[0]: _registry_from(row) for row in rows}
        for uid, stored in self._db.execute("SELECT uid, annotations FROM registry_annotations"):
            if uid in registries:
                registries[uid].annotations = json.loads(stored)
        return registries

    def insert(self, reg: Registry, unique: bool = True) -> None:
        """Store a new registry; NameTaken when `unique` and its scope already has one of that name."""
        try:
            with self._transaction() as db:
                if unique and any(r.name == reg.name and r.scope == reg.scope for r in self._registries.values()):
                    raise NameTaken(reg.name)
                db.execute(
                    f"INSERT INTO registries ({_REGISTRY_COLUMNS}) VALUES ({', '.join('?' * 13)})",
                    _registry_row(reg),
                )
                _write_annotations(db, reg)
                self._registries[reg.uid] = _snapshot(reg)
        except sqlite3.IntegrityError as exc:
            raise NameTaken(reg.name) from exc

    def save(self, reg: Registry) -> bool:
        """Overwrite a stored registry; False when it no longer exists."""
        row = _registry_row(reg)
        try:
            with self._transaction() as db:
                cursor = db.execute(
                    "UPDATE registries SET name=?, kind=?, scope=?, spec=?, sync_capable=?,"
                    " created=?, modified=?, sync_generation=?, sync_started=?, sync_result=?,"
                    " sync_message=?, sync_finished=? WHERE uid=?",
                    (*row[1:], reg.uid),
                )
                if cursor.rowcount == 1:
                    _write_annotations(db, reg)
                    self._registries[reg.uid] = _snapshot(reg)
        except sqlite3.IntegrityError as exc:
            raise NameTaken(reg.name) from exc
        return cursor.rowcount == 1

    def get(self, uid: str) -> Registry | None:
        """A copy the caller may change (then `save`)."""
        with self._lock:
            reg = self._registries.get(uid)
        return replace(reg, sync=replace(reg.sync)) if reg else None

    def all(self) -> list[Registry]:
        """Every registry, oldest first. Shared objects: read them, never change them."""
        with self._lock:
            return list(self._registries.values())

    def delete(self, uid: str) -> bool:
        with self._transaction() as db:
            self._registries.pop(uid, None)
            db.execute("DELETE FROM registry_annotations WHERE uid = ?", (uid,))
            return db.execute("DELETE FROM registries WHERE uid = ?", (uid,)).rowcount == 1

    def delete_all(self) -> None:
        with self._transaction() as db:
            db.execute("DELETE FROM registries")
            db.execute("DELETE FROM registry_annotations")
            self._registries.clear()

    def record_sync_result(self, uid: str, generation: int, result: str, message: str, finished: float) -> bool:
        """Store the outcome of sync run `generation`; ignored when a newer run has started since."""
        with self._transaction() as db:
            cursor = db.execute(
                "UPDATE registries SET sync_result=?, sync_message=?, sync_finished=?"
                " WHERE uid=? AND sync_generation=?",
                (result, message, finished, uid, generation),
            )
            cached = self._registries.get(uid)
            if cursor.rowcount == 1 and cached is not None:
                run = replace(cached.sync, result=result, message=message, finished=finished)
                self._registries[uid] = replace(cached, sync=run)
        return cursor.rowcount == 1

    def unfinished_syncs(self) -> list[Registry]:
        """Registries whose last sync run never recorded an outcome (e.g. the process stopped)."""
        return [reg for reg in self.all() if reg.sync.started is not None and not reg.sync.result]
