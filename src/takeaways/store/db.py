"""The quote store on disk: one DuckDB file, or a folder of Parquet shards.

Both expose the same three relations to queries, ``articles``, ``quotes`` and
``entities`` (columns in `takeaways.store.rows`).

* **DuckDB file** (``quotes.duckdb``): each batch is one transaction that deletes the
  rows of its documents and inserts them again, so a rerun or a ``--resume`` after a
  kill never holds a quote twice. The batch runner writes the store *before* the JSONL
  line, so a document can be in the store and not yet in ``--out`` (then ``--resume``
  runs it again and replaces its rows), never the other way round.
* **Parquet folder** (``--engine ray``, or a ``--store`` that is a folder): every batch
  writes one shard per relation (``quotes/``, ``entities/``, then ``articles/`` last, each
  renamed into place when complete). A document's rows are those of its newest article
  shard, so repeats are dropped when read.

**The speaker merge is cached in the store** (`read_cache` / `write_cache`), keyed by the
store's *content version* (DuckDB: ``meta.content_version``, renewed in every write
transaction; Parquet: a digest of the article shard names) together with the merge
strategy, the alias rules and the merge settings. A write, a new alias file or new
settings change the key, so a stale merge is never read: the next query merges again and
stores the result (``speaker_cache`` table / ``speaker_cache.json``).

Errors are `StoreError` with what went wrong and the fix: a missing, corrupt or locked
store, or one from another schema version (older versions are migrated when a
migration exists).
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import time
import uuid
from pathlib import Path
from types import TracebackType
from typing import Any

from takeaways.errors import StoreError
from takeaways.store.rows import ARTICLE_COLUMNS, ENTITY_COLUMNS, QUOTE_COLUMNS, Rows

log = logging.getLogger(__name__)

__all__ = ["STORE_SCHEMA_VERSION", "QuoteStore", "is_parquet_store", "open_store"]

#: the store's schema version (``meta`` table / ``store.json``); bump it with a migration
STORE_SCHEMA_VERSION = 1

#: migrations: from version -> SQL statements that bring a store to version + 1
MIGRATIONS: dict[int, tuple[str, ...]] = {}

_DDL = {
    "articles": "doc_id VARCHAR PRIMARY KEY, article_id VARCHAR, url VARCHAR, date VARCHAR, "
                "title VARCHAR, text VARCHAR, shard BIGINT",
    "quotes": 'doc_id VARCHAR, n INTEGER, kind VARCHAR, text VARCHAR, start INTEGER, "end" '
              "INTEGER, parts VARCHAR, cue VARCHAR, cue_start INTEGER, cue_end INTEGER, "
              "mention VARCHAR, mention_start INTEGER, mention_end INTEGER, how VARCHAR, "
              "entity_id VARCHAR, entity VARCHAR, shard BIGINT, PRIMARY KEY (doc_id, n)",
    "entities": "doc_id VARCHAR, entity_id VARCHAR, name VARCHAR, type VARCHAR, "
                "aliases VARCHAR, roles VARCHAR, shard BIGINT, PRIMARY KEY (doc_id, entity_id)",
}
_COLUMNS = {"articles": ARTICLE_COLUMNS, "quotes": QUOTE_COLUMNS, "entities": ENTITY_COLUMNS}
_REBUILD = ("rebuild it: takeaways batch INPUT... --out OUT.jsonl --what quotes "
            "--store NEW_STORE")


def _duckdb() -> Any:
    try:
        import duckdb
    except ImportError as exc:  # pragma: no cover - the batch extra installs it
        raise StoreError("the quote store needs DuckDB; install it with "
                         "pip install 'takeaways[batch]' (or pip install duckdb).") from exc
    return duckdb


def is_parquet_store(path: Path) -> bool:
    """A folder (or a name without the ``.duckdb`` suffix that is not a file) is a
    Parquet store."""
    return path.is_dir() or (not path.exists() and path.suffix.lower() != ".duckdb")


def _shard_id() -> int:
    return time.time_ns()


class QuoteStore:
    """An open store: ``con`` is a DuckDB connection where ``articles``, ``quotes`` and
    ``entities`` can be queried. Write with `write`; close with `close` (or ``with``)."""

    def __init__(self, path: Path, con: Any, *, parquet: bool, writable: bool) -> None:
        self.path = path
        self.con = con
        self.parquet = parquet
        self.writable = writable
        #: a Parquet store read: the content version of the shards it read
        self.shards_version: str | None = None

    # ------------------------------------------------------------------ writing
    def write(self, rows: Rows) -> None:
        """Replace the rows of ``rows.doc_ids`` with ``rows`` (one transaction / shard)."""
        if not self.writable:
            raise StoreError(f"{self.path}: the store was opened read-only.")
        if not rows.doc_ids:
            return
        try:
            if self.parquet:
                self._write_shards(rows)
            else:
                self._write_transaction(rows)
        except _duckdb().Error as exc:
            raise StoreError(f"{self.path}: writing the quote store failed ({exc}); check "
                             "the disk, then run again with --resume.") from exc

    def _insert(self, table: str, values: list[tuple[Any, ...]]) -> None:
        if values:
            cols = _COLUMNS[table]
            marks = ", ".join("?" for _ in cols)
            self.con.executemany(f"INSERT INTO {table} VALUES ({marks})", values)

    def _write_transaction(self, rows: Rows) -> None:
        con = self.con
        con.execute("BEGIN TRANSACTION")
        try:
            for table in _DDL:
                con.execute(f"DELETE FROM {table} WHERE doc_id IN (SELECT unnest(?))",
                            [rows.doc_ids])
            self._insert("articles", rows.articles)
            self._insert("quotes", rows.quotes)
            self._insert("entities", rows.entities)
            con.execute("DELETE FROM meta WHERE key = 'content_version'")
            con.execute("INSERT INTO meta VALUES ('content_version', ?)", [uuid.uuid4().hex])
            con.execute("COMMIT")
        except BaseException:
            con.execute("ROLLBACK")
            raise

    def _write_shards(self, rows: Rows) -> None:
        shard = rows.articles[0][-1]
        name = f"part-{shard}-{os.getpid()}.parquet"
        duckdb = _duckdb()
        with duckdb.connect(":memory:") as mem:
            for table in ("quotes", "entities", "articles"):  # articles last: the commit
                mem.execute(f"CREATE TABLE {table} ({_DDL[table]})")
                tmp = QuoteStore(self.path, mem, parquet=False, writable=True)
                tmp._insert(table, getattr(rows, table))
                final = self.path / table / name
                part = final.with_suffix(".tmp")
                mem.execute(f"COPY {table} TO '{_sql_path(part)}' (FORMAT parquet)")
                _fsync(part)
                os.replace(part, final)

    # ------------------------------------------------------------------ merge cache
    def content_version(self) -> str:
        """Changes with every write (a DuckDB transaction, a Parquet article shard)."""
        if self.parquet:
            return self.shards_version or _shards_version(self.path)
        return content_of(self.con)

    def read_cache(self, key: str) -> str | None:
        """The cached payload stored under ``key``, or None (none, or another key)."""
        try:
            if self.parquet:
                data = json.loads((self.path / CACHE_FILE).read_text("utf-8"))
                return str(data["payload"]) if data.get("key") == key else None
            if CACHE_TABLE not in _tables(self.con):
                return None
            row = self.con.execute(f"SELECT payload FROM {CACHE_TABLE} WHERE key = ?",
                                   [key]).fetchone()
            return str(row[0]) if row else None
        except (OSError, ValueError, KeyError, TypeError, _duckdb().Error):
            return None

    def write_cache(self, key: str, payload: str) -> bool:
        """Store ``payload`` under ``key`` (replacing any other); best effort: False when
        the store cannot be written now (locked by a writer, read-only disk)."""
        try:
            if self.parquet:
                tmp = self.path / f"{CACHE_FILE}.{os.getpid()}.tmp"
                tmp.write_text(json.dumps({"key": key, "payload": payload}), "utf-8")
                os.replace(tmp, self.path / CACHE_FILE)
                return True
            if self.writable:
                _put_cache(self.con, key, payload)
                return True
            return self._write_cache_reopened(key, payload)
        except (OSError, _duckdb().Error) as exc:
            log.info("%s: the speaker merge was not cached (%s)", self.path, exc)
            return False

    def _write_cache_reopened(self, key: str, payload: str) -> bool:
        """A read-only DuckDB store: reopen it for writing for the cache, then read-only
        again (a running batch holds the lock: then the merge is simply not cached)."""
        duckdb = _duckdb()
        self.con.close()
        try:
            with duckdb.connect(str(self.path)) as rw:
                if content_of(rw) != key.split(":", 1)[0]:
                    return False  # written meanwhile: this merge is already stale
                _put_cache(rw, key, payload)
            return True
        finally:
            self.con = duckdb.connect(str(self.path), read_only=True)

    # ------------------------------------------------------------------ closing
    def close(self) -> None:
        try:
            self.con.close()
        except Exception:  # noqa: BLE001 - closing twice or after an error is harmless
            log.debug("closing %s", self.path, exc_info=True)

    def __enter__(self) -> QuoteStore:
        return self

    def __exit__(self, tp: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()


CACHE_TABLE = "speaker_cache"
CACHE_FILE = "speaker_cache.json"


def content_of(con: Any) -> str:
    row = con.execute("SELECT value FROM meta WHERE key = 'content_version'").fetchone()
    return str(row[0]) if row else "0"


def _put_cache(con: Any, key: str, payload: str) -> None:
    con.execute(f"CREATE TABLE IF NOT EXISTS {CACHE_TABLE} (key VARCHAR, payload VARCHAR)")
    con.execute("BEGIN TRANSACTION")
    try:
        con.execute(f"DELETE FROM {CACHE_TABLE}")
        con.execute(f"INSERT INTO {CACHE_TABLE} VALUES (?, ?)", [key, payload])
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise


def _sql_path(path: Path) -> str:
    return str(path).replace("'", "''")


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def new_shard() -> int:
    """The tag of a new write (nanoseconds: later writes win)."""
    return _shard_id()


# ---------------------------------------------------------------------- opening


def open_store(path: str | Path, *, write: bool = False) -> QuoteStore:
    """Open the store at ``path``: a ``.duckdb`` file or a Parquet folder. ``write``
    creates it when missing; reading a missing store is a `StoreError`."""
    p = Path(path)
    if is_parquet_store(p):
        return _open_parquet(p, write)
    return _open_duckdb(p, write)


def _connect_error(path: Path, exc: BaseException) -> StoreError:
    msg = str(exc)
    if "lock" in msg.lower():
        return StoreError(
            f"{path}: the quote store is locked by another process (a running "
            f"takeaways batch --store?): {msg.splitlines()[0]}. Wait for it to finish, or "
            "query a copy of the file.")
    return StoreError(
        f"{path}: not a readable DuckDB quote store; the file is corrupt or not a store "
        f"({msg.splitlines()[0] if msg else type(exc).__name__}). Move it away and "
        f"{_REBUILD}.")


def _open_duckdb(path: Path, write: bool) -> QuoteStore:
    duckdb = _duckdb()
    if path.is_dir():
        raise StoreError(f"{path} is a folder; a DuckDB store is a .duckdb file.")
    if not write and not path.exists():
        raise StoreError(f"{path}: no quote store there. Build one with takeaways batch "
                         "INPUT... --out OUT.jsonl --what quotes --store " + str(path))
    try:
        con = duckdb.connect(str(path), read_only=not write)
    except duckdb.Error as exc:
        raise _connect_error(path, exc) from exc
    store = QuoteStore(path, con, parquet=False, writable=write)
    try:
        _check_duckdb_schema(store)
    except BaseException:
        store.close()
        raise
    return store


def _tables(con: Any) -> set[str]:
    rows = con.execute("SELECT table_name FROM information_schema.tables").fetchall()
    return {r[0] for r in rows}


def _check_duckdb_schema(store: QuoteStore) -> None:
    con, path = store.con, store.path
    tables = _tables(con)
    if not tables and store.writable:
        _create(con)
        return
    if "meta" not in tables:
        raise StoreError(f"{path}: a DuckDB file, but not a takeaways quote store (no meta "
                         f"table). Name another --store file, or {_REBUILD}.")
    row = con.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
    version = int(row[0]) if row and str(row[0]).isdigit() else -1
    _check_version(store, version)


def _create(con: Any) -> None:
    con.execute("CREATE TABLE meta (key VARCHAR PRIMARY KEY, value VARCHAR)")
    for table, ddl in _DDL.items():
        con.execute(f"CREATE TABLE {table} ({ddl})")
    con.execute("INSERT INTO meta VALUES ('schema_version', ?), ('created_by', 'takeaways')",
                [str(STORE_SCHEMA_VERSION)])


def _check_version(store: QuoteStore, version: int) -> None:
    if version == STORE_SCHEMA_VERSION:
        return
    path = store.path
    if version > STORE_SCHEMA_VERSION:
        raise StoreError(f"{path}: the store has schema version {version}, newer than this "
                         f"takeaways reads ({STORE_SCHEMA_VERSION}). Upgrade takeaways.")
    if not all(v in MIGRATIONS for v in range(max(version, 0), STORE_SCHEMA_VERSION)) or \
            version < 0:
        raise StoreError(f"{path}: the store has schema version {version}; this takeaways "
                         f"reads version {STORE_SCHEMA_VERSION} and has no migration from "
                         f"it. Move it away and {_REBUILD}.")
    if not store.writable or store.parquet:
        raise StoreError(f"{path}: the store has schema version {version} and needs a "
                         f"migration to {STORE_SCHEMA_VERSION}; open it for writing once "
                         "(takeaways batch … --store with --resume) to migrate it.")
    _migrate(store.con, version)  # pragma: no cover - no migration exists yet


def _migrate(con: Any, version: int) -> None:  # pragma: no cover - no migration yet
    for v in range(version, STORE_SCHEMA_VERSION):
        for sql in MIGRATIONS[v]:
            con.execute(sql)
    con.execute("UPDATE meta SET value = ? WHERE key = 'schema_version'",
                [str(STORE_SCHEMA_VERSION)])
    log.warning("migrated the quote store from schema version %d to %d", version,
                STORE_SCHEMA_VERSION)


# ---------------------------------------------------------------------- Parquet folder


def _open_parquet(path: Path, write: bool) -> QuoteStore:
    marker = path / "store.json"
    if not marker.exists():
        if not write:
            what = "no quote store there" if not path.exists() else \
                "a folder without store.json, so not a takeaways quote store"
            raise StoreError(f"{path}: {what}. Build one with takeaways batch INPUT... "
                             f"--out OUT.jsonl --what quotes --engine ray --store {path}")
        if path.exists() and any(path.iterdir()):
            raise StoreError(f"{path}: the folder is not empty and is not a quote store; "
                             "name an empty or new folder for --store.")
        for table in _DDL:
            (path / table).mkdir(parents=True, exist_ok=True)
        marker.write_text(json.dumps({"schema_version": STORE_SCHEMA_VERSION,
                                      "format": "parquet"}), "utf-8")
    version = _parquet_version(marker)
    duckdb = _duckdb()
    store = QuoteStore(path, duckdb.connect(":memory:"), parquet=True, writable=write)
    _check_version(store, version)
    if not write:
        try:
            _parquet_views(store)
        except duckdb.Error as exc:
            store.close()
            raise StoreError(f"{path}: a Parquet shard cannot be read ({exc}); the store "
                             f"is corrupt. Remove the damaged shard, or {_REBUILD}.") from exc
    return store


def _parquet_version(marker: Path) -> int:
    try:
        data = json.loads(marker.read_text("utf-8"))
        return int(data["schema_version"])
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise StoreError(f"{marker}: unreadable store marker ({exc}); the store is corrupt. "
                         f"{_REBUILD[0].upper()}{_REBUILD[1:]}.") from exc


def _shards_version(path: Path) -> str:
    names = sorted(p.name for p in (path / "articles").glob("*.parquet"))
    return hashlib.sha256("\n".join(names).encode()).hexdigest()[:32]


def _parquet_views(store: QuoteStore) -> None:
    """Tables of the newest rows per document (read once: queries then run in memory)."""
    con, path = store.con, store.path
    store.shards_version = _shards_version(path)  # before reading: a later shard is new
    for table in ("articles", "quotes", "entities"):
        files = sorted((path / table).glob("*.parquet"))
        if not files:
            con.execute(f"CREATE TEMP TABLE raw_{table} ({_DDL[table]})")
            continue
        listing = ", ".join(f"'{_sql_path(f)}'" for f in files)
        con.execute(f"CREATE TEMP TABLE raw_{table} AS SELECT * FROM read_parquet([{listing}])")
    con.execute("CREATE TEMP TABLE articles AS SELECT * FROM raw_articles QUALIFY "
                "row_number() OVER (PARTITION BY doc_id ORDER BY shard DESC) = 1")
    for table in ("quotes", "entities"):
        con.execute(f"CREATE TEMP TABLE {table} AS SELECT r.* FROM raw_{table} r "
                    "SEMI JOIN articles a ON r.doc_id = a.doc_id AND r.shard = a.shard")
