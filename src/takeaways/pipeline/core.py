"""`Pipeline`: the only step logic. read → analyze → key points / quotes / audit.

The CLI, the server, batch runs and the Ray engine all call a `Pipeline`;
`takeaways.api` is convenience over a default one (as ``httpx.get`` is over a
``Client``). A pipeline holds one frozen `Settings` tree, and every stage it calls runs
under it. It analyses an article once: the analyses of the articles it saw last are
kept (a few, by identity), so ``key_points``, ``quotes`` and ``audit`` of one `Article`
share one parse.

Arguments are checked before any work, each bad one a `UsageError` saying what to pass;
an article text over ``[limits] max_article_chars`` is a `LimitError` before it is parsed;
an audited summary over ``[limits] max_summary_chars`` or ``max_summary_claims`` is a
`LimitError` before the audit runs. Under `takeaways.pipeline.deadline.deadline` every
step boundary (and the long loops below) calls `check`, so the work stops with a
`DeadlineError` once the time is up.
"""

from __future__ import annotations

import os
import re
import threading
from collections import OrderedDict
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from takeaways.config import Settings, default_settings
from takeaways.deadline import check
from takeaways.document import Article
from takeaways.errors import LimitError, StepError, UsageError
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

#: a word or a punctuation mark: about spaCy's tokens (for `Pipeline.check_length`)
_TOKEN = re.compile(r"\w+|[^\w\s]")

_SOURCE_HELP = ("pass a file path, '-' (stdin), an http(s) URL, the page's bytes, or the "
                "page itself as a string")


def check_source(source: Any) -> str | bytes | Path:
    """``source`` as `read` takes it: a str, bytes (bytearray and memoryview are copied to
    bytes) or a path (any ``os.PathLike``); anything else is a `UsageError`."""
    if isinstance(source, str | bytes | Path):
        return source
    if isinstance(source, bytearray | memoryview):
        return bytes(source)
    if isinstance(source, os.PathLike):
        return Path(source)
    raise UsageError(f"cannot read a {type(source).__name__} ({_short(source)}); "
                     f"{_SOURCE_HELP}.")


def check_summary(summary: Any) -> str | list[str] | None:
    """``summary`` as `audit` takes it: None, a string, or a list (or tuple) of strings;
    anything else is a `UsageError` naming the bad item."""
    if summary is None or isinstance(summary, str):
        return summary
    if isinstance(summary, list | tuple):
        for i, item in enumerate(summary):
            if not isinstance(item, str):
                raise UsageError(
                    f"summary item {i} is a {type(item).__name__} ({_short(item)}), not a "
                    "string; pass the summary as a string or a list of strings.")
        return list(summary)
    raise UsageError(f"summary must be a string or a list of strings, got a "
                     f"{type(summary).__name__} ({_short(summary)}).")


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."



