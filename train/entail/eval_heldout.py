"""Check a trained entailment model on the held-out CNN/DM dev articles (half B).

    PYTHONPATH=src python train/entail/eval_heldout.py [--model train/entail/out]

Prints (and writes to ``<model>/heldout_eval.json``):
- the share of half-B reference highlight sentences judged entailed (p(entailment) > 0.5)
  against their 3 best-overlapping article sentences (a rough premise: the audit's own
  alignment picks the evidence differently);
- per kind, the entail-vs-not accuracy on synthetic pairs built from the half-B articles with
  the training recipe (train/entail/build_data.py), which were never used for training;
- with ``--wordnet DIR``, also one-word edits of the same half-B sentences the recipe above
  does not make: a WordNet synonym (``wn_synonym``, entailed) and a WordNet antonym
  (``wn_antonym``, not entailed), from their own seeded generator, so the pairs above stay
  the same: can the model tell a reworded sentence from a reversed one?
"""

from __future__ import annotations

import argparse
import collections
import json
import random
import sys
import time
from collections.abc import Sequence
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import build_data as bd  # noqa: E402

from takeaways.auditing.entail import EntailmentModel  # noqa: E402


def wordnet_pairs(sents: Sequence[bd.Span], swaps: dict[str, dict[str, str]],
                  rng: random.Random, lexicon: bd.Lexicon) -> list[bd.Pair]:
    """For each usable sentence, the sentence with one WordNet synonym (entailed) and with one
    WordNet antonym (not entailed), each against the sentence itself as the premise."""
    syn = bd.Synth(sents, swaps, rng, lexicon)
    out: list[bd.Pair] = []
    for s in sents:
        if not bd.usable(s):
            continue
        premise = s.text.strip()
        edits = syn.synonym_edits(s)
        if edits:
            hyp = bd.render(s, [rng.choice(edits)])
            out.append(bd.Pair(premise, hyp, "entailment", "heldout:cnndm", "wn_synonym", "dev"))
        ant = syn.wordnet_antonym(s)
        if ant is not None:
            hyp = bd.render(s, [ant])
            out.append(bd.Pair(premise, hyp, "contradiction", "heldout:cnndm", "wn_antonym",
                               "dev"))
    return out


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--data", type=Path, default=HERE.parents[2] / "shared" / "data")
    ap.add_argument("--model", type=Path, default=None, help="a training output folder "
                    "(default: the shipped model)")
    ap.add_argument("--seed", type=int, default=12)
    ap.add_argument("--windows", type=int, default=8)
    ap.add_argument("--wordnet", type=Path, default=None,
                    help="WordNet database folder: also the wn_synonym / wn_antonym pairs")
    args = ap.parse_args(argv)
    lexicon = bd.Lexicon.load(args.wordnet) if args.wordnet else None
    wn_rng = random.Random(args.seed + 1)
    rng = random.Random(args.seed)
    nlp = bd.load_nlp()
    swaps = bd.load_swaps(HERE / "swap_words.tsv")
    held = set((HERE / "cnndm_heldout_ids.txt").read_text("utf-8").split())
    rows = sorted(bd.read_jsonl(args.data / "frank" / "cnndm_articles.jsonl.gz"),
                  key=lambda r: str(r["article_id"]))
    rows = [r for r in rows if str(r["article_id"]) in held]
    pairs: list[bd.Pair] = []
    for r in rows:
        sents = [d[:] for d in nlp.pipe([str(s) for s in r["article_sentences"]])  # type: ignore[attr-defined]
                 if d.text.strip()]
        hl = [d[:] for d in nlp.pipe([str(h) for h in r["reference_highlights"]])]  # type: ignore[attr-defined]
        pairs += bd.synth_article(sents, "heldout:cnndm", "dev", args.windows, swaps, rng)
        pairs += bd.highlight_pairs(sents, hl, swaps, rng)
        if lexicon is not None:
            pairs += wordnet_pairs(sents, swaps, wn_rng, lexicon)
    model = (EntailmentModel.from_folder(args.model, device="cpu") if args.model
             else EntailmentModel.load(device="cpu"))
    t0 = time.perf_counter()
    probs = model.predict([(p.premise, p.hypothesis) for p in pairs])
    secs = time.perf_counter() - t0
    by_kind: dict[str, list[bool]] = collections.defaultdict(list)
    for p, pr in zip(pairs, probs, strict=True):
        entailed = pr[0] > 0.5
        by_kind[p.kind].append(entailed == (p.label == "entailment"))
    out = {
        "articles": len(rows),
        "highlight_sentences": len(by_kind["highlight"]),
        "highlights_entailed_share": sum(by_kind["highlight"]) / max(1, len(by_kind["highlight"])),
        "accuracy_by_kind": {k: {"n": len(v), "acc": sum(v) / len(v)}
                             for k, v in sorted(by_kind.items())},
        "pairs_per_s": len(pairs) / secs,
    }
    print(json.dumps(out, indent=2))
    if args.model:
        (args.model / "heldout_eval.json").write_text(json.dumps(out, indent=2) + "\n", "utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
