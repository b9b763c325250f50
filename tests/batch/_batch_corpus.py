"""Small corpora written on the fly: text files and a WARC made with warcio's writer."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

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




def gzip_bomb(inflated: int, *, prefix: bytes = b"", suffix: bytes = b"", fill: bytes = b"\0",
              block: int = 1 << 20, exact: bool = False) -> bytes:
    """A gzip member that inflates to ``prefix + fill * inflated + suffix`` bytes, made
    fast: one compressed block of ``fill`` is repeated (each ends with a full flush, so the
    copies are independent). The CRC trailer is right for bombs up to 64 MB or with
    ``exact`` (a second per GB); else it is wrong (a reader that stops at its limit never
    checks it)."""
    import zlib

    c = zlib.compressobj(9, zlib.DEFLATED, 31)
    head = c.compress(prefix) + c.flush(zlib.Z_FULL_FLUSH)
    one = c.compress(fill * block) + c.flush(zlib.Z_FULL_FLUSH)
    reps, extra = divmod(inflated, block)
    rest = c.compress(fill * extra) + c.flush(zlib.Z_FULL_FLUSH) if extra else b""
    end = c.compress(suffix) + c.flush(zlib.Z_FINISH)
    body = head + one * reps + rest + end[:-8]
    total = len(prefix) + inflated + len(suffix)
    if not (exact or total <= 64 << 20):
        return body + end[-8:]
    crc = zlib.crc32(prefix)
    ones = fill * block
    for _ in range(reps):
        crc = zlib.crc32(ones, crc)
    crc = zlib.crc32(suffix, zlib.crc32(fill * extra, crc))
    return body + crc.to_bytes(4, "little") + (total & 0xFFFFFFFF).to_bytes(4, "little")


def write_bomb_warc(path: Path, inflated: int, good: bytes) -> None:
    """A .warc.gz: one response whose body has ``Content-Encoding: gzip`` and inflates to
    ``inflated`` bytes, then an ordinary response with ``good``."""
    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    bomb = gzip_bomb(inflated, prefix=b"<html><body><p>", fill=b" ")
    with path.open("wb") as fh:
        writer = WARCWriter(fh, gzip=True)
        for url, headers, body in (
            ("https://bomb.test/", [("Content-Type", "text/html"),
                                    ("Content-Encoding", "gzip")], bomb),
            ("https://good.test/", [("Content-Type", "text/html")], good),
        ):
            http = StatusAndHeaders("200 OK", headers, protocol="HTTP/1.1")
            writer.write_record(writer.create_warc_record(
                url, "response", payload=io.BytesIO(body), http_headers=http))


class HangingEmbedder:
    """`HashingEmbedder`, except that it never returns for a sentence with 'HANG' in it
    (a document that would run forever) and kills its process on one with 'CRASH'."""

    def __init__(self) -> None:
        from takeaways.nlp.models import HashingEmbedder

        self.base = HashingEmbedder()
        self.name = self.base.name

    def encode(self, texts: list[str]) -> Any:
        import os
        import time

        if any("CRASH" in t for t in texts):
            os._exit(3)  # a worker that dies (as on a segfault or an OOM kill)
        if any("HANG" in t for t in texts):
            while True:
                time.sleep(1)
        return self.base.encode(texts)


def hanging_embedder() -> HangingEmbedder:
    return HangingEmbedder()
