"""Build the quote graph of an analysed article (strategy ``quotes.rules.v1``).

Order of work:

1. `EntityGraph`: named mentions, aliases, roles, role-only mentions.
2. Quote marks (`find_marked`) give the direct passages; reporting frames (verbs with a
   content clause, "according to", "expressed confidence that", "called for") give
   indirect speech. A frame whose content lies inside a quoted passage attributes that
   passage; a frame whose content holds quoted passages and other words is ``mixed``.
3. Passages no frame claims look for the nearest reporting verb in their sentence(s);
   failing that, a passage that opens its sentence inherits the previous quote's speaker;
   a heading quote takes the speaker of the body quote that repeats it; other passages
   (scare quotes, titles) are not quotes.
4. Speakers resolve in text order, so "he added" can use the previous speaker; then every
   remaining personal pronoun in the article gets a mention too.

Bounded work: a document with more double quote marks than ``[limits] max_quote_marks``
is refused with a `LimitError` before any scan; below it every step is near-linear (quote
ranges and sentences are found by binary search, punctuation runs by prefix counts), and
the long loops call the deadline `check`.
"""

from __future__ import annotations

import logging
import re
from bisect import bisect_left, bisect_right, insort
from collections.abc import Container, Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

import numpy as np

from takeaways.attribution.entities import CHECK_EVERY, EntityGraph
from takeaways.attribution.index import token_indices
from takeaways.attribution.marks import Marked, count_double_marks, find_marked
from takeaways.attribution.model import cue_model, model_frame
from takeaways.attribution.result import Quote, Quotes, Speaker, fold
from takeaways.attribution.rules import (
    EXPLETIVE,
    Frame,
    by_agent,
    by_colon,
    by_dash,
    by_participle,
    by_position,
    cue_range,
    indirect_frames,
    is_reporting,
    nearest_frame,
    noun_phrase,
    subject_of,
)
from takeaways.config import section
from takeaways.deadline import check
from takeaways.document import Article, Span
from takeaways.errors import LimitError
from takeaways.lexicon import Lexicon, lexicon
from takeaways.registry import register

if TYPE_CHECKING:
    from spacy.tokens import Doc

    from takeaways.nlp.analyze import Analysis

log = logging.getLogger(__name__)

#: the attribution strategies: the rules, the learned cue model for verb frames instead
#: of the verb rules, and both (the model where the rules find no verb frame; the default)
RULES, MODEL, HYBRID = "quotes.rules.v1", "quotes.model.v1", "quotes.hybrid.v1"

#: the versioned rules each part of the quote graph follows (recorded in every result,
#: with the attribution strategy that ran)
STRATEGIES = {
    "quotes.marks": "quotes.marks.v1",
    "quotes.attribution": HYBRID,
    "quotes.entities": "quotes.alias_graph.v1",
    "quotes.pronouns": "quotes.pronoun_recency.v1",
}

#: words a sentence after a quote may hold before its cue for the cue to be the quote's
#: ('Trump said of Apple', 'said Sen. John Cornyn')
OPENING_CUE_WORDS = 5
#: the most words a quoted title holds ('"This Week With George Stephanopoulos"'), and the
#: verbs that introduce one
TITLE_WORDS = 8
TITLE_VERBS = frozenset({"title", "entitle", "call", "name", "dub", "headline"})
_ALNUM = re.compile(r"[^\W_]")
#: speaker heads that say nothing of who spoke: no descriptor ('it', 'this', 'one')
EXPLETIVE_NOUNS = EXPLETIVE | {"one", "none", "all", "some", "many", "others"}


def check_quote_marks(article: Article) -> None:
    """A `LimitError` when the article holds more double quote marks than
    ``[limits] max_quote_marks`` (0: no limit)."""
    limit = int(section("limits").get("max_quote_marks", 0))
    count = count_double_marks(article.text) if limit else 0
    if limit and count > limit:
        raise LimitError(
            f"the article has {count:,} double quote marks, over the limit of {limit:,} per "
            "document; split the document or raise [limits] max_quote_marks.",
            doc_id=article.id)


@dataclass(slots=True)
class _Draft:
    kind: str
    content: tuple[int, int]  # characters
    frame: Frame | None
    mode: str  # frame | inherit | heading
    embedded: list[_Draft] = field(default_factory=list)
    parts: list[tuple[int, int]] = field(default_factory=list)


