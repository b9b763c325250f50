"""GPU check: CUDA is picked automatically for the embedder and the audit's entailment
model, and gives the CPU's figures.

Runs without spaCy (the sentences are cut from the bundled example with a regex). Prints
the device picked, agreement with the CPU (min cosine of the vectors; max difference of
the entailment probabilities and whether any entail-vs-not decision flips) and the rate
on each device. Without CUDA it says so and times the CPU only::

    [TAKEAWAYS_EMBEDDER_PATH=DIR] python bench/gpu_check.py [--repeat 100]
"""

from __future__ import annotations

import argparse
import re
import time
from pathlib import Path

import numpy as np

from takeaways.nlp.models import default_embedder, pick_device


def _sentences() -> list[str]:
    text = Path(__file__).resolve().parents[1].joinpath("examples/putin-astana.scraped.txt")
    parts = re.split(r"(?<=[.!?\"])\s+(?=[A-Z\"])", text.read_text("utf-8"))
    return [p.strip() for p in parts if len(p.split()) >= 5]


def _embed(device: str, texts: list[str]) -> tuple[np.ndarray, float, str]:
    emb = default_embedder(device=device)
    emb.encode(texts[:64])  # warm-up
    t0 = time.perf_counter()
    vecs = emb.encode(texts)
    return vecs, len(texts) / (time.perf_counter() - t0), type(emb).__name__


def _entail(device: str, pairs: list[tuple[str, str]]) -> tuple[np.ndarray, float]:
    from takeaways.auditing.entail import EntailmentModel

    model = EntailmentModel.load(device=device)
    model.predict(pairs[:32])  # warm-up
    t0 = time.perf_counter()
    probs = np.array(model.predict(pairs))
    return probs, len(pairs) / (time.perf_counter() - t0)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--repeat", type=int, default=100)
    args = ap.parse_args()
    base = _sentences()
    auto = pick_device()
    print(f"auto-picked device: {auto}; {len(base)} distinct sentences")
    pairs = [(" ".join(base[max(0, i - 3): i + 1]), base[(i * 7) % len(base)])
             for i in range(len(base))]
    vecs, probs = {}, {}
    for device in dict.fromkeys([auto, "cpu"]):
        many = base * (args.repeat if device != "cpu" else 5)
        vecs[device], rate, kind = _embed(device, many)
        print(f"| {device:5s} | embedder {kind} | {rate:10.1f} sentences/s |")
        probs[device], prate = _entail(device, pairs * (10 if device != "cpu" else 1))
        print(f"| {device:5s} | entailment        | {prate:10.1f} pairs/s |")
    if auto != "cpu":
        n = len(base)
        cos = np.sum(vecs[auto][:n] * vecs["cpu"][:n], axis=1)
        print(f"{auto} vs cpu vectors: min cosine {cos.min():.6f}, mean {cos.mean():.6f}")
        p, q = probs[auto][: len(pairs)], probs["cpu"]
        flips = int(np.sum((p.argmax(1) == 0) != (q.argmax(1) == 0)))
        print(f"{auto} vs cpu entailment: max |diff| {np.abs(p - q).max():.5f}, "
              f"entail-vs-not flips {flips} of {len(pairs)}")
    else:
        print("no CUDA here: the CPU figures only")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
