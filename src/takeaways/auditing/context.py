"""What the signals look at: an index of the article (built once per `Analysis`) and,
for each claim, its parse and its alignment to the article's sentences."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, Any

import numpy as np

from takeaways.auditing.settings import AuditSettings
from takeaways.auditing.text import case_map, is_content, norm, number_value, word_forms
from takeaways.lexicon import lexicon

if TYPE_CHECKING:
    from spacy.tokens import Doc, Token

    from takeaways.nlp.analyze import Analysis
    from takeaways.nlp.models import Embedder

_WORD_CACHE: dict[tuple[str, str], np.ndarray] = {}
_WORD_CACHE_MAX = 300_000
_lock = threading.Lock()


@dataclass(frozen=True, slots=True)
class Mention:
    """A named entity of the article, with its sentence."""

    text: str
    label: str
    sid: int
    start: int
    end: int


def encode_words(analysis: Analysis, words: list[str]) -> np.ndarray:
    """Embeddings of single words, cached across articles (words repeat a lot)."""
    name = getattr(analysis.embedder, "name", "embedder")
    missing = [w for w in dict.fromkeys(words) if (name, w) not in _WORD_CACHE]
    if missing:
        vecs = analysis.embed(missing)
        with _lock:
            if len(_WORD_CACHE) > _WORD_CACHE_MAX:
                _WORD_CACHE.clear()
            for w, v in zip(missing, vecs, strict=True):
                _WORD_CACHE[(name, w)] = v
    if not words:
        return np.zeros((0, 1), dtype=np.float32)
    return np.stack([_WORD_CACHE[(name, w)] for w in words])


class ArticleIndex:
    """Word forms, entities, numbers and negations per article sentence."""

    def __init__(self, analysis: Analysis) -> None:
        self.analysis = analysis
        article = analysis.article
        n = len(article.sentences)
        self.sent_forms: list[set[str]] = [set() for _ in range(n)]
        self.sent_numbers: list[set[str]] = [set() for _ in range(n)]
        self.sent_negations: list[int] = [0] * n
        self.form_sids: dict[str, set[int]] = {}
        self.content_vocab: set[str] = set()
        self.mentions: list[Mention] = []
        self.sent_norm = [norm(s.text) for s in article.sentences]
        self.text_norm = " " + norm(article.text) + " "
        self.cases = case_map(article.text)
        self.paragraph_of = {sid: p.id for p in article.paragraphs for sid in p.sentence_ids}
        self._fill()

    def _fill(self) -> None:
        negations = lexicon().negation_cues
        for sid, span in self.analysis.sentence_spans():
            for tok in span:
                self._add_token(sid, tok, negations)
        for ent in self.analysis.doc.ents:
            sent = self.analysis.article.sentence_at(ent.start_char)
            if sent is not None:
                self.mentions.append(
                    Mention(ent.text, ent.label_, sent.id, ent.start_char, ent.end_char)
                )

    def _add_token(self, sid: int, tok: Token, negations: frozenset[str]) -> None:
        if tok.is_punct or tok.is_space:
            return
        for form in word_forms(tok):
            self.sent_forms[sid].add(form)
            self.form_sids.setdefault(form, set()).add(sid)
        for part in tok.lower_.split("-") if "-" in tok.lower_ else ():
            self.sent_forms[sid].add(part)
            self.form_sids.setdefault(part, set()).add(sid)
        if is_content(tok):
            self.content_vocab.add(tok.lemma_.lower())
        value = number_value(tok.text) if tok.like_num else None
        if value is not None:
            self.sent_numbers[sid].add(value)
        if tok.lower_ in negations or tok.lemma_.lower() in negations or tok.dep_ == "neg":
            self.sent_negations[sid] += 1

    @cached_property
    def all_numbers(self) -> set[str]:
        return set().union(*self.sent_numbers) if self.sent_numbers else set()

    @cached_property
    def vocab(self) -> list[str]:
        return sorted(self.content_vocab)

    @cached_property
    def vocab_vectors(self) -> np.ndarray:
        return encode_words(self.analysis, self.vocab)

    @cached_property
    def _static_vocab(self) -> tuple[Embedder, np.ndarray] | None:
        """The shipped static vectors and the vocabulary's rows in them; None when the
        analysis embeds with static vectors already (nothing to save)."""
        if str(getattr(self.analysis.embedder, "name", "")).startswith("static:"):
            return None
        from takeaways.nlp.models import get_static_embedder, packaged_static_path

        static = get_static_embedder(packaged_static_path())
        return static, static.encode(self.vocab)

    def word_candidates(self, words: list[str], k: int) -> list[list[int]] | None:
        """For each of ``words``, the indices (ascending) into `vocab` of its ``k`` nearest
        article words by the shipped static vectors (distilled from the same MiniLM);
        None when every article word is to be compared (``k`` 0, a vocabulary of at most
        ``k`` words, or an analysis that embeds with static vectors)."""
        if k <= 0 or len(self.vocab) <= k or not words:
            return None
        static_vocab = self._static_vocab
        if static_vocab is None:
            return None
        static, rows = static_vocab
        sims = static.encode(words) @ rows.T
        top = np.argpartition(-sims, k - 1, axis=1)[:, :k]
        return [sorted(int(j) for j in row) for row in top]

    def has_form(self, forms: tuple[str, ...]) -> bool:
        return any(f in self.form_sids for f in forms)

    def sids_of(self, forms: tuple[str, ...]) -> set[int]:
        out: set[int] = set()
        for f in forms:
            out |= self.form_sids.get(f, set())
        return out

    def persons(self) -> list[Mention]:
        return [m for m in self.mentions if m.label == "PERSON"]


def article_index(analysis: Analysis) -> ArticleIndex:
    """The article index, built once and cached on the analysis."""
    return analysis.product(ArticleIndex)


@dataclass
class Alignment:
    """Article sentences ranked for one claim, with the chosen evidence."""

    ranked: list[int]
    emb: np.ndarray
    lex: np.ndarray
    evidence: list[int]
    covered: set[int]  # claim token indices found in the evidence


@dataclass
class ClaimContext:
    """One claim as every signal sees it."""

    index: ArticleIndex
    text: str
    doc: Doc
    settings: AuditSettings
    vector: np.ndarray
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def analysis(self) -> Analysis:
        return self.index.analysis

    @cached_property
    def content(self) -> list[Token]:
        return [t for t in self.doc if is_content(t)]

    @cached_property
    def found(self) -> dict[int, bool]:
        """For each content token, whether the article has it (lower form or lemma)."""
        return {t.i: self.index.has_form(word_forms(t)) for t in self.content}

    @cached_property
    def paraphrase(self) -> dict[int, tuple[str, float]]:
        """For each content token the article lacks: its closest article word and similarity."""
        novel = [t for t in self.content if not self.found[t.i]]
        vocab = self.index.vocab
        if not novel or not vocab:
            return {t.i: ("", 0.0) for t in novel}
        words = [t.lower_ for t in novel]
        vecs = encode_words(self.analysis, words)
        cands = self.index.word_candidates(words, self.settings.word_candidates)
        if cands is None:  # compare with every article word
            sims = vecs @ self.index.vocab_vectors.T
            best = sims.argmax(axis=1)
            pairs = enumerate(zip(novel, best, strict=True))
            return {t.i: (vocab[int(b)], float(sims[k, b])) for k, (t, b) in pairs}
        # only each word's static-nearest article words are embedded and compared
        union = sorted({j for row in cands for j in row})
        col = {j: n for n, j in enumerate(union)}
        union_sims = vecs @ encode_words(self.analysis, [vocab[j] for j in union]).T
        out: dict[int, tuple[str, float]] = {}
        for k, (t, row) in enumerate(zip(novel, cands, strict=True)):
            own = union_sims[k, [col[j] for j in row]]
            b = int(own.argmax())
            out[t.i] = (vocab[row[b]], float(own[b]))
        return out

    def supported_forms(self, tok: Token) -> tuple[str, ...]:
        """The token's forms, plus its paraphrase in the article when close enough."""
        forms = word_forms(tok)
        para = self.paraphrase.get(tok.i)
        if para and para[1] >= self.settings.word_similarity:
            forms = (*forms, para[0])
        return forms

    @cached_property
    def alignment(self) -> Alignment:
        return align(self)


