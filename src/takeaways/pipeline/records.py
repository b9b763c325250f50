"""Batch inputs → a stream of `Record`s: directories, JSONL and WARC files.

Every reader is a generator, so a corpus is never held in memory. A record
carries its input (a file path to read later, or the bytes themselves), the
kind hint, the URL and an optional summary to audit. ``size`` is how many input
bytes the record accounts for, so progress (and its ETA) can be measured in
bytes across every input format.

No input line can stop the stream: a line that is not JSON, too deeply nested, over the
size limit, or a file that is truncated or corrupt becomes an *error record* (``meta``
holds the error and its message) and the readers go on. Reads are bounded by the
per-document limit (``max_bytes``) while reading, so a decompression bomb never inflates
past it. Lone UTF-16 surrogates (``"\\ud800"`` in JSON) are replaced by U+FFFD and
noted in ``meta["notes"]``, so every output line is valid UTF-8.
"""

from __future__ import annotations

import gzip
import json
import logging
import os
import re
import zlib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from takeaways.errors import InputError, LimitError, TakeawaysError

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
    "scrub_surrogates",
]

#: A JSONL line may be this many times ``max_bytes`` (JSON escapes such as ``\\u00e9`` make
#: a line longer than the page it holds); the page itself is held to ``max_bytes``.
LINE_FACTOR = 2
_SURROGATES = re.compile("[\ud800-\udfff]")
_SKIP_BLOCK = 1 << 20


@dataclass(frozen=True, slots=True)
class JsonlFields:
    """Which JSONL keys hold the id, HTML, text, URL, summary and date of a record."""

    id: str = "id"
    html: str = "html"
    text: str = "text"
    url: str = "url"
    summary: str = "summary"
    date: str = "date"  # the publication date, when the page's metadata has none


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

    def fail(self, exc: TakeawaysError, *, truncated: bool = False) -> Record:
        """Make this an error record: ``exc`` is raised when the record is read."""
        self.data = self.path = None
        self.meta["error"] = str(exc)
        self.meta["exc"] = exc
        if truncated:
            self.meta["truncated"] = True
        return self

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


def _limit(max_bytes: int | None) -> int:
    from takeaways.config import section
    from takeaways.ingest.loading import check_max_bytes

    return check_max_bytes(
        max_bytes if max_bytes is not None else section("limits")["max_input_bytes"]
    )


def iter_inputs(
    inputs: Iterable[str | Path], *, fields: JsonlFields | None = None,
    max_bytes: int | None = None,
) -> Iterator[Record]:
    """Records from every input, in order: directories recursively, JSONL, WARC. Each
    document is read up to ``max_bytes`` (default ``[limits] max_input_bytes``)."""
    fields = fields or JsonlFields()
    limit = _limit(max_bytes)
    inputs = list(inputs)
    for path, fmt, root in _expand(inputs):
        if fmt == "warc":
            yield from iter_warc(path, max_bytes=limit)
        elif fmt == "jsonl":
            yield from iter_jsonl(path, fields=fields, max_bytes=limit)
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


def scrub_surrogates(value: str) -> tuple[str, bool]:
    """``value`` with lone UTF-16 surrogates replaced by U+FFFD; True when any were."""
    if _SURROGATES.search(value) is None:
        return value, False
    return _SURROGATES.sub("\ufffd", value), True


def _truncated(source: str, exc: BaseException) -> InputError:
    """The error for a file that ends early or holds bad compressed data; it says what
    was found in words, not by the Python exception's name."""
    if isinstance(exc, EOFError):
        why = str(exc) or "the data ends early"
    else:
        why = f"unreadable data: {exc}" if str(exc) else "unreadable data"
    return InputError(
        f"{source}: the input is truncated or corrupt ({why}); "
        "what came before was read; re-download or re-compress the file and run again."
    )


def _lines(fh: IO[bytes], cap: int) -> Iterator[tuple[int, bytes | None, int]]:
    """``(line number, line, bytes)``; the line is None when it is over ``cap`` bytes (its
    rest is skipped in bounded blocks, never held)."""
    lineno = 0
    while line := fh.readline(cap + 1):
        lineno += 1
        if len(line) <= cap or line.endswith(b"\n"):
            yield lineno, line, len(line)
            continue
        size = len(line)
        del line
        while rest := fh.readline(_SKIP_BLOCK):
            size += len(rest)
            if rest.endswith(b"\n"):
                break
        yield lineno, None, size


