"""Key points: score sentences, pick N with MMR, rewrite them to stand alone.

Strategies (recorded in every result's ``strategies``):
- ``keypoints.features.v2``: position, lede, centrality, title overlap, entity
  salience, quotes, length and caption signals, plus word statistics (length,
  SumBasic frequency, overlap with the lede) (`features`);
- ``keypoints.select.mmr.v2``: relevance with weights from ``data/keypoints.toml``,
  maximal marginal relevance and section coverage; a sentence that opens with a
  dangling pronoun/connective joins the point of the sentence before it (`select`);
- ``keypoints.rewrite.v1``: deletions and substitutions only (`rewrite`, `compress`).

Quote-aware units (`quote_units`): a sentence that opens inside a quotation never opens
a point, and a point whose quotation runs on takes the following sentences up to its
close (the quote and its speaker travel together). A candidate point that would still
fail the defect check (`defects`: no verb, no end punctuation, over ``max_point_words``,
a dangling or label start, unbalanced quotes…) is not eligible, and a point that nearly
repeats a chosen one is never picked.
"""

from __future__ import annotations

import numpy as np

from takeaways import registry
from takeaways.config import Settings, use
from takeaways.deadline import check
from takeaways.document import Article, Sentence
from takeaways.errors import UsageError
from takeaways.ingest.pagekind import kind_lines, page_kind
from takeaways.keypoints.defects import defects as point_defects
from takeaways.keypoints.defects import near_repeat
from takeaways.keypoints.features import FeatureTable, centrality, sentence_features
from takeaways.keypoints.result import Edit, Evidence, KeyPoint, KeyPoints
from takeaways.keypoints.rewrite import dangling_start, run_on_kept
from takeaways.keypoints.rewrite import rewrite as rewrite_sentence  # the module keeps its name
from takeaways.keypoints.select import group_points, relevance, settings
from takeaways.keypoints.select import settings as keypoint_settings
from takeaways.lexicon import quote_marks
from takeaways.nlp.analyze import Analysis

_Q = quote_marks()
_OPENS = frozenset(o for o, _ in _Q.double_pairs if o != '"')
_CLOSES = _Q.double_closers

STRATEGIES = {
    "features": "keypoints.features.v2",
    "select": "keypoints.select.mmr.v2",
    "rewrite": "keypoints.rewrite.v1",
}

__all__ = [
    "KeyPoint", "KeyPoints", "attachments", "best_ids", "eligibility", "embedded_ids",
    "embedded_limit", "extract_key_points",
]


def _eligible(sent: Sentence, caption: float) -> bool:
    cfg = settings()
    words = len(sent.text.split())
    return (caption < float(cfg["caption_max"])
            and int(cfg["min_words"]) <= words <= int(cfg["max_words"]))


def best_ids(
    scores: np.ndarray, ok: list[bool], limit: int, sections: list[int] | None = None
) -> list[int]:
    """The ``limit`` best sentences (eligible first), in document order. With
    ``sections``, the best of each section comes first, so the section-coverage bonus of
    the selection has candidates from every section to work with."""
    ranked = sorted(range(len(ok)), key=lambda i: (not ok[i], -float(scores[i])))
    picked: list[int] = []
    if sections is not None:
        heads: dict[int, int] = {}
        for i in ranked:
            if ok[i]:  # a section with no eligible sentence takes no slot
                heads.setdefault(sections[i], i)
        picked = list(heads.values())[:limit]
    taken = set(picked)
    picked += [i for i in ranked if i not in taken][: limit - len(picked)]
    return sorted(picked)


def embedded_limit(n: int) -> int:
    """How many candidate sentences are embedded: ``embedded_candidates``, and at least
    twice the number of points so MMR has room to skip near-duplicates."""
    return max(int(settings()["embedded_candidates"]), 2 * n)


def eligibility(analysis: Analysis, table: FeatureTable) -> list[bool]:
    """Whether each sentence may be a point: its length and caption score, or, for a run
    of glued sentences, whether one of its pieces can stand (`rewrite.run_on_kept`)."""
    caption = table.column("caption")
    pieces = run_on_kept(analysis)
    return [s.id in pieces or _eligible(s, float(caption[s.id]))
            for s in analysis.article.sentences]


