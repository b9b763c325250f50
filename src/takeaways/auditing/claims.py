"""Split a summary into claims: one per line, bullet or number, else one per sentence."""

from __future__ import annotations

import re
from collections.abc import Callable

from takeaways.auditing.registry import register_splitter
from takeaways.lexicon import quote_marks

_MARKER = re.compile(r"^\s*(?:[-*•–—·]|\(?\d{1,2}[.)]|\(?[a-z][.)]|#+)\s+")
_Q = quote_marks()
_SENTENCE_END = re.compile(
    f"(?:(?<=[.!?])|(?<=[.!?][{_Q.char_class(_Q.closing)})]))"
    f"\\s+(?=[{_Q.char_class(_Q.opening)}(]?[A-Z0-9])")


def _strip_marker(line: str) -> str:
    return _MARKER.sub("", line, count=1).strip()


def _is_list(lines: list[str]) -> bool:
    """Several lines, or any line starting with a bullet or number: one claim per line."""
    return len(lines) > 1 or any(_MARKER.match(line) for line in lines)


def split_sentences(text: str) -> list[str]:
    """Prose → sentences, with a light rule-based splitter (no model needed)."""
    parts = [p.strip() for p in _SENTENCE_END.split(text.strip())]
    return [p for p in parts if p]


@register_splitter("audit.claims.lines_or_sentences.v1")
def lines_or_sentences(summary: str | list[str]) -> list[str]:
    """A list is taken item by item; a string is split by lines when it is a list, else by
    sentence. Markers ("1.", "-", "•") are removed; empty items are dropped."""
    if isinstance(summary, list):
        items = [_strip_marker(s) for s in summary]
        return [s for s in items if s]
    lines = [line for line in summary.splitlines() if line.strip()]
    if _is_list(lines):
        return [s for s in (_strip_marker(line) for line in lines) if s]
    return split_sentences(summary)


Splitter = Callable[[str | list[str]], list[str]]