def _lexical(ctx: ClaimContext) -> np.ndarray:
    sents = ctx.index.sent_forms
    content = ctx.content
    if not content:
        return np.zeros(len(sents), dtype=np.float32)
    hits = np.zeros(len(sents), dtype=np.float32)
    for tok in content:
        for sid in ctx.index.sids_of(ctx.supported_forms(tok)):
            hits[sid] += 1.0
    return hits / len(content)


def align(ctx: ClaimContext) -> Alignment:
    """Rank sentences by embedding similarity plus lexical recall; pick covering evidence."""
    n = len(ctx.index.sent_forms)
    if n == 0:
        empty = np.zeros(0, dtype=np.float32)
        return Alignment([], empty, empty, [], set())
    emb = ctx.analysis.sentence_embeddings @ ctx.vector
    lex = _lexical(ctx)
    w = ctx.settings.align_embedding_weight
    combined = w * emb + (1.0 - w) * lex
    ranked = [int(i) for i in np.argsort(-combined, kind="stable")]
    evidence, covered = _cover(ctx, ranked[: ctx.settings.align_top_k], combined)
    return Alignment(ranked, emb, lex, evidence, covered)


def _cover(ctx: ClaimContext, top: list[int], combined: np.ndarray) -> tuple[list[int], set[int]]:
    evidence: list[int] = []
    covered: set[int] = set()
    for sid in top:
        if len(evidence) >= ctx.settings.evidence_max:
            break
        if evidence and combined[sid] < ctx.settings.evidence_min_ratio * combined[evidence[0]]:
            break
        toks = {t.i for t in ctx.content if ctx.index.sent_forms[sid] & set(ctx.supported_forms(t))}
        if not evidence or toks - covered:
            evidence.append(sid)
            covered |= toks
    return evidence, covered