def _embedding_free(analysis: Analysis, n: int) -> tuple[FeatureTable, list[bool], list[int]]:
    """The feature table without centrality, eligibility, and the ids of the best
    candidates to embed (memoised on the analysis per ``n`` and settings)."""
    return analysis.product(_build_embedding_free, n)


def _build_embedding_free(
    analysis: Analysis, n: int
) -> tuple[FeatureTable, list[bool], list[int]]:
    table = sentence_features(analysis, embed_ids=[])
    ok = eligibility(analysis, table)
    art = analysis.article
    sections = [art.paragraphs[s.paragraph].section for s in art.sentences]
    return table, ok, best_ids(relevance(table), ok, embedded_limit(n), sections)


def embedded_ids(analysis: Analysis, n: int = 4) -> list[int]:
    """The ids of the sentences whose embeddings `extract_key_points` uses; choosing them
    embeds nothing (the batch engine embeds a whole chunk's candidates in one call)."""
    count = len(analysis.article.sentences)
    return list(range(count)) if count <= embedded_limit(n) else _embedding_free(analysis, n)[2]


def _candidates(analysis: Analysis, n: int) -> tuple[np.ndarray, list[bool], list[int]]:
    """Relevance scores, eligibility and the ids of the embedded sentences.

    Only the best candidates by the features that need no embedding are embedded (all
    sentences when the article is short): embedding dominates the cost, and centrality
    over the candidates picks points as good (bench/tune_keypoints.py, docs/evaluation.md)."""
    count = len(analysis.article.sentences)
    if count <= embedded_limit(n):
        table = sentence_features(analysis)
        ok, ids = eligibility(analysis, table), list(range(count))
    else:
        table, ok, ids = _embedding_free(analysis, n)
        table = table.with_column("centrality", centrality(analysis, ids))
    chosen = set(ids)
    eligible = [ok[i] and i in chosen for i in range(count)]
    if not any(eligible):  # short or odd articles: take what exists
        eligible = [i in chosen for i in range(count)]
    return relevance(table), eligible, ids


class Similarity:
    """Cosine similarity between the embedded sentences, indexed by sentence ids
    (``sim[i, j]``; 0 when either was not embedded). Holds only the embedded rows, so it
    stays small however many sentences the article has."""

    def __init__(self, ids: list[int], matrix: np.ndarray) -> None:
        self._pos = {sid: k for k, sid in enumerate(ids)}
        self._matrix = matrix

    def __getitem__(self, key: tuple[int, int]) -> float:
        a, b = self._pos.get(key[0]), self._pos.get(key[1])
        return 0.0 if a is None or b is None else float(self._matrix[a, b])


def _similarity(analysis: Analysis, ids: list[int]) -> Similarity:
    """Cosine similarity between the embedded sentences (0 elsewhere)."""
    if not ids:
        return Similarity([], np.zeros((0, 0), dtype=np.float32))
    emb = analysis.point_embeddings_for(ids)
    return Similarity(ids, emb @ emb.T)


def _fusable(
    art: Article, sent: Sentence, attach: list[bool], rewritten: dict[int, tuple[str, list[Edit]]]
) -> bool:
    """Whether ``sent`` may join the point of the sentence before it: two sentences at
    most (the one before must open its point) and short together (``fuse_max_words``)."""
    if sent.id == 0 or attach[sent.id - 1]:
        return False
    before = rewritten.get(sent.id - 1, (art.sentences[sent.id - 1].text, []))[0]
    limit = int(settings().get("fuse_max_words", 60))
    return len(before.split()) + len(sent.text.split()) <= limit


def attachments(
    analysis: Analysis, eligible: list[bool]
) -> tuple[dict[int, tuple[str, list[Edit]]], list[bool], list[bool]]:
    """Rewrite the ``eligible`` sentences; one that still opens with a dangling pronoun
    or connective joins the sentence before it (``fuse_dangling``, `_fusable`) or stops
    being eligible. Returns the rewritten texts with their edits, the new eligibility and
    which sentences attach to the one before."""
    art = analysis.article
    fuse = bool(settings().get("fuse_dangling", False))
    eligible, attach = list(eligible), [False] * len(eligible)
    rewritten: dict[int, tuple[str, list[Edit]]] = {}
    for s in art.sentences:
        if s.id % 256 == 0:
            check(art.id)
        if eligible[s.id]:
            text, edits = rewrite_sentence(analysis, s)
            rewritten[s.id] = (text, edits)
            if dangling_start(text):
                if fuse and _fusable(art, s, attach, rewritten):
                    attach[s.id] = True  # may only follow its antecedent sentence
                else:
                    eligible[s.id] = False
    return rewritten, eligible, attach


