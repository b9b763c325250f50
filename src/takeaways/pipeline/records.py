"""Batch inputs → a stream of `Record`s: directories, JSONL and WARC files.

Every reader is a generator, so a corpus is never held in memory. A record
carries its input (a file path to read later, or the bytes themselves), the
kind hint, the URL and an optional summary to audit. ``size`` is how many input
bytes the record accounts for, so progress (and its ETA) can be measured in
bytes across every input format.
"""

from __future__ import annotations

import gzip
import json
import logging
import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from takeaways.errors import InputError

log = logging.getLogger(__name__)

DOC_SUFFIXES = (".html", ".htm", ".txt")
JSONL_SUFFIXES = (".jsonl", ".ndjson", ".jsonl.gz", ".ndjson.gz")
WARC_SUFFIXES = (".warc", ".warc.gz", ".arc.gz")

__all__ = [
    "DOC_SUFFIXES",
    "JsonlFields",
    "Record",
    "as_record",
    "input_size",
    "iter_inputs",
    "safe_record",
]


@dataclass(frozen=True, slots=True)
class JsonlFields:
    """Which JSONL keys hold the id, HTML, text, URL and summary of a record."""

    id: str = "id"
    html: str = "html"
    text: str = "text"
    url: str = "url"
    summary: str = "summary"


@dataclass(slots=True)
class Record:
    """One document to process. ``data`` is the page itself; else ``path`` is read later."""

    id: str
    source: str
    data: bytes | None = None
    path: str | None = None
    kind: str | None = None
    url: str | None = None
    summary: str | list[str] | None = None
    skip_reason: str | None = None
    size: int = 0
    meta: dict[str, Any] = field(default_factory=dict)

    def materialize(self) -> Record:
        """Load ``path`` into ``data`` (for engines whose workers cannot see local files)."""
        if self.data is None and self.path is not None and self.skip_reason is None:
            try:
                self.data = Path(self.path).read_bytes()
            except OSError:
                pass  # read() in the worker reports the error for this record alone
        return self


def _suffix(path: Path) -> str:
    name = path.name.lower()
    return name[:-3] if name.endswith(".gz") else name


def _is_doc(path: Path) -> bool:
    return _suffix(path).endswith(DOC_SUFFIXES)


def _is_jsonl(path: Path) -> bool:
    return path.name.lower().endswith(JSONL_SUFFIXES)


def _is_warc(path: Path) -> bool:
    return path.name.lower().endswith(WARC_SUFFIXES)


def _walk(root: Path) -> list[Path]:
    """Files under ``root``, recursively, sorted by their path (a stable input order)."""
    found = [Path(d) / name for d, _, names in os.walk(root) for name in names]
    return sorted(found, key=lambda p: p.relative_to(root).parts)


def _classify(path: Path) -> str:
    if _is_warc(path):
        return "warc"
    if _is_jsonl(path):
        return "jsonl"
    return "doc"


def _expand(inputs: Iterable[str | Path]) -> Iterator[tuple[Path, str, Path | None]]:
    """(file, format, root directory or None) for every input file."""
    for raw in inputs:
        path = Path(raw)
        if path.is_dir():
            yield from ((f, "doc", path) for f in _walk(path) if _is_doc(f))
        elif path.is_file():
            yield path, _classify(path), None
        else:
            raise InputError(f"batch input not found: {path}. Pass existing files or folders.")


def input_size(inputs: Iterable[str | Path]) -> int:
    """Total bytes of every input file (the progress bar's total)."""
    return sum(f.stat().st_size for f, _, _ in _expand(inputs))


def iter_inputs(
    inputs: Iterable[str | Path], *, fields: JsonlFields | None = None
) -> Iterator[Record]:
    """Records from every input, in order: directories recursively, JSONL, WARC."""
    fields = fields or JsonlFields()
    inputs = list(inputs)
    for path, fmt, root in _expand(inputs):
        if fmt == "warc":
            yield from iter_warc(path)
        elif fmt == "jsonl":
            yield from iter_jsonl(path, fields=fields)
        else:
            yield _file_record(path, root)


def _file_record(path: Path, root: Path | None) -> Record:
    rel = path.relative_to(root).as_posix() if root else path.as_posix()
    kind = "html" if _suffix(path).endswith((".html", ".htm")) else None
    size = path.stat().st_size
    return Record(id=rel, source=str(path), path=str(path), kind=kind, size=size)


def _open_text(path: Path) -> IO[bytes]:
    if path.name.lower().endswith(".gz"):
        return gzip.GzipFile(path, "rb")  # type: ignore[return-value]  # GzipFile is IO[bytes]
    return path.open("rb")


