"""What the LLM writer asks, and how its answer is read.

The article goes to the model as numbered sentences (``[1] …``); the model answers with
JSON ``{"points": [{"text": "…", "sentences": [1, 4]}]}``. `parse_points` turns that
answer into `Draft` values or raises `WriterFailure` saying what is wrong with it
(not JSON, not that shape, sentence numbers out of range, the prompt echoed back).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

from takeaways.document import Article
from takeaways.writer.client import WriterFailure

SYSTEM = (
    "You write key points of news articles for readers who will not read the article. "
    "Every point must say only what the article says: keep who said what exactly as the "
    "article attributes it, and add no conclusion, figure or name the article lacks."
)

ASK = (
    "Write exactly {n} key points of the article below, most important first. Each point "
    "is one standalone sentence. For each, list the numbers of the article sentences it "
    'relies on. Answer with JSON only, in this form: {{"points": [{{"text": "...", '
    '"sentences": [1, 2]}}]}}'
)

REPAIR = (
    "A fact check against the article rejected these key points:\n\n{items}\n\nRewrite each "
    "rejected point so that the article supports it, fixing what the check found, or say "
    "something else the article supports. Answer with JSON only, one point per rejected "
    'point, in the same order: {{"points": [{{"text": "...", "sentences": [1, 2]}}]}}'
)

#: a line of the prompt that only an echo of it would contain
ECHO_MARKERS = ("Answer with JSON only", "A fact check against the article rejected")
_FENCE = re.compile(r"^\s*```(?:json)?\s*|\s*```\s*$", re.I)
_NUMBERING = re.compile(r"^\s*(?:\d{1,2}[.)]|[-*•])\s+")


@dataclass(frozen=True, slots=True)
class Draft:
    """One point as the model wrote it: its text and the sentence numbers it cites
    (indices into ``article.sentences``, 0-based)."""

    text: str
    sentences: tuple[int, ...]


@dataclass(frozen=True, slots=True)
class Numbered:
    """The article as the prompt shows it: ``[k] sentence`` lines (k from 1)."""

    lines: tuple[str, ...]

    @classmethod
    def of(cls, article: Article, max_chars: int) -> Numbered:
        lines: list[str] = []
        used = 0
        for k, s in enumerate(article.sentences, 1):
            line = f"[{k}] {' '.join(s.text.split())}"
            used += len(line) + 1
            if max_chars and used > max_chars and lines:
                break
            lines.append(line)
        return cls(tuple(lines))

    def text(self) -> str:
        return "\n".join(self.lines)


def messages(article: Article, numbered: Numbered, n: int) -> list[dict[str, str]]:
    head = f"Title: {article.title}\n\n" if article.title else ""
    user = f"{ASK.format(n=n)}\n\n{head}Article sentences:\n{numbered.text()}"
    return [{"role": "system", "content": SYSTEM}, {"role": "user", "content": user}]


def repair_messages(
    article: Article, numbered: Numbered, rejected: list[tuple[str, str]],
) -> list[dict[str, str]]:
    """Ask again once for the ``rejected`` points, given as (text, what the check found)."""
    items = "\n".join(f"{i}. {text}\n   The check found: {finding}"
                      for i, (text, finding) in enumerate(rejected, 1))
    head = f"Title: {article.title}\n\n" if article.title else ""
    user = f"{REPAIR.format(items=items)}\n\n{head}Article sentences:\n{numbered.text()}"
    return [{"role": "system", "content": SYSTEM}, {"role": "user", "content": user}]


def _load(content: str) -> Any:
    text = _FENCE.sub("", content.strip())
    try:
        return json.loads(text)
    except ValueError:
        start, end = text.find("{"), text.rfind("}")
        if 0 <= start < end:
            try:
                return json.loads(text[start:end + 1])
            except ValueError:
                pass
    raise WriterFailure(f"the answer is not JSON ({_short(content)!r}); the model was asked "
                        'for {"points": [{"text": ..., "sentences": [...]}]}')


def _short(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= 120 else text[:117] + "..."


def _echoed(content: str, numbered: Numbered) -> bool:
    if any(m in content for m in ECHO_MARKERS):
        return True
    return sum(line in content for line in numbered.lines) >= min(3, len(numbered.lines))


def _draft(item: Any, shown: int) -> Draft:
    if isinstance(item, str):
        item = {"text": item, "sentences": []}
    if not isinstance(item, dict) or not isinstance(item.get("text"), str):
        raise WriterFailure(f"a point is not an object with a text ({_short(str(item))!r})")
    refs = item.get("sentences", item.get("sentence_numbers", []))
    if isinstance(refs, int) and not isinstance(refs, bool):
        refs = [refs]
    if not isinstance(refs, list) or not all(isinstance(r, int) and not isinstance(r, bool)
                                             for r in refs):
        raise WriterFailure(f"a point's sentence numbers are not a list of numbers "
                            f"({_short(str(refs))!r})")
    bad = [r for r in refs if not 1 <= r <= shown]
    if bad:
        raise WriterFailure(f"the answer cites sentence number(s) {bad} but the article "
                            f"shown has sentences 1 to {shown}")
    text = _NUMBERING.sub("", " ".join(item["text"].split()))
    return Draft(text, tuple(dict.fromkeys(r - 1 for r in refs)))


def parse_points(content: str, numbered: Numbered) -> list[Draft]:
    """The points of one answer, in order; a `WriterFailure` when it is unusable."""
    if _echoed(content, numbered):
        raise WriterFailure("the model echoed the prompt back instead of answering")
    data = _load(content)
    items = data.get("points", data.get("key_points")) if isinstance(data, dict) else data
    if not isinstance(items, list):
        raise WriterFailure(f'the answer has no "points" list ({_short(content)!r})')
    drafts = [_draft(item, len(numbered.lines)) for item in items]
    drafts = [d for d in drafts if d.text]
    if not drafts:
        raise WriterFailure("the answer has no points")
    return drafts