class Pipeline:
    """Read, analyse and run steps under one `Settings` tree.

    >>> pipeline = Pipeline()                      # shipped defaults + the user's file
    >>> article = pipeline.read("page.html")       # doctest: +SKIP
    >>> points = pipeline.key_points(article, n=3) # doctest: +SKIP
    >>> graph = pipeline.quotes(article)           # the same parse  # doctest: +SKIP

    ``embedder`` replaces the process-wide sentence embedder for every analysis this
    pipeline makes (key points then use it too, not ``[models] keypoint_embedder``);
    ``keep`` is how many recent analyses are kept for re-use.
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

        source = check_source(source)
        if max_bytes is not None and (not isinstance(max_bytes, int) or
                                      isinstance(max_bytes, bool) or max_bytes < 1):
            raise UsageError(f"max_bytes must be a whole number of bytes of at least 1, got "
                             f"{max_bytes!r}; or leave it out for [limits] max_input_bytes.")
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
        self.check_length(article)
        with self._lock:
            known = self._recent.get(id(article))
            if known is not None and known.article is article:
                self._recent.move_to_end(id(article))
                return known
        analysis = Analysis(article, doc=doc, embedder=embedder or self.embedder,
                            point_embedder=self.embedder)
        if self._keep:
            with self._lock:  # the entry holds the article, so its id is not reused
                self._recent[id(article)] = analysis
                while len(self._recent) > self._keep:
                    self._recent.popitem(last=False)
        return analysis

    def check_length(self, article: Article) -> None:
        """A `LimitError` before any parsing when the article text is over ``[limits]
        max_article_chars``: the analysis is about linear in the text, and a text that long
        (far beyond any news article) would hold a worker for minutes."""
        limits = self.settings.section("limits")
        limit = int(limits.get("max_article_chars", 0))
        if limit and len(article.text) > limit:
            raise LimitError(f"the article text has {len(article.text):,} characters, over the "
                             f"analysis limit of {limit:,} (about {limit // 6:,} words); analyse "
                             "it in parts or raise [limits] max_article_chars (0: no limit).")
        cap = int(limits.get("max_article_tokens", 0))
        if cap and len(article.text) > cap:  # fewer characters than cap: fewer tokens too
            tokens = sum(1 for _ in _TOKEN.finditer(article.text))
            if tokens > cap:
                raise LimitError(
                    f"the article text has about {tokens:,} tokens (words and punctuation "
                    f"marks), over the analysis limit of {cap:,}: far denser than prose "
                    "(a page of symbols or markup?); analyse it in parts or raise [limits] "
                    "max_article_tokens (0: no limit).")

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
        writer = self._writer()
        analysis = self.analyze(item)
        check()
        if writer == "llm":  # [writer] name: an LLM drafts, the audit checks (docs/writer.md)
            from takeaways.writer import write_key_points

            return write_key_points(analysis, n=n, settings=self.settings)
        return extract_key_points(analysis, n=n, settings=self.settings)

    def _writer(self) -> str:
        """The writer ``[writer]`` selects, its settings checked before any work."""
        from takeaways.writer import WriterSettings

        ws = WriterSettings.from_settings(self.settings)
        ws.check()
        return ws.name

    def quotes(self, item: Input | Analysis) -> Quotes:
        """Who said what: quotes with resolved speakers and merged entity aliases."""
        from takeaways.attribution import extract_quotes

        analysis = self.analyze(item)
        check()
        return extract_quotes(analysis, settings=self.settings)

    def audit(
        self, item: Input | Analysis, summary: str | list[str] | None = None, *,
        nli_model: str | None = None,
    ) -> Audit:
        """Check each claim of ``summary`` (default: the page's own summary box)."""
        from takeaways.auditing import audit_summary

        summary = self._summary(check_summary(summary))  # before reading or parsing
        analysis = self.analyze(item)
        if summary is None:
            self._summary([i.text for i in analysis.article.existing_summary])
        check()
        return audit_summary(analysis, summary, nli_model=nli_model, settings=self.settings)

    def _summary(self, summary: str | list[str] | None) -> str | list[str] | None:
        """``summary`` with lone surrogates replaced; a `LimitError` when it is over
        ``[limits] max_summary_chars`` or splits into more than ``max_summary_claims``."""
        from takeaways.auditing.registry import SPLITTER, lookup
        from takeaways.auditing.settings import load_settings
        from takeaways.config import use
        from takeaways.ingest.builder import replace_surrogates

        if summary is None:
            return None
        limits = self.settings.section("limits")
        items = [summary] if isinstance(summary, str) else summary
        chars, max_chars = sum(len(s) for s in items), int(limits["max_summary_chars"])
        if max_chars and chars > max_chars:
            raise LimitError(f"the summary has {chars:,} characters, over the limit of "
                             f"{max_chars:,}; audit it in parts or raise [limits] "
                             "max_summary_chars.")
        summary = (replace_surrogates(summary) if isinstance(summary, str)
                   else [replace_surrogates(s) for s in summary])
        max_claims = int(limits["max_summary_claims"])
        if max_claims and (isinstance(summary, str) or len(summary) > max_claims):
            with use(self.settings):
                claims = len(lookup(SPLITTER, load_settings().claim_splitter)(summary))
            if claims > max_claims:
                raise LimitError(f"the summary has {claims:,} claims, over the limit of "
                                 f"{max_claims:,}; audit it in parts or raise [limits] "
                                 "max_summary_claims.")
        return summary

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
        from takeaways.keypoints import check_n
        from takeaways.nlp.analyze import Analysis

        wanted = normalize_steps(steps)
        if "key_points" in wanted:
            check_n(n)  # (a bad summary fails the audit step: it belongs to the document)
        done: dict[str, Any] = {}
        article: Article | None = None
        analysis: Analysis | None = None
        for step in wanted:
            try:
                check(article.id if article else None)
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
