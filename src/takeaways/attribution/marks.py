"""Find quoted passages by their quote marks, block by block (paragraphs and headings).

Rules (documented in docs/quotes.md):

* Double marks: "…", “…”, „…“, „…”, «…», ‹…›. A straight ``"`` opens when it follows
  the block start, a space, a bracket or a dash, and closes when it precedes a space,
  punctuation or the block end; inside a word it toggles. A ``”`` with no quote open, in
  an opener's place (block start or space before, a word after), opens: ”…” (Swedish,
  Finnish, and a common typo in English pages). Mixed marks close each other: a straight
  ``"`` in a closer's place closes an open ``“``, and a ``”`` closes an open ``"``
  (``"…,” he said``, a typo common in pasted and edited copy).
* Single marks open only where they cannot be an apostrophe: after a space/bracket/open
  quote and before a letter, and never in ``'90s``, ``'n'``, ``'em``, ``'til``, ``'cause``.
  A single closer must have an open single quote to close; otherwise it is an apostrophe
  (``Putin's``, ``leaders'``). Unclosed single openers are apostrophes, silently.
* A double quote still open at the end of a block continues into the next block when that
  block starts with an opening mark (the multi-paragraph convention); otherwise the mark is
  unbalanced: the quote is skipped with a warning, never an error.
* Quotes inside quotes are nested (``parent`` is the index of the enclosing quote).
* Bounded work: at most `MAX_OPEN` marks are open at once (deeper openers are skipped as
  unbalanced), and `count_double_marks` lets the caller refuse a document with more marks
  than ``[limits] max_quote_marks`` before scanning it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from takeaways.lexicon import quote_marks

# the marks themselves are language data: data/quote_marks.txt (takeaways.lexicon)
OPEN_DOUBLE = quote_marks().double_openers
CLOSERS = set(quote_marks().double_closers)
SINGLE_OPEN = set(quote_marks().single_openers)
SINGLE_CLOSE = set(quote_marks().single_closers)
OPEN_CONTEXT = set(" \t\n([{—–-/\u00a0") | set(OPEN_DOUBLE) | SINGLE_OPEN
_DOUBLE_MARK = re.compile(f"[{quote_marks().char_class(quote_marks().double)}]")
#: open quotes nest at most this deep (real text nests two or three levels); an opener
#: beyond it is skipped with a warning, so the stack searches stay short
MAX_OPEN = 16
_APOSTROPHE_WORD = re.compile(r"(?:\d\ds|n['’]|em\b|til\b|cause\b|tis\b|twas\b|bout\b)", re.I)


def count_double_marks(text: str) -> int:
    """How many double quote marks ``text`` holds (single marks are mostly apostrophes)."""
    return sum(1 for _ in _DOUBLE_MARK.finditer(text))


@dataclass(frozen=True, slots=True)
class Marked:
    """A quoted passage: ``start``/``end`` bound the words inside the marks."""

    start: int
    end: int
    open_char: str
    parent: int | None
    single: bool


@dataclass(slots=True)
class _Open:
    pos: int
    char: str
    single: bool


class _Scanner:
    def __init__(self, text: str) -> None:
        self.text = text
        self.stack: list[_Open] = []
        self.found: list[tuple[int, int, str, bool]] = []  # open, close, char, single
        self.warnings: list[str] = []

    # -- character classes ------------------------------------------------------

    def _prev(self, i: int, lo: int) -> str:
        return self.text[i - 1] if i > lo else " "

    def _next(self, i: int, hi: int) -> str:
        return self.text[i + 1] if i + 1 < hi else " "

    def _opens(self, i: int, lo: int, hi: int) -> bool:
        return self._prev(i, lo) in OPEN_CONTEXT and not self._next(i, hi).isspace()

    def _closes(self, i: int, lo: int, hi: int) -> bool:
        nxt = self._next(i, hi)
        return not self._prev(i, lo).isspace() and (nxt.isspace() or not nxt.isalnum())

    # -- stack ------------------------------------------------------------------

    def _close(self, depth: int, i: int) -> None:
        """Close the opener at ``depth``; openers above it are unbalanced."""
        for dropped in self.stack[depth + 1 :]:
            if not dropped.single:
                self._warn(dropped.pos, "unbalanced quote mark")
        op = self.stack[depth]
        self.found.append((op.pos, i, op.char, op.single))
        del self.stack[depth:]

    def _find(self, want: set[str] | str, single: bool) -> int | None:
        for depth in range(len(self.stack) - 1, -1, -1):
            op = self.stack[depth]
            if op.single == single and (
                op.char in want if isinstance(want, set) else want in OPEN_DOUBLE[op.char]
            ):
                return depth
            if not op.single and not single:
                return None  # a different double quote is innermost: no crossing
        return None

    def _push(self, op: _Open) -> None:
        if len(self.stack) >= MAX_OPEN:
            if not op.single:
                self._warn(op.pos, "quote marks nested too deep")
            return
        self.stack.append(op)

    def _warn(self, pos: int, why: str) -> None:
        snippet = self.text[pos : pos + 30].replace("\n", " ")
        self.warnings.append(f"{why} at offset {pos} ({snippet!r}); that quote is skipped")

    # -- characters -------------------------------------------------------------

    def straight_double(self, i: int, lo: int, hi: int) -> None:
        depth = self._find('"', single=False)
        opens, closes = self._opens(i, lo, hi), self._closes(i, lo, hi)
        if depth is not None and (closes or not opens):
            self._close(depth, i)
        elif closes and not opens and self._innermost_double("“"):
            self._close(len(self.stack) - 1, i)  # '“…," he said': mixed marks, one quote
        elif opens or (not closes and depth is None):
            self._push(_Open(i, '"', False))
        else:
            self._warn(i, "closing quote mark without an opening one")

    def _innermost_double(self, char: str) -> bool:
        """Whether the innermost open quote is a double one opened by ``char``."""
        return bool(self.stack) and not self.stack[-1].single and self.stack[-1].char == char

    def curly(self, ch: str, i: int, lo: int, hi: int) -> None:
        if ch == "“":
            depth = self._find("“", single=False)
            if depth is not None and self.stack[depth].char == "„":
                self._close(depth, i)
                return
        if ch in OPEN_DOUBLE:
            self._push(_Open(i, ch, False))
            return
        depth = self._find(ch, single=False)
        if depth is not None:
            self._close(depth, i)
        elif ch == "”" and self._innermost_double('"') and self._closes(i, lo, hi):
            self._close(len(self.stack) - 1, i)  # '"…,” he said': mixed marks, one quote
        elif ch == "”" and self._opens(i, lo, hi):
            # '”Mr. Trump embodies …”' (and Swedish or Finnish ”…”): a closer where only
            # an opener can stand, with nothing open, opens the quote
            self._push(_Open(i, "“", False))
        else:
            self._warn(i, "closing quote mark without an opening one")

    def single(self, ch: str, i: int, lo: int, hi: int) -> None:
        rest = self.text[i + 1 : i + 6]
        if ch in SINGLE_CLOSE:
            depth = self._find(SINGLE_OPEN, single=True)
            if depth is not None and self._closes(i, lo, hi):
                self._close(depth, i)
                return
        if ch in SINGLE_OPEN and self._opens(i, lo, hi) and self._next(i, hi).isalnum():
            if not _APOSTROPHE_WORD.match(rest):
                self._push(_Open(i, ch, True))

    def scan_block(self, lo: int, hi: int) -> None:
        for i in range(lo, hi):
            ch = self.text[i]
            if ch == '"':
                self.straight_double(i, lo, hi)
            elif ch in OPEN_DOUBLE or ch in CLOSERS:
                self.curly(ch, i, lo, hi)
            elif ch in SINGLE_OPEN or ch in SINGLE_CLOSE:
                self.single(ch, i, lo, hi)

    def end_block(self, next_start: int | None) -> None:
        """Carry an open double quote into the next block if that block opens with a mark."""
        self.stack = [o for o in self.stack if not o.single]
        carry = (
            next_start is not None
            and len(self.stack) == 1
            and self.text[next_start : next_start + 1] in OPEN_DOUBLE
        )
        if carry:
            return
        for op in self.stack:
            self._warn(op.pos, "unbalanced quote mark")
        self.stack = []


def _blocks(text: str, blocks: list[tuple[int, int]]) -> list[tuple[int, int]]:
    if blocks:
        return sorted(blocks)
    return [(m.start(), m.end()) for m in re.finditer(r"[^\n]+(?:\n(?!\s*\n)[^\n]+)*", text)]


def find_marked(text: str, blocks: list[tuple[int, int]]) -> tuple[list[Marked], list[str]]:
    """Quoted passages in ``text`` (outer first, in text order) and warnings."""
    scanner = _Scanner(text)
    spans = _blocks(text, blocks)
    for k, (lo, hi) in enumerate(spans):
        carried = scanner.stack[:1]
        if carried:  # continuation paragraph: its opening mark is not a new quote
            scanner.scan_block(lo + 1, hi)
        else:
            scanner.scan_block(lo, hi)
        scanner.end_block(spans[k + 1][0] if k + 1 < len(spans) else None)
    found = sorted(scanner.found, key=lambda f: (f[0], -f[1]))
    out = [Marked(op + 1, cl, ch, None, single) for op, cl, ch, single in found]
    out = _reindex(out)
    out = [m for m in out
           if not (m.single and m.parent is None and not _plausible_single(text, m))]
    return _reindex(out), scanner.warnings


def _plausible_single(text: str, m: Marked) -> bool:
    """A top-level single-quoted passage is a quote when it holds at least two words."""
    return len(text[m.start : m.end].split()) >= 2


def _reindex(marks: list[Marked]) -> list[Marked]:
    """``marks`` (sorted by start, longest first) with ``parent`` the index of the nearest
    enclosing one. Marks from one stack scan nest or are disjoint, so the enclosing ones
    form a stack: one pass."""
    out: list[Marked] = []
    open_: list[int] = []  # indices into out of the marks enclosing the current position
    for m in marks:
        while open_ and not (out[open_[-1]].start <= m.start and m.end <= out[open_[-1]].end):
            open_.pop()
        parent = open_[-1] if open_ else None
        out.append(Marked(m.start, m.end, m.open_char, parent, m.single))
        open_.append(len(out) - 1)
    return out
