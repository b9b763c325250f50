"""The batch core: records → result dicts, in batches, one bad record never stopping it.

`process_chunk` is the unit of work every engine runs (in-process, a local worker
process, a Ray actor): read each record, parse the readable ones together with
one ``nlp.pipe`` call, then run the requested steps per article through the
public API. `run_pipe` streams any iterable through it in input order.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from itertools import islice
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from takeaways.batch.records import Record, as_record
from takeaways.document import SCHEMA_VERSION, Article
from takeaways.errors import ConfigError, InputError

if TYPE_CHECKING:
    from spacy.tokens import Doc

    from takeaways.nlp.analyze import Analysis
    from takeaways.nlp.models import Embedder

log = logging.getLogger(__name__)

STEPS = ("read", "key_points", "quotes", "audit")
ANALYSIS_STEPS = frozenset({"key_points", "quotes", "audit"})
EMBEDDING_STEPS = frozenset({"key_points", "audit"})

__all__ = ["STEPS", "BatchSettings", "normalize_what", "process_chunk", "result_dict", "run_pipe"]


@dataclass(frozen=True, slots=True)
class BatchSettings:
    """What to compute per document, and how. Picklable: it travels to every worker."""

    what: tuple[str, ...] = ("read",)
    n: int = 4
    batch_size: int = 16
    max_bytes: int | None = None
    embedder: Callable[[], Embedder] | None = None
    #: embed the sentences of the whole chunk in one call (bigger, better-packed batches)
    batch_embeddings: bool = True

    @property
    def needs_analysis(self) -> bool:
        return bool(ANALYSIS_STEPS & set(self.what))


def normalize_what(what: str | Iterable[str]) -> tuple[str, ...]:
    """``"read,key-points"`` or ``["read", "key_points"]`` → ``("read", "key_points")``."""
    items = what.split(",") if isinstance(what, str) else list(what)
    out: list[str] = []
    for item in items:
        name = item.strip().lower().replace("-", "_")
        if name not in STEPS:
            allowed = ", ".join(s.replace("_", "-") for s in STEPS)
            raise ConfigError(f"unknown step {item!r} in --what; use a comma list of {allowed}.")
        if name not in out:
            out.append(name)
    if not out:
        raise ConfigError("--what is empty; name at least one of read, key-points, quotes, audit.")
    return tuple(out)


def result_dict(
    record: Record, status: str, reason: str | None = None, results: dict[str, Any] | None = None
) -> dict[str, Any]:
    """One output line: the same keys for every status."""
    return {
        "schema_version": SCHEMA_VERSION,
        "id": record.id,
        "source": record.source,
        "status": status,
        "reason": reason,
        "results": results or {},
    }


def _reason(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {exc}"


def _read(record: Record, settings: BatchSettings) -> Article:
    from takeaways.api import read

    if record.meta.get("error") or (record.data is None and record.path is None):
        raise InputError(str(record.meta.get("error") or f"{record.source}: no input."))
    source = record.data if record.data is not None else Path(str(record.path))
    return read(source, kind=record.kind, url=record.url, max_bytes=settings.max_bytes)


def _parse(articles: Sequence[Article], batch_size: int) -> list[Doc | BaseException]:
    """One ``nlp.pipe`` over the batch; on failure, parse one by one to isolate the culprit."""
    from takeaways.nlp.analyze import parse_articles

    try:
        return list(parse_articles(articles, batch_size=batch_size))
    except Exception:  # noqa: BLE001 - isolate the failing article below
        log.debug("batch parse failed; parsing one by one", exc_info=True)
    out: list[Doc | BaseException] = []
    for article in articles:
        try:
            out.append(parse_articles([article], batch_size=1)[0])
        except Exception as exc:  # noqa: BLE001 - recorded per document
            out.append(exc)
    return out


def _run_step(name: str, analysis: Any, record: Record, n: int) -> dict[str, Any]:
    from takeaways import api

    if name == "key_points":
        result: Any = api.key_points(analysis, n=n)
    elif name == "quotes":
        result = api.quotes(analysis)
    else:
        result = api.audit(analysis, record.summary)
    out: dict[str, Any] = result.to_dict()
    return out


class ChunkEmbedder:
    """Serves vectors computed for a whole chunk in one ``encode`` call; misses go to ``base``."""

    def __init__(self, base: Embedder, texts: list[str]) -> None:
        self.base = base
        self.name = base.name
        unique = list(dict.fromkeys(texts))
        vectors = base.encode(unique) if unique else None
        self._cache = {t: vectors[i] for i, t in enumerate(unique)} if vectors is not None else {}

    def encode(self, texts: list[str]) -> np.ndarray:
        if texts and all(t in self._cache for t in texts):
            return np.stack([self._cache[t] for t in texts])
        return self.base.encode(texts)


def _chunk_embedder(analyses: Sequence[Analysis], settings: BatchSettings) -> Embedder | None:
    """One embedder call for the chunk: every sentence when the audit runs (it compares
    claims with all of them), else only the candidates key points will embed."""
    steps = set(settings.what)
    if not (settings.batch_embeddings and EMBEDDING_STEPS & steps):
        return None
    from takeaways.keypoints import embedded_ids
    from takeaways.nlp.models import get_embedder

    texts: list[str] = []
    for an in analyses:
        sents = an.article.sentences
        ids = range(len(sents)) if "audit" in steps else embedded_ids(an, settings.n)
        texts.extend(sents[i].text for i in ids)
    return ChunkEmbedder(get_embedder(), texts)


def _analyse(record: Record, analysis: Analysis, settings: BatchSettings) -> dict[str, Any]:
    article = analysis.article
    results: dict[str, Any] = {"read": article.to_dict()} if "read" in settings.what else {}
    for name in settings.what:
        if name == "read":
            continue
        try:
            results[name] = _run_step(name, analysis, record, settings.n)
        except Exception as exc:  # noqa: BLE001 - one bad document never sinks a batch
            log.debug("%s failed on %s", name, record.id, exc_info=True)
            return result_dict(record, "error", f"{name}: {_reason(exc)}", results)
    return result_dict(record, "ok", None, results)


def process_chunk(records: Sequence[Record], settings: BatchSettings) -> list[dict[str, Any]]:
    """Results for ``records``, in their order; exceptions become ``status: error``."""
    out: list[dict[str, Any] | None] = [None] * len(records)
    readable: list[tuple[int, Article]] = []
    for i, record in enumerate(records):
        if record.skip_reason:
            out[i] = result_dict(record, "skipped", record.skip_reason)
            continue
        try:
            readable.append((i, _read(record, settings)))
        except Exception as exc:  # noqa: BLE001 - recorded per document
            out[i] = result_dict(record, "error", f"read: {_reason(exc)}")
    if settings.needs_analysis and readable:
        from takeaways.nlp.analyze import Analysis

        docs = _parse([a for _, a in readable], settings.batch_size)
        analyses: dict[int, Analysis] = {}
        for (i, article), doc in zip(readable, docs, strict=True):
            if isinstance(doc, BaseException):
                out[i] = result_dict(records[i], "error", f"parse: {_reason(doc)}")
            else:
                analyses[i] = Analysis(article, doc=doc)
        embedder = _try(_chunk_embedder, list(analyses.values()), settings)
        for i, analysis in analyses.items():
            if embedder is not None:
                analysis.embedder = embedder
            out[i] = _analyse(records[i], analysis, settings)
    else:
        for i, article in readable:
            out[i] = result_dict(records[i], "ok", None, {"read": article.to_dict()})
    return [r for r in out if r is not None]


def _try(fn: Callable[..., Embedder | None], *args: Any) -> Embedder | None:
    """The chunk embedder, or None (each article then embeds on its own and reports errors)."""
    try:
        return fn(*args)
    except Exception:  # noqa: BLE001 - fall back to per-article embedding
        log.debug("chunk embedding failed; embedding per article", exc_info=True)
        return None


def prepare_process(settings: BatchSettings) -> None:
    """Load what ``settings`` needs once in this process (a worker's initializer)."""
    from takeaways.nlp.models import get_embedder, get_nlp, set_embedder

    if settings.embedder is not None:
        set_embedder(settings.embedder())
    get_nlp()  # reading splits sentences with spaCy, so every step needs the pipeline
    if EMBEDDING_STEPS & set(settings.what):
        get_embedder()


def chunked(items: Iterable[Record], size: int) -> Iterator[list[Record]]:
    it = iter(items)
    while chunk := list(islice(it, size)):
        yield chunk


def run_pipe(
    records: Iterable[Any], *, what: str | Iterable[str] = ("read",), n: int = 4,
    batch_size: int = 16, max_bytes: int | None = None,
) -> Iterator[dict[str, Any]]:
    """Stream result dicts for ``records`` in input order, in this process (see `api.pipe`)."""
    settings = BatchSettings(
        what=normalize_what(what), n=n, batch_size=max(1, batch_size), max_bytes=max_bytes
    )
    recs = (_safe_record(item, i) for i, item in enumerate(records))
    for chunk in chunked(recs, settings.batch_size):
        yield from process_chunk(chunk, settings)


def _safe_record(item: Any, index: int) -> Record:
    try:
        return as_record(item, index)
    except Exception as exc:  # noqa: BLE001 - an unusable record is reported, not raised
        bad = Record(id=str(index), source=f"<records>:{index + 1}")
        bad.meta["error"] = str(exc)
        return bad
