from __future__ import annotations

import json
from pathlib import Path

import pytest

from takeaways.errors import InputError
from takeaways.pipeline.records import JsonlFields, Record, as_record, input_size, iter_inputs
from tests.batch._batch_corpus import page, story, write_warc


def test_records_directory_recursive_sorted_and_filtered(corpus: Path) -> None:
    recs = list(iter_inputs([corpus]))
    ids = [r.id for r in recs]
    assert ids == sorted(ids)
    assert "notes.md" not in ids
    assert {"page.html", "zipped.htm.gz", "empty.txt", "d00/doc0000.txt"} <= set(ids)
    html = next(r for r in recs if r.id == "page.html")
    assert html.kind == "html" and html.path and html.data is None and html.size > 0


def test_records_jsonl_custom_fields_and_bad_lines(tmp_path: Path) -> None:
    path = tmp_path / "in.jsonl"
    lines = [
        json.dumps({"doc": "a", "body": page(1), "link": "https://x.test/a", "tldr": "S."}),
        json.dumps({"doc": "b", "plain": story(2)}),
        "not json",
        json.dumps({"doc": "c"}),
    ]
    path.write_text("\n".join(lines) + "\n\n", "utf-8")
    fields = JsonlFields(id="doc", html="body", text="plain", url="link", summary="tldr")
    a, b, bad, c = iter_inputs([path], fields=fields)
    assert (a.id, a.kind, a.url, a.summary) == ("a", "html", "https://x.test/a", "S.")
    assert (b.id, b.kind) == ("b", "text") and b.data == story(2).encode()
    assert bad.id.endswith("in.jsonl:3") and "invalid JSON" in bad.meta["error"]
    assert c.id == "c" and "--html-field" in c.meta["error"]


def test_records_warc_responses_only(tmp_path: Path) -> None:
    path = tmp_path / "news.warc.gz"
    write_warc(path, [
        ("https://news.test/a", 200, "text/html; charset=utf-8", page(1).encode()),
        ("https://news.test/missing", 404, "text/html", b"<html>gone</html>"),
        ("https://news.test/doc.pdf", 200, "application/pdf", b"%PDF-1.4"),
    ])
    recs = list(iter_inputs([path]))
    assert [r.url for r in recs] == [
        "https://news.test/a", "https://news.test/missing", "https://news.test/doc.pdf"
    ]
    ok, missing, pdf = recs
    assert ok.data == page(1).encode() and ok.kind == "html" and ok.skip_reason is None
    assert ok.id.startswith("urn:uuid:")
    assert missing.skip_reason == "HTTP status 404"
    assert pdf.skip_reason == "content type application/pdf"
    assert sum(r.size for r in recs) <= input_size([path])


def test_records_missing_input_is_an_input_error(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="not found"):
        input_size([tmp_path / "nope"])


def test_records_as_record_accepts_api_inputs(tmp_path: Path) -> None:
    f = tmp_path / "x.txt"
    f.write_text(story(1), "utf-8")
    assert as_record(Record(id="r", source="s"), 0).id == "r"
    assert as_record({"id": 7, "text": "hi"}, 0).id == "7"
    assert as_record(f, 0).path == str(f)
    assert as_record(str(f), 0).path == str(f)
    assert as_record(b"<p>x</p>", 3).data == b"<p>x</p>"
    assert as_record("some text", 4).data == b"some text"
    with pytest.raises(InputError):
        as_record(42, 0)
