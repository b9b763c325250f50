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
