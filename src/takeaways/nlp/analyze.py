"""`Analysis`: the one parse of an article that key points, quotes and audit share.

spaCy runs on exactly ``article.text``, with the article's own sentence
boundaries preset, so every token's ``idx`` is an article offset and
``doc.sents`` matches ``article.sentences``. A long article is tokenised and parsed in
parts cut at sentence starts and joined into one `Doc` (`takeaways.nlp.tokens`): no
E088 over ``nlp.max_length``, peak memory bounded by the part size, same offsets.
Embeddings are computed lazily and cached here; what the stages above build from an
analysis (the quote graph, the audit's article index, key-point candidates) is memoised
by `Analysis.product`, keyed by the builder, its arguments and the active settings.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable, Sequence
from typing import TYPE_CHECKING, Any, TypeVar, cast

import numpy as np

from takeaways.config import active
from takeaways.document import Article
from takeaways.nlp.models import (
    Embedder,
    get_embedder,
    get_nlp,
    get_static_embedder,
    point_vectors_path,
)
from takeaways.nlp.tokens import PARSE_CHUNK, parse_long, pieces, tokenize

T = TypeVar("T")

if TYPE_CHECKING:
    from spacy.tokens import Doc
    from spacy.tokens import Span as SpacySpan


def _starts(article: Article) -> set[int]:
    return {s.start for s in article.sentences} | {h.start for h in article.headings}


def make_doc(article: Article, start: int = 0, end: int | None = None,
             starts: set[int] | None = None) -> Doc:
    """A tokenised (not yet parsed) Doc over ``article.text[start:end]`` (default: all of
    it) with preset sentence starts."""
    from spacy.attrs import SENT_START

    end = len(article.text) if end is None else end
    doc = tokenize(get_nlp(), article.text[start:end])
    starts = _starts(article) if starts is None else starts
    # one array write: setting Token.is_sent_start token by token is quadratic in spaCy
    flags = np.array([1 if t.i == 0 or t.idx + start in starts else -1 for t in doc],
                     dtype=np.int64)
    if len(doc):
        doc.from_array([SENT_START], cast(Any, flags.astype(np.uint64).reshape(-1, 1)))
    return doc


def _parts(article: Article) -> list[tuple[int, int]]:
    """Where a long article is cut for parsing: at sentence starts, `PARSE_CHUNK` at most."""
    if len(article.text) <= PARSE_CHUNK:
        return [(0, len(article.text))]
    return pieces(len(article.text), _starts(article), PARSE_CHUNK)


def parse_articles(articles: Sequence[Article], *, batch_size: int = 16) -> list[Doc]:
    """Parse many articles with ``nlp.pipe`` (the batch path), a batch of articles at a
    time (bounded in characters); a long article is parsed in parts and joined."""
    from spacy.tokens import Doc

    nlp = get_nlp()
    Analysis.parses += len(articles)
    plans = [_parts(a) for a in articles]
    starts = {k: _starts(a) for k, a in enumerate(articles) if len(plans[k]) > 1}
    items = [(k, s, e) for k, parts in enumerate(plans) for s, e in parts]

    def make(item: tuple[int, int, int]) -> Doc:
        k, s, e = item
        return make_doc(articles[k], s, e, starts.get(k))

    parsed = iter(parse_long(nlp, items, make, [e - s for _, s, e in items],
                             batch_size=batch_size, disable=["senter"]))
    out: list[Doc] = []
    for parts in plans:
        done = [next(parsed) for _ in parts]
        out.append(done[0] if len(done) == 1 else Doc.from_docs(done, ensure_whitespace=False))
    return out


class Analysis:
    """Article + parse + embeddings + memoised products, each computed once on demand.

    ``doc`` is a parse made elsewhere (the batch path parses a chunk in one call);
    ``embedder`` is fixed at construction (default: the process-wide one)."""

    #: how many parses this process has made (tests count them: analyse once)
    parses = 0

    def __init__(
        self, article: Article, *, doc: Doc | None = None, embedder: Embedder | None = None,
        point_embedder: Embedder | None = None,
    ) -> None:
        self.article = article
        self._doc = doc
        self._embedder = embedder
        self._point_embedder = point_embedder
        self._point_resolved = False
        self._embeddings: np.ndarray | None = None
        self._vectors: dict[int, np.ndarray] = {}
        self._point_vectors: dict[int, np.ndarray] = {}
        self._products: dict[tuple[Hashable, ...], Any] = {}

    @property
    def doc(self) -> Doc:
        if self._doc is None:
            self._doc = parse_articles([self.article])[0]
        return self._doc

    @property
    def embedder(self) -> Embedder:
        if self._embedder is None:
            self._embedder = get_embedder()
        return self._embedder

    @property
    def sentence_embeddings(self) -> np.ndarray:
        """One L2-normalised vector per article sentence (rows follow sentence ids)."""
        if self._embeddings is None:
            self._embeddings = self.embeddings_for(range(len(self.article.sentences)))
        return self._embeddings

    def embeddings_for(self, ids: Iterable[int]) -> np.ndarray:
        """Vectors of the sentences ``ids`` (rows in that order), encoding only the ones
        not seen before, in one batch."""
        wanted = list(ids)
        if self._embeddings is not None:
            return self._embeddings[wanted]
        return self._encoded(self.embedder, self._vectors, wanted)

    def _encoded(self, emb: Embedder, cache: dict[int, np.ndarray],
                 wanted: list[int]) -> np.ndarray:
        """Rows of ``emb``'s vectors for sentences ``wanted``, each sentence encoded once
        into ``cache`` (the ones missing there in one batch)."""
        missing = [i for i in dict.fromkeys(wanted) if i not in cache]
        if missing:
            vecs = emb.encode([self.article.sentences[i].text for i in missing])
            cache.update(zip(missing, vecs, strict=True))
        if not wanted:
            return emb.encode([])
        return np.stack([cache[i] for i in wanted])

    def embed(self, texts: list[str]) -> np.ndarray:
        return self.embedder.encode(texts)

    def _own_point_embedder(self) -> Embedder | None:
        """Key points' own embedder, or None when they share `embedder` (resolved once)."""
        if not self._point_resolved:
            own = self._point_embedder
            if own is None:
                path = point_vectors_path()
                own = None if path is None else get_static_embedder(path)
            elif own is self._embedder:
                own = None
            self._point_embedder, self._point_resolved = own, True
        return self._point_embedder

    @property
    def point_embedder(self) -> Embedder:
        """What key points embed sentences with: ``point_embedder`` when given, else the
        static vectors of ``[models] keypoint_embedder`` (`models.point_vectors_path`),
        else `embedder` (shared with the audit)."""
        return self._own_point_embedder() or self.embedder

    @property
    def points_share_embedder(self) -> bool:
        """Whether key points embed with `embedder` (so their vectors are the audit's)."""
        return self._own_point_embedder() is None

    def point_embeddings_for(self, ids: Iterable[int]) -> np.ndarray:
        """Key points' vectors of the sentences ``ids`` (rows in that order): the same as
        `embeddings_for` when key points share the audit's embedder, else from
        `point_embedder`, each sentence encoded once."""
        emb = self._own_point_embedder()
        if emb is None:
            return self.embeddings_for(ids)
        return self._encoded(emb, self._point_vectors, list(ids))

    def sentence_span(self, sid: int) -> SpacySpan:
        """The spaCy span of article sentence ``sid``."""
        s = self.article.sentences[sid]
        span = self.doc.char_span(s.start, s.end, alignment_mode="expand")
        assert span is not None
        return span

    def sentence_spans(self) -> Iterable[tuple[int, SpacySpan]]:
        for s in self.article.sentences:
            yield s.id, self.sentence_span(s.id)

    def product(self, build: Callable[..., T], *args: Hashable) -> T:
        """``build(self, *args)``, computed once per analysis, arguments and active
        settings (typed: the result has the builder's return type). The stages above
        ``nlp`` memoise through this, so ``nlp`` imports none of them."""
        key = (build, args, active().fingerprint)
        if key not in self._products:
            self._products[key] = build(self, *args)
        return cast(T, self._products[key])
