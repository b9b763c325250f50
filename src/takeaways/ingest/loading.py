"""Turn a source (path, bytes, str, stdin) into decoded text plus its kind.

Handles gzip (every member of a multi-member file), byte-order marks, HTML meta
charsets, a charset-normalizer guess and a Latin-1 fallback. Raises clear
`InputError`s for empty, binary, truncated or oversized input.

The size limit is applied while reading and inflating (bounded reads, a capped
inflate), so neither a big file nor a decompression bomb is ever held past it, and
nothing is allocated by the limit itself. `check_max_bytes` validates a limit (a whole
number from 1 to `MAX_BYTES_CEILING`).
"""

from __future__ import annotations

import codecs
import gzip
import re
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from takeaways.errors import BinaryInputError, EmptyInputError, InputError, LimitError, UsageError

#: The largest per-document limit accepted (100 MB): the pipeline holds several copies of
#: a document (text, tokens, vectors), so a larger one could not be processed anyway.
MAX_BYTES_CEILING = 100_000_000
_READ_BLOCK = 1 << 20

_BOMS: tuple[tuple[bytes, str], ...] = (
    (b"\xef\xbb\xbf", "utf-8"),
    (b"\xff\xfe\x00\x00", "utf-32-le"),
    (b"\x00\x00\xfe\xff", "utf-32-be"),
    (b"\xff\xfe", "utf-16-le"),
    (b"\xfe\xff", "utf-16-be"),
)
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.I)
_UTF8_MULTIBYTE = re.compile(
    rb"[\xc2-\xdf][\x80-\xbf]|[\xe0-\xef][\x80-\xbf]{2}|[\xf0-\xf4][\x80-\xbf]{3}"
)
_HTML_HINT = re.compile(
    r"<\s*(!doctype\s+html|html|head|body|article|div|p|meta|title|script|span|h[1-6])\b", re.I
)
_HTML_TAG = re.compile(r"<\s*/?\s*[a-zA-Z][a-zA-Z0-9]*(\s[^<>]*)?/?>")


@dataclass(frozen=True, slots=True)
class Loaded:
    """Decoded input: its text, detected kind (``html`` or ``text``) and origin."""

    text: str
    kind: str
    origin: str
    encoding: str


def check_max_bytes(
    max_bytes: object, *, name: str = "the size limit (max_bytes, --max-bytes, [limits] "
    "max_input_bytes)",
) -> int:
    """``max_bytes`` as an int, or `UsageError` unless it is a whole number of bytes from 1
    to `MAX_BYTES_CEILING`."""
    if isinstance(max_bytes, bool) or not isinstance(max_bytes, int):
        raise UsageError(
            f"{name} must be a whole number of bytes, got {max_bytes!r}; e.g. 5000000 (5 MB)."
        )
    if not 1 <= max_bytes <= MAX_BYTES_CEILING:
        raise UsageError(
            f"{name} must be between 1 and {MAX_BYTES_CEILING:,} bytes, got {max_bytes:,}; "
            "the default is 5,000,000 (5 MB); split larger documents."
        )
    return max_bytes


def read_capped(fh: IO[bytes], max_bytes: int) -> bytes:
    """Up to ``max_bytes + 1`` bytes of ``fh`` (one more detects overflow), read in blocks
    so nothing is allocated by the limit."""
    buf = bytearray()
    while len(buf) <= max_bytes:
        block = fh.read(min(_READ_BLOCK, max_bytes + 1 - len(buf)))
        if not block:
            break
        buf += block
    return bytes(buf)


def read_source_bytes(source: str | Path, *, max_bytes: int) -> tuple[bytes, str]:
    """Read a file path, or ``-`` for stdin, up to ``max_bytes`` (+1 to detect overflow)."""
    max_bytes = check_max_bytes(max_bytes)
    if str(source) == "-":
        import sys

        return read_capped(sys.stdin.buffer, max_bytes), "<stdin>"
    path = Path(source)
    if not path.exists():
        raise InputError(f"file not found: {path}. Check the path, or pass '-' to read stdin.")
    if path.is_dir():
        raise InputError(f"{path} is a directory; pass a file (use 'takeaways batch' for folders).")
    with path.open("rb") as fh:
        return read_capped(fh, max_bytes), str(path)


def _gunzip(data: bytes, origin: str, max_bytes: int) -> bytes:
    """Inflate every gzip member of ``data`` (``cat a.gz b.gz``), at most ``max_bytes``."""
    out = bytearray()
    rest = data
    try:
        while True:
            d = zlib.decompressobj(16 + zlib.MAX_WBITS)
            out += d.decompress(rest, max_bytes + 1 - len(out))
            if len(out) > max_bytes:
                raise LimitError(
                    f"{origin}: decompressed input is over the {max_bytes:,}-byte limit; "
                    "raise it with --max-bytes or [limits] max_input_bytes."
                )
            if not d.eof:
                raise InputError(
                    f"{origin}: the gzip data is truncated or corrupt; re-download or "
                    "re-compress it."
                )
            rest = d.unused_data
            if not rest.strip(b"\x00"):  # the end (gzip tolerates zero padding too)
                return bytes(out)
            if rest[:2] != b"\x1f\x8b":
                raise InputError(
                    f"{origin}: unexpected bytes after the gzip data; re-compress the file."
                )
    except (zlib.error, EOFError, gzip.BadGzipFile) as exc:
        raise InputError(f"{origin}: cannot decompress gzip input ({exc}).") from exc


