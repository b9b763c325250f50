"""`Pipeline`: the only step logic. read → analyze → key points / quotes / audit.

The CLI, the server, batch runs and the Ray engine all call a `Pipeline`;
`takeaways.api` is convenience over a default one (as ``httpx.get`` is over a
``Client``). A pipeline holds one frozen `Settings` tree, and every stage it calls runs
under it. It analyses an article once: the analyses of the articles it saw last are
kept (a few, by identity), so ``key_points``, ``quotes`` and ``audit`` of one `Article`
share one parse.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from takeaways.config import Settings, default_settings
from takeaways.document import Article
from takeaways.errors import StepError
from takeaways.pipeline.steps import normalize_steps

if TYPE_CHECKING:
    from spacy.tokens import Doc

    from takeaways.attribution.result import Quotes
    from takeaways.auditing.report import Audit
    from takeaways.keypoints.result import KeyPoints
    from takeaways.nlp.analyze import Analysis
    from takeaways.nlp.models import Embedder

Source = str | bytes | Path
Input = Article | Source



class Pipeline:
    """Read, analyse and run steps under one `Settings` tree.

    >>> pipeline = Pipeline()                      # shipped defaults + the user's file
    >>> article = pipeline.read("page.html")       # doctest: +SKIP
    >>> points = pipeline.key_points(article, n=3) # doctest: +SKIP
    >>> graph = pipeline.quotes(article)           # the same parse  # doctest: +SKIP

    ``embedder`` replaces the process-wide sentence embedder for every analysis this
    pipeline makes; ``keep`` is how many recent analyses are kept for re-use.
    """

    def __init__(
        self, settings: Settings | None = None, *, embedder: Embedder | None = None,
        keep: int = 8,
    ) -> None:
        self.settings = settings or default_settings()
        self.embedder = embedder
        self._keep = max(0, keep)
        self._recent: OrderedDict[int, Analysis] = OrderedDict()
        self._lock = threading.Lock()

    # -- reading and analysis --------------------------------------------------------
    def read(
        self, source: Source, *, kind: str | None = None, url: str | None = None,
        max_bytes: int | None = None, allow_fetch: bool = True,
    ) -> Article:
        """Read a news page into an `Article` (see `takeaways.read`)."""
        from takeaways.ingest import read_article

        return read_article(source, kind=kind, url=url, max_bytes=max_bytes,
                            allow_fetch=allow_fetch, settings=self.settings)

    def analyze(
        self, item: Input | Analysis, *, doc: Doc | None = None,
        embedder: Embedder | None = None,
    ) -> Analysis:
        """The shared analysis of an article: one parse, embeddings, memoised products.

        An `Analysis` is returned as it is; an `Article` this pipeline analysed recently
        gets the same analysis back; anything else is read first."""
        from takeaways.nlp.analyze import Analysis

        if isinstance(item, Analysis):
            return item
        article = item if isinstance(item, Article) else self.read(item)
        with self._lock:
            known = self._recent.get(id(article))
            if known is not None and known.article is article:
                self._recent.move_to_end(id(article))
                return known
        analysis = Analysis(article, doc=doc, embedder=embedder or self.embedder)
        if self._keep:
            with self._lock:  # the entry holds the article, so its id is not reused
                self._recent[id(article)] = analysis
                while len(self._recent) > self._keep:
                    self._recent.popitem(last=False)
        return analysis

    def forget(self, article: Article) -> None:
        """Drop the kept analysis of ``article`` (frees its parse)."""
        with self._lock:
            known = self._recent.get(id(article))
            if known is not None and known.article is article:
                del self._recent[id(article)]

    # -- steps -------------------------------------------------------------------------
    def key_points(self, item: Input | Analysis, *, n: int = 4) -> KeyPoints:
        """N numbered, standalone key points, each citing its evidence sentences."""
        from takeaways.keypoints import check_n, extract_key_points

        check_n(n)  # before reading or loading any model
        analysis = self.analyze(item)
        return extract_key_points(analysis, n=n, settings=self.settings)

    def quotes(self, item: Input | Analysis) -> Quotes:
        """Who said what: quotes with resolved speakers and merged entity aliases."""
        from takeaways.attribution import extract_quotes

        analysis = self.analyze(item)
        return extract_quotes(analysis, settings=self.settings)

    def audit(
        self, item: Input | Analysis, summary: str | list[str] | None = None, *,
        nli_model: str | None = None,
    ) -> Audit:
        """Check each claim of ``summary`` (default: the page's own summary box)."""
        from takeaways.auditing import audit_summary

        analysis = self.analyze(item)
        return audit_summary(analysis, summary, nli_model=nli_model, settings=self.settings)

    def verify(self, points: KeyPoints, item: Input | Analysis) -> KeyPoints:
        """``points`` with an audit of their own text attached (``--verify``)."""
        points.verification = self.audit(item, [p.text for p in points.points])
        return points

    def run(
        self, item: Input | Analysis, steps: Iterable[str], *, n: int = 4,
        summary: str | list[str] | None = None,
    ) -> dict[str, Any]:
        """Run ``steps`` (names from `STEPS`) on one article, in order, on one analysis.

        Returns ``{step: result}`` (``read`` gives the `Article`). A failing step raises
        `StepError`, whose ``partial`` holds the results of the steps before it."""
        from takeaways.nlp.analyze import Analysis

        wanted = normalize_steps(steps)
        done: dict[str, Any] = {}
        article: Article | None = None
        analysis: Analysis | None = None
        for step in wanted:
            try:
                if article is None:
                    article = self._article(item)
                if step == "read":
                    done[step] = article
                    continue
                analysis = analysis or self.analyze(item if isinstance(item, Analysis)
                                                    else article)
                if step == "key_points":
                    done[step] = self.key_points(analysis, n=n)
                elif step == "quotes":
                    done[step] = self.quotes(analysis)
                else:
                    done[step] = self.audit(analysis, summary)
            except Exception as exc:  # noqa: BLE001 - re-raised with the step and results
                raise StepError(step, exc, done, doc_id=article.id if article else None) \
                    from exc
        return done

    def _article(self, item: Input | Analysis) -> Article:
        if isinstance(item, Article):
            return item
        if isinstance(item, str | bytes | Path):
            return self.read(item)
        return item.article

    def pipe(
        self, records: Iterable[Any], *, what: str | Iterable[str] = ("read",), n: int = 4,
        batch_size: int = 16, max_bytes: int | None = None,
    ) -> Iterator[dict[str, Any]]:
        """Stream result dicts for many sources, in input order, in this process; one bad
        record never stops the stream (see `takeaways.pipe`)."""
        from takeaways.pipeline.chunk import BatchSettings, chunked, process_chunk
        from takeaways.pipeline.records import safe_record

        options = BatchSettings(what=normalize_steps(what), n=n,
                                batch_size=max(1, batch_size), max_bytes=max_bytes)
        recs = (safe_record(item, i) for i, item in enumerate(records))
        for chunk in chunked(recs, options.batch_size):
            yield from process_chunk(chunk, options, self)


_default: Pipeline | None = None
_default_lock = threading.Lock()


def default_pipeline() -> Pipeline:
    """The process-wide pipeline over `default_settings()` (what `takeaways.api` uses);
    made anew when the default settings change."""
    global _default
    with _default_lock:
        settings = default_settings()
        if _default is None or _default.settings is not settings:
            _default = Pipeline(settings)
        return _default