def iter_jsonl(
    path: Path, *, fields: JsonlFields, max_bytes: int | None = None
) -> Iterator[Record]:
    """One record per line. A line that is not a JSON object, or over the limit, becomes an
    error record; a truncated or corrupt file ends with one (the lines before it are kept)."""
    limit = _limit(max_bytes)
    cap = LINE_FACTOR * limit + 4096
    lineno = 0
    try:
        with _open_text(path) as fh:
            for lineno, line, size in _lines(fh, cap):
                if line is None:
                    source = f"{path}:{lineno}"
                    yield Record(id=source, source=source, size=size).fail(LimitError(
                        f"{source}: the line is over {cap:,} bytes (the document limit is "
                        f"{limit:,} bytes); raise it with --max-bytes or split the document."
                    ))
                elif line.strip():
                    yield _safe_jsonl_record(line, path, lineno, fields)
    except (OSError, EOFError, zlib.error) as exc:
        source = f"{path}:{lineno + 1}"
        yield Record(id=source, source=source).fail(_truncated(source, exc), truncated=True)


def _safe_jsonl_record(line: bytes, path: Path, lineno: int, fields: JsonlFields) -> Record:
    try:
        return _jsonl_record(line, path, lineno, fields)
    except Exception as exc:  # noqa: BLE001 - one bad line never stops the stream
        source = f"{path}:{lineno}"
        return Record(id=source, source=source, size=len(line)).fail(
            InputError(f"{source}: unusable JSONL line ({type(exc).__name__}: {exc}).")
        )


def _text_field(value: Any, name: str, notes: list[str]) -> Any:
    if isinstance(value, str):
        value, scrubbed = scrub_surrogates(value)
        if scrubbed:
            notes.append(f"lone UTF-16 surrogates in '{name}' were replaced by U+FFFD")
    elif isinstance(value, list):
        value = [_text_field(v, name, notes) for v in value]
    return value


def _jsonl_record(line: bytes, path: Path, lineno: int, fields: JsonlFields) -> Record:
    source = f"{path}:{lineno}"
    try:
        obj = json.loads(line)
        if not isinstance(obj, dict):
            raise ValueError("the line is not a JSON object")
    except RecursionError:
        bad = Record(id=source, source=source, size=len(line))
        return bad.fail(InputError(
            f"{source}: invalid JSON line (nested too deeply); write one flat JSON object "
            "per line."
        ))
    except ValueError as exc:
        bad = Record(id=source, source=source, size=len(line))
        bad.meta["error"] = f"{source}: invalid JSON line ({exc})."
        return bad
    notes: list[str] = []
    rid = obj.get(fields.id)
    rid = _text_field(str(rid), fields.id, notes) if rid is not None else source
    html = _text_field(obj.get(fields.html), fields.html, notes)
    text = _text_field(obj.get(fields.text), fields.text, notes)
    body, kind = (html, "html") if isinstance(html, str) and html.strip() else (text, "text")
    url = _text_field(obj.get(fields.url), fields.url, notes)
    summary = _text_field(obj.get(fields.summary), fields.summary, notes)
    rec = Record(
        id=rid,
        source=source,
        data=body.encode("utf-8") if isinstance(body, str) else b"",
        kind=kind,
        url=url if isinstance(url, str) else None,
        summary=summary if isinstance(summary, str | list) else None,
        size=len(line),
    )
    date = obj.get(fields.date)
    if isinstance(date, str) and date.strip():
        rec.meta["date"] = scrub_surrogates(date.strip())[0]
    if notes:
        rec.meta["notes"] = notes
    if isinstance(summary, list) and not all(isinstance(x, str) for x in summary):
        return rec.fail(InputError(
            f"{source}: '{fields.summary}' must be a string or a list of strings; "
            "fix the line or name another field with --summary-field."
        ))
    if not isinstance(body, str):
        rec.meta["error"] = (
            f"{source}: no '{fields.html}' or '{fields.text}' string field; "
            "name the fields with --html-field/--text-field."
        )
    return rec


_WARC_TYPES = ("text/html", "application/xhtml+xml", "text/plain")


