"""The store on disk: writes without duplicates, queries, and bad stores."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import pytest

from takeaways.cli import main
from takeaways.errors import StoreError, UnknownSpeakerError, UsageError
from takeaways.store import open_store, said, speakers
from takeaways.store.batch import BatchStore
from tests.store._envelopes import corpus

pytest.importorskip("duckdb")


def fill(path: Path, results: list[dict[str, object]] | None = None) -> Path:
    store = BatchStore.open(path)
    store.write_results(results if results is not None else corpus())
    store.close()
    return path


def count(path: Path) -> int:
    with open_store(path) as store:
        return int(store.con.execute("SELECT count(*) FROM quotes").fetchone()[0])


@pytest.mark.parametrize("name", ["q.duckdb", "shards"])
def test_store_db_rewrites_never_duplicate_a_quote(tmp_path: Path, name: str) -> None:
    path = fill(tmp_path / name)
    fill(path)  # a rerun of the same documents
    fill(path, corpus()[:2])  # a resumed run that redoes two of them
    assert count(path) == 5
    with open_store(path) as store:
        rows = store.con.execute("SELECT doc_id, n FROM quotes").fetchall()
    assert len(rows) == len(set(rows))


@pytest.mark.parametrize("name", ["q.duckdb", "shards"])
def test_store_db_speakers_and_timeline(tmp_path: Path, name: str) -> None:
    path = fill(tmp_path / name)
    with open_store(path) as store:
        groups = speakers(store)
        rows = said(store, "Peskov")
        later = said(store, "dmitry-peskov", since="2016-02-01", until="2016-02-28")
    names = sorted(g.name for g in groups)
    assert names == ["Dmitry Peskov", "Jane Smith", "John Smith"]
    assert [r.doc_id for r in rows] == ["d1", "d2", "d3"]
    first = rows[0].to_dict()
    text = corpus()[0]["article"]["text"]  # type: ignore[index]
    q = first["quote"]
    assert text[q["start"]:q["end"]] == q["text"] == "We will not comment."
    assert set(first) >= {"speaker", "article_id", "url", "date", "quote"}
    assert [r.doc_id for r in later] == ["d2"]


def test_store_db_unknown_and_ambiguous_speakers(tmp_path: Path) -> None:
    path = fill(tmp_path / "q.duckdb")
    with open_store(path) as store:
        with pytest.raises(UnknownSpeakerError, match="Nearest names: Dmitry Peskov"):
            said(store, "Peskow")
        with pytest.raises(UnknownSpeakerError, match="names 2 speakers"):
            said(store, "Smith")
        with pytest.raises(UsageError, match="YYYY-MM-DD"):
            said(store, "Peskov", since="last week")


def test_store_db_cli_speakers_and_said_formats(tmp_path: Path,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    path = str(fill(tmp_path / "q.duckdb"))
    assert main(["speakers", path, "--format", "json"]) == 0
    listed = json.loads(capsys.readouterr().out)
    assert {"id", "name", "aliases", "count", "first", "last"} <= set(listed[0])
    assert listed[0]["name"] == "Dmitry Peskov" and listed[0]["count"] == 3
    for fmt in ("text", "json", "markdown", "csv"):
        assert main(["said", path, "Dmitry Peskov", "--format", fmt]) == 0
        out = capsys.readouterr().out
        assert "We will not comment." in out
    assert main(["said", path, "Nobody Atall"]) == 2
    assert "no speaker named" in capsys.readouterr().err


def test_store_db_alias_file_undoes_a_merge(tmp_path: Path,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    path = str(fill(tmp_path / "q.duckdb"))
    aliases = tmp_path / "aliases.toml"
    aliases.write_text('[separate]\n"Peskov" = ["Dmitry Peskov"]\n', "utf-8")
    assert main(["speakers", path, "--format", "json", "--aliases", str(aliases)]) == 0
    names = [s["name"] for s in json.loads(capsys.readouterr().out)]
    assert names.count("Peskov") == 1 and "Dmitry Peskov" in names


def test_store_db_missing_corrupt_and_foreign_stores(tmp_path: Path) -> None:
    with pytest.raises(StoreError, match="no quote store there"):
        open_store(tmp_path / "none.duckdb")
    bad = tmp_path / "bad.duckdb"
    bad.write_bytes(b"this is not a database" * 100)
    with pytest.raises(StoreError, match="corrupt"):
        open_store(bad)
    import duckdb

    other = tmp_path / "other.duckdb"
    duckdb.connect(str(other)).execute("CREATE TABLE t (x INT)").close()
    with pytest.raises(StoreError, match="not a takeaways quote store"):
        open_store(other)
    with pytest.raises(StoreError, match="not a takeaways quote store"):
        open_store(tmp_path)  # a folder without store.json


@pytest.mark.parametrize(("version", "message"), [("99", "newer"), ("0", "no migration")])
def test_store_db_other_schema_versions(tmp_path: Path, version: str, message: str) -> None:
    import duckdb

    path = fill(tmp_path / "q.duckdb")
    con = duckdb.connect(str(path))
    con.execute("UPDATE meta SET value = ? WHERE key = 'schema_version'", [version])
    con.close()
    with pytest.raises(StoreError, match=message):
        open_store(path)
    shards = fill(tmp_path / "shards")
    (shards / "store.json").write_text(json.dumps({"schema_version": int(version)}), "utf-8")
    with pytest.raises(StoreError, match=message):
        open_store(shards)


def test_store_db_locked_by_another_writer(tmp_path: Path) -> None:
    path = fill(tmp_path / "q.duckdb")
    holder = subprocess.Popen(
        [sys.executable, "-c", "import duckdb, sys, time; c = duckdb.connect(sys.argv[1]); "
         "print('ready', flush=True); time.sleep(60)", str(path)],
        stdout=subprocess.PIPE)
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == b"ready"
        with pytest.raises(StoreError, match="locked by another process"):
            open_store(path)
    finally:
        holder.kill()
        holder.wait()
    time.sleep(0.1)
    assert count(path) == 5
