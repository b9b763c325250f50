"""Ingest: any source (HTML, scraped text, path, bytes, URL) → `Article`."""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path

from takeaways.config import Settings, section, use
from takeaways.document import Article
from takeaways.ingest.builder import build_article
from takeaways.ingest.loading import Loaded, load_bytes, load_text, read_source_bytes

_URL = re.compile(r"^https?://\S+$", re.I)

__all__ = ["read_article", "load"]


def _max_bytes(max_bytes: int | None) -> int:
    return int(max_bytes if max_bytes is not None else section("limits")["max_input_bytes"])


def _is_path(source: str) -> bool:
    if "\n" in source or len(source) > 1024 or "<" in source:
        return False
    if any(len(part) > 255 for part in re.split(r"[/\\]", source)):
        return False  # no file name is that long (NAME_MAX): it is text ending in ".txt"
    if source == "-" or re.search(r"\.(html?|txt|gz|json|md)$", source):
        return True
    try:
        return Path(source).is_file()
    except OSError:  # e.g. a name too long to be a path
        return False


def load(
    source: str | bytes | Path, *, kind: str | None = None, max_bytes: int | None = None,
    allow_fetch: bool = True,
) -> tuple[Loaded, str | None]:
    """Decode any supported source; returns the loaded input and a fetched URL if any."""
    limit = _max_bytes(max_bytes)
    if isinstance(source, bytes):
        return load_bytes(source, origin="<bytes>", kind=kind, max_bytes=limit), None
    if isinstance(source, str) and _URL.match(source.strip()):
        if not allow_fetch:
            from takeaways.errors import FetchError

            raise FetchError("fetching URLs is disabled here; paste the page's HTML or text.")
        from takeaways.ingest.fetch import fetch_url

        data, final = fetch_url(source.strip(), max_bytes=limit)
        return load_bytes(data, origin=final, kind=kind, max_bytes=limit), final
    if isinstance(source, Path) or _is_path(source):
        data, origin = read_source_bytes(source, max_bytes=limit)
        return load_bytes(data, origin=origin, kind=kind, max_bytes=limit), None
    return load_text(source, origin="<text>", kind=kind, max_bytes=limit), None


def read_article(
    source: str | bytes | Path, *, kind: str | None = None, url: str | None = None,
    max_bytes: int | None = None, allow_fetch: bool = True, settings: Settings | None = None,
) -> Article:
    """Read a news page into an `Article` (see `takeaways.read`), under ``settings``
    (limits and reading thresholds; default: the active ones)."""
    if settings is not None:
        with use(settings):
            return read_article(source, kind=kind, url=url, max_bytes=max_bytes,
                                allow_fetch=allow_fetch)
    loaded, fetched = load(source, kind=kind, max_bytes=max_bytes, allow_fetch=allow_fetch)
    return article_from_loaded(loaded, url=url or fetched)


def article_from_loaded(loaded: Loaded, *, url: str | None = None) -> Article:
    """Parse decoded input according to its kind."""
    if loaded.kind == "html":
        from takeaways.ingest.html import parse_html

        parts = parse_html(loaded.text, url=url)
        return build_article(parts, source_kind="html")
    if loaded.kind == "plain":
        from takeaways.ingest.text import parse_plain

        text, parts = parse_plain(loaded.text)
        if url:
            parts.metadata = type(parts.metadata)(url=url)
        return build_article(parts, text=text, source_kind="plain")
    from takeaways.ingest.text import parse_text

    parts = parse_text(loaded.text, body=str(section("read").get("text_body", "lines.v1")))
    if url:
        parts.metadata = replace(parts.metadata, url=url)
    return build_article(parts, source_kind="text")
