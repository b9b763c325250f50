"""The batch unit of work: records → result dicts, one bad record never stopping it.

`process_chunk` is what every engine runs (in-process, a local worker process, a Ray
actor): read each record, parse the readable ones together with one ``nlp.pipe``
call, embed the chunk's sentences in one call, then run the requested steps per
article through `Pipeline.run` on one analysis each.
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from itertools import islice
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from takeaways.document import Article
from takeaways.errors import InputError, StepError, code_of
from takeaways.pipeline.envelope import envelope
from takeaways.pipeline.records import Record
from takeaways.pipeline.steps import STEPS, normalize_steps

if TYPE_CHECKING:
    from spacy.tokens import Doc

    from takeaways.nlp.analyze import Analysis
    from takeaways.nlp.models import Embedder
    from takeaways.pipeline.core import Pipeline

log = logging.getLogger(__name__)

ANALYSIS_STEPS = frozenset({"key_points", "quotes", "audit"})

__all__ = [
    "STEPS", "BatchSettings", "ChunkEmbedder", "chunked", "normalize_what", "prepare_process",
    "process_chunk", "result_dict",
]


@dataclass(frozen=True, slots=True)
class BatchSettings:
    """What to compute per document, and how. Picklable: it travels to every worker."""

    what: tuple[str, ...] = ("read",)
    n: int = 4
    batch_size: int = 16
    max_bytes: int | None = None
    #: seconds one document may take (batch engines stop it past that); None: no limit
    doc_timeout: float | None = None
    embedder: Callable[[], Embedder] | None = None
    #: embed the sentences of the whole chunk in one call (bigger, better-packed batches)
    batch_embeddings: bool = True
    #: ``[writer]`` keys the batch flags override (``--writer``, ``--llm-url``,
    #: ``--llm-model``), as (key, value) pairs; empty: the settings as they are
    writer: tuple[tuple[str, str], ...] = ()

    @property
    def needs_analysis(self) -> bool:
        return bool(ANALYSIS_STEPS & set(self.what))


def normalize_what(what: str | Iterable[str]) -> tuple[str, ...]:
    """``--what`` as step names (see `normalize_steps`)."""
    return normalize_steps(what)


def result_dict(
    record: Record, status: str, reason: str | None = None, article: Article | None = None,
    results: Mapping[str, Any] | None = None, *, error: BaseException | None = None,
) -> dict[str, Any]:
    """One output line, an analysis envelope (the article once, then each step's result):
    ``schema_version, type, id, source, status, reason, error_code, article`` for every
    status; ``error_code`` is the catalogue code of ``error`` (docs/errors.md)."""
    return envelope(article, results or {}, id=record.id, source=record.source,
                    status=status, reason=reason,
                    error_code=code_of(error) if error is not None else None)


def _reason(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {exc}"


def _read(record: Record, settings: BatchSettings, pipeline: Pipeline) -> Article:
    exc = record.meta.get("exc")
    if isinstance(exc, BaseException):  # an error record: its reader's error, code and all
        raise exc
    if record.meta.get("error") or (record.data is None and record.path is None):
        raise InputError(str(record.meta.get("error") or f"{record.source}: no input."))
    source = record.data if record.data is not None else Path(str(record.path))
    article = pipeline.read(source, kind=record.kind, url=record.url,
                            max_bytes=settings.max_bytes)
    article.warnings.extend(record.meta.get("notes", ()))  # e.g. lone surrogates replaced
    date = record.meta.get("date")
    if isinstance(date, str) and not article.metadata.date:  # the record's date field
        article = dataclasses.replace(
            article, metadata=dataclasses.replace(article.metadata, date=date))
    return article


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


class ChunkEmbedder:
    """Serves vectors computed for a whole chunk in one ``encode`` call (`prime`); misses
    go to ``base``. Given to each analysis of the chunk when it is made."""

    def __init__(self, base: Embedder, texts: Iterable[str] = ()) -> None:
        self.base = base
        self.name = base.name
        self._cache: dict[str, np.ndarray] = {}
        self.prime(list(texts))

    def prime(self, texts: list[str]) -> None:
        """Encode ``texts`` (deduplicated) in one call and serve them from now on."""
        unique = [t for t in dict.fromkeys(texts) if t not in self._cache]
        if unique:
            vectors = self.base.encode(unique)
            self._cache.update({t: vectors[i] for i, t in enumerate(unique)})

    def encode(self, texts: list[str]) -> np.ndarray:
        if texts and all(t in self._cache for t in texts):
            return np.stack([self._cache[t] for t in texts])
        return self.base.encode(texts)


def _chunk_texts(analyses: Sequence[Analysis], settings: BatchSettings) -> list[str]:
    """What the chunk embeds in one call: every sentence when the audit runs (it compares
    claims with all of them), else only the candidates key points will embed, unless key
    points embed with their own (static) vectors."""
    from takeaways.keypoints import embedded_ids

    steps = set(settings.what)
    texts: list[str] = []
    for an in analyses:
        sents = an.article.sentences
        if "audit" in steps:
            ids: Iterable[int] = range(len(sents))
        elif an.points_share_embedder:
            ids = embedded_ids(an, settings.n)
        else:
            continue
        texts.extend(sents[i].text for i in ids)
    return texts


def _main_embedder_steps(steps: set[str], hand_set: bool) -> bool:
    """Whether ``steps`` embed with the main (audit) embedder: the audit does, and key
    points do when the embedder was chosen by hand (``hand_set``) or they have no static
    vectors of their own (`point_vectors_path`)."""
    from takeaways.nlp.models import point_vectors_path

    return "audit" in steps or ("key_points" in steps and (
        hand_set or point_vectors_path() is None))


def _chunk_embedder(settings: BatchSettings, pipeline: Pipeline) -> ChunkEmbedder | None:
    if not (settings.batch_embeddings
            and _main_embedder_steps(set(settings.what), pipeline.embedder is not None)):
        return None
    from takeaways.nlp.models import get_embedder

    try:
        return ChunkEmbedder(pipeline.embedder or get_embedder())
    except Exception:  # noqa: BLE001 - each article then embeds on its own and reports errors
        log.debug("no chunk embedder; embedding per article", exc_info=True)
        return None


def _prime(embedder: ChunkEmbedder | None, analyses: Sequence[Analysis],
           settings: BatchSettings) -> None:
    if embedder is None:
        return
    try:
        embedder.prime(_chunk_texts(analyses, settings))
    except Exception:  # noqa: BLE001 - misses fall back to per-article embedding
        log.debug("chunk embedding failed; embedding per article", exc_info=True)


def _analyse(record: Record, analysis: Analysis, settings: BatchSettings,
             pipeline: Pipeline) -> dict[str, Any]:
    steps = [s for s in settings.what if s != "read"]  # the envelope holds the article
    try:
        done = pipeline.run(analysis, steps, n=settings.n, summary=record.summary)
    except StepError as exc:  # one bad document never sinks a batch
        log.debug("%s failed on %s", exc.step, record.id, exc_info=True)
        return result_dict(record, "error", f"{exc.step}: {_reason(exc.cause)}",
                           analysis.article, exc.partial, error=exc)
    return result_dict(record, "ok", None, analysis.article, done)


def process_chunk(
    records: Sequence[Record], settings: BatchSettings, pipeline: Pipeline,
) -> list[dict[str, Any]]:
    """Results for ``records``, in their order, through ``pipeline``; exceptions become
    ``status: error``."""
    out: list[dict[str, Any] | None] = [None] * len(records)
    readable: list[tuple[int, Article]] = []
    for i, record in enumerate(records):
        if record.skip_reason:
            out[i] = result_dict(record, "skipped", record.skip_reason)
            continue
        try:
            readable.append((i, _read(record, settings, pipeline)))
        except Exception as exc:  # noqa: BLE001 - recorded per document
            out[i] = result_dict(record, "error", f"read: {_reason(exc)}", error=exc)
    if settings.needs_analysis and readable:
        fits = []
        for i, article in readable:  # over [limits] max_article_chars: never parsed
            try:
                pipeline.check_length(article)
                fits.append((i, article))
            except Exception as exc:  # noqa: BLE001 - recorded per document
                out[i] = result_dict(records[i], "error", _reason(exc), article, error=exc)
        readable = fits
    if settings.needs_analysis and readable:
        docs = _parse([a for _, a in readable], settings.batch_size)
        embedder = _chunk_embedder(settings, pipeline)
        analyses: dict[int, Analysis] = {}
        for (i, article), doc in zip(readable, docs, strict=True):
            if isinstance(doc, BaseException):
                out[i] = result_dict(records[i], "error", f"parse: {_reason(doc)}", article,
                                     error=doc)
            else:
                analyses[i] = pipeline.analyze(article, doc=doc, embedder=embedder)
        _prime(embedder, list(analyses.values()), settings)
        for i, analysis in analyses.items():
            out[i] = _analyse(records[i], analysis, settings, pipeline)
            pipeline.forget(analysis.article)
    else:
        for i, article in readable:
            out[i] = result_dict(records[i], "ok", None, article)
    return [r for r in out if r is not None]


def prepare_process(settings: BatchSettings) -> None:
    """Load what ``settings`` needs once in this process (a worker's initializer)."""
    from takeaways.nlp.models import (
        get_embedder,
        get_nlp,
        get_static_embedder,
        point_vectors_path,
        set_embedder,
    )

    if settings.embedder is not None:
        set_embedder(settings.embedder())
    get_nlp()  # reading splits sentences with spaCy, so every step needs the pipeline
    steps = set(settings.what)
    if _main_embedder_steps(steps, hand_set=False):  # set_embedder above counts already
        get_embedder()  # (an LLM writer's audit loads it on first use)
    if "key_points" in steps and (path := point_vectors_path()) is not None:
        get_static_embedder(path)


def chunked(items: Iterable[Record], size: int) -> Iterator[list[Record]]:
    it = iter(items)
    while chunk := list(islice(it, size)):
        yield chunk
