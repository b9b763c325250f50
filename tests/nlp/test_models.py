"""Model loading helpers: the CPU bfloat16 switch and its vectors."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from takeaways.nlp import models


@pytest.mark.parametrize(
    ("value", "expected"), [("false", False), (False, False), ("true", True), (True, True)]
)
def test_cpu_bf16_setting_is_honoured(monkeypatch: pytest.MonkeyPatch, value: Any,
                                      expected: bool) -> None:
    monkeypatch.setattr(models, "section", lambda name: {"cpu_bf16": value})
    assert models._cpu_bf16() is expected


@pytest.mark.slow
def test_cpu_bf16_vectors_match_float32(real_embedder: Any) -> None:
    texts = ["Kremlin spokesman Dmitry Peskov said the proposal was a peace initiative.",
             "The city council approved a new budget for the schools on Monday evening."]
    before = real_embedder.bf16
    try:
        real_embedder.bf16 = False
        full = real_embedder.encode(texts)
        real_embedder.bf16 = True
        half = real_embedder.encode(texts)
    finally:
        real_embedder.bf16 = before
    assert half.dtype == np.float32
    assert np.min(np.sum(full * half, axis=1)) > 0.999


def test_analysis_product_is_built_once_per_builder() -> None:
    import takeaways
    from takeaways.nlp.analyze import Analysis

    calls: list[int] = []

    def build(analysis: Analysis) -> int:
        calls.append(1)
        return len(analysis.article.text)

    analysis = Analysis(takeaways.read("One sentence here. And another one here.", kind="plain"))
    assert analysis.product(build) == analysis.product(build) == len(analysis.article.text)
    assert len(calls) == 1


def test_nlp_imports_nothing_above_it() -> None:
    import ast
    from pathlib import Path

    import takeaways.nlp

    above = ("takeaways.attribution", "takeaways.keypoints", "takeaways.auditing", "takeaways.api",
             "takeaways.batch", "takeaways.server", "takeaways.cli")
    for path in Path(takeaways.nlp.__file__).parent.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module:
                assert not node.module.startswith(above), f"{path.name} imports {node.module}"
            if isinstance(node, ast.Import):
                for alias in node.names:
                    assert not alias.name.startswith(above), f"{path.name} imports {alias.name}"


def test_static_embedder_means_token_vectors(tmp_path: Any,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    import json
    import shutil
    from pathlib import Path

    pytest.importorskip("tokenizers")
    safetensors_numpy = pytest.importorskip("safetensors.numpy")
    try:
        folder = Path(models._packaged_model_path())
    except Exception as exc:  # noqa: BLE001 - no packaged tokenizer: skip
        pytest.skip(str(exc))
    shutil.copy(folder / "tokenizer.json", tmp_path / "tokenizer.json")
    (tmp_path / "config.json").write_text(json.dumps({"model_type": "model2vec"}))
    vectors = np.random.default_rng(0).normal(size=(30522, 8)).astype(np.float32)
    safetensors_numpy.save_file({"embeddings": vectors}, str(tmp_path / "model.safetensors"))
    monkeypatch.setenv("TAKEAWAYS_EMBEDDER_PATH", str(tmp_path))
    emb = models.default_embedder()
    assert isinstance(emb, models.StaticEmbedder)
    out = emb.encode(["the budget", "", "budget the"])
    assert out.shape == (3, 8) and out.dtype == np.float32
    assert np.allclose(np.linalg.norm(out[[0, 2]], axis=1), 1.0, atol=1e-5)
    assert not out[1].any()  # nothing to average: a zero row
    assert np.allclose(out[0], out[2], atol=1e-6)  # a bag of tokens: order does not matter
    assert emb.encode([]).shape == (0, 8)