#: The most key points one call gives: the one rule of the API, CLI, batch and server.
MAX_KEY_POINTS = 12


def _marks(text: str) -> tuple[bool, bool]:
    """Whether ``text`` closes a quotation it did not open (a closer with none open) and
    whether it leaves one open. A straight mark opens after a space or at the start and
    closes elsewhere; curly marks say which they are."""
    depth, orphan = 0, False
    for k, ch in enumerate(text):
        if ch == '"':
            opens = k == 0 or text[k - 1].isspace() or text[k - 1] in "([{—–-"
        elif ch in _OPENS or ch in _CLOSES:
            opens = ch in _OPENS
        else:
            continue
        if opens:
            depth += 1
        elif depth:
            depth -= 1
        else:
            orphan = True
    return orphan, depth > 0


#: at most this many sentences after a quotation's first sentence make one point with it
_MAX_RUN = 3


def quote_units(art: Article) -> tuple[list[bool], dict[int, list[int]]]:
    """Which sentences may open a point, and for a sentence that leaves a quotation open,
    the following sentences up to the one that closes it (`_MAX_RUN` at most, in its
    paragraph, none holding other marks). A sentence that closes a quotation it did not
    open never opens a point, nor does one whose quotation never closes."""
    n = len(art.sentences)
    marks = [_marks(s.text) for s in art.sentences]
    can_open = [not orphan for orphan, _ in marks]
    runs: dict[int, list[int]] = {}
    for i, (_, left_open) in enumerate(marks):
        if not left_open:
            continue
        para = art.sentences[i].paragraph
        tail: list[int] = []
        for j in range(i + 1, min(i + 1 + _MAX_RUN, n)):
            if art.sentences[j].paragraph != para:
                break
            tail.append(j)
            orphan, still_open = marks[j]
            if orphan:
                break
            if still_open or any(ch in _Q.double for ch in art.sentences[j].text):
                tail = []
                break
        if tail and marks[tail[-1]][0]:
            runs[i] = tail
            for j in tail:
                can_open[j] = False
        else:
            can_open[i] = False
    return can_open, runs


def _tags(analysis: Analysis, ids: list[int], edits: list[Edit]) -> list[tuple[str, str]]:
    """(word, POS) of the sentences ``ids`` less the words the ``edits`` delete: the
    tagger the defect check uses for a candidate point."""
    gone = [(e.start, e.end) for e in edits if e.kind == "delete"]
    out = []
    for sid in ids:
        for t in analysis.sentence_span(sid):
            if not any(a <= t.idx < b for a, b in gone):
                out.append((t.text, t.pos_))
    return out


def unit_text(
    art: Article, group: list[int], rewritten: dict[int, tuple[str, list[Edit]]],
    runs: dict[int, list[int]],
) -> tuple[str, list[int]]:
    """The text of the point that ``group`` (a head and the sentences attached to it)
    makes, with its quotation's run-on sentences, and the ids of all its sentences."""
    head = group[0]
    ids = [*group, *runs.get(group[-1], [])]
    text = rewritten[head][0] if head in rewritten else art.sentences[head].text
    return " ".join([text, *(art.sentences[i].text for i in ids[1:])]), ids


def publishable(
    analysis: Analysis, eligible: list[bool], attach: list[bool],
    rewritten: dict[int, tuple[str, list[Edit]]],
) -> tuple[list[bool], dict[int, list[int]], dict[int, str]]:
    """Eligibility after the quote units and the defect check (`defects`, not ``near
    repeat``), the quotations' run-on sentences, and each eligible candidate's point
    text (for an attached sentence: the point it makes with the sentence before)."""
    art = analysis.article
    can_open, runs = quote_units(art)
    limit = int(settings().get("max_point_words", 45))
    out, texts = list(eligible), {}
    for i, ok in enumerate(eligible):
        if not ok:
            continue
        group = [i - 1, i] if attach[i] else [i]
        if not (can_open[i] and can_open[group[0]]):
            out[i] = False
            continue
        text, ids = unit_text(art, group, rewritten, runs)
        edits = rewritten.get(group[0], ("", []))[1]
        tags = _tags(analysis, ids, edits)
        found = point_defects(text, pos=lambda _t, tags=tags: tags)
        if found or len(text.split()) > limit:
            out[i] = False
        else:
            texts[i] = text
    return out, runs, texts