def iter_warc(path: Path, *, max_bytes: int | None = None) -> Iterator[Record]:
    """HTTP response records of a WARC/WARC.gz file (CC-NEWS layout), via warcio.

    Non-response records (request, metadata, warcinfo) are not documents and are
    passed over. A response that is not an HTML/text page or not HTTP 200 becomes a
    ``skipped`` record with the reason, so the output accounts for every response.
    A payload over ``max_bytes`` (after any HTTP ``Content-Encoding``, inflated at most
    that far) is an error record (`LimitError`). A record cut short, a gzip stream that
    ends early and unreadable WARC data end the file with an error record marked
    ``truncated`` (the run then exits non-zero); a cut record is never read.
    """
    from warcio.archiveiterator import ArchiveIterator

    limit = _limit(max_bytes)
    with path.open("rb") as fh:
        it = ArchiveIterator(fh)
        next_record = _bound_header_lines(it.reader)
        last = 0
        member: Any = None
        records = iter(it)
        while True:
            try:
                next_record()
                rec = next(records, None)
                if rec is None:
                    break
                member = getattr(it.reader, "decompressor", None)
                record = _warc_record(rec, path, limit) if rec.rec_type == "response" else None
                it.read_to_end()
                cut = getattr(rec.raw_stream, "limit", 0)
            except Exception as exc:  # noqa: BLE001 - warcio raises many kinds on bad data
                yield _warc_truncated(path, fh.tell(), exc)
                return
            if cut:
                yield _warc_truncated(path, fh.tell(), EOFError(
                    f"a WARC record ends {cut:,} bytes before its Content-Length"))
                return
            if record is None:
                continue
            offset = fh.tell()
            record.size, last = max(0, offset - last), offset
            yield record
        if member is not None and not member.eof:
            yield _warc_truncated(path, fh.tell(), EOFError(
                "the gzip stream ends before its end-of-stream marker"))
        elif _trailing(fh, it.offset):
            # a cut inside a record's headers (or a gzip member's header) ends warcio's
            # iteration without an error: the bytes after the last whole record tell it
            yield _warc_truncated(path, it.offset, EOFError(
                "the file ends inside a record (the bytes after the last complete record "
                "do not form one)"))


#: a WARC or HTTP header line (and all the header lines of one record) may be this long
#: at most: warcio reads a line to its newline however long it is (a gzip member can
#: inflate one line to gigabytes)
WARC_HEADER_LINE_MAX = 64 * 1024
WARC_HEADERS_MAX = 1024 * 1024


def _bound_header_lines(reader: Any) -> Callable[[], None]:
    """Make ``reader.readline`` (warcio's decompressing reader, which parses the WARC and
    HTTP headers line by line) refuse a line over `WARC_HEADER_LINE_MAX` bytes, and more
    than `WARC_HEADERS_MAX` bytes of lines per record (the returned callable starts the
    count again), with a `LimitError` (the file then ends with a truncated error record
    naming it)."""
    readline = reader.readline
    since_read = [0]

    def bounded_readline(length: int | None = None) -> bytes:
        cap = WARC_HEADER_LINE_MAX + 1
        line: bytes = readline(cap if length is None or length < 0 else min(length, cap))
        since_read[0] += len(line)
        if len(line) > WARC_HEADER_LINE_MAX or since_read[0] > WARC_HEADERS_MAX:
            raise LimitError(
                f"a WARC record's header lines are over the limit ({WARC_HEADER_LINE_MAX:,} "
                f"bytes a line, {WARC_HEADERS_MAX:,} a record): the file is damaged or "
                "hostile; it is read no further.")
        return line

    def reset() -> None:
        since_read[0] = 0

    reader.readline = bounded_readline
    return reset


def _trailing(fh: IO[bytes], end: int) -> bool:
    """Whether ``fh`` holds more than NUL padding after offset ``end``."""
    fh.seek(end)
    while block := fh.read(1 << 16):
        if block.strip(b"\0"):
            return True
    return False


def _warc_truncated(path: Path, offset: int, exc: BaseException) -> Record:
    source = f"{path}@{offset}"
    return Record(id=f"{source}:truncated", source=source).fail(
        _truncated(source, exc), truncated=True)


def _warc_record(rec: Any, path: Path, max_bytes: int) -> Record:
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
        data = rec.content_stream().read(max_bytes + 1)  # inflates at most this far
        if len(data) > max_bytes:
            return record.fail(LimitError(
                f"{record.source}: the page is over the {max_bytes:,}-byte limit (after "
                "its Content-Encoding); raise it with --max-bytes or [limits] max_input_bytes."
            ))
        record.data = data
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
