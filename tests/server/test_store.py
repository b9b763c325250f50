"""SQLite store: migrations, CRUD, per-user default path."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from takeaways.server.settings import default_db_path
from takeaways.server.store import MIGRATIONS, Store


def _record(key: str = "k", **extra: object) -> dict[str, object]:
    return {"content_key": key, "title": "T", "source_kind": "text", "options": {"n": 4},
            "article": {"text": "x"}, "key_points": None, "quotes": None, "audit": None,
            "errors": {}} | extra


def test_store_migrates_fresh_db_to_latest(tmp_path: Path) -> None:
    store = Store(tmp_path / "sub" / "a.db")
    assert store.version == len(MIGRATIONS)
    store.close()
    assert Store(tmp_path / "sub" / "a.db").version == len(MIGRATIONS)  # idempotent


def test_store_upgrades_a_version_1_db(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    conn = sqlite3.connect(path)
    conn.executescript(MIGRATIONS[0] + "PRAGMA user_version = 1;")
    conn.execute("INSERT INTO analyses (id, created_at, content_key, options, article, errors) "
                 "VALUES ('old', 1.0, 'k', '{}', '{}', '{}')")
    conn.commit()
    conn.close()
    store = Store(path)
    assert store.version == len(MIGRATIONS)
    assert store.get("old") is not None and store.get("old")["schema_version"] == "1.0"  # type: ignore[index]


def test_store_refuses_newer_db(tmp_path: Path) -> None:
    path = tmp_path / "new.db"
    conn = sqlite3.connect(path)
    conn.execute(f"PRAGMA user_version = {len(MIGRATIONS) + 1}")
    conn.close()
    with pytest.raises(RuntimeError, match="newer"):
        Store(path)


def test_store_crud_and_recent() -> None:
    store = Store(":memory:")
    a = store.save(_record("a", created_at=1.0))
    b = store.save(_record("b", created_at=2.0, errors={"quotes": {"status": 501}}))
    assert store.get(a)["options"] == {"n": 4}  # type: ignore[index]
    assert [r["id"] for r in store.recent(10)] == [b, a]
    assert store.find("a") == a and store.find("b") is None  # incomplete ones are not reused
    assert store.delete(a) and not store.delete(a) and store.get(a) is None


def test_store_default_path_is_per_user(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv("TAKEAWAYS_DB", raising=False)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path))
    assert default_db_path() == tmp_path / "takeaways" / "analyses.db"
    monkeypatch.setenv("TAKEAWAYS_DB", str(tmp_path / "x.db"))
    assert default_db_path() == tmp_path / "x.db"
