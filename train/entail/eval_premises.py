"""Compare entailment models on the premises the audit itself sends them (issue 12).

Reads the feature cache of ``bench/audit.py`` (``--datasets ...,highlights,edits``), which
keeps, for every claim, the premises of the entailment route (`signals/entail.premises`):
the held-out CNN/DM reference highlight sentences (``highlights-heldout``: human-written,
mostly faithful; 75 articles no model here trained on) and, from ``edits-heldout``, the one
sentence of each held-out reference that was edited (an entity, speaker, number or date
swap, a negation, an antonym or a gender swap). Each claim gets its most entailing
premise's P(entailment), as the route does; printed per model, for cuts 0.5 and 0.6: the
share of faithful sentences at or above the cut, the share of edits at or above it, and
the balanced accuracy of "P(entailment) >= cut" as a claim check. The shipped model always
runs first; each FOLDER is a training output (``train/entail/train.py --out``).

    python bench/audit.py --data ../shared/data --datasets highlights,edits   # the cache
    python train/entail/eval_premises.py [FOLDER ...] [--cache bench/results]

Fast (about 1,700 pairs per model), so a retrain can be checked against the shipped model
before the audit's fits are rerun.
"""

from __future__ import annotations

import argparse
import pickle
import statistics
import sys
from collections.abc import Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "bench"))

CUTS = (0.5, 0.6)


def load_rows(cache: Path) -> list[tuple[int, list[tuple[str, str]]]]:
    """(label, [(premise, claim), ...]) per held-out claim: 1 a reference sentence, 0 an edit."""
    import audit  # bench/audit.py: the cached `Scored` records

    import __main__

    __main__.Scored = audit.Scored  # type: ignore[attr-defined]  (pickled from the script)
    rows: list[tuple[int, list[tuple[str, str]]]] = []
    for family, dataset in (("highlights", "highlights-heldout"), ("edits", "edits-heldout")):
        path = cache / f"audit-{family}.pkl"
        if not path.is_file():
            raise SystemExit(f"no {path}: run 'python bench/audit.py --datasets highlights,edits "
                             f"--cache {cache}' first")
        for s in pickle.loads(path.read_bytes()):
            if s.dataset != dataset:
                continue
            labels = s.claim_labels or [1] * len(s.claim_texts)
            for label, claim, prem in zip(labels, s.claim_texts, s.premises, strict=True):
                if family == "highlights" or label == 0:
                    rows.append((int(family == "highlights"), [(p, claim) for p in prem]))
    return rows


def score(model: object, rows: list[tuple[int, list[tuple[str, str]]]]) -> list[tuple[int, float]]:
    out = []
    for label, pairs in rows:
        probs = model.predict(pairs) if pairs else []  # type: ignore[attr-defined]
        out.append((label, max((p[0] for p in probs), default=0.0)))
    return out


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("folders", nargs="*", type=Path, help="training output folders")
    ap.add_argument("--cache", type=Path, default=ROOT / "bench" / "results")
    args = ap.parse_args(argv)

    from takeaways.auditing.entail import EntailmentModel

    rows = load_rows(args.cache)
    models = [("shipped", EntailmentModel.load())]
    models += [(str(f), EntailmentModel.from_folder(f)) for f in args.folders]
    n_f = sum(label for label, _ in rows)
    print(f"held-out claims: {n_f} reference sentences, {len(rows) - n_f} edits")
    for name, model in models:
        got = score(model, rows)
        faithful = [p for label, p in got if label == 1]
        edits = [p for label, p in got if label == 0]
        for cut in CUTS:
            f_ok = sum(p >= cut for p in faithful) / max(1, len(faithful))
            e_ok = sum(p >= cut for p in edits) / max(1, len(edits))
            print(f"{name:<40} cut {cut}: faithful >= cut {f_ok:.3f}, edits >= cut {e_ok:.3f}, "
                  f"balanced accuracy {(f_ok + 1 - e_ok) / 2:.3f}")
        print(f"{'':<40} median P(entailment): faithful {statistics.median(faithful):.3f}, "
              f"edits {statistics.median(edits):.3f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
