"""Checks that a key point says nothing its evidence does not.

Every word of a point must come from its evidence sentences, or from a recorded
substitution whose source span really is in the article.
"""

from __future__ import annotations

import re

from takeaways.document import Article
from takeaways.keypoints.result import KeyPoint
from takeaways.keypoints.rewrite import dangling_start

_WORD = re.compile(r"[\w]+(?:['’][\w]+)*")


def _words(text: str) -> set[str]:
    return {w.lower() for w in _WORD.findall(text)}


def ungrounded_words(point: KeyPoint, article: Article) -> list[str]:
    """Words of ``point.text`` found neither in its evidence nor in a valid substitution."""
    allowed: set[str] = set()
    for ev in point.evidence:
        if article.text[ev.start : ev.end] == ev.text:
            allowed |= _words(ev.text)
    for edit in point.edits:
        src = edit.source
        if src is not None and article.text[src.start : src.end] == src.text:
            # a substitution may capitalise its source ("boss X" opening a point: "Boss X")
            same = edit.replacement.lower().startswith(src.text.lower())
            allowed |= _words(edit.replacement) if same else set()
        if edit.kind == "capitalize":
            allowed |= _words(edit.replacement)
    missing = []
    for w in _WORD.findall(point.text):
        low = w.lower()
        base = re.sub(r"['’]s$", "", low)
        if low not in allowed and base not in allowed:
            missing.append(w)
    return missing


def dangling_points(points: list[KeyPoint]) -> list[tuple[int, str]]:
    """(point number, offending word) for points that open without an antecedent."""
    out = []
    for p in points:
        word = dangling_start(p.text)
        if word:
            out.append((p.n, word))
    return out
