"""GPU check for the embedder: CUDA is picked automatically and gives the CPU's vectors.

Runs without spaCy (the GPU machine has only torch and sentence-transformers), so the
sentences are cut from the bundled example with a regex. Prints device, agreement with
the CPU (min cosine) and sentences/s on each device.

    TAKEAWAYS_EMBEDDER_PATH=DIR python bench/gpu_check.py [--repeat 200]
"""

from __future__ import annotations

import argparse
import re
import time
from pathlib import Path

import numpy as np

from takeaways.nlp.models import SentenceTransformerEmbedder, pick_device


def _sentences() -> list[str]:
    text = Path(__file__).resolve().parents[1].joinpath("examples/putin-astana.scraped.txt")
    parts = re.split(r"(?<=[.!?\"])\s+(?=[A-Z\"])", text.read_text("utf-8"))
    return [p.strip() for p in parts if len(p.split()) >= 5]


def _rate(emb: SentenceTransformerEmbedder, texts: list[str]) -> tuple[np.ndarray, float]:
    emb.encode(texts[:64])  # warm-up
    t0 = time.perf_counter()
    vecs = emb.encode(texts)
    return vecs, len(texts) / (time.perf_counter() - t0)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--repeat", type=int, default=100)
    args = ap.parse_args()
    base = _sentences()
    texts = base * args.repeat
    auto = pick_device()
    print(f"auto-picked device: {auto}; {len(base)} distinct sentences x {args.repeat}")
    rows = []
    vecs = {}
    for device in dict.fromkeys([auto, "cpu"]):
        emb = SentenceTransformerEmbedder(device=device)
        vecs[device], rate = _rate(emb, texts if device != "cpu" else base * 5)
        rows.append((device, rate))
    for device, rate in rows:
        print(f"| {device:5s} | {rate:10.1f} sentences/s |")
    if "cuda" in vecs:
        n = len(base)
        cos = np.sum(vecs["cuda"][:n] * vecs["cpu"][:n], axis=1)
        print(f"cuda vs cpu: min cosine {cos.min():.6f}, mean {cos.mean():.6f} over {n} sentences")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