def iter_jsonl(path: Path, *, fields: JsonlFields) -> Iterator[Record]:
    """One record per line. A line that is not a JSON object becomes an error record."""
    with _open_text(path) as fh:
        for lineno, line in enumerate(fh, 1):
            if not line.strip():
                continue
            yield _jsonl_record(line, path, lineno, fields)


def _jsonl_record(line: bytes, path: Path, lineno: int, fields: JsonlFields) -> Record:
    source = f"{path}:{lineno}"
    try:
        obj = json.loads(line)
        if not isinstance(obj, dict):
            raise ValueError("the line is not a JSON object")
    except ValueError as exc:
        bad = Record(id=source, source=source, size=len(line))
        bad.meta["error"] = f"{source}: invalid JSON line ({exc})."
        return bad
    rid = obj.get(fields.id)
    html, text = obj.get(fields.html), obj.get(fields.text)
    body, kind = (html, "html") if isinstance(html, str) and html.strip() else (text, "text")
    summary = obj.get(fields.summary)
    rec = Record(
        id=str(rid) if rid is not None else source,
        source=source,
        data=body.encode("utf-8") if isinstance(body, str) else b"",
        kind=kind,
        url=obj.get(fields.url) if isinstance(obj.get(fields.url), str) else None,
        summary=summary if isinstance(summary, str | list) else None,
        size=len(line),
    )
    if not isinstance(body, str):
        rec.meta["error"] = (
            f"{source}: no '{fields.html}' or '{fields.text}' string field; "
            "name the fields with --html-field/--text-field."
        )
    return rec


_WARC_TYPES = ("text/html", "application/xhtml+xml", "text/plain")


def iter_warc(path: Path) -> Iterator[Record]:
    """HTTP response records of a WARC/WARC.gz file (CC-NEWS layout), via warcio.

    Non-response records (request, metadata, warcinfo) are not documents and are
    passed over. A response that is not an HTML/text page or not HTTP 200 becomes a
    ``skipped`` record with the reason, so the output accounts for every response.
    """
    from warcio.archiveiterator import ArchiveIterator

    with path.open("rb") as fh:
        it = ArchiveIterator(fh)
        last = 0
        for rec in it:
            if rec.rec_type != "response":
                continue
            record = _warc_record(rec, path)
            it.read_to_end()
            offset = fh.tell()
            record.size, last = max(0, offset - last), offset
            yield record


def _warc_record(rec: Any, path: Path) -> Record:
    headers = rec.rec_headers
    rid = headers.get_header("WARC-Record-ID") or ""
    url = headers.get_header("WARC-Target-URI")
    record = Record(id=rid.strip("<>") or f"{path}:{url}", source=f"{path}:{url}", url=url)
    http = rec.http_headers
    status = http.get_statuscode() if http else None
    ctype = (http.get_header("Content-Type") or "").split(";")[0].strip().lower() if http else ""
    if status and status != "200":
        record.skip_reason = f"HTTP status {status}"
    elif ctype and ctype not in _WARC_TYPES:
        record.skip_reason = f"content type {ctype}"
    else:
        record.data = rec.content_stream().read()
        record.kind = "text" if ctype == "text/plain" else "html"
    return record


def as_record(item: Any, index: int) -> Record:
    """Anything `api.pipe` accepts (Record, dict, path, bytes, text) as a `Record`."""
    if isinstance(item, Record):
        return item
    if isinstance(item, dict):
        line = json.dumps(item).encode("utf-8")
        rec = _jsonl_record(line, Path("<records>"), index + 1, JsonlFields())
        rec.source = str(item.get("source", rec.source))
        return rec
    if isinstance(item, Path):
        return Record(id=str(item), source=str(item), path=str(item))
    if isinstance(item, bytes):
        return Record(id=str(index), source=f"<records>:{index + 1}", data=item)
    if isinstance(item, str):
        if "\n" not in item and len(item) < 4096 and Path(item).is_file():
            return Record(id=item, source=item, path=item)
        return Record(id=str(index), source=f"<records>:{index + 1}", data=item.encode("utf-8"))
    raise InputError(
        f"cannot process a {type(item).__name__} record; pass a Record, a dict with "
        "'id' and 'html' or 'text', a path, bytes or the page text."
    )


def safe_record(item: Any, index: int) -> Record:
    """`as_record`, or a record that reports why ``item`` is unusable (never raises)."""
    try:
        return as_record(item, index)
    except Exception as exc:  # noqa: BLE001 - an unusable record is reported, not raised
        bad = Record(id=str(index), source=f"<records>:{index + 1}")
        bad.meta["error"] = str(exc)
        return bad
