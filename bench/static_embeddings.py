"""Static embeddings distilled offline from the packaged all-MiniLM-L6-v2 (model2vec), and
their speed beside MiniLM's on the example's sentences (one core).

Distillation runs from the local model folder, no network; it needs
``pip install 'model2vec[distill]'`` (a bench-only dependency). Quality is measured by the
quality benches with the folder as the embedder::

    python bench/static_embeddings.py --out DIR [--pca-dims 256]
    TAKEAWAYS_EMBEDDER_PATH=DIR python bench/keypoints.py --limit 200 --n 3 --systems takeaways
    TAKEAWAYS_EMBEDDER_PATH=DIR python bench/audit.py --limit 60 --refresh --cache OTHER
"""

from __future__ import annotations

import argparse
import os
import re
import sys
import time
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
ROOT = Path(__file__).resolve().parents[1]


def distill(out: Path, pca_dims: int) -> float:
    """Distil MiniLM into ``out``; returns the CPU seconds it took."""
    try:
        from model2vec.distill import distill as m2v_distill
    except ImportError as exc:
        raise SystemExit(f"model2vec with its distill extra is needed ({exc}): "
                         "pip install 'model2vec[distill]'") from exc
    from takeaways.nlp.models import _packaged_model_path

    cpu = time.process_time()
    model = m2v_distill(model_name=_packaged_model_path(), pca_dims=pca_dims, device="cpu")
    model.save_pretrained(str(out))
    return time.process_time() - cpu


def _sentences() -> list[str]:
    text = (ROOT / "examples/putin-astana.scraped.txt").read_text("utf-8")
    parts = re.split(r"(?<=[.!?\"])\s+(?=[A-Z\"])", text)
    return [p.strip() for p in parts if len(p.split()) >= 5]


def rate(embedder: object, texts: list[str]) -> float:
    """Sentences per CPU-second, in batches of 8 (a key-point call's size)."""
    encode = embedder.encode  # type: ignore[attr-defined]
    encode(texts[:8])
    cpu = time.process_time()
    for lo in range(0, len(texts), 8):
        encode(texts[lo : lo + 8])
    return len(texts) / max(time.process_time() - cpu, 1e-9)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--out", type=Path, required=True, help="folder of the static vectors")
    ap.add_argument("--pca-dims", type=int, default=256)
    args = ap.parse_args()
    if not (args.out / "model.safetensors").is_file():
        print(f"distilled in {distill(args.out, args.pca_dims):.1f} CPU s", file=sys.stderr)
    from takeaways.batch.engine import limit_threads
    from takeaways.nlp.models import StaticEmbedder, TorchEmbedder

    limit_threads(1)
    size = sum(f.stat().st_size for f in args.out.iterdir() if f.is_file())
    texts = _sentences() * 4
    static, minilm = StaticEmbedder(str(args.out)), TorchEmbedder(device="cpu")
    print(f"static folder {args.out}: {size / 2**20:.1f} MiB, {static.dimension} dims")
    print("| embedder | sentences per CPU-s |\n|---|--:|")
    print(f"| all-MiniLM-L6-v2 (plain torch) | {rate(minilm, texts):.0f} |")
    print(f"| model2vec static | {rate(static, texts):.0f} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
