"""Render any result (Article, KeyPoints, Quotes, Audit) as json, markdown or text."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any, ClassVar, Generic, Protocol, TypeVar, overload

T = TypeVar("T")

FORMATS = ("json", "markdown", "text")


class Renderable(Protocol):
    def to_dict(self) -> dict[str, Any]: ...


def result_repr(result: Any, count: int, noun: str) -> str:
    """A result's short repr: what it holds and of which article, never the article
    itself (``<KeyPoints: 4 points of 'Putin reiterates…' (id 3f2a…)>``)."""
    article = getattr(result, "article", None)
    title = str(getattr(article, "title", "") or "untitled")
    title = title if len(title) <= 40 else title[:39] + "…"
    ident = str(getattr(article, "id", "") or "")[:12]
    plural = noun if count == 1 else noun + "s"
    return f"<{type(result).__name__}: {count} {plural} of {title!r} (id {ident})>"


class ResultSequence(Generic[T]):
    """What `KeyPoints`, `Quotes` and `Audit` share as results: ``len()``, iteration and
    indexing over the list their ``_items`` attribute names, truthy even when empty (a
    result, whose notes say why it holds nothing), and the short `result_repr` counting
    ``_noun``. The dataclasses that use it pass ``repr=False`` so its repr stands."""

    __slots__ = ()
    _items: ClassVar[str]
    _noun: ClassVar[str]

    def _list(self) -> list[T]:
        items: list[T] = getattr(self, self._items)
        return items

    def __len__(self) -> int:
        return len(self._list())

    def __iter__(self) -> Iterator[T]:
        return iter(self._list())

    @overload
    def __getitem__(self, i: int) -> T: ...
    @overload
    def __getitem__(self, i: slice) -> list[T]: ...
    def __getitem__(self, i: int | slice) -> T | list[T]:
        return self._list()[i]

    def __bool__(self) -> bool:
        return True

    def __repr__(self) -> str:
        return result_repr(self, len(self._list()), self._noun)


def to_json(result: Renderable, *, indent: int | None = 2) -> str:
    return json.dumps(result.to_dict(), ensure_ascii=False, indent=indent)


def render(result: Any, fmt: str) -> str:
    """Render a result; ``fmt`` is one of `FORMATS`."""
    if fmt == "json":
        return to_json(result)
    if fmt == "markdown":
        if hasattr(result, "to_markdown"):
            return str(result.to_markdown())
        from takeaways.render.article import article_markdown

        return article_markdown(result)
    if fmt == "text":
        if hasattr(result, "to_text"):
            return str(result.to_text())
        from takeaways.render.article import article_text

        return article_text(result)
    raise ValueError(f"unknown format {fmt!r}; use one of {', '.join(FORMATS)}")
