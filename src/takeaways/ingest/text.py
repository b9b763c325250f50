"""Read scraped or pasted page text: drop site chrome, find title, kicker, headings,
paragraphs and any summary box on the page.

The rules, in order:
1. Each non-blank line is a candidate block. Lines that are chrome phrases or match
   chrome patterns (``data/chrome_*.txt``) are removed.
2. A numbered or bulleted list at the start or end of the page (optionally under a
   heading such as "Key takeaways") becomes ``existing_summary``.
3. The main body is the run of lines with the highest score: a sentence-like line
   earns its word count, any other line (menu item, teaser cut off with "...", caption)
   costs a fixed amount. The run never crosses a line that opens comments or a "most
   read" box (``data/chrome_section_ends.txt``), and prose after the first such line
   earns less (comment threads read like prose). Everything before the body is header
   material (title, kicker, captions) and after it is footer.
4. A line repeated in the header is the headline; a short line next to its first
   copy is the kicker. A teaser cut off with "..." next to its full copy is collapsed.
5. Inside the body, ``## `` lines and short lines without final punctuation are
   subheadings; everything else is a paragraph.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from takeaways.document import Metadata, Removed, SummaryItem
from takeaways.errors import ConfigError
from takeaways.ingest.builder import Block, Parts, clean_line, replace_surrogates
from takeaways.ingest.labels import byline_names, take_bylines
from takeaways.ingest.text_model import (
    LineModel,
    best_run,
    feature_columns,
    line_features,
    line_model,
)
from takeaways.lexicon import quote_marks
from takeaways.resources import word_list, word_set

_LIST_ITEM = re.compile(r"^\s*(?P<marker>\(?\d{1,2}[.)]|[-*•·▪●–])\s+(?P<text>\S.*)$")
_MD_HEADING = re.compile(r"^\s*(?P<hashes>#{1,6})\s+(?P<text>\S.*?)\s*#*\s*$")
_Q = quote_marks()
_FINAL_PUNCT = re.compile(f"[.!?…:;,][{_Q.char_class(_Q.closing)})\\]]*$")
_ELLIPSIS = re.compile(r"\s*(\.\.\.|…)\s*$")
_QUOTES = _Q.all


@dataclass(slots=True)
class Line:
    idx: int
    text: str


@lru_cache(maxsize=1)
def _chrome_pattern() -> re.Pattern[str]:
    """All chrome patterns as one alternation: one regex call per line, not one per
    pattern. Matched against the lower-cased line (a quarter faster than ``re.I``); a
    pattern file with an upper-case letter outside an escape keeps ``re.I``."""
    patterns = word_list("chrome_patterns")
    flags = re.I if any(_UPPER_LITERAL.search(p) for p in patterns) else 0
    return re.compile("|".join(f"(?:{p})" for p in patterns), flags)


_UPPER_LITERAL = re.compile(r"(?<!\\)[A-Z]")


#: what `_norm_phrase` strips from the end: whitespace (as ``\s``) and separators
_TRAILING = "".join(chr(c) for c in range(0x3001) if chr(c).isspace()) + ":»›>|•·-–—"


def _norm_phrase(text: str) -> str:
    """The line lower-cased, without a trailing run of separators (":", "»", "|", dashes)."""
    return text.strip().lower().rstrip(_TRAILING).strip()


def chrome_reason(text: str) -> str | None:
    """Why a whole line is site chrome, or None when it is not."""
    if _norm_phrase(text) in word_set("chrome_phrases"):
        return "chrome phrase"
    if len(text) < 200 and _chrome_pattern().match(text.strip().lower()):
        return "chrome pattern"
    return None


@lru_cache(maxsize=8192)
def _words(text: str) -> int:
    """Words of a line (memoised: the rules, the header and the body each ask)."""
    return len(text.split())


def is_sentence_like(text: str) -> bool:
    """A long line that ends like prose."""
    n = _words(text)
    return (n >= 10 and bool(_FINAL_PUNCT.search(text))) or n >= 25


@lru_cache(maxsize=8192)
def is_heading_like(text: str) -> bool:
    """A short line without final punctuation that starts with a capital, digit or quote."""
    if _MD_HEADING.match(text):
        return True
    core = text.strip().strip(_QUOTES).strip()
    if not core or _words(core) > 14 or len(core) > 120:
        return False
    if _FINAL_PUNCT.search(core) and not core.endswith("?"):
        return False
    return core[0].isupper() or core[0].isdigit()


def _summary_heading(text: str) -> bool:
    return _norm_phrase(text) in word_set("summary_headings")


def _take_summary(
    lines: list[Line], at_end: bool
) -> tuple[list[Line], list[SummaryItem], list[Removed]]:
    """Split off a list of ≥2 items at the start or end of the page."""
    seq = list(reversed(lines)) if at_end else list(lines)
    items: list[Line] = []
    for line in seq:
        if _LIST_ITEM.match(line.text):
            items.append(line)
        elif items:
            break
        elif not at_end:
            # at the start, only a summary heading may precede the list
            if _summary_heading(line.text):
                continue
            break
        else:
            break
    if len(items) < 2:
        return lines, [], []
    if at_end:
        items.reverse()
    ids = {i.idx for i in items}
    removed: list[Removed] = []
    first = min(ids)
    prev = [ln for ln in lines if ln.idx < first]
    if prev and _summary_heading(prev[-1].text):
        ids.add(prev[-1].idx)
        removed.append(Removed(prev[-1].text, "summary heading"))
    summary = []
    for n, line in enumerate(items, 1):
        m = _LIST_ITEM.match(line.text)
        assert m is not None
        summary.append(SummaryItem(n, clean_line(m.group("text")), m.group("marker")))
    kept = [ln for ln in lines if ln.idx not in ids]
    return kept, summary, removed


@lru_cache(maxsize=1)
def _section_end_pattern() -> re.Pattern[str]:
    return re.compile("|".join(f"(?:{p})" for p in word_list("chrome_section_ends")), re.I)


def is_section_end(text: str) -> bool:
    """A line that opens comments or a "most read" box: the body never crosses it."""
    return len(text) < 120 and bool(_section_end_pattern().match(text.strip()))


# Score of a line that is not prose, when looking for the body: each such line inside
# the body costs this much, prose lines earn their word count.
_NON_PROSE_COST = 12
# Prose after the first section-end line (comments, "most read") earns this share of
# its words, so that a long comment thread does not outweigh the article above it.
_AFTER_SECTION_END_WEIGHT = 0.3


def _line_score(text: str) -> float:
    if is_sentence_like(text) and not _ELLIPSIS.search(text):
        return _words(text)
    return -_NON_PROSE_COST


def _between(barriers: frozenset[int], lo: int, hi: int) -> bool:
    """Is a barrier line number strictly between ``lo`` and ``hi``? (Adjacent lines have
    none: the common case costs no scan.)"""
    return hi - lo > 1 and bool(barriers) and any(lo < b < hi for b in barriers)


def _body_range(
    lines: list[Line], barriers: frozenset[int] = frozenset(), scores: list[float] | None = None
) -> tuple[int, int]:
    """Indices (into ``lines``) of the first and last line of the main body: the run of
    lines with the highest total score (prose lines earn their words, other lines cost
    ``_NON_PROSE_COST``; ``scores``: each line's `_line_score` when known), never running
    across a section-end line (``barriers``, as original line numbers)."""
    if not lines:
        return 0, -1
    if scores is None:
        scores = [_line_score(ln.text) for ln in lines]
    best = (float("-inf"), 0, 0)
    cur, start = 0.0, 0
    first_barrier = min(barriers, default=None)
    for i, ln in enumerate(lines):
        crossed = i > 0 and _between(barriers, lines[i - 1].idx, ln.idx)
        score = scores[i]
        if first_barrier is not None and ln.idx > first_barrier and score > 0:
            score *= _AFTER_SECTION_END_WEIGHT  # comments read like prose: trust them less
        if cur <= 0 or crossed:
            cur, start = score, i
        else:
            cur += score
        if cur > best[0]:
            best = (cur, start, i)
    return best[1], best[2]


def _after_repeated_title(lines: list[Line], first: int) -> int:
    """Move the body start past the last copy of a headline repeated near the top."""
    seen: dict[str, int] = {}
    for i, ln in enumerate(lines[: first + 6]):
        if ln.text in seen and seen[ln.text] < first and is_heading_like(ln.text):
            return max(first, i + 1)
        seen[ln.text] = i
    return first


def _collapse_teasers(lines: list[Line], removed: list[Removed]) -> list[Line]:
    """Drop a line cut off with '...' when a fuller copy of it exists."""
    texts = [ln.text for ln in lines]
    kept: list[Line] = []
    for ln in lines:
        if _ELLIPSIS.search(ln.text):
            stem = _ELLIPSIS.sub("", ln.text)
            if len(stem) > 15 and any(t != ln.text and t.startswith(stem) for t in texts):
                removed.append(Removed(ln.text, "truncated copy of a longer line"))
                continue
        kept.append(ln)
    return kept


# The headline among the lines above the body (hand-set round values; on the pasted_text
# dev pages the title then agrees with the HTML reader's on 46 pages, against 21 for the
# last heading-like line, and every value of a 3 x 3 x 3 grid around them gave 35-48):
_TITLE_WINDOW = 15        # it is one of the last this many lines above the body
_TITLE_WORDS = (3, 30)    # with this many words
_TITLE_WORD_CAP = 15      # a line earns its words up to this many
_TITLE_DISTANCE_COST = 0.5  # and loses this much for each line between it and the body
_TITLE_HEADING_GAIN = 2.0   # a heading-shaped line (no final punctuation) gains this


def _title_score(text: str, distance: int) -> float | None:
    """How much a header line ``distance`` lines above the body looks like the headline,
    or None when it cannot be one: a list item, a byline, too few or too many words, a
    line that ends in a comma, colon or semicolon or does not start like a headline."""
    n = _words(text)
    core = text.strip().strip(_QUOTES).strip()
    heading = is_heading_like(text)
    if not _TITLE_WORDS[0] <= n <= _TITLE_WORDS[1] or _LIST_ITEM.match(text) or not core:
        return None
    if byline_names(text) or text.rstrip().endswith((",", ":", ";")):
        return None
    if not (heading or text.rstrip().endswith(("?", "!", "."))):
        return None
    if not (core[0].isupper() or core[0].isdigit()):
        return None
    gain = _TITLE_HEADING_GAIN if heading else 0.0
    return min(n, _TITLE_WORD_CAP) - _TITLE_DISTANCE_COST * distance + gain


def _title_line(header: list[Line]) -> Line | None:
    """The headline: a heading-like line repeated above the body (not a byline); else the
    best `_title_score` among the last `_TITLE_WINDOW` lines; else the last heading-like
    line that is not a byline."""
    counts: dict[str, int] = {}
    for ln in header:
        counts[ln.text] = counts.get(ln.text, 0) + 1
    plain = [ln for ln in header if is_heading_like(ln.text) and not byline_names(ln.text)]
    repeated = [ln for ln in plain if counts[ln.text] > 1]
    if repeated:
        return repeated[0]
    best: tuple[float, Line] | None = None
    for distance, ln in enumerate(reversed(header[-_TITLE_WINDOW:])):
        score = _title_score(ln.text, distance)
        if score is not None and (best is None or score > best[0]):
            best = (score, ln)
    if best is not None:
        return best[1]
    return plain[-1] if plain else None


def _split_header(
    header: list[Line], removed: list[Removed]
) -> tuple[str | None, str | None, str | None]:
    """Title, kicker and byline names from the lines above the body; the rest is recorded
    as removed (a byline line as "byline", never the title or the kicker)."""
    title_line = _title_line(header)
    title = title_line.text if title_line else None
    kicker = None
    if title_line is not None:
        pos = header.index(title_line)
        around = header[pos + 1 : pos + 2] + header[max(0, pos - 1) : pos]
        for ln in around:
            if (ln.text != title and is_heading_like(ln.text) and _words(ln.text) <= 10
                    and not byline_names(ln.text)):
                kicker = ln.text
                break
    author = None
    for ln in header:
        names = byline_names(ln.text)
        if ln.text == title:
            removed.append(Removed(ln.text, "headline"))
        elif ln.text == kicker:
            removed.append(Removed(ln.text, "kicker"))
        elif names:
            removed.append(Removed(ln.text, "byline"))
            author = author or names
        else:
            removed.append(Removed(ln.text, "above the headline (caption, teaser or navigation)"))
    return title, kicker, author


def _body_blocks(body: list[Line], removed: list[Removed]) -> list[Block]:
    blocks: list[Block] = []
    seen: set[str] = set()
    for ln in body:
        md = _MD_HEADING.match(ln.text)
        if md:
            blocks.append(Block("heading", clean_line(md.group("text")), len(md.group("hashes"))))
            continue
        if ln.text in seen and _words(ln.text) >= 5:
            removed.append(Removed(ln.text, "duplicate paragraph"))
            continue
        seen.add(ln.text)
        if is_heading_like(ln.text) and not is_sentence_like(ln.text):
            blocks.append(Block("heading", ln.text, 2))
        else:
            blocks.append(Block("paragraph", ln.text))
    # a heading must be followed by a paragraph; trailing ones are footer chrome
    while blocks and blocks[-1].kind == "heading":
        removed.append(Removed(blocks.pop().text, "heading without text after it"))
    return blocks


#: how the body is chosen: the learned line model over the rules' features, or the rules
BODY_STRATEGIES = ("lines.v1", "rules.v1")


@dataclass(slots=True)
class Candidates:
    """The lines of a page left after chrome lines and the summary box are gone."""

    lines: list[Line]
    barriers: frozenset[int]
    summary: list[SummaryItem]
    removed: list[Removed]
    #: each line's `_line_score`, made once (the rules' run and the line model both read it)
    scores: list[float] = field(default_factory=list)

    def line_scores(self) -> list[float]:
        if len(self.scores) != len(self.lines):
            self.scores = [_line_score(ln.text) for ln in self.lines]
        return self.scores


def candidate_lines(raw: str) -> Candidates:
    """Steps 1–2 and the teaser collapse: the lines the body is chosen from."""
    raw = replace_surrogates(raw)
    removed: list[Removed] = []
    lines: list[Line] = []
    barriers: set[int] = set()
    for i, text in enumerate(raw.splitlines()):
        text = clean_line(text)
        if not text:
            continue
        if is_section_end(text):
            barriers.add(i)
            removed.append(Removed(text, "start of comments or a most-read box"))
            continue
        reason = chrome_reason(text)
        if reason:
            removed.append(Removed(text, reason))
            continue
        lines.append(Line(i, text))
    lines, summary, rem = _take_summary(lines, at_end=True)
    removed += rem
    if not summary:
        lines, summary, rem = _take_summary(lines, at_end=False)
        removed += rem
    lines = _collapse_teasers(lines, removed)
    return Candidates(lines, frozenset(barriers), summary, removed)


def rule_body(cands: Candidates) -> tuple[int, int]:
    """(first, last) index into ``cands.lines`` of the body run the rules choose."""
    first, last = _body_range(cands.lines, cands.barriers, cands.line_scores())
    return _after_repeated_title(cands.lines, first), last


def line_model_features(cands: Candidates) -> list[dict[str, float]]:
    """The line model's features of every candidate line, one dict per line."""
    texts = [ln.text for ln in cands.lines]
    return line_features(texts, rule_body(cands), [v > 0 for v in cands.line_scores()])


def line_model_columns(cands: Candidates) -> dict[str, Any]:
    """The same features as numpy columns (see `text_model.feature_columns`)."""
    texts = [ln.text for ln in cands.lines]
    return feature_columns(texts, rule_body(cands), [v > 0 for v in cands.line_scores()])


def _section_breaks(cands: Candidates) -> tuple[frozenset[int], list[float]]:
    """Where a body run must restart (a section-end line just above) and each line's
    weight: `_AFTER_SECTION_END_WEIGHT` after the first section end, else 1 (as the rules)."""
    lines, barriers = cands.lines, cands.barriers
    first_barrier = min(barriers, default=None)
    breaks = frozenset(
        i for i in range(1, len(lines))
        if _between(barriers, lines[i - 1].idx, lines[i].idx)
    )
    damp = [
        _AFTER_SECTION_END_WEIGHT if first_barrier is not None and ln.idx > first_barrier
        else 1.0
        for ln in lines
    ]
    return breaks, damp


def _model_body(
    cands: Candidates, removed: list[Removed], model: LineModel
) -> tuple[int, int, set[int]]:
    """(first, last, dropped): the best run of lines by the model's probabilities
    (`text_model.best_run`), and the lines inside it below ``model.keep`` (recorded in
    ``removed``). With no line above the threshold, the rules' run."""
    probs = model.decide(line_model_columns(cands))
    breaks, damp = _section_breaks(cands)
    words = [_words(ln.text) for ln in cands.lines]
    first, last = best_run(probs, words, model.threshold, breaks, damp)
    if last < first:
        first, last = rule_body(cands)
        return first, last, set()
    dropped = {i for i in range(first, last + 1) if probs[i] < model.keep}
    for i in sorted(dropped):
        removed.append(Removed(cands.lines[i].text, "not article text (line model)"))
    return first, last, dropped


def check_body_strategy(body: str) -> str:
    """``body`` when it names one of `BODY_STRATEGIES`, else a `ConfigError`."""
    if body not in BODY_STRATEGIES:
        raise ConfigError(f"unknown text body strategy {body!r} ([read] text_body); choose "
                          f"from {', '.join(BODY_STRATEGIES)}.")
    return body


def parse_text(raw: str, *, body: str = "lines.v1", model: LineModel | None = None) -> Parts:
    """Parse scraped or pasted page text into `Parts`; ``body`` names how the article
    body is chosen (one of `BODY_STRATEGIES`, the ``[read] text_body`` setting; recorded
    as ``metadata.text_body``); ``model`` replaces the shipped line model (training and
    tests)."""
    check_body_strategy(body)
    cands = candidate_lines(raw)
    lines, removed = cands.lines, cands.removed
    if not lines:
        return Parts(blocks=[], existing_summary=cands.summary, removed=removed,
                     metadata=Metadata(text_body=body))
    inner: list[Removed] = []
    if body == "rules.v1":
        first, last = rule_body(cands)
        dropped: set[int] = set()
    else:
        first, last, dropped = _model_body(cands, inner, model or line_model())
    header, footer = lines[:first], lines[last + 1 :]
    body_lines = [ln for i, ln in enumerate(lines[first : last + 1], first) if i not in dropped]
    title, kicker, author = _split_header(header, removed)
    removed += inner
    body_lines = [ln for ln in body_lines if ln.text != title or _words(ln.text) > 20]
    body_lines, in_body = take_bylines(body_lines, lambda ln: ln.text, removed)
    for ln in footer:
        removed.append(Removed(ln.text, "after the article body"))
    return Parts(
        blocks=_body_blocks(body_lines, removed),
        title=title,
        kicker=kicker,
        metadata=Metadata(author=author or in_body, text_body=body),
        existing_summary=cands.summary,
        removed=removed,
    )


def parse_plain(raw: str) -> tuple[str, Parts]:
    """Keep the text byte-for-byte: every non-blank line is a paragraph, nothing removed.

    Used where offsets must match an external corpus (benchmarks, pre-cleaned text).
    A lone surrogate becomes U+FFFD (one code point for one: offsets stay exact).
    """
    raw = replace_surrogates(raw)
    blocks: list[Block] = []
    for m in re.finditer(r"[^\n]+", raw):
        s, e = m.start(), m.end()
        while s < e and raw[s].isspace():
            s += 1
        while e > s and raw[e - 1].isspace():
            e -= 1
        if e > s:
            blocks.append(Block("paragraph", raw[s:e], start=s, end=e))
    return raw, Parts(blocks=blocks)
