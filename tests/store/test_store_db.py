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



# ------------------------------------------------------------------ the cached merge

def _count_merges(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    import takeaways.store.query as query

    calls: list[int] = []
    real = query.merge_speakers

    def counting(*a: object, **kw: object) -> object:
        calls.append(1)
        return real(*a, **kw)  # type: ignore[arg-type]

    monkeypatch.setattr(query, "merge_speakers", counting)
    return calls


@pytest.mark.parametrize("name", ["q.duckdb", "shards"])
def test_store_db_merge_is_cached_at_close_and_read_by_said(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, name: str) -> None:
    path = fill(tmp_path / name)  # closing the batch store merged and cached
    calls = _count_merges(monkeypatch)
    with open_store(path) as store:
        rows = said(store, "Peskov")
        groups = speakers(store)
    assert [r.doc_id for r in rows] == ["d1", "d2", "d3"] and calls == []
    with open_store(path) as store:
        fresh = speakers(store, cache=False)
    assert [g.to_dict(members=True) for g in groups] == \
        [g.to_dict(members=True) for g in fresh]


@pytest.mark.parametrize("name", ["q.duckdb", "shards"])
def test_store_db_cached_merge_is_invalidated_by_rows_and_alias_file(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, name: str) -> None:
    from takeaways.store import AliasRules
    from tests.store._envelopes import envelope

    path = fill(tmp_path / name)
    calls = _count_merges(monkeypatch)
    # new rows: a write without closing the batch store (a killed run) leaves no cache
    store = BatchStore.open(path)
    store.write_results([envelope("d6", 'Olga Petrova said "we disagree" today.',
                                  [("Olga Petrova", "Olga Petrova", "we disagree")])])
    store.close(cache=False)
    with open_store(path) as reader:
        assert [r.doc_id for r in said(reader, "Petrova")] == ["d6"]
    assert calls == [1]
    with open_store(path) as reader:  # the query cached it: the next one merges no more
        said(reader, "Petrova")
    assert calls == [1]
    # another alias file: merged again, and its result, not the cached one
    rules = AliasRules.from_dict({"separate": {"Peskov": ["Dmitry Peskov"]}})
    with open_store(path) as reader:
        names = [g.name for g in speakers(reader, aliases=rules)]
        assert names.count("Peskov") == 1
    assert calls == [1, 1]
    with open_store(path) as reader:  # back to no alias file: one Peskov again
        assert "Peskov" not in [g.name for g in speakers(reader)]


def test_store_db_cache_key_follows_content_rules_and_settings(tmp_path: Path) -> None:
    from takeaways.store import AliasRules
    from takeaways.store.merge import MergeSettings
    from takeaways.store.query import cache_key

    path = fill(tmp_path / "q.duckdb")
    with open_store(path) as store:
        base = cache_key(store, AliasRules(), MergeSettings())
        assert store.read_cache(base) is not None  # written when the batch closed
        other_rules = cache_key(store, AliasRules.from_dict({"merge": {"A B": "C D"}}),
                                MergeSettings())
        other_settings = cache_key(store, AliasRules(), MergeSettings(word_share=0.9))
    assert len({base, other_rules, other_settings}) == 3
    fill(path, corpus()[:1])  # a rerun of one document: a new content version
    with open_store(path) as store:
        assert cache_key(store, AliasRules(), MergeSettings()) != base
