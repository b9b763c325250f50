"""Model loading helpers: the CPU bfloat16 switch and its vectors."""

from __future__ import annotations

import os
from typing import Any

import numpy as np
import pytest

import takeaways
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


# -- key points' own static vectors (issue 16) --------------------------------------------
@pytest.fixture()
def no_embedder_override() -> Any:
    """The product's defaults: no `set_embedder` (the suite sets `HashingEmbedder`)."""
    previous = models._embedder
    models.set_embedder(None)
    yield
    models.set_embedder(previous)


def _cos(a: np.ndarray, b: np.ndarray) -> float:
    return float(a @ b)


def test_packaged_static_vectors_load_and_rank_sentences() -> None:
    pytest.importorskip("tokenizers")
    pytest.importorskip("safetensors.numpy")
    path = models.packaged_static_path()
    assert models.is_static_folder(path)
    emb = models.get_static_embedder(path)
    assert emb is models.get_static_embedder(path)  # loaded once per process
    v = emb.encode(["The president said the talks would resume in May.",
                    "Talks will restart in May, the president announced.",
                    "Heavy rain flooded the farm fields overnight."])
    assert v.shape == (3, 256) and v.dtype == np.float32
    assert np.allclose(np.linalg.norm(v, axis=1), 1.0, atol=1e-5)
    assert _cos(v[0], v[1]) > _cos(v[0], v[2]) + 0.2


def test_key_points_embed_with_the_static_vectors_by_default(no_embedder_override: None,
                                                             monkeypatch: pytest.MonkeyPatch
                                                             ) -> None:
    from takeaways.config import default_settings, use
    from takeaways.nlp.analyze import Analysis

    pytest.importorskip("tokenizers")
    monkeypatch.delenv("TAKEAWAYS_EMBEDDER_PATH", raising=False)
    assert models.point_vectors_path() == models.packaged_static_path()
    main = models.HashingEmbedder()
    article = takeaways.read("The council met on Monday. It approved the budget.", kind="plain")
    analysis = Analysis(article, embedder=main)  # the audit's embedder, given explicitly
    assert isinstance(analysis.point_embedder, models.StaticEmbedder)
    assert not analysis.points_share_embedder
    got = analysis.point_embeddings_for([1, 0, 1])
    assert got.shape == (3, 256) and np.allclose(got[0], got[2])
    assert analysis.embeddings_for([0]).shape == (1, main.dim)  # the audit's vectors stay
    with use(default_settings().replace(models={"keypoint_embedder": "shared"})):
        assert models.point_vectors_path() is None
        shared = Analysis(article, embedder=main)
        assert shared.point_embedder is main and shared.points_share_embedder
        first = main.encode([article.sentences[0].text])
        assert np.allclose(shared.point_embeddings_for([0]), first)
    monkeypatch.setenv("TAKEAWAYS_EMBEDDER_PATH", "/somewhere")  # an embedder chosen by hand
    assert models.point_vectors_path() is None


def test_an_embedder_chosen_by_hand_is_used_by_key_points_too(no_embedder_override: None
                                                              ) -> None:
    from takeaways.nlp.analyze import Analysis
    from takeaways.pipeline import Pipeline

    main = models.HashingEmbedder()
    article = takeaways.read("The council met on Monday. It approved the budget.", kind="plain")
    assert Analysis(article, embedder=main, point_embedder=main).points_share_embedder
    assert Pipeline(embedder=main).analyze(article).point_embedder is main
    models.set_embedder(main)
    assert models.point_vectors_path() is None


def test_keypoint_embedder_setting_that_is_no_static_folder_says_how_to_fix(
        no_embedder_override: None, tmp_path: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    from takeaways.config import default_settings, use
    from takeaways.errors import ModelError

    monkeypatch.delenv("TAKEAWAYS_EMBEDDER_PATH", raising=False)
    with use(default_settings().replace(models={"keypoint_embedder": str(tmp_path)})):
        with pytest.raises(ModelError, match="keypoint_embedder .* model2vec"):
            models.point_vectors_path()


@pytest.mark.slow
def test_key_points_by_default_never_load_minilm() -> None:
    """Key points on the example with the shipped settings embed with the static vectors:
    the audit's MiniLM is never loaded and no transformers package is imported, which
    keeps `summarize`'s cold start near spaCy's own load. (torch itself may be imported:
    spaCy's thinc imports it when it is installed.)"""
    import subprocess
    import sys
    from pathlib import Path

    example = Path(__file__).resolve().parents[2] / "examples" / "putin-astana.scraped.txt"
    code = (
        "import sys, takeaways\n"
        "from takeaways.nlp import models\n"
        f"a = takeaways.read(open({str(example)!r}, encoding='utf-8').read())\n"
        "points = takeaways.key_points(a, n=4)\n"
        "print(len(points), models._embedder is None, sorted(models._static) != [],\n"
        "      any(m in sys.modules for m in ('transformers', 'sentence_transformers')))\n"
    )
    env = {**os.environ, "HF_HUB_OFFLINE": "1"}
    env.pop("TAKEAWAYS_EMBEDDER_PATH", None)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True, env=env)
    assert out.stdout.split() == ["4", "True", "True", "False"], out.stderr[-2000:]
