"""Edited-highlights benchmark: does the audit pass human-written faithful sentences and
catch one-word edits of the same sentences?

A proxy, built from dev data only, for the edited news summaries the audit is scored on
elsewhere: each reference highlight sentence of the CNN/DM dev articles that the
entailment model never trained on (half B, ``train/entail/cnndm_heldout_ids.txt``) is
audited as it is (faithful, mostly: highlights are human-written) and once edited by one
of the training recipe's edits (``train/entail/build_data.py``: an entity, speaker,
number or date swap, a negation, an antonym or a gender swap; seeded). The edits come from
the same recipe the cross-encoder learned from, on other articles, so this favours it
somewhat; paraphrased errors and inserted facts are not in it.

Printed: per system, the share of faithful sentences supported, the share of edits caught
(not supported) overall and per kind, and the balanced accuracy; the systems are the
shipped audit, the audit without its entailment route, and the novel-entity baseline.

Then the same at the **summary** level, the unit the edited-summary sets label: each
article's whole reference (faithful) and the reference with one of its sentences replaced
by that sentence's edit (one per article, seeded), each judged by the library's summary
verdict (`takeaways.auditing.core.summary_verdict` over the claims' audits; claims are
audited one by one, so the summary's claims are the sentence audits above), by the same
under ``summary_rule = "either"`` and by the all-claims rule (supported when every claim is).

    python bench/audit_edits.py [--data ../shared/data] [--limit N] [--seed 12] [--dump FILE]

``--dump`` writes each summary's claims (probability, confirmed, supported) as JSON, to try
summary rules without auditing again.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

from _data import add_data_argument, data_file, iter_jsonl

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "train" / "entail"))

KINDS = ("entity_swap", "speaker_swap", "number_swap", "date_swap", "negation", "antonym",
         "gender_swap")


def edits(article_sents: Sequence[str], highlights: Sequence[str], nlp: object,
          rng: random.Random) -> list[tuple[str, str | None, str]]:
    """(original highlight, its edit or None, the edit's kind) per highlight sentence."""
    import build_data as bd

    sents = [d[:] for d in nlp.pipe(list(article_sents)) if d.text.strip()]  # type: ignore[attr-defined]
    hls = [d[:] for d in nlp.pipe(list(highlights))]  # type: ignore[attr-defined]
    swaps = bd.load_swaps(bd.HERE / "swap_words.tsv")
    syn = bd.Synth(list(sents) + list(hls), swaps, rng)
    out: list[tuple[str, str | None, str]] = []
    for h in hls:
        hw = set(bd.words(h.text))
        ranked = sorted(range(len(sents)), key=lambda i: -len(hw & set(bd.words(sents[i].text))))
        premise = " ".join(sents[i].text.strip() for i in sorted(ranked[:3]))
        made: tuple[str | None, str] = (None, "")
        for kind in rng.sample(KINDS, len(KINDS)):
            hyp = syn.negative(h, premise, range(0), kind)
            if hyp:
                made = (hyp, kind)
                break
        out.append((h.text.strip(), *made))
    return out


def novel_entity(nlp: object, claim: str, article: str) -> bool:
    low = article.lower()
    return any(e.text.lower() not in low for e in nlp(claim).ents)  # type: ignore[operator]


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    add_data_argument(ap)
    ap.add_argument("--limit", type=int, default=None, help="articles (default: all 75)")
    ap.add_argument("--seed", type=int, default=12)
    ap.add_argument("--dump", type=Path, default=None, metavar="FILE",
                    help="write each summary's claims (probability, confirmed, supported)")
    args = ap.parse_args(argv)

    import build_data as bd

    from takeaways.auditing.core import summary_verdict
    from takeaways.auditing.settings import load_settings
    from takeaways.config import Settings
    from takeaways.pipeline import Pipeline

    ids = set((ROOT / "train" / "entail" / "cnndm_heldout_ids.txt").read_text().split())
    rng = random.Random(args.seed)
    pick = random.Random(args.seed + 1)  # which sentence a summary's edit replaces
    nlp = bd.load_nlp()
    systems = {
        "takeaways": Pipeline(),
        "takeaways, route off": Pipeline(Settings.load().replace(audit={"entail_route": False})),
    }
    # system -> kind ("faithful" or an edit kind) -> [passed]
    passed: dict[str, dict[str, list[int]]] = defaultdict(lambda: defaultdict(list))
    # system -> rule -> "faithful" / "edited" -> [summary passed]
    whole: dict[str, dict[str, dict[str, list[int]]]] = defaultdict(
        lambda: defaultdict(lambda: defaultdict(list)))
    dumped: list[dict[str, object]] = []
    done, t0, claims = 0, time.time(), 0
    audit_s: dict[str, float] = defaultdict(float)
    for r in iter_jsonl(data_file(args.data, "cnndm")):
        if r.get("split") != "dev" or r["article_id"] not in ids:
            continue
        if args.limit and done >= args.limit:
            break
        done += 1
        rows = edits(r["article_sentences"], [h for h in r["reference_highlights"] if h.strip()],
                     nlp, rng)
        batch = [(h, "faithful") for h, _, _ in rows] + [(e, k) for _, e, k in rows if e]
        claims += len(batch)
        edited = [i for i, (_, e, _) in enumerate(rows) if e]
        swap = pick.choice(edited) if len(rows) > 1 and edited else None
        for name, pipe in systems.items():
            article = pipe.read(r["article"], kind="plain")
            t = time.perf_counter()
            report = pipe.audit(article, [c for c, _ in batch])
            audit_s[name] += time.perf_counter() - t
            pipe.forget(article)
            for (_, kind), c in zip(batch, report.claims, strict=True):
                passed[name][kind].append(int(c.verdict == "supported"))
            if swap is None:
                continue
            audits = list(report.claims)
            faithful = audits[: len(rows)]
            changed = list(faithful)
            changed[swap] = audits[len(rows) + edited.index(swap)]
            settings = load_settings(pipe.settings)
            either = replace(settings, summary_rule="either")
            for label, claims_ in (("faithful", faithful), ("edited", changed)):
                verdict, _ = summary_verdict(claims_, settings)
                whole[name]["summary verdict"][label].append(int(verdict == "supported"))
                verdict, _ = summary_verdict(claims_, either)
                whole[name]["either rule"][label].append(int(verdict == "supported"))
                whole[name]["all claims"][label].append(
                    int(all(c.verdict == "supported" for c in claims_)))
                dumped.append({"article": r["article_id"], "system": name, "label": label,
                               "claims": [[c.probability, c.confirmed, c.verdict == "supported"]
                                          for c in claims_]})
        for claim, kind in batch:
            passed["novel-entity"][kind].append(int(not novel_entity(nlp, claim, r["article"])))
        if done % 10 == 0:
            print(f"  {done} articles, {time.time() - t0:.0f}s", file=sys.stderr)

    kinds = [k for k in KINDS if passed["takeaways"].get(k)]
    n = {k: len(passed["takeaways"][k]) for k in ["faithful", *kinds]}
    print(f"\nEdited highlights (CNN/DM dev half B, {done} articles, seed {args.seed}): "
          f"{n['faithful']} highlight sentences, {sum(n[k] for k in kinds)} edits")
    head = f"{'system':<22}{'faithful passed':>16}{'edits caught':>14}{'bal. acc.':>11}"
    head += "".join(f"{k.replace('_swap', ''):>10}" for k in kinds)
    print(head)
    print(" " * 52 + "".join(f"{'n=' + str(n[k]):>10}" for k in kinds))
    for name, got in passed.items():
        faithful = sum(got["faithful"]) / len(got["faithful"])
        caught_all = [1 - v for k in kinds for v in got[k]]
        caught = sum(caught_all) / len(caught_all)
        row = f"{name:<22}{faithful:>16.3f}{caught:>14.3f}{(faithful + caught) / 2:>11.3f}"
        row += "".join(f"{1 - sum(got[k]) / len(got[k]):>10.3f}" for k in kinds)
        print(row)
    n_sum = len(whole["takeaways"]["all claims"]["faithful"])
    print(f"\nEdited references, whole summaries ({n_sum} articles with two or more "
          f"highlight sentences and an edit): faithful = the reference, edited = one sentence "
          f"replaced by its edit")
    print(f"{'system':<22}{'rule':<18}{'faithful passed':>16}{'edits caught':>14}{'bal. acc.':>11}")
    for name, rules in whole.items():
        for rule, got in rules.items():
            ok = sum(got["faithful"]) / max(1, len(got["faithful"]))
            caught = 1 - sum(got["edited"]) / max(1, len(got["edited"]))
            print(f"{name:<22}{rule:<18}{ok:>16.3f}{caught:>14.3f}{(ok + caught) / 2:>11.3f}")
    if args.dump:
        import json

        args.dump.write_text(json.dumps(dumped), "utf-8")
    for name, secs in audit_s.items():
        print(f"audit time, {name}: {secs:.1f} s for {claims} claims "
              f"({claims / max(secs, 1e-9):.1f} claims/s after reading)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