class _Builder:
    def __init__(self, doc: Doc, article: Article, lex: Lexicon,
                 block_quotes: Sequence[tuple[int, int]] = (), strategy: str = HYBRID) -> None:
        self.doc = doc
        self.strategy = strategy
        self.article = article
        self.lex = lex
        self.text = article.text
        check_quote_marks(article)
        self.graph = EntityGraph(doc, article, lex)
        blocks = [(p.start, p.end) for p in article.paragraphs] + [
            (h.start, h.end) for h in article.headings
        ]
        self.marks, self.warnings = find_marked(self.text, blocks)
        self.heading_spans = [(h.start, h.end) for h in article.headings]
        self.blocks = self._block_marks(block_quotes)
        self.top = sorted((k for k, m in enumerate(self.marks) if m.parent is None),
                          key=lambda k: self.marks[k].start)
        self.inside: set[int] = set()
        self.tok_range: dict[int, tuple[int, int]] = {}
        for k in self.top:
            pad = 0 if k in self.blocks else 1  # a block quote has no marks to take in
            lo, hi = self._tokens(self.marks[k].start - pad, self.marks[k].end + pad)
            self.tok_range[k] = (lo, hi)
            self.inside.update(range(lo, hi))
        self.done: list[Quote] = []
        self._said = _Said(doc)  # the contents attributed so far: not a speaker's antecedent
        self._done_starts: list[int] = []  # content starts of `done` while it is in order
        self._index(doc)

    def _block_marks(self, block_quotes: Sequence[tuple[int, int]]) -> set[int]:
        """Block quotes (``<blockquote>`` passages the reader found) as quoted passages
        without marks, unless quote marks already quote them; their indices in `marks`."""
        out: set[int] = set()
        tops = [(m.start, m.end) for m in self.marks if m.parent is None]
        for start, end in sorted(block_quotes):
            span = self._span(start, end)
            if not span.text or any(s < span.end and span.start < e for s, e in tops):
                continue
            self.marks.append(Marked(span.start, span.end, "", None, False))
            out.add(len(self.marks) - 1)
        return out

    def _index(self, doc: Doc) -> None:
        """What the bounded-work lookups need, each built in one pass over the doc."""
        # top quotes by token start (they are disjoint and in text order, so their ends
        # are in order too): the quotes a token range meets are found by binary search
        self._top_starts = [self.tok_range[k][0] for k in self.top]
        # the nested marks by start, for `_embedded`
        self._nested = [k for k, m in enumerate(self.marks) if m.parent is not None]
        self._nested_starts = [self.marks[k].start for k in self._nested]
        # running count of tokens that are neither punctuation nor space: "all punctuation
        # between a and b" is one subtraction
        from spacy.attrs import IS_PUNCT, IS_SPACE

        kinds = doc.to_array([IS_PUNCT, IS_SPACE]).astype(bool).reshape(-1, 2)
        self.punct: list[bool] = kinds[:, 0].tolist()
        words = ~(kinds[:, 0] | kinds[:, 1])
        self._words = np.concatenate(([0], np.cumsum(words, dtype=np.int64)))
        # the doc's sentences as token ranges, and the sentence of each token: a token's
        # sentence in O(1) (spaCy's Token.sent walks the sentence every time)
        bounds = [(sent.start, sent.end) for sent in doc.sents]
        self._sent_bounds = bounds
        self._sent_of = (np.repeat(np.arange(len(bounds)), [e - b for b, e in bounds])
                         if bounds else np.zeros(0, dtype=np.int64))
        self._first_alnum: dict[int, int] = {}

    # -- offsets ------------------------------------------------------------------

    def _tokens(self, start: int, end: int) -> tuple[int, int]:
        span = self.doc.char_span(start, end, alignment_mode="expand")
        if span is None:
            return 0, 0
        return span.start, span.end

    def _chars(self, r: tuple[int, int]) -> tuple[int, int]:
        span = self.doc[r[0] : r[1]]
        return span.start_char, span.end_char

    def _sent(self, i: int) -> tuple[int, int]:
        """The token range of the sentence holding token ``i``."""
        return self._sent_bounds[int(self._sent_of[i])]

    def _only_punct(self, lo: int, hi: int) -> bool:
        """Whether tokens ``lo:hi`` are all punctuation or space (True when empty)."""
        return hi <= lo or int(self._words[hi] - self._words[lo]) == 0

    def _tops_meeting(self, lo: int, hi: int) -> list[int]:
        """The top quotes whose token range shares a token with ``[lo, hi)``, in order."""
        end = bisect_left(self._top_starts, hi)
        out = []
        for pos in range(end - 1, -1, -1):
            k = self.top[pos]
            if self.tok_range[k][1] <= lo:
                break
            out.append(k)
        return out[::-1]

    def _span(self, start: int, end: int) -> Span:
        while start < end and self.text[start].isspace():
            start += 1
        while end > start and self.text[end - 1].isspace():
            end -= 1
        return Span(start, end, self.text[start:end])

    # -- drafts -------------------------------------------------------------------

    def drafts(self) -> list[_Draft]:
        out: list[_Draft] = []
        claimed: set[int] = set()
        model = cue_model() if self.strategy in (MODEL, HYBRID) else None
        lex = self.lex
        propose = None if model is None else (lambda tok: model_frame(tok, lex, model))
        frames = self._outer_frames([
            f for f in indirect_frames(self.doc, self.inside, self.lex, propose=propose,
                                       verb_rules=self.strategy != MODEL)
            if not self._in_heading(self.doc[f.cue[0]].idx)  # a headline reports nobody
        ])
        for n, f in enumerate(sorted(
                frames, key=lambda f: f.content[1] - f.content[0] if f.content else 0)):
            if n % 256 == 0:
                check(self.article.id)
            draft = self._frame_draft(f, claimed)
            if draft is not None:
                out.append(draft)
        for n, k in enumerate(self.top):
            if n % 256 == 0:
                check(self.article.id)
            if k not in claimed:
                draft = self._mark_draft(k)
                if draft is not None:
                    out.append(draft)
        out = self._merge_split(sorted(out, key=lambda d: d.content))
        for d in out:
            d.embedded = self._embedded(d)
        return out

    def _merge_split(self, drafts: list[_Draft]) -> list[_Draft]:
        """One quote with several parts for '"A," she said. "B."' (a quote interrupted by
        its cue) and for an uncued quote that goes on quoting the previous one; quoted
        phrases that only share a cue ('must be "A", the government recommending "B"')
        stay separate quotes."""
        out: list[_Draft] = []
        for d in drafts:
            prev = out[-1] if out else None
            if prev is not None and self._continues(prev, d):
                prev.parts = (prev.parts or [prev.content]) + [d.content]
                prev.content = (prev.content[0], d.content[1])
                continue
            out.append(d)
        return out

    def _continues(self, prev: _Draft, d: _Draft) -> bool:
        if prev.kind != "direct" or d.kind != "direct" or prev.frame is None:
            return False
        pp, dp = self._paragraph(prev.content[1] - 1), self._paragraph(d.content[0])
        if d.mode == "inherit" and pp is not None and dp == pp + 1 and self._opens_paragraph(d):
            return True  # '"A," said X.\n\n"B."': the next paragraph goes on quoting X
        if self._paragraph(prev.content[0]) != dp:
            return False
        if d.mode == "inherit":  # '"A," she said. "B."', not 'called it "A". "B."'
            return self._opens_sentence(self._tokens(prev.content[0] - 1, prev.content[0] + 1))
        return d.frame is not None and d.frame.cue == prev.frame.cue \
            and self._only_frame_between(prev, d)

    def _only_frame_between(self, prev: _Draft, d: _Draft) -> bool:
        """Whether two quoted pieces with one cue are one quote interrupted by it:
        '"A," she said, "B."' (the first piece opens its sentence and the cue stands
        between them), not 'must be "A", the government recommending "B"' or
        'was "A" and "B"' (quoted phrases inside one clause: two quotes)."""
        assert prev.frame is not None
        cue = self._chars(prev.frame.cue)[0]
        first = self._tokens(prev.content[0] - 1, prev.content[1] + 1)
        return prev.content[1] <= cue < d.content[0] and self._opens_sentence(first)

    def _opens_paragraph(self, d: _Draft) -> bool:
        s = self.article.sentence_at(d.content[0])
        if s is None or s.paragraph >= len(self.article.paragraphs):
            return False
        return d.content[0] <= self._paragraph_alnum(s.paragraph)

    def _paragraph_alnum(self, pid: int) -> int:
        """The offset of the first letter or digit of paragraph ``pid`` (its end if none)."""
        if pid not in self._first_alnum:
            p = self.article.paragraphs[pid]
            m = _ALNUM.search(self.text, p.start, p.end)
            self._first_alnum[pid] = m.start() if m else p.end
        return self._first_alnum[pid]

    def _outer_frames(self, frames: list[Frame]) -> list[Frame]:
        """Drop frames reported inside another frame's content (a token has one
        attribution): a frame goes when a frame with longer content holds its cue. One
        sweep over the cues in text order with a heap of the contents open there."""
        import heapq

        def size(f: Frame) -> int:
            return f.content[1] - f.content[0] if f.content else 0

        spans = sorted((g.content[0], g.content[1], size(g)) for g in frames if g.content)
        heap: list[tuple[int, int]] = []  # (-size, end) of the contents started so far
        nxt, longest = 0, {}
        for cue in sorted({f.cue[0] for f in frames}):
            while nxt < len(spans) and spans[nxt][0] <= cue:
                heapq.heappush(heap, (-spans[nxt][2], spans[nxt][1]))
                nxt += 1
            while heap and heap[0][1] <= cue:
                heapq.heappop(heap)  # ended before this cue (and every later one)
            longest[cue] = -heap[0][0] if heap else -1
        return [f for f in frames if not longest[f.cue[0]] > size(f)]

    def _frame_draft(self, f: Frame, claimed: set[int]) -> _Draft | None:
        assert f.content is not None
        lo, hi = f.content
        meeting = self._tops_meeting(lo, hi)
        for k in meeting:
            qlo, qhi = self.tok_range[k]
            if qlo <= lo and hi <= qhi:  # the clause is the quoted passage itself
                if k in claimed:
                    return None
                claimed.add(k)
                m = self.marks[k]
                return _Draft("direct", (m.start, m.end), f, "frame")
        for k in meeting:  # 'had "made up the story."': the closing mark hangs off the clause
            qlo, qhi = self.tok_range[k]
            if qlo < hi and lo < qhi and not (lo <= qlo and qhi <= hi):
                if self._only_punct(qlo, min(qhi, lo)) and self._only_punct(max(qlo, hi), qhi):
                    lo, hi = min(lo, qlo), max(hi, qhi)
        meeting = self._tops_meeting(lo, hi)
        inner = [k for k in meeting if lo <= self.tok_range[k][0] and self.tok_range[k][1] <= hi]
        crossing = [
            k
            for k in meeting
            if k not in inner and lo < self.tok_range[k][1] and self.tok_range[k][0] < hi
        ]
        if crossing or any(k in claimed for k in inner):
            return None
        claimed.update(inner)
        if len(inner) == 1 and self._words_outside(lo, hi, inner) <= 1:
            m = self.marks[inner[0]]
            return _Draft("direct", (m.start, m.end), f, "frame")
        return _Draft("mixed" if inner else "indirect", self._chars((lo, hi)), f, "frame")

    def _words_outside(self, lo: int, hi: int, inner: list[int]) -> int:
        ins = {i for k in inner for i in range(*self.tok_range[k])}
        return sum(1 for i in range(lo, hi) if i not in ins and not self.doc[i].is_punct)

    def _mark_draft(self, k: int) -> _Draft | None:
        m = self.marks[k]
        q = self.tok_range[k]
        if k not in self.blocks and self._names_a_title(q):
            log.debug("quoted passage at %d is a title: not a quote", m.start)
            return None
        region = self._block_region(q) if k in self.blocks else self._region(q)
        found = nearest_frame(self.doc, q, region, self.inside, self.lex,
                              punct=self.punct, run_of=self._run_of)
        frame = by_dash(self.doc, m.end, self.text) or (found[0] if found else None) or (
            by_agent(self.doc, q) or by_colon(self.doc, q)
            or by_participle(self.doc, q, self.lex) or by_position(self.doc, q, self.inside)
        )
        if frame is not None:
            return _Draft("direct", (m.start, m.end), frame, "frame")
        if self._in_heading(m.start):
            return _Draft("direct", (m.start, m.end), None, "heading")
        if self._opens_sentence(q):
            frame = self._narrated_before(q)
            if frame is not None:
                return _Draft("direct", (m.start, m.end), frame, "frame")
            return _Draft("direct", (m.start, m.end), None, "inherit")
        log.debug("quoted passage at %d has no cue and is not a sentence: not a quote", m.start)
        return None

    def _narrated_before(self, q: tuple[int, int]) -> Frame | None:
        """'Clinton touted her record. "We need …"': a quote that opens its sentence, with
        no cue, in a paragraph that quotes nothing before it, right after a sentence whose
        main verb's subject is a person or body the article names (or a personal pronoun):
        that subject speaks the quote, the verb is its cue. The narration introduces the
        speaker, so it outranks a speaker inherited from an earlier quote. A sentence that
        ends the previous paragraph with a colon (and quotes nothing) introduces it too."""
        start = self._sent(q[0])[0]
        j = start - 1
        while j >= 0 and self.doc[j].is_space:
            j -= 1
        if j < 0:
            return None
        lo, hi = self._sent(j)
        here, there = self._paragraph(self.doc[q[0]].idx), self._paragraph(self.doc[lo].idx)
        if here != there and not (  # 'As Joel Pollak reported after …:' ending the paragraph
                self.doc[j].text == ":" and here is not None and there == here - 1
                and not self._tops_meeting(lo, hi)):
            return None
        if self._tops_meeting(self._paragraph_start_token(q[0], back=0), q[0]):
            return None  # a quote earlier in the paragraph: the inherit rule's case, which
            # goes on quoting its speaker ('"A," Obama said. He paused. "B."')
        root = self.doc[lo:hi].root
        if root.pos_ not in ("VERB", "AUX"):
            return None
        subj = subject_of(root)
        if subj is None or subj.i < lo or subj.lower_ in EXPLETIVE:
            return None
        speaker = noun_phrase(subj)
        named = self.graph.mention_in(self.doc[speaker[0] : speaker[1]], subj)
        if named is None and self.lex.pronouns.get(subj.lower_) != "person":
            return None
        if named is not None and self.graph.type_of(named.entity) not in ("PERSON", "ORG"):
            return None
        return Frame(cue_range(root), speaker, subj.i)

    def _names_a_title(self, q: tuple[int, int]) -> bool:
        """Whether quoted tokens ``q`` are a title ('on ABC's "This Week With George
        Stephanopoulos"', 'an article titled "Clinton Does Best …"'): at most
        `TITLE_WORDS` words, every one capitalised or a function word, right after a
        possessive, a preposition or a naming verb ('titled', 'called')."""
        doc = self.doc
        words = [t for t in doc[q[0] : q[1]] if t.is_alpha]
        if not words or len(words) > TITLE_WORDS or not words[0].is_title:
            return False
        if not all(t.is_title or t.is_upper or t.is_stop for t in words):
            return False
        j = q[0] - 1
        while j >= 0 and (doc[j].is_space or doc[j].text in ",:"):
            if doc[j].text == ":":
                return False  # 'Trump: "We Will Win"' is a headline quote
            j -= 1
        if j < 0:
            return False
        before = doc[j]
        return (before.tag_ == "POS" or before.pos_ == "ADP" and before.dep_ == "prep"
                or before.lemma_.lower() in TITLE_VERBS)

    def _block_region(self, q: tuple[int, int]) -> tuple[int, int]:
        """Where a block quote's cue may be: the sentence before it ('Trump wrote on
        Twitter:') and the sentence after it ('…, she wrote.')."""
        doc = self.doc
        before, after = q[0] - 1, q[1]
        while before > 0 and doc[before].is_space:
            before -= 1
        while after < len(doc) - 1 and doc[after].is_space:
            after += 1
        lo = self._sent(before)[0] if before >= 0 else 0
        hi = self._sent(after)[1] if after < len(doc) else q[1]
        return lo, hi

    def _region(self, q: tuple[int, int]) -> tuple[int, int]:
        para = self.article.sentence_at(self.doc[q[0]].idx)
        lo, hi = self._sent(q[0])[0], self._sent(max(q[1] - 1, q[0]))[1]
        doc = self.doc
        if hi < len(doc) and self._only_punct(q[1], hi):
            nxt = self._sent(hi)  # '"...?" Sanders replied.': a short cue sentence after it
            if int(self._words[nxt[1]] - self._words[nxt[0]]) <= 6 or self._cue_opens(nxt):
                hi = nxt[1]
        colon = None
        if lo > 0 and self._only_punct(lo, q[0]):
            prev = self._sent(lo - 1)  # 'Dr. Ward stated: "..."'
            last_tok = next((doc[j] for j in range(prev[1] - 1, prev[0] - 1, -1)
                             if not doc[j].is_space), None)
            if last_tok is not None and last_tok.text == ":":
                lo = colon = prev[0]
        if para is not None:
            p = (
                self.article.paragraphs[para.paragraph]
                if para.paragraph < len(self.article.paragraphs)
                else None
            )
            if p is not None:
                plo, phi = self._tokens(p.start, p.end)
                lo, hi = max(lo, plo), min(hi, phi) if phi > plo else hi
        if colon is not None:  # 'Cruz continued:' ending the paragraph before the quote
            lo = colon
        return lo, hi

    def _cue_opens(self, sent: tuple[int, int]) -> bool:
        """Whether sentence ``sent`` opens with a cue that reports nothing of its own
        ('"…?" Trump said of Apple in February, when …'): a reporting verb among its
        first words (`OPENING_CUE_WORDS`) with no content clause or object."""
        seen = 0
        for i in range(sent[0], sent[1]):
            if self.punct[i] or i in self.inside:
                continue
            seen += 1
            if seen > OPENING_CUE_WORDS:
                return False
            tok = self.doc[i]
            if is_reporting(tok, self.lex, quote_only=True):
                finite = tok.tag_ in ("VBD", "VBZ", "VBP") or tok.dep_ == "ROOT"
                return finite and not any(
                    c.dep_ in ("ccomp", "xcomp", "dobj") for c in tok.children)
        return False

    def _in_heading(self, offset: int) -> bool:
        return any(s <= offset < e for s, e in self.heading_spans)

    def _opens_sentence(self, q: tuple[int, int]) -> bool:
        return self._only_punct(self._sent(q[0])[0], q[0] + 1)

    def _embedded(self, d: _Draft) -> list[_Draft]:
        out = []
        lo = bisect_left(self._nested_starts, d.content[0])
        hi = bisect_right(self._nested_starts, d.content[1])
        for k in self._nested[lo:hi]:
            m = self.marks[k]
            if not (d.content[0] <= m.start and m.end <= d.content[1]):
                continue
            if d.kind == "direct" and (m.start, m.end) == d.content:
                continue
            q = self._tokens(m.start - 1, m.end + 1)
            region = self._tokens(*d.content)
            found = nearest_frame(self.doc, q, region, set(range(*q)), self.lex,
                                  punct=self.punct)
            out.append(_Draft("direct", (m.start, m.end), found[0] if found else None, "embedded"))
        return out

    # -- speakers -----------------------------------------------------------------

    def speaker(self, d: _Draft) -> Speaker:
        """Who speaks a drafted quote (an inherited one: see `quote`, `_inherit`)."""
        if d.mode == "heading":
            return self._heading(d)
        f = d.frame
        if f is None:
            return Speaker(None, None, "none: no cue inside the quoting passage")
        if f.speaker is None or f.speaker_head is None:
            return Speaker(None, None, "none: the cue has no subject")
        lo, hi = self._chars(f.speaker)
        mention = self._span(lo, hi)
        head = self.doc[f.speaker_head]
        found = self.graph.mention_in(self.doc[f.speaker[0] : f.speaker[1]], head)
        if found is not None:
            return Speaker(mention, found.entity, found.how)
        if head.lower_ in self.lex.pronouns:
            entity, how = self.pronoun(f.speaker_head, cue=f.cue[0], quote=d.content)
            if entity is not None:
                self.graph.add_pronoun(head, entity, how)
            return Speaker(mention, entity, how)
        if head.pos_ in ("NOUN", "PROPN") and head.lower_ not in EXPLETIVE_NOUNS:
            # 'officers', 'the ministry', 'a source': no entity of the article, but the
            # words say who spoke; the descriptor stands in for the name
            return Speaker(mention, descriptor(mention.text), "descriptor")
        return Speaker(mention, None, f"none: {mention.text!r} names no entity of the article")

    def _inherit(self, prev: Quote | None) -> Speaker:
        """The speaker of a quote that goes on from ``prev`` (the previous quote in this or
        the previous paragraph, or None)."""
        if prev is None:
            return Speaker(
                None, None, "none: no cue and no earlier speaker in this or the previous paragraph"
            )
        # the mention and cue of the quote it goes on from: '"A," she said. "B."' -- who
        # says B is written once, as 'she' (PolNeAR annotates B's source so, too)
        return Speaker(prev.speaker.mention, prev.speaker.entity, "inherited:previous-quote")

    def _heading(self, d: _Draft) -> Speaker:
        key = fold(self.text[d.content[0] : d.content[1]])
        for q in self.done:
            if key and key in fold(q.content.text) and q.speaker.entity:
                return Speaker(None, q.speaker.entity, "heading:repeated-quote")
        return Speaker(None, None, "none: heading quote without a cue")

    def _paragraph(self, offset: int) -> int | None:
        s = self.article.sentence_at(offset)
        return s.paragraph if s else None

    def _previous_quote(self, offset: int, *, paragraphs: int) -> Quote | None:
        para = self._paragraph(offset)
        q = self._last_done_before(offset)
        if q is None:
            return None
        qp = self._paragraph(q.content.start)
        if para is not None and qp is not None and qp < para - paragraphs:
            return None
        return q

    def _last_done_before(self, offset: int) -> Quote | None:
        """The quote done last among those starting before ``offset``: by binary search
        while `done` is in text order (it is, but for heading quotes), else by a scan."""
        if len(self._done_starts) == len(self.done):
            k = bisect_left(self._done_starts, offset)
            return self.done[k - 1] if k else None
        return next((q for q in reversed(self.done) if q.content.start < offset), None)

    def _add_done(self, q: Quote) -> None:
        self._said.add(q.content.start, q.content.end)
        in_order = len(self._done_starts) == len(self.done)
        if in_order and (not self._done_starts or self._done_starts[-1] <= q.content.start):
            self._done_starts.append(q.content.start)
        self.done.append(q)

    def pronoun(self, i: int, *, cue: int | None = None,
                quote: tuple[int, int] | None = None) -> tuple[str | None, str]:
        """The entity pronoun token ``i`` refers to, and how. With ``cue`` (the token of
        the reporting verb it is the subject of) it is a speaker: the search starts a
        paragraph before ``quote`` (its content, in characters: a quote may run over
        several paragraphs), skips quoted words and people who cannot speak (`speaks`),
        and a reply ('she replied') skips the previous speaker."""
        tok = self.doc[i]
        cls = self.lex.pronouns.get(tok.lower_, "")
        if i in self.inside:
            lo = self._quote_start_token(i)
            found = self.graph.person_before(i, lo=lo) if cls == "person" else None
            if found is not None:
                return found[0].entity, "pronoun:in-quote"
            return None, "none: pronoun inside a quote with no antecedent"
        lo = self._paragraph_start_token(i, back=1)
        if quote is not None and quote[0] < tok.idx:
            first = self._tokens(quote[0], quote[0] + 1)[0]
            lo = min(lo, self._paragraph_start_token(first, back=1))
        if cls == "person":
            found = self._person_pronoun(i, lo, cue=cue)
        else:
            types = {"ORG", "GPE"} if cls == "group" else {"ORG"}
            subj = self.graph.subject_before(i, types, lo=lo)
            found = (subj.entity, "pronoun:previous-subject") if subj is not None else (
                None, "none: no compatible antecedent for the pronoun")
        if (found[0] is None and cue is not None
                and self.doc[cue].lemma_.lower() not in self.lex.dialogue_verbs):
            # '"…," the businessman replied. … "…," he added.': no named antecedent, but
            # the previous quote's speaker is a descriptor of the same number
            described = self._previous_descriptor(i, cls)
            if described is not None:
                return described, "pronoun:previous-speaker-descriptor"
        return found

    def _previous_descriptor(self, i: int, cls: str) -> str | None:
        """The previous quote's speaker (within a paragraph) when it is a descriptor
        ('the businessman', 'officials') whose head agrees in number with pronoun ``i``
        ('he'/'she': singular, 'they': plural) and the reply rule does not skip it."""
        tok = self.doc[i]
        prev = self._previous_quote(tok.idx, paragraphs=1)
        if prev is None or prev.speaker.how != "descriptor" or prev.speaker.mention is None:
            return None
        lo, hi = self._tokens(prev.speaker.mention.start, prev.speaker.mention.end)
        if hi <= lo or hi > i:
            return None
        head = self.doc[lo:hi].root
        if head.pos_ != "NOUN":  # a common noun: 'the businessman', not 'who' or 'Mass.'
            return None
        gender = self.lex.pronoun_genders.get(tok.lower_)
        if gender and self.lex.genders.get(head.lower_, gender) != gender:
            return None  # 'his mother' is no 'he'
        plural = head.tag_ in ("NNS", "NNPS")
        number = "plural" if tok.lower_ in ("they", "them") else "singular" \
            if cls == "person" and tok.lower_ not in ("i", "we", "you") else None
        if number is None or (number == "plural") != plural:
            return None
        if number == "singular" and not (head.lower_ in self.lex.genders
                                         or head.lemma_.lower() in self.lex.role_heads):
            return None  # 'he' for a person's role or a gendered noun, not 'the government'
        return prev.speaker.entity

    def _person_pronoun(self, i: int, lo: int, *, cue: int | None = None
                        ) -> tuple[str | None, str]:
        offset = self.doc[i].idx
        gender = self.lex.pronoun_genders.get(self.doc[i].lower_)
        speaking = cue is not None
        reply = speaking and self.doc[cue].lemma_.lower() in self.lex.dialogue_verbs
        best: tuple[int, str, str] | None = None
        prev = self._previous_quote(offset, paragraphs=1)
        other = prev.speaker.entity if reply and prev is not None else None
        skip = _Skip(self.inside if speaking else (), self.graph.tokens_of(other),
                     self._said if speaking and not reply else ())
        cluster = self.graph.cluster_named(prev.speaker.entity) \
            if prev is not None and prev.speaker.entity else None
        if (
            prev is not None and not reply
            and prev.speaker.entity
            and self.graph.type_of(prev.speaker.entity) == "PERSON"
            and self.graph.compatible(cluster, gender)
            and (not speaking or self.graph.speaks(cluster))
        ):
            at = prev.speaker.mention.start if prev.speaker.mention else prev.content.start
            if at < offset:
                best = (at, prev.speaker.entity, "pronoun:previous-speaker")
        subj = self.graph.subject_before(i, {"PERSON"}, lo=lo, gender=gender, skip=skip,
                                         speaking=speaking)
        if subj is not None and (best is None or subj.start > best[0]):
            best = (subj.start, subj.entity, "pronoun:previous-subject")
        if best is not None:
            return best[1], best[2]
        near = self.graph.person_before(i, lo=lo, gender=gender, skip=skip, speaking=speaking)
        if near is not None:
            return near[0].entity, "pronoun:nearest-person"
        return None, "none: no person before the pronoun in this or the previous paragraph"

    def _quote_start_token(self, i: int) -> int:
        """The first token of the (latest-starting) top quote holding token ``i``, else 0."""
        return self._run_of(i)[0] if i in self.inside else 0

    def _run_of(self, i: int) -> tuple[int, int]:
        """The token range of the (latest-starting) top quote holding token ``i``; the
        empty range at ``i`` when none does."""
        pos = bisect_right(self._top_starts, i)
        for k in reversed(self.top[max(0, pos - 2) : pos]):  # neighbours share a token
            if i < self.tok_range[k][1]:
                return self.tok_range[k]
        return i, i

    def _paragraph_start_token(self, i: int, *, back: int) -> int:
        para = self._paragraph(self.doc[i].idx)
        if para is None:
            return max(0, i - 80)
        p = self.article.paragraphs[max(0, para - back)]
        return self._tokens(p.start, p.end)[0]

    # -- results ------------------------------------------------------------------

    def quote(self, d: _Draft) -> Quote:
        content = self._span(*d.content)
        cue = None
        if d.frame is not None:
            cue = self._span(*self._chars(d.frame.cue))
        if d.mode == "inherit":  # speaker and cue of the quote it goes on from
            prev = self._previous_quote(d.content[0], paragraphs=1)
            speaker = self._inherit(prev)
            cue = prev.cue if prev is not None else None
        else:
            speaker = self.speaker(d)
        embedded = [self.quote(e) for e in d.embedded]
        sids = tuple(s.id for s in self.article.sentences_overlapping(content.start, content.end))
        parts = tuple(self._span(*p) for p in d.parts) if d.parts else (content,)
        return Quote(d.kind, content, cue, speaker, embedded, sids, parts)

    def pronoun_mentions(self) -> None:
        for n, i in enumerate(token_indices(self.doc, pos=("PRON",), lower=self.lex.pronouns)):
            if n % CHECK_EVERY == 0:
                check(self.article.id)
            if self.graph.mention_at(i):
                continue
            tok = self.doc[i]
            entity, how = self.pronoun(tok.i)
            if entity is not None:
                self.graph.add_pronoun(tok, entity, how)

    def build(self) -> Quotes:
        drafts = self.drafts()
        for n, d in enumerate(sorted(drafts, key=lambda d: d.mode == "heading")):
            if n % 256 == 0:  # (heading quotes come last: they look ahead)
                check(self.article.id)
            q = self.quote(d)
            if q.content.text:
                self._add_done(q)
        self.done.sort(key=lambda q: (q.content.start, q.content.end))
        self._done_starts = [q.content.start for q in self.done]
        self.pronoun_mentions()
        mentions = sorted(self.graph.mentions, key=lambda m: (m.start, m.end))
        for w in self.warnings:
            log.info("%s: %s", self.article.id, w)
        entities = self.graph.entities()
        ids = {e.name: e.id for e in entities}  # names are unique (`_merge_same_names`)
        return Quotes(
            self.article,
            [_with_ids(q, ids) for q in self.done],
            entities,
            mentions,
            {**STRATEGIES, "quotes.attribution": self.strategy},
            list(self.warnings),
        )


