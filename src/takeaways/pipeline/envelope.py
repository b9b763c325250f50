"""The analysis envelope: one document's results with the article held once.

Batch output lines and stored server records share it (``analysis.schema.json``):
``schema_version``, ``type: "analysis"``, ``id``, the article (or null when it could not
be read), then one entry per result, each referring to the article by ``article_id``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Protocol

from takeaways.document import SCHEMA_VERSION, Article


class Result(Protocol):
    def to_dict(self, *, article: bool = True) -> dict[str, Any]: ...


def envelope(
    article: Article | None, results: Mapping[str, Result | dict[str, Any] | None],
    **fields: Any,
) -> dict[str, Any]:
    """The envelope of ``article`` and its ``results`` (``{"key_points": KeyPoints, ...}``;
    dicts are taken as they are), with ``fields`` (id, source, status, ...) after the type."""
    out: dict[str, Any] = {"schema_version": SCHEMA_VERSION, "type": "analysis", **fields,
                           "article": article.to_dict() if article is not None else None}
    for name, result in results.items():
        out[name] = result if result is None or isinstance(result, dict) else (
            result.to_dict(article=False))
    return out


def standalone(result: dict[str, Any], article: dict[str, Any] | None) -> dict[str, Any]:
    """A result taken out of an envelope, with the whole article in place of its
    ``article_id`` (what a result on its own carries, so its offsets can be read)."""
    if "article_id" not in result or article is None:
        return result
    out: dict[str, Any] = {}
    for key, value in result.items():
        if key == "article_id":
            out["article"] = article
        else:
            out[key] = value
    return out