def _check_size(data: bytes, origin: str, max_bytes: int) -> None:
    if len(data) > max_bytes:
        raise LimitError(
            f"{origin}: input is over the {max_bytes:,}-byte limit; raise it with "
            "--max-bytes or [limits] max_input_bytes in the config."
        )


def _looks_binary(data: bytes) -> bool:
    sample = data[:8192]
    if not sample:
        return False
    if any(sample.startswith(bom) for bom, _ in _BOMS[1:]):
        return False
    if b"\x00" in sample:
        return True
    controls = sum(1 for b in sample if b < 32 and b not in (9, 10, 12, 13, 27))
    return controls / len(sample) > 0.05


def _declared_encoding(data: bytes) -> str | None:
    m = _META_CHARSET.search(data[:4096])
    if not m:
        return None
    name = m.group(1).decode("ascii", "replace").lower()
    try:
        import codecs

        return codecs.lookup(name).name
    except LookupError:
        return None


def _cp1252_byte(b: int) -> str:
    try:
        return bytes([b]).decode("cp1252")
    except UnicodeDecodeError:  # the five bytes cp1252 leaves undefined
        return chr(b)


def _cp1252_fallback(exc: UnicodeError) -> tuple[str, int]:
    """Codec error handler: decode the bytes UTF-8 rejected as Windows-1252."""
    assert isinstance(exc, UnicodeDecodeError)
    return "".join(_cp1252_byte(b) for b in exc.object[exc.start : exc.end]), exc.end


def _mostly_utf8(data: bytes) -> str | None:
    """UTF-8 text with a few stray Latin-1/cp1252 bytes (pasted together): decode both."""
    valid = len(_UTF8_MULTIBYTE.findall(data))
    invalid = data.decode("utf-8", errors="replace").count("\ufffd")
    if valid == 0 or invalid > valid:
        return None
    codecs.register_error("takeaways.cp1252", _cp1252_fallback)
    return data.decode("utf-8", errors="takeaways.cp1252")


def _guess(data: bytes) -> str | None:
    """charset-normalizer's guess, but Windows-1252 (⊃ Latin-1) when it fits as well.

    Short Western European texts decode equally cleanly as cp1257 or cp1250 and the
    guesser picks one of those at random; Windows-1252 is what such pages really use.
    """
    from charset_normalizer import from_bytes

    # UTF-16/32 without a BOM would need NUL bytes, which were rejected as binary already
    matches = [m for m in from_bytes(data[:200_000]) if not m.encoding.startswith("utf_")]
    if not matches:
        return None
    best = matches[0]
    for m in matches:
        if "cp1252" in m.could_be_from_charset and m.chaos <= best.chaos + 0.01:
            return "cp1252"
    return str(best.encoding)


def decode(data: bytes) -> tuple[str, str]:
    """Decode bytes: BOM, a declared meta charset, UTF-8 (with stray cp1252 bytes), a
    guess preferring Windows-1252, then Latin-1."""
    for bom, enc in _BOMS:
        if data.startswith(bom):
            return data[len(bom) :].decode(enc, errors="replace"), enc
    declared = _declared_encoding(data)
    candidates = [c for c in (declared, "utf-8") if c]
    for enc in candidates:
        try:
            return data.decode(enc), enc
        except (UnicodeDecodeError, LookupError):
            continue
    mixed = _mostly_utf8(data)
    if mixed is not None:
        return mixed, "utf-8+cp1252"
    guess = _guess(data)
    if guess is not None:
        return data.decode(guess, errors="replace"), guess
    return data.decode("latin-1"), "latin-1"


def detect_kind(text: str) -> str:
    """``html`` when the text is markup, else ``text``."""
    head = text[:5000]
    if _HTML_HINT.search(head) and len(_HTML_TAG.findall(head)) >= 2:
        return "html"
    return "text"


def load_bytes(data: bytes, *, origin: str, kind: str | None, max_bytes: int) -> Loaded:
    """Validate and decode raw bytes into a `Loaded` input."""
    max_bytes = check_max_bytes(max_bytes)
    _check_size(data, origin, max_bytes)
    if data[:2] == b"\x1f\x8b":
        data = _gunzip(data, origin, max_bytes)
    if not data.strip():
        raise EmptyInputError(f"{origin}: the input is empty; pass a news page as HTML or text.")
    if data.lstrip()[:5] == b"%PDF-":
        raise BinaryInputError(
            f"{origin}: this is a PDF, and PDF is not supported; save the page as HTML, or "
            "copy its text into a .txt file."
        )
    if _looks_binary(data):
        raise BinaryInputError(
            f"{origin}: the input looks binary (NUL or control bytes), not HTML or text; "
            "pass an .html or .txt file (gzip is fine)."
        )
    text, encoding = decode(data)
    return load_text(text, origin=origin, kind=kind, max_bytes=max_bytes, encoding=encoding)


def load_text(
    text: str, *, origin: str, kind: str | None, max_bytes: int, encoding: str = "str"
) -> Loaded:
    """Validate an already-decoded string into a `Loaded` input."""
    max_bytes = check_max_bytes(max_bytes)
    if len(text) > max_bytes:
        _check_size(text.encode("utf-8", "replace"), origin, max_bytes)
    if not text.strip():
        raise EmptyInputError(f"{origin}: the input is empty; pass a news page as HTML or text.")
    if "\x00" in text[:8192]:
        raise BinaryInputError(f"{origin}: the input contains NUL characters; is it binary?")
    if kind not in (None, "html", "text", "plain"):
        raise InputError(f"unknown kind {kind!r}; use 'html', 'text' or 'plain'.")
    return Loaded(text=text, kind=kind or detect_kind(text), origin=origin, encoding=encoding)