class _Said:
    """The character ranges of the contents attributed so far, as a container of tokens:
    'Allton said Warhol was a printer. "…," he added': Warhol, inside what Allton said,
    is no antecedent of the next speaker pronoun."""

    def __init__(self, doc: Doc) -> None:
        self.doc = doc
        self.ranges: list[tuple[int, int]] = []

    def add(self, start: int, end: int) -> None:
        insort(self.ranges, (start, end))

    def __contains__(self, i: object) -> bool:
        if not isinstance(i, int):
            return False
        at = self.doc[i].idx
        k = bisect_right(self.ranges, (at, 1 << 62))
        return any(s <= at < e for s, e in self.ranges[max(0, k - 4) : k])


class _Skip:
    """Tokens a speaker search passes over: quoted words, and the mentions of the person a
    reply answers."""

    def __init__(self, *sets: Container[int]) -> None:
        self.sets = sets

    def __contains__(self, i: object) -> bool:
        return any(i in s for s in self.sets)


def descriptor(text: str) -> str:
    """A speaker that names no entity, as the article words it ('officers', 'the
    ministry'): one line, a leading article in lower case."""
    words = text.split()
    if words and words[0].lower() in ("the", "a", "an"):
        words[0] = words[0].lower()
    return " ".join(words)


def _with_ids(q: Quote, ids: dict[str, str]) -> Quote:
    """``q`` (and its embedded quotes) with each speaker's entity id filled in."""
    speaker = q.speaker
    if speaker.entity is not None:
        speaker = replace(speaker, entity_id=ids.get(speaker.entity))
    return replace(q, speaker=speaker, embedded=[_with_ids(e, ids) for e in q.embedded])


