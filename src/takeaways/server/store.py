"""SQLite store of analyses, with versioned migrations (``PRAGMA user_version``).

Each stored analysis is one row holding the JSON of every result computed for it, so a
permalink shows exactly what was computed then, even after the models change.
"""

from __future__ import annotations

import json
import secrets
import sqlite3
import threading
import time
from pathlib import Path
from typing import Any

#: Ordered migrations; entry ``i`` moves the database from version ``i`` to ``i + 1``.
MIGRATIONS: tuple[str, ...] = (
    """
    CREATE TABLE analyses (
        id          TEXT PRIMARY KEY,
        created_at  REAL NOT NULL,
        title       TEXT,
        source_kind TEXT,
        content_key TEXT NOT NULL,
        summary     TEXT,
        options     TEXT NOT NULL,
        article     TEXT NOT NULL,
        key_points  TEXT,
        quotes      TEXT,
        audit       TEXT,
        errors      TEXT NOT NULL
    );
    CREATE INDEX analyses_created ON analyses (created_at DESC);
    """,
    """
    CREATE INDEX analyses_content_key ON analyses (content_key);
    ALTER TABLE analyses ADD COLUMN schema_version TEXT NOT NULL DEFAULT '1.0';
    """,
)

_JSON_COLUMNS = ("options", "article", "key_points", "quotes", "audit", "errors")


def new_id() -> str:
    """An unguessable, URL-safe permalink id."""
    return secrets.token_urlsafe(12)


class Store:
    """Thread-safe access to one SQLite file (or ``":memory:"``)."""

    def __init__(self, path: Path | str) -> None:
        self.path = str(path)
        if self.path != ":memory:":
            Path(self.path).parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()
        self._conn = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None)
        self._conn.row_factory = sqlite3.Row
        if self.path != ":memory:":
            self._conn.execute("PRAGMA journal_mode=WAL")
        self._conn.execute("PRAGMA busy_timeout=5000")
        self.migrate()

    @property
    def version(self) -> int:
        return int(self._conn.execute("PRAGMA user_version").fetchone()[0])

    def migrate(self) -> int:
        """Apply pending migrations, each in its own transaction; returns the new version."""
        with self._lock:
            current = self.version
            if current > len(MIGRATIONS):
                raise RuntimeError(
                    f"{self.path} has schema version {current}, newer than this takeaways "
                    f"({len(MIGRATIONS)}); upgrade takeaways or use another --db."
                )
            for version in range(current, len(MIGRATIONS)):
                self._conn.executescript(
                    f"BEGIN; {MIGRATIONS[version]} PRAGMA user_version = {version + 1}; COMMIT;"
                )
        return self.version

    def save(self, record: dict[str, Any]) -> str:
        """Insert a record (see `Engine.record`); returns its id."""
        rid = record.get("id") or new_id()
        row = {
            "id": rid, "created_at": record.get("created_at", time.time()),
            "title": record.get("title"), "source_kind": record.get("source_kind"),
            "content_key": record["content_key"], "summary": record.get("summary"),
            "schema_version": record.get("schema_version", "1.0"),
        }
        for col in _JSON_COLUMNS:
            value = record.get(col)
            row[col] = None if value is None else json.dumps(value, ensure_ascii=False)
        cols = ", ".join(row)
        marks = ", ".join(f":{c}" for c in row)
        with self._lock:
            self._conn.execute(f"INSERT INTO analyses ({cols}) VALUES ({marks})", row)
        return str(rid)

    def get(self, rid: str) -> dict[str, Any] | None:
        with self._lock:
            row = self._conn.execute("SELECT * FROM analyses WHERE id = ?", (rid,)).fetchone()
        return None if row is None else _decode(row)

    def find(self, content_key: str) -> str | None:
        """The newest complete (error-free) analysis id with this content key, if any."""
        with self._lock:
            row = self._conn.execute(
                "SELECT id FROM analyses WHERE content_key = ? AND errors = '{}' "
                "ORDER BY created_at DESC LIMIT 1",
                (content_key,),
            ).fetchone()
        return None if row is None else str(row["id"])

    def recent(self, limit: int = 20) -> list[dict[str, Any]]:
        """Newest first: id, created_at, title, source_kind."""
        with self._lock:
            rows = self._conn.execute(
                "SELECT id, created_at, title, source_kind FROM analyses "
                "ORDER BY created_at DESC LIMIT ?", (max(0, limit),),
            ).fetchall()
        return [dict(r) for r in rows]

    def delete(self, rid: str) -> bool:
        with self._lock:
            cur = self._conn.execute("DELETE FROM analyses WHERE id = ?", (rid,))
        return cur.rowcount > 0

    def close(self) -> None:
        with self._lock:
            self._conn.close()


def _decode(row: sqlite3.Row) -> dict[str, Any]:
    """A stored row as the analysis envelope it was saved from (``analysis.schema.json``)."""
    out: dict[str, Any] = {"schema_version": row["schema_version"], "type": "analysis"}
    out.update((k, row[k]) for k in row.keys() if k != "schema_version")
    for col in _JSON_COLUMNS:
        if out.get(col) is not None:
            out[col] = json.loads(out[col])
    return out
