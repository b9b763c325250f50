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