def _build(analysis: Analysis, strategy: str) -> Quotes:
    article = analysis.article
    blocks = getattr(article, "block_quotes", ())
    return _Builder(analysis.doc, article, lexicon(), blocks, strategy).build()


@register(RULES)
def build_quotes(analysis: Analysis) -> Quotes:
    """The quote graph of ``analysis`` (one parse, no extra model). Block quotes come
    from the article's ``block_quotes`` (character ranges) when the reader gives them."""
    return _build(analysis, RULES)


@register(MODEL)
def build_quotes_model(analysis: Analysis) -> Quotes:
    """`build_quotes` with verb frames from the learned cue model alone (the ablation)."""
    return _build(analysis, MODEL)


@register(HYBRID)
def build_quotes_hybrid(analysis: Analysis) -> Quotes:
    """`build_quotes` plus the learned cue model where the verb rules find no frame."""
    return _build(analysis, HYBRID)


def quotes_from_doc(doc: Doc, article: Article, *,
                    block_quotes: Sequence[tuple[int, int]] = (),
                    strategy: str | None = None) -> Quotes:
    """The quote graph from a parsed ``doc`` whose text is ``article.text``.
    ``block_quotes``: character ranges of block quotes (``<blockquote>``), which are quotes
    without marks, attributed to the nearest cue before or after them; ``strategy``: one
    of ``quotes.rules.v1``, ``quotes.model.v1``, ``quotes.hybrid.v1`` (default: the
    configured ``[quotes] strategy`` when it is one of them, else the hybrid)."""
    if strategy is None:
        configured = str(section("quotes").get("strategy", HYBRID))
        strategy = configured if configured in (RULES, MODEL, HYBRID) else HYBRID
    return _Builder(doc, article, lexicon(), block_quotes, strategy).build()