_NOT_NEWS = {
    "recipe": "the page is a recipe, not a news article: the points come from its prose, "
              "never from the ingredient list.",
    "list": "the page is a list, not a news article: the points come from its prose.",
}


def check_n(n: int) -> None:
    """A `UsageError` unless ``n`` (the number of key points) is from 1 to
    `MAX_KEY_POINTS`."""
    if not isinstance(n, int) or isinstance(n, bool) or n < 1:
        raise UsageError(f"n must be at least 1, got {n!r}; ask for 1 or more key points.")
    if n > MAX_KEY_POINTS:
        raise UsageError(f"n must be at most {MAX_KEY_POINTS}, got {n}; ask for "
                         f"{MAX_KEY_POINTS} or fewer key points.")


def extract_key_points(
    analysis: Analysis, *, n: int = 4, settings: Settings | None = None
) -> KeyPoints:
    """N numbered, standalone key points with evidence (see the module docstring), under
    ``settings`` (default: the active ones)."""
    if settings is not None:
        with use(settings):
            return extract_key_points(analysis, n=n)
    check_n(n)
    art = analysis.article
    check(art.id)
    notes: list[str] = []
    if len(art.sentences) <= n:
        notes.append(
            f"the article has only {len(art.sentences)} sentence(s); every one is returned."
        )
    cfg = keypoint_settings()  # (the ``settings`` argument is None here)
    select = registry.get(str(cfg["strategy"]))  # the selection strategy the settings name
    scores, eligible, ids = _candidates(analysis, n)
    check(art.id)
    # the reader sets the kind; an Article built by hand (or from an older dict) has none,
    # and key points never change their input
    kind = getattr(art, "kind", None) or page_kind(
        art, min_lines=int(cfg.get("page_kind_min_lines", 3)))
    if kind in _NOT_NEWS:
        notes.append(_NOT_NEWS[kind])
        # a recipe's ingredient lines are never points (a list's items are its content)
        listed = kind_lines(art, "recipe") if kind == "recipe" else set()
        eligible = [e and s.paragraph not in listed for e, s in zip(eligible, art.sentences,
                                                                       strict=True)]
    rewritten, eligible, attach = attachments(analysis, eligible)
    eligible, runs, texts = publishable(analysis, eligible, attach, rewritten)
    if kind == "recipe" and not any(eligible):
        notes.append("the page has no news article to take key points from.")
        return KeyPoints(art, [], {**STRATEGIES, "select": str(cfg["strategy"])}, notes)
    if not any(e and not a for e, a in zip(eligible, attach, strict=True)):
        eligible = [i in set(ids) for i in range(len(eligible))]
        attach = [False] * len(eligible)
        notes.append("no sentence passes the key-point checks; the best candidates are "
                      "returned as they stand.")
    sim = _similarity(analysis, ids)
    sections = [art.paragraphs[s.paragraph].section for s in art.sentences]

    def repeats(i: int, chosen: list[int]) -> bool:
        return i in texts and any(near_repeat(texts[i], texts[j]) for j in chosen if j in texts)

    chosen = select(scores, sim, sections, eligible, n, attach=attach, blocked=repeats)
    points = []
    for k, group in enumerate(group_points(chosen, attach), 1):
        head = art.sentences[group[0]]
        if head.id not in rewritten:
            rewritten[head.id] = rewrite_sentence(analysis, head)
        edits = rewritten[head.id][1]
        # attached and run-on sentences follow their head verbatim: no rewriting needed
        text, sids = unit_text(art, group, rewritten, runs)
        ev = tuple(Evidence(s.id, s.start, s.end, s.text) for s in (art.sentences[i] for i in sids))
        points.append(KeyPoint(k, text, ev, tuple(edits), float(scores[head.id])))
    return KeyPoints(art, points, {**STRATEGIES, "select": str(cfg["strategy"])}, notes)
