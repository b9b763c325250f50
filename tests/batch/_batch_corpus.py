"""Small corpora written on the fly: text files and a WARC made with warcio's writer."""

from __future__ import annotations

import io
import json
from pathlib import Path

STORY = (
    "The council voted on Monday to approve the budget for district {i}. "
    '"It is a good day for the town," said the mayor, Jane Doe. '
    "Critics said the plan was too expensive for residents and would raise taxes."
)
PAGE = (
    "<html><head><title>Budget {i}</title></head><body><article><h1>Budget {i} passes</h1>"
    "<p>" + STORY + "</p><p>The vote was seven to two after a long debate in the hall.</p>"
    "</article></body></html>"
)


def story(i: int) -> str:
    return STORY.format(i=i)


def page(i: int) -> str:
    return PAGE.format(i=i)


def write_corpus(root: Path, n: int) -> list[str]:
    """``n`` small text documents (ids are their relative paths, in walk order)."""
    root.mkdir(parents=True, exist_ok=True)
    ids = []
    for i in range(n):
        sub = root / f"d{i // 100:02d}"
        sub.mkdir(exist_ok=True)
        (sub / f"doc{i:04d}.txt").write_text(story(i), "utf-8")
        ids.append(f"d{i // 100:02d}/doc{i:04d}.txt")
    return sorted(ids)


def write_warc(path: Path, pages: list[tuple[str, int, str, bytes]]) -> None:
    """A gzipped WARC with a request + response per (url, status, content type, body)."""
    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    with path.open("wb") as fh:
        writer = WARCWriter(fh, gzip=True)
        writer.write_record(writer.create_warcinfo_record(path.name, {"software": "test"}))
        for url, status, ctype, body in pages:
            get = io.BytesIO(b"GET / HTTP/1.1\r\n\r\n")
            req = writer.create_warc_record(url, "request", payload=get)
            writer.write_record(req)
            http = StatusAndHeaders(f"{status} X", [("Content-Type", ctype)], protocol="HTTP/1.1")
            rec = writer.create_warc_record(url, "response", payload=io.BytesIO(body),
                                            http_headers=http)
            writer.write_record(rec)


def read_jsonl(path: Path) -> list[dict[str, object]]:
    return [json.loads(line) for line in path.read_text("utf-8").splitlines()]


